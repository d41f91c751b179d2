//! Parity with onnxruntime: every fixture with references is built, run on the default adapter
//! (lavapipe in CI) and compared output by output.

use std::path::Path;

use onnx2wgsl_tests::{build, dims, fixtures, reference, relative_error, run};

/// max |Δ| / max |ref| allowed for float32 outputs; integer outputs must match exactly.
const TOLERANCE: f64 = 1e-4;

fn check(name: &str) {
    let dir = fixtures().join(name);
    let bundle =
        build(&dir.join("model.onnx"), dims(&dir)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let outputs = run(&bundle, &dir);
    assert_eq!(outputs.len(), bundle.plan.outputs.len());
    for (output, got) in &outputs {
        let want = reference(&dir.join("outputs").join(format!("{output}.npy")), got);
        let error = relative_error(got, &want);
        println!("{name}/{output}: max |Δ| / max |ref| = {error:.3e}");
        let limit = if matches!(got.data, onnx2wgsl_runtime::TensorData::F32(_)) {
            TOLERANCE
        } else {
            0.0
        };
        assert!(
            error <= limit,
            "{name}/{output}: error {error:.3e} exceeds {limit:.0e}"
        );
    }
}

#[test]
fn every_fixture_has_a_test() {
    let tested = [
        "tiny_cnn",
        "tiny_mlp_attention",
        "dynamic_batch",
        "two_io",
        "int_input",
        "external_data",
        "einsum_ops",
    ];
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let path = entry.unwrap().path();
        if Path::new(&path).join("model.onnx").exists() {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            assert!(
                tested.contains(&name.as_str()),
                "fixture {name} has no parity test"
            );
        }
    }
}

#[test]
fn tiny_cnn() {
    check("tiny_cnn");
}

#[test]
fn tiny_mlp_attention() {
    check("tiny_mlp_attention");
}

#[test]
fn dynamic_batch() {
    check("dynamic_batch");
}

#[test]
fn two_io() {
    check("two_io");
}

#[test]
fn int_input() {
    check("int_input");
}

#[test]
fn external_data() {
    check("external_data");
}

#[test]
fn einsum_ops() {
    check("einsum_ops");
}
