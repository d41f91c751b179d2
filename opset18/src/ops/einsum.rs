//! Einsum: a sum of products over labelled axes. Every equation, once the operand shapes are
//! known, becomes a [`Contraction`]: the output axes, the summed axes, and for each operand the
//! stride it moves by along each of them. Evaluation and device kernels both walk that map, so no
//! operand is ever transposed in memory.

use super::common::{check_dtype, strides};
use crate::op::Semantics;
use crate::{invalid, Attributes, DataType, OpError, Tensor, TensorType, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct Einsum {
    /// Per operand, its terms as written (ellipsis kept as [`Term::Ellipsis`]).
    pub inputs: Vec<Vec<Term>>,
    /// The output terms; `None` for the implicit form (no `->`).
    pub output: Option<Vec<Term>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Term {
    Letter(char),
    Ellipsis,
}

/// An einsum with its labels resolved against concrete shapes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contraction {
    pub output_shape: Vec<usize>,
    /// Sizes of the summed labels.
    pub reduce_shape: Vec<usize>,
    /// Per operand: its stride along each output axis (0 where the label is absent or broadcast).
    pub output_strides: Vec<Vec<usize>>,
    /// Per operand: its stride along each summed label.
    pub reduce_strides: Vec<Vec<usize>>,
}

/// Labels after ellipsis expansion: letters, or the i-th ellipsis axis counted from the right.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Label {
    Broadcast(usize),
    Letter(char),
}

impl Einsum {
    pub fn parse(attrs: &Attributes) -> Result<Einsum, OpError> {
        attrs.only(&["equation"])?;
        if attrs.get("equation").is_none() {
            return Err(OpError::MissingAttribute("equation".into()));
        }
        let equation = attrs.string("equation", "")?;
        let bad = |reason: &str| OpError::Attribute {
            name: "equation".into(),
            reason: format!("{equation:?}: {reason}"),
        };
        // Exporters write spaces between labels ("b h k n, b k v -> b h v n"); they mean nothing.
        let compact: String = equation.chars().filter(|c| !c.is_whitespace()).collect();
        let (lhs, rhs) = match compact.split_once("->") {
            Some((l, r)) => (l, Some(r)),
            None => (compact.as_str(), None),
        };
        // An empty term (all of "->", or "i,->i") is a scalar operand.
        let inputs = lhs
            .split(',')
            .map(terms)
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| bad("bad term"))?;
        let output = match rhs {
            Some(r) => Some(terms(r).ok_or_else(|| bad("bad output term"))?),
            None => None,
        };
        Ok(Einsum { inputs, output })
    }

    /// Resolves the labels against the operand shapes, for row-major operands.
    pub fn contraction(&self, shapes: &[&[usize]]) -> Result<Contraction, OpError> {
        let layouts: Vec<Vec<usize>> = shapes.iter().map(|s| strides(s)).collect();
        let layouts: Vec<&[usize]> = layouts.iter().map(Vec::as_slice).collect();
        self.contraction_strided(shapes, &layouts)
    }

    /// As [`Einsum::contraction`], for operands laid out with the given element strides.
    pub fn contraction_strided(
        &self,
        shapes: &[&[usize]],
        layouts: &[&[usize]],
    ) -> Result<Contraction, OpError> {
        if shapes.len() != self.inputs.len() {
            return Err(invalid!(
                "the equation has {} operands, got {} inputs",
                self.inputs.len(),
                shapes.len()
            ));
        }
        let operands: Vec<Vec<Label>> = (self.inputs.iter().zip(shapes))
            .map(|(terms, shape)| expand(terms, shape.len()))
            .collect::<Result<_, _>>()?;
        let broadcast_rank = (operands.iter().flatten())
            .filter_map(|l| match l {
                Label::Broadcast(i) => Some(i + 1),
                Label::Letter(_) => None,
            })
            .max()
            .unwrap_or(0);

        // Every label's size; a broadcast (ellipsis) axis may be 1 in some operands.
        let mut sizes: Vec<(Label, usize)> = Vec::new();
        for (labels, shape) in operands.iter().zip(shapes) {
            for (&label, &size) in labels.iter().zip(shape.iter()) {
                match sizes.iter_mut().find(|(l, _)| *l == label) {
                    None => sizes.push((label, size)),
                    Some((_, known)) if *known == size => {}
                    Some((Label::Broadcast(_), known)) if *known == 1 || size == 1 => {
                        *known = (*known).max(size)
                    }
                    Some((_, known)) => {
                        return Err(invalid!("label {label:?} has sizes {known} and {size}"));
                    }
                }
            }
        }
        let size_of = |label: Label| sizes.iter().find(|(l, _)| *l == label).map(|(_, s)| *s);

        let output = match &self.output {
            Some(terms) => expand_output(terms, broadcast_rank)?,
            None => implicit_output(&operands, broadcast_rank),
        };
        for (i, label) in output.iter().enumerate() {
            if output[..i].contains(label) {
                return Err(invalid!("output label {label:?} appears twice"));
            }
            if size_of(*label).is_none() {
                return Err(invalid!("output label {label:?} is not in any operand"));
            }
        }
        let mut reduced: Vec<Label> = sizes
            .iter()
            .map(|(l, _)| *l)
            .filter(|l| !output.contains(l))
            .collect();
        reduced.sort();

        let stride_along = |k: usize, label: Label| -> usize {
            let (labels, shape) = (&operands[k], shapes[k]);
            // A label repeated within one operand walks its diagonal: the strides add up.
            (labels.iter().enumerate())
                .filter(|(axis, l)| **l == label && shape[*axis] != 1)
                .map(|(axis, _)| layouts[k][axis])
                .sum()
        };
        Ok(Contraction {
            output_shape: output.iter().map(|&l| size_of(l).unwrap()).collect(),
            reduce_shape: reduced.iter().map(|&l| size_of(l).unwrap()).collect(),
            output_strides: (0..operands.len())
                .map(|k| output.iter().map(|&l| stride_along(k, l)).collect())
                .collect(),
            reduce_strides: (0..operands.len())
                .map(|k| reduced.iter().map(|&l| stride_along(k, l)).collect())
                .collect(),
        })
    }
}

