//! Numpy-style broadcasting, as the ONNX spec's Broadcasting.md describes it.

use super::common::{for_each_index, strides};

/// The multidirectional broadcast of two shapes, or `None` if they do not broadcast: shapes are
/// aligned on their last axis, and each pair of dims must be equal or contain a 1.
pub fn broadcast_shapes(a: &[usize], b: &[usize]) -> Option<Vec<usize>> {
    let rank = a.len().max(b.len());
    // Missing leading dims behave as 1.
    let dim = |s: &[usize], i: usize| {
        if i < rank - s.len() {
            1
        } else {
            s[i - (rank - s.len())]
        }
    };
    (0..rank)
        .map(|i| match (dim(a, i), dim(b, i)) {
            (x, y) if x == y => Some(x),
            (1, y) => Some(y),
            (x, 1) => Some(x),
            _ => None,
        })
        .collect()
}

/// Whether `from` broadcasts unidirectionally to `to` (it may grow to `to`, never the reverse).
pub fn broadcasts_to(from: &[usize], to: &[usize]) -> bool {
    broadcast_shapes(from, to).as_deref() == Some(to)
}

/// For each element of `out` in row-major order, the flat index of the element of `input` it reads
/// when `input` is broadcast to `out` (which must hold, see [`broadcasts_to`]).
pub fn source_indices(input: &[usize], out: &[usize]) -> Vec<usize> {
    let offset = out.len() - input.len();
    // A broadcast dim of size 1 reads the same element all along: stride 0.
    let mut aligned = vec![0; out.len()];
    for (i, (&dim, stride)) in input.iter().zip(strides(input)).enumerate() {
        aligned[offset + i] = if dim == 1 { 0 } else { stride };
    }
    let mut indices = Vec::with_capacity(out.iter().product());
    for_each_index(out, |index| {
        indices.push(index.iter().zip(&aligned).map(|(i, s)| i * s).sum());
    });
    indices
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(broadcast_shapes(&[2, 3], &[3]), Some(vec![2, 3]));
        assert_eq!(broadcast_shapes(&[2, 1, 4], &[3, 1]), Some(vec![2, 3, 4]));
        assert_eq!(broadcast_shapes(&[], &[5]), Some(vec![5]));
        assert_eq!(broadcast_shapes(&[0, 1], &[1, 4]), Some(vec![0, 4]));
        assert_eq!(broadcast_shapes(&[2, 3], &[4]), None);
        assert_eq!(broadcast_shapes(&[0], &[2]), None);
    }

    #[test]
    fn unidirectional() {
        assert!(broadcasts_to(&[3], &[2, 3]));
        assert!(broadcasts_to(&[2, 1], &[2, 3]));
        assert!(!broadcasts_to(&[2, 3], &[3]));
        assert!(!broadcasts_to(&[1, 2, 3], &[2, 3]));
    }

    #[test]
    fn indices() {
        assert_eq!(source_indices(&[3], &[2, 3]), vec![0, 1, 2, 0, 1, 2]);
        assert_eq!(source_indices(&[2, 1], &[2, 3]), vec![0, 0, 0, 1, 1, 1]);
        assert_eq!(source_indices(&[], &[2]), vec![0, 0]);
    }
}
