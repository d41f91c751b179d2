//! Shared test support: fixture paths, building and running a fixture through the whole pipeline,
//! the runner of the ONNX backend node tests ([`conformance`]), and small models written in code
//! ([`model`]).

pub mod conformance;
pub mod model;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use onnx2wgsl::bundle::Bundle;
use onnx2wgsl::execute;
use onnx2wgsl::target::Target;
use onnx2wgsl::{compile, CompileError, Options};
use onnx2wgsl_runtime::{HostTensor, TensorData};

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// `--dim` bindings from a fixture's `dims.txt` (`NAME=VALUE` per line), if it has one.
pub fn dims(dir: &Path) -> HashMap<String, usize> {
    let text = std::fs::read_to_string(dir.join("dims.txt")).unwrap_or_default();
    text.split_whitespace()
        .map(|pair| {
            let (name, value) = pair.split_once('=').expect("dims.txt holds NAME=VALUE");
            (
                name.to_string(),
                value.parse().expect("dims.txt values are integers"),
            )
        })
        .collect()
}

pub fn build(model: &Path, dims: HashMap<String, usize>) -> Result<Bundle, CompileError> {
    build_for(model, dims, Target::default())
}

/// [`build`] for `target` (other limits, or f16 plans).
pub fn build_for(
    model: &Path,
    dims: HashMap<String, usize>,
    target: Target,
) -> Result<Bundle, CompileError> {
    compile(model, &Options { dims, target })
}

/// Writes `tensors` as `dir/inputs/<name>.npy`, the layout [`run`] reads.
pub fn write_inputs(dir: &Path, tensors: &[(&str, HostTensor)]) {
    let inputs = dir.join("inputs");
    std::fs::create_dir(&inputs).unwrap();
    for (name, tensor) in tensors {
        execute::write_output(&inputs, name, tensor).unwrap();
    }
}

/// Writes `bundle` to a temporary directory, loads it on the default adapter and runs it on the
/// fixture's `inputs/*.npy`.
pub fn run(bundle: &Bundle, fixture: &Path) -> Vec<(String, HostTensor)> {
    let dir = tempfile::tempdir().expect("temporary directory");
    bundle.write(dir.path()).expect("bundle written");
    pollster::block_on(async {
        let session = execute::load(dir.path())
            .await
            .expect("bundle loads on the adapter");
        let mut inputs = Vec::new();
        for io in &session.plan().inputs {
            let path = fixture.join("inputs").join(format!("{}.npy", io.name));
            inputs.push((
                io.name.clone(),
                execute::read_input(session.plan(), &io.name, &path).unwrap(),
            ));
        }
        let refs: Vec<(&str, HostTensor)> = inputs
            .iter()
            .map(|(n, t)| (n.as_str(), t.clone()))
            .collect();
        session.run(&refs).await.expect("plan runs")
    })
}

/// Reads a reference `.npy` in the dtype of `like`.
pub fn reference(path: &Path, like: &HostTensor) -> HostTensor {
    execute::read_npy(path, like.dtype()).expect("reference readable")
}

/// max |got − want| / max |want|: the parity measure the tests hold to a tolerance.
pub fn relative_error(got: &HostTensor, want: &HostTensor) -> f64 {
    assert_eq!(got.shape, want.shape, "shapes differ");
    let values = |t: &HostTensor| -> Vec<f64> {
        match &t.data {
            TensorData::F32(v) => v.iter().map(|&x| x as f64).collect(),
            TensorData::I32(v) => v.iter().map(|&x| x as f64).collect(),
            TensorData::I64(v) => v.iter().map(|&x| x as f64).collect(),
            TensorData::Bool(v) => v.iter().map(|&x| f64::from(u8::from(x))).collect(),
        }
    };
    let (g, w) = (values(got), values(want));
    let diff = g
        .iter()
        .zip(&w)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    let scale = w.iter().map(|b| b.abs()).fold(0.0, f64::max);
    if scale == 0.0 {
        diff
    } else {
        diff / scale
    }
}
