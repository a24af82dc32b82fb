"""ConvGraph against JAX/XLA, ONNX Runtime and NumPy on the cases of issue 5, measured in one
session on one machine, with ratios. A benchmark, not a test: CI never runs it.

Setup once (the references):
  python3 -m venv ~/anchors && ~/anchors/bin/pip install numpy "jax[cpu]" onnxruntime onnx
Run from the project root, after `swift build -c release`:
  ~/anchors/bin/python Benchmarks/compare.py [--repeat N] [--threads N] [case ...]
Cases: small resnet strided 1x1 (conv) and maxpool-3x3 maxpool-2x2 averagepool-3x3
averagepool-2x2 (pooling). ConvGraph times come from `convgraph bench --json` (medians after a
warm-up, compute alone); the references use the same protocol (../shared/bench/anchors.py).
A ratio > 1 means ConvGraph is faster."""
import argparse, importlib.util, json, os, subprocess, sys, time
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONV = ["small", "resnet", "strided", "1x1"]
POOL = ["maxpool-3x3", "maxpool-2x2", "averagepool-3x3", "averagepool-2x2"]


def anchors():
    path = os.path.join(ROOT, "..", "shared", "bench", "anchors.py")
    spec = importlib.util.spec_from_file_location("anchors", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def convgraph(case, dtype, repeat, threads):
    cmd = [os.path.join(ROOT, ".build", "release", "convgraph"), "bench", os.path.join(ROOT, "Benchmarks", "Graphs", case + ".yaml"),
           "--set", "dtype=" + dtype, "--repeat", str(repeat), "--json"]
    if threads:
        cmd += ["--threads", str(threads)]
    report = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    op = next(n for n in report["nodes"] if n["op"] in ("conv", "pool"))
    # fwd: the op alone (as ORT runs it); fwd+bwd: the whole graph, sum(op(x)) and its
    # gradients, as JAX's grad of the same function.
    return op["forward_ms"], report["forward_ms"] + report["backward_ms"], report["peak_bytes"]


def jax_pool(case, dt, med):
    import jax, jax.numpy as jnp
    from jax import lax
    jax.config.update("jax_enable_x64", True)
    mode, window = case.split("-")
    k = int(window[0])
    x = jnp.asarray(np.random.randn(8, 64, 56, 56).astype(dt))
    if mode == "maxpool":
        f = lambda x: lax.reduce_window(x, -jnp.inf, lax.max, (1, 1, k, k), (1, 1, 2, 2), "VALID")
    else:
        f = lambda x: lax.reduce_window(x, 0.0, lax.add, (1, 1, k, k), (1, 1, 2, 2), "VALID") / (k * k)
    fwd = jax.jit(f)
    both = jax.jit(jax.grad(lambda x: jnp.sum(f(x))))
    return med(lambda: fwd(x).block_until_ready()), med(lambda: both(x).block_until_ready())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("cases", nargs="*")
    args = parser.parse_args()
    a = anchors()
    cases = args.cases or CONV + POOL
    print("| case | dtype | ConvGraph fwd ms | ConvGraph fwd+bwd ms | JAX fwd ms | JAX fwd+bwd ms | ORT fwd ms | "
          "fwd+bwd vs JAX | fwd vs ORT | ConvGraph peak RSS MiB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for case in cases:
        for dtype, dt in (("float32", np.float32), ("float64", np.float64)):
            cf, cfb, peak = convgraph(case, dtype, args.repeat, args.threads)
            if case in CONV:
                xs, ws, pad, stride = a.CASES[case]
                jf, jfb = a.jax_times(xs, ws, pad, stride, dt)
                of = a.ort_time(xs, ws, pad, stride, dt) if dt == np.float32 else float("nan")
            else:
                jf, jfb = jax_pool(case, dt, a.med)
                of = float("nan")
            jf, jfb, of = jf * 1e3, jfb * 1e3, of * 1e3
            ort = f"{of:.2f}" if of == of else "–"
            vs_ort = f"{of / cf:.2f}×" if of == of else "–"
            print(f"| {case} | {dtype} | {cf:.2f} | {cfb:.2f} | {jf:.2f} | {jfb:.2f} | {ort} | {jfb / cfb:.2f}× | {vs_ort} | {peak / 2**20:.0f} |", flush=True)


if __name__ == "__main__":
    main()
