//! Memory planning: where every tensor the device touches lives.
//!
//! Activations, inputs and outputs share arena buffers: each tensor is live from the step that
//! writes it to the last step that reads it, and tensors whose lifetimes do not overlap reuse the
//! same bytes (`arena.rs`). Views (Reshape, Flatten, …) share the storage of the tensor they view.
//! Constants are packed into weight shards (`shards.rs`).

mod arena;
mod shards;

use std::collections::{HashMap, HashSet};

use onnx2wgsl_runtime::plan::{Buffer, Region};

use petgraph::stable_graph::NodeIndex;

use crate::ir::{Graph, TensorId};
use crate::kernels::{is_parameter, scratch_bytes};
use crate::precision::storage;
use crate::shard::ShardData;
use crate::target::Target;
use crate::views::storage_root;
use crate::CompileError;

pub use shards::device_bytes;

/// WebGPU's `minStorageBufferOffsetAlignment` default, which every binding offset respects.
pub const ALIGNMENT: u64 = 256;

pub struct Layout {
    /// Arena buffers first, then one buffer per shard.
    pub buffers: Vec<Buffer>,
    /// Device bytes of each shard, in the order of the shard buffers.
    pub shards: Vec<ShardData>,
    regions: HashMap<TensorId, Region>,
    /// Scratch space of the nodes that need some (long normalizations).
    scratch: HashMap<NodeIndex, Region>,
    /// Where the host writes each graph input, in input order.
    pub input_regions: Vec<Region>,
    /// Positions of the inputs whose device form differs from what the host writes (f32 inputs
    /// of an f16 plan), converted from their `input_regions` before the first node.
    pub input_copies: Vec<usize>,
    /// Where each graph output is read back from, in output order.
    pub output_regions: Vec<Region>,
    /// Graph outputs whose bytes live elsewhere (in an input, a constant, or another output), or
    /// whose device form differs from what the host reads back: (where the bytes are, output
    /// position) pairs to copy after the last node.
    pub output_copies: Vec<(Region, usize)>,
    pub stats: MemoryStats,
}

/// Activation memory of the plan, against what its schedule allows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemoryStats {
    /// Bytes of all arenas together.
    pub planned: u64,
    /// The most bytes live at one step of the schedule: no packing can do better.
    pub lower_bound: u64,
    /// Bytes if no tensor shared memory with another.
    pub naive: u64,
}

impl Layout {
    pub fn region(&self, tensor: TensorId) -> Region {
        self.regions[&tensor]
    }

    pub fn scratch(&self, node: NodeIndex) -> Option<Region> {
        self.scratch.get(&node).copied()
    }
}

/// Bytes a tensor occupies on the device (see [`storage`]), in whole 4-byte words as a
/// binding's size must be; an empty tensor still gets the smallest region a binding can have.
pub fn device_size(graph: &Graph, target: &Target, tensor: TensorId) -> u64 {
    let bytes = match storage(graph, target, tensor) {
        "f16" => 2,
        _ => 4,
    };
    (graph.tensor(tensor).ty.numel() as u64 * bytes)
        .next_multiple_of(4)
        .max(4)
}

/// Bytes of a tensor in the form the host passes or receives: 32 bits per element.
fn host_size(graph: &Graph, tensor: TensorId) -> u64 {
    (graph.tensor(tensor).ty.numel() as u64 * 4).max(4)
}

/// What needs arena memory: a tensor, the private copy of a graph output, or a node's scratch
/// space (live only while that node runs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Key {
    Tensor(TensorId),
    HostInput(usize),
    OutputCopy(usize),
    Scratch(NodeIndex),
}

#[derive(Default)]
struct Lifetimes {
    keys: Vec<Key>,
    requests: Vec<arena::Request>,
    index: HashMap<Key, usize>,
    conflicts: Vec<Vec<usize>>,
}

