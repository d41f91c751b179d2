#!/usr/bin/env bash
# The browser tests: builds the packages (web/pkg, apps/moebius/web/pkg), the compiler and the
# moebius command, then drives Debian's headless Chromium through web/tests with playwright-core
# (bundles are built into out/web-tests, with a screenshot of the inpainting page).
# scripts/setup.sh installs Chromium, Node.js, the wasm tools and the reference's Python packages.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-web.sh
cargo build --quiet -p onnx2wgsl -p moebius
(cd web && npm ci --no-audit --no-fund --silent)
node --test --test-reporter=spec web/tests/
