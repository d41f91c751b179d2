//! Conv, 2-D only: X is (N, C, H, W), W is (M, C / group, kH, kW), optional B is (M).

use super::common::{check_arity, check_dtype, check_rank, optional, required};
use crate::op::Semantics;
use crate::{invalid, Attributes, DataType, OpError, TensorType, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AutoPad {
    /// Use the `pads` attribute.
    NotSet,
    /// No padding.
    Valid,
    /// Pad so that output = ceil(input / stride); an odd total puts the extra pixel at the end.
    SameUpper,
    /// As `SameUpper`, with the extra pixel at the beginning.
    SameLower,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Conv {
    pub auto_pad: AutoPad,
    /// `[h, w]`.
    pub dilations: Vec<usize>,
    pub group: usize,
    /// `[kH, kW]` if given; it must then match W's spatial dims, which are used otherwise.
    pub kernel_shape: Option<Vec<usize>>,
    /// `[h_begin, w_begin, h_end, w_end]`; only meaningful with `AutoPad::NotSet`, see
    /// [`Conv::resolved_pads`].
    pub pads: Vec<usize>,
    /// `[h, w]`.
    pub strides: Vec<usize>,
}

impl Conv {
    pub fn parse(attrs: &Attributes) -> Result<Conv, OpError> {
        attrs.only(&[
            "auto_pad",
            "dilations",
            "group",
            "kernel_shape",
            "pads",
            "strides",
        ])?;
        let auto_pad = match attrs.string("auto_pad", "NOTSET")?.as_str() {
            "NOTSET" => AutoPad::NotSet,
            "VALID" => AutoPad::Valid,
            "SAME_UPPER" => AutoPad::SameUpper,
            "SAME_LOWER" => AutoPad::SameLower,
            other => {
                return Err(OpError::Attribute {
                    name: "auto_pad".into(),
                    reason: format!("unknown value {other:?}"),
                })
            }
        };
        if auto_pad != AutoPad::NotSet && attrs.get("pads").is_some() {
            return Err(OpError::Attribute {
                name: "pads".into(),
                reason: "cannot be given together with auto_pad".into(),
            });
        }
        let group = attrs.int("group", 1)?;
        if group < 1 {
            return Err(OpError::Attribute {
                name: "group".into(),
                reason: format!("{group} < 1"),
            });
        }
        Ok(Conv {
            auto_pad,
            dilations: ints_attr(attrs, "dilations", 2, 1)?.unwrap_or(vec![1, 1]),
            group: group as usize,
            kernel_shape: ints_attr(attrs, "kernel_shape", 2, 1)?,
            pads: ints_attr(attrs, "pads", 4, 0)?.unwrap_or(vec![0; 4]),
            strides: ints_attr(attrs, "strides", 2, 1)?.unwrap_or(vec![1, 1]),
        })
    }

    /// The padding `[h_begin, w_begin, h_end, w_end]` for an input of spatial size `input_hw` and
    /// a kernel of size `kernel_hw` (undilated), after applying `auto_pad`.
    pub fn resolved_pads(&self, input_hw: &[usize], kernel_hw: &[usize]) -> Vec<usize> {
        let (begin, end): (Vec<usize>, Vec<usize>) = (0..input_hw.len())
            .map(|i| match self.auto_pad {
                AutoPad::NotSet => (self.pads[i], self.pads[i + input_hw.len()]),
                AutoPad::Valid => (0, 0),
                AutoPad::SameUpper => {
                    let total = self.same_total_pad(i, input_hw[i], kernel_hw[i]);
                    (total / 2, total - total / 2)
                }
                AutoPad::SameLower => {
                    let total = self.same_total_pad(i, input_hw[i], kernel_hw[i]);
                    (total - total / 2, total / 2)
                }
            })
            .unzip();
        [begin, end].concat()
    }

    /// Total padding along spatial axis `i` so that the output size is ceil(input / stride).
    fn same_total_pad(&self, i: usize, input: usize, kernel: usize) -> usize {
        let output = input.div_ceil(self.strides[i]);
        let needed = output.saturating_sub(1).saturating_mul(self.strides[i]);
        needed
            .saturating_add(self.effective(i, kernel))
            .saturating_sub(input)
    }

    /// Extent of the dilated kernel along spatial axis `i` (saturating: attributes are untrusted).
    fn effective(&self, i: usize, kernel: usize) -> usize {
        self.dilations[i]
            .saturating_mul(kernel.saturating_sub(1))
            .saturating_add(1)
    }
}

/// An optional ints attribute of `len` values, each at least `min`.
fn ints_attr(
    attrs: &Attributes,
    name: &str,
    len: usize,
    min: i64,
) -> Result<Option<Vec<usize>>, OpError> {
    let Some(values) = attrs.opt_ints(name)? else {
        return Ok(None);
    };
    let fail = |reason: String| OpError::Attribute {
        name: name.into(),
        reason,
    };
    if values.len() != len {
        return Err(fail(format!(
            "expected {len} values (only 2-D convolution is supported), got {values:?}"
        )));
    }
    if let Some(v) = values.iter().find(|&&v| v < min) {
        return Err(fail(format!("value {v} is below {min}")));
    }
    Ok(Some(values.into_iter().map(|v| v as usize).collect()))
}

impl Semantics for Conv {
    fn infer(&self, inputs: &[Option<Value>]) -> Result<Vec<TensorType>, OpError> {
        check_arity(inputs, 2, 3)?;
        let x = required(inputs, 0, "X")?.ty;
        let w = required(inputs, 1, "W")?.ty;
        check_dtype("X", x, &[DataType::Float])?;
        check_dtype("W", w, &[DataType::Float])?;
        if x.shape.len() != 4 {
            return Err(invalid!(
                "only 2-D convolution is supported: X must be (N, C, H, W), got shape {:?}",
                x.shape
            ));
        }
        check_rank("W", w, 4)?;
        let (c, m) = (x.shape[1], w.shape[0]);
        if self.group.checked_mul(w.shape[1]) != Some(c) || m % self.group != 0 {
            return Err(invalid!(
                "X of shape {:?} and W of shape {:?} do not fit group {}: need C = group * W[1] \
                 and M divisible by group",
                x.shape,
                w.shape,
                self.group
            ));
        }
        let kernel = &w.shape[2..];
        if kernel.contains(&0) {
            return Err(invalid!("W of shape {:?} has an empty kernel", w.shape));
        }
        if let Some(k) = self.kernel_shape.as_ref().filter(|k| *k != kernel) {
            return Err(invalid!(
                "kernel_shape {k:?} does not match W of shape {:?}",
                w.shape
            ));
        }
        if let Some(b) = optional(inputs, 2) {
            check_dtype("B", b.ty, &[DataType::Float])?;
            if b.ty.shape != [m] {
                return Err(invalid!("B must have shape [{m}], got {:?}", b.ty.shape));
            }
        }
        let input = &x.shape[2..];
        let pads = self.resolved_pads(input, kernel);
        let mut shape = vec![x.shape[0], m];
        for i in 0..2 {
            let padded = input[i].saturating_add(pads[i]).saturating_add(pads[i + 2]);
            let extent = self.effective(i, kernel[i]);
            if extent > padded {
                return Err(invalid!(
                    "dilated kernel {:?} is larger than the padded input {:?} (pads {pads:?})",
                    kernel,
                    input
                ));
            }
            shape.push((padded - extent) / self.strides[i] + 1);
        }
        Ok(vec![TensorType::new(DataType::Float, shape)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::common::testing::{attrs, float, infer_shape};
    use crate::Attribute;

    fn conv(list: &[(&str, Attribute)]) -> Conv {
        Conv::parse(&attrs(list)).unwrap()
    }

    #[test]
    fn parse() {
        let c = conv(&[]);
        assert_eq!((c.auto_pad, c.group), (AutoPad::NotSet, 1));
        assert_eq!(
            (c.dilations, c.pads, c.strides),
            (vec![1, 1], vec![0; 4], vec![1, 1])
        );
        let three_d = attrs(&[("strides", Attribute::Ints(vec![1, 1, 1]))]);
        assert!(Conv::parse(&three_d).is_err());
        let both = attrs(&[
            ("auto_pad", Attribute::String("VALID".into())),
            ("pads", Attribute::Ints(vec![0; 4])),
        ]);
        assert!(Conv::parse(&both).is_err());
        assert!(Conv::parse(&attrs(&[("pads", Attribute::Ints(vec![0, 0, -1, 0]))])).is_err());
        assert!(Conv::parse(&attrs(&[("group", Attribute::Int(0))])).is_err());
    }

    #[test]
    fn same_pads() {
        let upper = conv(&[
            ("auto_pad", Attribute::String("SAME_UPPER".into())),
            ("strides", Attribute::Ints(vec![2, 2])),
        ]);
        // Output 3 from input 5 with stride 2 needs (3-1)*2 + 2 - 5 = 1 pad: at the end.
        assert_eq!(upper.resolved_pads(&[5, 6], &[2, 3]), vec![0, 0, 1, 1]);
        let lower = Conv {
            auto_pad: AutoPad::SameLower,
            ..upper.clone()
        };
        assert_eq!(lower.resolved_pads(&[5, 6], &[2, 3]), vec![1, 1, 0, 0]);
        let shape = infer_shape(&upper, &[float(&[1, 3, 5, 6]), float(&[8, 3, 2, 3])]);
        assert_eq!(shape, Ok(vec![1, 8, 3, 3]));
        // A large stride may need no padding at all.
        let wide = Conv {
            strides: vec![4, 4],
            ..upper
        };
        assert_eq!(wide.resolved_pads(&[5, 5], &[1, 1]), vec![0; 4]);
    }

    #[test]
    fn output_shape() {
        let c = conv(&[
            ("pads", Attribute::Ints(vec![1, 0, 1, 0])),
            ("dilations", Attribute::Ints(vec![2, 1])),
            ("group", Attribute::Int(2)),
        ]);
        let x = float(&[2, 4, 7, 7]);
        let shape = infer_shape(&c, &[x.clone(), float(&[6, 2, 3, 3]), float(&[6])]);
        // H: (7 + 2 - 2*2 - 1) / 1 + 1 = 5; W: (7 - 2 - 1) + 1 = 5.
        assert_eq!(shape, Ok(vec![2, 6, 5, 5]));
        assert!(infer_shape(&c, &[x.clone(), float(&[6, 4, 3, 3])]).is_err());
        assert!(infer_shape(&c, &[x.clone(), float(&[5, 2, 3, 3])]).is_err());
        assert!(infer_shape(&c, &[x, float(&[6, 2, 3, 3]), float(&[5])]).is_err());
        assert!(infer_shape(&c, &[float(&[1, 4, 7]), float(&[6, 2, 3])]).is_err());
        let valid = conv(&[("auto_pad", Attribute::String("VALID".into()))]);
        assert!(infer_shape(&valid, &[float(&[1, 1, 2, 2]), float(&[1, 1, 3, 3])]).is_err());
    }

    #[test]
    fn kernel_shape_must_match() {
        let c = conv(&[("kernel_shape", Attribute::Ints(vec![3, 3]))]);
        assert!(infer_shape(&c, &[float(&[1, 1, 5, 5]), float(&[1, 1, 3, 3])]).is_ok());
        assert!(infer_shape(&c, &[float(&[1, 1, 5, 5]), float(&[1, 1, 2, 2])]).is_err());
    }
}
