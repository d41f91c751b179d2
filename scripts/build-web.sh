#!/usr/bin/env bash
# Builds the browser packages: web/pkg/ (onnx2wgsl.js, the generic package) and
# apps/moebius/web/pkg/ (moebius.js, the inpainting pipeline for its page), each an ES module with
# its .wasm and TypeScript declarations. Needs the wasm32 target and wasm-bindgen-cli at the
# version in Cargo.lock (scripts/setup.sh installs both).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --target wasm32-unknown-unknown -p onnx2wgsl-web -p moebius --lib
wasm=target/wasm32-unknown-unknown/release
wasm-bindgen --target web --out-dir web/pkg --out-name onnx2wgsl $wasm/onnx2wgsl_web.wasm
wasm-bindgen --target web --out-dir apps/moebius/web/pkg --out-name moebius $wasm/moebius.wasm
echo "web/pkg: $(du -h web/pkg/onnx2wgsl_bg.wasm | cut -f1), apps/moebius/web/pkg: $(du -h apps/moebius/web/pkg/moebius_bg.wasm | cut -f1) of wasm"
