#!/usr/bin/env bash
# Benchmark of the full-size Moebius graphs (not a test): generates them with random weights if
# missing (needs fixtures/moebius/requirements.txt, about 5 minutes and 1.2 GB), builds each with
# the release compiler and prints build wall time, the compiler's peak resident memory, bundle
# size and dispatch count. With --run it also runs each bundle on the default adapter and compares
# with onnxruntime's references (generated with them; slow without a GPU).
set -euo pipefail
cd "$(dirname "$0")/.."
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
run=false
[ "${1:-}" = "--run" ] && run=true
data=target/moebius_full
if [ ! -f "$data/vae_decoder/model.onnx" ]; then
  python3 fixtures/moebius/generate.py --size full --out "$data" --references
fi
command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null
cargo build --release --quiet -p onnx2wgsl
bin=target/release/onnx2wgsl
for spec in "unet webgpu" "vae_encoder webgpu" "vae_decoder webgpu"; do
  set -- $spec
  graph=$1 target=$2
  dir="$data/$graph" out="target/bench/$graph"
  rm -rf "$out"
  echo "== $graph (--dim $(cat "$dir/dims.txt"), --target $target)"
  /usr/bin/time -f "build: %e s wall, peak resident %M KiB" \
    "$bin" build "$dir/model.onnx" -o "$out" --dim "$(cat "$dir/dims.txt")" --target "$target" --report
  echo "onnx file: $(du -b "$dir/model.onnx" | cut -f1) bytes; bundle: $(du -sb "$out" | cut -f1) bytes"
  if $run; then
    inputs=()
    for f in "$dir"/inputs/*.npy; do inputs+=(--input "$(basename "$f" .npy)=$f"); done
    /usr/bin/time -f "run (load + one inference): %e s wall" \
      "$bin" run "$out" "${inputs[@]}" --output-dir "$out/outputs"
    python3 scripts/compare.py "$out/outputs" "$dir/outputs"
  fi
done
