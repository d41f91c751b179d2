//! Gemm: Y = alpha * A' * B' + beta * C, with A' and B' optionally transposed 2-D matrices and C
//! optional, broadcast unidirectionally to (M, N).

use super::broadcast::{broadcasts_to, source_indices};
use super::common::{check_arity, check_dtype, constants, optional, required};
use crate::op::Semantics;
use crate::{invalid, Attributes, DataType, OpError, Tensor, TensorType, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct Gemm {
    pub alpha: f32,
    pub beta: f32,
    pub trans_a: bool,
    pub trans_b: bool,
}

impl Gemm {
    pub fn parse(attrs: &Attributes) -> Result<Gemm, OpError> {
        attrs.only(&["alpha", "beta", "transA", "transB"])?;
        Ok(Gemm {
            alpha: attrs.float("alpha", 1.0)?,
            beta: attrs.float("beta", 1.0)?,
            // The spec transposes for any non-zero value.
            trans_a: attrs.int("transA", 0)? != 0,
            trans_b: attrs.int("transB", 0)? != 0,
        })
    }

    /// `(M, K, N)` for operands of these shapes, which must be matrices of matching K.
    pub fn mkn(&self, a: &[usize], b: &[usize]) -> Result<(usize, usize, usize), OpError> {
        let (&[a0, a1], &[b0, b1]) = (a, b) else {
            return Err(invalid!("A and B must be 2-D, got shapes {a:?} and {b:?}"));
        };
        let (m, k) = if self.trans_a { (a1, a0) } else { (a0, a1) };
        let (kb, n) = if self.trans_b { (b1, b0) } else { (b0, b1) };
        if k != kb {
            return Err(invalid!(
                "A of shape {a:?} and B of shape {b:?} (transA {}, transB {}) have different K",
                self.trans_a as u8,
                self.trans_b as u8
            ));
        }
        Ok((m, k, n))
    }
}

impl Semantics for Gemm {
    fn infer(&self, inputs: &[Option<Value>]) -> Result<Vec<TensorType>, OpError> {
        check_arity(inputs, 2, 3)?;
        let a = required(inputs, 0, "A")?.ty;
        let b = required(inputs, 1, "B")?.ty;
        check_dtype("A", a, &[DataType::Float, DataType::Int32, DataType::Int64])?;
        check_dtype("B", b, &[a.dtype])?;
        let (m, _, n) = self.mkn(&a.shape, &b.shape)?;
        if let Some(c) = optional(inputs, 2) {
            check_dtype("C", c.ty, &[a.dtype])?;
            if !broadcasts_to(&c.ty.shape, &[m, n]) {
                return Err(invalid!(
                    "C of shape {:?} does not broadcast to [{m}, {n}]",
                    c.ty.shape
                ));
            }
        }
        Ok(vec![TensorType::new(a.dtype, vec![m, n])])
    }

    /// Float only: integer Gemm is left to the device.
    fn eval(&self, inputs: &[Option<&Tensor>]) -> Result<Vec<Tensor>, OpError> {
        let out = self.infer(&constants(inputs))?.remove(0);
        if out.dtype != DataType::Float {
            return Err(OpError::NotEvaluable);
        }
        let (a, b) = (required(inputs, 0, "A")?, required(inputs, 1, "B")?);
        let (m, k, n) = self.mkn(a.shape(), b.shape())?;
        let (av, bv) = (a.f32s(), b.f32s());
        // Element (i, l) of A' and (l, j) of B' in the stored, possibly transposed, layouts.
        let at = |i: usize, l: usize| {
            if self.trans_a {
                av[l * m + i]
            } else {
                av[i * k + l]
            }
        };
        let bt = |l: usize, j: usize| {
            if self.trans_b {
                bv[j * k + l]
            } else {
                bv[l * n + j]
            }
        };
        let c = optional(inputs, 2).map(|c| (c.f32s(), source_indices(c.shape(), &out.shape)));
        let mut values = Vec::with_capacity(m * n);
        for i in 0..m {
            for j in 0..n {
                let dot: f32 = (0..k).map(|l| at(i, l) * bt(l, j)).sum();
                let bias = c
                    .as_ref()
                    .map_or(0.0, |(c, idx)| self.beta * c[idx[i * n + j]]);
                values.push(self.alpha * dot + bias);
            }
        }
        Ok(vec![Tensor::from_f32(out.shape, &values)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::common::testing::{attrs, eval, float, infer_shape};
    use crate::Attribute;

    #[test]
    fn parse() {
        let g = Gemm::parse(&Attributes::default()).unwrap();
        assert_eq!(
            g,
            Gemm {
                alpha: 1.0,
                beta: 1.0,
                trans_a: false,
                trans_b: false
            }
        );
        assert!(Gemm::parse(&attrs(&[("broadcast", Attribute::Int(1))])).is_err());
    }

    #[test]
    fn shapes() {
        let g = Gemm::parse(&attrs(&[("transB", Attribute::Int(1))])).unwrap();
        assert_eq!(
            infer_shape(&g, &[float(&[2, 3]), float(&[4, 3])]),
            Ok(vec![2, 4])
        );
        assert_eq!(
            infer_shape(&g, &[float(&[2, 3]), float(&[4, 3]), float(&[4])]),
            Ok(vec![2, 4])
        );
        assert_eq!(
            infer_shape(&g, &[float(&[2, 3]), float(&[4, 3]), float(&[2, 1])]),
            Ok(vec![2, 4])
        );
        assert!(infer_shape(&g, &[float(&[2, 3]), float(&[4, 3]), float(&[2])]).is_err());
        assert!(infer_shape(&g, &[float(&[2, 3]), float(&[3, 4])]).is_err());
        assert!(infer_shape(&g, &[float(&[3]), float(&[4, 3])]).is_err());
    }

    #[test]
    fn values() {
        let g = Gemm::parse(&attrs(&[
            ("alpha", Attribute::Float(2.0)),
            ("beta", Attribute::Float(0.5)),
            ("transA", Attribute::Int(1)),
        ]))
        .unwrap();
        // A is stored transposed: A' = [[1, 2, 3], [4, 5, 6]].
        let a = Tensor::from_f32(vec![3, 2], &[1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
        let b = Tensor::from_f32(vec![3, 1], &[1.0, 1.0, 1.0]);
        let c = Tensor::from_f32(vec![], &[10.0]);
        assert_eq!(eval(&g, [a, b, c]).unwrap().f32s(), [17.0, 35.0]);
    }
}
