//! The functions the fuzz targets call, one per target. The stable test suite includes this file
//! (`tests/fuzz_regressions.rs`) and replays every seed and every saved crash through the same
//! functions.
//!
//! Each returns normally on any input: an `Err` from the library is the right answer to bad input.
//! Only a panic, an abort, a hang or running out of memory is a bug.

use std::collections::HashMap;
use std::path::Path;

use onnx2wgsl::target::{Precision, Target};
use onnx2wgsl::{compile, CompileError, Options};
use onnx2wgsl_runtime::plan::DType;
use onnx2wgsl_runtime::Plan;

/// The fuzz targets, by the name of their folders under `fuzz/seeds/` and `fuzz/regressions/`.
pub const TARGETS: [&str; 3] = ["decode_build", "plan", "npy"];

/// Runs `bytes` through the target `name`; `scratch` is a private folder for the files it writes.
pub fn run(name: &str, bytes: &[u8], scratch: &Path) {
    match name {
        "decode_build" => decode_build(bytes, scratch),
        "plan" => plan(bytes),
        "npy" => npy(bytes, scratch),
        _ => panic!("no fuzz target {name:?}"),
    }
}

/// Builds `bytes` as an ONNX model, as `onnx2wgsl build` does: with `--dim B=2`, or without it
/// when the model has no dimension `B` (a `--dim` naming nothing is refused). The model is
/// written as `scratch/model.onnx`, so external data can only name files inside `scratch`. A model
/// that builds is built again as an f16 plan, and as one whose convolutions run on cooperative
/// matrices.
pub fn decode_build(bytes: &[u8], scratch: &Path) {
    let path = scratch.join("model.onnx");
    std::fs::write(&path, bytes).expect("the scratch folder is writable");
    let mut options = Options {
        dims: HashMap::from([("B".to_string(), 2)]),
        ..Options::default()
    };
    let mut result = compile(&path, &options);
    if let Err(CompileError::UnknownDim { .. }) = result {
        options.dims.clear();
        result = compile(&path, &options);
    }
    if let Ok(bundle) = result {
        check_emitted(&bundle.plan);
        // The same model as an f16 plan, which may refuse what f32 accepts (a constant beyond
        // f16's range) but must not emit a plan the runtime refuses.
        let f16 = Target::default().with_precision(Precision::F16);
        for target in [f16, Target::native().with_cooperative_matrix()] {
            options.target = target;
            if let Ok(bundle) = compile(&path, &options) {
                check_emitted(&bundle.plan);
            }
        }
    }
}

/// A plan the compiler emits must pass the runtime's validation and survive a JSON round trip.
fn check_emitted(plan: &Plan) {
    if let Err(e) = plan.validate() {
        panic!("the compiler emitted a plan the runtime refuses: {e}");
    }
    let back = Plan::from_json(plan.to_json().as_bytes()).expect("an emitted plan reads back");
    assert!(back == *plan, "the plan changed in a JSON round trip");
}

/// Reads `bytes` as a `plan.json` and validates it, as every host does before touching a bundle;
/// a plan that passes is summarized as `onnx2wgsl inspect` does.
pub fn plan(bytes: &[u8]) {
    if let Ok(plan) = Plan::from_json(bytes) {
        if plan.validate().is_ok() {
            let _ = onnx2wgsl::inspect::summary(&plan);
        }
    }
}

/// Reads `bytes` as an `.npy` input of each dtype, as `onnx2wgsl run --input` does.
pub fn npy(bytes: &[u8], scratch: &Path) {
    let path = scratch.join("input.npy");
    std::fs::write(&path, bytes).expect("the scratch folder is writable");
    for dtype in [DType::F32, DType::I32, DType::I64, DType::Bool] {
        let _ = onnx2wgsl::execute::read_npy(&path, dtype);
    }
}

/// A scratch folder for this process's fuzzing (under `$TMPDIR`, which `scripts/fuzz.sh` points
/// into `fuzz/tmp/` and empties).
pub fn scratch() -> &'static Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        tempfile::Builder::new()
            .prefix("onnx2wgsl-fuzz-")
            .tempdir()
            .expect("a temporary folder")
    })
    .path()
}
