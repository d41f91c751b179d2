//! Internal consistency of a plan. Everything wgpu would reject with a panic or a validation error
//! (an index out of range, a binding outside its buffer, a misaligned offset, a grid over the limit)
//! is checked here first, so that a bad plan is an [`Error`] naming the culprit.

use std::collections::HashSet;

use crate::plan::{Io, Plan, Region, FORMAT_VERSION};
use crate::Error;

/// WebGPU's `minStorageBufferOffsetAlignment` and `minUniformBufferOffsetAlignment` may be as large
/// as 256 on any device, so plans align every binding to it.
pub(crate) const BINDING_ALIGNMENT: u64 = 256;

/// The uniform binding size every device offers (wgpu's downlevel default; WebGPU's is larger).
pub(crate) const MAX_PARAMS_BYTES: u64 = 16 << 10;

impl Plan {
    /// Checks everything that does not need a device. [`crate::Session::new`] calls it.
    pub fn validate(&self) -> Result<(), Error> {
        if self.format_version != FORMAT_VERSION {
            return Err(Error::Version {
                found: self.format_version,
                expected: FORMAT_VERSION,
            });
        }
        self.validate_buffers()?;
        for shader in &self.shaders {
            check_hash_syntax(&shader.file, &shader.sha256)?;
        }
        self.validate_io(&self.inputs, "input")?;
        self.validate_io(&self.outputs, "output")?;
        if self.outputs.is_empty() {
            return Err(bad("the plan has no outputs".to_owned()));
        }
        for (i, dispatch) in self.dispatches.iter().enumerate() {
            let what = format!("dispatch {i} ({})", dispatch.label);
            check_index(&what, "shader", dispatch.shader, self.shaders.len())?;
            let limit = self.limits.max_storage_buffers_per_shader_stage;
            if dispatch.bindings.len() > limit as usize {
                return Err(Error::TooManyBindings {
                    what,
                    count: dispatch.bindings.len(),
                    limit,
                });
            }
            for (b, region) in dispatch.bindings.iter().enumerate() {
                let what = format!("{what}, binding {}", b + 1);
                self.check_region(&what, region)?;
                if region.size > self.limits.max_storage_buffer_binding_size {
                    return Err(bad(format!(
                        "{what}: {} bytes exceed max_storage_buffer_binding_size {}",
                        region.size, self.limits.max_storage_buffer_binding_size
                    )));
                }
            }
            let max = self.limits.max_compute_workgroups_per_dimension;
            if dispatch.workgroups.iter().any(|&n| n > max) {
                return Err(bad(format!(
                    "{what}: workgroups {:?} exceed max_compute_workgroups_per_dimension {max}",
                    dispatch.workgroups
                )));
            }
            if params_block_size(dispatch.params.len()) > MAX_PARAMS_BYTES {
                return Err(bad(format!(
                    "{what}: {} params words exceed the {MAX_PARAMS_BYTES}-byte uniform binding",
                    dispatch.params.len()
                )));
            }
        }
        Ok(())
    }

    fn validate_buffers(&self) -> Result<(), Error> {
        let mut filled = vec![false; self.shards.len()];
        for (i, buffer) in self.buffers.iter().enumerate() {
            if buffer.size == 0 || buffer.size % 4 != 0 || buffer.size > self.limits.max_buffer_size
            {
                return Err(bad(format!(
                    "buffer {i}: size {} is not a positive multiple of 4 within max_buffer_size {}",
                    buffer.size, self.limits.max_buffer_size
                )));
            }
            let Some(s) = buffer.shard else { continue };
            check_index(&format!("buffer {i}"), "shard", s, self.shards.len())?;
            let shard = &self.shards[s as usize];
            if shard.size != buffer.size {
                return Err(bad(format!(
                    "buffer {i}: {} bytes, but its shard `{}` has {}",
                    buffer.size, shard.file, shard.size
                )));
            }
            if std::mem::replace(&mut filled[s as usize], true) {
                return Err(bad(format!("shard `{}` fills two buffers", shard.file)));
            }
        }
        for (shard, filled) in self.shards.iter().zip(filled) {
            check_hash_syntax(&shard.file, &shard.sha256)?;
            if !filled {
                return Err(bad(format!("shard `{}` fills no buffer", shard.file)));
            }
        }
        Ok(())
    }

    fn validate_io(&self, ios: &[Io], kind: &str) -> Result<(), Error> {
        let mut names = HashSet::new();
        for io in ios {
            let what = format!("{kind} `{}`", io.name);
            if !names.insert(&io.name) {
                return Err(bad(format!("{what} is declared twice")));
            }
            self.check_region(&what, &io.region)?;
            // An empty tensor still gets the smallest region a binding can have.
            let bytes = (io.shape.iter().product::<usize>() as u64 * io.dtype.device_size()).max(4);
            if bytes != io.region.size {
                return Err(bad(format!(
                    "{what}: shape {:?} needs {bytes} bytes, its region has {}",
                    io.shape, io.region.size
                )));
            }
        }
        Ok(())
    }

    fn check_region(&self, what: &str, region: &Region) -> Result<(), Error> {
        check_index(what, "buffer", region.buffer, self.buffers.len())?;
        if !region.offset.is_multiple_of(BINDING_ALIGNMENT) {
            return Err(Error::MisalignedOffset {
                what: what.to_owned(),
                offset: region.offset,
            });
        }
        if region.size == 0 || !region.size.is_multiple_of(4) {
            return Err(bad(format!(
                "{what}: size {} is not a positive multiple of 4",
                region.size
            )));
        }
        let buffer_size = self.buffers[region.buffer as usize].size;
        if region
            .offset
            .checked_add(region.size)
            .is_none_or(|end| end > buffer_size)
        {
            return Err(Error::RegionOutOfBounds {
                what: what.to_owned(),
                buffer: region.buffer,
                offset: region.offset,
                size: region.size,
                buffer_size,
            });
        }
        Ok(())
    }
}

/// Bytes a dispatch's params take in the uniform buffer: WGSL sizes uniform structs in multiples
/// of 16, and the binding must be at least as large as the struct the shader declares.
pub(crate) fn params_block_size(words: usize) -> u64 {
    (words as u64 * 4).next_multiple_of(16)
}

fn check_index(what: &str, kind: &'static str, index: u32, count: usize) -> Result<(), Error> {
    if index as usize >= count {
        return Err(Error::IndexOutOfRange {
            what: what.to_owned(),
            kind,
            index,
            count,
        });
    }
    Ok(())
}

fn check_hash_syntax(file: &str, sha256: &str) -> Result<(), Error> {
    let hex = |c: char| c.is_ascii_digit() || ('a'..='f').contains(&c);
    if sha256.len() != 64 || !sha256.chars().all(hex) {
        return Err(bad(format!(
            "`{file}`: sha256 `{sha256}` is not 64 lower-case hex digits"
        )));
    }
    Ok(())
}

fn bad(message: String) -> Error {
    Error::BadPlan(message)
}
