#!/usr/bin/env bash
# On the lent GPU machine (see README): the whole Moebius inpaint at full size (graphs generated
# with random weights), PNG in to PNG out, median of 5 in one process, next to the sum of its
# parts (19 UNet runs, the encoder and the decoder, each the median of 10 `onnx2wgsl run`s with
# inputs in and outputs read back); once with f32 plans, once with f16 ones (UNet and VAE), once
# with f16 ones whose convolutions run on cooperative matrices ("tc", tensor cores).
# Expects the Vulkan loader .debs in .gl/ and, in .devbin/, release x86-64 binaries onnx2wgsl and
# moebius with a picture photo.png and its mask_photo.png.
set -euo pipefail
source scripts/device_gpu_env.sh
data=/tmp/moebius_full
[ -d "$data/vae_decoder/outputs" ] ||
  python3 fixtures/moebius/generate.py --size full --out "$data" --references > /tmp/generate.log 2>&1 ||
  { tail -30 /tmp/generate.log; exit 1; }
for precision in f32 f16 tc; do
  models=/tmp/models_$precision flags=(--precision "$precision")
  [ $precision = tc ] && flags=(--precision f16 --target native --cooperative-matrix)
  for graph in unet vae_encoder vae_decoder; do
    dir="$data/$graph"
    .devbin/onnx2wgsl build "$dir/model.onnx" -o "$models/$graph" --dim "$(cat "$dir/dims.txt")" "${flags[@]}" | tail -1
    inputs=()
    for f in "$dir"/inputs/*.npy; do inputs+=(--input "$(basename "$f" .npy)=$f"); done
    echo "$precision $graph: $(.devbin/onnx2wgsl run "$models/$graph" "${inputs[@]}" --output-dir /tmp/out/$graph --repeat 10 | grep runs)"
  done
  .devbin/moebius graphs --models "$models"
  echo "$precision inpaint:"
  .devbin/moebius inpaint --models "$models" --image .devbin/photo.png --mask .devbin/mask_photo.png \
    -o "${OUT:-/tmp}/inpainted_$precision.png" --repeat 5 2>&1 | grep -v '^loading\|^encoding\|^denoising\|^decoding'
done
