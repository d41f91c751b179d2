//! Flatten to 2-D: dims before `axis` make the rows, the rest the columns.

use super::common::{check_arity, checked_numel, constants, required};
use crate::op::Semantics;
use crate::{invalid, Attributes, OpError, Tensor, TensorType, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct Flatten {
    /// In `[-rank, rank]`: negative counts from the back, and rank itself makes all dims rows.
    pub axis: i64,
}

impl Flatten {
    pub fn parse(attrs: &Attributes) -> Result<Flatten, OpError> {
        attrs.only(&["axis"])?;
        Ok(Flatten {
            axis: attrs.int("axis", 1)?,
        })
    }
}

impl Semantics for Flatten {
    fn infer(&self, inputs: &[Option<Value>]) -> Result<Vec<TensorType>, OpError> {
        check_arity(inputs, 1, 1)?;
        let x = required(inputs, 0, "input")?.ty;
        let rank = x.shape.len() as i64;
        if !(-rank..=rank).contains(&self.axis) {
            return Err(invalid!(
                "axis {} is out of range for rank {rank}",
                self.axis
            ));
        }
        let axis = (if self.axis < 0 {
            self.axis + rank
        } else {
            self.axis
        }) as usize;
        let (rows, cols) = x.shape.split_at(axis);
        let shape = vec![checked_numel(rows)?, checked_numel(cols)?];
        Ok(vec![TensorType::new(x.dtype, shape)])
    }

    fn eval(&self, inputs: &[Option<&Tensor>]) -> Result<Vec<Tensor>, OpError> {
        let out = self.infer(&constants(inputs))?.remove(0);
        Ok(vec![required(inputs, 0, "input")?.reshaped(out.shape)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::common::testing::{attrs, eval, float, infer_shape};
    use crate::Attribute;

    fn flatten(axis: i64, shape: &[usize]) -> Result<Vec<usize>, OpError> {
        let op = Flatten::parse(&attrs(&[("axis", Attribute::Int(axis))]))?;
        infer_shape(&op, &[float(shape)])
    }

    #[test]
    fn axes() {
        assert_eq!(flatten(1, &[2, 3, 4]), Ok(vec![2, 12]));
        assert_eq!(flatten(0, &[2, 3, 4]), Ok(vec![1, 24]));
        assert_eq!(flatten(3, &[2, 3, 4]), Ok(vec![24, 1]));
        assert_eq!(flatten(-1, &[2, 3, 4]), Ok(vec![6, 4]));
        assert_eq!(flatten(-3, &[2, 3, 4]), Ok(vec![1, 24]));
        assert_eq!(flatten(0, &[]), Ok(vec![1, 1]));
        assert!(flatten(4, &[2, 3, 4]).is_err());
        assert!(flatten(-4, &[2, 3, 4]).is_err());
    }

    #[test]
    fn values() {
        let op = Flatten::parse(&Attributes::default()).unwrap();
        let out = eval(
            &op,
            [Tensor::from_f32(vec![1, 2, 2], &[1.0, 2.0, 3.0, 4.0])],
        )
        .unwrap();
        assert_eq!(
            (out.shape(), out.f32s()),
            (&[1, 4][..], vec![1.0, 2.0, 3.0, 4.0])
        );
    }
}
