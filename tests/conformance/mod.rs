//! Conformance with the ONNX project's own backend node tests (`onnx/backend/test/data/node`):
//! every test whose operators we all claim is built, run on the default adapter and compared with
//! its reference outputs; [`markdown`] turns the results into `tests/conformance.md`.

mod check;
mod compare;
mod discover;
mod freeze;
mod table;
mod tensor;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use onnx2wgsl_runtime::plan::{Limits, Plan, FORMAT_VERSION};
use onnx2wgsl_runtime::{request_device, Gpu};

pub use discover::data_dir;
pub use table::{markdown, WRITE_COMMAND};

/// The newest opset the compiler implements; tests of newer ones are skipped unbuilt.
const MAX_OPSET: i64 = 18;

#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Passed,
    Failed(String),
    Skipped(String),
}

#[derive(Clone, Debug)]
pub struct TestResult {
    pub name: String,
    /// The distinct operators of the test's model, sorted.
    pub ops: Vec<String>,
    pub outcome: Outcome,
    /// Graph inputs made constant because the compiler asked for them.
    pub frozen: Vec<String>,
}

pub struct Report {
    pub onnx_version: String,
    /// Every node test in the data directory, claimed or not.
    pub total: usize,
    /// The tests whose operators are all claimed, by name.
    pub results: Vec<TestResult>,
}

/// Runs every claimed node test in `dir`. Errs only when the runner itself cannot work (no
/// readable data, no adapter); each test's own trouble is its outcome.
pub fn run(dir: &Path) -> Result<Report, String> {
    let names = discover::test_names(dir)?;
    let mut gpu: Option<Gpu> = None;
    let mut results = Vec::new();
    for name in &names {
        let case = match discover::Case::load(&dir.join(name)) {
            Ok(case) => case,
            Err(reason) => {
                results.push(TestResult {
                    name: name.clone(),
                    ops: vec!["(undecodable model)".into()],
                    outcome: Outcome::Failed(reason),
                    frozen: Vec::new(),
                });
                continue;
            }
        };
        if !case.claimed() {
            continue;
        }
        let mut frozen = Vec::new();
        let outcome = match case.opset {
            Some(opset) if opset > MAX_OPSET => {
                Outcome::Skipped(format!("opset {opset} > {MAX_OPSET}"))
            }
            _ => {
                if gpu.is_none() {
                    gpu = Some(new_gpu()?);
                }
                let device = gpu.as_ref().expect("created above");
                let checked = catch_unwind(AssertUnwindSafe(|| check::check(&case, device)));
                match checked {
                    Ok((outcome, inputs)) => {
                        frozen = inputs;
                        outcome
                    }
                    Err(payload) => {
                        // A panic may leave the device's error scopes unbalanced: start afresh.
                        gpu = None;
                        Outcome::Failed(format!("panic: {}", panic_message(&payload)))
                    }
                }
            }
        };
        results.push(TestResult {
            name: name.clone(),
            ops: case.ops,
            outcome,
            frozen,
        });
    }
    Ok(Report {
        onnx_version: discover::onnx_version(dir),
        total: names.len(),
        results,
    })
}

/// One device for all tests (adapters are slow to create), with the limits every plan built for
/// the default target needs.
fn new_gpu() -> Result<Gpu, String> {
    let plan = Plan {
        format_version: FORMAT_VERSION,
        limits: Limits::WEBGPU_DEFAULT,
        features: Vec::new(),
        inputs: Vec::new(),
        outputs: Vec::new(),
        buffers: Vec::new(),
        shards: Vec::new(),
        shaders: Vec::new(),
        dispatches: Vec::new(),
    };
    pollster::block_on(request_device(&plan)).map_err(|e| e.to_string())
}

fn panic_message(payload: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".into()
    }
}

/// Messages are kept to one line in the table.
fn one_line(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    lines.join("; ")
}
