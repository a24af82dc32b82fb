"""Synthetic 32×32 RGB classification data for Benchmarks/Graphs/resnet8-train.yaml.

Writes OUT/synthetic-x.npy (float32 [S, 3, 32, 32], standard normal) and OUT/synthetic-y.npy
(int64 [S], classes 0…9): standard normal noise plus, per class, a fixed colour (a random
3-vector, scaled by 0.5, added to every pixel), so a network with global average pooling can
learn the labels and its loss falls. Deterministic: RandomState(0) draws the noise,
RandomState(1) the labels and the colours.

  python3 Scripts/make-synthetic.py [--out Benchmarks/data] [--samples 1024]

The files are 12 MiB for S = 1024: generate them where they are needed (Benchmarks/
train_compare.py writes them into a temporary folder); Benchmarks/data/ ignores *.npy."""
import argparse, os
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def make(out, samples=1024):
    """Writes the two files into `out` (created if missing); returns their paths (x, y)."""
    os.makedirs(out, exist_ok=True)
    noise = np.random.RandomState(0).standard_normal((samples, 3, 32, 32))
    labels = np.random.RandomState(1)
    y = labels.randint(0, 10, samples).astype(np.int64)
    colours = labels.standard_normal((10, 3))
    x = (noise + 0.5 * colours[y][:, :, None, None]).astype(np.float32)
    paths = os.path.join(out, "synthetic-x.npy"), os.path.join(out, "synthetic-y.npy")
    np.save(paths[0], x)
    np.save(paths[1], y)
    return paths


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=os.path.join(ROOT, "Benchmarks", "data"))
    parser.add_argument("--samples", type=int, default=1024)
    args = parser.parse_args()
    for path in make(args.out, args.samples):
        print(path)
