//! Slice (opset 13): per-axis starts, ends, steps and axes, all given as constant inputs.

use super::common::{
    check_arity, check_dtype, check_rank, constant_ints, constants, for_each_index,
    gather_elements, normalize_axes, optional, required, strides,
};
use crate::op::Semantics;
use crate::{invalid, Attributes, DataType, OpError, Tensor, TensorType, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct Slice;

/// What the output reads along one axis of the data: `len` elements at `start`, `start + step`...
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AxisRange {
    /// 0 when `len` is 0.
    pub start: usize,
    pub step: i64,
    pub len: usize,
}

impl AxisRange {
    /// The data index read by output index `i` (< `len`).
    pub fn index(&self, i: usize) -> usize {
        (self.start as i64 + i as i64 * self.step) as usize
    }
}

const INPUTS: [(&str, &str); 4] = [
    ("starts", "the slice starts"),
    ("ends", "the slice ends"),
    ("axes", "the slice axes"),
    ("steps", "the slice steps"),
];

impl Slice {
    pub fn parse(attrs: &Attributes) -> Result<Slice, OpError> {
        attrs.only(&[])?;
        Ok(Slice)
    }

    /// Checks the inputs and returns the range read along every axis of the data.
    pub fn resolve(inputs: &[Option<Value>]) -> Result<Vec<AxisRange>, OpError> {
        check_arity(inputs, 3, 5)?;
        let data = required(inputs, 0, "data")?.ty;
        // All index inputs share one type, int32 or int64.
        let mut index_type = None;
        let mut read = |index: usize, v: Value| {
            let (name, what) = INPUTS[index - 1];
            let allowed = index_type.map_or(vec![DataType::Int32, DataType::Int64], |t| vec![t]);
            check_dtype(name, v.ty, &allowed)?;
            index_type = Some(v.ty.dtype);
            check_rank(name, v.ty, 1)?;
            constant_ints(v, index, what)
        };
        let starts = read(1, required(inputs, 1, "starts")?)?;
        let ends = read(2, required(inputs, 2, "ends")?)?;
        let axes = optional(inputs, 3).map(|v| read(3, v)).transpose()?;
        let steps = optional(inputs, 4).map(|v| read(4, v)).transpose()?;
        ranges(
            &data.shape,
            &starts,
            &ends,
            axes.as_deref(),
            steps.as_deref(),
        )
    }
}

/// The per-axis ranges, following the spec: negative starts and ends count from the back, then
/// are clamped to `[0, dim]` for positive steps, or to `[0, dim - 1]` and `[-1, dim - 1]` for
/// negative ones.
fn ranges(
    shape: &[usize],
    starts: &[i64],
    ends: &[i64],
    axes: Option<&[i64]>,
    steps: Option<&[i64]>,
) -> Result<Vec<AxisRange>, OpError> {
    let n = starts.len();
    if ends.len() != n || axes.is_some_and(|a| a.len() != n) || steps.is_some_and(|s| s.len() != n)
    {
        return Err(invalid!(
            "starts {starts:?}, ends {ends:?}, axes {axes:?} and steps {steps:?} differ in length"
        ));
    }
    let default_axes: Vec<i64> = (0..n as i64).collect();
    let axes = normalize_axes(axes.unwrap_or(&default_axes), shape.len())?;
    let mut ranges: Vec<AxisRange> = shape
        .iter()
        .map(|&len| AxisRange {
            start: 0,
            step: 1,
            len,
        })
        .collect();
    for (k, &axis) in axes.iter().enumerate() {
        let step = steps.map_or(1, |s| s[k]);
        if step == 0 {
            return Err(invalid!("step 0 on axis {axis}"));
        }
        // i128 keeps extreme values such as i64::MIN exact.
        let dim = shape[axis] as i128;
        let from_back = |v: i64| if v < 0 { v as i128 + dim } else { v as i128 };
        let (start, end) = (from_back(starts[k]), from_back(ends[k]));
        let (start, span) = if step > 0 {
            let start = start.clamp(0, dim);
            (start, end.clamp(0, dim) - start)
        } else {
            let start = start.max(0).min(dim - 1);
            (start, start - end.max(-1).min(dim - 1))
        };
        let stride = (step as i128).abs();
        let len = if span > 0 {
            (span + stride - 1) / stride
        } else {
            0
        };
        let start = if len > 0 { start as usize } else { 0 };
        ranges[axis] = AxisRange {
            start,
            step,
            len: len as usize,
        };
    }
    Ok(ranges)
}

impl Semantics for Slice {
    fn infer(&self, inputs: &[Option<Value>]) -> Result<Vec<TensorType>, OpError> {
        let shape = Slice::resolve(inputs)?.iter().map(|r| r.len).collect();
        Ok(vec![TensorType::new(
            required(inputs, 0, "data")?.ty.dtype,
            shape,
        )])
    }

    fn eval(&self, inputs: &[Option<&Tensor>]) -> Result<Vec<Tensor>, OpError> {
        let values = constants(inputs);
        let ranges = Slice::resolve(&values)?;
        let out = self.infer(&values)?.remove(0);
        let data = required(inputs, 0, "data")?;
        let data_strides = strides(data.shape());
        let mut sources = Vec::with_capacity(out.numel());
        for_each_index(&out.shape, |index| {
            let at = index.iter().zip(&ranges).zip(&data_strides);
            sources.push(at.map(|((&i, r), s)| r.index(i) * s).sum());
        });
        Ok(vec![gather_elements(data, out, &sources)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The (start, step, len) triples for a slice of `shape`.
    fn slice(
        shape: &[usize],
        starts: &[i64],
        ends: &[i64],
        axes: Option<&[i64]>,
        steps: Option<&[i64]>,
    ) -> Result<Vec<(usize, i64, usize)>, OpError> {
        Ok(ranges(shape, starts, ends, axes, steps)?
            .iter()
            .map(|r| (r.start, r.step, r.len))
            .collect())
    }

    #[test]
    fn positive_steps() {
        assert_eq!(slice(&[10], &[2], &[5], None, None), Ok(vec![(2, 1, 3)]));
        assert_eq!(
            slice(&[10], &[-3], &[i64::MAX], None, None),
            Ok(vec![(7, 1, 3)])
        );
        assert_eq!(
            slice(&[10], &[i64::MIN], &[-8], None, Some(&[3])),
            Ok(vec![(0, 3, 1)])
        );
        assert_eq!(
            slice(&[10], &[1], &[10], None, Some(&[4])),
            Ok(vec![(1, 4, 3)])
        );
        assert_eq!(slice(&[10], &[5], &[2], None, None), Ok(vec![(0, 1, 0)]));
        assert_eq!(
            slice(&[4, 5], &[1], &[3], Some(&[-1]), None),
            Ok(vec![(0, 1, 4), (1, 1, 2)])
        );
    }

    #[test]
    fn negative_steps() {
        // Reverse the whole axis.
        assert_eq!(
            slice(&[5], &[-1], &[i64::MIN], None, Some(&[-1])),
            Ok(vec![(4, -1, 5)])
        );
        assert_eq!(
            slice(&[5], &[100], &[-100], None, Some(&[-2])),
            Ok(vec![(4, -2, 3)])
        );
        assert_eq!(
            slice(&[5], &[3], &[0], None, Some(&[-1])),
            Ok(vec![(3, -1, 3)])
        );
        assert_eq!(
            slice(&[5], &[0], &[3], None, Some(&[-1])),
            Ok(vec![(0, -1, 0)])
        );
        assert_eq!(
            slice(&[0], &[-1], &[i64::MIN], None, Some(&[-1])),
            Ok(vec![(0, -1, 0)])
        );
        assert_eq!(
            slice(&[5], &[4], &[0], None, Some(&[i64::MIN])),
            Ok(vec![(4, i64::MIN, 1)])
        );
    }

    #[test]
    fn bad_inputs() {
        assert!(slice(&[5], &[0], &[1], None, Some(&[0])).is_err());
        assert!(slice(&[5], &[0], &[1, 2], None, None).is_err());
        assert!(slice(&[5], &[0, 0], &[1, 1], None, None).is_err());
        assert!(slice(&[5, 5], &[0, 0], &[1, 1], Some(&[1, -1]), None).is_err());
        let data = Tensor::from_f32(vec![3], &[1.0, 2.0, 3.0]);
        let (s32, e64) = (
            Tensor::from_i32(vec![1], &[0]),
            Tensor::from_i64(vec![1], &[2]),
        );
        assert!(Slice.eval(&[Some(&data), Some(&s32), Some(&e64)]).is_err());
    }

    #[test]
    fn values() {
        let data = Tensor::from_i64(vec![2, 4], &[0, 1, 2, 3, 4, 5, 6, 7]);
        let starts = Tensor::from_i32(vec![2], &[-1, -1]);
        let ends = Tensor::from_i32(vec![2], &[i32::MIN, 0]);
        let steps = Tensor::from_i32(vec![2], &[-1, -2]);
        let inputs = [Some(&data), Some(&starts), Some(&ends), None, Some(&steps)];
        let out = Slice.eval(&inputs).unwrap().remove(0);
        assert_eq!((out.shape(), out.ints()), (&[2, 2][..], vec![7, 5, 3, 1]));
        let dtypes = [DataType::Int64, DataType::Int64, DataType::Int64];
        let types: Vec<TensorType> = dtypes
            .iter()
            .map(|&d| TensorType::new(d, vec![1]))
            .collect();
        let inputs: Vec<Option<Value>> = types
            .iter()
            .map(|ty| Some(Value { ty, constant: None }))
            .collect();
        assert!(matches!(
            Slice.infer(&inputs),
            Err(OpError::NeedsConstant { index: 1, .. })
        ));
    }
}
