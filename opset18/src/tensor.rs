use bytes::Bytes;

use crate::OpError;

/// ONNX element types, numbered as in `onnx.proto`'s `TensorProto.DataType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DataType {
    Float,
    Int32,
    Int64,
    Bool,
}

impl DataType {
    pub fn from_onnx(code: i32) -> Option<DataType> {
        Some(match code {
            1 => DataType::Float,
            6 => DataType::Int32,
            7 => DataType::Int64,
            9 => DataType::Bool,
            _ => return None,
        })
    }

    pub fn onnx_code(self) -> i32 {
        match self {
            DataType::Float => 1,
            DataType::Int32 => 6,
            DataType::Int64 => 7,
            DataType::Bool => 9,
        }
    }

    /// Bytes per element in ONNX's little-endian raw layout.
    pub fn size(self) -> usize {
        match self {
            DataType::Float | DataType::Int32 => 4,
            DataType::Int64 => 8,
            DataType::Bool => 1,
        }
    }

    pub fn name(self) -> &'static str {
        onnx_type_name(self.onnx_code())
    }
}

/// The name of ONNX element type `code`, supported or not: `TensorProto.DataType`'s in lower case,
/// except float32 for FLOAT.
pub fn onnx_type_name(code: i32) -> &'static str {
    match code {
        0 => "undefined",
        1 => "float32",
        2 => "uint8",
        3 => "int8",
        4 => "uint16",
        5 => "int16",
        6 => "int32",
        7 => "int64",
        8 => "string",
        9 => "bool",
        10 => "float16",
        11 => "double",
        12 => "uint32",
        13 => "uint64",
        14 => "complex64",
        15 => "complex128",
        16 => "bfloat16",
        17 => "float8e4m3fn",
        18 => "float8e4m3fnuz",
        19 => "float8e5m2",
        20 => "float8e5m2fnuz",
        21 => "uint4",
        22 => "int4",
        23 => "float4e2m1",
        24 => "float8e8m0",
        _ => "unknown",
    }
}

/// Element type and static shape of a tensor.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TensorType {
    pub dtype: DataType,
    pub shape: Vec<usize>,
}

impl TensorType {
    pub fn new(dtype: DataType, shape: Vec<usize>) -> TensorType {
        TensorType { dtype, shape }
    }

    pub fn numel(&self) -> usize {
        self.shape.iter().product()
    }

    /// Bytes of the tensor in ONNX's raw layout, or `None` if its size overflows. Every element
    /// is also counted at 8 bytes (int64's width, twice the device's 4), so that once a type has
    /// passed this check no size computed from it, in any layout, can overflow.
    pub fn checked_bytes(&self) -> Option<usize> {
        let numel = (self.shape.iter()).try_fold(1usize, |n, &d| n.checked_mul(d))?;
        numel.checked_mul(MAX_ELEMENT_BYTES)?;
        Some(numel * self.dtype.size())
    }
}

/// The widest element of any supported type, in bytes.
const MAX_ELEMENT_BYTES: usize = 8;

/// A constant tensor: little-endian bytes in ONNX's raw layout. Initializers keep these bytes as a
/// view of the memory-mapped model; folded results own theirs.
#[derive(Clone, Debug, PartialEq)]
pub struct Tensor {
    pub ty: TensorType,
    pub bytes: Bytes,
}

impl Tensor {
    pub fn new(ty: TensorType, bytes: Bytes) -> Result<Tensor, OpError> {
        let want = ty.checked_bytes().ok_or_else(|| too_large(&ty))?;
        if bytes.len() != want {
            return Err(OpError::Invalid(format!(
                "tensor of shape {:?} and type {} needs {} bytes, got {}",
                ty.shape,
                ty.dtype.name(),
                want,
                bytes.len()
            )));
        }
        Ok(Tensor { ty, bytes })
    }

    pub fn from_f32(shape: Vec<usize>, values: &[f32]) -> Tensor {
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        Tensor {
            ty: TensorType::new(DataType::Float, shape),
            bytes: bytes.into(),
        }
    }

    pub fn from_i64(shape: Vec<usize>, values: &[i64]) -> Tensor {
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        Tensor {
            ty: TensorType::new(DataType::Int64, shape),
            bytes: bytes.into(),
        }
    }

    pub fn from_i32(shape: Vec<usize>, values: &[i32]) -> Tensor {
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        Tensor {
            ty: TensorType::new(DataType::Int32, shape),
            bytes: bytes.into(),
        }
    }

