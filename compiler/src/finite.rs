//! Whether a run stays finite throughout: every float each dispatch stores, read back after it
//! ran ([`Session::trace`]) as its shader declares the binding (f16 or f32). An f16 plan's
//! storage overflows past ±65,504, and an infinity in one intermediate can vanish from the
//! outputs (a softmax turns it into NaN, a clamp into a plain number), so outputs alone do not say.

use std::path::Path;

use half::f16;
use onnx2wgsl_runtime::{HostTensor, Session};

use crate::codegen::validate;
use crate::execute::RunError;

/// What the floats of one run held.
#[derive(Debug, Default, PartialEq)]
pub struct Finite {
    /// Values stored as f16 and as f32.
    pub half: Stored,
    pub single: Stored,
    /// The first dispatch that stored an infinity or NaN (index, label), and how many it stored.
    pub first_bad: Option<(usize, String, u64)>,
}

/// The values of one float type a run stored.
#[derive(Debug, Default, PartialEq)]
pub struct Stored {
    pub values: u64,
    /// The largest finite magnitude among them, and the dispatch (index, label) that stored it.
    pub largest: f32,
    pub at: Option<(usize, String)>,
}

impl Stored {
    fn add(&mut self, values: &[f32], index: usize, label: &str) {
        self.values += values.len() as u64;
        let largest = (values.iter().filter(|v| v.is_finite())).fold(0.0f32, |m, v| m.max(v.abs()));
        if largest > self.largest {
            self.largest = largest;
            self.at = Some((index, label.to_owned()));
        }
    }
}

/// Runs the bundle in `dir`, loaded as `session`, once on `inputs` and checks every float each
/// dispatch stores.
pub async fn check(
    session: &Session,
    dir: &Path,
    inputs: &[(&str, HostTensor)],
) -> Result<Finite, RunError> {
    let plan = session.plan();
    let mut modules = Vec::with_capacity(plan.shaders.len());
    for shader in &plan.shaders {
        let path = dir.join(&shader.file);
        let source = std::fs::read_to_string(&path).map_err(|source| RunError::Io {
            path: path.clone(),
            source,
        })?;
        let module = validate(&source).map_err(|reason| RunError::Shader { path, reason })?;
        modules.push(module);
    }
    let mut finite = Finite::default();
    let mut visit = |index: usize, parts: &[&[u8]]| {
        let dispatch = &plan.dispatches[index];
        let module = &modules[dispatch.shader as usize];
        for (&position, bytes) in dispatch.writes.iter().zip(parts) {
            let (values, stored): (Vec<f32>, _) = match float_width(module, position + 1) {
                Some(2) => (
                    (bytes.chunks_exact(2))
                        .map(|b| f16::from_le_bytes([b[0], b[1]]).to_f32())
                        .collect(),
                    &mut finite.half,
                ),
                Some(4) => (
                    (bytes.chunks_exact(4))
                        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                        .collect(),
                    &mut finite.single,
                ),
                _ => continue,
            };
            stored.add(&values, index, &dispatch.label);
            let bad = values.iter().filter(|v| !v.is_finite()).count() as u64;
            if bad > 0 && finite.first_bad.is_none() {
                finite.first_bad = Some((index, dispatch.label.clone(), bad));
            }
        }
    };
    session.trace(inputs, &mut visit).await?;
    Ok(finite)
}

/// Bytes per element (2 for f16, 4 for f32) of the float array the shader declares at
/// `@group(0) @binding(binding)`; `None` for integer arrays.
fn float_width(module: &naga::Module, binding: u32) -> Option<u8> {
    let var = (module.global_variables.iter())
        .map(|(_, var)| var)
        .find(|var| {
            var.binding
                .as_ref()
                .is_some_and(|b| b.group == 0 && b.binding == binding)
        })?;
    let naga::TypeInner::Array { base, .. } = module.types[var.ty].inner else {
        return None;
    };
    match module.types[base].inner {
        naga::TypeInner::Scalar(naga::Scalar {
            kind: naga::ScalarKind::Float,
            width,
        }) => Some(width),
        _ => None,
    }
}
