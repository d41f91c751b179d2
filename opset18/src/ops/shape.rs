//! Shape: the input's dims from `start` to `end`, as a 1-D int64 tensor. Shapes are static here, so
//! the result never depends on the input's contents.

use super::common::{check_arity, constants, required};
use crate::op::Semantics;
use crate::{Attributes, DataType, OpError, Tensor, TensorType, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct Shape {
    pub start: i64,
    /// `None` means up to the last axis.
    pub end: Option<i64>,
}

impl Shape {
    pub fn parse(attrs: &Attributes) -> Result<Shape, OpError> {
        attrs.only(&["start", "end"])?;
        Ok(Shape {
            start: attrs.int("start", 0)?,
            end: attrs.opt_int("end")?,
        })
    }

    /// The selected axes `start..end` for an input of rank `rank`: negative values count from
    /// the back, then both are clamped to `[0, rank]`; `start >= end` selects nothing.
    pub fn range(&self, rank: usize) -> std::ops::Range<usize> {
        let clamp = |axis: i64| {
            let r = rank as i64;
            (if axis < 0 {
                axis.saturating_add(r)
            } else {
                axis
            })
            .clamp(0, r) as usize
        };
        let (start, end) = (clamp(self.start), clamp(self.end.unwrap_or(rank as i64)));
        start..end.max(start)
    }

    /// The output for an input of shape `shape`.
    pub fn of(&self, shape: &[usize]) -> Tensor {
        let dims: Vec<i64> = shape[self.range(shape.len())]
            .iter()
            .map(|&d| d as i64)
            .collect();
        Tensor::from_i64(vec![dims.len()], &dims)
    }
}

impl Semantics for Shape {
    fn infer(&self, inputs: &[Option<Value>]) -> Result<Vec<TensorType>, OpError> {
        check_arity(inputs, 1, 1)?;
        let x = required(inputs, 0, "data")?.ty;
        Ok(vec![TensorType::new(
            DataType::Int64,
            vec![self.range(x.shape.len()).len()],
        )])
    }

    fn eval(&self, inputs: &[Option<&Tensor>]) -> Result<Vec<Tensor>, OpError> {
        self.infer(&constants(inputs))?;
        Ok(vec![self.of(required(inputs, 0, "data")?.shape())])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::common::testing::attrs;
    use crate::Attribute;

    fn dims(start: Option<i64>, end: Option<i64>, shape: &[usize]) -> Vec<i64> {
        let mut list = vec![];
        list.extend(start.map(|v| ("start", Attribute::Int(v))));
        list.extend(end.map(|v| ("end", Attribute::Int(v))));
        Shape::parse(&attrs(&list)).unwrap().of(shape).ints()
    }

    #[test]
    fn slices() {
        let s = [2, 3, 4];
        assert_eq!(dims(None, None, &s), [2, 3, 4]);
        assert_eq!(dims(Some(1), None, &s), [3, 4]);
        assert_eq!(dims(Some(-1), None, &s), [4]);
        assert_eq!(dims(None, Some(-1), &s), [2, 3]);
        assert_eq!(dims(Some(-10), Some(10), &s), [2, 3, 4]);
        assert_eq!(dims(Some(2), Some(1), &s), Vec::<i64>::new());
        assert_eq!(dims(Some(i64::MIN), Some(i64::MAX), &s), [2, 3, 4]);
        assert_eq!(dims(None, None, &[]), Vec::<i64>::new());
    }

    #[test]
    fn types() {
        let op = Shape::parse(&Attributes::default()).unwrap();
        let x = Tensor::from_bool(vec![5, 1], &[true; 5]);
        let out = op.eval(&[Some(&x)]).unwrap().remove(0);
        assert_eq!(
            (out.dtype(), out.shape(), out.ints()),
            (DataType::Int64, &[2][..], vec![5, 1])
        );
    }
}
