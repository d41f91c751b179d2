#![no_main]
//! Model decoding and building. Inputs that decode as a `ModelProto` are mostly mutated as one:
//! a single field changes (a dimension, an attribute, an initializer's dims, data type or bytes, a
//! node's op type, inputs or outputs, a graph output, the opset) and the model is encoded again, so
//! the fuzzer reaches shape inference, folding, the passes and code generation, not only the
//! protobuf decoder. The rest of the time libFuzzer's own byte mutations run.

use std::sync::OnceLock;

use libfuzzer_sys::{fuzz_mutator, fuzz_target, fuzzer_mutate};
use onnx2wgsl::proto::tensor_shape_proto::dimension::Value as DimValue;
use onnx2wgsl::proto::{type_proto, GraphProto, ModelProto, NodeProto, TensorProto};
use onnx2wgsl_opset18::Op;
use prost::Message;

fuzz_target!(|data: &[u8]| onnx2wgsl_fuzz::decode_build(data, onnx2wgsl_fuzz::scratch()));

fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    let mut rng = Rng(u64::from(seed).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    if rng.below(5) != 0 {
        if let Ok(mut model) = ModelProto::decode(&data[..size]) {
            if model.graph.is_some() {
                for _ in 0..1 + rng.below(2) {
                    mutate(&mut model, &mut rng);
                }
                let bytes = model.encode_to_vec();
                if bytes.len() <= max_size {
                    data[..bytes.len()].copy_from_slice(&bytes);
                    return bytes.len();
                }
            }
        }
    }
    fuzzer_mutate(data, size, max_size)
});

/// splitmix64
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        (!items.is_empty()).then(|| &items[self.below(items.len())])
    }

    fn index<T>(&mut self, items: &[T]) -> Option<usize> {
        (!items.is_empty()).then(|| self.below(items.len()))
    }

    /// Mostly small values, sometimes the edges of i32/i64 and sizes that overflow products.
    fn int(&mut self) -> i64 {
        const EDGES: [i64; 16] = [
            0,
            1,
            -1,
            2,
            -2,
            3,
            255,
            256,
            65_535,
            65_536,
            i32::MAX as i64,
            1 << 31,
            1 << 32,
            1 << 40,
            i64::MAX,
            i64::MIN,
        ];
        if self.below(3) == 0 {
            EDGES[self.below(EDGES.len())]
        } else {
            self.below(9) as i64 - 3
        }
    }
}

/// Op types the compiler does not support, picked beside every one it does.
const UNSUPPORTED: &[&str] = &["Erf", "Loop", ""];

/// Every op type the opset table has, then [`UNSUPPORTED`]; listed once per fuzzing process.
fn op_types() -> &'static [&'static str] {
    static TYPES: OnceLock<Vec<&str>> = OnceLock::new();
    TYPES.get_or_init(|| Op::types().chain(UNSUPPORTED.iter().copied()).collect())
}

/// ONNX data types: float, uint8, int8, int32, int64, string, bool, float16, double, bfloat16, and
/// values no type has.
const DATA_TYPES: &[i32] = &[1, 2, 3, 6, 7, 8, 9, 10, 11, 16, 0, -1, 99];

