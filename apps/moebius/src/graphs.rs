//! The two small graphs the pipeline adds to the Moebius three, built as ONNX and compiled by
//! onnx2wgsl like any model, so that guidance and the DDIM update run on the GPU:
//!
//! - `prepare`: cond = [mask ‖ moments[:, 0:4]·0.13025] and the first UNet input
//!   [x ‖ cond] for both batch rows;
//! - `step`: ε = ε₀ + g·(ε₁ − ε₀); x ← a·x + b·ε; the next UNet input; and x / 0.13025 for the
//!   decoder. `coefficients` = [g, a, b].

use std::path::Path;

use onnx2wgsl::proto::{
    attribute_proto::AttributeType, tensor_shape_proto, type_proto, AttributeProto, GraphProto,
    ModelProto, NodeProto, OperatorSetIdProto, TensorProto, TensorShapeProto, TypeProto,
    ValueInfoProto,
};
use onnx2wgsl::{compile, CompileError, Options};
use prost::Message;

use crate::sizes::Sizes;

/// The VAE's latent scaling factor (this VAE's, not Stable Diffusion's 0.18215).
pub const VAE_SCALE: f32 = 0.13025;

const FLOAT: i32 = 1;
const INT64: i32 = 7;

fn value(name: &str, shape: &[usize]) -> ValueInfoProto {
    let dim = shape.iter().map(|&d| tensor_shape_proto::Dimension {
        value: Some(tensor_shape_proto::dimension::Value::DimValue(d as i64)),
        ..Default::default()
    });
    ValueInfoProto {
        name: Some(name.to_owned()),
        r#type: Some(TypeProto {
            value: Some(type_proto::Value::TensorType(type_proto::Tensor {
                elem_type: Some(FLOAT),
                shape: Some(TensorShapeProto { dim: dim.collect() }),
            })),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// A graph under construction: nodes named after their output.
#[derive(Default)]
struct Builder {
    graph: GraphProto,
}

impl Builder {
    fn node(&mut self, op: &str, inputs: &[&str], output: &str, axis: Option<i64>) -> String {
        let attribute = axis.map(|axis| AttributeProto {
            name: Some("axis".to_owned()),
            r#type: Some(AttributeType::Int as i32),
            i: Some(axis),
            ..Default::default()
        });
        self.graph.node.push(NodeProto {
            input: inputs.iter().map(|s| s.to_string()).collect(),
            output: vec![output.to_owned()],
            name: Some(output.to_owned()),
            op_type: Some(op.to_owned()),
            attribute: attribute.into_iter().collect(),
            ..Default::default()
        });
        output.to_owned()
    }

    fn constant(&mut self, name: &str, data_type: i32, dims: &[i64], floats: &[f32], ints: &[i64]) {
        self.graph.initializer.push(TensorProto {
            name: Some(name.to_owned()),
            dims: dims.to_vec(),
            data_type: Some(data_type),
            float_data: floats.to_vec(),
            int64_data: ints.to_vec(),
            ..Default::default()
        });
    }

    /// `input[start:end]` along `axis`.
    fn slice(&mut self, input: &str, axis: i64, start: i64, end: i64, output: &str) -> String {
        let bounds = [("starts", start), ("ends", end), ("axes", axis)];
        for (what, v) in bounds {
            self.constant(&format!("{output}_{what}"), INT64, &[1], &[], &[v]);
        }
        let names = bounds.map(|(what, _)| format!("{output}_{what}"));
        self.node(
            "Slice",
            &[input, &names[0], &names[1], &names[2]],
            output,
            None,
        )
    }

    fn finish(
        mut self,
        name: &str,
        inputs: &[(&str, &[usize])],
        outputs: &[(&str, &[usize])],
    ) -> Vec<u8> {
        self.graph.name = Some(name.to_owned());
        self.graph.input = inputs.iter().map(|(n, s)| value(n, s)).collect();
        self.graph.output = outputs.iter().map(|(n, s)| value(n, s)).collect();
        ModelProto {
            ir_version: Some(8),
            opset_import: vec![OperatorSetIdProto {
                domain: Some(String::new()),
                version: Some(18),
            }],
            producer_name: Some("moebius".to_owned()),
            graph: Some(self.graph),
            ..Default::default()
        }
        .encode_to_vec()
    }
}

pub fn prepare(s: &Sizes) -> Vec<u8> {
    let (h, w) = (s.latent_height, s.latent_width);
    let mut b = Builder::default();
    b.constant("scale", FLOAT, &[1], &[VAE_SCALE], &[]);
    let mean = b.slice("moments", 1, 0, 4, "mean");
    let masked = b.node("Mul", &[&mean, "scale"], "masked_latent", None);
    b.node("Concat", &["mask", &masked], "cond", Some(1));
    let row = b.node("Concat", &["x", "cond"], "row", Some(1));
    b.node("Concat", &[&row, &row], "latent", Some(0));
    b.finish(
        "prepare",
        &[
            ("moments", &[1, 8, h, w]),
            ("mask", &[1, 1, h, w]),
            ("x", &[1, 4, h, w]),
        ],
        &[("cond", &[1, 5, h, w]), ("latent", &[2, 9, h, w])],
    )
}

pub fn step(s: &Sizes) -> Vec<u8> {
    let (h, w) = (s.latent_height, s.latent_width);
    let mut b = Builder::default();
    b.constant("scale", FLOAT, &[1], &[VAE_SCALE], &[]);
    let e0 = b.slice("noise", 0, 0, 1, "unconditional");
    let e1 = b.slice("noise", 0, 1, 2, "conditional");
    let g = b.slice("coefficients", 0, 0, 1, "g");
    let a = b.slice("coefficients", 0, 1, 2, "a");
    let c = b.slice("coefficients", 0, 2, 3, "b");
    let d = b.node("Sub", &[&e1, &e0], "difference", None);
    let gd = b.node("Mul", &[&d, &g], "guided", None);
    let eps = b.node("Add", &[&e0, &gd], "eps", None);
    let ax = b.node("Mul", &["x", &a], "ax", None);
    let be = b.node("Mul", &[&eps, &c], "b_eps", None);
    let x = b.node("Add", &[&ax, &be], "x_next", None);
    let row = b.node("Concat", &[&x, "cond"], "row", Some(1));
    b.node("Concat", &[&row, &row], "latent", Some(0));
    b.node("Div", &[&x, "scale"], "decoder_latent", None);
    b.finish(
        "step",
        &[
            ("noise", &[2, 4, h, w]),
            ("x", &[1, 4, h, w]),
            ("cond", &[1, 5, h, w]),
            ("coefficients", &[3]),
        ],
        &[
            ("x_next", &[1, 4, h, w]),
            ("latent", &[2, 9, h, w]),
            ("decoder_latent", &[1, 4, h, w]),
        ],
    )
}

/// Compiles both graphs for `sizes` into bundles `prepare/` and `step/` under `dir`.
pub fn build(sizes: &Sizes, dir: &Path) -> Result<(), CompileError> {
    let scratch = tempfile::tempdir().map_err(|source| CompileError::Write {
        path: std::env::temp_dir(),
        source,
    })?;
    for (name, model) in [("prepare", prepare(sizes)), ("step", step(sizes))] {
        let path = scratch.path().join(format!("{name}.onnx"));
        std::fs::write(&path, model).map_err(|source| CompileError::Write {
            path: path.clone(),
            source,
        })?;
        compile(&path, &Options::default())?.write(&dir.join(name))?;
    }
    Ok(())
}
