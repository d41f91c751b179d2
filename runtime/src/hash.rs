//! Content hashes of bundle files: a tampered or truncated file must never run.

use sha2::{Digest, Sha256};

use crate::Error;

/// Lower-case hex SHA-256, as the plan records it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub(crate) fn check_sha256(file: &str, bytes: &[u8], expected: &str) -> Result<(), Error> {
    let actual = sha256_hex(bytes);
    if actual != expected {
        return Err(Error::HashMismatch {
            file: file.to_owned(),
            expected: expected.to_owned(),
            actual,
        });
    }
    Ok(())
}
