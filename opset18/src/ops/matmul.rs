//! MatMul with numpy semantics: stacks of matrices with broadcast batch dims; a 1-D operand is
//! promoted to a matrix (a row for A, a column for B) and the added dim is removed afterwards.

use super::broadcast::{broadcast_shapes, source_indices};
use super::common::{check_arity, check_dtype, constants, required};
use crate::op::Semantics;
use crate::{invalid, Attributes, DataType, OpError, Tensor, TensorType, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct MatMul;

/// The sizes of a MatMul once its operands are seen as stacks of (m, k) and (k, n) matrices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatMulDims {
    /// A's batch dims (empty for a 1-D or 2-D A).
    pub a_batch: Vec<usize>,
    /// B's batch dims.
    pub b_batch: Vec<usize>,
    /// The broadcast batch dims of the result.
    pub batch: Vec<usize>,
    pub m: usize,
    pub k: usize,
    pub n: usize,
    /// The output shape: `batch`, then m unless A is 1-D, then n unless B is 1-D.
    pub output: Vec<usize>,
}

impl MatMul {
    pub fn parse(attrs: &Attributes) -> Result<MatMul, OpError> {
        attrs.only(&[])?;
        Ok(MatMul)
    }

    /// Checks the operand shapes and works out the matrix sizes.
    pub fn dims(a: &[usize], b: &[usize]) -> Result<MatMulDims, OpError> {
        let scalar = || invalid!("operands must have rank 1 or more, got {a:?} and {b:?}");
        let (a_batch, m, k) = match a {
            [] => return Err(scalar()),
            [k] => (&[][..], 1, *k),
            [batch @ .., m, k] => (batch, *m, *k),
        };
        let (b_batch, kb, n) = match b {
            [] => return Err(scalar()),
            [k] => (&[][..], *k, 1),
            [batch @ .., k, n] => (batch, *k, *n),
        };
        if k != kb {
            return Err(invalid!(
                "shapes {a:?} and {b:?} have different inner dims {k} and {kb}"
            ));
        }
        let batch = broadcast_shapes(a_batch, b_batch)
            .ok_or_else(|| invalid!("batch dims of {a:?} and {b:?} do not broadcast"))?;
        let mut output = batch.clone();
        if a.len() > 1 {
            output.push(m);
        }
        if b.len() > 1 {
            output.push(n);
        }
        Ok(MatMulDims {
            a_batch: a_batch.to_vec(),
            b_batch: b_batch.to_vec(),
            batch,
            m,
            k,
            n,
            output,
        })
    }
}

impl Semantics for MatMul {
    fn infer(&self, inputs: &[Option<Value>]) -> Result<Vec<TensorType>, OpError> {
        check_arity(inputs, 2, 2)?;
        let a = required(inputs, 0, "A")?.ty;
        let b = required(inputs, 1, "B")?.ty;
        check_dtype("A", a, &[DataType::Float, DataType::Int32, DataType::Int64])?;
        if a.dtype != b.dtype {
            return Err(invalid!(
                "A is {} but B is {}",
                a.dtype.name(),
                b.dtype.name()
            ));
        }
        Ok(vec![TensorType::new(
            a.dtype,
            MatMul::dims(&a.shape, &b.shape)?.output,
        )])
    }

    /// Float only: integer MatMul is left to the device.
    fn eval(&self, inputs: &[Option<&Tensor>]) -> Result<Vec<Tensor>, OpError> {
        let out = self.infer(&constants(inputs))?.remove(0);
        if out.dtype != DataType::Float {
            return Err(OpError::NotEvaluable);
        }
        let (a, b) = (required(inputs, 0, "A")?, required(inputs, 1, "B")?);
        let d = MatMul::dims(a.shape(), b.shape())?;
        let (av, bv) = (a.f32s(), b.f32s());
        let a_mats = source_indices(&d.a_batch, &d.batch);
        let b_mats = source_indices(&d.b_batch, &d.batch);
        let mut values = Vec::with_capacity(out.numel());
        for (ia, ib) in a_mats.into_iter().zip(b_mats) {
            let (a, b) = (&av[ia * d.m * d.k..], &bv[ib * d.k * d.n..]);
            for i in 0..d.m {
                for j in 0..d.n {
                    values.push((0..d.k).map(|l| a[i * d.k + l] * b[l * d.n + j]).sum());
                }
            }
        }
        Ok(vec![Tensor::from_f32(out.shape, &values)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::common::testing::{eval, float, infer_shape};

    fn shape(a: &[usize], b: &[usize]) -> Result<Vec<usize>, OpError> {
        infer_shape(&MatMul, &[float(a), float(b)])
    }

    #[test]
    fn shapes() {
        assert_eq!(shape(&[2, 3], &[3, 4]), Ok(vec![2, 4]));
        assert_eq!(shape(&[3], &[3, 4]), Ok(vec![4]));
        assert_eq!(shape(&[2, 3], &[3]), Ok(vec![2]));
        assert_eq!(shape(&[3], &[3]), Ok(vec![]));
        assert_eq!(shape(&[5, 1, 2, 3], &[4, 3, 6]), Ok(vec![5, 4, 2, 6]));
        assert_eq!(shape(&[3], &[2, 3, 4]), Ok(vec![2, 4]));
        assert!(shape(&[2, 3], &[4, 5]).is_err());
        assert!(shape(&[2, 2, 3], &[3, 3, 4]).is_err());
        assert!(shape(&[], &[3]).is_err());
    }

    #[test]
    fn values() {
        let a = Tensor::from_f32(vec![2, 2], &[1.0, 2.0, 3.0, 4.0]);
        let b = Tensor::from_f32(vec![2, 1], &[5.0, 6.0]);
        assert_eq!(eval(&MatMul, [a.clone(), b]).unwrap().f32s(), [17.0, 39.0]);
        // A batch of two B matrices against one A.
        let b = Tensor::from_f32(vec![2, 2], &[1.0, 0.0, 0.0, 1.0]);
        let stack = Tensor::from_f32(
            vec![2, 2, 2],
            &[[1.0, 0.0, 0.0, 1.0], [0.0, 1.0, 1.0, 0.0]].concat(),
        );
        let out = eval(&MatMul, [a, stack]).unwrap();
        assert_eq!(out.shape(), [2, 2, 2]);
        assert_eq!(out.f32s(), [1.0, 2.0, 3.0, 4.0, 2.0, 1.0, 4.0, 3.0]);
        let v = Tensor::from_f32(vec![2], &[1.0, 1.0]);
        assert_eq!(eval(&MatMul, [v.clone(), b]).unwrap().f32s(), [1.0, 1.0]);
        let ints = Tensor::from_i64(vec![1, 1], &[2]);
        assert_eq!(
            eval(&MatMul, [ints.clone(), ints]),
            Err(OpError::NotEvaluable)
        );
    }
}
