#!/usr/bin/env python3
"""Which tensors cost an f16 plan its accuracy: onnxruntime CPU runs the graph in fp32 with the
outputs of chosen nodes rounded to f16 (a Cast to float16 and back after them), and prints the
output's max |Δ| / max |ref| against the plain fp32 run: once rounding every float node output,
then once per op type with that type's outputs left in fp32, then rounding that type alone.

    python3 scripts/f16_sensitivity.py DATA_DIR/GRAPH   (model.onnx and inputs/*.npy)

An emulation: the plan fuses elementwise ops into their producers, whose intermediate results
are never stored, so rounding every node output overstates its error.
"""
import collections
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper

graph_dir = sys.argv[1]
base = onnx.shape_inference.infer_shapes(onnx.load(os.path.join(graph_dir, "model.onnx")))
floats = {i.name for i in list(base.graph.value_info) + list(base.graph.output)
          if i.type.tensor_type.elem_type == TensorProto.FLOAT}
inputs = {f[:-4]: np.load(os.path.join(graph_dir, "inputs", f))
          for f in sorted(os.listdir(os.path.join(graph_dir, "inputs")))}
options = ort.SessionOptions()
options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL


def run(model):
    session = ort.InferenceSession(model.SerializeToString(), options,
                                   providers=["CPUExecutionProvider"])
    return session.run(None, inputs)


def rounded(round_node):
    """The model with the float outputs of every node for which round_node(node) holds rounded
    to f16 (graph outputs stay as they are)."""
    model = onnx.ModelProto()
    model.CopyFrom(base)
    graph = model.graph
    outputs = {o.name for o in graph.output}
    nodes = []
    renames = {}
    for node in graph.node:
        node.input[:] = [renames.get(i, i) for i in node.input]
        nodes.append(node)
        if not round_node(node):
            continue
        for out in node.output:
            if out in floats and out not in outputs:
                half, back = out + "/f16", out + "/f16/f32"
                nodes.append(helper.make_node("Cast", [out], [half], to=TensorProto.FLOAT16))
                nodes.append(helper.make_node("Cast", [half], [back], to=TensorProto.FLOAT))
                renames[out] = back
    del graph.node[:]
    graph.node.extend(nodes)
    return model


def error(got, want):
    return max(float(np.abs(g.astype(np.float64) - w).max() / max(np.abs(w).max(), 1e-30))
               for g, w in zip(got, want))


reference = run(base)
types = collections.Counter(n.op_type for n in base.graph.node
                            if any(o in floats for o in n.output))
print(f"{os.path.basename(graph_dir)}: every float node output rounded: "
      f"{error(run(rounded(lambda n: True)), reference):.3e}")
for op_type, count in types.most_common():
    kept = error(run(rounded(lambda n: n.op_type != op_type)), reference)
    alone = error(run(rounded(lambda n: n.op_type == op_type)), reference)
    print(f"  {op_type} ({count} nodes): the rest rounded {kept:.3e}, only these {alone:.3e}")
