#!/usr/bin/env python3
"""Largest |value| of every float tensor a graph computes, run in fp32 by onnxruntime CPU on the
inputs generate.py wrote: whether an f16 plan's activations stay within f16's ±65,504.

    python3 scripts/activation_range.py DATA_DIR/GRAPH   (model.onnx and inputs/*.npy)

Prints the five largest and how many tensors exceed 65,504 / 8 (three binary orders of headroom).
"""
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort

F16_MAX = 65504.0
graph_dir = sys.argv[1]
model = onnx.shape_inference.infer_shapes(onnx.load(os.path.join(graph_dir, "model.onnx")))
known = {o.name for o in model.graph.output}
for info in model.graph.value_info:
    if info.type.tensor_type.elem_type == onnx.TensorProto.FLOAT and info.name not in known:
        model.graph.output.append(info)
session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
inputs = {}
for f in sorted(os.listdir(os.path.join(graph_dir, "inputs"))):
    inputs[f[:-4]] = np.load(os.path.join(graph_dir, "inputs", f))
names = [o.name for o in session.get_outputs()]
peaks = []
for name, value in zip(names, session.run(names, inputs)):
    if value.dtype == np.float32 and value.size:
        peaks.append((float(np.abs(value).max()), name))
peaks.sort(reverse=True)
over = sum(1 for peak, _ in peaks if peak > F16_MAX / 8)
print(f"{os.path.basename(graph_dir)}: {len(peaks)} float tensors, largest |value| "
      + ", ".join(f"{peak:.4g} ({name})" for peak, name in peaks[:5])
      + f"; {over} above {F16_MAX / 8:.0f}")
