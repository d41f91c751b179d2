//! Tensors as the host holds them, and their conversion to and from the device's 32-bit words.

use crate::plan::DType;
use crate::Error;

/// A dense, row-major tensor on the host.
#[derive(Clone, Debug, PartialEq)]
pub struct HostTensor {
    pub shape: Vec<usize>,
    pub data: TensorData,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TensorData {
    F32(Vec<f32>),
    I32(Vec<i32>),
    /// Lives on the device as `i32` (see [`DType::I64`]).
    I64(Vec<i64>),
    /// Lives on the device as `u32` 0 or 1.
    Bool(Vec<bool>),
}

impl HostTensor {
    pub fn f32(shape: impl Into<Vec<usize>>, data: Vec<f32>) -> HostTensor {
        HostTensor {
            shape: shape.into(),
            data: TensorData::F32(data),
        }
    }

    pub fn i32(shape: impl Into<Vec<usize>>, data: Vec<i32>) -> HostTensor {
        HostTensor {
            shape: shape.into(),
            data: TensorData::I32(data),
        }
    }

    pub fn i64(shape: impl Into<Vec<usize>>, data: Vec<i64>) -> HostTensor {
        HostTensor {
            shape: shape.into(),
            data: TensorData::I64(data),
        }
    }

    pub fn bool(shape: impl Into<Vec<usize>>, data: Vec<bool>) -> HostTensor {
        HostTensor {
            shape: shape.into(),
            data: TensorData::Bool(data),
        }
    }

    pub fn dtype(&self) -> DType {
        match self.data {
            TensorData::F32(_) => DType::F32,
            TensorData::I32(_) => DType::I32,
            TensorData::I64(_) => DType::I64,
            TensorData::Bool(_) => DType::Bool,
        }
    }

    /// Number of elements the shape describes.
    pub fn numel(&self) -> usize {
        self.shape.iter().product()
    }

    pub fn as_f32(&self) -> Option<&[f32]> {
        match &self.data {
            TensorData::F32(v) => Some(v),
            _ => None,
        }
    }

    pub fn as_i32(&self) -> Option<&[i32]> {
        match &self.data {
            TensorData::I32(v) => Some(v),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<&[i64]> {
        match &self.data {
            TensorData::I64(v) => Some(v),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<&[bool]> {
        match &self.data {
            TensorData::Bool(v) => Some(v),
            _ => None,
        }
    }

    /// The little-endian device words of input `name`, narrowing `i64` to `i32` and widening
    /// `bool` to `u32`.
    pub(crate) fn to_device_bytes(&self, name: &str) -> Result<Vec<u8>, Error> {
        let len = match &self.data {
            TensorData::F32(v) => v.len(),
            TensorData::I32(v) => v.len(),
            TensorData::I64(v) => v.len(),
            TensorData::Bool(v) => v.len(),
        };
        if len != self.numel() {
            return Err(Error::InputLength {
                name: name.to_owned(),
                expected: self.numel(),
                found: len,
            });
        }
        Ok(match &self.data {
            TensorData::F32(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            TensorData::I32(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            TensorData::I64(v) => {
                let mut bytes = Vec::with_capacity(v.len() * 4);
                for &value in v {
                    let narrow = i32::try_from(value).map_err(|_| Error::Int64OutOfRange {
                        name: name.to_owned(),
                        value,
                    })?;
                    bytes.extend(narrow.to_le_bytes());
                }
                bytes
            }
            TensorData::Bool(v) => v.iter().flat_map(|&x| u32::from(x).to_le_bytes()).collect(),
        })
    }

    /// Reads device words back, widening `i32` to `i64` where the plan says the tensor is `I64`
    /// and reading any nonzero word as `true` where it says `Bool`.
    pub(crate) fn from_device_bytes(dtype: DType, shape: &[usize], bytes: &[u8]) -> HostTensor {
        let numel = shape.iter().product();
        let words = (bytes.chunks_exact(4).take(numel)).map(|w| [w[0], w[1], w[2], w[3]]);
        let data = match dtype {
            DType::F32 => TensorData::F32(words.map(f32::from_le_bytes).collect()),
            DType::I32 => TensorData::I32(words.map(i32::from_le_bytes).collect()),
            DType::I64 => TensorData::I64(words.map(|w| i32::from_le_bytes(w).into()).collect()),
            DType::Bool => TensorData::Bool(words.map(|w| u32::from_le_bytes(w) != 0).collect()),
        };
        HostTensor {
            shape: shape.to_vec(),
            data,
        }
    }
}
