#!/usr/bin/env bash
# The tiny Moebius graphs in headless Chromium (WebGPU on SwiftShader), through this package and
# through onnxruntime-web's WebGPU execution provider, side by side; prints a table of medians.
# RUNS=N sets the runs per graph (default 10).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-web.sh
cargo build --quiet --release -p onnx2wgsl
(cd web && npm ci --no-audit --no-fund --silent)
ONNX2WGSL=target/release/onnx2wgsl node web/tests/bench.mjs
