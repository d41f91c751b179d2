//! A small plan written by hand, standing in for the compiler's output:
//!
//! ```text
//! t   = x + 1        add_one_f32.wgsl  (params {n}, read x, read_write t)
//! y   = t * w        mul.wgsl          (params {n}, read t, read w, read_write y); w is a weight shard
//! out = ids + 1      add_one_i32.wgsl  (no params: the length comes from arrayLength)
//! ```
//!
//! `ids` is an int64 input, narrowed to i32 on the device; `out` is widened back.

#![allow(dead_code)] // Each test file uses its own part of this module.

use std::collections::HashMap;

use onnx2wgsl_runtime::plan::{
    Buffer, DType, Dispatch, Io, Limits, Plan, Region, Shader, Shard, FORMAT_VERSION,
};
use onnx2wgsl_runtime::{request_device, sha256_hex, Error, Gpu, HostTensor, Session};

const ADD_ONE_F32: &str = "
struct Params { n: u32 }
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x < params.n { y[id.x] = x[id.x] + 1.0; }
}
";

const MUL: &str = "
struct Params { n: u32 }
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x < params.n { y[id.x] = a[id.x] * b[id.x]; }
}
";

const ADD_ONE_I32: &str = "
@group(0) @binding(1) var<storage, read> x: array<i32>;
@group(0) @binding(2) var<storage, read_write> y: array<i32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x < arrayLength(&y) { y[id.x] = x[id.x] + 1; }
}
";

pub const WEIGHTS: [f32; 4] = [10.0, 20.0, 30.0, 40.0];

/// A plan, its shader sources by file name, and its one weight shard.
pub struct Bundle {
    pub plan: Plan,
    pub shaders: HashMap<String, String>,
    pub shard: Vec<u8>,
}

impl Bundle {
    pub fn new() -> Bundle {
        let shaders: HashMap<String, String> = [
            ("add_one_f32.wgsl", ADD_ONE_F32),
            ("mul.wgsl", MUL),
            ("add_one_i32.wgsl", ADD_ONE_I32),
        ]
        .into_iter()
        .map(|(file, source)| (file.to_owned(), source.to_owned()))
        .collect();
        let shard: Vec<u8> = WEIGHTS.iter().flat_map(|w| w.to_le_bytes()).collect();
        let region = |buffer, offset, size| Region {
            buffer,
            offset,
            size,
        };
        // WebGPU forbids binding one buffer both read-only and read_write in a dispatch, so
        // inputs, intermediates and outputs live in separate buffers.
        let (x, ids) = (region(0, 0, 16), region(0, 256, 12));
        let t = region(1, 0, 16);
        let (y, out) = (region(2, 0, 16), region(2, 256, 12));
        let w = region(3, 0, 16);
        let shader = |file: &str| Shader {
            file: file.to_owned(),
            sha256: sha256_hex(shaders[file].as_bytes()),
        };
        // Each shader writes its last binding.
        let dispatch = |shader, label: &str, bindings: Vec<Region>, params| Dispatch {
            shader,
            label: label.to_owned(),
            writes: vec![bindings.len() as u32 - 1],
            bindings,
            params,
            workgroups: [1, 1, 1],
        };
        let activations = |size| Buffer { size, shard: None };
        let io = |name: &str, dtype, shape: &[usize], region| Io {
            name: name.to_owned(),
            dtype,
            shape: shape.to_vec(),
            region,
        };
        let plan = Plan {
            format_version: FORMAT_VERSION,
            limits: Limits::WEBGPU_DEFAULT,
            features: vec![],
            inputs: vec![
                io("x", DType::F32, &[2, 2], x),
                io("ids", DType::I64, &[3], ids),
            ],
            outputs: vec![
                io("y", DType::F32, &[2, 2], y),
                io("out", DType::I64, &[3], out),
            ],
            buffers: vec![
                activations(512),
                activations(16),
                activations(512),
                Buffer {
                    size: 16,
                    shard: Some(0),
                },
            ],
            shards: vec![Shard {
                file: "w.bin".to_owned(),
                size: 16,
                sha256: sha256_hex(&shard),
            }],
            shaders: vec![
                shader("add_one_f32.wgsl"),
                shader("mul.wgsl"),
                shader("add_one_i32.wgsl"),
            ],
            dispatches: vec![
                dispatch(0, "Add_1", vec![x, t], vec![4]),
                dispatch(1, "Mul_2", vec![t, w, y], vec![4]),
                dispatch(2, "Add_3", vec![ids, out], vec![]),
            ],
        };
        Bundle {
            plan,
            shaders,
            shard,
        }
    }

    /// A session with its shard not loaded yet.
    pub fn session(&self) -> Result<Session, Error> {
        let gpu = gpu(&self.plan);
        let shaders = |file: &str| self.shaders.get(file).cloned();
        pollster::block_on(Session::new(&gpu, self.plan.clone(), shaders))
    }

    /// A session ready to run.
    pub fn loaded_session(&self) -> Session {
        let mut session = self.session().expect("session");
        pollster::block_on(session.load_shard(0, &self.shard)).expect("shard");
        session
    }
}

pub fn gpu(plan: &Plan) -> Gpu {
    match pollster::block_on(request_device(plan)) {
        Ok(gpu) => gpu,
        Err(e) => panic!(
            "these tests run on a real wgpu device; on Linux without a GPU install Mesa's \
             lavapipe (apt-get install mesa-vulkan-drivers libvulkan1): {e}"
        ),
    }
}

pub fn inputs(x: [f32; 4], ids: [i64; 3]) -> Vec<(&'static str, HostTensor)> {
    vec![
        ("x", HostTensor::f32([2, 2], x.to_vec())),
        ("ids", HostTensor::i64([3], ids.to_vec())),
    ]
}

pub fn run(
    session: &Session,
    inputs: &[(&str, HostTensor)],
) -> Result<Vec<(String, HostTensor)>, Error> {
    pollster::block_on(session.run(inputs))
}
