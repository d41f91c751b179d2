//! Orders: a value that holds a base tensor's elements rearranged (by reshapes and transposes) is
//! described by strides over its shape into the base's row-major element index. Fusion uses them
//! to run an epilogue at each element of a kernel's own result and still read its operands, and
//! store its result, in the arrangement of the value that leaves the fused group.

use crate::strides::{contiguous_strides, reshape_strides};

/// Reads that follow the base's element index `b`: `b` split row-major over `sizes`, each
/// coordinate times its stride.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlongBase {
    pub sizes: Vec<usize>,
    pub strides: Vec<usize>,
}

/// The axes of a value of `shape` from outermost to innermost in the base's index, if `order` is
/// a rearrangement of all the base's elements. Axes of size 1 are left out.
fn base_axes(shape: &[usize], order: &[usize]) -> Option<Vec<usize>> {
    let mut axes: Vec<usize> = (0..shape.len()).filter(|&d| shape[d] != 1).collect();
    axes.sort_by_key(|&d| std::cmp::Reverse(order[d]));
    let mut expected = 1;
    for &d in axes.iter().rev() {
        if order[d] != expected {
            return None;
        }
        expected *= shape[d];
    }
    Some(axes)
}

/// `strides` over `shape` (a value in `order`) as reads that follow the base's index.
pub fn along_base(shape: &[usize], order: &[usize], strides: &[usize]) -> Option<AlongBase> {
    let axes = base_axes(shape, order)?;
    Some(AlongBase {
        sizes: axes.iter().map(|&d| shape[d]).collect(),
        strides: axes.iter().map(|&d| strides[d]).collect(),
    })
}

/// The reads of `reads` as strides over `shape`, a value in `order`; `None` where an axis of the
/// value spans reads that are not evenly spaced.
pub fn along_value(reads: &AlongBase, shape: &[usize], order: &[usize]) -> Option<Vec<usize>> {
    let axes = base_axes(shape, order)?;
    let sizes: Vec<usize> = axes.iter().map(|&d| shape[d]).collect();
    let strides = reshape_strides(&reads.sizes, &reads.strides, &sizes)?;
    // Axes of size 1 only ever have coordinate 0; contiguous strides keep equal layouts equal.
    let mut out = contiguous_strides(shape);
    for (k, &d) in axes.iter().enumerate() {
        out[d] = strides[k];
    }
    Some(out)
}

/// Whether two stride lists over `shape` address the same elements (axes of size 1 aside).
pub fn same_layout(shape: &[usize], a: &[usize], b: &[usize]) -> bool {
    (0..shape.len()).all(|d| shape[d] == 1 || a[d] == b[d])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_layout_seen_from_its_channel_first_base() {
        // Base (B, C, P) = (2, 3, 4); the value is its transpose (B, P, C).
        let shape = [2, 4, 3];
        let order = [12, 1, 4];
        // An operand laid out contiguously in the value's arrangement...
        let reads = along_base(&shape, &order, &contiguous_strides(&shape)).unwrap();
        assert_eq!(reads.sizes, [2, 3, 4]);
        assert_eq!(reads.strides, [12, 1, 3]);
        // ...is read at these strides over the base's own shape.
        let base = [2, 3, 4];
        let strides = along_value(&reads, &base, &contiguous_strides(&base)).unwrap();
        assert_eq!(strides, [12, 1, 3]);
        // And back: over the value itself it is contiguous.
        assert_eq!(along_value(&reads, &shape, &order).unwrap(), [12, 3, 1]);
    }

    #[test]
    fn merged_axes_must_stay_evenly_spaced() {
        // Reads (B, C, P) with C spaced by P, merged with P in a (B, C·P) value: fine.
        let reads = AlongBase {
            sizes: vec![2, 3, 4],
            strides: vec![12, 4, 1],
        };
        assert_eq!(along_value(&reads, &[2, 12], &[12, 1]).unwrap(), [12, 1]);
        // Transposed reads cannot merge into one axis.
        let transposed = AlongBase {
            sizes: vec![2, 3, 4],
            strides: vec![12, 1, 3],
        };
        assert_eq!(along_value(&transposed, &[2, 12], &[12, 1]), None);
    }

    #[test]
    fn an_order_that_skips_elements_is_not_a_rearrangement() {
        assert_eq!(along_base(&[2, 3], &[6, 1], &[3, 1]), None);
    }
}
