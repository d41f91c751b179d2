#!/usr/bin/env bash
# The tiny Moebius graphs in headless Chromium (WebGPU on SwiftShader), through this package and
# through onnxruntime-web's WebGPU execution provider, side by side (taking turns); prints a table
# of medians, then the tiny inpainting pipeline's time per step. RUNS=N sets the runs per graph
# (default 10).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-web.sh
bash scripts/tiny-models.sh out/bench-models > /dev/null
(cd web && npm ci --no-audit --no-fund --silent)
ONNX2WGSL=target/release/onnx2wgsl MODELS=out/bench-models node web/tests/bench.mjs
