//! What each kernel family of `codegen` can do and needs, declared once and before the stages
//! that ask: fusion (epilogues), the views pass (strided reads), memory planning (parameter inputs,
//! scratch space) and codegen itself (element types).

use onnx2wgsl_opset18::ops::binary::BinaryKind;
use onnx2wgsl_opset18::ops::normalize_axis;
use onnx2wgsl_opset18::Op;

use crate::ir::{Graph, Node};

/// What the kernel that runs an operator on the device can do.
#[derive(Clone, Copy, Debug, Default)]
pub struct Traits {
    /// It applies a fused epilogue to every element it stores.
    pub epilogue: bool,
    /// It can store its result in another order than its own ([`crate::ir::Epilogue::store`]).
    pub reorder: bool,
    /// It reads its bound inputs through an offset and strides, so they may be views.
    pub strided: bool,
    /// Inputs after the first only configure the kernel: read at build time, never bound.
    pub parameters: bool,
    /// `Some(why)` when it computes in float32 only; `why` (possibly empty) ends the refusal of
    /// other types.
    pub float_only: Option<&'static str>,
}

const FLOAT: Option<&str> = Some("");

/// The traits of the kernel that runs `op`, by family (the modules of `codegen/`); `None` for
/// operators that run only at build time.
pub fn traits(op: &Op) -> Option<Traits> {
    let none = Traits::default();
    Some(match op {
        // elementwise
        Op::Binary(op) => Traits {
            epilogue: true,
            strided: true,
            float_only: (op.kind == BinaryKind::Pow)
                .then_some(" (integer powers are computed at build time)"),
            ..none
        },
        Op::Unary(_) => Traits {
            epilogue: true,
            strided: true,
            float_only: FLOAT,
            ..none
        },
        Op::Cast(_) => none,
        // conv: convolutions could read strided inputs too, but measured on an H200 (with the
        // direct kernel) the UNet ran 36% slower with its token-layout (NHWC) inputs read in place
        // than with them transposed first, so they read contiguous data.
        Op::Conv(_) => Traits {
            epilogue: true,
            reorder: true,
            float_only: FLOAT,
            ..none
        },
        // einsum
        Op::Einsum(_) => Traits {
            epilogue: true,
            reorder: true,
            strided: true,
            ..none
        },
        // matmul
        Op::MatMul(_) => Traits {
            epilogue: true,
            strided: true,
            float_only: FLOAT,
            ..none
        },
        Op::Gemm(_) => Traits {
            epilogue: true,
            float_only: FLOAT,
            ..none
        },
        // softmax
        Op::Softmax(_) => Traits {
            strided: true,
            float_only: FLOAT,
            ..none
        },
        // copy
        Op::Transpose(_) | Op::Concat(_) => Traits {
            strided: true,
            ..none
        },
        Op::Slice(_) | Op::Expand(_) => Traits {
            strided: true,
            parameters: true,
            ..none
        },
        // gather, boolean
        Op::Gather(_) | Op::Equal(_) | Op::Where(_) => none,
        // pad (its constant_value goes into the kernel's uniforms), resize
        Op::Pad(_) | Op::Resize(_) => Traits {
            parameters: true,
            ..none
        },
        // normalization
        Op::InstanceNormalization(_) | Op::LayerNormalization(_) => Traits {
            epilogue: true,
            reorder: true,
            float_only: FLOAT,
            ..none
        },
        Op::BatchNormalization(_) => Traits {
            float_only: FLOAT,
            ..none
        },
        _ => return None,
    })
}

/// Whether the input at `index` only configures `op`'s kernel.
pub fn is_parameter(op: &Op, index: usize) -> bool {
    traits(op).is_some_and(|t| t.parameters) && index > 0
}

/// Whether `op`'s kernel reads the input at `index` through an offset and strides.
pub fn reads_strided(op: &Op, index: usize) -> bool {
    traits(op).is_some_and(|t| t.strided) && !is_parameter(op, index)
}

/// Bytes of scratch space the node's kernels use while it runs, if they need any.
pub fn scratch_bytes(graph: &Graph, node: &Node) -> Option<u64> {
    // At least one word, as for empty tensors: a normalization of an empty tensor has no chunks,
    // and no buffer or binding may be empty.
    chunking(graph, node).map(|c| (c.scratch_floats() as u64 * 4).max(4))
}

/// Runs longer than this are reduced in chunks by many workgroups rather than each by one. Below
/// it, one workgroup per run is fast enough to be worth its single dispatch: on an H200 a run of
/// 2^20 elements took 8.4 ms on one workgroup and 0.25 ms in chunks. The UNet's 46 GroupNorms
/// (64 runs of 10,240 to 40,960) took 1.9 ms in chunks against 4.9 ms one workgroup per run (H200,
/// side by side), for 92 more dispatches.
const LONG_RUN: usize = 1 << 13;
/// Elements per chunk of a long run.
pub const CHUNK: usize = 4096;

/// How a node's runs are split into chunks, when they are long enough to be.
pub struct Chunking {
    pub groups: usize,
    pub len: usize,
    pub chunks: usize,
}

impl Chunking {
    /// Scratch floats: (mean, squared deviations) per chunk, then (mean, inv_std) per run.
    pub fn scratch_floats(&self) -> usize {
        2 * self.groups * self.chunks + 2 * self.groups
    }
}

/// The chunking of an InstanceNormalization or LayerNormalization (without its optional
/// statistics outputs) whose runs exceed [`LONG_RUN`]; memory planning reserves its scratch.
pub fn chunking(graph: &Graph, node: &Node) -> Option<Chunking> {
    let shape = &graph
        .tensor(node.inputs.first().copied().flatten()?)
        .ty
        .shape;
    let len: usize = match &node.op {
        Op::InstanceNormalization(_) => shape.get(2..)?.iter().product(),
        Op::LayerNormalization(op) if node.outputs.len() == 1 => shape
            [normalize_axis(op.axis, shape.len()).ok()?..]
            .iter()
            .product(),
        _ => return None,
    };
    (len > LONG_RUN).then(|| Chunking {
        groups: shape.iter().product::<usize>() / len,
        len,
        chunks: len.div_ceil(CHUNK),
    })
}
