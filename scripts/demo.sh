#!/usr/bin/env bash
# Serves the Moebius inpainting page on http://127.0.0.1:${PORT:-8000}/. With no argument it
# builds the tiny graphs (random weights: the filled area is noise) into out/models; given a
# folder inside this repository that holds the bundles unet, vae_encoder and vae_decoder (from
# `onnx2wgsl build`), it adds the pipeline's own graphs there and serves that.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${PORT:-8000}
bash scripts/build-web.sh
if [ $# -eq 0 ]; then
  models=out/models
  bash scripts/tiny-models.sh "$models"
else
  models=${1%/}
  cargo build --release --quiet -p moebius
  target/release/moebius graphs --models "$models"
fi
echo "open http://127.0.0.1:$port/apps/moebius/web/?models=/$models/"
exec node web/tests/server.mjs . "$port"
