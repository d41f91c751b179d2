//! Bad input is a clear error naming what is wrong, never a panic.

use std::collections::HashMap;

use onnx2wgsl::CompileError;
use onnx2wgsl_runtime::HostTensor;
use onnx2wgsl_tests::{build, fixtures};

fn build_error(path: &str, dims: &[(&str, usize)]) -> (CompileError, String) {
    let dims: HashMap<String, usize> = dims.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    match build(&fixtures().join(path), dims) {
        Ok(_) => panic!("{path} built but must fail"),
        Err(e) => {
            let message = e.to_string();
            println!("{path}: {message}");
            (e, message)
        }
    }
}

#[test]
fn unsupported_ops_are_reported_all_at_once() {
    let (error, message) = build_error("errors/unsupported_op.onnx", &[]);
    let CompileError::Unsupported(nodes) = error else {
        panic!("wrong error: {message}")
    };
    let names: Vec<&str> = nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["erf_0", "hardmax_0", "erf_1"], "in graph order");
    assert!(
        message.contains("Erf ×2") && message.contains("Hardmax ×1"),
        "{message}"
    );
}

#[test]
fn unbound_dimension_names_input_and_dimension() {
    let (error, message) = build_error("dynamic_batch/model.onnx", &[]);
    assert!(
        matches!(error, CompileError::UnboundDim { .. }),
        "{message}"
    );
    assert!(
        message.contains("\"x\"") && message.contains("--dim B=N"),
        "{message}"
    );
}

#[test]
fn truncated_model_is_a_decode_error() {
    let (error, message) = build_error("errors/truncated.onnx", &[]);
    assert!(matches!(error, CompileError::Decode { .. }), "{message}");
    assert!(message.contains("truncated.onnx"), "{message}");
}

#[test]
fn newer_opset_is_refused() {
    let (error, message) = build_error("errors/opset_19.onnx", &[]);
    assert!(
        matches!(error, CompileError::Opset { version: 19, .. }),
        "{message}"
    );
}

#[test]
fn missing_file_is_an_io_error() {
    let (error, _) = build_error("errors/no_such_model.onnx", &[]);
    assert!(matches!(error, CompileError::Io { .. }));
}

#[test]
fn wrong_input_shape_is_refused_at_run_time() {
    let dir = fixtures().join("tiny_cnn");
    let bundle = build(&dir.join("model.onnx"), HashMap::new()).unwrap();
    let out = tempfile::tempdir().unwrap();
    bundle.write(out.path()).unwrap();
    let message = pollster::block_on(async {
        let session = onnx2wgsl::execute::load(out.path()).await.unwrap();
        let input = HostTensor::f32([1, 3, 8, 8], vec![0.0; 3 * 64]);
        session.run(&[("x", input)]).await.unwrap_err().to_string()
    });
    println!("{message}");
    assert!(
        message.contains("`x`") && message.contains("[1, 3, 16, 16]"),
        "{message}"
    );
}

#[test]
fn tampered_weights_are_refused_at_load_time() {
    let dir = fixtures().join("tiny_cnn");
    let bundle = build(&dir.join("model.onnx"), HashMap::new()).unwrap();
    let out = tempfile::tempdir().unwrap();
    bundle.write(out.path()).unwrap();
    let shard = out.path().join(&bundle.plan.shards[0].file);
    let mut bytes = std::fs::read(&shard).unwrap();
    bytes[0] ^= 1;
    std::fs::write(&shard, bytes).unwrap();
    let message = pollster::block_on(onnx2wgsl::execute::load(out.path()))
        .err()
        .unwrap()
        .to_string();
    println!("{message}");
    assert!(
        message.contains(&bundle.plan.shards[0].file) && message.contains("sha256"),
        "{message}"
    );
}

#[test]
fn unsupported_resize_modes_name_the_attribute_and_value() {
    let (error, message) = build_error("errors/resize_unsupported.onnx", &[]);
    let CompileError::Unsupported(nodes) = error else {
        panic!("wrong error: {message}")
    };
    let names: Vec<&str> = nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["cubic", "crop"]);
    assert!(
        nodes[0].reason.contains("`mode`") && nodes[0].reason.contains("\"cubic\""),
        "{message}"
    );
    assert!(
        nodes[1].reason.contains("`coordinate_transformation_mode`")
            && nodes[1].reason.contains("\"tf_crop_and_resize\""),
        "{message}"
    );
}

#[test]
fn unsupported_normalization_cases_say_why() {
    for (path, reason) in [
        ("norm_errors/batch_norm_training.onnx", "training mode"),
        ("norm_errors/layer_norm_mean_only.onnx", "both or neither"),
    ] {
        let (error, message) = build_error(path, &[]);
        let CompileError::Unsupported(nodes) = error else {
            panic!("wrong error: {message}")
        };
        assert!(nodes[0].reason.contains(reason), "{message}");
    }
}
