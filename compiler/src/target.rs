//! The device a plan is compiled for: its limits decide shard sizes, dispatch grids and what must
//! be split.

use onnx2wgsl_runtime::plan::Limits;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target {
    pub limits: Limits,
}

impl Default for Target {
    /// WebGPU's default limits: a plan built for them runs in any browser.
    fn default() -> Target {
        Target {
            limits: Limits::WEBGPU_DEFAULT,
        }
    }
}

impl Target {
    /// Native GPUs through Vulkan, Metal or DX12: larger bindings and buffers. The plan records
    /// these as required, so a device without them is refused at load time.
    pub fn native() -> Target {
        Target {
            limits: Limits {
                max_storage_buffer_binding_size: 1 << 30,
                max_buffer_size: 1 << 30,
                ..Limits::WEBGPU_DEFAULT
            },
        }
    }

    /// Workgroup size of the one-invocation-per-element kernels.
    pub fn workgroup(&self) -> u32 {
        self.limits.max_compute_invocations_per_workgroup.min(256)
    }
}
