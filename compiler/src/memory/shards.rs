//! Constants on the device: converted to their device form and packed one after another
//! (256-byte aligned) into shards of at most one storage binding each.

use bytes::Bytes;
use onnx2wgsl_opset18::{DataType, Tensor};

use super::{device_size, ALIGNMENT};
use crate::ir::{Graph, TensorId};
use crate::precision::storage;
use crate::shard::ShardData;
use crate::target::Target;
use crate::CompileError;

/// Where a constant lies: shard index and byte offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    pub shard: usize,
    pub offset: u64,
    pub size: u64,
}

pub struct ShardPacker {
    limit: u64,
    pub shards: Vec<ShardData>,
}

impl ShardPacker {
    pub fn new(limit: u64) -> ShardPacker {
        ShardPacker {
            limit,
            shards: Vec::new(),
        }
    }

    pub fn add(
        &mut self,
        graph: &Graph,
        target: &Target,
        tensor: TensorId,
    ) -> Result<Slot, CompileError> {
        let info = graph.tensor(tensor);
        let value = info.value.as_ref().expect("only constants are packed");
        let size = device_size(graph, target, tensor);
        if size > self.limit {
            return Err(CompileError::Limit(format!(
                "constant {:?} needs {size} bytes, more than one storage binding ({} bytes)",
                info.name, self.limit
            )));
        }
        let bytes = match storage(graph, target, tensor) {
            "f16" => half_bytes(&info.name, value)?,
            _ => device_bytes(&info.name, value)?,
        };
        let fits = |shard: &ShardData| shard.len() + size <= self.limit;
        if !self.shards.last().is_some_and(fits) {
            self.shards.push(ShardData::default());
        }
        let shard = self.shards.len() - 1;
        let data = self.shards.last_mut().unwrap();
        let offset = data.len();
        data.push(bytes);
        // An empty constant still occupies the smallest bindable region.
        if data.len() < offset + size {
            data.push(Bytes::from(vec![
                0u8;
                (offset + size - data.len()) as usize
            ]));
        }
        data.pad_to(ALIGNMENT);
        Ok(Slot {
            shard,
            offset,
            size,
        })
    }
}

/// A float constant rounded to f16, refusing finite values that f16 cannot hold (they would
/// become infinities).
fn half_bytes(name: &str, tensor: &Tensor) -> Result<Bytes, CompileError> {
    let mut out = Vec::with_capacity(tensor.numel() * 2);
    for value in tensor.f32s() {
        let rounded = half::f16::from_f32(value);
        if rounded.is_infinite() && value.is_finite() {
            return Err(CompileError::Tensor {
                tensor: name.into(),
                reason: format!("value {value} is beyond f16's range (±65504)"),
            });
        }
        out.extend_from_slice(&rounded.to_le_bytes());
    }
    Ok(out.into())
}

/// Converts a constant to its 32-bit device form: f32 as is, int64 narrowed to i32 (refusing values out of
/// range), bool widened to u32.
pub fn device_bytes(name: &str, tensor: &Tensor) -> Result<Bytes, CompileError> {
    match tensor.dtype() {
        DataType::Float | DataType::Int32 => Ok(tensor.bytes.clone()),
        DataType::Int64 | DataType::Bool => {
            let mut out = Vec::with_capacity(tensor.numel() * 4);
            for value in tensor.ints() {
                let narrow = i32::try_from(value).map_err(|_| CompileError::Tensor {
                    tensor: name.into(),
                    reason: format!(
                        "int64 value {value} does not fit the device's 32-bit integers"
                    ),
                })?;
                out.extend_from_slice(&narrow.to_le_bytes());
            }
            Ok(out.into())
        }
    }
}
