//! Bad bundles and bad inputs are errors that name the culprit, never panics or wrong results.

mod common;

use common::{gpu, inputs, run, Bundle};
use onnx2wgsl_runtime::plan::{DType, Region};
use onnx2wgsl_runtime::{request_device, Error, HostTensor};

#[test]
fn a_tampered_shader_is_rejected() {
    let mut bundle = Bundle::new();
    let source = bundle.shaders.get_mut("mul.wgsl").unwrap();
    *source = source.replace("a[id.x] * b[id.x]", "a[id.x] + b[id.x]");
    match bundle.session() {
        Err(Error::HashMismatch { file, expected, .. }) => {
            assert_eq!(file, "mul.wgsl");
            assert_eq!(expected, bundle.plan.shaders[1].sha256);
        }
        other => panic!("expected a hash mismatch, got {:?}", other.err()),
    }
}

#[test]
fn a_missing_shader_is_named() {
    let mut bundle = Bundle::new();
    bundle.shaders.remove("mul.wgsl");
    assert!(matches!(bundle.session(), Err(Error::MissingFile(f)) if f == "mul.wgsl"));
}

#[test]
fn a_tampered_or_truncated_shard_is_rejected_and_running_without_it_fails() {
    let bundle = Bundle::new();
    let mut session = bundle.session().unwrap();
    let mut tampered = bundle.shard.clone();
    tampered[0] ^= 1;
    let err = pollster::block_on(session.load_shard(0, &tampered)).unwrap_err();
    assert!(
        matches!(&err, Error::HashMismatch { file, .. } if file == "w.bin"),
        "{err}"
    );
    let err = pollster::block_on(session.load_shard(0, &bundle.shard[..12])).unwrap_err();
    assert!(
        matches!(
            err,
            Error::ShardSize {
                expected: 16,
                actual: 12,
                ..
            }
        ),
        "{err}"
    );
    let err = pollster::block_on(session.load_shard(1, &bundle.shard)).unwrap_err();
    assert!(
        matches!(
            err,
            Error::IndexOutOfRange {
                kind: "shard",
                index: 1,
                ..
            }
        ),
        "{err}"
    );

    assert_eq!(session.missing_shards(), [0]);
    let err = run(&session, &inputs([0.0; 4], [0; 3])).unwrap_err();
    assert!(
        matches!(&err, Error::ShardsMissing(files) if files == &["w.bin"]),
        "{err}"
    );
}

#[test]
fn inputs_are_checked_against_the_plan() {
    let session = Bundle::new().loaded_session();
    let ok = inputs([0.0; 4], [0; 3]);

    let mut wrong_shape = ok.clone();
    wrong_shape[0].1 = HostTensor::f32([4], vec![0.0; 4]);
    match run(&session, &wrong_shape) {
        Err(Error::InputShape {
            name,
            expected,
            found,
        }) => assert_eq!((name.as_str(), expected, found), ("x", vec![2, 2], vec![4])),
        other => panic!("expected a shape error, got {other:?}"),
    }

    let mut unknown = ok.clone();
    unknown.push(("z", HostTensor::f32([1], vec![0.0])));
    assert!(matches!(run(&session, &unknown), Err(Error::UnknownInput(n)) if n == "z"));

    assert!(matches!(run(&session, &ok[..1]), Err(Error::MissingInput(n)) if n == "ids"));

    let mut twice = ok.clone();
    twice.push(ok[0].clone());
    assert!(matches!(run(&session, &twice), Err(Error::DuplicateInput(n)) if n == "x"));

    let mut wrong_dtype = ok.clone();
    wrong_dtype[1].1 = HostTensor::i32([3], vec![0; 3]);
    assert!(matches!(
        run(&session, &wrong_dtype),
        Err(Error::InputDtype {
            expected: DType::I64,
            found: DType::I32,
            ..
        })
    ));

    let mut short = ok.clone();
    short[0].1 = HostTensor::f32([2, 2], vec![0.0; 3]);
    assert!(matches!(
        run(&session, &short),
        Err(Error::InputLength {
            expected: 4,
            found: 3,
            ..
        })
    ));

    let too_big = inputs([0.0; 4], [0, 1 << 40, 0]);
    match run(&session, &too_big) {
        Err(Error::Int64OutOfRange { name, value }) => {
            assert_eq!((name.as_str(), value), ("ids", 1 << 40))
        }
        other => panic!("expected an int64 range error, got {other:?}"),
    }

    // After all that, the session still works.
    run(&session, &ok).unwrap();
}

