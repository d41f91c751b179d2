#!/usr/bin/env bash
# Builds the bundled example model (fixtures/tiny_cnn), inspects the bundle, runs it on the
# default GPU adapter and writes its output to out/tiny_cnn/outputs.
set -euo pipefail
cd "$(dirname "$0")/.."
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
cargo build --release --quiet -p onnx2wgsl
bin=target/release/onnx2wgsl
$bin build fixtures/tiny_cnn/model.onnx -o out/tiny_cnn/plan
$bin inspect out/tiny_cnn/plan
$bin run out/tiny_cnn/plan --input x=fixtures/tiny_cnn/inputs/x.npy --output-dir out/tiny_cnn/outputs
