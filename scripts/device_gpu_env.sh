# Sourced by the device_*.sh scripts on the lent GPU machine: the Vulkan loader from the .debs
# carried in .gl/ (the image has none), the NVIDIA driver's ICD, and a runtime folder for wgpu.
for f in .gl/*.deb; do dpkg -x "$f" /; done
ldconfig
export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
export XDG_RUNTIME_DIR=/tmp/xdg PYTHONUNBUFFERED=1
mkdir -p -m 700 "$XDG_RUNTIME_DIR"
