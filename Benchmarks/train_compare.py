"""Training throughput of `convgraph train` against the same network and optimizer as a
jit-compiled JAX train step (issue 13): samples/s, side by side in one session, for the digits
CNN (Examples/digits/digits.yaml, batch 32) and a ResNet-8-style graph on 32×32 synthetic data
(Benchmarks/Graphs/resnet8-train.yaml, batch 64), in float32 and float64. A benchmark, not a
test: CI never runs it.

Setup once (the reference): python3 -m venv ~/anchors && ~/anchors/bin/pip install numpy "jax[cpu]"
Run from the project root, after `swift build -c release`:
  ~/anchors/bin/python Benchmarks/train_compare.py [--threads N] [--rounds R] [--digits GRAPH] [case ...]
Cases: digits resnet8 (default both). A ratio > 1 means ConvGraph trains faster.

Protocol, the same on both sides:
- one process per (case, dtype, side, round); the rounds alternate ConvGraph and JAX, so load
  from other processes on the machine hits both alike; the table shows medians over rounds;
- the same batch size, steps and data: host numpy arrays, shuffled each epoch by
  RandomState(seed).permutation, each batch gathered on the host and handed to the step;
- ConvGraph: `convgraph train GRAPH --out TMP --set dtype=… [--threads N]` with evaluation and
  checkpoints pushed past the end (only the final ones run, after the last timed step); its
  samples/s is the median of the `train` lines' `samples_per_s` in TMP/metrics.jsonl after the
  first line (each line covers `log.every` steps, the first holds the first-step set-up);
- JAX: the network in NHWC (default; `--jax-layout nchw` for ConvGraph's layout, about 20%
  slower under XLA:CPU), the same init draws; one jitted function does forward (batchnorm in training mode, batch statistics), the
  gradients, SGD with momentum and weight decay (PyTorch's rule, as SPEC §10: g ← g + wd·p,
  b ← μ·b + g, p ← p − lr·b, every trained param decayed) and the running-statistics update;
  params, momenta and statistics are donated. A warm-up step compiles it; then the same steps
  as ConvGraph run, timed in windows of `log.every` steps closed by block_until_ready on the
  loss; samples/s is the median over windows after the first;
- threads: ConvGraph `--threads N`; JAX runs with XLA_FLAGS="--xla_cpu_multi_thread_eigen=false
  intra_op_parallelism_threads=1" when N = 1 (and no flag otherwise). The table's cpu/wall
  column (CPU seconds per wall second of each process) shows how many cores each really used;
- peak RSS: each process's ru_maxrss (JAX's includes the Python interpreter and XLA, ~300 MiB)."""
import argparse, json, os, resource, shutil, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES = ["digits", "resnet8"]
DTYPES = ["float32", "float64"]

# Per case: the batch size, the training length and the log window used on both sides (the
# ConvGraph graph is overridden to these), and how to get the data.
SETUP = {
    "digits": {"batch": 32, "epochs": 10, "log": 10, "lr": 0.05, "schedule": "cosine"},
    "resnet8": {"batch": 64, "epochs": 2, "log": 5, "lr": 0.05, "schedule": "constant"},
}
MOMENTUM, WEIGHT_DECAY, EPS, BN_MOMENTUM = 0.9, 5e-4, 1e-5, 0.1


def data_files(case, args, tmp):
    """{input node: .npy path} of the training set of `case`."""
    if case == "digits":
        folder = os.path.dirname(os.path.abspath(args.digits))
        return {"image": os.path.join(folder, "train-x.npy"), "label": os.path.join(folder, "train-y.npy")}
    sys.path.insert(0, os.path.join(ROOT, "Scripts"))
    import importlib
    make = importlib.import_module("make-synthetic").make
    x, y = make(os.path.join(tmp, "synthetic"))
    return {"image": x, "label": y}


def graph_path(case, args):
    return os.path.abspath(args.digits) if case == "digits" else os.path.join(ROOT, "Benchmarks", "Graphs", "resnet8-train.yaml")


def rates(results):
    """The samples/s of each round, as text."""
    return " ".join(f"{r['samples_per_s']:.0f}" for r in results)


def median(values):
    values = sorted(values)
    n = len(values)
    return float("nan") if n == 0 else (values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2)