fn mutate(model: &mut ModelProto, rng: &mut Rng) {
    if rng.below(40) == 0 {
        let version = *rng.pick(&[1, 17, 18, 19, i64::MAX]).unwrap();
        if let Some(opset) = model.opset_import.first_mut() {
            opset.version = Some(version);
        }
        return;
    }
    let graph = model.graph.as_mut().expect("checked by the caller");
    let names = value_names(graph);
    match rng.below(12) {
        0 | 1 => attribute(graph, rng),
        2 => {
            if let Some(node) = node(graph, rng) {
                node.op_type = Some(rng.pick(op_types()).unwrap().to_string());
            }
        }
        3 => {
            if let Some(node) = node(graph, rng) {
                let name = rng.pick(&names).cloned().unwrap_or_default();
                match rng.index(&node.input) {
                    Some(i) if rng.below(4) != 0 => node.input[i] = name,
                    Some(i) if rng.below(2) == 0 => drop(node.input.remove(i)),
                    _ => node.input.push(if rng.below(4) == 0 {
                        String::new()
                    } else {
                        name
                    }),
                }
            }
        }
        4 => {
            if let Some(node) = node(graph, rng) {
                let name = rng.pick(&names).cloned().unwrap_or_default();
                match rng.index(&node.output) {
                    Some(i) if rng.below(2) == 0 => node.output[i] = name,
                    _ => node.output.push(format!("fuzz_{}", rng.below(4))),
                }
            }
        }
        5 => {
            if let Some(i) = rng.index(&graph.initializer) {
                tensor(&mut graph.initializer[i], rng);
            }
        }
        6 => input_dim(graph, rng),
        7 => {
            // Reorder, repeat or drop a node.
            let (Some(a), Some(b)) = (rng.index(&graph.node), rng.index(&graph.node)) else {
                return;
            };
            match rng.below(3) {
                0 => graph.node.swap(a, b),
                1 => {
                    let copy = graph.node[a].clone();
                    graph.node.insert(b, copy);
                }
                _ => drop(graph.node.remove(a)),
            }
        }
        8 => {
            // Graph outputs: renamed to another value, repeated or dropped.
            let Some(i) = rng.index(&graph.output) else {
                return;
            };
            match rng.below(3) {
                0 => graph.output[i].name = rng.pick(&names).cloned(),
                1 => {
                    let copy = graph.output[i].clone();
                    graph.output.push(copy);
                }
                _ => drop(graph.output.remove(i)),
            }
        }
        9 => {
            // An initializer dropped, or turned into a graph input.
            let Some(i) = rng.index(&graph.initializer) else {
                return;
            };
            if rng.below(2) == 0 {
                graph.initializer.remove(i);
            } else if let Some(input) = graph.input.first().cloned() {
                let mut input = input;
                input.name = graph.initializer[i].name.clone();
                graph.input.push(input);
            }
        }
        10 => {
            // The tensor of a Constant node.
            if let Some(node) = node(graph, rng) {
                if let Some(t) = node.attribute.iter_mut().find_map(|a| a.t.as_mut()) {
                    tensor(t, rng);
                }
            }
        }
        _ => {
            // A graph input's element type.
            if let Some(i) = rng.index(&graph.input) {
                if let Some(type_proto::Value::TensorType(t)) = graph.input[i]
                    .r#type
                    .as_mut()
                    .and_then(|t| t.value.as_mut())
                {
                    t.elem_type = Some(*rng.pick(DATA_TYPES).unwrap());
                }
            }
        }
    }
}

fn node<'a>(graph: &'a mut GraphProto, rng: &mut Rng) -> Option<&'a mut NodeProto> {
    let i = rng.index(&graph.node)?;
    Some(&mut graph.node[i])
}

/// Names a node input can refer to: graph inputs, initializers and node outputs.
fn value_names(graph: &GraphProto) -> Vec<String> {
    let inputs = graph.input.iter().filter_map(|v| v.name.clone());
    let initializers = graph.initializer.iter().filter_map(|t| t.name.clone());
    let outputs = graph.node.iter().flat_map(|n| n.output.iter().cloned());
    inputs.chain(initializers).chain(outputs).collect()
}

