//! Gather along one axis: the output replaces that axis of `data` with the dims of `indices`.

use super::common::{
    check_arity, check_dtype, constants, for_each_index, gather_elements, normalize_axis, required,
    strides,
};
use crate::op::Semantics;
use crate::{invalid, Attributes, DataType, OpError, Tensor, TensorType, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct Gather {
    /// In `[-rank, rank)` of `data`; normalize with [`normalize_axis`] once the rank is known.
    pub axis: i64,
}

impl Gather {
    pub fn parse(attrs: &Attributes) -> Result<Gather, OpError> {
        attrs.only(&["axis"])?;
        Ok(Gather {
            axis: attrs.int("axis", 0)?,
        })
    }

    /// Indices into an axis of size `dim`: negative ones count from the back, and any outside
    /// `[-dim, dim)` is an error.
    pub fn resolve_indices(indices: &[i64], dim: usize) -> Result<Vec<usize>, OpError> {
        let d = dim as i64;
        indices
            .iter()
            .map(|&i| match i {
                i if (0..d).contains(&i) => Ok(i as usize),
                i if (-d..0).contains(&i) => Ok((i + d) as usize),
                _ => Err(invalid!(
                    "index {i} is out of range for an axis of size {dim}"
                )),
            })
            .collect()
    }
}

impl Semantics for Gather {
    fn infer(&self, inputs: &[Option<Value>]) -> Result<Vec<TensorType>, OpError> {
        check_arity(inputs, 2, 2)?;
        let data = required(inputs, 0, "data")?.ty;
        let indices = required(inputs, 1, "indices")?;
        check_dtype("indices", indices.ty, &[DataType::Int32, DataType::Int64])?;
        let axis = normalize_axis(self.axis, data.shape.len())?;
        // Catch bad constant indices now rather than on the device.
        if let Some(t) = indices.constant {
            Gather::resolve_indices(&t.ints(), data.shape[axis])?;
        }
        let shape = [
            &data.shape[..axis],
            &indices.ty.shape,
            &data.shape[axis + 1..],
        ]
        .concat();
        Ok(vec![TensorType::new(data.dtype, shape)])
    }

    fn eval(&self, inputs: &[Option<&Tensor>]) -> Result<Vec<Tensor>, OpError> {
        let out = self.infer(&constants(inputs))?.remove(0);
        let (data, indices) = (
            required(inputs, 0, "data")?,
            required(inputs, 1, "indices")?,
        );
        let axis = normalize_axis(self.axis, data.shape().len())?;
        let picked = Gather::resolve_indices(&indices.ints(), data.shape()[axis])?;
        let (data_strides, index_strides) = (strides(data.shape()), strides(indices.shape()));
        let q = indices.shape().len();
        let mut sources = Vec::with_capacity(out.numel());
        for_each_index(&out.shape, |index| {
            // The output index is (data dims before axis, indices dims, data dims after axis).
            let (before, rest) = index.split_at(axis);
            let (within, after) = rest.split_at(q);
            let at: usize = within.iter().zip(&index_strides).map(|(i, s)| i * s).sum();
            let outer: usize = before.iter().zip(&data_strides).map(|(i, s)| i * s).sum();
            let inner: usize = after
                .iter()
                .zip(&data_strides[axis + 1..])
                .map(|(i, s)| i * s)
                .sum();
            sources.push(outer + picked[at] * data_strides[axis] + inner);
        });
        Ok(vec![gather_elements(data, out, &sources)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::common::testing::{attrs, eval, float, infer_shape};
    use crate::Attribute;

    fn gather(axis: i64) -> Gather {
        Gather::parse(&attrs(&[("axis", Attribute::Int(axis))])).unwrap()
    }

    #[test]
    fn shapes() {
        let idx = TensorType::new(DataType::Int64, vec![4, 5]);
        assert_eq!(
            infer_shape(&gather(1), &[float(&[2, 3, 6]), idx.clone()]),
            Ok(vec![2, 4, 5, 6])
        );
        assert_eq!(
            infer_shape(&gather(-1), &[float(&[2, 3]), idx.clone()]),
            Ok(vec![2, 4, 5])
        );
        let scalar = TensorType::new(DataType::Int32, vec![]);
        assert_eq!(
            infer_shape(&gather(0), &[float(&[2, 3]), scalar.clone()]),
            Ok(vec![3])
        );
        assert!(infer_shape(&gather(0), &[float(&[]), scalar]).is_err());
        assert!(infer_shape(&gather(2), &[float(&[2, 3]), idx]).is_err());
        assert!(infer_shape(&gather(0), &[float(&[2, 3]), float(&[1])]).is_err());
    }

    #[test]
    fn negative_and_out_of_range_indices() {
        let data = Tensor::from_i64(vec![2, 3], &[1, 2, 3, 4, 5, 6]);
        let out = eval(
            &gather(1),
            [data.clone(), Tensor::from_i32(vec![2], &[-1, 0])],
        )
        .unwrap();
        assert_eq!((out.shape(), out.ints()), (&[2, 2][..], vec![3, 1, 6, 4]));
        let out = eval(&gather(0), [data.clone(), Tensor::from_i64(vec![], &[-2])]).unwrap();
        assert_eq!((out.shape(), out.ints()), (&[3][..], vec![1, 2, 3]));
        let bad = Tensor::from_i64(vec![1], &[3]);
        assert!(eval(&gather(1), [data.clone(), bad]).is_err());
        assert!(eval(&gather(1), [data, Tensor::from_i64(vec![1], &[-4])]).is_err());
    }

    #[test]
    fn matrix_of_indices() {
        let data = Tensor::from_f32(vec![3, 2], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let idx = Tensor::from_i64(vec![2, 2], &[0, 1, 1, 2]);
        let out = eval(&gather(0), [data, idx]).unwrap();
        assert_eq!(out.shape(), [2, 2, 2]);
        assert_eq!(out.f32s(), [1.0, 2.0, 3.0, 4.0, 3.0, 4.0, 5.0, 6.0]);
    }
}
