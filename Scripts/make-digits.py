#!/usr/bin/env python3
"""Makes Examples/digits/{train-x,train-y,test-x,test-y}.npy from scikit-learn's bundled
copy of the UCI optical handwritten digits test set (`sklearn.datasets.load_digits`: 1797
images of 8×8 pixels, each pixel a count 0…16, ten classes). Nothing is downloaded.

    pip install scikit-learn numpy
    python3 Scripts/make-digits.py            # from the package root (or any folder)

X = images / 16 as float32, shaped (S, 1, 8, 8) (NCHW, one channel); y = the targets as
int64, shaped (S,). The split is fixed: order = np.random.RandomState(0).permutation(1797);
train = the first 1437 samples of `order`, test = the other 360, each in that order.
Running it again gives byte-identical files.
"""
import os

import numpy as np
from sklearn.datasets import load_digits

TRAIN = 1437


def main():
    digits = load_digits()
    x = (digits.images.astype(np.float64) / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    y = digits.target.astype(np.int64)
    assert x.shape == (1797, 1, 8, 8) and y.shape == (1797,)
    order = np.random.RandomState(0).permutation(len(y))
    train, test = order[:TRAIN], order[TRAIN:]
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Examples", "digits")
    os.makedirs(out, exist_ok=True)
    for name, array in [("train-x", x[train]), ("train-y", y[train]), ("test-x", x[test]), ("test-y", y[test])]:
        np.save(os.path.join(out, name + ".npy"), np.ascontiguousarray(array))
        print(f"{name}.npy  {array.dtype}  {array.shape}")


if __name__ == "__main__":
    main()
