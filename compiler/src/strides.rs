//! Strides: how a tensor's elements lie in the storage it is read from, as an element offset and
//! strides over its shape. Plain arithmetic on shapes, used from the IR to codegen.

/// How a tensor's elements are found in its root's storage, in elements.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct View {
    pub offset: usize,
    pub strides: Vec<usize>,
}

impl View {
    pub fn contiguous(shape: &[usize]) -> View {
        View {
            offset: 0,
            strides: contiguous_strides(shape),
        }
    }

    /// Strides that read this view at each index of `out` (numpy broadcasting: missing leading
    /// axes and axes of size 1 get stride 0).
    pub fn broadcast(&self, shape: &[usize], out: &[usize]) -> Vec<usize> {
        let skip = out.len() - shape.len();
        (0..out.len())
            .map(|d| match d.checked_sub(skip) {
                Some(s) if shape[s] != 1 => self.strides[s],
                _ => 0,
            })
            .collect()
    }
}

/// Strides that read a contiguous tensor of `shape` at each index of `out` (numpy broadcasting).
pub fn broadcast_strides(shape: &[usize], out: &[usize]) -> Vec<usize> {
    View::contiguous(shape).broadcast(shape, out)
}

/// Row-major strides, in elements.
pub fn contiguous_strides(shape: &[usize]) -> Vec<usize> {
    let mut strides = vec![1; shape.len()];
    for d in (0..shape.len().saturating_sub(1)).rev() {
        strides[d] = strides[d + 1] * shape[d + 1];
    }
    strides
}

/// Strides for reading elements laid out as (`shape`, `strides`) under `new_shape`, in the same
/// row-major order, without moving them; `None` if some merged axes are not evenly spaced.
pub fn reshape_strides(
    shape: &[usize],
    strides: &[usize],
    new_shape: &[usize],
) -> Option<Vec<usize>> {
    if shape.contains(&0) || new_shape.contains(&0) {
        return Some(contiguous_strides(new_shape));
    }
    // Axes of size 1 carry no layout.
    let (old, old_strides): (Vec<usize>, Vec<usize>) = shape
        .iter()
        .zip(strides)
        .filter(|(&s, _)| s != 1)
        .map(|(&s, &t)| (s, t))
        .unzip();
    let mut out = vec![0; new_shape.len()];
    let (mut oi, mut ni) = (0, 0);
    while oi < old.len() && ni < new_shape.len() {
        // Grow a run of old axes and a run of new axes until they cover the same elements.
        let (mut oj, mut nj) = (oi + 1, ni + 1);
        let (mut old_size, mut new_size) = (old[oi], new_shape[ni]);
        while old_size != new_size {
            if new_size < old_size {
                new_size *= new_shape[nj];
                nj += 1;
            } else {
                old_size *= old[oj];
                oj += 1;
            }
        }
        // The old run must be one evenly spaced block to be split or merged freely.
        if (oi..oj - 1).any(|k| old_strides[k] != old[k + 1] * old_strides[k + 1]) {
            return None;
        }
        out[nj - 1] = old_strides[oj - 1];
        for k in (ni..nj - 1).rev() {
            out[k] = out[k + 1] * new_shape[k + 1];
        }
        oi = oj;
        ni = nj;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_axes_of_a_transposed_layout() {
        // (B, C, H, W) read as (B, H, W, C), then H and W merged into tokens.
        let (b, c, h, w) = (2, 3, 4, 5);
        let transposed = [c * h * w, w, 1, h * w];
        let merged = reshape_strides(&[b, h, w, c], &transposed, &[b, h * w, c]).unwrap();
        assert_eq!(merged, [c * h * w, 1, h * w]);
    }

    #[test]
    fn axes_that_are_not_evenly_spaced_cannot_merge() {
        let transposed = [1, 3];
        assert_eq!(reshape_strides(&[3, 2], &transposed, &[6]), None);
    }

    #[test]
    fn splitting_and_unit_axes() {
        assert_eq!(reshape_strides(&[6], &[2], &[2, 1, 3]).unwrap(), [6, 6, 2]);
        assert_eq!(reshape_strides(&[1, 4], &[4, 1], &[4]).unwrap(), [1]);
    }
}
