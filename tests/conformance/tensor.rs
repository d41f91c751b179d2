//! The node tests' `input_K.pb` / `output_K.pb` files (serialized `TensorProto`s) as host tensors.

use std::path::Path;

use onnx2wgsl_runtime::{HostTensor, TensorData};
use onnx_protobuf::tensor_proto::DataType;
use onnx_protobuf::{Message, TensorProto};

pub fn read(path: &Path) -> Result<TensorProto, String> {
    let file = path.file_name().unwrap_or_default().to_string_lossy();
    let bytes = std::fs::read(path).map_err(|e| format!("{file}: {e}"))?;
    TensorProto::parse_from_bytes(&bytes).map_err(|e| format!("{file} does not decode: {e}"))
}

/// A float32, int32, int64 or bool tensor's values; other element types are not run here (the
/// compiler rejects them).
pub fn host(proto: &TensorProto) -> Result<HostTensor, String> {
    let shape = (proto.dims.iter())
        .map(|&d| usize::try_from(d).map_err(|_| format!("negative dimension {d}")))
        .collect::<Result<Vec<_>, _>>()?;
    let raw = &proto.raw_data;
    let data = match proto.data_type {
        t if t == DataType::FLOAT as i32 => {
            TensorData::F32(values(raw, &proto.float_data, f32::from_le_bytes))
        }
        t if t == DataType::INT32 as i32 => {
            TensorData::I32(values(raw, &proto.int32_data, i32::from_le_bytes))
        }
        t if t == DataType::INT64 as i32 => {
            TensorData::I64(values(raw, &proto.int64_data, i64::from_le_bytes))
        }
        t if t == DataType::BOOL as i32 => TensorData::Bool(match raw.is_empty() {
            true => proto.int32_data.iter().map(|&x| x != 0).collect(),
            false => raw.iter().map(|&x| x != 0).collect(),
        }),
        t => return Err(format!("element type {t} is not read by the runner")),
    };
    let tensor = HostTensor { shape, data };
    let len = match &tensor.data {
        TensorData::F32(v) => v.len(),
        TensorData::I32(v) => v.len(),
        TensorData::I64(v) => v.len(),
        TensorData::Bool(v) => v.len(),
    };
    if len != tensor.numel() {
        return Err(format!(
            "{len} values for shape {:?} in {:?}",
            tensor.shape, proto.name
        ));
    }
    Ok(tensor)
}

/// Little-endian `raw_data` when present, the typed field otherwise.
fn values<T: Copy, const N: usize>(raw: &[u8], typed: &[T], decode: fn([u8; N]) -> T) -> Vec<T> {
    if raw.is_empty() {
        return typed.to_vec();
    }
    raw.chunks_exact(N)
        .map(|c| decode(c.try_into().expect("chunks of N bytes")))
        .collect()
}
