#!/usr/bin/env bash
# On the lent GPU machine (see README): generates the full-size Moebius graphs with onnxruntime
# references, builds and runs each plan there through Vulkan, compares with onnxruntime, and
# times PyTorch eager on CUDA side by side. Expects the Vulkan loader .debs in .gl/ and a release
# onnx2wgsl binary in .devbin/ (both carried; built here for x86-64).
set -euo pipefail
for f in .gl/*.deb; do dpkg -x "$f" /; done
ldconfig
export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
export XDG_RUNTIME_DIR=/tmp/xdg PYTHONUNBUFFERED=1
mkdir -p -m 700 "$XDG_RUNTIME_DIR"
python3 -c "import torch, onnx, onnxruntime; print('torch', torch.__version__, 'onnx', onnx.__version__, 'onnxruntime', onnxruntime.__version__)"
data=/tmp/moebius_full
python3 fixtures/moebius/generate.py --size full --out "$data" --references > /tmp/generate.log 2>&1 || { tail -30 /tmp/generate.log; exit 1; }
grep -iE "parameters|onnxruntime" /tmp/generate.log | head -12
bin=.devbin/onnx2wgsl
for spec in "unet webgpu" "vae_encoder webgpu" "vae_decoder webgpu" "vae_decoder native"; do
  set -- $spec
  dir="$data/$1" out="/tmp/bundles/$1"
  echo "== $1 (--target $2)"
  "$bin" build "$dir/model.onnx" -o "$out" --dim "$(cat "$dir/dims.txt")" --target "$2" | tail -1
  inputs=()
  for f in "$dir"/inputs/*.npy; do inputs+=(--input "$(basename "$f" .npy)=$f"); done
  "$bin" run "$out" "${inputs[@]}" --output-dir "$out/outputs" --repeat 10 | grep runs
  python3 scripts/compare.py "$out/outputs" "$dir/outputs"
done
# With a baseline binary in .devbin/onnx2wgsl_base, the UNet is timed with it between two runs of
# this binary (same inputs, same session), then profiled.
if [ -x .devbin/onnx2wgsl_base ]; then
  dir="$data/unet"
  inputs=()
  for f in "$dir"/inputs/*.npy; do inputs+=(--input "$(basename "$f" .npy)=$f"); done
  .devbin/onnx2wgsl_base build "$dir/model.onnx" -o /tmp/bundles/unet_base --dim "$(cat "$dir/dims.txt")" | tail -1
  for b in "$bin /tmp/bundles/unet" ".devbin/onnx2wgsl_base /tmp/bundles/unet_base" "$bin /tmp/bundles/unet"; do
    set -- $b
    echo "== unet, $1"
    "$1" run "$2" "${inputs[@]}" --output-dir /tmp/side --repeat 10 | grep runs
  done
  "$bin" run /tmp/bundles/unet "${inputs[@]}" --output-dir /tmp/side --profile | sed -n 1,24p
  if [ -n "${OUT:-}" ]; then cp /tmp/side/profile.tsv "$OUT/unet_profile.tsv"; fi
fi
python3 fixtures/moebius/torch_timing.py --size full --repeat 20