fn terms(text: &str) -> Option<Vec<Term>> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("...") {
            if out.contains(&Term::Ellipsis) {
                return None;
            }
            out.push(Term::Ellipsis);
            rest = after;
        } else {
            let c = rest.chars().next()?;
            if !c.is_ascii_alphabetic() {
                return None;
            }
            out.push(Term::Letter(c));
            rest = &rest[1..];
        }
    }
    Some(out)
}

/// An operand's labels, one per axis, with the ellipsis covering the axes the letters leave.
fn expand(terms: &[Term], rank: usize) -> Result<Vec<Label>, OpError> {
    let letters = terms
        .iter()
        .filter(|t| matches!(t, Term::Letter(_)))
        .count();
    let has_ellipsis = terms.contains(&Term::Ellipsis);
    if letters > rank || (!has_ellipsis && letters != rank) {
        return Err(invalid!(
            "a term with {letters} labels does not fit an operand of rank {rank}"
        ));
    }
    Ok(expand_output(terms, rank - letters).expect("the count was checked"))
}

fn expand_output(terms: &[Term], broadcast_rank: usize) -> Result<Vec<Label>, OpError> {
    let mut out = Vec::new();
    for term in terms {
        match term {
            Term::Letter(c) => out.push(Label::Letter(*c)),
            Term::Ellipsis => out.extend((0..broadcast_rank).rev().map(Label::Broadcast)),
        }
    }
    Ok(out)
}

/// The implicit output: the broadcast axes, then the letters used exactly once, alphabetically.
fn implicit_output(operands: &[Vec<Label>], broadcast_rank: usize) -> Vec<Label> {
    let mut letters: Vec<Label> = (operands.iter().flatten())
        .filter(|l| matches!(l, Label::Letter(_)))
        .filter(|l| operands.iter().flatten().filter(|m| m == l).count() == 1)
        .copied()
        .collect();
    letters.sort();
    (0..broadcast_rank)
        .rev()
        .map(Label::Broadcast)
        .chain(letters)
        .collect()
}

impl Semantics for Einsum {
    fn infer(&self, inputs: &[Option<Value>]) -> Result<Vec<TensorType>, OpError> {
        let types: Vec<&TensorType> = (inputs.iter())
            .map(|v| {
                v.map(|v| v.ty)
                    .ok_or_else(|| invalid!("Einsum inputs cannot be omitted"))
            })
            .collect::<Result<_, _>>()?;
        let dtype = types
            .first()
            .ok_or_else(|| invalid!("Einsum needs at least one input"))?
            .dtype;
        for ty in &types {
            check_dtype(
                "Inputs",
                ty,
                &[DataType::Float, DataType::Int32, DataType::Int64],
            )?;
            if ty.dtype != dtype {
                return Err(invalid!(
                    "inputs mix {} and {}",
                    dtype.name(),
                    ty.dtype.name()
                ));
            }
        }
        let shapes: Vec<&[usize]> = types.iter().map(|t| t.shape.as_slice()).collect();
        Ok(vec![TensorType::new(
            dtype,
            self.contraction(&shapes)?.output_shape,
        )])
    }

