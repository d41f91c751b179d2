//! Tensors larger than one storage binding (up to two bindings' worth) are bound in two parts:
//! the binding keeps the first part, and the rest is appended as a new binding that the template
//! reads through `templates/macros/storage.wgsl`.

use onnx2wgsl_runtime::plan::Region;
use serde::Serialize;

use super::Kernel;
use crate::target::Target;
use crate::CompileError;

#[derive(Serialize)]
struct Split {
    /// The tensor's own WGSL binding, which holds the first part.
    binding: u32,
    /// The binding of the second part.
    hi: u32,
}

pub fn split_large_bindings(
    kernel: &mut Kernel,
    label: &str,
    target: &Target,
) -> Result<(), CompileError> {
    let limit = target.limits.max_storage_buffer_binding_size;
    let mut splits = Vec::new();
    for j in 0..kernel.bindings.len() {
        let region = kernel.bindings[j];
        if region.size <= limit {
            continue;
        }
        let binding = j as u32 + 1;
        if !kernel.splittable.contains(&binding) || region.size > 2 * limit {
            return Err(CompileError::Limit(format!(
                "{label}: binding {binding} holds {} bytes, more than one storage binding ({limit} bytes), \
                 and the {} kernel cannot split it",
                region.size, kernel.template
            )));
        }
        // `limit` is a multiple of 256, so the second part stays aligned.
        kernel.bindings[j].size = limit;
        kernel.bindings.push(Region {
            buffer: region.buffer,
            offset: region.offset + limit,
            size: region.size - limit,
        });
        splits.push(Split {
            binding,
            hi: kernel.bindings.len() as u32,
        });
    }
    kernel.context.insert("splits", &splits);
    Ok(())
}