#[test]
fn a_shader_that_does_not_compile_is_an_error_not_a_panic() {
    let mut bundle = Bundle::new();
    let broken = "@compute @workgroup_size(1) fn main() { let x: u32 = 1.5; }".to_owned();
    bundle.plan.shaders[1].sha256 = onnx2wgsl_runtime::sha256_hex(broken.as_bytes());
    bundle.shaders.insert("mul.wgsl".to_owned(), broken);
    match bundle.session() {
        Err(Error::Shader { file, message }) => {
            assert_eq!(file, "mul.wgsl");
            eprintln!("{message}");
        }
        other => panic!("expected a shader error, got {:?}", other.err()),
    }
}

#[test]
fn bindings_that_do_not_match_the_shader_are_an_error_not_a_panic() {
    let mut bundle = Bundle::new();
    // add_one_i32.wgsl declares no uniform block, but params make the runtime bind one.
    bundle.plan.dispatches[2].params = vec![3];
    match bundle.session() {
        Err(Error::Gpu { message, .. }) => eprintln!("{message}"),
        other => panic!("expected a GPU validation error, got {:?}", other.err()),
    }
}

#[test]
fn a_limit_the_device_lacks_is_named() {
    let mut plan = Bundle::new().plan;
    plan.limits.max_compute_workgroups_per_dimension = u32::MAX;
    match pollster::block_on(request_device(&plan)) {
        Err(Error::Limit { name, needed, .. }) => assert_eq!(
            (name, needed),
            ("max_compute_workgroups_per_dimension", u32::MAX.into())
        ),
        other => panic!("expected a limit error, got {:?}", other.err()),
    }
}

#[test]
fn features_are_checked() {
    let mut plan = Bundle::new().plan;
    plan.features = vec!["no-such-feature".to_owned()];
    assert!(matches!(
        pollster::block_on(request_device(&plan)),
        Err(Error::UnknownFeature(f)) if f == "no-such-feature"
    ));
    // A feature the device was not created with, on a device the host brought.
    let gpu = gpu(&Bundle::new().plan);
    let bundle = Bundle::new();
    let mut plan = bundle.plan.clone();
    plan.features = vec!["shader-f16".to_owned()];
    let shaders = |file: &str| bundle.shaders.get(file).cloned();
    let session = pollster::block_on(onnx2wgsl_runtime::Session::new(&gpu, plan, shaders));
    assert!(matches!(session, Err(Error::MissingFeature(f)) if f == "shader-f16"));
}

#[test]
fn experimental_features_other_than_cooperative_matrices_are_refused() {
    let mut plan = Bundle::new().plan;
    plan.features = vec!["wgpu-ray-query".to_owned()];
    assert!(matches!(
        pollster::block_on(request_device(&plan)),
        Err(Error::ExperimentalFeature(f)) if f == "wgpu-ray-query"
    ));
}

#[test]
fn a_cooperative_matrix_plan_names_what_the_adapter_lacks() {
    let mut plan = Bundle::new().plan;
    plan.features = ["shader-f16", "subgroups", "wgpu-cooperative-matrix"]
        .map(str::to_owned)
        .to_vec();
    match pollster::block_on(request_device(&plan)) {
        // lavapipe has f16 and subgroups, not cooperative matrices.
        Err(Error::MissingFeature(f)) => assert!(plan.features.contains(&f), "{f}"),
        // An adapter with cooperative matrices, but not the shape or subgroup size required.
        Err(Error::CooperativeMatrix(what)) => eprintln!("{what}"),
        // One with all of it (an NVIDIA GPU through Vulkan).
        Ok(_) => {}
        Err(other) => panic!("expected a named feature, got {other}"),
    }
}

#[test]
fn a_plan_region_out_of_its_buffer_is_caught_before_the_gpu() {
    let mut bundle = Bundle::new();
    bundle.plan.dispatches[1].bindings[2] = Region {
        buffer: 0,
        offset: 1280,
        size: 16,
    };
    assert!(matches!(
        bundle.session(),
        Err(Error::RegionOutOfBounds {
            buffer: 0,
            offset: 1280,
            ..
        })
    ));
}

#[test]
fn reading_and_writing_one_buffer_in_a_dispatch_is_a_gpu_error() {
    // WebGPU's usage rule: within one dispatch a buffer is either only read or only bound
    // read_write. Here `t` is written into the input buffer, which the dispatch also reads.
    let mut bundle = Bundle::new();
    let t = Region {
        buffer: 0,
        offset: 256,
        size: 16,
    };
    bundle.plan.dispatches[0].bindings[1] = t;
    bundle.plan.dispatches[1].bindings[0] = t;
    let session = bundle.loaded_session();
    match run(&session, &inputs([0.0; 4], [0; 3])) {
        Err(Error::Gpu { message, .. }) => {
            assert!(message.contains("conflicting usages"), "{message}")
        }
        other => panic!("expected a usage conflict, got {other:?}"),
    }
}
