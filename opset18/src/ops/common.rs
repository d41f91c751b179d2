//! Helpers shared by the operators: input access, type checks, axes, and dtype-generic copying.

use crate::{invalid, DataType, OpError, Tensor, TensorType, Value};

/// Maps an axis in `[-rank, rank)` to `[0, rank)`.
pub fn normalize_axis(axis: i64, rank: usize) -> Result<usize, OpError> {
    let r = rank as i64;
    if axis < -r || axis >= r {
        return Err(invalid!("axis {axis} is out of range for rank {rank}"));
    }
    Ok(if axis < 0 { axis + r } else { axis } as usize)
}

/// Normalizes a list of axes, which must be distinct.
pub fn normalize_axes(axes: &[i64], rank: usize) -> Result<Vec<usize>, OpError> {
    let mut out = Vec::with_capacity(axes.len());
    for &axis in axes {
        let a = normalize_axis(axis, rank)?;
        if out.contains(&a) {
            return Err(invalid!("axes {axes:?} repeat axis {a}"));
        }
        out.push(a);
    }
    Ok(out)
}

/// Checks the number of inputs, counting absent optional ones by their position.
pub fn check_arity<T>(inputs: &[Option<T>], min: usize, max: usize) -> Result<(), OpError> {
    let n = inputs.len();
    if (min..=max).contains(&n) {
        return Ok(());
    }
    Err(match (min == max, max == usize::MAX) {
        (true, _) => invalid!("expected {min} inputs, got {n}"),
        (_, true) => invalid!("expected at least {min} inputs, got {n}"),
        _ => invalid!("expected {min} to {max} inputs, got {n}"),
    })
}

/// Input `index`, which the spec requires.
pub fn required<T: Copy>(inputs: &[Option<T>], index: usize, name: &str) -> Result<T, OpError> {
    inputs
        .get(index)
        .copied()
        .flatten()
        .ok_or_else(|| invalid!("input {index} ({name}) is missing"))
}

/// Input `index` if it was given.
pub fn optional<T: Copy>(inputs: &[Option<T>], index: usize) -> Option<T> {
    inputs.get(index).copied().flatten()
}

/// Checks an input's element type against the types the operator accepts.
pub fn check_dtype(name: &str, ty: &TensorType, allowed: &[DataType]) -> Result<(), OpError> {
    if allowed.contains(&ty.dtype) {
        return Ok(());
    }
    let names: Vec<&str> = allowed.iter().map(|d| d.name()).collect();
    Err(invalid!(
        "{name} has type {}; expected {}",
        ty.dtype.name(),
        names.join(" or ")
    ))
}

/// Checks an input's rank.
pub fn check_rank(name: &str, ty: &TensorType, rank: usize) -> Result<(), OpError> {
    if ty.shape.len() == rank {
        return Ok(());
    }
    Err(invalid!(
        "{name} must have rank {rank}, got shape {:?}",
        ty.shape
    ))
}

/// The contents of an integer input that must be a build-time constant.
pub fn constant_ints(value: Value, index: usize, what: &'static str) -> Result<Vec<i64>, OpError> {
    let tensor = value
        .constant
        .ok_or(OpError::NeedsConstant { index, what })?;
    if tensor.dtype() == DataType::Float {
        return Err(invalid!("{what} must be integers, got float32"));
    }
    Ok(tensor.ints())
}

/// Element count of a shape, failing instead of overflowing.
pub fn checked_numel(shape: &[usize]) -> Result<usize, OpError> {
    shape
        .iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d))
        .ok_or_else(|| invalid!("shape {shape:?} has too many elements"))
}

/// Presents constant inputs as values, so `eval` can check them with `infer` first.
pub fn constants<'a>(inputs: &[Option<&'a Tensor>]) -> Vec<Option<Value<'a>>> {
    inputs
        .iter()
        .map(|t| {
            t.map(|t| Value {
                ty: &t.ty,
                constant: Some(t),
            })
        })
        .collect()
}

/// Row-major strides of a shape, in elements.
pub fn strides(shape: &[usize]) -> Vec<usize> {
    let mut strides = vec![1; shape.len()];
    for i in (0..shape.len().saturating_sub(1)).rev() {
        strides[i] = strides[i + 1] * shape[i + 1];
    }
    strides
}

