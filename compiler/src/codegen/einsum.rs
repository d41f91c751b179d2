//! Einsum of one or more operands as one strided contraction kernel.

use onnx2wgsl_opset18::ops::einsum::Einsum;
use onnx2wgsl_opset18::DataType;
use serde::Serialize;

use super::elementwise::wgsl_type;
use super::params::{check_rank, Params};
use super::{Kernel, Lowering};
use crate::order::along_value;
use crate::strides::contiguous_strides;
use crate::CompileError;

/// Operand names in the shader; one per input.
const OPERANDS: [&str; 4] = ["a", "b", "c", "d"];

#[derive(Serialize)]
struct Context {
    ty: &'static str,
    /// The type the operands and the result are stored as.
    stored: &'static str,
    operands: Vec<&'static str>,
    out_rank: usize,
    reduce_rank: usize,
    /// The store offset comes from `stored()` rather than the walk.
    mapped: bool,
    /// One workgroup per output element, its invocations sharing the sum.
    spread: bool,
    /// Where the spread sum's tree reduction starts: half the workgroup.
    half: u32,
}

/// Invocations sharing one output's sum when outputs are few and sums long.
const SPREAD_WORKGROUP: u32 = 64;

/// Whether to give each output a workgroup: the sums are long enough to keep one busy, and
/// there are too few outputs to occupy a large GPU one invocation each (the λ-layers' content
/// contractions: 3,200 outputs, each a sum over 4,096 positions).
fn spread(outputs: usize, sum: usize, float: bool) -> bool {
    float && sum >= 16 * SPREAD_WORKGROUP as usize && outputs < 1 << 16
}

pub fn einsum(l: &Lowering, op: &Einsum) -> Result<Kernel, CompileError> {
    let inputs: Vec<_> = l.node.inputs.iter().flatten().copied().collect();
    let y = l.output();
    if inputs.len() > OPERANDS.len() {
        return Err(CompileError::Limit(format!(
            "Einsum with {} operands (at most {})",
            inputs.len(),
            OPERANDS.len()
        )));
    }
    let shapes: Vec<&[usize]> = inputs.iter().map(|&t| l.shape(t)).collect();
    let views: Vec<_> = inputs.iter().map(|&t| l.view(t)).collect();
    let layouts: Vec<&[usize]> = views.iter().map(|v| v.strides.as_slice()).collect();
    let mut c = op
        .contraction_strided(&shapes, &layouts)
        .map_err(|e| l.op_error(e))?;
    // A summed label of size 1 only ever has coordinate 0; dropping it often leaves a single
    // summed label, which the template walks without dividing.
    let keep: Vec<usize> = (0..c.reduce_shape.len())
        .filter(|&d| c.reduce_shape[d] != 1)
        .collect();
    c.reduce_shape = keep.iter().map(|&d| c.reduce_shape[d]).collect();
    for strides in &mut c.reduce_strides {
        *strides = keep.iter().map(|&d| strides[d]).collect();
    }
    check_rank(c.output_shape.len(), "an einsum output")?;
    check_rank(c.reduce_shape.len(), "an einsum's summed labels")?;
    let n: usize = c.output_shape.iter().product();
    let reduce_n = c.reduce_shape.iter().product();
    // Where each output element is stored, by output axis.
    let shape = &c.output_shape;
    let contiguous = contiguous_strides(shape);
    let stored = match l.node.epilogue.as_ref().and_then(|e| e.store.as_ref()) {
        Some(store) => along_value(store, shape, &contiguous),
        None => Some(contiguous.clone()),
    };
    // Without a per-axis store, the kernel walks the output in its own order and `stored` maps.
    let (store, mapped) = match stored {
        Some(strides) => (strides, false),
        None => (contiguous, true),
    };
    let order = walk_order(&c.output_strides, &store);
    let permute = |v: &[usize]| order.iter().map(|&a| v[a]).collect::<Vec<_>>();
    // Scalars, two words of padding, then one offset per operand slot (a vec4).
    let mut params = Params::new().u32(n).u32(reduce_n).u32(0).u32(0);
    for k in 0..OPERANDS.len() {
        params = params.u32(views.get(k).map_or(0, |v| v.offset));
    }
    params = params
        .dims(&permute(shape))
        .dims(&permute(&store))
        .dims(&c.reduce_shape);
    for k in 0..inputs.len() {
        params = params
            .dims(&permute(&c.output_strides[k]))
            .dims(&c.reduce_strides[k]);
    }
    let dtype = l.graph.tensor(y).ty.dtype;
    let spread = spread(n, reduce_n, dtype == DataType::Float);
    let context = Context {
        ty: wgsl_type(dtype),
        stored: l.storage(y),
        operands: OPERANDS[..inputs.len()].to_vec(),
        out_rank: c.output_shape.len(),
        reduce_rank: c.reduce_shape.len(),
        mapped,
        spread,
        half: SPREAD_WORKGROUP / 2,
    };
    let mut bindings: Vec<_> = inputs.iter().map(|&t| l.region(t)).collect();
    bindings.push(l.region(y));
    if !spread {
        return l.kernel("einsum.wgsl", &context, bindings, params.finish()?, n);
    }
    let groups = [n, 1, 1];
    let mut kernel =
        l.kernel_with_grid("einsum.wgsl", &context, bindings, params.finish()?, groups)?;
    kernel.context.insert("workgroup", &SPREAD_WORKGROUP);
    Ok(kernel)
}

/// The order to walk the output axes in, outermost first: the original order, except that the
/// innermost is the axis along which the most operands and the store step by one element, so
/// neighbouring invocations touch neighbouring memory.
fn walk_order(operand_strides: &[Vec<usize>], store: &[usize]) -> Vec<usize> {
    let rank = store.len();
    let unit_steps = |a: usize| {
        let operands = operand_strides.iter().filter(|s| s[a] == 1).count();
        operands + usize::from(store[a] == 1)
    };
    let Some(inner) = (0..rank).rev().max_by_key(|&a| unit_steps(a)) else {
        return Vec::new();
    };
    (0..rank).filter(|&a| a != inner).chain([inner]).collect()
}

#[cfg(test)]
mod tests {
    use super::walk_order;

    #[test]
    fn the_axis_most_reads_and_the_store_step_along_goes_innermost() {
        // y[b, h, v, n] = Σ_k q[b, h, k, n] λ[b, n, k, v], stored as tokens (b, n, h, v).
        let (h, k, v, n) = (2, 3, 4, 5);
        let q = vec![h * k * n, k * n, 0, 1];
        let lambda = vec![n * k * v, 0, 1, k * v];
        let store = [n * h * v, v, 1, h * v];
        assert_eq!(walk_order(&[q, lambda], &store), [0, 1, 3, 2]);
    }
}
