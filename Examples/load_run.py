"""Load a ConvGraph run directory with NumPy: python3 Examples/load_run.py runs/seed-convnet"""
import json, sys
import numpy as np

run = sys.argv[1] if len(sys.argv) > 1 else "runs/seed-convnet"
manifest = json.load(open(f"{run}/manifest.json"))
for t in manifest["tensors"]:
    a = np.load(f"{run}/{t['file']}")
    print(f"{t['kind']:5} {t['name']:10} {a.shape} mean {a.mean():.16g}")
