//! Internal consistency of a plan. Everything wgpu would reject with a panic or a validation error
//! (an index out of range, a binding outside its buffer, a misaligned offset, a grid over the limit)
//! is checked here first, so that a bad plan is an [`Error`] naming the culprit. So is what would
//! run but compute nothing (an empty grid, bytes read before anything writes them), and file names
//! that would lead a host outside the bundle.
//!
//! This is the one validation every host shares: `onnx2wgsl run` and `inspect`, and the browser
//! package, all go through [`Plan::validate`] before they read any other file of a bundle.

use std::collections::HashSet;

use crate::plan::{Dispatch, Io, Plan, Region, FORMAT_VERSION};
use crate::written::Written;
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
            check_file_name("shader", &shader.file)?;
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
            check_writes(&what, dispatch)?;
            let max = self.limits.max_compute_workgroups_per_dimension;
            if dispatch.workgroups.contains(&0) {
                return Err(bad(format!(
                    "{what}: workgroups {:?} include 0, so the dispatch would do nothing",
                    dispatch.workgroups
                )));
            }
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
        self.validate_data_flow()
    }

    /// Every byte a dispatch reads was written before: by an earlier dispatch, as an input, or as
    /// weights; and every output is written by a dispatch (the compiler copies an output whose
    /// bytes live in an input or weights). Runs after the regions are known to be in bounds.
    fn validate_data_flow(&self) -> Result<(), Error> {
        let mut computed = Written::default();
        let mut written = Written::default();
        for io in &self.inputs {
            written.add_region(&io.region);
        }
        for (i, buffer) in self.buffers.iter().enumerate() {
            if buffer.shard.is_some() {
                written.add(i as u32, 0, buffer.size);
            }
        }
        for (i, dispatch) in self.dispatches.iter().enumerate() {
            for (b, region) in dispatch.bindings.iter().enumerate() {
                if !dispatch.writes.contains(&(b as u32)) && !written.covers(region) {
                    let what = format!("dispatch {i} ({}), binding {}", dispatch.label, b + 1);
                    return Err(unwritten(what, region));
                }
            }
            for &b in &dispatch.writes {
                written.add_region(&dispatch.bindings[b as usize]);
                computed.add_region(&dispatch.bindings[b as usize]);
            }
        }
        for io in &self.outputs {
            // An empty tensor's placeholder region holds nothing to read back.
            if io.shape.contains(&0) {
                continue;
            }
            if !computed.covers(&io.region) {
                let r = io.region;
                return Err(Error::OutputNotWritten {
                    name: io.name.clone(),
                    buffer: r.buffer,
                    offset: r.offset,
                    size: r.size,
                });
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
            check_file_name("shard", &shard.file)?;
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
            // An empty tensor still gets the smallest region a binding can have, however large
            // its other dimensions (the product would overflow before it met the zero).
            let bytes = match io.shape.contains(&0) {
                true => Some(4),
                false => (io.shape.iter())
                    .try_fold(io.dtype.device_size(), |n, &d| n.checked_mul(d as u64))
                    .map(|n| n.max(4)),
            };
            if bytes != Some(io.region.size) {
                let needs = bytes.map_or("more than 2^64".to_owned(), |n| n.to_string());
                return Err(bad(format!(
                    "{what}: shape {:?} needs {needs} bytes, its region has {}",
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

/// The positions a dispatch writes name its bindings, once each.
fn check_writes(what: &str, dispatch: &Dispatch) -> Result<(), Error> {
    let mut seen = HashSet::new();
    for &b in &dispatch.writes {
        if b as usize >= dispatch.bindings.len() || !seen.insert(b) {
            return Err(bad(format!(
                "{what}: writes {:?} must name distinct bindings among its {}",
                dispatch.writes,
                dispatch.bindings.len()
            )));
        }
    }
    Ok(())
}

/// A bundle's files are named by plain file names, checked before any is read, so that a plan
/// cannot make a host read (or hash) a file outside the bundle.
fn check_file_name(kind: &'static str, file: &str) -> Result<(), Error> {
    let plain = !file.is_empty()
        && !file.starts_with('.')
        && !file.contains("..")
        && !file.contains(['/', '\\', ':'])
        && !file.chars().any(char::is_control);
    if !plain {
        return Err(Error::BadFileName {
            kind,
            file: file.to_owned(),
        });
    }
    Ok(())
}

fn unwritten(what: String, region: &Region) -> Error {
    Error::Unwritten {
        what,
        buffer: region.buffer,
        offset: region.offset,
        size: region.size,
    }
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
