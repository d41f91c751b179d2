//! Element-by-element kernels: binary arithmetic with broadcasting, unary activations, casts.

use onnx2wgsl_opset18::ops::binary::Binary;
use onnx2wgsl_opset18::ops::cast::Cast;
use onnx2wgsl_opset18::ops::unary::Unary;
use onnx2wgsl_opset18::DataType;
use serde::Serialize;

use super::epilogue::{alpha, binary_name, unary_name};
use super::params::{check_rank, Params};
use super::{Kernel, Lowering};
use crate::strides::View;
use crate::CompileError;

#[derive(Serialize)]
struct BinaryContext {
    op: &'static str,
    ty: &'static str,
    /// The type of b: Pow's exponent may be an integer under a float base.
    b_ty: &'static str,
    /// The types a, b and y are stored as.
    stored: [&'static str; 3],
    rank: usize,
}

/// The WGSL element type a tensor of `dtype` has on the device.
pub fn wgsl_type(dtype: DataType) -> &'static str {
    match dtype {
        DataType::Float => "f32",
        DataType::Int32 | DataType::Int64 => "i32",
        DataType::Bool => "u32",
    }
}

pub fn binary(l: &Lowering, op: &Binary) -> Result<Kernel, CompileError> {
    let (a, b, y) = (l.input(0).unwrap(), l.input(1).unwrap(), l.output());
    let out = l.shape(y);
    check_rank(out.len(), "an elementwise result")?;
    let context = BinaryContext {
        op: binary_name(op.kind),
        ty: wgsl_type(l.graph.tensor(y).ty.dtype),
        b_ty: wgsl_type(l.graph.tensor(b).ty.dtype),
        stored: [l.storage(a), l.storage(b), l.storage(y)],
        rank: out.len(),
    };
    let n: usize = out.iter().product();
    let (va, vb) = (l.view(a), l.view(b));
    let params = Params::new()
        .u32(n)
        .u32(va.offset)
        .u32(vb.offset)
        .dims(out)
        .dims(&va.broadcast(l.shape(a), out))
        .dims(&vb.broadcast(l.shape(b), out))
        .finish()?;
    let bindings = vec![l.region(a), l.region(b), l.region(y)];
    l.kernel("elementwise/binary.wgsl", &context, bindings, params, n)
}

#[derive(Serialize)]
struct UnaryContext {
    op: &'static str,
    alpha: Option<String>,
    /// The rank of a strided input, 0 for a contiguous one.
    rank: usize,
    /// The types x and y are stored as.
    stored: [&'static str; 2],
}

pub fn unary(l: &Lowering, op: &Unary) -> Result<Kernel, CompileError> {
    let (x, y) = (l.input(0).unwrap(), l.output());
    let (shape, view) = (l.shape(x), l.view(x));
    // Contiguous input needs no index arithmetic; a strided view (a slice) does.
    let strided = view.strides != View::contiguous(shape).strides;
    check_rank(shape.len(), "a unary operand")?;
    let context = UnaryContext {
        op: unary_name(op.kind),
        alpha: alpha(op.kind),
        rank: if strided { shape.len() } else { 0 },
        stored: [l.storage(x), l.storage(y)],
    };
    let n = l.graph.tensor(y).ty.numel();
    let mut params = Params::new().u32(n).u32(view.offset);
    if strided {
        params = params.dims(shape).dims(&view.strides);
    }
    let params = params.finish()?;
    l.kernel(
        "elementwise/unary.wgsl",
        &context,
        vec![l.region(x), l.region(y)],
        params,
        n,
    )
}

#[derive(Serialize)]
struct CastContext {
    from: &'static str,
    to: &'static str,
    /// The types x and y are stored as.
    stored: [&'static str; 2],
    to_bool: bool,
}

pub fn cast(l: &Lowering, op: &Cast) -> Result<Kernel, CompileError> {
    let (x, y) = (l.input(0).unwrap(), l.output());
    let context = CastContext {
        from: wgsl_type(l.graph.tensor(x).ty.dtype),
        to: wgsl_type(op.to),
        stored: [l.storage(x), l.storage(y)],
        to_bool: op.to == DataType::Bool,
    };
    let n = l.graph.tensor(y).ty.numel();
    let params = Params::new().u32(n).finish()?;
    l.kernel(
        "elementwise/cast.wgsl",
        &context,
        vec![l.region(x), l.region(y)],
        params,
        n,
    )
}
