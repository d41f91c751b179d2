#!/usr/bin/env python3
"""Turns the log of scripts/device_bench.sh into one table: per graph, the median of each engine
(onnx2wgsl-tc: f16 plans with cooperative-matrix convolutions),
onnx2wgsl's speed relative to each peer, and each engine's error against onnxruntime CPU."""
import re
import sys

ENGINES = ["onnx2wgsl", "onnx2wgsl-f16", "onnx2wgsl-tc", "webgpu-ep", "torch"]
rows = {}
for line in open(sys.argv[1]):
    m = re.match(r"(onnx2wgsl|onnx2wgsl-f16|onnx2wgsl-tc|webgpu-ep|torch) (\w+): .*?median ([\d.]+) ms(.*)", line)
    if m:
        engine, graph, median, rest = m.groups()
        errors = re.findall(r"(\d\.\d+e[-+]?\d+)", rest)
        worst = max(errors, key=float) if errors else "-"
        rows.setdefault(graph, {})[engine] = (float(median), worst)
print("| graph | onnx2wgsl | onnx2wgsl f16 | onnx2wgsl f16 tensor cores | WebGPU EP | PyTorch eager "
      "| f16 / onnx2wgsl | tensor cores / onnx2wgsl | EP / onnx2wgsl | PyTorch / onnx2wgsl "
      "| error onnx2wgsl | error f16 | error tensor cores | error EP | error PyTorch |")
print("|---|" + "---:|" * 14)
for graph, engines in rows.items():
    ms = {e: engines.get(e, (None, "-"))[0] for e in ENGINES}
    cells = [f"{ms[e]:.1f} ms" if ms[e] else "-" for e in ENGINES]
    ratio = [f"{ms[e] / ms['onnx2wgsl']:.2f}×" if ms[e] and ms["onnx2wgsl"] else "-"
             for e in ENGINES[1:]]
    errors = [engines.get(e, (None, "-"))[1] for e in ENGINES]
    print(f"| {graph} | " + " | ".join(cells + ratio + errors) + " |")
