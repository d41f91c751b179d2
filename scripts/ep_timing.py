#!/usr/bin/env python3
"""Times onnxruntime's WebGPU execution provider (the Dawn kernels ONNX Runtime Web runs in
browsers; PyPI `onnxruntime-ep-webgpu`) on generated Moebius graphs, as the peer in
scripts/device_bench.sh (run on the GPU machine; not a test).

    python3 scripts/ep_timing.py DATA_DIR [--graphs unet,vae_encoder,vae_decoder] [--repeat 10]

DATA_DIR holds what `fixtures/moebius/generate.py --references` writes. Prints, per graph, the
median and fastest wall time of one run (inputs in, outputs read back, after one warm-up run) and
max |Δ| / max |ref| against the onnxruntime CPU references.
"""

import argparse
import os
import time

import numpy as np
import onnxruntime as ort
import onnxruntime_ep_webgpu


def session(path):
    devices = [d for d in ort.get_ep_devices() if d.ep_name == "WebGpuExecutionProvider"]
    if not devices:
        raise SystemExit("the WebGPU execution provider found no device")
    options = ort.SessionOptions()
    options.add_provider_for_devices(devices[:1], {})
    return ort.InferenceSession(path, options)


def load(folder):
    return {f[:-4]: np.load(os.path.join(folder, f)) for f in sorted(os.listdir(folder))}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("data")
    parser.add_argument("--graphs", default="unet,vae_encoder,vae_decoder")
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    ort.register_execution_provider_library("webgpu", onnxruntime_ep_webgpu.get_library_path())
    for graph in args.graphs.split(","):
        folder = os.path.join(args.data, graph)
        sess = session(os.path.join(folder, "model.onnx"))
        feeds = load(os.path.join(folder, "inputs"))
        references = load(os.path.join(folder, "outputs"))
        names = list(references)
        outputs = sess.run(names, feeds)
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            sess.run(names, feeds)
            times.append((time.perf_counter() - start) * 1e3)
        times.sort()
        errors = []
        for name, got in zip(names, outputs):
            want = references[name].astype(np.float64)
            error = np.abs(got.astype(np.float64) - want).max() / max(np.abs(want).max(), 1e-30)
            errors.append(f"{name} {error:.1e}")
        print(f"webgpu-ep {graph}: {args.repeat} runs, median {times[len(times) // 2]:.2f} ms, "
              f"fastest {times[0]:.2f} ms; max |Δ| / max |ref|: {', '.join(errors)}")


if __name__ == "__main__":
    main()
