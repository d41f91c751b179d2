//! Split (opset 13, with opset 18's `num_outputs`): the input cut along one axis into consecutive
//! parts, sized by the constant `split` input, or else into `num_outputs` (before opset 18: as many
//! as the node has outputs) parts of ceil(dim / n) elements, the last one smaller.

use super::common::{
    check_arity, check_dtype, check_rank, constant_ints, constants, normalize_axis, optional,
    required,
};
use crate::op::Semantics;
use crate::{invalid, Attributes, DataType, OpError, Tensor, TensorType, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct Split {
    /// In `[-rank, rank)`; normalize with [`normalize_axis`] once the rank is known.
    pub axis: i64,
    /// The node's number of outputs.
    pub outputs: usize,
    /// Opset 18's attribute, equal to `outputs` when given.
    pub num_outputs: Option<usize>,
}

/// Where one output lies along the split axis of the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Part {
    pub start: usize,
    pub len: usize,
}

impl Split {
    /// `outputs` is the node's number of outputs, which the equal split needs when neither the
    /// `split` input nor `num_outputs` is given.
    pub fn parse(attrs: &Attributes, opset: i64, outputs: usize) -> Result<Split, OpError> {
        attrs.only(&["axis", "num_outputs"])?;
        let axis = attrs.int("axis", 0)?;
        let attribute = |reason: String| OpError::Attribute {
            name: "num_outputs".into(),
            reason,
        };
        let num_outputs = match attrs.opt_int("num_outputs")? {
            None => None,
            Some(_) if opset < 18 => {
                return Err(attribute(format!(
                    "is an opset-18 attribute; the model imports opset {opset}"
                )))
            }
            Some(n) if n < 1 => return Err(attribute(format!("must be positive, got {n}"))),
            Some(n) if n as u64 != outputs as u64 => {
                return Err(attribute(format!(
                    "is {n}, but the node has {outputs} outputs"
                )))
            }
            Some(n) => Some(n as usize),
        };
        if outputs == 0 {
            return Err(invalid!("Split needs at least one output"));
        }
        Ok(Split {
            axis,
            outputs,
            num_outputs,
        })
    }

    /// Checks the inputs and returns the split axis and each output's part of it.
    pub fn resolve(&self, inputs: &[Option<Value>]) -> Result<(usize, Vec<Part>), OpError> {
        check_arity(inputs, 1, 2)?;
        let data = required(inputs, 0, "input")?.ty;
        let axis = normalize_axis(self.axis, data.shape.len())?;
        let dim = data.shape[axis];
        let n = self.outputs;
        let sizes: Vec<usize> = match optional(inputs, 1) {
            Some(split) => {
                if self.num_outputs.is_some() {
                    return Err(invalid!(
                        "both the split input and the num_outputs attribute are given"
                    ));
                }
                check_dtype("split", split.ty, &[DataType::Int64])?;
                check_rank("split", split.ty, 1)?;
                let sizes = constant_ints(split, 1, "the split sizes")?;
                if sizes.len() != n {
                    return Err(invalid!(
                        "split {sizes:?} has {} sizes for {n} outputs",
                        sizes.len()
                    ));
                }
                let sum = sizes.iter().map(|&s| s as i128).sum::<i128>();
                if sizes.iter().any(|&s| s < 0) || sum != dim as i128 {
                    return Err(invalid!(
                        "split {sizes:?} must be sizes ≥ 0 adding up to axis {axis}'s {dim}"
                    ));
                }
                sizes.into_iter().map(|s| s as usize).collect()
            }
            None => {
                // Parts of ceil(dim / n), the last one what is left (as the reference does).
                let chunk = dim.div_ceil(n);
                let before = chunk * (n - 1);
                if before > dim {
                    return Err(invalid!(
                        "axis {axis} of size {dim} cannot be split into {n} parts of {chunk}"
                    ));
                }
                let mut sizes = vec![chunk; n - 1];
                sizes.push(dim - before);
                sizes
            }
        };
        let mut start = 0;
        let parts = (sizes.into_iter())
            .map(|len| {
                let part = Part { start, len };
                start += len;
                part
            })
            .collect();
        Ok((axis, parts))
    }
}

impl Semantics for Split {
    fn infer(&self, inputs: &[Option<Value>]) -> Result<Vec<TensorType>, OpError> {
        let (axis, parts) = self.resolve(inputs)?;
        let data = required(inputs, 0, "input")?.ty;
        Ok((parts.iter())
            .map(|part| {
                let mut shape = data.shape.clone();
                shape[axis] = part.len;
                TensorType::new(data.dtype, shape)
            })
            .collect())
    }