def run_measured(cmd, env=None):
    """Runs cmd; returns (stdout, wall s, cpu s, peak RSS bytes) of that one child."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, env=env)
        _, status, usage = os.wait4(p.pid, 0)  # this child's own rusage (Popen.wait would discard it)
        wall = time.perf_counter() - start
        p.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if code != 0:
            raise RuntimeError(f"{' '.join(cmd)} exited {code}:\n{err.read()[-3000:]}")
        return out.read(), wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024


def convgraph(case, dtype, args, files, tmp):
    s = SETUP[case]
    out = os.path.join(tmp, f"cg-{case}-{dtype}")
    shutil.rmtree(out, ignore_errors=True)
    cmd = [os.path.join(ROOT, ".build", "release", "convgraph"), "train", graph_path(case, args), "--out", out,
           "--set", "dtype=" + dtype, "--set", f"train.epochs={s['epochs']}", "--set", f"train.log.every={s['log']}",
           "--set", "train.checkpoint.every=1000"]
    if case == "digits":
        cmd += ["--set", "train.eval.every=1000"]
    for node, path in files.items():
        cmd += ["--set", f"train.data.{node}={path}"]
    if args.threads:
        cmd += ["--threads", str(args.threads)]
    _, wall, cpu, rss = run_measured(cmd)
    lines = [json.loads(l) for l in open(os.path.join(out, "metrics.jsonl")) if l.strip()]
    train = [l for l in lines if l["kind"] == "train"]
    rates = [l["samples_per_s"] for l in train[1:]]
    return {"samples_per_s": median(rates), "wall_s": wall, "cpu_s": cpu, "rss": rss,
            "first_loss": train[0]["loss"], "last_loss": train[-1]["loss"], "windows": len(rates)}


def jax(case, dtype, args, files):
    """The JAX side in a child process (its own XLA flags and peak RSS)."""
    env = dict(os.environ)
    if args.threads == 1:
        env["XLA_FLAGS"] = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    cmd = [sys.executable, os.path.abspath(__file__), "--jax-worker", case, dtype, json.dumps(files), args.jax_layout]
    out, wall, cpu, rss = run_measured(cmd, env)
    result = json.loads(out.strip().splitlines()[-1])
    result.update(wall_s=wall, rss=rss, cpu_s=cpu)
    return result


# ---------------------------------------------------------------------------------------------
# The JAX networks: the graphs' layers, in NCHW with OIHW weights as ConvGraph's.

def jax_worker(case, dtype, files, layout="nhwc"):
    import numpy as np
    import jax, jax.numpy as jnp
    from jax import lax
    jax.config.update("jax_enable_x64", True)
    dt = np.float32 if dtype == "float32" else np.float64
    s = SETUP[case]
    rng = np.random.RandomState(0)

    def he(shape):  # he_normal, fan_in from OIHW
        return (rng.standard_normal(shape) * np.sqrt(2.0 / np.prod(shape[1:]))).astype(dt)

    def xavier(shape):
        limit = np.sqrt(6.0 / (shape[0] + shape[1]))
        return rng.uniform(-limit, limit, shape).astype(dt)

    params, state = {}, {}

    def conv_bn(name, cin, cout, k):
        params["w" + name] = he((cout, cin, k, k))
        params["g" + name] = np.ones(cout, dt)
        params["b" + name] = np.zeros(cout, dt)
        state["m" + name] = np.zeros(cout, dt)
        state["v" + name] = np.ones(cout, dt)

    # NHWC (weights HWIO) is XLA:CPU's faster layout (≈ 20% on these convs); NCHW is ConvGraph's.
    nhwc = layout == "nhwc"
    spatial, channel = ((1, 2), (0, 1, 2)) if nhwc else ((2, 3), (0, 2, 3))

    def per_channel(v):
        return v[None, None, None, :] if nhwc else v[None, :, None, None]

    def conv(x, w, stride, pad):
        return lax.conv_general_dilated(x, w, (stride, stride), [(pad, pad), (pad, pad)],
                                        dimension_numbers=("NHWC", "HWIO", "NHWC") if nhwc else ("NCHW", "OIHW", "NCHW"))

    def bn(x, p, st, name, new_state):
        """Training mode: batch statistics over N, H, W (biased variance); the running
        statistics are updated as PyTorch's (unbiased variance)."""
        mu = jnp.mean(x, axis=channel)
        var = jnp.mean(jnp.square(x - per_channel(mu)), axis=channel)
        m = x.size // mu.shape[0]
        new_state["m" + name] = (1 - BN_MOMENTUM) * st["m" + name] + BN_MOMENTUM * lax.stop_gradient(mu)
        new_state["v" + name] = (1 - BN_MOMENTUM) * st["v" + name] + BN_MOMENTUM * lax.stop_gradient(var) * (m / (m - 1))
        inv = lax.rsqrt(var + EPS) * p["g" + name]
        return (x - per_channel(mu)) * per_channel(inv) + per_channel(p["b" + name])

    if case == "digits":
        conv_bn("1", 1, 16, 3)
        conv_bn("2", 16, 32, 3)
        params["w3"] = xavier((10, 128))
        params["b3"] = np.zeros(10, dt)

        def maxpool2(x):
            window = (1, 2, 2, 1) if nhwc else (1, 1, 2, 2)
            return lax.reduce_window(x, -jnp.inf, lax.max, window, window, "VALID")

        def net(p, st, x, ns):
            h = maxpool2(jax.nn.relu(bn(conv(x, p["w1"], 1, 1), p, st, "1", ns)))
            h = maxpool2(jax.nn.relu(bn(conv(h, p["w2"], 1, 1), p, st, "2", ns)))
            if nhwc:  # flatten in C order of [C, H, W], as ConvGraph's linear (a 32×128 copy)
                h = jnp.transpose(h, (0, 3, 1, 2))
            return h.reshape(h.shape[0], -1) @ p["w3"].T + p["b3"]
    else:
        conv_bn("0", 3, 16, 3)
        for stage, (cin, cout) in zip("123", [(16, 16), (16, 32), (32, 64)]):
            conv_bn(stage + "a", cin, cout, 3)
            conv_bn(stage + "b", cout, cout, 3)
            if cin != cout:
                conv_bn(stage + "s", cin, cout, 1)
        params["wfc"] = xavier((10, 64))
        params["bfc"] = np.zeros(10, dt)

        def block(p, st, x, stage, stride, ns):
            h = jax.nn.relu(bn(conv(x, p["w" + stage + "a"], stride, 1), p, st, stage + "a", ns))
            h = bn(conv(h, p["w" + stage + "b"], 1, 1), p, st, stage + "b", ns)
            short = bn(conv(x, p["w" + stage + "s"], stride, 0), p, st, stage + "s", ns) if stride != 1 else x
            return jax.nn.relu(h + short)

        def net(p, st, x, ns):
            h = jax.nn.relu(bn(conv(x, p["w0"], 1, 1), p, st, "0", ns))
            h = block(p, st, h, "1", 1, ns)
            h = block(p, st, h, "2", 2, ns)
            h = block(p, st, h, "3", 2, ns)
            h = jnp.mean(h, axis=spatial)  # global average pool
            return h @ p["wfc"].T + p["bfc"]

    def forward(p, st, x, y):
        ns = {}
        logits = net(p, st, x, ns)
        logp = jax.nn.log_softmax(logits, axis=1)
        loss = -jnp.mean(jnp.take_along_axis(logp, y[:, None], axis=1))
        return loss, ns

    def step(p, st, mom, x, y, lr):
        (loss, ns), g = jax.value_and_grad(forward, has_aux=True)(p, st, x, y)
        g = jax.tree_util.tree_map(lambda g, w: g + WEIGHT_DECAY * w, g, p)
        mom = jax.tree_util.tree_map(lambda b, g: MOMENTUM * b + g, mom, g)  # b = g at k = 1 (b starts at 0)
        p = jax.tree_util.tree_map(lambda w, b: w - lr * b, p, mom)
        return p, ns, mom, loss

    step = jax.jit(step, donate_argnums=(0, 1, 2))
    if nhwc:
        params = {k: (np.ascontiguousarray(v.transpose(2, 3, 1, 0)) if v.ndim == 4 else v) for k, v in params.items()}
    x_all = np.load(files["image"]).astype(dt)
    if nhwc:  # the data set as it would be stored for an NHWC network
        x_all = np.ascontiguousarray(x_all.transpose(0, 2, 3, 1))
    y_all = np.load(files["label"]).reshape(-1).astype(np.int64)
    samples, b = x_all.shape[0], s["batch"]
    spe = samples // b
    total = s["epochs"] * spe

    def lr_at(t):
        if s["schedule"] == "constant":
            return s["lr"]
        import math
        return 0.5 * s["lr"] * (1 + math.cos(math.pi * t / total))

    p = {k: jnp.asarray(v) for k, v in params.items()}
    st = {k: jnp.asarray(v) for k, v in state.items()}
    mom = {k: jnp.zeros_like(v) for k, v in p.items()}
    # Warm-up: compile (on a copy, so the timed run starts from the initial params).
    wp, wst, wmom, wl = step(jax.tree_util.tree_map(jnp.copy, p), jax.tree_util.tree_map(jnp.copy, st),
                             jax.tree_util.tree_map(jnp.copy, mom), x_all[:b], y_all[:b], lr_at(0))
    wl.block_until_ready()
    del wp, wst, wmom

    order = np.random.RandomState(0)
    rates, losses, window_losses = [], [], []
    cpu0 = time.process_time()
    start = time.perf_counter()
    window_start = start
    for t in range(total):
        if t % spe == 0:
            perm = order.permutation(samples)
        idx = perm[(t % spe) * b:(t % spe + 1) * b]
        p, st, mom, loss = step(p, st, mom, x_all[idx], y_all[idx], lr_at(t))
        window_losses.append(loss)
        if (t + 1) % s["log"] == 0 or t + 1 == total:
            loss.block_until_ready()
            now = time.perf_counter()
            rates.append(len(window_losses) * b / (now - window_start))
            losses.append(float(np.mean([float(l) for l in window_losses])))
            window_losses, window_start = [], now
    wall = time.perf_counter() - start
    print(json.dumps({"samples_per_s": median(rates[1:]), "train_wall_s": wall, "train_cpu_s": time.process_time() - cpu0,
                      "first_loss": losses[0], "last_loss": losses[-1], "windows": len(rates) - 1, "losses": losses}))


