//! Elementwise functions of one tensor. A new kind needs a variant, an entry in `KINDS` and an arm
//! in each match.

use super::common::{check_arity, check_dtype, constants, required};
use crate::op::Semantics;
use crate::{Attributes, DataType, OpError, Tensor, TensorType, Value};

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum UnaryKind {
    Relu,
    Sigmoid,
    Sin,
    Cos,
    Sqrt,
    Exp,
    Neg,
    Abs,
    Tanh,
    Reciprocal,
    /// x where x ≥ 0, else alpha·x.
    LeakyRelu {
        alpha: f32,
    },
}

/// Each kind with its attributes' defaults, and its op type.
const KINDS: [(UnaryKind, &str); 11] = [
    (UnaryKind::Relu, "Relu"),
    (UnaryKind::Sigmoid, "Sigmoid"),
    (UnaryKind::Sin, "Sin"),
    (UnaryKind::Cos, "Cos"),
    (UnaryKind::Sqrt, "Sqrt"),
    (UnaryKind::Exp, "Exp"),
    (UnaryKind::Neg, "Neg"),
    (UnaryKind::Abs, "Abs"),
    (UnaryKind::Tanh, "Tanh"),
    (UnaryKind::Reciprocal, "Reciprocal"),
    (UnaryKind::LeakyRelu { alpha: 0.01 }, "LeakyRelu"),
];

impl UnaryKind {
    pub fn from_op_type(op_type: &str) -> Option<UnaryKind> {
        KINDS
            .iter()
            .find(|(_, name)| *name == op_type)
            .map(|&(k, _)| k)
    }

    pub fn op_type(self) -> &'static str {
        let same = |k: &UnaryKind| std::mem::discriminant(k) == std::mem::discriminant(&self);
        KINDS.iter().find(|(k, _)| same(k)).unwrap().1
    }

    fn apply(self, x: f32) -> f32 {
        match self {
            // Written so that NaN stays NaN, as with numpy's maximum.
            UnaryKind::Relu => {
                if x < 0.0 {
                    0.0
                } else {
                    x
                }
            }
            UnaryKind::Sigmoid => 1.0 / (1.0 + (-x).exp()),
            UnaryKind::Sin => x.sin(),
            UnaryKind::Cos => x.cos(),
            UnaryKind::Sqrt => x.sqrt(),
            UnaryKind::Exp => x.exp(),
            UnaryKind::Neg => -x,
            UnaryKind::Abs => x.abs(),
            UnaryKind::Tanh => x.tanh(),
            UnaryKind::Reciprocal => 1.0 / x,
            UnaryKind::LeakyRelu { alpha } => {
                if x >= 0.0 {
                    x
                } else {
                    alpha * x
                }
            }
        }
    }
}

/// Only float32 is implemented (Relu since opset 14, Neg and Abs also allow integers).
#[derive(Clone, Debug, PartialEq)]
pub struct Unary {
    pub kind: UnaryKind,
}

impl Unary {
    pub fn parse(op_type: &str, attrs: &Attributes) -> Result<Unary, OpError> {
        let mut kind =
            UnaryKind::from_op_type(op_type).ok_or_else(|| OpError::Unsupported(op_type.into()))?;
        match &mut kind {
            UnaryKind::LeakyRelu { alpha } => {
                attrs.only(&["alpha"])?;
                *alpha = attrs.float("alpha", *alpha)?;
                // Kernels write it as a WGSL literal, which has no NaN or infinity.
                if !alpha.is_finite() {
                    return Err(OpError::Attribute {
                        name: "alpha".into(),
                        reason: format!("{alpha} is not a finite number"),
                    });
                }
            }
            _ => attrs.only(&[])?,
        }
        Ok(Unary { kind })
    }
}

impl Semantics for Unary {
    fn infer(&self, inputs: &[Option<Value>]) -> Result<Vec<TensorType>, OpError> {
        check_arity(inputs, 1, 1)?;
        let x = required(inputs, 0, "X")?.ty;
        check_dtype("X", x, &[DataType::Float])?;
        Ok(vec![x.clone()])
    }

