"""ConvGraph against JAX/XLA, ONNX Runtime and NumPy on the cases of issue 5, measured in one
session on one machine, with ratios. A benchmark, not a test: CI never runs it.

Setup once (the references):
  python3 -m venv ~/anchors && ~/anchors/bin/pip install numpy "jax[cpu]" onnxruntime onnx
Run from the project root, after `swift build -c release`:
  ~/anchors/bin/python Benchmarks/compare.py [--repeat N] [--threads N] [--dtypes float32,float64] [--check] [case ...]
Cases: small resnet strided 1x1 (conv), maxpool-3x3 maxpool-2x2 averagepool-3x3
averagepool-2x2 (pooling), linear (N 256, F 4096 → 1000: JAX x·wᵀ, ORT Gemm transB) and
conv-transpose (8×64×56×56 → 8×32×112×112, 2×2 kernel, stride 2: JAX conv with lhs_dilation,
ORT ConvTranspose) and batchnorm (training mode, against JAX) (layers), elementwise (relu, add, pad, concat, sum, mean, l2, mse against
NumPy; needs only numpy), resnet18 (network). ConvGraph times come from `convgraph bench --json`
(medians after a warm-up, compute alone); the references use the same protocol
(../shared/bench/anchors.py: median of 7 after one warm-up). A ratio > 1 means ConvGraph is
faster. `--threads 1` also runs JAX single-threaded (XLA_FLAGS as Benchmarks/train_compare.py);
otherwise `bench` uses every core and JAX its default.

resnet18 (issue 14 item 1): Graphs/resnet18.yaml (torchvision ResNet-18, batch 1, 3×224×224,
1000 classes, 11,689,512 trained params) with `--set RESNET18_BACKWARD` added: backward from the
logits `fc` seeded with ones (= the gradient of sum(logits); the graph itself ends in `fc`, no
loss) w.r.t. the 62 trained params (not the image, not the batchnorm state). `bench` runs
batchnorm in training mode (batch statistics, biased variance, eps 1e-5), as does the JAX
network (jax_resnet18_loss: NCHW/OIHW as ConvGraph, max pool padded with −∞, global average
pool, x·Wᵀ + b), jit(value_and_grad(sum(logits))) w.r.t. the same params. Columns: fwd = the
whole graph's forward, fwd+bwd = the whole graph's forward + backward (`forward_ms` +
`backward_ms`). `--check` first runs the graph once (`convgraph run`, saving the image, the
params, the logits and the params' gradients) and feeds those values to the JAX network.
Measured 2026-11-27 on the 2-core dev machine while other builds ran (load average 3.5–4.5, so
expect ±30% between runs), `--repeat 5`, three runs each:
  ~/anchors/bin/python Benchmarks/compare.py --repeat 5 --check resnet18
  | dtype   | threads | ConvGraph fwd ms | ConvGraph fwd+bwd ms | JAX fwd ms  | JAX fwd+bwd ms   | fwd+bwd CG/JAX speed |
  | float32 | 2 (all) | 92 / 113 / 124   | 298 / 380 / 403      | 76 / 172 / 182 | 341 / 600 / 589   | 1.14× / 1.58× / 1.46× |
  | float64 | 2 (all) | 181 / 239 / 271  | 520 / 732 / 828      | 201 / 321 / 395 | 1028 / 1501 / 1552 | 1.98× / 2.05× / 1.87× |
  ~/anchors/bin/python Benchmarks/compare.py --repeat 5 --threads 1 resnet18   (two runs)
  | float32 | 1       | 112 / 120        | 403 / 424            | 166 / 208   | 679 / 598        | 1.69× / 1.41× |
  | float64 | 1       | 242 / 236        | 750 / 728            | 353 / 370   | 1542 / 1626      | 2.06× / 2.23× |
  Agreement (--check): float32 loss −60.289757 vs −60.289742 (2.5e-7 relative), logits 8.7e-7
  (max |Δ| / max |JAX|); float64 loss 9.4e-16, logits 2.3e-15, every gradient ≤ 2.4e-14. The
  float32 gradients differ by up to 1.6e-2 (max |Δ| / max |ref|): batch-1 training-mode
  batchnorm backward cancels, and each float32 side is that far from the float64 gradient of
  the same float32 params (ConvGraph 1.4e-2, JAX 1.6e-2), so it is float32 rounding, not a
  different computation. JAX in NCHW as asked; XLA:CPU is ~20% faster in NHWC
  (train_compare.py)."""
