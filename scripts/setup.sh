#!/usr/bin/env bash
# Installs what building and testing need on a fresh Debian machine with Rust: Mesa's CPU Vulkan
# driver (lavapipe) so wgpu has an adapter without a GPU; Chromium and Node.js for the browser
# tests; the wasm32 target and wasm-bindgen-cli for the browser packages; the Python reference
# pipeline's packages; and the ONNX backend node tests that tests/conformance runs
# (scripts/fetch_node_tests.sh).
set -euo pipefail
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
packages=(mesa-vulkan-drivers libvulkan1 chromium)
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
# fetch_node_tests.sh downloads a wheel with pip.
python3 -m pip --version >/dev/null 2>&1 || packages+=(python3-pip)
if ! dpkg -s "${packages[@]}" >/dev/null 2>&1; then
  echo "setup: installing ${packages[*]} (about a minute)"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${packages[@]}" >/dev/null
fi
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || rustup target add wasm32-unknown-unknown
# The CLI must match the wasm-bindgen crate in Cargo.lock exactly. `--locked` fails here (a pinned
# dependency of the CLI is not in the reachable index), so it is left off.
root="$(cd "$(dirname "$0")/.." && pwd)"
bindgen=$(grep -A1 '^name = "wasm-bindgen"$' "$root/Cargo.lock" | sed -n 's/^version = "\(.*\)"$/\1/p')
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $bindgen" ]; then
  echo "setup: installing wasm-bindgen-cli $bindgen (about 5 minutes)"
  cargo install --quiet wasm-bindgen-cli --version "$bindgen"
fi
# The Moebius reference pipeline (numpy, onnxruntime, Pillow) that the page's browser test compares with.
echo "setup: Python packages of the reference pipeline, and the ONNX node tests"
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
  -r "$root/fixtures/moebius_pipeline/requirements.txt"
bash "$(dirname "$0")/fetch_node_tests.sh"
echo "setup: done"