    fn eval(&self, inputs: &[Option<&Tensor>]) -> Result<Vec<Tensor>, OpError> {
        let out = self.infer(&constants(inputs))?.remove(0);
        let x = required(inputs, 0, "X")?.f32s();
        let values: Vec<f32> = x.into_iter().map(|v| self.kind.apply(v)).collect();
        Ok(vec![Tensor::from_f32(out.shape, &values)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::common::testing::{attrs, eval, infer_shape};
    use crate::Attribute;

    #[test]
    fn parse() {
        let relu = Unary::parse("Relu", &Attributes::default()).unwrap();
        assert_eq!(relu.kind.op_type(), "Relu");
        assert!(Unary::parse("Relu", &attrs(&[("alpha", Attribute::Float(0.1))])).is_err());
        assert!(Unary::parse("Erf", &Attributes::default()).is_err());
        let leaky = Unary::parse("LeakyRelu", &Attributes::default()).unwrap();
        assert_eq!(leaky.kind, UnaryKind::LeakyRelu { alpha: 0.01 });
        let leaky = Unary::parse("LeakyRelu", &attrs(&[("alpha", Attribute::Float(0.1))])).unwrap();
        assert_eq!(leaky.kind.op_type(), "LeakyRelu");
        let infinite = attrs(&[("alpha", Attribute::Float(f32::INFINITY))]);
        assert!(Unary::parse("LeakyRelu", &infinite).is_err());
        for (kind, name) in KINDS {
            assert_eq!(UnaryKind::from_op_type(name), Some(kind));
            assert_eq!(kind.op_type(), name);
        }
    }

    #[test]
    fn values() {
        let x = Tensor::from_f32(vec![3], &[-1.0, 0.0, 2.0]);
        let relu = Unary::parse("Relu", &Attributes::default()).unwrap();
        assert_eq!(eval(&relu, [x.clone()]).unwrap().f32s(), [0.0, 0.0, 2.0]);
        let sigmoid = Unary::parse("Sigmoid", &Attributes::default()).unwrap();
        let y = eval(&sigmoid, [x]).unwrap().f32s();
        assert!((y[0] - 0.268_941_4).abs() < 1e-6 && y[1] == 0.5);
        let x = Tensor::from_f32(vec![4], &[-4.0, 0.25, 1.0, 4.0]);
        let cases: [(&str, [f32; 4]); 9] = [
            (
                "Sin",
                [(-4f32).sin(), 0.25f32.sin(), 1f32.sin(), 4f32.sin()],
            ),
            ("Cos", [4f32.cos(), 0.25f32.cos(), 1f32.cos(), 4f32.cos()]),
            ("Sqrt", [f32::NAN, 0.5, 1.0, 2.0]),
            (
                "Exp",
                [(-4f32).exp(), 0.25f32.exp(), 1f32.exp(), 4f32.exp()],
            ),
            ("Neg", [4.0, -0.25, -1.0, -4.0]),
            ("Abs", [4.0, 0.25, 1.0, 4.0]),
            (
                "Tanh",
                [(-4f32).tanh(), 0.25f32.tanh(), 1f32.tanh(), 4f32.tanh()],
            ),
            ("Reciprocal", [-0.25, 4.0, 1.0, 0.25]),
            ("LeakyRelu", [-0.04, 0.25, 1.0, 4.0]),
        ];
        for (name, want) in cases {
            let op = Unary::parse(name, &Attributes::default()).unwrap();
            let got = eval(&op, [x.clone()]).unwrap().f32s();
            for (g, w) in got.iter().zip(want) {
                assert!(g == &w || (g.is_nan() && w.is_nan()), "{name}: {got:?}");
            }
        }
        let ints = TensorType::new(DataType::Int64, vec![2]);
        assert!(infer_shape(&relu, &[ints]).is_err());
    }
}
