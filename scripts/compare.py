#!/usr/bin/env python3
"""Prints max |got - want| / max |want| for every reference .npy in WANT_DIR against GOT_DIR, and
how many values of GOT are infinite or NaN where there are any."""
import os
import sys

import numpy as np

got_dir, want_dir = sys.argv[1], sys.argv[2]
for name in sorted(os.listdir(want_dir)):
    want = np.load(os.path.join(want_dir, name)).astype(np.float64)
    got = np.load(os.path.join(got_dir, name)).astype(np.float64)
    error = np.abs(got - want).max() / max(np.abs(want).max(), 1e-30)
    bad = int((~np.isfinite(got)).sum())
    print(f"{name}: max |Δ| / max |ref| = {error:.3e}" + (f", {bad} not finite" if bad else ""))
