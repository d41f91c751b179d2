#!/usr/bin/env bash
# Installs what building and testing need on a fresh Debian machine with Rust: Mesa's CPU Vulkan
# driver (lavapipe) so wgpu has an adapter without a GPU, the wasm32 target for the runtime, and
# the ONNX backend node tests that tests/conformance runs (scripts/fetch_node_tests.sh).
set -euo pipefail
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
packages=(mesa-vulkan-drivers libvulkan1)
# fetch_node_tests.sh downloads a wheel with pip.
python3 -m pip --version >/dev/null 2>&1 || packages+=(python3-pip)
if ! dpkg -s "${packages[@]}" >/dev/null 2>&1; then
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${packages[@]}" >/dev/null
fi
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || rustup target add wasm32-unknown-unknown
bash "$(dirname "$0")/fetch_node_tests.sh"
