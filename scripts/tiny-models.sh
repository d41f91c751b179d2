#!/usr/bin/env bash
# Builds the tiny Moebius graphs (random weights, structurally faithful) into bundles under
# $1 (default out/models): unet (B=2), vae_encoder and vae_decoder (B=1), and the pipeline's own
# prepare and step graphs. Uses the release binaries (built here if needed).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out/models}
cargo build --release --quiet -p onnx2wgsl -p moebius
bin=target/release
$bin/onnx2wgsl build fixtures/moebius_tiny/unet/model.onnx -o "$out/unet" --dim B=2
$bin/onnx2wgsl build fixtures/moebius_pipeline/tiny/vae_encoder/model.onnx -o "$out/vae_encoder" --dim B=1
$bin/onnx2wgsl build fixtures/moebius_pipeline/tiny/vae_decoder/model.onnx -o "$out/vae_decoder" --dim B=1
$bin/moebius graphs --models "$out"
