#!/usr/bin/env python3
"""Reference values for Tests/ConvGraphTests/Train/OptimizerTests.swift (SPEC §10).

A float64 NumPy transcription of PyTorch's `torch.optim._single_tensor_sgd` and
`_single_tensor_adam` (non-capturable, no amsgrad, not maximizing), operation by operation in
PyTorch's order, except that Adam's first moment is SPEC §10's `b1*m + (1-b1)*g` instead of
`exp_avg.lerp_(grad, 1-b1)`. (torch itself could not be installed here: the PyPI wheel pulls
the CUDA libraries and took more than 3 minutes; with torch available, the same loop over
torch.optim.SGD/Adam/AdamW in float64 agrees to the last bit or two, since PyTorch's
vectorised CPU kernels may fuse multiply-adds.)

Loss: L = sum(0.5 * a * p**2), so g = a * p; 4 steps; prints repr() of every param.
Run: /root/anchors/bin/python Scripts/optimizer-reference.py
"""
import numpy as np

A = np.array([0.5, 2.0, -1.5, 3.25])      # per-element curvature (a negative one too)
P0 = np.array([1.0, -0.75, 0.3, 2.5])
STEPS = 4


def sgd(lr, momentum=0.0, nesterov=False, wd=0.0):
    p = P0.copy()
    buf = None
    for k in range(1, STEPS + 1):
        g = A * p
        if wd != 0:
            g = g + wd * p
        if momentum != 0:
            if buf is None:
                buf = g.copy()
            else:
                buf = buf * momentum
                buf = buf + g
            g = g + momentum * buf if nesterov else buf
        p = p + (-lr) * g
    return p


def adam(lr, b1=0.9, b2=0.999, eps=1e-8, wd=0.0, decoupled=False):
    p = P0.copy()
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    for k in range(1, STEPS + 1):
        g = A * p
        if wd != 0:
            if decoupled:
                p = p * (1 - lr * wd)
            else:
                g = g + wd * p
        m = b1 * m + (1 - b1) * g                  # SPEC §10 (PyTorch: m.lerp_(g, 1-b1))
        v = v * b2
        v = v + ((1 - b2) * g) * g                 # addcmul_: self + value * t1 * t2
        bc1 = 1 - b1 ** k
        bc2 = 1 - b2 ** k
        step_size = lr / bc1
        bc2_sqrt = np.sqrt(bc2)
        denom = np.sqrt(v) / bc2_sqrt + eps
        p = p + ((-step_size) * m) / denom         # addcdiv_: self + value * t1 / t2
    return p


CASES = {
    "sgdMomentumWeightDecay": sgd(0.1, momentum=0.9, wd=0.01),
    "sgdNesterov": sgd(0.05, momentum=0.8, nesterov=True),
    "adamL2": adam(0.01, wd=0.1),
    "adamW": adam(0.01, wd=0.1, decoupled=True),
    "adamBetas": adam(0.2, b1=0.5, b2=0.75, eps=1e-3),
}
for name, p in CASES.items():
    print(f"{name}: [{', '.join(repr(float(x)) for x in p)}]")
