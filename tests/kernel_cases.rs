//! Kernel cases as data, as naga keeps `tests/in` → `tests/out`: each `kernels/<case>.case` file
//! describes a small graph (inputs, weights, nodes, outputs); its emitted WGSL and plan summary are
//! snapshots named `<case>-…`, and every template must be covered by some case.
//!
//! The format, one item per line (`#` starts a comment):
//! ```text
//! input x 1,8,16,16        # f32 unless a type follows the name: `input ids i64 2,5`
//! weight w 8,1,3,3         # a float32 initializer (deterministic values)
//! ints axes 1,2            # an int64 initializer
//! floats scales 1,1,2,2    # a float32 initializer with these values
//! node Conv x,w -> y group=8 pads=[1,1,1,1] epsilon=1e-5 mode=linear
//! output y
//! target cooperative-matrix # built for Target::native().with_cooperative_matrix()
//! ```
//! Attributes: `[a,b]` is ints, a number with `.` or `e` a float, another number an int, anything
//! else a string. An empty input (`x,,scales`) is an absent optional input.

use std::collections::HashMap;
use std::path::Path;

use onnx2wgsl::inspect::summary;
use onnx2wgsl::target::Target;
use onnx2wgsl_tests::build_for;
use onnx2wgsl_tests::model::{float, int, ints, string, Dim, Model};
use onnx_protobuf::AttributeProto;

fn attribute(text: &str) -> AttributeProto {
    let (name, value) = text.split_once('=').expect("attributes are name=value");
    if let Some(list) = value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
        let values: Vec<i64> = list
            .split(',')
            .map(|v| v.parse().expect("an int"))
            .collect();
        return ints(name, &values);
    }
    if let Ok(i) = value.parse::<i64>() {
        return int(name, i);
    }
    match value.parse::<f32>() {
        Ok(f) => float(name, f),
        Err(_) => string(name, value),
    }
}

fn sizes(text: &str) -> Vec<i64> {
    text.split(',')
        .map(|d| d.parse().expect("a size"))
        .collect()
}

/// The model a case file describes, the `--dim` bindings and the target it asks for.
fn model(text: &str) -> (Model, HashMap<String, usize>, Target) {
    let mut model = Model::default();
    let mut dims = HashMap::new();
    let mut target = Target::default();
    for line in text.lines() {
        let line = line.split('#').next().unwrap().trim();
        let words: Vec<&str> = line.split_whitespace().collect();
        model = match words.as_slice() {
            [] => model,
            ["input", name, rest @ ..] => {
                let (elem_type, shape) = match rest {
                    ["i64", shape] => (7, shape),
                    ["i32", shape] => (6, shape),
                    ["bool", shape] => (9, shape),
                    [shape] => (1, shape),
                    _ => panic!("bad input line {line:?}"),
                };
                let shape: Vec<Dim> = sizes(shape).into_iter().map(Dim::Size).collect();
                model.typed_input(name, elem_type, &shape)
            }
            ["weight", name, shape] => {
                let dims = sizes(shape);
                let count = dims.iter().product::<i64>() as usize;
                let values = (0..count)
                    .map(|i| ((i * 7919) % 101) as f32 / 101.0 - 0.5)
                    .collect();
                model.floats(name, &dims, values)
            }
            ["ints", name, values] => model.int64s(name, &sizes(values)),
            ["floats", name, values] => {
                let values: Vec<f32> = values
                    .split(',')
                    .map(|v| v.parse().expect("a float"))
                    .collect();
                model.floats(name, &[values.len() as i64], values)
            }
            ["node", op, inputs, "->", outputs, attrs @ ..] => {
                let inputs: Vec<&str> = inputs.split(',').collect();
                let outputs: Vec<&str> = outputs.split(',').collect();
                let name = outputs[0];
                model.node_with(
                    op,
                    name,
                    &inputs,
                    &outputs,
                    attrs.iter().map(|a| attribute(a)).collect(),
                )
            }
            ["output", name] => model.output(name),
            ["target", "cooperative-matrix"] => {
                target = Target::native().with_cooperative_matrix();
                model
            }
            ["dim", binding] => {
                let (name, value) = binding.split_once('=').expect("dim NAME=VALUE");
                dims.insert(name.to_owned(), value.parse().expect("a size"));
                model
            }
            _ => panic!("bad line {line:?}"),
        };
    }
    (model, dims, target)
}

/// Builds every case, snapshots its plan and shaders, and returns the templates they used.
#[test]
fn every_case_and_every_template() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scratch = tempfile::tempdir().unwrap();
    let mut cases: Vec<_> = std::fs::read_dir(here.join("kernels"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "case"))
        .collect();
    cases.sort();
    let mut used = Vec::new();
    for path in &cases {
        let case = path.file_stem().unwrap().to_string_lossy().into_owned();
        let (model, dims, target) = model(&std::fs::read_to_string(path).unwrap());
        let file = model.write(scratch.path(), &format!("{case}.onnx"));
        let bundle = build_for(&file, dims, target).unwrap_or_else(|e| panic!("{case}: {e}"));
        insta::assert_snapshot!(format!("{case}-plan"), summary(&bundle.plan));
        for (index, (file, source)) in bundle.shaders.iter().enumerate() {
            // Without the content hash: an edited shader is a diff, not a new file.
            let stem = file
                .rsplit_once('-')
                .map_or(file.as_str(), |(stem, _)| stem);
            insta::assert_snapshot!(format!("{case}-{index}-{stem}"), source);
            used.push(stem.replace('-', "/"));
        }
    }
    let mut missing = Vec::new();
    for dir in ["", "elementwise", "normalization"] {
        for entry in std::fs::read_dir(here.join("../templates").join(dir)).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if let Some(stem) = name.strip_suffix(".wgsl") {
                let template = if dir.is_empty() {
                    stem.to_owned()
                } else {
                    format!("{dir}/{stem}")
                };
                if !used.contains(&template) {
                    missing.push(template);
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "templates no kernel case uses: {missing:?}"
    );
}
