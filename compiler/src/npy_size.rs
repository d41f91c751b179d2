//! The size a `.npy` header claims, checked against the file before anything is allocated:
//! ndarray-npy allocates the whole array the header describes before it reads the data, so a
//! 3 KB file claiming 10^11 elements would abort the process allocating 400 GB.

use std::io::Read;

const MAGIC: &[u8] = b"\x93NUMPY";

/// Reads the header at the start of `reader` and checks that a file of `file_len` bytes holds the
/// data it describes. Only as much of the header as it declares is read.
pub fn check(reader: &mut impl Read, file_len: u64) -> Result<(), String> {
    let mut prefix = [0u8; 8];
    reader
        .read_exact(&mut prefix)
        .map_err(|_| "too short for a .npy header".to_owned())?;
    if &prefix[..6] != MAGIC {
        return Err("not a .npy file (no \\x93NUMPY magic string)".into());
    }
    // Version 1 stores the header's length in 2 bytes, versions 2 and 3 in 4.
    let len_bytes = if prefix[6] == 1 { 2 } else { 4 };
    let mut len = [0u8; 4];
    reader
        .read_exact(&mut len[..len_bytes])
        .map_err(|_| "truncated .npy header".to_owned())?;
    let header_len = u32::from_le_bytes(len) as u64;
    let data_start = 8 + len_bytes as u64 + header_len;
    if data_start > file_len {
        return Err(format!(
            "the header claims {header_len} bytes, more than the file's {file_len}"
        ));
    }
    let mut header = Vec::with_capacity(header_len as usize);
    reader
        .take(header_len)
        .read_to_end(&mut header)
        .map_err(|e| e.to_string())?;
    let header = String::from_utf8_lossy(&header);
    let shape = shape(&header).ok_or("cannot read the shape in the .npy header")?;
    let item = item_size(&header).unwrap_or(1);
    let claimed = (shape.iter())
        .try_fold(item, |n, &d| n.checked_mul(d))
        .ok_or_else(|| format!("the header's shape {shape:?} overflows"))?;
    let available = file_len - data_start;
    if claimed > available {
        return Err(format!(
            "the header claims shape {shape:?} ({claimed} bytes of data), but the file holds \
             only {available} bytes after its header"
        ));
    }
    Ok(())
}

/// The integers of the `'shape': (…)` tuple, as numpy writes it.
fn shape(header: &str) -> Option<Vec<u64>> {
    let after = &header[header.find("'shape'")? + "'shape'".len()..];
    let after = after.trim_start().strip_prefix(':')?.trim_start();
    let tuple = after.strip_prefix('(')?;
    let inner = &tuple[..tuple.find(')')?];
    (inner.split(','))
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| d.trim_end_matches('L').parse().ok())
        .collect()
}

/// Bytes per element from `'descr': '<f4'` (the digits after the type letter).
fn item_size(header: &str) -> Option<u64> {
    let after = &header[header.find("'descr'")? + "'descr'".len()..];
    let quoted = after.split('\'').nth(1)?;
    let digits: String = quoted.chars().filter(char::is_ascii_digit).collect();
    digits.parse().ok().filter(|&n| n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn npy(header: &str, data: usize) -> Vec<u8> {
        let mut bytes = MAGIC.to_vec();
        bytes.extend([1, 0]);
        bytes.extend((header.len() as u16).to_le_bytes());
        bytes.extend(header.as_bytes());
        bytes.extend(vec![0; data]);
        bytes
    }

    fn checked(bytes: &[u8]) -> Result<(), String> {
        check(&mut &bytes[..], bytes.len() as u64)
    }

    #[test]
    fn claims_are_held_to_the_file_length() {
        let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\n";
        assert_eq!(checked(&npy(header, 24)), Ok(()));
        let err = checked(&npy(header, 20)).unwrap_err();
        assert!(
            err.contains("[2, 3] (24 bytes") && err.contains("only 20"),
            "{err}"
        );
        let huge = "{'descr': '<f4', 'fortran_order': False, 'shape': (100000000000,), }\n";
        assert!(checked(&npy(huge, 3000)).is_err());
        let scalar = "{'descr': '|b1', 'fortran_order': False, 'shape': (), }\n";
        assert_eq!(checked(&npy(scalar, 1)), Ok(()));
        let overflow = "{'descr': '<i8', 'shape': (4294967296, 4294967296), }\n";
        assert!(checked(&npy(overflow, 0))
            .unwrap_err()
            .contains("overflows"));
        assert!(checked(b"\x93NUMPY\x01\x00\xff\xff").is_err());
        assert!(checked(b"PK").is_err());
    }
}
