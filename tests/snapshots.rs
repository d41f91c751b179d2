//! Emitted WGSL and plan summaries under insta: a change to a template or to the planner shows up
//! as a reviewed snapshot diff.

use std::collections::HashMap;

use onnx2wgsl::inspect::summary;
use onnx2wgsl::target::{Precision, Target};
use onnx2wgsl_tests::{build, build_for, dims, fixtures};

fn snapshot_fixture(name: &str) {
    snapshot_as(name, name, Target::default());
}

/// Snapshots fixture `name` built for `target` under the names `{label}-…`.
fn snapshot_as(label: &str, name: &str, target: Target) {
    let dir = fixtures().join(name);
    let bundle = build_for(&dir.join("model.onnx"), dims(&dir), target).unwrap();
    insta::assert_snapshot!(format!("{label}-plan"), summary(&bundle.plan));
    for (file, source) in &bundle.shaders {
        // Names without the content hash, so an edited shader is a diff, not a new file.
        let stem = file
            .rsplit_once('-')
            .map_or(file.as_str(), |(stem, _)| stem);
        let index = bundle
            .plan
            .shaders
            .iter()
            .position(|s| &s.file == file)
            .unwrap();
        insta::assert_snapshot!(format!("{label}-shader-{index}-{stem}"), source);
    }
}

#[test]
fn tiny_cnn() {
    snapshot_fixture("tiny_cnn");
}

#[test]
fn tiny_mlp_attention() {
    snapshot_fixture("tiny_mlp_attention");
}

/// f16 plans: the conversions at the plan's edges, and kernels that read and write f16.
#[test]
fn tiny_cnn_f16() {
    snapshot_as(
        "tiny_cnn_f16",
        "tiny_cnn",
        Target::default().with_precision(Precision::F16),
    );
}

#[test]
fn tiny_mlp_attention_f16() {
    snapshot_as(
        "tiny_mlp_attention_f16",
        "tiny_mlp_attention",
        Target::default().with_precision(Precision::F16),
    );
}

#[test]
fn int_input() {
    snapshot_fixture("int_input");
}

#[test]
fn identical_shaders_are_emitted_once() {
    let dims = HashMap::from([("B".to_string(), 2)]);
    let bundle = build(&fixtures().join("moebius_tiny/unet/model.onnx"), dims).unwrap();
    let mut sources: Vec<&String> = bundle.shaders.iter().map(|(_, s)| s).collect();
    let count = sources.len();
    sources.sort();
    sources.dedup();
    assert_eq!(sources.len(), count);
    assert!(
        bundle.plan.dispatches.len() > count,
        "the tiny UNet's 15 blocks share shaders"
    );
}