    fn eval(&self, inputs: &[Option<&Tensor>]) -> Result<Vec<Tensor>, OpError> {
        let tensors: Vec<&Tensor> = inputs
            .iter()
            .map(|t| t.ok_or(OpError::NotEvaluable))
            .collect::<Result<_, _>>()?;
        let shapes: Vec<&[usize]> = tensors.iter().map(|t| t.shape()).collect();
        let c = self.contraction(&shapes)?;
        let values: Vec<Vec<f64>> = tensors.iter().map(|t| t.as_f64()).collect();
        let out_len: usize = c.output_shape.iter().product();
        let reduce_len: usize = c.reduce_shape.iter().product();
        let mut out = vec![0.0; out_len];
        for (i, slot) in out.iter_mut().enumerate() {
            let bases: Vec<usize> = (0..values.len())
                .map(|k| offset(i, &c.output_shape, &c.output_strides[k]))
                .collect();
            for r in 0..reduce_len {
                *slot += (0..values.len())
                    .map(|k| values[k][bases[k] + offset(r, &c.reduce_shape, &c.reduce_strides[k])])
                    .product::<f64>();
            }
        }
        Ok(vec![Tensor::from_f64(
            tensors[0].dtype(),
            c.output_shape,
            &out,
        )])
    }
}

/// The element offset of flat index `i` of `shape` under `strides`.
fn offset(mut i: usize, shape: &[usize], strides: &[usize]) -> usize {
    let mut at = 0;
    for (size, stride) in shape.iter().zip(strides).rev() {
        at += (i % size) * stride;
        i /= size;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Attribute;

    fn einsum(equation: &str) -> Einsum {
        let mut attrs = Attributes::default();
        attrs
            .0
            .insert("equation".into(), Attribute::String(equation.into()));
        Einsum::parse(&attrs).unwrap()
    }

    #[test]
    fn spaces_do_not_matter() {
        let c = einsum("b h k n, b k v -> b h v n")
            .contraction(&[&[2, 8, 5, 16], &[2, 5, 3]])
            .unwrap();
        assert_eq!(c.output_shape, [2, 8, 3, 16]);
        assert_eq!(c.reduce_shape, [5]);
        assert_eq!(c.output_strides[1], [15, 0, 1, 0]);
        assert_eq!(c.reduce_strides[0], [16]);
    }

    #[test]
    fn implicit_output_is_sorted_single_letters() {
        let c = einsum("ij,jk").contraction(&[&[2, 3], &[3, 4]]).unwrap();
        assert_eq!(c.output_shape, [2, 4]);
    }

    #[test]
    fn matmul_evaluates() {
        let a = Tensor::from_f32(vec![2, 2], &[1.0, 2.0, 3.0, 4.0]);
        let b = Tensor::from_f32(vec![2, 2], &[5.0, 6.0, 7.0, 8.0]);
        let out = einsum("ij,jk->ik").eval(&[Some(&a), Some(&b)]).unwrap();
        assert_eq!(out[0].f32s(), [19.0, 22.0, 43.0, 50.0]);
    }

    #[test]
    fn diagonal_and_ellipsis() {
        let a = Tensor::from_f32(vec![2, 2, 2], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]);
        let out = einsum("...ii->...i").eval(&[Some(&a)]).unwrap();
        assert_eq!(out[0].shape(), [2, 2]);
        assert_eq!(out[0].f32s(), [1.0, 4.0, 5.0, 8.0]);
    }

    #[test]
    fn empty_terms_are_scalars() {
        let x = Tensor::from_f32(vec![], &[3.0]);
        let out = einsum("->").eval(&[Some(&x)]).unwrap();
        assert_eq!((out[0].shape(), out[0].f32s()), (&[][..], vec![3.0]));
        let v = Tensor::from_f32(vec![2], &[1.0, 2.0]);
        let out = einsum("i,->i").eval(&[Some(&v), Some(&x)]).unwrap();
        assert_eq!(out[0].f32s(), [3.0, 6.0]);
        assert!(Einsum::parse(&Attributes::default()).is_err());
    }

    #[test]
    fn mismatched_sizes_are_errors() {
        assert!(einsum("ij,jk->ik")
            .contraction(&[&[2, 3], &[4, 5]])
            .is_err());
        assert!(einsum("ij->ik").contraction(&[&[2, 3]]).is_err());
        assert!(einsum("ijk->i").contraction(&[&[2, 3]]).is_err());
    }
}