fn attribute(graph: &mut GraphProto, rng: &mut Rng) {
    let Some(node) = node(graph, rng) else {
        return;
    };
    let Some(i) = rng.index(&node.attribute) else {
        // A node without attributes gets a common one.
        let name = *rng
            .pick(&["axis", "axes", "perm", "pads", "group", "keepdims"])
            .unwrap();
        node.attribute.push(onnx2wgsl::proto::AttributeProto {
            name: Some(name.into()),
            r#type: Some(2),
            i: Some(rng.int()),
            ..Default::default()
        });
        return;
    };
    let value = rng.int();
    let attr = &mut node.attribute[i];
    if let Some(j) = rng.index(&attr.ints) {
        match rng.below(4) {
            0 => drop(attr.ints.remove(j)),
            1 => attr.ints.push(value),
            _ => attr.ints[j] = value,
        }
    } else if let Some(j) = rng.index(&attr.floats) {
        attr.floats[j] = *rng
            .pick(&[0.0, -1.0, 1e30, f32::NAN, f32::INFINITY, value as f32])
            .unwrap();
    } else if attr.i.is_some() {
        attr.i = Some(value);
    } else if attr.f.is_some() {
        attr.f = Some(value as f32);
    } else if let Some(t) = attr.t.as_mut() {
        tensor(t, rng);
    } else if attr.s.is_some() {
        let s = *rng
            .pick(&["nearest", "linear", "cubic", "constant", "reflect", "", "x"])
            .unwrap();
        attr.s = Some(s.as_bytes().to_vec().into());
    } else {
        attr.r#type = Some(rng.below(16) as i32);
    }
}

fn tensor(t: &mut TensorProto, rng: &mut Rng) {
    let value = rng.int();
    match rng.below(6) {
        0 => match rng.index(&t.dims) {
            Some(j) if rng.below(4) != 0 => t.dims[j] = value,
            Some(j) if rng.below(2) == 0 => drop(t.dims.remove(j)),
            _ => t.dims.push(value),
        },
        1 => t.data_type = Some(*rng.pick(DATA_TYPES).unwrap()),
        2 => {
            // raw_data cut short or grown.
            if let Some(raw) = t.raw_data.as_ref() {
                let len = rng.below(raw.len() * 2 + 9);
                let mut bytes = raw.to_vec();
                bytes.resize(len, 0);
                t.raw_data = Some(bytes.into());
            }
        }
        _ => {
            // One element set to an edge value, wherever the elements are stored.
            if let Some(j) = rng.index(&t.int64_data) {
                t.int64_data[j] = value;
            } else if let Some(j) = rng.index(&t.int32_data) {
                t.int32_data[j] = value as i32;
            } else if let Some(j) = rng.index(&t.float_data) {
                t.float_data[j] = value as f32;
            } else if let Some(raw) = t.raw_data.as_ref() {
                let mut bytes = raw.to_vec();
                let width = if t.data_type == Some(7) { 8 } else { 4 };
                if let Some(k) = (bytes.len() >= width).then(|| rng.below(bytes.len() / width)) {
                    let le = value.to_le_bytes();
                    bytes[k * width..(k + 1) * width].copy_from_slice(&le[..width]);
                    t.raw_data = Some(bytes.into());
                }
            }
        }
    }
}

fn input_dim(graph: &mut GraphProto, rng: &mut Rng) {
    let Some(i) = rng.index(&graph.input) else {
        return;
    };
    let Some(type_proto::Value::TensorType(t)) = graph.input[i]
        .r#type
        .as_mut()
        .and_then(|t| t.value.as_mut())
    else {
        return;
    };
    let Some(shape) = t.shape.as_mut() else {
        return;
    };
    let value = match rng.below(4) {
        0 => DimValue::DimParam(rng.pick(&["B", "N", ""]).unwrap().to_string()),
        _ => DimValue::DimValue(rng.int()),
    };
    match rng.index(&shape.dim) {
        Some(j) if rng.below(4) != 0 => shape.dim[j].value = Some(value),
        Some(j) if rng.below(2) == 0 => drop(shape.dim.remove(j)),
        _ => shape
            .dim
            .push(onnx2wgsl::proto::tensor_shape_proto::Dimension {
                value: Some(value),
                ..Default::default()
            }),
    }
}
