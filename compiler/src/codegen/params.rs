//! Packs a dispatch's uniform block. Every template's `Params` struct starts with scalar words in
//! groups of four, followed by `array<vec4<u32>, 2>` blocks (up to 8 dimensions each).

use crate::CompileError;

/// The most dimensions a shape or stride block holds.
pub const MAX_RANK: usize = 8;

#[derive(Default)]
pub struct Params {
    words: Vec<u32>,
    overflow: Option<u64>,
}

impl Params {
    pub fn new() -> Params {
        Params::default()
    }

    pub fn u32(mut self, value: usize) -> Params {
        match u32::try_from(value) {
            Ok(v) => self.words.push(v),
            Err(_) => self.overflow = Some(value as u64),
        }
        self
    }

    pub fn i32(mut self, value: i64) -> Params {
        match i32::try_from(value) {
            Ok(v) => self.words.push(v as u32),
            Err(_) => self.overflow = Some(value.unsigned_abs()),
        }
        self
    }

    pub fn f32(mut self, value: f32) -> Params {
        self.words.push(value.to_bits());
        self
    }

    /// Pads the scalars to a 16-byte boundary, then writes one 8-entry dimension block.
    pub fn dims(mut self, values: &[usize]) -> Params {
        assert!(values.len() <= MAX_RANK, "callers check the rank first");
        self = self.align();
        for i in 0..MAX_RANK {
            self = self.u32(values.get(i).copied().unwrap_or(0));
        }
        self
    }

    /// As [`Params::dims`], for signed values (`array<vec4<i32>, 2>`).
    pub fn signed_dims(mut self, values: &[i64]) -> Params {
        assert!(values.len() <= MAX_RANK, "callers check the rank first");
        self = self.align();
        for i in 0..MAX_RANK {
            self = self.i32(values.get(i).copied().unwrap_or(0));
        }
        self
    }

    /// As [`Params::dims`], for f32 values (`array<vec4<f32>, 2>`).
    pub fn float_dims(mut self, values: &[f32]) -> Params {
        assert!(values.len() <= MAX_RANK, "callers check the rank first");
        self = self.align();
        for i in 0..MAX_RANK {
            self = self.f32(values.get(i).copied().unwrap_or(0.0));
        }
        self
    }

    fn align(mut self) -> Params {
        self.words.resize(self.words.len().next_multiple_of(4), 0);
        self
    }

    pub fn finish(self) -> Result<Vec<u32>, CompileError> {
        match self.overflow {
            Some(v) => Err(CompileError::Limit(format!(
                "value {v} does not fit a 32-bit shader index"
            ))),
            None => Ok(self.align().words),
        }
    }
}

pub fn check_rank(rank: usize, what: &str) -> Result<(), CompileError> {
    if rank > MAX_RANK {
        return Err(CompileError::Limit(format!(
            "{what} has rank {rank}; kernels handle at most {MAX_RANK}"
        )));
    }
    Ok(())
}