    pub fn from_bool(shape: Vec<usize>, values: &[bool]) -> Tensor {
        let bytes: Vec<u8> = values.iter().map(|&v| v as u8).collect();
        Tensor {
            ty: TensorType::new(DataType::Bool, shape),
            bytes: bytes.into(),
        }
    }

    pub fn dtype(&self) -> DataType {
        self.ty.dtype
    }

    pub fn shape(&self) -> &[usize] {
        &self.ty.shape
    }

    pub fn numel(&self) -> usize {
        self.ty.numel()
    }

    pub fn f32s(&self) -> Vec<f32> {
        assert_eq!(
            self.ty.dtype,
            DataType::Float,
            "f32s() on a {} tensor",
            self.ty.dtype.name()
        );
        self.bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
            .collect()
    }

    /// Integer contents of an int32, int64 or bool tensor, widened to i64.
    pub fn ints(&self) -> Vec<i64> {
        match self.ty.dtype {
            DataType::Int64 => self
                .bytes
                .chunks_exact(8)
                .map(|c| i64::from_le_bytes(c.try_into().unwrap()))
                .collect(),
            DataType::Int32 => self
                .bytes
                .chunks_exact(4)
                .map(|c| i32::from_le_bytes(c.try_into().unwrap()) as i64)
                .collect(),
            DataType::Bool => self.bytes.iter().map(|&b| (b != 0) as i64).collect(),
            DataType::Float => panic!("ints() on a float32 tensor"),
        }
    }

    /// Contents as f64, whatever the element type (for type-generic CPU evaluation).
    pub fn as_f64(&self) -> Vec<f64> {
        match self.ty.dtype {
            DataType::Float => self.f32s().into_iter().map(f64::from).collect(),
            _ => self.ints().into_iter().map(|v| v as f64).collect(),
        }
    }

    /// Builds a tensor of `dtype` from f64 values (inverse of [`Tensor::as_f64`]; integers truncate).
    pub fn from_f64(dtype: DataType, shape: Vec<usize>, values: &[f64]) -> Tensor {
        match dtype {
            DataType::Float => {
                Tensor::from_f32(shape, &values.iter().map(|&v| v as f32).collect::<Vec<_>>())
            }
            DataType::Int64 => {
                Tensor::from_i64(shape, &values.iter().map(|&v| v as i64).collect::<Vec<_>>())
            }
            DataType::Int32 => {
                Tensor::from_i32(shape, &values.iter().map(|&v| v as i32).collect::<Vec<_>>())
            }
            DataType::Bool => {
                Tensor::from_bool(shape, &values.iter().map(|&v| v != 0.0).collect::<Vec<_>>())
            }
        }
    }

    /// Same bytes under another shape of equal element count.
    pub fn reshaped(&self, shape: Vec<usize>) -> Tensor {
        debug_assert_eq!(shape.iter().product::<usize>(), self.numel());
        Tensor {
            ty: TensorType::new(self.ty.dtype, shape),
            bytes: self.bytes.clone(),
        }
    }
}

/// The error for a type whose size overflows (see [`TensorType::checked_bytes`]).
pub fn too_large(ty: &TensorType) -> OpError {
    OpError::Invalid(format!(
        "shape {:?} of type {} has too many elements",
        ty.shape,
        ty.dtype.name()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names() {
        let names: Vec<&str> = [2, 10, 11, 16, 99].map(onnx_type_name).to_vec();
        assert_eq!(names, ["uint8", "float16", "double", "bfloat16", "unknown"]);
        assert_eq!(DataType::Float.name(), "float32");
        assert_eq!(DataType::from_onnx(7).map(DataType::name), Some("int64"));
    }

    #[test]
    fn sizes_that_overflow_are_none() {
        let ty = |dtype, shape: &[usize]| TensorType::new(dtype, shape.to_vec());
        assert_eq!(ty(DataType::Int64, &[2, 3]).checked_bytes(), Some(48));
        assert_eq!(ty(DataType::Bool, &[]).checked_bytes(), Some(1));
        assert_eq!(
            ty(DataType::Float, &[1 << 30, 1 << 30]).checked_bytes(),
            Some(1 << 62)
        );
        assert_eq!(
            ty(DataType::Float, &[1 << 31, 1 << 31]).checked_bytes(),
            None
        );
        assert_eq!(ty(DataType::Bool, &[1 << 61, 2]).checked_bytes(), None);
        assert!(Tensor::new(ty(DataType::Float, &[usize::MAX, 2]), Bytes::new()).is_err());
    }
}
