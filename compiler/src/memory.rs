//! Where every tensor the device touches lives: activations and inputs in buffers of their own,
//! constants packed into weight shards no larger than one storage binding, and views (Reshape,
//! Flatten, …) sharing the storage of the tensor they view.

use std::collections::HashMap;

use bytes::Bytes;
use onnx2wgsl_opset18::{DataType, Op, Tensor};
use onnx2wgsl_runtime::plan::{Buffer, Region};

use crate::ir::{Graph, Node, TensorId};
use crate::shard::ShardData;
use crate::target::Target;
use crate::CompileError;

/// WebGPU's `minStorageBufferOffsetAlignment` default, which every binding offset respects.
pub const ALIGNMENT: u64 = 256;

pub struct Layout {
    pub buffers: Vec<Buffer>,
    /// Device bytes of each shard, in the order of the shard buffers.
    pub shards: Vec<ShardData>,
    regions: HashMap<TensorId, Region>,
    /// Graph outputs whose storage belongs to something else (an input, a constant, another
    /// output): where their bytes are, and the output that needs them copied into its own buffer.
    pub output_copies: Vec<(Region, TensorId)>,
}

impl Layout {
    pub fn region(&self, tensor: TensorId) -> Region {
        self.regions[&tensor]
    }
}

/// Reshape-like operators whose output is the input's bytes under another shape.
pub fn is_view(op: &Op) -> bool {
    matches!(
        op,
        Op::Reshape(_) | Op::Flatten(_) | Op::Identity(_) | Op::Squeeze(_) | Op::Unsqueeze(_)
    )
}

pub fn plan(graph: &Graph, target: &Target) -> Result<Layout, CompileError> {
    let mut layout = Layout {
        buffers: Vec::new(),
        shards: Vec::new(),
        regions: HashMap::new(),
        output_copies: Vec::new(),
    };
    let mut packer = ShardPacker::new(target.limits.max_storage_buffer_binding_size);
    for &input in &graph.inputs {
        layout.own_buffer(graph, input, target)?;
    }
    for index in graph.topological_order() {
        let node = &graph.nodes[index];
        if is_view(&node.op) {
            let source = view_source(node);
            let region = layout.regions[&source];
            layout.regions.insert(node.outputs[0], region);
        } else {
            for (index, &input) in node.inputs.iter().enumerate() {
                let Some(input) = input else { continue };
                let bound = !is_parameter_input(&node.op, index);
                if bound && graph.is_constant(input) && !layout.regions.contains_key(&input) {
                    let region = packer.add(graph, input)?;
                    layout.regions.insert(input, region);
                }
            }
            for &output in &node.outputs {
                layout.own_buffer(graph, output, target)?;
            }
        }
    }
    layout.separate_outputs(graph, target, &mut packer)?;
    packer.finish(&mut layout);
    Ok(layout)
}

/// Inputs that only configure a kernel (Slice's starts and ends, …): read at build time, never
/// bound on the device.
pub fn is_parameter_input(op: &Op, index: usize) -> bool {
    // Pad's constant_value is folded into the kernel's uniforms; Resize's roi, scales and sizes,
    // Pad's pads and axes and Expand's shape only shape the kernel.
    matches!(
        op,
        Op::Slice(_) | Op::Pad(_) | Op::Resize(_) | Op::Expand(_)
    ) && index > 0
}

fn view_source(node: &Node) -> TensorId {
    node.inputs[0].expect("a view always has its data input")
}

impl Layout {
    fn own_buffer(
        &mut self,
        graph: &Graph,
        tensor: TensorId,
        target: &Target,
    ) -> Result<(), CompileError> {
        let size = device_size(graph, tensor)?;
        if size > target.limits.max_storage_buffer_binding_size {
            return Err(CompileError::Limit(format!(
                "tensor {:?} needs {size} bytes, more than one storage binding ({} bytes)",
                graph.tensor(tensor).name,
                target.limits.max_storage_buffer_binding_size
            )));
        }
        self.buffers.push(Buffer { size, shard: None });
        let region = Region {
            buffer: self.buffers.len() as u32 - 1,
            offset: 0,
            size,
        };
        self.regions.insert(tensor, region);
        Ok(())
    }

