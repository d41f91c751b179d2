#!/usr/bin/env bash
# On the lent GPU machine (see README): the full-size Moebius graphs (random weights, onnxruntime
# CPU references), each run side by side by onnx2wgsl's f32 and f16 plans, f16 plans with
# cooperative-matrix convolutions ("tc", tensor cores), onnxruntime's WebGPU
# execution provider and PyTorch eager fp32, with a table of medians, ratios and errors at the
# end, and the largest activations (what f16 must hold).
#
# Carried: the Vulkan loader .debs in .gl/, and in .devbin/ a release x86-64 onnx2wgsl and the
# onnxruntime_ep_webgpu wheel. Further binaries there named onnx2wgsl_<variant> (or .xz) are
# timed on every graph in turns with the first and profiled on the UNet; with the argument
# `variants`, only that comparison runs; FLAGS are added to the variants' builds (such as
# "--precision f16"; several sets between "|" run one after the other). Logs and profiles go to
# $OUT when it is set.
set -euo pipefail
source scripts/device_gpu_env.sh
out=${OUT:-/tmp/bench_out}
mkdir -p "$out"
log="$out/bench.log"
python3 -m pip install --no-deps --quiet --target /tmp/ep .devbin/onnxruntime_ep_webgpu-*.whl 2>&1 |
  grep -v 'as the .root. user' || true
python3 -c "import torch, onnx, onnxruntime; print('torch', torch.__version__, 'onnx', onnx.__version__, 'onnxruntime', onnxruntime.__version__)" | tee "$log"
data=/tmp/moebius_full
[ -d "$data/vae_decoder/outputs" ] ||
  python3 fixtures/moebius/generate.py --size full --out "$data" --references > /tmp/generate.log 2>&1 ||
  { tail -30 /tmp/generate.log; exit 1; }
only_variants=${1:-}
inputs_of() {
  inputs=()
  for f in "$data/$1"/inputs/*.npy; do inputs+=(--input "$(basename "$f" .npy)=$f"); done
}
for graph in unet vae_encoder vae_decoder; do
  [ "$only_variants" = variants ] && break
  dir="$data/$graph"
  inputs_of "$graph"
  for precision in f32 f16 tc; do
    engine=onnx2wgsl-$precision bundle="/tmp/bundles_$precision/$graph" flags=(--precision "$precision")
    [ $precision = f32 ] && engine=onnx2wgsl
    [ $precision = tc ] && flags=(--precision f16 --target native --cooperative-matrix)
    .devbin/onnx2wgsl build "$dir/model.onnx" -o "$bundle" --dim "$(cat "$dir/dims.txt")" "${flags[@]}" | tail -1
    echo "$engine $graph weights: $(cat "$bundle"/weights-*.bin | wc -c) bytes" | tee -a "$log"
    timing=$(.devbin/onnx2wgsl run "$bundle" "${inputs[@]}" --output-dir "/tmp/o/$precision/$graph" --repeat 10 | grep runs)
    errors=$(python3 scripts/compare.py "/tmp/o/$precision/$graph" "$dir/outputs" | tr '\n' ' ')
    echo "$engine $graph: $timing; $errors" | tee -a "$log"
    .devbin/onnx2wgsl run "$bundle" "${inputs[@]}" --output-dir "/tmp/p/$precision/$graph" --profile > /dev/null
    cp "/tmp/p/$precision/$graph/profile.tsv" "$out/profile_${graph}_$precision.tsv"
  done
  python3 scripts/activation_range.py "$dir" | tee -a "$log"
done
if [ "$only_variants" != variants ]; then
  PYTHONPATH=/tmp/ep python3 scripts/ep_timing.py "$data" | tee -a "$log"
  python3 fixtures/moebius/torch_timing.py --size full --repeat 20 --data "$data" | tee -a "$log"
fi
# Variants (carried as onnx2wgsl_<variant> or .xz): each graph built by each, timed in turns with
# the main binary and checked against the references, then the UNet profiled by all; once per
# flag set in FLAGS ("|" between sets, e.g. "|--precision f16" for f32 plans, then f16 ones).
for f in .devbin/onnx2wgsl_*.xz; do [ -e "$f" ] && xz -d -k -f "$f" && chmod +x "${f%.xz}"; done
variants=($(ls .devbin/onnx2wgsl_* | grep -v "\.xz$" || true))
IFS='|' read -r -a flag_sets <<< "${FLAGS:-}"
[ ${#flag_sets[@]} -gt 0 ] || flag_sets=("")
if [ ${#variants[@]} -gt 0 ]; then
  for set in "${!flag_sets[@]}"; do
    flags=${flag_sets[$set]}
    echo "variants built with flags: ${flags:-(none)}" | tee -a "$log"
    for graph in unet vae_encoder vae_decoder; do
      inputs_of "$graph"
      for bin in .devbin/onnx2wgsl "${variants[@]}"; do
        "$bin" build "$data/$graph/model.onnx" -o "/tmp/variant/$set/$(basename "$bin")/$graph" \
          --dim "$(cat "$data/$graph/dims.txt")" $flags | tail -1
      done
      for round in 1 2; do
        for bin in .devbin/onnx2wgsl "${variants[@]}"; do
          name=$(basename "$bin")
          echo "round $round, $name $graph: $("$bin" run "/tmp/variant/$set/$name/$graph" "${inputs[@]}" --output-dir "/tmp/side/$set/$name/$graph" --repeat 10 | grep runs)" | tee -a "$log"
        done
      done
      for bin in .devbin/onnx2wgsl "${variants[@]}"; do
        name=$(basename "$bin")
        echo "$name $graph errors: $(python3 scripts/compare.py "/tmp/side/$set/$name/$graph" "$data/$graph/outputs" | tr '\n' ' ')" | tee -a "$log"
      done
    done
    inputs_of unet
    for bin in .devbin/onnx2wgsl "${variants[@]}"; do
      name=$(basename "$bin")
      "$bin" run "/tmp/variant/$set/$name/unet" "${inputs[@]}" --output-dir "/tmp/profile/$set/$name" --profile > /dev/null
      cp "/tmp/profile/$set/$name/profile.tsv" "$out/profile_${name}_$set.tsv"
    done
  done
fi
python3 scripts/bench_table.py "$log"
