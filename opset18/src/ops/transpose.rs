//! Transpose: output axis `i` is input axis `perm[i]`.

use super::common::{check_arity, constants, for_each_index, gather_elements, required, strides};
use crate::op::Semantics;
use crate::{invalid, Attributes, OpError, Tensor, TensorType, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct Transpose {
    /// A permutation of `0..len`; `None` reverses the axes (see [`Transpose::resolved_perm`]).
    pub perm: Option<Vec<usize>>,
}

impl Transpose {
    pub fn parse(attrs: &Attributes) -> Result<Transpose, OpError> {
        attrs.only(&["perm"])?;
        let Some(perm) = attrs.opt_ints("perm")? else {
            return Ok(Transpose { perm: None });
        };
        let n = perm.len();
        let mut seen = vec![false; n];
        for &p in &perm {
            if p < 0 || p as usize >= n || std::mem::replace(&mut seen[p as usize], true) {
                return Err(OpError::Attribute {
                    name: "perm".into(),
                    reason: format!("{perm:?} is not a permutation of 0..{n}"),
                });
            }
        }
        Ok(Transpose {
            perm: Some(perm.into_iter().map(|p| p as usize).collect()),
        })
    }

    /// The permutation for an input of rank `rank`.
    pub fn resolved_perm(&self, rank: usize) -> Result<Vec<usize>, OpError> {
        match &self.perm {
            None => Ok((0..rank).rev().collect()),
            Some(perm) if perm.len() == rank => Ok(perm.clone()),
            Some(perm) => Err(invalid!(
                "perm {perm:?} does not fit an input of rank {rank}"
            )),
        }
    }
}

impl Semantics for Transpose {
    fn infer(&self, inputs: &[Option<Value>]) -> Result<Vec<TensorType>, OpError> {
        check_arity(inputs, 1, 1)?;
        let x = required(inputs, 0, "data")?.ty;
        let perm = self.resolved_perm(x.shape.len())?;
        Ok(vec![TensorType::new(
            x.dtype,
            perm.iter().map(|&p| x.shape[p]).collect(),
        )])
    }

    fn eval(&self, inputs: &[Option<&Tensor>]) -> Result<Vec<Tensor>, OpError> {
        let out = self.infer(&constants(inputs))?.remove(0);
        let x = required(inputs, 0, "data")?;
        let perm = self.resolved_perm(x.shape().len())?;
        let in_strides = strides(x.shape());
        // Output axis i walks input axis perm[i].
        let walk: Vec<usize> = perm.iter().map(|&p| in_strides[p]).collect();
        let mut sources = Vec::with_capacity(out.numel());
        for_each_index(&out.shape, |index| {
            sources.push(index.iter().zip(&walk).map(|(i, s)| i * s).sum());
        });
        Ok(vec![gather_elements(x, out, &sources)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::common::testing::{attrs, eval, float, infer_shape};
    use crate::Attribute;

    #[test]
    fn parse() {
        assert!(Transpose::parse(&attrs(&[("perm", Attribute::Ints(vec![0, 0]))])).is_err());
        assert!(Transpose::parse(&attrs(&[("perm", Attribute::Ints(vec![-1, 0]))])).is_err());
        assert!(Transpose::parse(&attrs(&[("perm", Attribute::Ints(vec![1, 2]))])).is_err());
    }

    #[test]
    fn shapes() {
        let reverse = Transpose::parse(&Attributes::default()).unwrap();
        assert_eq!(
            infer_shape(&reverse, &[float(&[2, 3, 4])]),
            Ok(vec![4, 3, 2])
        );
        let perm = Transpose::parse(&attrs(&[("perm", Attribute::Ints(vec![0, 2, 1]))])).unwrap();
        assert_eq!(infer_shape(&perm, &[float(&[2, 3, 4])]), Ok(vec![2, 4, 3]));
        assert!(infer_shape(&perm, &[float(&[2, 3])]).is_err());
    }

    #[test]
    fn values() {
        let op = Transpose::parse(&Attributes::default()).unwrap();
        let x = Tensor::from_i32(vec![2, 3], &[1, 2, 3, 4, 5, 6]);
        let out = eval(&op, [x]).unwrap();
        assert_eq!(
            (out.shape(), out.ints()),
            (&[3, 2][..], vec![1, 4, 2, 5, 3, 6])
        );
        let op = Transpose::parse(&attrs(&[("perm", Attribute::Ints(vec![1, 2, 0]))])).unwrap();
        let x = Tensor::from_i64(vec![2, 1, 2], &[1, 2, 3, 4]);
        let out = eval(&op, [x]).unwrap();
        assert_eq!(
            (out.shape(), out.ints()),
            (&[1, 2, 2][..], vec![1, 3, 2, 4])
        );
    }
}