    fn eval(&self, inputs: &[Option<&Tensor>]) -> Result<Vec<Tensor>, OpError> {
        let values = constants(inputs);
        let (axis, parts) = self.resolve(&values)?;
        let types = self.infer(&values)?;
        let data = required(inputs, 0, "input")?;
        let shape = data.shape();
        let outer: usize = shape[..axis].iter().product();
        // Bytes of one index along the axis, and of one whole outer index.
        let row = shape[axis + 1..].iter().product::<usize>() * data.dtype().size();
        let block = row * shape[axis];
        Ok((parts.iter().zip(types))
            .map(|(part, ty)| {
                let mut bytes = Vec::with_capacity(outer * part.len * row);
                for o in 0..outer {
                    let from = o * block + part.start * row;
                    bytes.extend_from_slice(&data.bytes[from..from + part.len * row]);
                }
                Tensor {
                    ty,
                    bytes: bytes.into(),
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::common::testing::{attrs, float};
    use crate::Attribute;

    fn split(axis: i64, num_outputs: Option<i64>, outputs: usize) -> Split {
        let mut list = vec![("axis", Attribute::Int(axis))];
        if let Some(n) = num_outputs {
            list.push(("num_outputs", Attribute::Int(n)));
        }
        Split::parse(&attrs(&list), 18, outputs).unwrap()
    }

    fn shapes(
        op: &Split,
        data: TensorType,
        sizes: Option<&[i64]>,
    ) -> Result<Vec<Vec<usize>>, OpError> {
        let sizes = sizes.map(|s| Tensor::from_i64(vec![s.len()], s));
        let inputs = [
            Some(Value {
                ty: &data,
                constant: None,
            }),
            sizes.as_ref().map(|t| Value {
                ty: &t.ty,
                constant: Some(t),
            }),
        ];
        Ok(op.infer(&inputs)?.into_iter().map(|t| t.shape).collect())
    }

    #[test]
    fn parse() {
        let num = attrs(&[("num_outputs", Attribute::Int(2))]);
        assert!(Split::parse(&num, 13, 2).is_err());
        assert!(Split::parse(&num, 18, 3).is_err());
        assert_eq!(Split::parse(&num, 18, 2).unwrap().num_outputs, Some(2));
        let zero = attrs(&[("num_outputs", Attribute::Int(0))]);
        assert!(Split::parse(&zero, 18, 0).is_err());
        let other = attrs(&[("split", Attribute::Ints(vec![1, 1]))]);
        assert!(Split::parse(&other, 18, 2).is_err());
        assert_eq!(Split::parse(&Attributes::default(), 13, 3).unwrap().axis, 0);
    }

    #[test]
    fn equal_parts() {
        assert_eq!(
            shapes(&split(-1, Some(3), 3), float(&[2, 6]), None),
            Ok(vec![vec![2, 2]; 3])
        );
        // The last part is smaller: ceil(7 / 3) = 3, so 3, 3, 1.
        assert_eq!(
            shapes(&split(0, Some(3), 3), float(&[7]), None),
            Ok(vec![vec![3], vec![3], vec![1]])
        );
        // No split and no num_outputs: as many parts as outputs.
        assert_eq!(
            shapes(&split(1, None, 2), float(&[1, 4, 5]), None),
            Ok(vec![vec![1, 2, 5]; 2])
        );
        assert!(shapes(&split(0, Some(4), 4), float(&[5]), None).is_err());
        assert!(shapes(&split(2, Some(2), 2), float(&[2, 2]), None).is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(
            shapes(&split(1, None, 3), float(&[2, 6]), Some(&[1, 0, 5])),
            Ok(vec![vec![2, 1], vec![2, 0], vec![2, 5]])
        );
        assert!(shapes(&split(1, None, 2), float(&[2, 6]), Some(&[1, 4])).is_err());
        assert!(shapes(&split(1, None, 2), float(&[2, 6]), Some(&[7, -1])).is_err());
        assert!(shapes(&split(1, None, 3), float(&[2, 6]), Some(&[1, 5])).is_err());
        assert!(shapes(&split(1, Some(2), 2), float(&[2, 6]), Some(&[1, 5])).is_err());
        let data = float(&[6]);
        let int32 = Tensor::from_i32(vec![2], &[3, 3]);
        let inputs = [
            Some(Value {
                ty: &data,
                constant: None,
            }),
            Some(Value {
                ty: &int32.ty,
                constant: Some(&int32),
            }),
        ];
        assert!(split(0, None, 2).infer(&inputs).is_err());
        let unknown = TensorType::new(DataType::Int64, vec![2]);
        let inputs = [
            inputs[0],
            Some(Value {
                ty: &unknown,
                constant: None,
            }),
        ];
        assert!(matches!(
            split(0, None, 2).infer(&inputs),
            Err(OpError::NeedsConstant { index: 1, .. })
        ));
    }

    #[test]
    fn values() {
        let data = Tensor::from_i64(vec![2, 5], &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        let sizes = Tensor::from_i64(vec![2], &[2, 3]);
        let out = split(1, None, 2)
            .eval(&[Some(&data), Some(&sizes)])
            .unwrap();
        assert_eq!(
            (out[0].shape(), out[0].ints()),
            (&[2, 2][..], vec![0, 1, 5, 6])
        );
        assert_eq!(
            (out[1].shape(), out[1].ints()),
            (&[2, 3][..], vec![2, 3, 4, 7, 8, 9])
        );
        let floats = Tensor::from_f32(vec![5], &[1.0, 2.0, 3.0, 4.0, 5.0]);
        let out = split(0, Some(2), 2).eval(&[Some(&floats)]).unwrap();
        assert_eq!(out[0].f32s(), [1.0, 2.0, 3.0]);
        assert_eq!(out[1].f32s(), [4.0, 5.0]);
    }
}
