//! Add, Sub, Mul and Div: elementwise arithmetic with multidirectional broadcasting.

use super::broadcast::{broadcast_shapes, source_indices};
use super::common::{check_arity, check_dtype, constants, required};
use crate::op::Semantics;
use crate::{invalid, Attributes, DataType, OpError, Tensor, TensorType, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryKind {
    Add,
    Sub,
    Mul,
    Div,
}

impl BinaryKind {
    pub fn from_op_type(op_type: &str) -> Option<BinaryKind> {
        Some(match op_type {
            "Add" => BinaryKind::Add,
            "Sub" => BinaryKind::Sub,
            "Mul" => BinaryKind::Mul,
            "Div" => BinaryKind::Div,
            _ => return None,
        })
    }

    pub fn op_type(self) -> &'static str {
        match self {
            BinaryKind::Add => "Add",
            BinaryKind::Sub => "Sub",
            BinaryKind::Mul => "Mul",
            BinaryKind::Div => "Div",
        }
    }

    fn apply_f32(self, a: f32, b: f32) -> f32 {
        match self {
            BinaryKind::Add => a + b,
            BinaryKind::Sub => a - b,
            BinaryKind::Mul => a * b,
            BinaryKind::Div => a / b,
        }
    }

    /// Integer arithmetic wraps on overflow (int32 results are computed in i64 and then truncated,
    /// which wraps the same way); division truncates toward zero, as in C.
    fn apply_int(self, a: i64, b: i64) -> Result<i64, OpError> {
        Ok(match self {
            BinaryKind::Add => a.wrapping_add(b),
            BinaryKind::Sub => a.wrapping_sub(b),
            BinaryKind::Mul => a.wrapping_mul(b),
            BinaryKind::Div if b == 0 => return Err(invalid!("integer division by zero")),
            BinaryKind::Div => a.wrapping_div(b),
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Binary {
    pub kind: BinaryKind,
}

impl Binary {
    pub fn parse(op_type: &str, attrs: &Attributes) -> Result<Binary, OpError> {
        let kind = BinaryKind::from_op_type(op_type)
            .ok_or_else(|| OpError::Unsupported(op_type.into()))?;
        attrs.only(&[])?;
        Ok(Binary { kind })
    }
}

impl Semantics for Binary {
    fn infer(&self, inputs: &[Option<Value>]) -> Result<Vec<TensorType>, OpError> {
        check_arity(inputs, 2, 2)?;
        let a = required(inputs, 0, "A")?.ty;
        let b = required(inputs, 1, "B")?.ty;
        check_dtype("A", a, &[DataType::Float, DataType::Int32, DataType::Int64])?;
        if a.dtype != b.dtype {
            return Err(invalid!(
                "inputs have different types {} and {}",
                a.dtype.name(),
                b.dtype.name()
            ));
        }
        let shape = broadcast_shapes(&a.shape, &b.shape)
            .ok_or_else(|| invalid!("shapes {:?} and {:?} do not broadcast", a.shape, b.shape))?;
        Ok(vec![TensorType::new(a.dtype, shape)])
    }

    fn eval(&self, inputs: &[Option<&Tensor>]) -> Result<Vec<Tensor>, OpError> {
        let out = self.infer(&constants(inputs))?.remove(0);
        let (a, b) = (required(inputs, 0, "A")?, required(inputs, 1, "B")?);
        let ia = source_indices(a.shape(), &out.shape);
        let ib = source_indices(b.shape(), &out.shape);
        let pairs = ia.into_iter().zip(ib);
        Ok(vec![match out.dtype {
            DataType::Float => {
                let (a, b) = (a.f32s(), b.f32s());
                let values: Vec<f32> = pairs
                    .map(|(i, j)| self.kind.apply_f32(a[i], b[j]))
                    .collect();
                Tensor::from_f32(out.shape, &values)
            }
            dtype => {
                let (a, b) = (a.ints(), b.ints());
                let values = pairs
                    .map(|(i, j)| self.kind.apply_int(a[i], b[j]))
                    .collect::<Result<Vec<i64>, _>>()?;
                if dtype == DataType::Int32 {
                    let values: Vec<i32> = values.into_iter().map(|v| v as i32).collect();
                    Tensor::from_i32(out.shape, &values)
                } else {
                    Tensor::from_i64(out.shape, &values)
                }
            }
        }])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::common::testing::{eval, float, infer_shape};

    fn op(op_type: &str) -> Binary {
        Binary::parse(op_type, &Attributes::default()).unwrap()
    }

    #[test]
    fn parse() {
        assert_eq!(op("Div").kind, BinaryKind::Div);
        assert!(matches!(
            Binary::parse("Pow", &Attributes::default()),
            Err(OpError::Unsupported(_))
        ));
    }

    #[test]
    fn broadcasting() {
        let add = op("Add");
        assert_eq!(
            infer_shape(&add, &[float(&[2, 1, 3]), float(&[4, 1])]),
            Ok(vec![2, 4, 3])
        );
        assert_eq!(infer_shape(&add, &[float(&[]), float(&[5])]), Ok(vec![5]));
        assert_eq!(
            infer_shape(&add, &[float(&[2, 3]), float(&[4])]),
            Err(invalid!("shapes [2, 3] and [4] do not broadcast"))
        );
        let int = TensorType::new(DataType::Int64, vec![3]);
        assert!(infer_shape(&add, &[float(&[3]), int]).is_err());
        let bools = TensorType::new(DataType::Bool, vec![3]);
        assert!(infer_shape(&add, &[bools.clone(), bools]).is_err());
    }

    #[test]
    fn float_eval() {
        let a = Tensor::from_f32(vec![2, 2], &[1.0, 2.0, 3.0, 4.0]);
        let b = Tensor::from_f32(vec![2], &[10.0, 20.0]);
        assert_eq!(
            eval(&op("Sub"), [a.clone(), b.clone()]).unwrap().f32s(),
            [-9.0, -18.0, -7.0, -16.0]
        );
        assert_eq!(
            eval(&op("Div"), [b, a]).unwrap().f32s(),
            [10.0, 10.0, 10.0 / 3.0, 5.0]
        );
    }

    #[test]
    fn integer_division() {
        let a = Tensor::from_i64(vec![4], &[7, -7, 7, -7]);
        let b = Tensor::from_i64(vec![4], &[2, 2, -2, -2]);
        assert_eq!(
            eval(&op("Div"), [a.clone(), b]).unwrap().ints(),
            [3, -3, -3, 3]
        );
        let zero = Tensor::from_i64(vec![], &[0]);
        assert_eq!(
            eval(&op("Div"), [a, zero]),
            Err(invalid!("integer division by zero"))
        );
        let min = Tensor::from_i32(vec![1], &[i32::MIN]);
        let minus_one = Tensor::from_i32(vec![1], &[-1]);
        let out = eval(&op("Div"), [min, minus_one]).unwrap();
        assert_eq!(
            (out.dtype(), out.ints()),
            (DataType::Int32, vec![i32::MIN as i64])
        );
    }

    #[test]
    fn int32_wraps() {
        let a = Tensor::from_i32(vec![1], &[i32::MAX]);
        let out = eval(&op("Add"), [a.clone(), a]).unwrap();
        assert_eq!(out.ints(), [-2]);
    }
}
