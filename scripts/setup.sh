#!/usr/bin/env bash
# Installs what building and testing need on a fresh Debian machine with Rust: Mesa's CPU Vulkan
# driver (lavapipe) so wgpu has an adapter without a GPU, and the wasm32 target for the runtime.
set -euo pipefail
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
if ! dpkg -s mesa-vulkan-drivers libvulkan1 >/dev/null 2>&1; then
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    mesa-vulkan-drivers libvulkan1 >/dev/null
fi
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || rustup target add wasm32-unknown-unknown