# ---------------------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description="convgraph train against a jitted JAX train step")
    parser.add_argument("--threads", type=int, default=1, help="ConvGraph --threads; JAX single-threaded when 1 (default 1)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs of each side per case and dtype (default 3)")
    parser.add_argument("--digits", default=os.path.join(ROOT, "Examples", "digits", "digits.yaml"), help="the digits graph")
    parser.add_argument("--dtypes", default="float32,float64")
    parser.add_argument("--jax-layout", choices=["nhwc", "nchw"], default="nhwc",
                        help="the JAX network's layout (default nhwc, XLA:CPU's faster one)")
    parser.add_argument("cases", nargs="*")
    args = parser.parse_args()
    cases = args.cases or CASES
    tmp = tempfile.mkdtemp(prefix="train-compare-")
    try:
        print(f"threads {args.threads}, rounds {args.rounds}, JAX layout {args.jax_layout}, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
        print("| case | dtype | ConvGraph samples/s | JAX samples/s | ratio CG/JAX | CG wall s | CG cpu/wall | JAX cpu/wall | "
              "CG peak RSS MiB | JAX peak RSS MiB | CG loss first→last | JAX loss first→last |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|", flush=True)
        for case in cases:
            files = data_files(case, args, tmp)
            for dtype in args.dtypes.split(","):
                cg, jx = [], []
                for _ in range(args.rounds):
                    cg.append(convgraph(case, dtype, args, files, tmp))
                    jx.append(jax(case, dtype, args, files))
                c, j = median([r["samples_per_s"] for r in cg]), median([r["samples_per_s"] for r in jx])
                print(f"| {case} | {dtype} | {c:.0f} | {j:.0f} | {c / j:.2f}× | {median([r['wall_s'] for r in cg]):.1f} | "
                      f"{median([r['cpu_s'] / r['wall_s'] for r in cg]):.2f} | "
                      f"{median([r['train_cpu_s'] / r['train_wall_s'] for r in jx]):.2f} | "
                      f"{median([r['rss'] for r in cg]) / 2**20:.0f} | {median([r['rss'] for r in jx]) / 2**20:.0f} | "
                      f"{cg[0]['first_loss']:.3f}→{cg[0]['last_loss']:.3f} | {jx[0]['first_loss']:.3f}→{jx[0]['last_loss']:.3f} |",
                      flush=True)
                if args.rounds > 1:
                    print(f"|  | rounds | {rates(cg)} | {rates(jx)} |  |  |  |  |  |  |  |  |", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--jax-worker":
        jax_worker(sys.argv[2], sys.argv[3], json.loads(sys.argv[4]), sys.argv[5])
    else:
        main()