import argparse, importlib.util, json, os, subprocess, sys, time
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONV = ["small", "resnet", "strided", "1x1"]
POOL = ["maxpool-3x3", "maxpool-2x2", "averagepool-3x3", "averagepool-2x2"]
LAYERS = ["linear", "conv-transpose", "batchnorm"]
ELEMENTWISE = ["elementwise"]
NETWORKS = ["resnet18"]


def anchors():
    path = os.path.join(ROOT, "..", "shared", "bench", "anchors.py")
    spec = importlib.util.spec_from_file_location("anchors", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def convgraph(case, dtype, repeat, threads):
    cmd = [os.path.join(ROOT, ".build", "release", "convgraph"), "bench", os.path.join(ROOT, "Benchmarks", "Graphs", case + ".yaml"),
           "--set", "dtype=" + dtype, "--repeat", str(repeat), "--json"]
    if case in NETWORKS:
        cmd += ["--set", RESNET18_BACKWARD]
    if threads:
        cmd += ["--threads", str(threads)]
    report = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    if case in NETWORKS:  # fwd: the whole graph's forward; fwd+bwd: the whole graph's both
        return report["forward_ms"], report["forward_ms"] + report["backward_ms"], report["peak_bytes"]
    op = next(n for n in report["nodes"] if n["op"] in ("conv", "pool", "linear", "conv_transpose", "batchnorm"))
    # fwd: the op alone (as ORT runs it); fwd+bwd: the whole graph, sum(op(x)) and its
    # gradients, as JAX's grad of the same function.
    return op["forward_ms"], report["forward_ms"] + report["backward_ms"], report["peak_bytes"]


def jax_batchnorm(dt, med):
    """Training-mode batch normalization as Benchmarks/Graphs/batchnorm.yaml runs it: batch
    statistics over N, H, W (biased variance), eps 1e-5; fwd+bwd is grad of the sum w.r.t.
    x, scale and bias."""
    import jax, jax.numpy as jnp
    jax.config.update("jax_enable_x64", True)
    x = jnp.asarray(np.random.randn(8, 64, 56, 56).astype(dt))
    scale, bias = jnp.ones((64,), dt), jnp.zeros((64,), dt)

    def f(x, scale, bias):
        mu = jnp.mean(x, axis=(0, 2, 3), keepdims=True)
        var = jnp.mean((x - mu) ** 2, axis=(0, 2, 3), keepdims=True)
        return scale.reshape(1, -1, 1, 1) * (x - mu) / jnp.sqrt(var + 1e-5) + bias.reshape(1, -1, 1, 1)
    fwd = jax.jit(f)
    both = jax.jit(jax.grad(lambda x, s, b: jnp.sum(f(x, s, b)), argnums=(0, 1, 2)))
    return (med(lambda: fwd(x, scale, bias).block_until_ready()),
            med(lambda: jax.block_until_ready(both(x, scale, bias))))


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


def layer_inputs(case, dt):
    """The operands of a layer case, in ConvGraph's layouts (linear W [out, F]; conv_transpose
    W [in, out, kh, kw])."""
    rng = np.random.default_rng(0)
    if case == "linear":
        return rng.standard_normal((256, 4096)).astype(dt), rng.standard_normal((1000, 4096)).astype(dt)
    return rng.standard_normal((8, 64, 56, 56)).astype(dt), rng.standard_normal((64, 32, 2, 2)).astype(dt)


def jax_layer(case, dt, med):
    """JAX forward and forward+backward (gradients of the sum w.r.t. x and w) of a layer case."""
    import jax, jax.numpy as jnp
    from jax import lax
    jax.config.update("jax_enable_x64", True)
    x, w = (jnp.asarray(a) for a in layer_inputs(case, dt))
    if case == "linear":
        f = lambda x, w: x @ w.T
    else:
        # The transposed conv as XLA lowers it: the input dilated by the stride, padded by
        # d(k−1) − p = 1, correlated with the flipped kernel in OIHW [out, in, kh, kw].
        f = lambda x, w: lax.conv_general_dilated(x, jnp.flip(w, (2, 3)).transpose(1, 0, 2, 3), (1, 1), [(1, 1), (1, 1)],
                                                  lhs_dilation=(2, 2), dimension_numbers=("NCHW", "OIHW", "NCHW"))
    fwd = jax.jit(f)
    both = jax.jit(jax.grad(lambda x, w: jnp.sum(f(x, w)), argnums=(0, 1)))
    return med(lambda: fwd(x, w).block_until_ready()), med(lambda: [g.block_until_ready() for g in both(x, w)])


def ort_layer(case, dt, med):
    """ONNX Runtime forward (2 threads) of a layer case: Gemm with transB, or ConvTranspose."""
    import onnx, onnxruntime as ort
    from onnx import helper, TensorProto, numpy_helper
    et = TensorProto.FLOAT if dt == np.float32 else TensorProto.DOUBLE
    x, w = layer_inputs(case, dt)
    if case == "linear":
        node = helper.make_node("Gemm", ["x", "w"], ["y"], transB=1)
    else:
        node = helper.make_node("ConvTranspose", ["x", "w"], ["y"], strides=[2, 2])
    g = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", et, x.shape)],
                          [helper.make_tensor_value_info("y", et, None)], [numpy_helper.from_array(w, "w")])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]); m.ir_version = 8
    so = ort.SessionOptions(); so.intra_op_num_threads = 2
    s = ort.InferenceSession(m.SerializeToString(), so, providers=["CPUExecutionProvider"])
    return med(lambda: s.run(None, {"x": x}))


