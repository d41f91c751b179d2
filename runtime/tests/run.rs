//! The runtime really runs a plan on a device (lavapipe in CI).

mod common;

use common::{gpu, inputs, run, Bundle, WEIGHTS};
use onnx2wgsl_runtime::plan::{DType, Region};
use onnx2wgsl_runtime::{device_limits, sha256_hex, wgpu, Gpu, HostTensor, Session};

#[test]
fn runs_a_plan_and_reruns_it_with_new_inputs() {
    let bundle = Bundle::new();
    let session = bundle.loaded_session();
    assert!(session.missing_shards().is_empty());

    for x in [[1.0, 2.0, 3.0, 4.0], [-1.0, 0.5, 0.0, 2.0]] {
        let ids = [0, -7, 41];
        let outputs = run(&session, &inputs(x, ids)).unwrap();
        let expected_y: Vec<f32> = x.iter().zip(WEIGHTS).map(|(x, w)| (x + 1.0) * w).collect();
        assert_eq!(
            outputs,
            vec![
                ("y".to_owned(), HostTensor::f32([2, 2], expected_y)),
                ("out".to_owned(), HostTensor::i64([3], vec![1, -6, 42])),
            ]
        );
    }
}

#[test]
fn int64_values_at_the_edges_of_i32_survive_the_round_trip() {
    let session = Bundle::new().loaded_session();
    let ids = [i32::MIN as i64, -1, i32::MAX as i64 - 1];
    let outputs = run(&session, &inputs([0.0; 4], ids)).unwrap();
    let out = outputs[1].1.as_i64().unwrap();
    assert_eq!(out, [i32::MIN as i64 + 1, 0, i32::MAX as i64]);
}

#[test]
fn a_host_can_bring_its_own_device() {
    let bundle = Bundle::new();
    let gpu = pollster::block_on(async {
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        let adapter = instance
            .request_adapter(&Default::default())
            .await
            .expect("an adapter (lavapipe in CI)");
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                required_limits: device_limits(&bundle.plan.limits),
                ..Default::default()
            })
            .await
            .unwrap();
        Gpu {
            device,
            queue,
            info: adapter.get_info(),
        }
    });
    let shaders = |file: &str| bundle.shaders.get(file).cloned();
    let mut session = pollster::block_on(Session::new(&gpu, bundle.plan.clone(), shaders)).unwrap();
    pollster::block_on(session.load_shard(0, &bundle.shard)).unwrap();
    let outputs = run(&session, &inputs([0.0; 4], [1, 2, 3])).unwrap();
    assert_eq!(outputs[0].1.as_f32().unwrap(), WEIGHTS);
}

#[test]
fn the_device_offers_the_plans_limits_not_the_adapters() {
    // So that a plan which runs here also runs on a device that offers only what it asks for.
    let gpu = gpu(&Bundle::new().plan);
    eprintln!("adapter: {} ({:?})", gpu.info.name, gpu.info.backend);
    let limits = gpu.device.limits();
    assert_eq!(limits.max_storage_buffers_per_shader_stage, 8);
    assert_eq!(limits.max_compute_invocations_per_workgroup, 256);
    assert_eq!(limits.max_storage_buffer_binding_size, 128 << 20);
}

#[test]
fn one_buffer_may_be_read_and_written_by_a_dispatch_whose_bindings_are_all_read_write() {
    let mut bundle = Bundle::new();
    let file = "add_one_f32.wgsl";
    let source = bundle.shaders[file].replace("<storage, read>", "<storage, read_write>");
    bundle.plan.shaders[0].sha256 = sha256_hex(source.as_bytes());
    bundle.shaders.insert(file.to_owned(), source);
    // `t` moves into the input buffer, beside `x`, which dispatch 0 reads.
    bundle.plan.buffers[0].size = 768;
    let t = Region {
        buffer: 0,
        offset: 512,
        size: 16,
    };
    bundle.plan.dispatches[0].bindings[1] = t;
    bundle.plan.dispatches[1].bindings[0] = t;
    let session = bundle.loaded_session();
    let outputs = run(&session, &inputs([1.0; 4], [0; 3])).unwrap();
    assert_eq!(outputs[0].1.as_f32().unwrap(), WEIGHTS.map(|w| 2.0 * w));
}

#[test]
fn bool_tensors_cross_the_boundary_as_u32_zero_or_one() {
    // Repurposes `ids -> out` as a negation, which is only right for words 0 and 1.
    let mut bundle = Bundle::new();
    let source = "
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read_write> y: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x < arrayLength(&y) { y[id.x] = 1u - x[id.x]; }
}
";
    bundle.plan.shaders[2].sha256 = sha256_hex(source.as_bytes());
    bundle
        .shaders
        .insert("add_one_i32.wgsl".to_owned(), source.to_owned());
    bundle.plan.inputs[1].dtype = DType::Bool;
    bundle.plan.outputs[1].dtype = DType::Bool;
    let session = bundle.loaded_session();
    let flags = HostTensor::bool([3], vec![true, false, true]);
    let inputs = [("x", HostTensor::f32([2, 2], vec![0.0; 4])), ("ids", flags)];
    let outputs = run(&session, &inputs).unwrap();
    assert_eq!(
        outputs[1].1,
        HostTensor::bool([3], vec![false, true, false])
    );
}
