//! Strided copies: Transpose, Slice, Expand (stride 0 along broadcast axes), Concat (each input
//! into its slot, in one dispatch), and outputs whose bytes live elsewhere.

use onnx2wgsl_opset18::ops::concat::Concat;
use onnx2wgsl_opset18::ops::normalize_axis;
use onnx2wgsl_opset18::ops::slice::Slice;
use onnx2wgsl_opset18::ops::transpose::Transpose;
use onnx2wgsl_runtime::plan::Region;
use serde::Serialize;

use super::params::{check_rank, Params};
use super::{kernel, Kernel, Lowering};
use crate::ir::{Graph, TensorId};
use crate::strides::contiguous_strides;
use crate::target::Target;
use crate::CompileError;

#[derive(Serialize)]
struct Context {
    rank: usize,
    src_ty: &'static str,
    dst_ty: &'static str,
}

struct Copy<'a> {
    /// The WGSL types of the source's and the destination's elements: the same (see
    /// [`Target::copy_type`]) but for conversions between a plan's f16 tensors and the host's f32.
    types: [&'static str; 2],
    shape: &'a [usize],
    src: Region,
    src_offset: i64,
    src_strides: Vec<i64>,
    dst: Region,
    dst_offset: usize,
    dst_strides: Vec<usize>,
}

fn copy(c: Copy, target: &Target) -> Result<Kernel, CompileError> {
    check_rank(c.shape.len(), "a copied tensor")?;
    let n: usize = c.shape.iter().product();
    let params = Params::new()
        .u32(n)
        .i32(c.src_offset)
        .u32(c.dst_offset)
        .dims(c.shape)
        .signed_dims(&c.src_strides)
        .dims(&c.dst_strides)
        .finish()?;
    kernel(
        "copy.wgsl",
        &Context {
            rank: c.shape.len(),
            src_ty: c.types[0],
            dst_ty: c.types[1],
        },
        vec![c.src, c.dst],
        params,
        n,
        target,
    )
}

pub fn transpose(l: &Lowering, op: &Transpose) -> Result<Kernel, CompileError> {
    let (x, y) = (l.input(0).unwrap(), l.output());
    let view = l.view(x);
    let perm = op
        .resolved_perm(l.shape(x).len())
        .map_err(|e| l.op_error(e))?;
    let out = l.shape(y);
    copy(
        Copy {
            types: [l.target.copy_type(l.graph.tensor(y).ty.dtype); 2],
            shape: out,
            src: l.region(x),
            src_offset: view.offset as i64,
            // Output axis d reads input axis perm[d].
            src_strides: perm.iter().map(|&p| view.strides[p] as i64).collect(),
            dst: l.region(y),
            dst_offset: 0,
            dst_strides: contiguous_strides(out),
        },
        l.target,
    )
}

#[derive(Serialize)]
struct ConcatContext {
    rank: usize,
    /// How elements are read and written (see [`Target::copy_type`]).
    elements: &'static str,
    sources: Vec<Source>,
}

#[derive(Serialize)]
struct Source {
    name: String,
    /// Where its entries of `ends` and `offsets` are (`[vec4][component]`).
    at: String,
}

/// Inputs one concatenation dispatch reads: WebGPU's 8 storage buffers per stage, less the
/// output.
const CONCAT_SOURCES: usize = 7;

/// Concatenation in one dispatch per [`CONCAT_SOURCES`] non-empty inputs: each dispatch fills the
/// box of the output that its inputs' slots make up.
pub fn concat(l: &Lowering, op: &Concat) -> Result<Vec<Kernel>, CompileError> {
    let y = l.output();
    let out = l.shape(y);
    check_rank(out.len(), "a concatenated tensor")?;
    let axis = normalize_axis(op.axis, out.len()).map_err(|e| l.op_error(e))?;
    let out_strides = contiguous_strides(out);
    // (input, first index of its slot along the axis), empty inputs left out.
    let mut slots = Vec::new();
    let mut start = 0;
    for x in l.node.inputs.iter().flatten().copied() {
        let size = l.shape(x)[axis];
        if size > 0 {
            slots.push((x, start));
        }
        start += size;
    }
    let mut kernels = Vec::new();
    for part in slots.chunks(CONCAT_SOURCES) {
        let first = part[0].1;
        let ends: Vec<usize> = (part.iter())
            .map(|&(x, s)| s - first + l.shape(x)[axis])
            .collect();
        let mut shape = out.to_vec();
        shape[axis] = ends[ends.len() - 1];
        let views: Vec<_> = part.iter().map(|&(x, _)| l.view(x)).collect();
        let offsets: Vec<usize> = views.iter().map(|v| v.offset).collect();
        let n: usize = shape.iter().product();
        let mut params = Params::new()
            .u32(n)
            .u32(axis)
            .u32(first * out_strides[axis])
            .dims(&ends)
            .dims(&offsets)
            .dims(&shape)
            .dims(&out_strides);
        for view in &views {
            params = params.dims(&view.strides);
        }
        let mut bindings: Vec<Region> = part.iter().map(|&(x, _)| l.region(x)).collect();
        bindings.push(l.region(y));
        let context = ConcatContext {
            rank: out.len(),
            elements: l.target.copy_type(l.graph.tensor(y).ty.dtype),
            sources: (0..part.len())
                .map(|k| Source {
                    name: format!("x{k}"),
                    at: format!("[{}][{}]", k / 4, k % 4),
                })
                .collect(),
        };
        kernels.push(kernel(
            "concat.wgsl",
            &context,
            bindings,
            params.finish()?,
            n,
            l.target,
        )?);
    }
    Ok(kernels)
}

