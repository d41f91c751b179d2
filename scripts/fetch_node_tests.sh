#!/usr/bin/env bash
# Fetches the ONNX backend node tests that tests/conformance runs: those of onnx 1.13.1, the last
# release whose node tests are all at opset <= 18. Nothing is installed: only the test data and
# onnx/version.py are extracted from the wheel, into target/onnx-node-tests/.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=1.13.1
# Every wheel holds the same test data; naming the platform pins the file and so its hash.
WHEEL=onnx-$VERSION-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
SHA256=fb7951ed7c13383223bc57c4aacd2c07f3b35c8e6b3959c0e56b19f4bf22d193
DEST=target/onnx-node-tests
if grep -qx "version = \"$VERSION\"" "$DEST/onnx/version.py" 2>/dev/null; then
  exit 0
fi
mkdir -p target
tmp=$(mktemp -d target/onnx-node-tests.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
  --platform manylinux_2_17_x86_64 --python-version 3.11 --implementation cp --abi cp311 \
  -d "$tmp" "onnx==$VERSION"
echo "$SHA256  $tmp/$WHEEL" | sha256sum --check --quiet
python3 - "$tmp/$WHEEL" "$tmp/out" <<'EOF'
import sys, zipfile

with zipfile.ZipFile(sys.argv[1]) as wheel:
    names = [n for n in wheel.namelist()
             if n.startswith("onnx/backend/test/data/node/") or n == "onnx/version.py"]
    wheel.extractall(sys.argv[2], names)
EOF
rm -rf "$DEST"
mv "$tmp/out" "$DEST"
