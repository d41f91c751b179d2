//! The plan bundle format. The runtime owns it so that every host depends only on this small crate;
//! the compiler writes it.
//!
//! A bundle is a directory (or any set of named byte blobs a host can hand over):
//! - `plan.json`: a [`Plan`];
//! - the `.wgsl` files named by [`Plan::shaders`];
//! - the weight shards named by [`Plan::shards`].
//!
//! Shader binding convention: `@group(0) @binding(0)` is a uniform block holding the dispatch's
//! `params` (present only when `params` is not empty); `@binding(1)`, `@binding(2)`, … are storage
//! buffers, in the order of [`Dispatch::bindings`]. Every shader's entry point is `main`.
//!
//! Shader and shard names are plain file names (no folders, no leading `.`): a host resolves them
//! inside the bundle and nowhere else.

use serde::{Deserialize, Serialize};

/// Bumped on any change a reader of an older version would misread.
pub const FORMAT_VERSION: u32 = 1;

/// Name of the plan file inside a bundle.
pub const PLAN_FILE: &str = "plan.json";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub format_version: u32,
    /// Device limits the plan was compiled against; the adapter must offer at least these.
    pub limits: Limits,
    /// WebGPU feature names the shaders need (for example `shader-f16`).
    pub features: Vec<String>,
    pub inputs: Vec<Io>,
    pub outputs: Vec<Io>,
    /// Every GPU buffer the plan uses; each becomes one `wgpu::Buffer`.
    pub buffers: Vec<Buffer>,
    /// Weight files; each fills exactly one buffer.
    pub shards: Vec<Shard>,
    pub shaders: Vec<Shader>,
    /// Recorded in this order into one compute pass per run.
    pub dispatches: Vec<Dispatch>,
}

/// The subset of WebGPU limits that a plan depends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    pub max_storage_buffer_binding_size: u64,
    pub max_buffer_size: u64,
    pub max_storage_buffers_per_shader_stage: u32,
    pub max_compute_workgroup_storage_size: u32,
    pub max_compute_invocations_per_workgroup: u32,
    pub max_compute_workgroup_size_x: u32,
    pub max_compute_workgroups_per_dimension: u32,
}

impl Limits {
    /// What every WebGPU implementation must offer (the spec's default limits).
    pub const WEBGPU_DEFAULT: Limits = Limits {
        max_storage_buffer_binding_size: 128 << 20,
        max_buffer_size: 256 << 20,
        max_storage_buffers_per_shader_stage: 8,
        max_compute_workgroup_storage_size: 16 << 10,
        max_compute_invocations_per_workgroup: 256,
        max_compute_workgroup_size_x: 256,
        max_compute_workgroups_per_dimension: 65_535,
    };
}

/// Element type as the host sees it. `I64` tensors live on the device as `i32`: the runtime narrows
/// inputs (rejecting values out of range) and widens outputs. `Bool` tensors live on the device as
/// `u32` 0 or 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DType {
    F32,
    I32,
    I64,
    Bool,
}

impl DType {
    /// Bytes per element on the device.
    pub fn device_size(self) -> u64 {
        4
    }
}

/// A graph input or output: where it lives and what the host must pass or will receive.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Io {
    pub name: String,
    pub dtype: DType,
    pub shape: Vec<usize>,
    pub region: Region,
}

/// A byte range of one buffer. Offsets are multiples of 256 (WebGPU's storage offset alignment).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    pub buffer: u32,
    pub offset: u64,
    pub size: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Buffer {
    pub size: u64,
    /// The shard whose bytes fill this buffer; `None` for activations.
    pub shard: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub file: String,
    pub size: u64,
    /// Lower-case hex SHA-256 of the file.
    pub sha256: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shader {
    pub file: String,
    /// Lower-case hex SHA-256 of the WGSL source.
    pub sha256: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dispatch {
    pub shader: u32,
    /// The ONNX node names this dispatch computes, for error messages and profiles.
    pub label: String,
    pub bindings: Vec<Region>,
    /// Positions in `bindings` of the storage buffers the shader writes (`read_write`); the others
    /// are only read. Lets [`Plan::validate`] check that every byte read was written first.
    pub writes: Vec<u32>,
    /// Raw 32-bit words of the shader's uniform block (u32, or i32/f32 bit patterns).
    pub params: Vec<u32>,
    pub workgroups: [u32; 3],
}

impl Plan {
    pub fn from_json(bytes: &[u8]) -> Result<Plan, crate::Error> {
        let plan: Plan =
            serde_json::from_slice(bytes).map_err(|e| crate::Error::BadPlan(e.to_string()))?;
        if plan.format_version != FORMAT_VERSION {
            return Err(crate::Error::Version {
                found: plan.format_version,
                expected: FORMAT_VERSION,
            });
        }
        Ok(plan)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a plan always serializes")
    }
}
