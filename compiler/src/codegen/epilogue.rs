//! The template context, uniform words and bindings of a node's fused epilogue (see
//! `templates/macros/epilogue.wgsl`).

use onnx2wgsl_opset18::ops::binary::BinaryKind;
use onnx2wgsl_opset18::ops::unary::UnaryKind;
use serde::Serialize;

use super::params::{check_rank, Params};
use super::Lowering;
use crate::ir::{Epilogue, Operand, Step};
use crate::strides::View;
use crate::CompileError;

#[derive(Serialize)]
pub struct Context {
    first_binding: usize,
    /// One entry per operand tensor; the template names them e0, e1, …
    operands: Vec<()>,
    steps: Vec<StepContext>,
    rank: usize,
    /// Whether some operand is not laid out like the stored result, so element indices must be
    /// decomposed.
    broadcast: bool,
    /// The rank of the base's index split for storing, when the result is stored in another
    /// order than the base's.
    store_rank: Option<usize>,
}

#[derive(Serialize)]
struct StepContext {
    op: &'static str,
    a: String,
    b: Option<String>,
    alpha: Option<String>,
}

/// Adds the epilogue's context, uniform words and bindings to a kernel's own.
pub fn attach(
    l: &Lowering,
    e: &Epilogue,
    context: &mut tera::Context,
    params: &mut Vec<u32>,
    bindings: &mut Vec<onnx2wgsl_runtime::plan::Region>,
) -> Result<(), CompileError> {
    check_rank(e.shape.len(), "a fused result")?;
    let broadcast = !e.views.iter().all(|v| *v == View::contiguous(&e.shape));
    let name = |o: Operand| match o {
        Operand::Base => "base".to_string(),
        Operand::Step(k) => format!("s{k}"),
        Operand::Input(i) => format!("load_e{i}(at{i})"),
    };
    let steps = (e.steps.iter())
        .map(|step| match *step {
            Step::Unary(kind, a) => StepContext {
                op: unary_name(kind),
                a: name(a),
                b: None,
                alpha: alpha(kind),
            },
            Step::Binary(kind, a, b) => StepContext {
                op: binary_name(kind),
                a: name(a),
                b: Some(name(b)),
                alpha: None,
            },
        })
        .collect();
    let ctx = Context {
        first_binding: bindings.len() + 1,
        operands: vec![(); e.operands.len()],
        steps,
        rank: e.shape.len(),
        broadcast,
        store_rank: e.store.as_ref().map(|s| s.sizes.len()),
    };
    context.insert("epilogue", &ctx);
    let mut words = Params::new();
    if broadcast {
        for k in 0..4 {
            words = words.u32(e.views.get(k).map_or(0, |v| v.offset));
        }
        words = words.dims(&e.shape);
        for read in &e.views {
            words = words.dims(&read.strides);
        }
    }
    if let Some(store) = &e.store {
        check_rank(store.sizes.len(), "a reordered result")?;
        words = words.dims(&store.sizes).dims(&store.strides);
    }
    params.extend(words.finish()?);
    bindings.extend(e.operands.iter().map(|&t| l.region(t)));
    Ok(())
}

pub fn unary_name(kind: UnaryKind) -> &'static str {
    match kind {
        UnaryKind::Relu => "relu",
        UnaryKind::Sigmoid => "sigmoid",
        UnaryKind::Sin => "sin",
        UnaryKind::Cos => "cos",
        UnaryKind::Sqrt => "sqrt",
        UnaryKind::Exp => "exp",
        UnaryKind::Neg => "neg",
        UnaryKind::Abs => "abs",
        UnaryKind::Tanh => "tanh",
        UnaryKind::Reciprocal => "reciprocal",
        UnaryKind::LeakyRelu { .. } => "leaky_relu",
    }
}

/// A unary operation's parameter as a WGSL f32 literal (Rust's shortest form that reads back as
/// the same f32), for the kinds that have one.
pub fn alpha(kind: UnaryKind) -> Option<String> {
    match kind {
        UnaryKind::LeakyRelu { alpha } => Some(format!("{alpha:?}f")),
        _ => None,
    }
}

pub fn binary_name(kind: BinaryKind) -> &'static str {
    match kind {
        BinaryKind::Add => "add",
        BinaryKind::Sub => "sub",
        BinaryKind::Mul => "mul",
        BinaryKind::Div => "div",
        BinaryKind::Pow => "pow",
    }
}
