#!/usr/bin/env python3
"""Writes the reference .safetensors bytes that Tests/ConvGraphTests/IO/SafetensorsTests.swift
compares Safetensors.encode with, using the Python `safetensors` package (the format's
reference writer): pip install safetensors numpy.

    python3 Scripts/safetensors-reference.py          # prints the hex of each case

Case "mixed": w (float32, [2, 3], values k/4 - 1 for k = 0..5), b (float64, [3], 0.1, -2.5,
1e300), e (float32, [0, 2]), with metadata {"format": "np"}. Case "single": x (float32,
[2], 0 and 1), no metadata.
"""
import numpy as np
from safetensors.numpy import save

cases = {
    "mixed": (
        {
            "w": (np.arange(6, dtype=np.float32) / 4 - 1).reshape(2, 3),
            "b": np.array([0.1, -2.5, 1e300], dtype=np.float64),
            "e": np.zeros((0, 2), dtype=np.float32),
        },
        {"format": "np"},
    ),
    "single": ({"x": np.array([0, 1], dtype=np.float32)}, None),
}
for name, (tensors, metadata) in cases.items():
    print(name, save(tensors, metadata=metadata).hex())
