//! MatMul (numpy semantics, broadcast batches) and Gemm, both with strided operands: tiled when
//! the product is large enough to fill 64×64 tiles, one invocation per output otherwise.

use onnx2wgsl_opset18::ops::gemm::Gemm;
use onnx2wgsl_runtime::plan::Region;
use serde::Serialize;

use super::params::{check_rank, Params};
use super::{Kernel, Lowering};
use crate::strides::{broadcast_strides, View};
use crate::CompileError;

#[derive(Serialize)]
struct Context {
    has_c: bool,
    batch_rank: usize,
    /// For the tiled kernel: whether a is staged walking along k (its contiguous axis) rather than
    /// along rows, and b along columns rather than along k.
    a_along_k: bool,
    b_along_j: bool,
}

/// Invocations per workgroup of the tiled kernel (16×16), and the edge of its output tile.
const TILED_INVOCATIONS: u32 = 256;
const TILE: usize = 64;
/// The depth of its staged slices: shorter sums are not worth staging.
const TILE_DEPTH: usize = 16;

/// One dispatch of `matmul.wgsl` (an invocation per output), or of `matmul_tiled.wgsl` when
/// the product fills tiles: on an H200 the VAE's attention products (4096×512 by 512×4096) took
/// 3.6 ms each one output per invocation.
#[allow(clippy::too_many_arguments)]
fn dispatch(
    l: &Lowering,
    (has_c, batch_rank): (bool, usize),
    (m, n, k): (usize, usize, usize),
    batches: usize,
    (a, b): (&Operand, &Operand),
    bindings: Vec<Region>,
    params: Vec<u32>,
) -> Result<Kernel, CompileError> {
    let tiled = l.target.workgroup() >= TILED_INVOCATIONS
        && m >= TILE / 2
        && n >= TILE / 2
        && k >= TILE_DEPTH;
    let context = Context {
        has_c,
        batch_rank,
        a_along_k: a.col == 1 || a.row != 1,
        b_along_j: b.col == 1 || b.row != 1,
    };
    if !tiled {
        return l.kernel("matmul.wgsl", &context, bindings, params, batches * m * n);
    }
    let groups = [n.div_ceil(TILE), m.div_ceil(TILE), batches];
    l.kernel_with_grid("matmul_tiled.wgsl", &context, bindings, params, groups)
}

/// How one operand is addressed: its first element and the element strides of its row and
/// column axes.
struct Operand {
    offset: usize,
    row: usize,
    col: usize,
}

pub fn matmul(l: &Lowering) -> Result<Kernel, CompileError> {
    let (a, b, y) = (l.input(0).unwrap(), l.input(1).unwrap(), l.output());
    // numpy promotes 1-D operands to matrices: (K) as (1, K) on the left, (K, 1) on the right.
    let mut a_shape = l.shape(a).to_vec();
    if a_shape.len() == 1 {
        a_shape.insert(0, 1);
    }
    let mut b_shape = l.shape(b).to_vec();
    if b_shape.len() == 1 {
        b_shape.push(1);
    }
    let (m, k) = (a_shape[a_shape.len() - 2], a_shape[a_shape.len() - 1]);
    let n = b_shape[b_shape.len() - 1];
    let (a_batch, b_batch) = (&a_shape[..a_shape.len() - 2], &b_shape[..b_shape.len() - 2]);
    let batch = broadcast(a_batch, b_batch);
    check_rank(batch.len(), "a matmul batch")?;
    // Operands are read through their views; a promoted axis gets stride 0.
    let (va, vb) = (l.view(a), l.view(b));
    let (ra, rb) = (l.shape(a).len(), l.shape(b).len());
    let a_op = match ra {
        1 => Operand {
            offset: va.offset,
            row: 0,
            col: va.strides[0],
        },
        _ => Operand {
            offset: va.offset,
            row: va.strides[ra - 2],
            col: va.strides[ra - 1],
        },
    };
    let b_op = match rb {
        1 => Operand {
            offset: vb.offset,
            row: vb.strides[0],
            col: 0,
        },
        _ => Operand {
            offset: vb.offset,
            row: vb.strides[rb - 2],
            col: vb.strides[rb - 1],
        },
    };
    let batch_view = |v: &View, rank: usize| View {
        offset: 0,
        strides: v.strides[..rank.saturating_sub(2)].to_vec(),
    };
    let a_strides = batch_view(&va, ra).broadcast(a_batch, &batch);
    let b_strides = batch_view(&vb, rb).broadcast(b_batch, &batch);
    let batches = batch.iter().product::<usize>();
    let params = header(m, n, k, batches * m * n, 1.0, 0.0, (0, 0), &a_op, &b_op)
        .dims(&batch)
        .dims(&a_strides)
        .dims(&b_strides)
        .finish()?;
    let bindings = vec![l.region(a), l.region(b), l.region(y)];
    let operands = (&a_op, &b_op);
    let kind = (false, batch.len());
    dispatch(l, kind, (m, n, k), batches, operands, bindings, params)
}

