//! Add, Sub, Mul, Div and Pow: elementwise arithmetic with multidirectional broadcasting. Pow's
//! exponent may have a numeric type of its own; its result has the base's type.

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
    Pow,
}

impl BinaryKind {
    pub fn from_op_type(op_type: &str) -> Option<BinaryKind> {
        Some(match op_type {
            "Add" => BinaryKind::Add,
            "Sub" => BinaryKind::Sub,
            "Mul" => BinaryKind::Mul,
            "Div" => BinaryKind::Div,
            "Pow" => BinaryKind::Pow,
            _ => return None,
        })
    }

    pub fn op_type(self) -> &'static str {
        match self {
            BinaryKind::Add => "Add",
            BinaryKind::Sub => "Sub",
            BinaryKind::Mul => "Mul",
            BinaryKind::Div => "Div",
            BinaryKind::Pow => "Pow",
        }
    }

    /// Pow as C's `pow` in double precision, rounded once (as onnxruntime's `std::pow`): a
    /// negative base with an integral exponent has the parity's sign, with another exponent NaN;
    /// x⁰ = 1 for every x, NaN included; 0 to a negative power is +∞ (−∞ for −0 and odd powers).
    fn apply_f32(self, a: f32, b: f32) -> f32 {
        match self {
            BinaryKind::Add => a + b,
            BinaryKind::Sub => a - b,
            BinaryKind::Mul => a * b,
            BinaryKind::Div => a / b,
            BinaryKind::Pow => (a as f64).powf(b as f64) as f32,
        }
    }

    /// Integer arithmetic wraps on overflow (int32 results are computed in i64 and then truncated,
    /// which wraps the same way); division truncates toward zero, as in C. An integer to a
    /// negative integer power is the truncated real result (0 unless the base is ±1).
    fn apply_int(self, a: i64, b: i64) -> Result<i64, OpError> {
        Ok(match self {
            BinaryKind::Add => a.wrapping_add(b),
            BinaryKind::Sub => a.wrapping_sub(b),
            BinaryKind::Mul => a.wrapping_mul(b),
            BinaryKind::Div if b == 0 => return Err(invalid!("integer division by zero")),
            BinaryKind::Div => a.wrapping_div(b),
            BinaryKind::Pow if b >= 0 => {
                // Squaring, wrapping like the other operations.
                let (mut base, mut exp, mut result) = (a, b as u64, 1i64);
                while exp > 0 {
                    if exp & 1 == 1 {
                        result = result.wrapping_mul(base);
                    }
                    base = base.wrapping_mul(base);
                    exp >>= 1;
                }
                result
            }
            BinaryKind::Pow if a == 0 => {
                return Err(invalid!("integer 0 to the negative power {b}"))
            }
            BinaryKind::Pow if a == 1 => 1,
            BinaryKind::Pow if a == -1 => 1 - 2 * (b & 1),
            BinaryKind::Pow => 0,
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
        let numeric = [DataType::Float, DataType::Int32, DataType::Int64];
        check_dtype("A", a, &numeric)?;
        if self.kind == BinaryKind::Pow {
            check_dtype("B", b, &numeric)?;
        } else if a.dtype != b.dtype {
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
        Ok(vec![match (out.dtype, b.dtype()) {
            (DataType::Float, DataType::Float) => {
                let (a, b) = (a.f32s(), b.f32s());
                let values: Vec<f32> = pairs
                    .map(|(i, j)| self.kind.apply_f32(a[i], b[j]))
                    .collect();
                Tensor::from_f32(out.shape, &values)
            }
            // Pow of a float base by an integer exponent, in double precision.
            (DataType::Float, _) => {
                let (a, b) = (a.f32s(), b.ints());
                let values: Vec<f32> = pairs
                    .map(|(i, j)| (a[i] as f64).powf(b[j] as f64) as f32)
                    .collect();
                Tensor::from_f32(out.shape, &values)
            }
            // Pow of an integer base by a float exponent: the real result, truncated.
            (dtype, DataType::Float) => {
                let (a, b) = (a.ints(), b.f32s());
                let values: Vec<i64> = pairs
                    .map(|(i, j)| (a[i] as f64).powf(b[j] as f64) as i64)
                    .collect();
                int_tensor(dtype, out.shape, values)
            }
            (dtype, _) => {
                let (a, b) = (a.ints(), b.ints());
                let values = pairs
                    .map(|(i, j)| self.kind.apply_int(a[i], b[j]))
                    .collect::<Result<Vec<i64>, _>>()?;
                int_tensor(dtype, out.shape, values)
            }
        }])
    }
}

/// An int32 (truncating, so wrapping) or int64 tensor of `values`.
fn int_tensor(dtype: DataType, shape: Vec<usize>, values: Vec<i64>) -> Tensor {
    if dtype == DataType::Int32 {
        let values: Vec<i32> = values.into_iter().map(|v| v as i32).collect();
        Tensor::from_i32(shape, &values)
    } else {
        Tensor::from_i64(shape, &values)
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
            Binary::parse("Mod", &Attributes::default()),
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

    #[test]
    fn pow_floats() {
        let pow = op("Pow");
        let a = Tensor::from_f32(
            vec![9],
            &[-2.0, -2.0, -2.0, 0.0, 0.0, 0.0, f32::NAN, 4.0, -0.0],
        );
        let b = Tensor::from_f32(vec![9], &[3.0, 2.0, 0.5, 0.0, 2.0, -1.0, 0.0, 0.5, -3.0]);
        let out = eval(&pow, [a, b]).unwrap().f32s();
        assert_eq!(out[..2], [-8.0, 4.0]);
        assert!(out[2].is_nan());
        assert_eq!(out[3..8], [1.0, 0.0, f32::INFINITY, 1.0, 2.0]);
        assert_eq!(out[8], f32::NEG_INFINITY);
        // The exponent may be an integer; the result has the base's type.
        let a = Tensor::from_f32(vec![2], &[1.5, -3.0]);
        let b = Tensor::from_i64(vec![], &[2]);
        let out = eval(&pow, [a, b]).unwrap();
        assert_eq!(
            (out.dtype(), out.f32s()),
            (DataType::Float, vec![2.25, 9.0])
        );
        let b = TensorType::new(DataType::Int32, vec![3]);
        assert_eq!(infer_shape(&pow, &[float(&[2, 1]), b]), Ok(vec![2, 3]));
    }

    #[test]
    fn pow_integers() {
        let pow = op("Pow");
        let a = Tensor::from_i64(vec![6], &[2, -3, 10, 2, -1, 1]);
        let b = Tensor::from_i64(vec![6], &[10, 3, 0, -1, -3, -5]);
        let out = eval(&pow, [a, b]).unwrap();
        assert_eq!(out.ints(), [1024, -27, 1, 0, -1, 1]);
        let zero = Tensor::from_i64(vec![], &[0]);
        let minus = Tensor::from_i64(vec![], &[-1]);
        assert!(eval(&pow, [zero, minus]).is_err());
        // An integer base with a float exponent: truncated, in the base's type.
        let a = Tensor::from_i32(vec![3], &[2, 3, 4]);
        let b = Tensor::from_f32(vec![3], &[0.5, 2.0, -1.0]);
        let out = eval(&pow, [a, b]).unwrap();
        assert_eq!((out.dtype(), out.ints()), (DataType::Int32, vec![1, 9, 0]));
        // The wrapping of int32 products.
        let a = Tensor::from_i32(vec![1], &[3]);
        let b = Tensor::from_i32(vec![1], &[21]);
        assert_eq!(
            eval(&pow, [a, b]).unwrap().ints(),
            [3i64.pow(21) as i32 as i64]
        );
    }
}
