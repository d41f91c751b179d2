//! The device a plan is compiled for: its limits decide shard sizes, dispatch grids and what must
//! be split; its precision, how float tensors are stored.

use onnx2wgsl_opset18::DataType;
use onnx2wgsl_runtime::plan::{Buffer, Dispatch, Limits};

/// wgpu's name for its cooperative-matrix feature.
const COOPERATIVE_MATRIX: &str = "wgpu-cooperative-matrix";
/// The workgroup memory cooperative-matrix plans ask for.
pub const COOPERATIVE_WORKGROUP_BYTES: u32 = 32 << 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target {
    pub limits: Limits,
    pub precision: Precision,
    /// Convolutions multiply on cooperative matrices (tensor cores): 16×16×16 f16 products
    /// summed in f32, through wgpu's experimental native-only feature. Only with f16 storage.
    pub cooperative_matrix: bool,
}

/// How float tensors are stored on the device. Kernels compute in f32 either way: with `F16`,
/// weights and activations are read as f16 and widened, and results are rounded to f16 when
/// stored, while sums, normalization statistics and softmax stay in f32 registers. Plan inputs
/// and outputs stay f32, converted on the way in and out, so an f16 plan takes and gives what
/// the f32 plan of the same model does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Precision {
    #[default]
    F32,
    F16,
}

impl Default for Target {
    /// WebGPU's default limits: a plan built for them runs in any browser.
    fn default() -> Target {
        Target {
            limits: Limits::WEBGPU_DEFAULT,
            precision: Precision::F32,
            cooperative_matrix: false,
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
            precision: Precision::F32,
            cooperative_matrix: false,
        }
    }

    pub fn with_precision(self, precision: Precision) -> Target {
        Target { precision, ..self }
    }

    /// f16 storage with convolutions on cooperative matrices. Their kernels use up to 24 KiB of
    /// workgroup memory, more than WebGPU's default 16 KiB: the plan asks for 32 KiB, which
    /// the GPUs that have cooperative matrices offer.
    pub fn with_cooperative_matrix(self) -> Target {
        let mut limits = self.limits;
        limits.max_compute_workgroup_storage_size = limits
            .max_compute_workgroup_storage_size
            .max(COOPERATIVE_WORKGROUP_BYTES);
        Target {
            limits,
            precision: Precision::F16,
            cooperative_matrix: true,
        }
    }

    /// WebGPU (and wgpu) features the plan's shaders need, by their kebab-case names.
    pub fn features(&self) -> Vec<String> {
        let mut features = Vec::new();
        if self.precision == Precision::F16 {
            features.push("shader-f16");
        }
        if self.cooperative_matrix {
            features.extend(["subgroups", COOPERATIVE_MATRIX]);
        }
        features.into_iter().map(str::to_owned).collect()
    }

    /// The WGSL type a tensor of `dtype` is stored as: int64 lives on the device as i32, bool as
    /// u32 0 or 1, and float as the precision says.
    pub fn storage(&self, dtype: DataType) -> &'static str {
        match (dtype, self.precision) {
            (DataType::Float, Precision::F32) => "f32",
            (DataType::Float, Precision::F16) => "f16",
            (DataType::Int32 | DataType::Int64, _) => "i32",
            (DataType::Bool, _) => "u32",
        }
    }

    /// The WGSL type kernels that only move or select elements (copies, Concat, Pad, Gather,
    /// Where, nearest Resize) store them as: 32-bit elements as u32 bits whatever they hold, f16
    /// as f16 (read as f32 and rounded back, which is exact).
    pub fn copy_type(&self, dtype: DataType) -> &'static str {
        match self.storage(dtype) {
            "f16" => "f16",
            _ => "u32",
        }
    }

    /// Whether a float tensor's device form differs from the f32 the host passes and receives.
    pub fn converts(&self, dtype: DataType) -> bool {
        dtype == DataType::Float && self.precision == Precision::F16
    }

    /// The limits a plan compiled for this target actually uses, which its `limits` record: a
    /// small model built for a large target still runs on a small device. Sizes are rounded up
    /// to a power of two; nothing is below WebGPU's defaults or above the target's.
    pub fn required(&self, buffers: &[Buffer], dispatches: &[Dispatch]) -> Limits {
        let (floor, ceiling) = (Limits::WEBGPU_DEFAULT, self.limits);
        let bytes = |used: u64, floor: u64, ceiling: u64| {
            used.checked_next_power_of_two()
                .unwrap_or(u64::MAX)
                .clamp(floor, ceiling.max(floor))
        };
        let count = |used: u32, floor: u32, ceiling: u32| used.clamp(floor, ceiling.max(floor));
        let bindings = dispatches.iter().flat_map(|d| &d.bindings);
        let largest_binding = bindings.map(|r| r.size).max().unwrap_or(0);
        let largest_buffer = buffers.iter().map(|b| b.size).max().unwrap_or(0);
        let most_bindings = dispatches
            .iter()
            .map(|d| d.bindings.len())
            .max()
            .unwrap_or(0);
        let widest_grid = (dispatches.iter().flat_map(|d| d.workgroups))
            .max()
            .unwrap_or(0);
        Limits {
            max_storage_buffer_binding_size: bytes(
                largest_binding,
                floor.max_storage_buffer_binding_size,
                ceiling.max_storage_buffer_binding_size,
            ),
            max_buffer_size: bytes(
                largest_buffer,
                floor.max_buffer_size,
                ceiling.max_buffer_size,
            ),
            max_storage_buffers_per_shader_stage: count(
                most_bindings as u32,
                floor.max_storage_buffers_per_shader_stage,
                ceiling.max_storage_buffers_per_shader_stage,
            ),
            max_compute_workgroups_per_dimension: count(
                widest_grid,
                floor.max_compute_workgroups_per_dimension,
                ceiling.max_compute_workgroups_per_dimension,
            ),
            // What the shaders were generated for (workgroup sizes, shared memory).
            ..ceiling
        }
    }

    /// Workgroup size of the one-invocation-per-element kernels.
    pub fn workgroup(&self) -> u32 {
        self.limits.max_compute_invocations_per_workgroup.min(256)
    }
}

#[cfg(test)]
mod tests {
    use onnx2wgsl_runtime::plan::Region;

    use super::*;

    fn dispatch(size: u64, workgroups: [u32; 3]) -> Dispatch {
        Dispatch {
            shader: 0,
            label: String::new(),
            bindings: vec![Region {
                buffer: 0,
                offset: 0,
                size,
            }],
            writes: vec![0],
            params: vec![],
            workgroups,
        }
    }

    #[test]
    fn a_plan_requires_what_it_uses_within_the_defaults_and_the_target() {
        let native = Target::native();
        let small = [Buffer {
            size: 1 << 20,
            shard: None,
        }];
        let needed = native.required(&small, &[dispatch(1 << 20, [4, 1, 1])]);
        assert_eq!(needed, Limits::WEBGPU_DEFAULT);
        let big = [Buffer {
            size: 700 << 20,
            shard: None,
        }];
        let needed = native.required(&big, &[dispatch(300 << 20, [4, 1, 1])]);
        assert_eq!(needed.max_storage_buffer_binding_size, 512 << 20);
        assert_eq!(needed.max_buffer_size, 1 << 30);
    }
}
