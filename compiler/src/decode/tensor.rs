//! `TensorProto` to a constant [`Tensor`], reading external data from files beside the model.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use bytes::Bytes;
use onnx2wgsl_opset18::{onnx_type_name, DataType, Tensor, TensorType};

use crate::proto::tensor_proto::DataLocation;
use crate::proto::TensorProto;

/// Resolves `data_location = EXTERNAL` tensors against the model's folder, mapping each file once.
pub struct ExternalData {
    dir: PathBuf,
    files: RefCell<HashMap<PathBuf, Bytes>>,
}

impl ExternalData {
    pub fn new(dir: PathBuf) -> ExternalData {
        ExternalData {
            dir,
            files: RefCell::default(),
        }
    }

    fn read(&self, location: &str, offset: usize, length: Option<usize>) -> Result<Bytes, String> {
        let relative = Path::new(location);
        let escapes = relative
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir));
        if escapes {
            return Err(format!(
                "external data location {location:?} leaves the model's folder"
            ));
        }
        let path = self.dir.join(relative);
        let file = match self.files.borrow_mut().entry(path.clone()) {
            std::collections::hash_map::Entry::Occupied(e) => e.get().clone(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let bytes = super::map_file(&path).map_err(|e| e.to_string())?;
                e.insert(bytes).clone()
            }
        };
        let end = match length {
            Some(len) => offset.checked_add(len),
            None => Some(file.len()),
        };
        match end {
            Some(end) if offset <= end && end <= file.len() => Ok(file.slice(offset..end)),
            _ => Err(format!(
                "external data {location:?} (offset {offset}, length {length:?}) lies outside the file's {} bytes",
                file.len()
            )),
        }
    }
}

/// The element type numbered `code` in ONNX, or why the compiler does not support it.
pub fn element_type(code: i32) -> Result<DataType, String> {
    DataType::from_onnx(code)
        .ok_or_else(|| format!("element type {} is not supported", onnx_type_name(code)))
}

pub fn tensor_from_proto(proto: &TensorProto, external: &ExternalData) -> Result<Tensor, String> {
    let dtype = element_type(proto.data_type())?;
    let shape = proto
        .dims
        .iter()
        .map(|&d| usize::try_from(d).map_err(|_| format!("negative dimension {d}")))
        .collect::<Result<Vec<_>, _>>()?;
    let ty = TensorType::new(dtype, shape);
    let bytes = if proto.data_location() == DataLocation::External {
        external_bytes(proto, external)?
    } else if let Some(raw) = &proto.raw_data {
        raw.clone()
    } else {
        typed_field_bytes(proto, dtype)
    };
    Tensor::new(ty, bytes).map_err(|e| e.to_string())
}

fn external_bytes(proto: &TensorProto, external: &ExternalData) -> Result<Bytes, String> {
    let mut location = None;
    let mut offset = 0;
    let mut length = None;
    for entry in &proto.external_data {
        let number = || {
            entry
                .value()
                .parse::<usize>()
                .map_err(|_| format!("bad external data {}", entry.key()))
        };
        match entry.key() {
            "location" => location = Some(entry.value()),
            "offset" => offset = number()?,
            "length" => length = Some(number()?),
            _ => {}
        }
    }
    let location = location.ok_or("external data without a location")?;
    external.read(location, offset, length)
}

/// Values stored in the typed repeated fields rather than `raw_data`, as little-endian bytes.
fn typed_field_bytes(proto: &TensorProto, dtype: DataType) -> Bytes {
    let bytes: Vec<u8> = match dtype {
        DataType::Float => proto
            .float_data
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect(),
        DataType::Int64 => proto
            .int64_data
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect(),
        DataType::Int32 => proto
            .int32_data
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect(),
        DataType::Bool => proto.int32_data.iter().map(|&v| (v != 0) as u8).collect(),
    };
    bytes.into()
}
