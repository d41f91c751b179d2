//! One node test: build (freezing what the compiler asks for), run on the device, compare.

use std::path::Path;

use onnx2wgsl::bundle::Bundle;
use onnx2wgsl::{compile, CompileError, Options};
use onnx2wgsl_opset18::OpError;
use onnx2wgsl_runtime::{Gpu, HostTensor, Session};
use onnx_protobuf::Message;

use super::discover::Case;
use super::{compare, freeze, one_line, tensor, Outcome};

/// The test's outcome and the graph inputs that were frozen. Each data set is built on its own,
/// since frozen inputs take that set's values.
pub fn check(case: &Case, gpu: &Gpu) -> (Outcome, Vec<String>) {
    let mut frozen = Vec::new();
    let sets = match case.data_sets() {
        Ok(sets) if !sets.is_empty() => sets,
        Ok(_) => return (Outcome::Failed("no test_data_set_*".into()), frozen),
        Err(e) => return (Outcome::Failed(e), frozen),
    };
    for set in &sets {
        frozen.clear();
        let bundle = match build(case, set, &mut frozen) {
            Ok(bundle) => bundle,
            Err(outcome) => return (outcome, frozen),
        };
        if let Err(reason) = pollster::block_on(run(case, set, &bundle, gpu)) {
            return (Outcome::Failed(reason), frozen);
        }
    }
    (Outcome::Passed, frozen)
}

fn build(case: &Case, set: &Path, frozen: &mut Vec<String>) -> Result<Bundle, Outcome> {
    let failed = |reason: String| Outcome::Failed(reason);
    let scratch = tempfile::tempdir().map_err(|e| failed(e.to_string()))?;
    let mut model = case.model.clone();
    let mut path = case.dir.join("model.onnx");
    loop {
        let error = match compile(&path, &Options::default()) {
            Ok(bundle) => return Ok(bundle),
            Err(error) => error,
        };
        if let Some(reason) = rejection(&error) {
            return Err(Outcome::Skipped(reason));
        }
        let build_failed = || failed(format!("build: {}", one_line(&error.to_string())));
        let CompileError::Node {
            name,
            op_type,
            source: OpError::NeedsConstant { index, .. },
        } = &error
        else {
            return Err(build_failed());
        };
        let input =
            freeze::requested_input(&model, name, op_type, *index).ok_or_else(build_failed)?;
        let k = (case.inputs.iter().position(|i| *i == input)).ok_or_else(build_failed)?;
        let value = tensor::read(&set.join(format!("input_{k}.pb"))).map_err(failed)?;
        freeze::freeze(&mut model, &input, value);
        path = scratch.path().join("model.onnx");
        let bytes = model.write_to_bytes().map_err(|e| failed(e.to_string()))?;
        std::fs::write(&path, bytes).map_err(|e| failed(e.to_string()))?;
        frozen.push(input);
    }
}

/// The reason when the build refuses the model cleanly: nodes the compiler reports as unsupported
/// (attribute values, older operator versions, ops that only fold), a graph input, output or
/// initializer of an unsupported type, or an opset import it does not implement. Any other build
/// error is a failure.
fn rejection(error: &CompileError) -> Option<String> {
    match error {
        CompileError::Opset { .. } => Some(error.to_string()),
        // The type, not the tensor's name, so that the table groups alike tests.
        CompileError::UnsupportedType { reason, .. } => Some(reason.clone()),
        CompileError::Unsupported(nodes) => {
            let mut reasons: Vec<String> = Vec::new();
            for node in nodes {
                let reason = format!("{}: {}", node.op_type, one_line(&node.reason));
                if !reasons.contains(&reason) {
                    reasons.push(reason);
                }
            }
            Some(reasons.join("; "))
        }
        _ => None,
    }
}

async fn run(case: &Case, set: &Path, bundle: &Bundle, gpu: &Gpu) -> Result<(), String> {
    let source = |file: &str| {
        (bundle.shaders.iter())
            .find(|(name, _)| name == file)
            .map(|(_, source)| source.clone())
    };
    let mut session = Session::new(gpu, bundle.plan.clone(), source)
        .await
        .map_err(|e| format!("load: {e}"))?;
    for (index, (_, data)) in bundle.shards.iter().enumerate() {
        let mut bytes = Vec::new();
        data.write_to(&mut bytes).map_err(|e| e.to_string())?;
        (session.load_shard(index as u32, &bytes).await).map_err(|e| format!("load: {e}"))?;
    }
    let mut inputs: Vec<(&str, HostTensor)> = Vec::new();
    for io in &session.plan().inputs {
        let k = (case.inputs.iter().position(|i| *i == io.name))
            .ok_or_else(|| format!("the plan's input {:?} is no graph input", io.name))?;
        let value = tensor::host(&tensor::read(&set.join(format!("input_{k}.pb")))?)?;
        if value.dtype() != io.dtype {
            return Err(format!(
                "input {:?} is {:?}, the plan expects {:?}",
                io.name,
                value.dtype(),
                io.dtype
            ));
        }
        inputs.push((&io.name, value));
    }
    let outputs = session
        .run(&inputs)
        .await
        .map_err(|e| format!("run: {e}"))?;
    for (k, name) in case.outputs.iter().enumerate() {
        let want = tensor::host(&tensor::read(&set.join(format!("output_{k}.pb")))?)?;
        let (_, got) = (outputs.iter())
            .find(|(n, _)| n == name)
            .ok_or_else(|| format!("output {name:?} is missing"))?;
        compare::compare(got, &want).map_err(|e| format!("output {name:?}: {e}"))?;
    }
    Ok(())
}
