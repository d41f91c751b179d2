#!/usr/bin/env bash
# The test suite: every crate's tests (the runtime really runs shaders on the default adapter,
# lavapipe without a GPU), formatting and lints (the browser package's for wasm32 too), the
# browser tests in headless Chromium (scripts/test-web.sh), then a minute of fuzzing per target
# (scripts/fuzz.sh; a crash fails the run and is kept in fuzz/regressions/).
set -euo pipefail
cd "$(dirname "$0")/.."
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
# A fresh clone builds once: incremental caches would only take disk.
if [ "${CI:-}" = true ]; then export CARGO_INCREMENTAL=0; fi
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
cargo clippy --quiet -p onnx2wgsl-web -p moebius --lib --target wasm32-unknown-unknown -- -D warnings
cargo test --workspace
bash scripts/test-web.sh
bash scripts/fuzz.sh 60
