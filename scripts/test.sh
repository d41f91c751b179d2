#!/usr/bin/env bash
# The test suite: every crate's tests (the runtime really runs shaders on the default adapter,
# lavapipe without a GPU), formatting and lints (the browser package's for wasm32 too), then the
# browser tests in headless Chromium (scripts/test-web.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
cargo clippy --quiet -p onnx2wgsl-web --target wasm32-unknown-unknown -- -D warnings
cargo test --workspace
bash scripts/test-web.sh
