#!/usr/bin/env bash
# The browser tests: builds the package (web/pkg) and the compiler, then drives Debian's headless
# Chromium through web/tests with playwright-core (the fixtures' bundles are built into
# out/web-tests). scripts/setup.sh installs Chromium, Node.js and the wasm tools.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-web.sh
cargo build --quiet -p onnx2wgsl
(cd web && npm ci --no-audit --no-fund --silent)
node --test --test-reporter=spec web/tests/