pub fn slice(l: &Lowering) -> Result<Kernel, CompileError> {
    let (x, y) = (l.input(0).unwrap(), l.output());
    let ranges = Slice::resolve(&l.values()).map_err(|e| l.op_error(e))?;
    let view = l.view(x);
    let in_strides = &view.strides;
    let out = l.shape(y);
    let start: i64 = (ranges.iter().zip(in_strides))
        .map(|(r, &s)| (r.start * s) as i64)
        .sum();
    copy(
        Copy {
            types: [l.target.copy_type(l.graph.tensor(y).ty.dtype); 2],
            shape: out,
            src: l.region(x),
            src_offset: view.offset as i64 + start,
            src_strides: ranges
                .iter()
                .zip(in_strides)
                .map(|(r, &s)| r.step * s as i64)
                .collect(),
            dst: l.region(y),
            dst_offset: 0,
            dst_strides: contiguous_strides(out),
        },
        l.target,
    )
}

pub fn expand(l: &Lowering) -> Result<Kernel, CompileError> {
    let (x, y) = (l.input(0).unwrap(), l.output());
    let out = l.shape(y);
    let view = l.view(x);
    copy(
        Copy {
            types: [l.target.copy_type(l.graph.tensor(y).ty.dtype); 2],
            shape: out,
            src: l.region(x),
            src_offset: view.offset as i64,
            src_strides: signed(view.broadcast(l.shape(x), out)),
            dst: l.region(y),
            dst_offset: 0,
            dst_strides: contiguous_strides(out),
        },
        l.target,
    )
}

fn signed(strides: Vec<usize>) -> Vec<i64> {
    strides.into_iter().map(|s| s as i64).collect()
}

/// Copies a graph output's elements from where they live into the output's own buffer, as the
/// f32 the host reads where the plan stores floats as f16.
pub fn materialize(
    graph: &Graph,
    target: &Target,
    source: Region,
    output: TensorId,
    destination: Region,
) -> Result<Kernel, CompileError> {
    let dtype = graph.tensor(output).ty.dtype;
    let ty = target.copy_type(dtype);
    let host = if target.converts(dtype) { "f32" } else { ty };
    flat(graph, target, output, [(source, ty), (destination, host)])
}

/// Converts a float graph input from the f32 the host writes, at `host`, to the plan's f16.
pub fn convert_input(
    graph: &Graph,
    target: &Target,
    host: Region,
    input: TensorId,
    region: Region,
) -> Result<Kernel, CompileError> {
    let ty = target.copy_type(graph.tensor(input).ty.dtype);
    flat(graph, target, input, [(host, "f32"), (region, ty)])
}

/// Copies all of `tensor`'s elements in order from one (region, type) to another; either may be
/// larger than one binding (a big f32 input of an f16 plan).
fn flat(
    graph: &Graph,
    target: &Target,
    tensor: TensorId,
    [(source, src_ty), (destination, dst_ty)]: [(Region, &'static str); 2],
) -> Result<Kernel, CompileError> {
    let flat = [graph.tensor(tensor).ty.numel()];
    copy(
        Copy {
            types: [src_ty, dst_ty],
            shape: &flat,
            src: source,
            src_offset: 0,
            src_strides: vec![1],
            dst: destination,
            dst_offset: 0,
            dst_strides: vec![1],
        },
        target,
    )
    .map(|k| k.splittable(&[1, 2]))
}