    /// Gives every graph output a buffer that no input, constant or other output shares.
    fn separate_outputs(
        &mut self,
        graph: &Graph,
        target: &Target,
        packer: &mut ShardPacker,
    ) -> Result<(), CompileError> {
        let mut taken: Vec<u32> = graph
            .inputs
            .iter()
            .map(|&t| self.regions[&t].buffer)
            .collect();
        for &output in &graph.outputs {
            let current = match self.regions.get(&output) {
                Some(region) => *region,
                None => packer.add(graph, output)?,
            };
            if current.buffer & SHARD_MARK != 0 || taken.contains(&current.buffer) {
                self.own_buffer(graph, output, target)?;
                self.output_copies.push((current, output));
            } else {
                self.regions.insert(output, current);
            }
            taken.push(self.regions[&output].buffer);
        }
        Ok(())
    }
}

/// Bytes a tensor occupies on the device: every element type is stored in 32 bits.
pub fn device_size(graph: &Graph, tensor: TensorId) -> Result<u64, CompileError> {
    let info = graph.tensor(tensor);
    let numel = info.ty.numel() as u64;
    if numel == 0 {
        return Err(CompileError::Tensor {
            tensor: info.name.clone(),
            reason: "zero-sized tensors on the device are not supported".into(),
        });
    }
    Ok(numel * 4)
}

/// Converts a constant to its device form: f32 as is, int64 narrowed to i32 (refusing values out of
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

/// Packs constants one after another (256-byte aligned) into shards of at most `limit` bytes.
struct ShardPacker {
    limit: u64,
    shards: Vec<ShardData>,
}

impl ShardPacker {
    fn new(limit: u64) -> ShardPacker {
        ShardPacker {
            limit,
            shards: Vec::new(),
        }
    }

    fn add(&mut self, graph: &Graph, tensor: TensorId) -> Result<Region, CompileError> {
        let info = graph.tensor(tensor);
        let value = info.value.as_ref().expect("only constants are packed");
        let bytes = device_bytes(&info.name, value)?;
        let size = device_size(graph, tensor)?;
        if size > self.limit {
            return Err(CompileError::Limit(format!(
                "constant {:?} needs {size} bytes, more than one storage binding ({} bytes)",
                info.name, self.limit
            )));
        }
        let fits = |shard: &ShardData| shard.len() + size <= self.limit;
        if !self.shards.last().is_some_and(fits) {
            self.shards.push(ShardData::default());
        }
        let index = self.shards.len() - 1;
        let shard = self.shards.last_mut().unwrap();
        let offset = shard.len();
        shard.push(bytes);
        shard.pad_to(ALIGNMENT);
        // Buffer indices are assigned in `finish`; until then `buffer` holds the shard index.
        Ok(Region {
            buffer: SHARD_MARK | index as u32,
            offset,
            size,
        })
    }

    /// Appends one buffer per shard and points shard regions at them.
    fn finish(self, layout: &mut Layout) {
        let first = layout.buffers.len() as u32;
        for (i, shard) in self.shards.iter().enumerate() {
            layout.buffers.push(Buffer {
                size: shard.len(),
                shard: Some(i as u32),
            });
        }
        let regions = layout.regions.values_mut();
        for region in regions.chain(layout.output_copies.iter_mut().map(|(r, _)| r)) {
            if region.buffer & SHARD_MARK != 0 {
                region.buffer = first + (region.buffer & !SHARD_MARK);
            }
        }
        layout.shards = self.shards;
    }
}

const SHARD_MARK: u32 = 1 << 31;
