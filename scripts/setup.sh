#!/usr/bin/env bash
# Installs what building and testing need on a fresh Debian machine with Rust: Mesa's CPU Vulkan
# driver (lavapipe) so wgpu has an adapter without a GPU, the wasm32 target for the runtime, and
# the pinned onnx Python package, whose backend node tests tests/conformance runs.
set -euo pipefail
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
if ! dpkg -s mesa-vulkan-drivers libvulkan1 >/dev/null 2>&1; then
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    mesa-vulkan-drivers libvulkan1 >/dev/null
fi
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || rustup target add wasm32-unknown-unknown
python3 -m pip install --quiet --root-user-action=ignore --disable-pip-version-check -r "$(dirname "$0")/requirements-ci.txt"
