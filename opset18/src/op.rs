use crate::ops::*;
use crate::tensor::too_large;
use crate::{Attributes, OpError, Tensor, TensorType};

/// The most bytes of output one node may compute on the CPU at build time (64 MiB). Folding
/// exists for shape arithmetic and small constants; a larger value is left to the device, or, for
/// an operator only the build can evaluate, refused by the compiler unless nothing needs it
/// but its shape.
pub const FOLD_BUDGET: usize = 64 << 20;

/// What shape inference knows about one input: its type, and its contents when constant.
#[derive(Clone, Copy, Debug)]
pub struct Value<'a> {
    pub ty: &'a TensorType,
    pub constant: Option<&'a Tensor>,
}

/// The semantics every operator implements. Optional inputs that are absent are `None`.
pub trait Semantics {
    /// Output types and shapes, after checking the inputs against the spec.
    fn infer(&self, inputs: &[Option<Value>]) -> Result<Vec<TensorType>, OpError>;

    /// Evaluates the operator on constant inputs (build-time folding).
    fn eval(&self, _inputs: &[Option<&Tensor>]) -> Result<Vec<Tensor>, OpError> {
        Err(OpError::NotEvaluable)
    }
}

/// A parsed operator with its checked attributes.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    Binary(binary::Binary),
    Unary(unary::Unary),
    Conv(conv::Conv),
    Einsum(einsum::Einsum),
    MatMul(matmul::MatMul),
    Gemm(gemm::Gemm),
    Softmax(softmax::Softmax),
    Reshape(reshape::Reshape),
    Flatten(flatten::Flatten),
    Identity(identity::Identity),
    Transpose(transpose::Transpose),
    Concat(concat::Concat),
    Constant(constant::Constant),
    Shape(shape::Shape),
    Gather(gather::Gather),
    Unsqueeze(unsqueeze::Unsqueeze),
    Squeeze(squeeze::Squeeze),
    Cast(cast::Cast),
    Slice(slice::Slice),
    Split(split::Split),
    ConstantOfShape(constant_of_shape::ConstantOfShape),
    Pad(pad::Pad),
    Resize(resize::Resize),
    Expand(expand::Expand),
    Where(select::Where),
    Equal(equal::Equal),
    InstanceNormalization(instance_normalization::InstanceNormalization),
    LayerNormalization(layer_normalization::LayerNormalization),
    BatchNormalization(batch_normalization::BatchNormalization),
}

impl Op {
    /// Parses an `ai.onnx` operator of one output by its op type, for a model importing `opset`
    /// (≤ 18).
    pub fn parse(op_type: &str, opset: i64, attrs: &Attributes) -> Result<Op, OpError> {
        Op::parse_node(op_type, opset, attrs, 1)
    }

    /// [`Op::parse`] for a node with `outputs` outputs (Split's count of parts may be that).
    pub fn parse_node(
        op_type: &str,
        opset: i64,
        attrs: &Attributes,
        outputs: usize,
    ) -> Result<Op, OpError> {
        let Some(&(_, since, parse)) = OPSET.iter().find(|(name, ..)| *name == op_type) else {
            return Err(OpError::Unsupported(op_type.to_string()));
        };
        if opset < since {
            return Err(OpError::Unsupported(format!(
                "{op_type} at opset {opset} (its semantics as implemented here start at opset {since})"
            )));
        }
        parse(&Node {
            op_type,
            opset,
            attrs,
            outputs,
        })
    }

    /// Reshape-like operators: the output is the input's elements, in the same order, under
    /// another shape.
    pub fn is_reshape(&self) -> bool {
        matches!(
            self,
            Op::Reshape(_) | Op::Flatten(_) | Op::Identity(_) | Op::Squeeze(_) | Op::Unsqueeze(_)
        )
    }

    /// Whether `op_type` is an operator this crate implements (with some attributes).
    pub fn is_known(op_type: &str) -> bool {
        OPSET.iter().any(|(name, ..)| *name == op_type)
    }