pub fn gemm(l: &Lowering, op: &Gemm) -> Result<Kernel, CompileError> {
    let (a, b, y) = (l.input(0).unwrap(), l.input(1).unwrap(), l.output());
    let c = l.input(2);
    let (a_shape, b_shape) = (l.shape(a), l.shape(b));
    let (m, k) = if op.trans_a {
        (a_shape[1], a_shape[0])
    } else {
        (a_shape[0], a_shape[1])
    };
    let n = if op.trans_b { b_shape[0] } else { b_shape[1] };
    // A transposed operand is the same bytes read with row and column strides swapped.
    let a_op = if op.trans_a {
        Operand {
            offset: 0,
            row: 1,
            col: m,
        }
    } else {
        Operand {
            offset: 0,
            row: k,
            col: 1,
        }
    };
    let b_op = if op.trans_b {
        Operand {
            offset: 0,
            row: 1,
            col: k,
        }
    } else {
        Operand {
            offset: 0,
            row: n,
            col: 1,
        }
    };
    let c_strides = match c {
        Some(c) => {
            let s = broadcast_strides(l.shape(c), &[m, n]);
            (s[0], s[1])
        }
        None => (0, 0),
    };
    let params = header(m, n, k, m * n, op.alpha, op.beta, c_strides, &a_op, &b_op)
        .dims(&[])
        .dims(&[])
        .dims(&[])
        .finish()?;
    let mut bindings = vec![l.region(a), l.region(b)];
    bindings.extend(c.map(|c| l.region(c)));
    bindings.push(l.region(y));
    let kind = (c.is_some(), 0);
    dispatch(l, kind, (m, n, k), 1, (&a_op, &b_op), bindings, params)
}

#[allow(clippy::too_many_arguments)]
fn header(
    m: usize,
    n: usize,
    k: usize,
    total: usize,
    alpha: f32,
    beta: f32,
    c: (usize, usize),
    a: &Operand,
    b: &Operand,
) -> Params {
    Params::new()
        .u32(m)
        .u32(n)
        .u32(k)
        .u32(total)
        .f32(alpha)
        .f32(beta)
        .u32(c.0)
        .u32(c.1)
        .u32(a.row)
        .u32(a.col)
        .u32(b.row)
        .u32(b.col)
        .u32(a.offset)
        .u32(b.offset)
}

/// Numpy broadcast of two batch shapes (already checked compatible by shape inference).
fn broadcast(a: &[usize], b: &[usize]) -> Vec<usize> {
    let rank = a.len().max(b.len());
    (0..rank)
        .map(|d| {
            let pick = |s: &[usize]| (d + s.len()).checked_sub(rank).map_or(1, |i| s[i]);
            pick(a).max(pick(b))
        })
        .collect()
}