def numpy_elementwise(dt):
    """NumPy's equivalent of each node of Graphs/elementwise.yaml, forward and backward, on
    the same shapes: {node: (forward_fn, backward_fn)}."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 8, 64, 64)).astype(dt)
    t = rng.standard_normal(x.shape).astype(dt)
    g = rng.standard_normal(x.shape).astype(dt)
    r = np.maximum(x, 0)
    s = r + x
    c = np.concatenate([r, x], axis=1)
    gp = rng.standard_normal((32, 8, 66, 66)).astype(dt)
    gc = rng.standard_normal(c.shape).astype(dt)
    u = dt(1.0)
    return {
        "relu": (lambda: np.maximum(x, 0), lambda: np.where(r > 0, g, 0)),
        "add": (lambda: r + x, None),
        "pad": (lambda: np.pad(s, ((0, 0), (0, 0), (1, 1), (1, 1))), lambda: np.ascontiguousarray(gp[:, :, 1:-1, 1:-1])),
        "concat": (lambda: np.concatenate([r, x], axis=1), lambda: (gc[:, :8].copy(), gc[:, 8:].copy())),
        "sum": (lambda: gp.sum(), lambda: np.full(gp.shape, u)),
        "mean": (lambda: c.mean(), lambda: np.full(c.shape, u / c.size)),
        "l2": (lambda: 0.5 * (x * x).sum(), None),
        "mse": (lambda: np.mean((s - t) ** 2), lambda: (lambda d: (d, -d))(2 * (s - t) / s.size)),
    }


def elementwise(dtype, dt, repeat, threads, rounds=5):
    """Per node of the elementwise graph: ConvGraph (`bench`, `threads` threads) and NumPy (one
    thread) medians, interleaved round by round in this one session; prints table rows."""
    ops = numpy_elementwise(dt)
    cg = {k: ([], []) for k in ops}
    ref = {k: ([], []) for k in ops}
    hot = {k: ([], []) for k in ops}
    for _ in range(rounds):
        cmd = [os.path.join(ROOT, ".build", "release", "convgraph"), "bench",
               os.path.join(ROOT, "Benchmarks", "Graphs", "elementwise.yaml"), "--set", "dtype=" + dtype,
               "--repeat", str(repeat), "--json", "--threads", str(threads or 2)]
        report = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
        for node in report["nodes"]:
            if node["name"] in cg:
                cg[node["name"]][0].append(node["forward_ms"])
                cg[node["name"]][1].append(node["backward_ms"])
        for name, (fwd, bwd) in ops.items():
            ref[name][0].append(time_median(fwd, repeat) * 1e3)
            hot[name][0].append(time_median(fwd, repeat, cold=False) * 1e3)
            if bwd:
                ref[name][1].append(time_median(bwd, repeat) * 1e3)
                hot[name][1].append(time_median(bwd, repeat, cold=False) * 1e3)
    for name in ops:
        cf, cb = float(np.median(cg[name][0])), float(np.median(cg[name][1]))
        nf, hf = float(np.median(ref[name][0])), float(np.median(hot[name][0]))
        nb = float(np.median(ref[name][1])) if ref[name][1] else float("nan")
        hb = float(np.median(hot[name][1])) if hot[name][1] else float("nan")
        back = f"{nb:.2f} ({hb:.2f}) | {nb / cb:.2f}× ({hb / cb:.2f}×)" if nb == nb else "– | –"
        print(f"| {name} | {dtype} | {cf:.2f} | {nf:.2f} ({hf:.2f}) | {nf / cf:.2f}× ({hf / cf:.2f}×) | {cb:.2f} | {back} |", flush=True)


# ---------------------------------------------------------------------------------------------
# ResNet-18 (issue 14 item 1): Benchmarks/Graphs/resnet18.yaml, fwd+bwd, against JAX.

def resnet18_units():
    """The conv→batchnorm units of Graphs/resnet18.yaml in declaration order, as the blocks
    expand them: (node prefix, cin, cout, kernel, stride, padding)."""
    units = [("stem", 3, 64, 7, 2, 3)]
    for r in (0, 1):
        units += [(f"stage1/{r}/a", 64, 64, 3, 1, 1), (f"stage1/{r}/b", 64, 64, 3, 1, 1)]
    for s, (cin, c) in zip((2, 3, 4), ((64, 128), (128, 256), (256, 512))):
        units += [(f"stage{s}/b1/a", cin, c, 3, 2, 1), (f"stage{s}/b1/b", c, c, 3, 1, 1),
                  (f"stage{s}/b1/short", cin, c, 1, 2, 0),
                  (f"stage{s}/b2/a", c, c, 3, 1, 1), (f"stage{s}/b2/b", c, c, 3, 1, 1)]
    return units


def resnet18_trained():
    """{param node: shape} of every trained param of the graph (not the batchnorm state),
    OIHW conv weights: 62 params, 11,689,512 numbers."""
    shapes = {}
    for pre, cin, cout, k, _, _ in resnet18_units():
        shapes[pre + "/w"] = (cout, cin, k, k)
        shapes[pre + "/bn/scale"] = (cout,)
        shapes[pre + "/bn/bias"] = (cout,)
    shapes["fc_w"], shapes["fc_b"] = (1000, 512), (1000,)
    return shapes


# The graph ends in `fc` (logits [1, 1000, 1, 1]) with no loss and no `backward`; the benchmark
# adds one by override: backward from `fc` seeded with ones (the gradient of sum(fc)) w.r.t.
# every trained param (not the input image, not the batchnorm state, whose gradient is zero in
# training mode). JAX differentiates the same loss, sum(logits), w.r.t. the same params.
RESNET18_BACKWARD = "backward={from: fc, wrt: [" + ", ".join(resnet18_trained()) + "]}"


def jax_resnet18_loss(dt):
    """sum(logits) of ResNet-18 as Graphs/resnet18.yaml computes it, NCHW/OIHW, batchnorm in
    training mode (batch statistics over N, H, W, biased variance, eps 1e-5; the running
    statistics do not enter the output), max pool 3/2/1 padded with −∞, global average pool,
    fc as x·Wᵀ + b. Returns f(params, x) for params keyed by graph node names."""
    import jax, jax.numpy as jnp
    from jax import lax
    jax.config.update("jax_enable_x64", True)

    def conv_bn(p, h, pre, stride, pad):
        h = lax.conv_general_dilated(h, p[pre + "/w"], (stride, stride), [(pad, pad), (pad, pad)],
                                     dimension_numbers=("NCHW", "OIHW", "NCHW"))
        mu = jnp.mean(h, axis=(0, 2, 3), keepdims=True)
        var = jnp.mean(jnp.square(h - mu), axis=(0, 2, 3), keepdims=True)
        return ((h - mu) * lax.rsqrt(var + 1e-5) * p[pre + "/bn/scale"].reshape(1, -1, 1, 1)
                + p[pre + "/bn/bias"].reshape(1, -1, 1, 1))

    def basic(p, h, pre):
        a = jax.nn.relu(conv_bn(p, h, pre + "/a", 1, 1))
        return jax.nn.relu(conv_bn(p, a, pre + "/b", 1, 1) + h)

    def down(p, h, pre):
        a = jax.nn.relu(conv_bn(p, h, pre + "/a", 2, 1))
        return jax.nn.relu(conv_bn(p, a, pre + "/b", 1, 1) + conv_bn(p, h, pre + "/short", 2, 0))

    def logits(p, x):
        h = jax.nn.relu(conv_bn(p, x, "stem", 2, 3))
        h = lax.reduce_window(h, -jnp.inf, lax.max, (1, 1, 3, 3), (1, 1, 2, 2), [(0, 0), (0, 0), (1, 1), (1, 1)])
        h = basic(p, basic(p, h, "stage1/0"), "stage1/1")
        for s in (2, 3, 4):
            h = basic(p, down(p, h, f"stage{s}/b1"), f"stage{s}/b2")
        h = jnp.mean(h, axis=(2, 3))
        return h @ p["fc_w"].T + p["fc_b"]

    return logits, lambda p, x: jnp.sum(logits(p, x))


def jax_resnet18(dt, med):
    """JAX forward and fwd+bwd (jit of value_and_grad of sum(logits) w.r.t. every trained
    param) of ResNet-18 on one 3×224×224 image, seconds."""
    import jax, jax.numpy as jnp
    logits, loss = jax_resnet18_loss(dt)
    rng = np.random.default_rng(0)
    p = {k: jnp.asarray((rng.standard_normal(s) * (0.05 if len(s) > 1 else 1)).astype(dt)) for k, s in resnet18_trained().items()}
    x = jnp.asarray(rng.standard_normal((1, 3, 224, 224)).astype(dt))
    fwd = jax.jit(logits)
    both = jax.jit(jax.value_and_grad(loss))
    return med(lambda: fwd(p, x).block_until_ready()), med(lambda: jax.block_until_ready(both(p, x)))


def resnet18_check(dtype="float32"):
    """Runs the graph once (`convgraph run`, backward as benchmarked) saving the image, every
    trained param, the logits and the params' gradients, then computes the same with JAX from
    those values; prints the largest relative differences. Returns the worst one."""
    import tempfile, jax, jax.numpy as jnp
    dt = np.float32 if dtype == "float32" else np.float64
    shapes = resnet18_trained()
    out = os.path.join(tempfile.mkdtemp(prefix="r18-check-"), "run")
    cmd = [os.path.join(ROOT, ".build", "release", "convgraph"), "run", os.path.join(ROOT, "Benchmarks", "Graphs", "resnet18.yaml"),
           "--out", out, "--set", "dtype=" + dtype, "--set", RESNET18_BACKWARD,
           "--set", "save={values: [image, fc, " + ", ".join(shapes) + "]}"]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    load = lambda kind, name: np.load(os.path.join(out, kind, name + ".npy"))
    p = {k: jnp.asarray(load("values", k)) for k in shapes}
    assert all(p[k].shape == s for k, s in shapes.items())
    x = jnp.asarray(load("values", "image"))
    logits, loss = jax_resnet18_loss(dt)
    value, grads = jax.jit(jax.value_and_grad(loss))(p, x)
    ours = load("values", "fc").reshape(1, 1000)
    theirs = np.asarray(logits(p, x))
    rel = lambda a, b: float(np.max(np.abs(a - b)) / np.max(np.abs(b)))
    worst_logit = rel(ours, theirs)
    worst_loss = abs(float(ours.sum()) - float(value)) / abs(float(value))
    worst_grad, where = 0.0, ""
    for k in shapes:
        r = rel(load("grads", k), np.asarray(grads[k]))
        if r > worst_grad:
            worst_grad, where = r, k
    print(f"resnet18 {dtype}: loss ConvGraph {float(ours.sum()):.8g} JAX {float(value):.8g} (rel {worst_loss:.2e}); "
          f"logits max|Δ|/max|JAX| {worst_logit:.2e}; gradients worst max|Δ|/max|JAX| {worst_grad:.2e} ({where})", flush=True)
    return max(worst_logit, worst_loss, worst_grad)


FLUSH = np.ones(8 << 20)  # 64 MiB, more than the last-level cache


def time_median(f, reps, cold=True):
    """Median seconds of f() after one warm-up. cold: stream FLUSH through the caches before
    each call, so f's operands come from memory as a graph node's do (in `bench` the other
    nodes' ~90 MB pass between two runs of a node); otherwise they stay in the 36 MB L3."""
    f()
    ts = []
    for _ in range(reps):
        if cold:
            FLUSH.sum()
        start = time.perf_counter()
        f()
        ts.append(time.perf_counter() - start)
    return float(np.median(ts))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--dtypes", default="float32,float64", help="comma-separated (default both)")
    parser.add_argument("--check", action="store_true",
                        help="first check that ConvGraph and JAX compute the same resnet18 loss and gradients")
    parser.add_argument("cases", nargs="*")
    args = parser.parse_args()
    cases = args.cases or CONV + POOL + LAYERS + NETWORKS + ELEMENTWISE
    dtypes = [(d, np.float32 if d == "float32" else np.float64) for d in args.dtypes.split(",")]
    if args.threads == 1:  # JAX single-threaded too (set before jax is first imported)
        os.environ["XLA_FLAGS"] = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    if args.check:
        for dtype, _ in dtypes:
            resnet18_check(dtype)
    if any(c in ELEMENTWISE for c in cases):
        print(f"| node | dtype | ConvGraph fwd ms ({args.threads or 2}T) | NumPy fwd ms, cold (L3-hot) | fwd vs NumPy | "
              "ConvGraph bwd ms | NumPy bwd ms, cold (L3-hot) | bwd vs NumPy |")
        print("|---|---|---|---|---|---|---|---|")
        for dtype, dt in dtypes:
            elementwise(dtype, dt, args.repeat, args.threads)
        cases = [c for c in cases if c not in ELEMENTWISE]
        if not cases:
            return
    a = anchors()
    print("| case | dtype | ConvGraph fwd ms | ConvGraph fwd+bwd ms | JAX fwd ms | JAX fwd+bwd ms | ORT fwd ms | "
          "fwd+bwd vs JAX | fwd vs ORT | ConvGraph peak RSS MiB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for case in cases:
        for dtype, dt in dtypes:
            cf, cfb, peak = convgraph(case, dtype, args.repeat, args.threads)
            if case in CONV:
                xs, ws, pad, stride = a.CASES[case]
                jf, jfb = a.jax_times(xs, ws, pad, stride, dt)
                of = a.ort_time(xs, ws, pad, stride, dt) if dt == np.float32 else float("nan")
            elif case in NETWORKS:
                jf, jfb = jax_resnet18(dt, a.med)
                of = float("nan")
            elif case in LAYERS:
                if case == "batchnorm":
                    jf, jfb = jax_batchnorm(dt, a.med)
                    of = float("nan")
                else:
                    jf, jfb = jax_layer(case, dt, a.med)
                    of = ort_layer(case, dt, a.med) if dt == np.float32 else float("nan")
            else:
                jf, jfb = jax_pool(case, dt, a.med)
                of = float("nan")
            jf, jfb, of = jf * 1e3, jfb * 1e3, of * 1e3
            ort = f"{of:.2f}" if of == of else "–"
            vs_ort = f"{of / cf:.2f}×" if of == of else "–"
            print(f"| {case} | {dtype} | {cf:.2f} | {cfb:.2f} | {jf:.2f} | {jfb:.2f} | {ort} | {jfb / cfb:.2f}× | {vs_ort} | {peak / 2**20:.0f} |", flush=True)


if __name__ == "__main__":
    main()
