//! Weight shard contents as a list of byte views: float weights stay views of the memory-mapped
//! model until the bundle is written, so the compiler never holds a second copy of them.

use std::io::Write;

use bytes::Bytes;
use sha2::{Digest, Sha256};

static ZEROS: [u8; 256] = [0; 256];

#[derive(Clone, Debug, Default)]
pub struct ShardData {
    pieces: Vec<Bytes>,
    len: u64,
}

impl ShardData {
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn push(&mut self, bytes: Bytes) {
        self.len += bytes.len() as u64;
        self.pieces.push(bytes);
    }

    /// Appends zeros up to the next multiple of `alignment` (at most 256).
    pub fn pad_to(&mut self, alignment: u64) {
        let pad = (self.len.next_multiple_of(alignment) - self.len) as usize;
        if pad > 0 {
            self.push(Bytes::from_static(&ZEROS[..pad]));
        }
    }

    pub fn sha256(&self) -> String {
        let mut hasher = Sha256::new();
        for piece in &self.pieces {
            hasher.update(piece);
        }
        format!("{:x}", hasher.finalize())
    }

    pub fn write_to(&self, out: &mut impl Write) -> std::io::Result<()> {
        for piece in &self.pieces {
            out.write_all(piece)?;
        }
        Ok(())
    }
}