impl Lifetimes {
    fn define(&mut self, key: Key, size: u64, step: usize) {
        self.index.insert(key, self.keys.len());
        self.keys.push(key);
        self.requests.push(arena::Request {
            size,
            first: step,
            last: step,
        });
        self.conflicts.push(Vec::new());
    }

    fn read(&mut self, key: Key, step: usize) {
        let request = &mut self.requests[self.index[&key]];
        request.last = request.last.max(step);
    }

    /// Records that one dispatch reads `reads` while writing `writes`: WebGPU forbids binding a
    /// buffer both ways in one dispatch, so they must not share an arena.
    fn dispatch(&mut self, reads: &[Key], writes: &[Key]) {
        for r in reads {
            for w in writes {
                let (r, w) = (self.index[r], self.index[w]);
                self.conflicts[r].push(w);
                self.conflicts[w].push(r);
            }
        }
    }
}

pub fn plan(graph: &Graph, target: &Target) -> Result<Layout, CompileError> {
    let limits = &target.limits;
    let mut packer = shards::ShardPacker::new(limits.max_storage_buffer_binding_size);
    let mut slots: HashMap<TensorId, shards::Slot> = HashMap::new();
    let mut life = Lifetimes::default();
    // A tensor larger than one binding is bound in parts by the kernels that can (codegen checks
    // that); it must still fit one buffer.
    let check = |t: TensorId, size: u64| -> Result<u64, CompileError> {
        if size > limits.max_buffer_size {
            return Err(CompileError::Limit(format!(
                "tensor {:?} needs {size} bytes, more than one buffer ({} bytes)",
                graph.tensor(t).name,
                limits.max_buffer_size
            )));
        }
        Ok(size)
    };

    let converts = |t: TensorId| target.converts(graph.tensor(t).ty.dtype);
    let mut input_copies = Vec::new();
    for (j, &input) in graph.inputs.iter().enumerate() {
        life.define(
            Key::Tensor(input),
            check(input, device_size(graph, target, input))?,
            0,
        );
        if converts(input) {
            life.define(Key::HostInput(j), check(input, host_size(graph, input))?, 0);
            life.dispatch(&[Key::HostInput(j)], &[Key::Tensor(input)]);
            input_copies.push(j);
        }
    }
    let order = graph.order();
    for (k, &index) in order.iter().enumerate() {
        let step = k + 1;
        let node = &graph.nodes[index];
        if node.view {
            continue;
        }
        let bound = (node.inputs.iter().enumerate())
            .filter(|&(i, _)| !is_parameter(&node.op, i))
            .filter_map(|(_, t)| *t);
        let operands = node
            .epilogue
            .iter()
            .flat_map(|e| e.operands.iter().copied());
        let mut reads = Vec::new();
        for input in bound.chain(operands) {
            let root = storage_root(graph, input);
            if graph.is_constant(root) {
                pack_constant(&mut slots, &mut packer, graph, target, root)?;
            } else {
                life.read(Key::Tensor(root), step);
                reads.push(Key::Tensor(root));
            }
        }
        let mut writes = Vec::new();
        for &output in &node.outputs {
            let size = check(output, device_size(graph, target, output))?;
            life.define(Key::Tensor(output), size, step);
            writes.push(Key::Tensor(output));
        }
        if let Some(size) = scratch_bytes(graph, node) {
            // Written while the input is read, then read while the output is written.
            let key = Key::Scratch(index);
            life.define(key, size, step);
            life.dispatch(&reads, &[key]);
            life.dispatch(&[key], &writes);
        }
        life.dispatch(&reads, &writes);
    }

    // Outputs are read back after the run, so they live to the end; one whose bytes belong to
    // something else gets a private copy, made after the last node.
    let copy_step = order.len() + 1;
    let end = order.len() + 2;
    let mut claimed = HashSet::new();
    let mut copies = Vec::new();
    for (j, &output) in graph.outputs.iter().enumerate() {
        let root = storage_root(graph, output);
        let borrowed = graph.is_constant(root) || graph.inputs.contains(&root);
        if borrowed || !claimed.insert(root) || converts(output) {
            if graph.is_constant(root) {
                pack_constant(&mut slots, &mut packer, graph, target, root)?;
            }
            let size = check(output, host_size(graph, output))?;
            life.define(Key::OutputCopy(j), size, copy_step);
            life.read(Key::OutputCopy(j), end);
            if !graph.is_constant(root) {
                life.read(Key::Tensor(root), copy_step);
                life.dispatch(&[Key::Tensor(root)], &[Key::OutputCopy(j)]);
            }
            copies.push((root, j));
        } else {
            life.read(Key::Tensor(root), end);
        }
    }

    let packing = arena::pack(
        &life.requests,
        &life.conflicts,
        ALIGNMENT,
        limits.max_buffer_size,
    )
    .expect("every request fits one binding, which fits one buffer");
    let mut buffers: Vec<Buffer> = packing
        .arena_sizes
        .iter()
        .map(|&size| Buffer { size, shard: None })
        .collect();
    let first_shard = buffers.len() as u32;
    buffers.extend((packer.shards.iter().enumerate()).map(|(i, s)| Buffer {
        size: s.len(),
        shard: Some(i as u32),
    }));

    let mut regions = HashMap::new();
    let mut copy_regions = HashMap::new();
    let mut host_inputs = HashMap::new();
    let mut scratch = HashMap::new();
    for (i, key) in life.keys.iter().enumerate() {
        let p = packing.placements[i];
        let region = Region {
            buffer: p.arena as u32,
            offset: p.offset,
            size: life.requests[i].size,
        };
        match *key {
            Key::Tensor(t) => {
                regions.insert(t, region);
            }
            Key::HostInput(j) => {
                host_inputs.insert(j, region);
            }
            Key::OutputCopy(j) => {
                copy_regions.insert(j, region);
            }
            Key::Scratch(node) => {
                scratch.insert(node, region);
            }
        }
    }
    for (&t, slot) in &slots {
        let region = Region {
            buffer: first_shard + slot.shard as u32,
            offset: slot.offset,
            size: slot.size,
        };
        regions.insert(t, region);
    }
    // Views read and write their root's bytes.
    for &index in &order {
        let node = &graph.nodes[index];
        if node.view {
            let root = storage_root(graph, node.outputs[0]);
            if let Some(&region) = regions.get(&root) {
                regions.insert(node.outputs[0], region);
            }
        }
    }
    let input_regions = (graph.inputs.iter().enumerate())
        .map(|(j, t)| host_inputs.get(&j).copied().unwrap_or(regions[t]))
        .collect();
    let output_regions = (0..graph.outputs.len())
        .map(|j| {
            copy_regions
                .get(&j)
                .copied()
                .unwrap_or_else(|| regions[&storage_root(graph, graph.outputs[j])])
        })
        .collect();
    let output_copies = copies
        .into_iter()
        .map(|(root, j)| (regions[&root], j))
        .collect();
    let stats = MemoryStats {
        planned: packing.arena_sizes.iter().sum(),
        lower_bound: arena::lower_bound(&life.requests, ALIGNMENT),
        naive: life
            .requests
            .iter()
            .map(|r| r.size.next_multiple_of(ALIGNMENT))
            .sum(),
    };
    Ok(Layout {
        buffers,
        shards: packer.shards,
        regions,
        scratch,
        input_regions,
        input_copies,
        output_regions,
        output_copies,
        stats,
    })
}

fn pack_constant(
    slots: &mut HashMap<TensorId, shards::Slot>,
    packer: &mut shards::ShardPacker,
    graph: &Graph,
    target: &Target,
    tensor: TensorId,
) -> Result<(), CompileError> {
    if let std::collections::hash_map::Entry::Vacant(slot) = slots.entry(tensor) {
        slot.insert(packer.add(graph, target, tensor)?);
    }
    Ok(())
}
