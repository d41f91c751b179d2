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
        let since = same_semantics_since(op_type);
        if opset < since {
            return Err(OpError::Unsupported(format!(
                "{op_type} at opset {opset} (its semantics as implemented here start at opset {since})"
            )));
        }
        Ok(match op_type {
            "Add" | "Sub" | "Mul" | "Div" | "Pow" => {
                Op::Binary(binary::Binary::parse(op_type, attrs)?)
            }
            "Relu" | "Sigmoid" | "Sin" | "Cos" | "Sqrt" | "Exp" | "Neg" | "Abs" | "Tanh"
            | "Reciprocal" => Op::Unary(unary::Unary::parse(op_type, attrs)?),
            "Conv" => Op::Conv(conv::Conv::parse(attrs)?),
            "Einsum" => Op::Einsum(einsum::Einsum::parse(attrs)?),
            "MatMul" => Op::MatMul(matmul::MatMul::parse(attrs)?),
            "Gemm" => Op::Gemm(gemm::Gemm::parse(attrs)?),
            "Softmax" => Op::Softmax(softmax::Softmax::parse(attrs)?),
            "Reshape" => Op::Reshape(reshape::Reshape::parse(attrs)?),
            "Flatten" => Op::Flatten(flatten::Flatten::parse(attrs)?),
            "Identity" => Op::Identity(identity::Identity::parse(attrs)?),
            "Transpose" => Op::Transpose(transpose::Transpose::parse(attrs)?),
            "Concat" => Op::Concat(concat::Concat::parse(attrs)?),
            "Constant" => Op::Constant(constant::Constant::parse(attrs)?),
            "Shape" => Op::Shape(shape::Shape::parse(attrs)?),
            "Gather" => Op::Gather(gather::Gather::parse(attrs)?),
            "Unsqueeze" => Op::Unsqueeze(unsqueeze::Unsqueeze::parse(attrs)?),
            "Squeeze" => Op::Squeeze(squeeze::Squeeze::parse(attrs)?),
            "Cast" => Op::Cast(cast::Cast::parse(attrs)?),
            "Slice" => Op::Slice(slice::Slice::parse(attrs)?),
            "Split" => Op::Split(split::Split::parse(attrs, opset, outputs)?),
            "Pad" => Op::Pad(pad::Pad::parse(attrs)?),
            "Resize" => Op::Resize(resize::Resize::parse(attrs)?),
            "Expand" => Op::Expand(expand::Expand::parse(attrs)?),
            "Where" => Op::Where(select::Where::parse(attrs)?),
            "Equal" => Op::Equal(equal::Equal::parse(attrs)?),
            "ConstantOfShape" => {
                Op::ConstantOfShape(constant_of_shape::ConstantOfShape::parse(attrs)?)
            }
            "InstanceNormalization" => Op::InstanceNormalization(
                instance_normalization::InstanceNormalization::parse(attrs)?,
            ),
            "LayerNormalization" => {
                Op::LayerNormalization(layer_normalization::LayerNormalization::parse(attrs)?)
            }
            "BatchNormalization" => {
                Op::BatchNormalization(batch_normalization::BatchNormalization::parse(attrs)?)
            }
            _ => return Err(OpError::Unsupported(op_type.to_string())),
        })
    }

    /// Whether `op_type` is an operator this crate implements (with some attributes).
    pub fn is_known(op_type: &str) -> bool {
        let unknown = OpError::Unsupported(op_type.to_string());
        Op::parse(op_type, 18, &Attributes::default()).err() != Some(unknown)
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
        if matches!(
            self,
            Op::Reshape(_)
                | Op::Flatten(_)
                | Op::Squeeze(_)
                | Op::Unsqueeze(_)
                | Op::Identity(_)
                | Op::Constant(_)
        ) {
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

/// The earliest opset whose version of the operator means the same as its opset-18 version (older
/// versions differ in attributes, inputs or defaults, so they are not accepted).
fn same_semantics_since(op_type: &str) -> i64 {
    match op_type {
        "Pad" | "Resize" => 18,
        "LayerNormalization" => 17,
        "Where" => 16,
        "Expand" | "Equal" => 13,
        // 14 and 15 differ only in the types allowed for the statistics.
        "BatchNormalization" => 14,
        // Split 13 took the sizes as an input; 18 added num_outputs, which parsing refuses before.
        "Softmax" | "Unsqueeze" | "Squeeze" | "Split" => 13,
        "Einsum" => 12,
        "Gemm" | "Concat" | "Gather" => 11,
        "Slice" => 10,
        "Flatten" | "ConstantOfShape" => 9,
        // Pow 12 and 15 only allow more types (an exponent type of its own, bfloat16).
        "Add" | "Sub" | "Mul" | "Div" | "Pow" => 7,
        "Sin" | "Cos" => 7,
        "Relu" | "Sigmoid" | "Cast" | "InstanceNormalization" => 6,
        "Sqrt" | "Exp" | "Neg" | "Abs" | "Tanh" | "Reciprocal" => 6,
        "Reshape" => 5,
        _ => 1,
    }
}
