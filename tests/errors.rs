//! Bad input is a clear error naming what is wrong, never a panic.

use std::collections::HashMap;

use onnx2wgsl::CompileError;
use onnx2wgsl_runtime::HostTensor;
use onnx2wgsl_tests::model::{int, Dim, Model};
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

// Cases found by fuzzing (issue 11): models written in code by `onnx2wgsl_tests::model`.

fn build_model_error(model: Model, dims: &[(&str, usize)]) -> (CompileError, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = model.write(dir.path(), "model.onnx");
    let dims = dims.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    match build(&path, dims) {
        Ok(_) => panic!("the model built but must fail"),
        Err(e) => {
            let message = e.to_string();
            println!("{message}");
            (e, message)
        }
    }
}

/// `x` → ConstantOfShape(`shape`) named `fill` → `y`, beside an unrelated Relu of `x`.
fn constant_of_shape(shape: &[i64]) -> Model {
    Model::default()
        .input("x", &[Dim::Size(2)])
        .int64s("shape", shape)
        .node("ConstantOfShape", "fill", &["shape"], &["y"])
        .output("y")
}

#[test]
fn a_constant_whose_size_overflows_names_the_node() {
    let (error, message) = build_model_error(constant_of_shape(&[1 << 31, 1 << 31]), &[]);
    assert!(
        matches!(&error, CompileError::Node { name, .. } if name == "fill"),
        "{message}"
    );
    assert!(message.contains("too many elements"), "{message}");
}

#[test]
fn a_constant_over_the_fold_budget_names_the_node_op_and_size() {
    let (error, message) = build_model_error(constant_of_shape(&[1 << 20, 1 << 14]), &[]);
    assert!(
        matches!(&error, CompileError::FoldBudget { name, op_type, bytes: 68_719_476_736 }
            if name == "fill" && op_type == "ConstantOfShape"),
        "{message}"
    );
    assert!(
        message.contains("64.0 GiB") && message.contains("64.0 MiB"),
        "{message}"
    );
}

#[test]
fn a_large_constant_read_only_through_shape_is_never_materialized() {
    // Shape of a 3.6 GB ConstantOfShape gives [1, 1] (30000 / 30000), the shape of `y`.
    let model = Model::default()
        .input("x", &[Dim::Size(1)])
        .int64s("shape", &[30_000, 30_000])
        .node("ConstantOfShape", "fill", &["shape"], &["big"])
        .node("Shape", "shape_of", &["big"], &["s"])
        .node("Div", "ones", &["s", "s"], &["target"])
        .node("Reshape", "reshape", &["x", "target"], &["r"])
        .node("Relu", "relu", &["r"], &["y"])
        .output("y");
    let dir = tempfile::tempdir().unwrap();
    let bundle = build(&model.write(dir.path(), "model.onnx"), HashMap::new()).unwrap();
    assert_eq!(bundle.plan.outputs[0].shape, [1, 1]);
}

#[test]
fn huge_pads_are_a_clear_error() {
    let big = (1 << 31) - 1;
    let model = |data_is_input: bool| {
        let model = Model::default().input("x", &[Dim::Size(1), Dim::Size(4)]);
        let model = if data_is_input {
            model
        } else {
            // A constant to pad: folding it would allocate gigabytes.
            model
                .int64s("four", &[4])
                .node("ConstantOfShape", "zeros", &["four"], &["data"])
                .node("Unsqueeze", "row", &["data", "axis"], &["d"])
                .int64s("axis", &[0])
        };
        let data = if data_is_input { "x" } else { "d" };
        model
            .int64s("pads", &[0, 0, 0, big])
            .node("Pad", "pad", &[data, "pads"], &["p"])
            .node("Add", "add", &["p", "p"], &["y"])
            .output("y")
    };
    for data_is_input in [true, false] {
        let (error, message) = build_model_error(model(data_is_input), &[]);
        assert!(matches!(error, CompileError::Limit(_)), "{message}");
    }
}

#[test]
fn a_repeated_graph_output_is_refused_by_name() {
    let model = Model::default()
        .input("x", &[Dim::Size(2)])
        .node("Relu", "relu", &["x"], &["y"])
        .output("y")
        .output("y");
    let (error, message) = build_model_error(model, &[]);
    assert!(matches!(error, CompileError::Model(_)), "{message}");
    assert!(message.contains("\"y\" is listed twice"), "{message}");
}

#[test]
fn a_dim_the_model_does_not_have_is_an_error() {
    let (error, message) = build_error("dynamic_batch/model.onnx", &[("B", 2), ("C", 2)]);
    assert!(
        matches!(&error, CompileError::UnknownDim { dim, known } if dim == "C" && known == &["B"]),
        "{message}"
    );
    assert!(message.contains("--dim C"), "{message}");
}

#[test]
fn a_dim_given_twice_is_an_error() {
    let pairs = [("B".to_string(), 3), ("B".to_string(), 2)];
    let error = onnx2wgsl::bind_dims(pairs).unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(&error, CompileError::DuplicateDim { dim, first: 3, second: 2 } if dim == "B"),
        "{message}"
    );
    assert!(message.contains("--dim B is given twice"), "{message}");
}

#[test]
fn a_folder_or_an_empty_file_is_not_a_model() {
    let dir = tempfile::tempdir().unwrap();
    let error = build(dir.path(), HashMap::new()).err().unwrap();
    assert!(matches!(error, CompileError::Directory { .. }), "{error}");
    assert!(error.to_string().contains("is a directory, not a file"));
    let empty = dir.path().join("empty.onnx");
    std::fs::write(&empty, b"").unwrap();
    let error = build(&empty, HashMap::new()).err().unwrap();
    let message = error.to_string();
    assert!(matches!(error, CompileError::Decode { .. }), "{message}");
    assert!(
        message.contains("empty.onnx") && message.contains("the file is empty"),
        "{message}"
    );
}

#[test]
fn split_sizes_computed_on_the_device_are_a_clear_error() {
    // The sizes are a Cast of a graph input: known only when the plan runs.
    let model = Model::default()
        .input("x", &[Dim::Size(6)])
        .input("n", &[Dim::Size(2)])
        .node_with("Cast", "sizes", &["n"], &["s"], vec![int("to", 7)])
        .node("Split", "split", &["x", "s"], &["y0", "y1"])
        .output("y0")
        .output("y1");
    let (error, message) = build_model_error(model, &[]);
    assert!(
        matches!(&error, CompileError::Node { name, op_type, .. } if name == "split" && op_type == "Split"),
        "{message}"
    );
    assert!(
        message.contains("input 1 must be a build-time constant (the split sizes)"),
        "{message}"
    );
}
