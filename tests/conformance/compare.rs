//! Output against reference, with the ONNX backend test's default tolerance for floats.

use onnx2wgsl_runtime::{HostTensor, TensorData};

/// `numpy.testing.assert_allclose` defaults of the ONNX backend tests.
pub const RTOL: f64 = 1e-3;
pub const ATOL: f64 = 1e-7;

/// `Ok` when shapes are equal and every value matches: floats within `ATOL + RTOL·|want|` (NaN
/// matches NaN, infinities must be equal), integers and bools exactly.
pub fn compare(got: &HostTensor, want: &HostTensor) -> Result<(), String> {
    if got.shape != want.shape {
        return Err(format!("shape {:?}, expected {:?}", got.shape, want.shape));
    }
    match (&got.data, &want.data) {
        (TensorData::F32(g), TensorData::F32(w)) => floats(g, w),
        (TensorData::I32(_) | TensorData::I64(_), TensorData::I32(_) | TensorData::I64(_))
        | (TensorData::Bool(_), TensorData::Bool(_)) => integers(&ints(got), &ints(want)),
        _ => Err(format!(
            "dtype {:?}, expected {:?}",
            got.dtype(),
            want.dtype()
        )),
    }
}

fn floats(got: &[f32], want: &[f32]) -> Result<(), String> {
    let mut bad = 0;
    let mut worst: Option<(usize, f64)> = None;
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        let (g, w) = (f64::from(g), f64::from(w));
        let close = g == w || (g.is_nan() && w.is_nan()) || (g - w).abs() <= ATOL + RTOL * w.abs();
        if close {
            continue;
        }
        bad += 1;
        let error = if (g - w).is_nan() {
            f64::INFINITY
        } else {
            (g - w).abs()
        };
        if worst.is_none_or(|(_, e)| error > e) {
            worst = Some((i, error));
        }
    }
    match worst {
        None => Ok(()),
        Some((i, error)) => Err(format!(
            "{bad} of {} values differ, max |got − want| = {error:.3e} at {i} (got {}, want {})",
            want.len(),
            got[i],
            want[i]
        )),
    }
}

fn integers(got: &[i64], want: &[i64]) -> Result<(), String> {
    let bad = got.iter().zip(want).filter(|(g, w)| g != w).count();
    match got.iter().zip(want).position(|(g, w)| g != w) {
        None => Ok(()),
        Some(i) => Err(format!(
            "{bad} of {} values differ, first at {i} (got {}, want {})",
            want.len(),
            got[i],
            want[i]
        )),
    }
}

fn ints(t: &HostTensor) -> Vec<i64> {
    match &t.data {
        TensorData::I32(v) => v.iter().map(|&x| x.into()).collect(),
        TensorData::I64(v) => v.clone(),
        TensorData::Bool(v) => v.iter().map(|&x| x.into()).collect(),
        TensorData::F32(_) => unreachable!("compare matched integer tensors"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerance_is_relative_to_the_reference() {
        let want = HostTensor::f32([3], vec![1000.0, f32::NAN, f32::INFINITY]);
        let close = HostTensor::f32([3], vec![1000.9, f32::NAN, f32::INFINITY]);
        assert_eq!(compare(&close, &want), Ok(()));
        let far = HostTensor::f32([3], vec![1001.5, 0.0, f32::INFINITY]);
        let message = compare(&far, &want).unwrap_err();
        assert!(message.starts_with("2 of 3 values differ"), "{message}");
        assert!(message.contains("at 1 (got 0, want NaN)"), "{message}");
    }

    #[test]
    fn integers_and_shapes_are_exact() {
        let want = HostTensor::i64([2], vec![1, 2]);
        assert_eq!(compare(&HostTensor::i64([2], vec![1, 2]), &want), Ok(()));
        assert!(compare(&HostTensor::i64([2], vec![1, 3]), &want).is_err());
        assert!(compare(&HostTensor::i64([1, 2], vec![1, 2]), &want).is_err());
    }
}
