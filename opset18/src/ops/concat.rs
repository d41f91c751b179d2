//! Concat along one axis: inputs share type and rank, and all dims but the axis.

use super::common::{check_arity, check_dtype, constants, normalize_axis, required};
use crate::op::Semantics;
use crate::{invalid, Attributes, OpError, Tensor, TensorType, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct Concat {
    /// In `[-rank, rank)`; normalize with [`normalize_axis`] once the rank is known.
    pub axis: i64,
}

impl Concat {
    pub fn parse(attrs: &Attributes) -> Result<Concat, OpError> {
        attrs.only(&["axis"])?;
        let axis = attrs
            .opt_int("axis")?
            .ok_or_else(|| OpError::MissingAttribute("axis".into()))?;
        Ok(Concat { axis })
    }
}

impl Semantics for Concat {
    fn infer(&self, inputs: &[Option<Value>]) -> Result<Vec<TensorType>, OpError> {
        check_arity(inputs, 1, usize::MAX)?;
        let first = required(inputs, 0, "inputs")?.ty;
        let axis = normalize_axis(self.axis, first.shape.len())?;
        let mut shape = first.shape.clone();
        for i in 1..inputs.len() {
            let ty = required(inputs, i, "inputs")?.ty;
            check_dtype(&format!("input {i}"), ty, &[first.dtype])?;
            let fits = ty.shape.len() == shape.len()
                && (0..shape.len()).all(|d| d == axis || ty.shape[d] == shape[d]);
            if !fits {
                return Err(invalid!(
                    "input {i} of shape {:?} does not fit input 0 of shape {:?} along axis {axis}",
                    ty.shape,
                    first.shape
                ));
            }
            shape[axis] = shape[axis]
                .checked_add(ty.shape[axis])
                .ok_or_else(|| invalid!("concatenated axis {axis} is too long"))?;
        }
        Ok(vec![TensorType::new(first.dtype, shape)])
    }

    fn eval(&self, inputs: &[Option<&Tensor>]) -> Result<Vec<Tensor>, OpError> {
        let out = self.infer(&constants(inputs))?.remove(0);
        let axis = normalize_axis(self.axis, out.shape.len())?;
        let size = out.dtype.size();
        let outer: usize = out.shape[..axis].iter().product();
        let parts = (0..inputs.len())
            .map(|i| required(inputs, i, "inputs"))
            .collect::<Result<Vec<_>, _>>()?;
        // Each input contributes one contiguous chunk (its dims from the axis on) per outer index.
        let chunks: Vec<usize> = parts
            .iter()
            .map(|t| t.shape()[axis..].iter().product::<usize>() * size)
            .collect();
        let mut bytes = Vec::with_capacity(out.numel() * size);
        for o in 0..outer {
            for (t, &chunk) in parts.iter().zip(&chunks) {
                bytes.extend_from_slice(&t.bytes[o * chunk..(o + 1) * chunk]);
            }
        }
        Ok(vec![Tensor {
            ty: out,
            bytes: bytes.into(),
        }])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::common::testing::{attrs, eval, float, infer_shape};
    use crate::{Attribute, DataType};

    fn concat(axis: i64) -> Concat {
        Concat::parse(&attrs(&[("axis", Attribute::Int(axis))])).unwrap()
    }

    #[test]
    fn shapes() {
        assert_eq!(
            Concat::parse(&Attributes::default()),
            Err(OpError::MissingAttribute("axis".into()))
        );
        assert_eq!(
            infer_shape(&concat(-1), &[float(&[2, 3]), float(&[2, 5])]),
            Ok(vec![2, 8])
        );
        assert_eq!(infer_shape(&concat(0), &[float(&[2, 3])]), Ok(vec![2, 3]));
        assert!(infer_shape(&concat(0), &[float(&[2, 3]), float(&[2, 5])]).is_err());
        assert!(infer_shape(&concat(0), &[float(&[2, 3]), float(&[3])]).is_err());
        assert!(infer_shape(&concat(2), &[float(&[2, 3])]).is_err());
        let ints = TensorType::new(DataType::Int64, vec![2, 3]);
        assert!(infer_shape(&concat(0), &[float(&[2, 3]), ints]).is_err());
    }

    #[test]
    fn values() {
        let a = Tensor::from_i64(vec![2, 1], &[1, 2]);
        let b = Tensor::from_i64(vec![2, 2], &[3, 4, 5, 6]);
        let out = eval(&concat(1), [a.clone(), b]).unwrap();
        assert_eq!(
            (out.shape(), out.ints()),
            (&[2, 3][..], vec![1, 3, 4, 2, 5, 6])
        );
        let empty = Tensor::from_i64(vec![0], &[]);
        let out = eval(&concat(0), [empty, Tensor::from_i64(vec![2], &[7, 8])]).unwrap();
        assert_eq!(out.ints(), [7, 8]);
    }
}
