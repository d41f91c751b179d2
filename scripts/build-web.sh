#!/usr/bin/env bash
# Builds the browser package into web/pkg/: onnx2wgsl.js (an ES module), its .wasm and the
# TypeScript declarations. Needs the wasm32 target and wasm-bindgen-cli at the version in
# Cargo.lock (scripts/setup.sh installs both).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet -p onnx2wgsl-web --target wasm32-unknown-unknown
wasm-bindgen --target web --out-dir web/pkg --out-name onnx2wgsl \
  target/wasm32-unknown-unknown/release/onnx2wgsl_web.wasm
echo "web/pkg: $(du -sh web/pkg/onnx2wgsl_bg.wasm | cut -f1) of wasm"