/// Calls `f` with every multi-index of `shape`, in row-major order (once for a scalar).
pub fn for_each_index(shape: &[usize], mut f: impl FnMut(&[usize])) {
    if shape.contains(&0) {
        return;
    }
    let mut index = vec![0; shape.len()];
    loop {
        f(&index);
        // Advance like an odometer: bump the last axis, carrying into earlier ones.
        let mut axis = shape.len();
        loop {
            if axis == 0 {
                return;
            }
            axis -= 1;
            index[axis] += 1;
            if index[axis] < shape[axis] {
                break;
            }
            index[axis] = 0;
        }
    }
}

/// A tensor of type `ty` whose elements are the elements of `source` at the given flat indices.
/// Works on raw bytes, so data movement is the same for every element type.
pub fn gather_elements(source: &Tensor, ty: TensorType, indices: &[usize]) -> Tensor {
    let size = source.dtype().size();
    let mut bytes = Vec::with_capacity(indices.len() * size);
    for &i in indices {
        bytes.extend_from_slice(&source.bytes[i * size..(i + 1) * size]);
    }
    Tensor {
        ty,
        bytes: bytes.into(),
    }
}

#[cfg(test)]
pub mod testing {
    //! Shorthands for the operators' unit tests.

    use crate::op::Semantics;
    use crate::{Attribute, Attributes, DataType, OpError, Tensor, TensorType, Value};

    pub fn attrs(list: &[(&str, Attribute)]) -> Attributes {
        Attributes(
            list.iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    pub fn float(shape: &[usize]) -> TensorType {
        TensorType::new(DataType::Float, shape.to_vec())
    }

    /// Infers from input types alone (no constants).
    pub fn infer(op: &dyn Semantics, types: &[TensorType]) -> Result<Vec<TensorType>, OpError> {
        let values: Vec<Option<Value>> = types
            .iter()
            .map(|ty| Some(Value { ty, constant: None }))
            .collect();
        op.infer(&values)
    }

    /// The shape of the single output inferred from input types alone.
    pub fn infer_shape(op: &dyn Semantics, types: &[TensorType]) -> Result<Vec<usize>, OpError> {
        Ok(infer(op, types)?.remove(0).shape)
    }

    /// Evaluates an operator with all inputs present and returns its single output.
    pub fn eval<const N: usize>(
        op: &dyn Semantics,
        inputs: [Tensor; N],
    ) -> Result<Tensor, OpError> {
        let inputs: Vec<Option<&Tensor>> = inputs.iter().map(Some).collect();
        Ok(op.eval(&inputs)?.remove(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes() {
        assert_eq!(normalize_axis(-1, 3), Ok(2));
        assert_eq!(normalize_axis(2, 3), Ok(2));
        assert!(normalize_axis(3, 3).is_err());
        assert!(normalize_axis(-4, 3).is_err());
        assert!(normalize_axis(0, 0).is_err());
        assert_eq!(normalize_axes(&[-1, 0], 2), Ok(vec![1, 0]));
        assert!(normalize_axes(&[1, -1], 2).is_err());
    }

    #[test]
    fn arity() {
        let inputs = [Some(1), None];
        assert!(check_arity(&inputs, 1, 3).is_ok());
        assert!(check_arity(&inputs, 3, 3).is_err());
        assert_eq!(required(&inputs, 0, "x"), Ok(1));
        assert!(required(&inputs, 1, "y").is_err());
        assert_eq!(optional(&inputs, 1), None);
        assert_eq!(optional(&inputs, 5), None);
    }

    #[test]
    fn indices() {
        assert_eq!(strides(&[2, 3, 4]), vec![12, 4, 1]);
        assert_eq!(strides(&[]), Vec::<usize>::new());
        let mut seen = vec![];
        for_each_index(&[2, 2], |i| seen.push(i.to_vec()));
        assert_eq!(seen, vec![vec![0, 0], vec![0, 1], vec![1, 0], vec![1, 1]]);
        let mut count = 0;
        for_each_index(&[], |_| count += 1);
        for_each_index(&[3, 0], |_| count += 10);
        assert_eq!(count, 1);
        assert!(checked_numel(&[usize::MAX, 2]).is_err());
    }
}
