#!/usr/bin/env bash
# End-to-end check of training (issue 13), run once by CI on the release build, outside the
# sanitizer passes: trains Examples/digits, then checks the test accuracy the README states
# (≥ 97 %), that Examples/digits/evaluate.py (numpy alone) prints the same accuracy, that
# Python's `safetensors` reads params.safetensors to the bytes of params/*.npy, that
# curves.svg renders with rsvg-convert, and that a second run gives the same bytes.
#
#   Scripts/train-check.sh [CONVGRAPH]     default .build/release/convgraph
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-.build/release/convgraph}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

start=$(date +%s%N)
"$bin" train Examples/digits/digits.yaml --out "$out/digits" > "$out/stdout"
seconds=$(( ($(date +%s%N) - start) / 1000000 ))
tail -n 1 "$out/stdout"
echo "train-check: trained in ${seconds} ms"
"$bin" train Examples/digits/digits.yaml --out "$out/again" --threads 1 > /dev/null
python3 Examples/digits/evaluate.py "$out/digits" > "$out/evaluate"
cat "$out/evaluate"

python3 - "$out" <<'PY'
import json, os, sys
import numpy as np
out = sys.argv[1]
run = os.path.join(out, "digits")
manifest = json.load(open(os.path.join(run, "manifest.json")))
accuracy = manifest["train"]["eval_accuracy"]
assert accuracy >= 0.97, f"test accuracy {accuracy:.4f} < 0.97"
printed = open(os.path.join(out, "evaluate")).read()
assert f"accuracy {accuracy * 100:.1f}%" in printed, f"evaluate.py printed {printed!r}, the tool {accuracy:.4f}"
from safetensors.numpy import load_file
tensors = load_file(os.path.join(run, "params.safetensors"))
names = sorted(f[:-4] for f in os.listdir(os.path.join(run, "params")))
assert sorted(tensors) == names, (sorted(tensors), names)
for name in names:
    npy = np.load(os.path.join(run, "params", name + ".npy"))
    assert tensors[name].dtype == npy.dtype and tensors[name].shape == npy.shape and (tensors[name] == npy).all(), name
def files(root):
    found = {}
    for d, _, fs in os.walk(root):
        for f in fs:
            if f != "manifest.json":
                text = open(os.path.join(d, f), "rb").read()
                if f == "metrics.jsonl":
                    text = b"\n".join(l.split(b',"samples_per_s"')[0] for l in text.split(b"\n"))
                found[os.path.relpath(os.path.join(d, f), root)] = text
    return found
assert files(run) == files(os.path.join(out, "again")), "a second run (1 thread) differs"
print(f"train-check: accuracy {accuracy * 100:.1f}%, evaluate.py agrees, params.safetensors = params/*.npy ({len(names)} tensors), same bytes with --threads 1")
PY
rsvg-convert -o "$out/curves.png" "$out/digits/curves.svg"
echo "train-check: curves.svg renders ($(stat -c %s "$out/curves.png") bytes of PNG)"
