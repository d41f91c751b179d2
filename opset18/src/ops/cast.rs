//! Cast between float32, int32, int64 and bool.

use super::common::{check_arity, constants, required};
use crate::op::Semantics;
use crate::{onnx_type_name, Attributes, DataType, OpError, Tensor, TensorType, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct Cast {
    pub to: DataType,
}

impl Cast {
    pub fn parse(attrs: &Attributes) -> Result<Cast, OpError> {
        attrs.only(&["to", "saturate"])?;
        let code = attrs
            .opt_int("to")?
            .ok_or_else(|| OpError::MissingAttribute("to".into()))?;
        let code = i32::try_from(code).unwrap_or(-1);
        let to = DataType::from_onnx(code).ok_or_else(|| OpError::Attribute {
            name: "to".into(),
            reason: format!(
                "element type {} is not supported (only float32, int32, int64, bool)",
                onnx_type_name(code)
            ),
        })?;
        // `saturate` only affects float8 targets, which are not supported anyway.
        if attrs.int("saturate", 1)? != 1 {
            return Err(OpError::Attribute {
                name: "saturate".into(),
                reason: "only the default 1 is supported".into(),
            });
        }
        Ok(Cast { to })
    }
}

impl Semantics for Cast {
    fn infer(&self, inputs: &[Option<Value>]) -> Result<Vec<TensorType>, OpError> {
        check_arity(inputs, 1, 1)?;
        let x = required(inputs, 0, "input")?.ty;
        Ok(vec![TensorType::new(self.to, x.shape.clone())])
    }

    /// Float to integer truncates toward zero; out-of-range values saturate and NaN becomes 0
    /// (the spec leaves both undefined). Wider to narrower integers wrap, as in C.
    fn eval(&self, inputs: &[Option<&Tensor>]) -> Result<Vec<Tensor>, OpError> {
        let shape = self.infer(&constants(inputs))?.remove(0).shape;
        let x = required(inputs, 0, "input")?;
        Ok(vec![if x.dtype() == DataType::Float {
            let v = x.f32s();
            match self.to {
                DataType::Float => Tensor::from_f32(shape, &v),
                DataType::Int32 => Tensor::from_i32(shape, &map(&v, |f| f as i32)),
                DataType::Int64 => Tensor::from_i64(shape, &map(&v, |f| f as i64)),
                DataType::Bool => Tensor::from_bool(shape, &map(&v, |f| f != 0.0)),
            }
        } else {
            let v = x.ints();
            match self.to {
                DataType::Float => Tensor::from_f32(shape, &map(&v, |i| i as f32)),
                DataType::Int32 => Tensor::from_i32(shape, &map(&v, |i| i as i32)),
                DataType::Int64 => Tensor::from_i64(shape, &v),
                DataType::Bool => Tensor::from_bool(shape, &map(&v, |i| i != 0)),
            }
        }])
    }
}

fn map<T: Copy, U>(values: &[T], f: impl Fn(T) -> U) -> Vec<U> {
    values.iter().map(|&v| f(v)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::common::testing::{attrs, eval};
    use crate::Attribute;

    fn cast(to: DataType) -> Cast {
        Cast::parse(&attrs(&[("to", Attribute::Int(to.onnx_code() as i64))])).unwrap()
    }

    #[test]
    fn parse() {
        assert_eq!(cast(DataType::Int32).to, DataType::Int32);
        match Cast::parse(&attrs(&[("to", Attribute::Int(10))])) {
            Err(OpError::Attribute { reason, .. }) => {
                assert!(reason.contains("float16"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
        assert!(Cast::parse(&attrs(&[("to", Attribute::Int(1 << 40))])).is_err());
        assert!(Cast::parse(&Attributes::default()).is_err());
        let saturate = attrs(&[("to", Attribute::Int(1)), ("saturate", Attribute::Int(0))]);
        assert!(Cast::parse(&saturate).is_err());
    }

    #[test]
    fn float_to_int_truncates() {
        let x = Tensor::from_f32(vec![4], &[1.7, -1.7, 0.0, f32::NAN]);
        assert_eq!(
            eval(&cast(DataType::Int64), [x.clone()]).unwrap().ints(),
            [1, -1, 0, 0]
        );
        let b = eval(&cast(DataType::Bool), [x]).unwrap();
        assert_eq!((b.dtype(), b.ints()), (DataType::Bool, vec![1, 1, 0, 1]));
    }

    #[test]
    fn between_ints() {
        let x = Tensor::from_i64(vec![3], &[1 << 32, -1, 3]);
        let out = eval(&cast(DataType::Int32), [x.clone()]).unwrap();
        assert_eq!((out.dtype(), out.ints()), (DataType::Int32, vec![0, -1, 3]));
        assert_eq!(
            eval(&cast(DataType::Float), [x]).unwrap().f32s(),
            [4294967296.0, -1.0, 3.0]
        );
        let b = Tensor::from_bool(vec![2], &[true, false]);
        assert_eq!(
            eval(&cast(DataType::Float), [b]).unwrap().f32s(),
            [1.0, 0.0]
        );
    }
}
