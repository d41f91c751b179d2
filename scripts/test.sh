#!/usr/bin/env bash
# The test suite: every crate's tests (the runtime really runs shaders on the default adapter,
# lavapipe without a GPU), the runtime built for wasm32, formatting and lints.
set -euo pipefail
cd "$(dirname "$0")/.."
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
cargo check --quiet -p onnx2wgsl-runtime --target wasm32-unknown-unknown
cargo test --workspace