    /// Every op type this crate implements.
    pub fn types() -> impl Iterator<Item = &'static str> {
        OPSET.iter().map(|(name, ..)| *name)
    }

    fn semantics(&self) -> &dyn Semantics {
        match self {
            Op::Binary(op) => op,
            Op::Unary(op) => op,
            Op::Conv(op) => op,
            Op::Einsum(op) => op,
            Op::MatMul(op) => op,
            Op::Gemm(op) => op,
            Op::Softmax(op) => op,
            Op::Reshape(op) => op,
            Op::Flatten(op) => op,
            Op::Identity(op) => op,
            Op::Transpose(op) => op,
            Op::Concat(op) => op,
            Op::Constant(op) => op,
            Op::Shape(op) => op,
            Op::Gather(op) => op,
            Op::Unsqueeze(op) => op,
            Op::Squeeze(op) => op,
            Op::Cast(op) => op,
            Op::Slice(op) => op,
            Op::Split(op) => op,
            Op::Pad(op) => op,
            Op::Resize(op) => op,
            Op::Expand(op) => op,
            Op::Where(op) => op,
            Op::Equal(op) => op,
            Op::ConstantOfShape(op) => op,
            Op::InstanceNormalization(op) => op,
            Op::LayerNormalization(op) => op,
            Op::BatchNormalization(op) => op,
        }
    }

    /// Output types, each with a size that fits (see [`TensorType::checked_bytes`]).
    pub fn infer(&self, inputs: &[Option<Value>]) -> Result<Vec<TensorType>, OpError> {
        let types = self.semantics().infer(inputs)?;
        if let Some(ty) = types.iter().find(|ty| ty.checked_bytes().is_none()) {
            return Err(too_large(ty));
        }
        Ok(types)
    }

    /// The bytes evaluating the node on the CPU would allocate for outputs of types `outputs`,
    /// when that is more than [`FOLD_BUDGET`]. Views of their input and Constant share its bytes
    /// and allocate nothing.
    pub fn over_fold_budget(&self, outputs: &[TensorType]) -> Option<usize> {
        if self.is_reshape() || matches!(self, Op::Constant(_)) {
            return None;
        }
        let bytes = (outputs.iter())
            .try_fold(0usize, |sum, ty| sum.checked_add(ty.checked_bytes()?))
            .unwrap_or(usize::MAX);
        (bytes > FOLD_BUDGET).then_some(bytes)
    }

    pub fn eval(&self, inputs: &[Option<&Tensor>]) -> Result<Vec<Tensor>, OpError> {
        self.semantics().eval(inputs)
    }

    /// The outputs' build-time values, when they can be known: from constant inputs, or for Shape
    /// from the input's type alone. `None` means the node must run on the device: its inputs are
    /// not all constant, or its outputs would take more than [`FOLD_BUDGET`] bytes.
    pub fn fold(&self, inputs: &[Option<Value>]) -> Result<Option<Vec<Tensor>>, OpError> {
        if let (Op::Shape(op), Some(Some(input))) = (self, inputs.first()) {
            return Ok(Some(vec![op.of(&input.ty.shape)]));
        }
        if inputs.iter().flatten().any(|v| v.constant.is_none()) {
            return Ok(None);
        }
        if self.over_fold_budget(&self.infer(inputs)?).is_some() {
            return Ok(None);
        }
        let constants: Vec<Option<&Tensor>> =
            inputs.iter().map(|v| v.and_then(|v| v.constant)).collect();
        match self.eval(&constants) {
            Ok(values) => Ok(Some(values)),
            Err(OpError::NotEvaluable) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// What an operator's parser sees of its node.
struct Node<'a> {
    op_type: &'a str,
    opset: i64,
    attrs: &'a Attributes,
    outputs: usize,
}

/// Parses one operator's attributes.
type Parse = fn(&Node) -> Result<Op, OpError>;

/// Every operator implemented here: its op type, the earliest opset whose version of it means the
/// same as its opset-18 version (older versions differ in attributes, inputs or defaults, so they
/// are refused), and its parser.
const OPSET: &[(&str, i64, Parse)] = &[
    // Pow 12 and 15 only allow more types (an exponent type of its own, bfloat16).
    ("Add", 7, binary),
    ("Sub", 7, binary),
    ("Mul", 7, binary),
    ("Div", 7, binary),
    ("Pow", 7, binary),
    ("Relu", 6, unary),
    ("Sigmoid", 6, unary),
    ("Sin", 7, unary),
    ("Cos", 7, unary),
    ("Sqrt", 6, unary),
    ("Exp", 6, unary),
    ("Neg", 6, unary),
    ("Abs", 6, unary),
    ("Tanh", 6, unary),
    ("Reciprocal", 6, unary),
    // 16 only allows bfloat16 as well.
    ("LeakyRelu", 6, unary),
    ("Conv", 1, |n| conv::Conv::parse(n.attrs).map(Op::Conv)),
    ("Einsum", 12, |n| {
        einsum::Einsum::parse(n.attrs).map(Op::Einsum)
    }),
    ("MatMul", 1, |n| {
        matmul::MatMul::parse(n.attrs).map(Op::MatMul)
    }),
    ("Gemm", 11, |n| gemm::Gemm::parse(n.attrs).map(Op::Gemm)),
    ("Softmax", 13, |n| {
        softmax::Softmax::parse(n.attrs).map(Op::Softmax)
    }),
    ("Reshape", 5, |n| {
        reshape::Reshape::parse(n.attrs).map(Op::Reshape)
    }),
    ("Flatten", 9, |n| {
        flatten::Flatten::parse(n.attrs).map(Op::Flatten)
    }),
    ("Identity", 1, |n| {
        identity::Identity::parse(n.attrs).map(Op::Identity)
    }),
    ("Transpose", 1, |n| {
        transpose::Transpose::parse(n.attrs).map(Op::Transpose)
    }),
    ("Concat", 11, |n| {
        concat::Concat::parse(n.attrs).map(Op::Concat)
    }),
    ("Constant", 1, |n| {
        constant::Constant::parse(n.attrs).map(Op::Constant)
    }),
    ("Shape", 1, |n| shape::Shape::parse(n.attrs).map(Op::Shape)),
    ("Gather", 11, |n| {
        gather::Gather::parse(n.attrs).map(Op::Gather)
    }),
    ("Unsqueeze", 13, |n| {
        unsqueeze::Unsqueeze::parse(n.attrs).map(Op::Unsqueeze)
    }),
    ("Squeeze", 13, |n| {
        squeeze::Squeeze::parse(n.attrs).map(Op::Squeeze)
    }),
    ("Cast", 6, |n| cast::Cast::parse(n.attrs).map(Op::Cast)),
    ("Slice", 10, |n| slice::Slice::parse(n.attrs).map(Op::Slice)),
    // Split 13 took the sizes as an input; 18 added num_outputs, which parsing refuses before.
    ("Split", 13, |n| {
        split::Split::parse(n.attrs, n.opset, n.outputs).map(Op::Split)
    }),
    ("Pad", 18, |n| pad::Pad::parse(n.attrs).map(Op::Pad)),
    ("Resize", 18, |n| {
        resize::Resize::parse(n.attrs).map(Op::Resize)
    }),
    ("Expand", 13, |n| {
        expand::Expand::parse(n.attrs).map(Op::Expand)
    }),
    ("Where", 16, |n| {
        select::Where::parse(n.attrs).map(Op::Where)
    }),
    ("Equal", 13, |n| equal::Equal::parse(n.attrs).map(Op::Equal)),
    ("ConstantOfShape", 9, |n| {
        constant_of_shape::ConstantOfShape::parse(n.attrs).map(Op::ConstantOfShape)
    }),
    ("InstanceNormalization", 6, |n| {
        instance_normalization::InstanceNormalization::parse(n.attrs).map(Op::InstanceNormalization)
    }),
    ("LayerNormalization", 17, |n| {
        layer_normalization::LayerNormalization::parse(n.attrs).map(Op::LayerNormalization)
    }),
    // 14 and 15 differ only in the types allowed for the statistics.
    ("BatchNormalization", 14, |n| {
        batch_normalization::BatchNormalization::parse(n.attrs).map(Op::BatchNormalization)
    }),
];

fn binary(n: &Node) -> Result<Op, OpError> {
    binary::Binary::parse(n.op_type, n.attrs).map(Op::Binary)
}

fn unary(n: &Node) -> Result<Op, OpError> {
    unary::Unary::parse(n.op_type, n.attrs).map(Op::Unary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_op_type_has_one_entry() {
        for (k, (name, ..)) in OPSET.iter().enumerate() {
            assert!(OPSET[..k].iter().all(|(n, ..)| n != name), "{name} twice");
        }
        assert!(Op::is_known("Conv") && !Op::is_known("Erf"));
    }
}
