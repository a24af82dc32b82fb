#!/usr/bin/env python3
"""The digits network of digits.yaml, in plain numpy: loads a trained run's parameters and
prints the test accuracy and mean loss, computed as `convgraph` computes them in inference
mode (`--eval`, and `train`'s evaluation passes).

    python3 Examples/digits/evaluate.py runs/digits
    python3 Examples/digits/evaluate.py runs/digits --logits logits.npy   # also save the logits

RUN_DIR is a directory holding params/<node>.npy, one file per param and batchnorm statistic
(what `convgraph train` writes). The data defaults to test-x.npy and test-y.npy beside this
script (`--x`, `--y` to change). Needs numpy only.

The architecture is written out here by hand, on purpose: it is the graph of digits.yaml, and
the constants below must match that file.

    image [N,1,8,8] → conv1 (w1, 3×3, stride 1, pad 1) → bn1 (g1, b1, m1, v1) → relu
      → max-pool 2×2 stride 2 → conv2 (w2) → bn2 (g2, b2, m2, v2) → relu → max-pool 2×2
      → linear (w3 [10, 128], b3 [10]) → logits [N,10] → cross entropy with the labels
"""
import argparse
import os
import sys

import numpy as np

# digits.yaml: conv1/conv2 `stride: 1, padding: 1` (weights OIHW, no bias); bn1/bn2 `eps: 1e-5`;
# pool1/pool2 `mode: max, window: 2, stride: 2`.
CONV_STRIDE = 1
CONV_PADDING = 1
BN_EPS = 1e-5
POOL_WINDOW = 2
POOL_STRIDE = 2

PARAMS = ["w1", "g1", "b1", "m1", "v1", "w2", "g2", "b2", "m2", "v2", "w3", "b3"]


def conv2d(x, w, stride, padding):
    """SPEC §3 `conv`, OIHW weight [O, C, kh, kw], no dilation or groups, via im2col:
    y[n, o, i, j] = Σ_c,p,q xpad[n, c, i·s + p, j·s + q] · w[o, c, p, q]."""
    n, c, h, wd = x.shape
    o, ci, kh, kw = w.shape
    assert ci == c, (ci, c)
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    oh = (h + 2 * padding - kh) // stride + 1
    ow = (wd + 2 * padding - kw) // stride + 1
    # cols[n, c, p, q, i, j] = xp[n, c, i·s + p, j·s + q]
    cols = np.empty((n, c, kh, kw, oh, ow), dtype=x.dtype)
    for p in range(kh):
        for q in range(kw):
            cols[:, :, p, q] = xp[:, :, p:p + stride * oh:stride, q:q + stride * ow:stride]
    return np.einsum("ncpqij,ocpq->noij", cols, w, optimize=True)


def batchnorm_eval(x, scale, bias, mean, var, eps):
    """SPEC §3.1 `batchnorm` in inference mode: the running mean and var, per channel."""
    shape = (1, -1, 1, 1)
    return scale.reshape(shape) * (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps) + bias.reshape(shape)


def relu(x):
    return np.maximum(x, 0)


def max_pool(x, window, stride):
    """SPEC §3 `pool`, mode max, no padding: the maximum over each window."""
    n, c, h, w = x.shape
    oh = (h - window) // stride + 1
    ow = (w - window) // stride + 1
    out = np.full((n, c, oh, ow), -np.inf, dtype=x.dtype)
    for p in range(window):
        for q in range(window):
            out = np.maximum(out, x[:, :, p:p + stride * oh:stride, q:q + stride * ow:stride])
    return out


def linear(x, weight, bias):
    """SPEC §3.1 `linear`: x [N, C, H, W] read as [N, F] in C order (x.reshape(N, -1)),
    weight [out, F] (PyTorch nn.Linear); y [N, out] = x·Wᵀ + b."""
    n = x.shape[0]
    return x.reshape(n, -1) @ weight.T + bias.reshape(1, -1)


def cross_entropy(logits, labels):
    """SPEC §3.1 `cross_entropy` with index targets, per sample: −log_softmax(x)[label],
    log_softmax = x − max − log Σ exp(x − max)."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_softmax[np.arange(len(labels)), labels]


def forward(p, image):
    """The whole network in inference mode: logits [N, 10]."""
    x = conv2d(image, p["w1"], CONV_STRIDE, CONV_PADDING)
    x = max_pool(relu(batchnorm_eval(x, p["g1"], p["b1"], p["m1"], p["v1"], BN_EPS)), POOL_WINDOW, POOL_STRIDE)
    x = conv2d(x, p["w2"], CONV_STRIDE, CONV_PADDING)
    x = max_pool(relu(batchnorm_eval(x, p["g2"], p["b2"], p["m2"], p["v2"], BN_EPS)), POOL_WINDOW, POOL_STRIDE)
    return linear(x, p["w3"], p["b3"])


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description="Test accuracy of a trained digits run, in plain numpy.")
    parser.add_argument("run", help="a run directory holding params/<node>.npy")
    parser.add_argument("--x", default=os.path.join(here, "test-x.npy"), help="images [S,1,8,8] (default: test-x.npy here)")
    parser.add_argument("--y", default=os.path.join(here, "test-y.npy"), help="labels [S] (default: test-y.npy here)")
    parser.add_argument("--logits", help="also save the logits [S,10,1,1] (float64) to this .npy file")
    args = parser.parse_args()

    params = {}
    for name in PARAMS:
        path = os.path.join(args.run, "params", name + ".npy")
        if not os.path.isfile(path):
            sys.exit(f"{path}: no such file (is {args.run} a digits run directory?)")
        # Computed in float64 from the stored (float32) values.
        params[name] = np.load(path).astype(np.float64)
    image = np.load(args.x).astype(np.float64)
    labels = np.load(args.y).reshape(-1)
    if labels.dtype.kind not in "iu":
        labels_int = labels.astype(np.int64)
        if not np.array_equal(labels_int, labels):
            sys.exit(f"{args.y}: labels must be whole numbers")
        labels = labels_int
    if image.shape[1:] != (1, 8, 8) or len(labels) != len(image):
        sys.exit(f"expected images [S,1,8,8] and labels [S], got {image.shape} and {labels.shape}")

    logits = forward(params, image)
    loss = cross_entropy(logits, labels).mean()
    accuracy = (logits.argmax(axis=1) == labels).mean()   # argmax: the first maximum on ties
    if args.logits:
        np.save(args.logits, logits.reshape(len(image), -1, 1, 1))
    # The tail of `convgraph train`'s evaluation line.
    print(f"eval loss {loss:.4f}  accuracy {100 * accuracy:.1f}%")


if __name__ == "__main__":
    main()
