#!/usr/bin/env bash
# The main job end to end on the bundled tiny graphs: builds the three Moebius plans (and the
# pipeline's two small graphs), then inpaints a sample picture into out/example/inpainted.png.
# The tiny graphs have random weights, so the filled area is noise; with the released Moebius
# ONNX files the same commands inpaint for real.
set -euo pipefail
cd "$(dirname "$0")/.."
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
echo "building the compiler and the moebius command (release; a few minutes on a fresh machine)…"
bash scripts/tiny-models.sh out/models
mkdir -p out/example
target/release/moebius inpaint --models out/models \
  --image fixtures/moebius_pipeline/samples/wide.png \
  --mask fixtures/moebius_pipeline/samples/wide_mask.png \
  -o out/example/inpainted.png
