//! A bad bundle, input file or output folder is a clear error naming what is wrong: never a panic,
//! an abort, a file read outside the bundle, or a run that succeeds with wrong outputs. (Cases
//! found by fuzzing, issue 11.)

use std::collections::HashMap;
use std::path::Path;

use onnx2wgsl::execute::{self, RunError};
use onnx2wgsl::target::Target;
use onnx2wgsl::{compile, inspect, Options};
use onnx2wgsl_runtime::plan::{DType, Limits, Plan, PLAN_FILE};
use onnx2wgsl_runtime::{Error, HostTensor};
use onnx2wgsl_tests::{build, fixtures};

/// `tiny_cnn`'s bundle in a temporary folder, with its plan edited by `change`.
fn tampered(change: impl FnOnce(&mut Plan)) -> tempfile::TempDir {
    let bundle = build(&fixtures().join("tiny_cnn/model.onnx"), HashMap::new()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    bundle.write(dir.path()).unwrap();
    let mut plan = bundle.plan.clone();
    change(&mut plan);
    std::fs::write(dir.path().join(PLAN_FILE), plan.to_json()).unwrap();
    dir
}

/// The error `run` gives for the bundle in `dir` (it loads the bundle first).
fn load_error(dir: &Path) -> RunError {
    let error = pollster::block_on(execute::load(dir)).err().unwrap();
    println!("{error}");
    error
}

#[test]
fn inspect_validates_the_plan() {
    let dir = tampered(|p| p.dispatches[0].shader = 99);
    let error = inspect::bundle(dir.path()).unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(
            error,
            RunError::Runtime(Error::IndexOutOfRange {
                kind: "shader",
                index: 99,
                ..
            })
        ),
        "{message}"
    );
    let dir = tampered(|_| ());
    assert!(inspect::bundle(dir.path()).unwrap().contains("dispatches:"));
}

#[test]
fn an_empty_grid_or_no_dispatches_is_refused_not_run() {
    let error = load_error(tampered(|p| p.dispatches[0].workgroups = [0, 1, 1]).path());
    assert!(
        matches!(&error, RunError::Runtime(Error::BadPlan(m)) if m.contains("include 0")),
        "{error}"
    );
    let error = load_error(tampered(|p| p.dispatches.clear()).path());
    assert!(
        matches!(&error, RunError::Runtime(Error::OutputNotWritten { name, .. }) if name == "y"),
        "{error}"
    );
}

#[test]
fn bundle_file_names_cannot_leave_the_bundle() {
    let outside = "../../../../etc/passwd";
    let error = load_error(tampered(|p| p.shaders[0].file = outside.into()).path());
    assert!(
        matches!(&error, RunError::Runtime(Error::BadFileName { kind: "shader", file }) if file == outside),
        "{error}"
    );
    let error = load_error(tampered(|p| p.shards[0].file = outside.into()).path());
    assert!(
        matches!(
            &error,
            RunError::Runtime(Error::BadFileName { kind: "shard", .. })
        ),
        "{error}"
    );
}

#[test]
fn an_npy_header_claiming_more_than_the_file_holds_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.npy");
    let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (100000000000,), }";
    let header = format!("{header:<117}\n");
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend((header.len() as u16).to_le_bytes());
    bytes.extend(header.as_bytes());
    bytes.extend([0; 3000]);
    std::fs::write(&path, bytes).unwrap();
    let error = execute::read_npy(&path, DType::F32).err().unwrap();
    let message = error.to_string();
    assert!(matches!(error, RunError::Npy { .. }), "{message}");
    assert!(
        message.contains("x.npy")
            && message.contains("[100000000000]")
            && message.contains("only 3000 bytes"),
        "{message}"
    );
}

#[test]
fn a_native_build_requires_only_what_it_uses() {
    let options = Options {
        target: Target::native(),
        ..Options::default()
    };
    let bundle = compile(&fixtures().join("tiny_cnn/model.onnx"), &options).unwrap();
    assert_eq!(bundle.plan.limits, Limits::WEBGPU_DEFAULT);
    // So it loads on any adapter, lavapipe's 128 MiB bindings included.
    let dir = tempfile::tempdir().unwrap();
    bundle.write(dir.path()).unwrap();
    pollster::block_on(execute::load(dir.path())).unwrap();
}

#[test]
fn places_that_cannot_be_written_say_write() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file");
    std::fs::write(&file, b"").unwrap();
    let bundle = build(&fixtures().join("tiny_cnn/model.onnx"), HashMap::new()).unwrap();
    let message = bundle.write(&file.join("bundle")).unwrap_err().to_string();
    assert!(message.starts_with("cannot write"), "{message}");
    let value = HostTensor::f32([1], vec![0.0]);
    let error = execute::write_output(&file.join("out"), "y", &value).unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, RunError::Write { .. }), "{message}");
    assert!(message.starts_with("cannot write"), "{message}");
}
