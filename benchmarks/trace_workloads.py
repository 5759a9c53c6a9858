"""Traced workloads: `micrograd.trace` against hand-written numpy and against Karpathy's micrograd.

Run this file to print them side by side (contenders alternate round by round, so a
busy machine slows both; ratios are medians of per-round ratios):

    python benchmarks/trace_workloads.py                  # traced vs numpy, tracing cost
    python benchmarks/trace_workloads.py --reference DIR  # also vs Karpathy's micrograd in DIR

DIR holds Karpathy's package installed apart from ours (both are named micrograd):
``pip install --target DIR micrograd==0.1.0``; ``benchmarks/bench.py --compare`` makes
one in ``~/.cache/micrograd-bench/micrograd-0.1.0``.

The workloads (each a function returning a dict of figures, seconds as medians):

* `moons_step_traced`: one step of Karpathy's two-moons demo (100 points,
  MLP(2, [16, 16, 1]), mean hinge loss + 1e-4 * sum of squared parameters, backward,
  SGD), traced: ``zero_grad()``, ``program.backward(X, y)``, ``SGD.step()``.
* `moons_step_numpy`: the same step by hand on weight matrices, from the same start.
* `mlp784_traced` / `mlp784_numpy`: MLP(784, [64, 10]) with softmax cross-entropy on
  1,000 generated samples (MNIST-sized: random pixels, random labels): the gradient
  (forward and backward), or with ``full_step=True`` the SGD step too.
* `trace_cost`: the time ``trace()`` takes for the moons model.
* `traced_vs_numpy`: all of the above side by side.

micrograd is imported inside the functions, never when this module is imported: a
process that compares engines imports exactly one of them, when it chooses. So
`benchmarks/bench.py` takes the moons step's parts (`ALPHA`, `learning_rate`, `numpy_step`)
from here, in the processes of both engines.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ALPHA = 1e-4  # L2 weight of Karpathy's demo
SEED = 1337
ROOT = Path(__file__).resolve().parent.parent
perf = time.perf_counter
Step = Callable[[], float]


def _per_call(step: Step, rounds: int, block_s: float) -> list[float]:
    """Seconds per call: calibrate an inner loop to about block_s, then time `rounds` blocks of it."""
    step()
    t0, calls = perf(), 0
    while perf() - t0 < block_s / 5:
        step()
        calls += 1
    inner = max(1, round(block_s / ((perf() - t0) / calls)))
    times = []
    for _ in range(rounds):
        t0 = perf()
        for _ in range(inner):
            step()
        times.append((perf() - t0) / inner)
    return times


def learning_rate(step: int) -> float:
    """Karpathy's decaying learning rate, restarted every 100 steps so it stays above 0 over many timed steps."""
    return 1.0 - 0.9 * (step % 100) / 100


# ------------------------------------------------------------------------------------- moons


def moons_data(n: int = 100, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """micrograd's two moons, labels -1 / +1."""
    from micrograd import datasets

    X, y = datasets.make_moons(n, noise=0.1, seed=seed)
    return X, 2.0 * y - 1.0


def moons_model(seed: int = SEED, init: Sequence[float] | None = None) -> Any:
    """MLP(2, [16, 16, 1]) drawn in Karpathy's order from ``seed``, or set to ``init``."""
    from micrograd import MLP

    model = MLP(2, [16, 16, 1], rng=seed)
    if init is not None:
        for p, v in zip(model.parameters(), init, strict=True):
            p.data = float(v)
    return model


def _moons_traced_step(X: np.ndarray, y: np.ndarray, model: Any) -> tuple[Step, float]:
    """(step, seconds it took to trace): the step returns the loss before its update."""
    from micrograd import SGD, Value
    from micrograd.trace import trace

    params = model.parameters()

    def sample_loss(x: list, label: Any) -> Any:
        return (1 - label * model(x)).relu() + ALPHA * Value.sum(p * p for p in params)

    t0 = perf()
    program = trace(sample_loss, 2, ())
    traced_in = perf() - t0
    opt = SGD(params, lr=1.0)
    k = [0]

    def step() -> float:
        opt.zero_grad()
        loss = program.backward(X, y).mean()
        opt.lr = learning_rate(k[0])
        opt.step()
        k[0] += 1
        return float(loss)

    return step, traced_in


def numpy_loss_and_grads(X: np.ndarray, y: np.ndarray, Ws: list[np.ndarray],
                         bs: list[np.ndarray]) -> tuple[float, list[np.ndarray]]:
    """Loss of the moons step and its gradient for (W1, W2, W3, b1, b2, b3), by hand; W as (in, out).

    Forward: z1 = X W1 + b1, h1 = relu(z1), z2 = h1 W2 + b2, h2 = relu(z2), s = h2 W3 + b3;
    loss = mean(relu(1 - y s)) + alpha * (sum of squares of every parameter).
    """
    (W1, W2, W3), (b1, b2, b3) = Ws, bs
    z1 = X @ W1 + b1
    h1 = np.maximum(z1, 0.0)
    z2 = h1 @ W2 + b2
    h2 = np.maximum(z2, 0.0)
    s = (h2 @ W3 + b3)[:, 0]
    margin = 1.0 - y * s
    loss = float(np.maximum(margin, 0.0).mean() + ALPHA * sum(float((p * p).sum()) for p in (*Ws, *bs)))
    ds = (-y * (margin > 0) / len(y))[:, None]  # relu'(0) = 0, as in both engines
    dz2 = (ds @ W3.T) * (z2 > 0)
    dz1 = (dz2 @ W2.T) * (z1 > 0)
    grads = [X.T @ dz1, h1.T @ dz2, h2.T @ ds, dz1.sum(0), dz2.sum(0), ds.sum(0)]
    return loss, [g + 2 * ALPHA * p for g, p in zip(grads, (*Ws, *bs))]


def numpy_step(X: np.ndarray, y: np.ndarray, Ws: list[np.ndarray], bs: list[np.ndarray]) -> Step:
    """Karpathy's step by hand (`numpy_loss_and_grads`), updating ``Ws`` and ``bs`` in place."""
    k = [0]

    def step() -> float:
        loss, grads = numpy_loss_and_grads(X, y, Ws, bs)
        lr = learning_rate(k[0])
        for p, g in zip((*Ws, *bs), grads):
            p -= lr * g
        k[0] += 1
        return loss

    return step


def _moons_arrays(model: Any) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """``model``'s weights as (in, out) matrices and its biases as vectors, copied."""
    Ws = [np.array([[w.data for w in n.w] for n in layer.neurons]).T.copy() for layer in model.layers]
    return Ws, [np.array([n.b.data for n in layer.neurons]) for layer in model.layers]


def _moons_inputs(n: int, seed: int, data: tuple | None) -> tuple[np.ndarray, np.ndarray]:
    if data is None:
        return moons_data(n, seed)
    return np.asarray(data[0], dtype=float), np.asarray(data[1], dtype=float)


def moons_step_traced(*, n: int = 100, steps: int = 10, seed: int = SEED, data: tuple | None = None,
                      init: Sequence[float] | None = None, rounds: int = 5, block_s: float = 0.2) -> dict:
    """Karpathy's moons step, traced: zero_grad, program.backward(X, y), SGD.step.

    ``data`` = (X, y) and ``init`` (the parameters in ``parameters()`` order) replace
    micrograd's moons and Karpathy's initialisation, to compare losses with another
    implementation. ``losses`` are those of the first ``steps`` steps from that start.
    """
    X, y = _moons_inputs(n, seed, data)
    step, trace_s = _moons_traced_step(X, y, moons_model(seed, init))
    losses = [step() for _ in range(steps)]
    times = _per_call(step, rounds, block_s)
    return {"s_per_step": statistics.median(times), "trace_s": trace_s, "losses": losses}


def moons_step_numpy(*, n: int = 100, steps: int = 10, seed: int = SEED, data: tuple | None = None,
                     init: Sequence[float] | None = None, rounds: int = 5, block_s: float = 0.2) -> dict:
    """The same moons step written by hand in numpy, from the same start."""
    X, y = _moons_inputs(n, seed, data)
    step = numpy_step(X, y, *_moons_arrays(moons_model(seed, init)))
    losses = [step() for _ in range(steps)]
    times = _per_call(step, rounds, block_s)
    return {"s_per_step": statistics.median(times), "losses": losses}


def trace_cost(*, repeats: int = 5) -> dict:
    """Seconds to trace the moons model's per-sample loss: recording, scheduling, self-check."""
    X, y = moons_data()
    times = [_moons_traced_step(X, y, moons_model())[1] for _ in range(repeats)]
    return {"trace_s": statistics.median(times)}


# ------------------------------------------------------------------------------------- 784-64-10


def mlp784_data(n: int = 1000, seed: int = 0) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Random 28x28 'images' in [0, 1), one-hot random labels, and initial weights uniform / sqrt(fan-in)."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, 784))
    Y = np.eye(10)[rng.integers(0, 10, n)]
    init = [rng.uniform(-1, 1, (64, 784)) / math.sqrt(784), np.zeros(64),
            rng.uniform(-1, 1, (10, 64)) / math.sqrt(64), np.zeros(10)]
    return X, Y, init


def _mlp784_traced_step(n: int, full_step: bool) -> tuple[Step, float]:
    from micrograd import MLP, SGD, Value
    from micrograd.trace import trace

    X, Y, (W1, b1, W2, b2) = mlp784_data(n)
    model = MLP(784, [64, 10], rng=0)
    for layer, W, b in zip(model.layers, (W1, W2), (b1, b2)):
        for neuron, row, bias in zip(layer.neurons, W.tolist(), b.tolist()):
            for w, v in zip(neuron.w, row):
                w.data = v
            neuron.b.data = bias

    def sample_loss(x: list, onehot: list) -> Any:
        z = model(x)  # softmax cross-entropy: log(sum(exp(z))) - z[label]
        return Value.sum([zi.exp() for zi in z]).log() - Value.dot(onehot, z)

    t0 = perf()
    program = trace(sample_loss, 784, 10)
    traced_in = perf() - t0
    opt = SGD(model.parameters(), lr=0.1)

    def step() -> float:
        opt.zero_grad()
        loss = program.backward(X, Y).mean()
        if full_step:
            opt.step()
        return float(loss)

    return step, traced_in


def _mlp784_numpy_step(n: int, full_step: bool) -> Step:
    X, Y, params = mlp784_data(n)
    W1, b1, W2, b2 = params

    def step() -> float:
        z1 = X @ W1.T + b1
        h = np.maximum(z1, 0.0)
        z = h @ W2.T + b2
        e = np.exp(z)
        total = e.sum(axis=1)
        loss = np.log(total) - (Y * z).sum(axis=1)
        dz = (e / total[:, None] - Y) / len(X)
        dz1 = (dz @ W2) * (z1 > 0.0)
        grads = (dz1.T @ X, dz1.sum(0), dz.T @ h, dz.sum(0))
        if full_step:
            for p, g in zip(params, grads):
                p -= 0.1 * g
        return float(loss.mean())

    return step


def mlp784_traced(*, n: int = 1000, full_step: bool = False, rounds: int = 5, block_s: float = 0.5) -> dict:
    """MLP(784, [64, 10]), softmax cross-entropy, batch n, traced: the gradient (and the SGD step)."""
    step, trace_s = _mlp784_traced_step(n, full_step)
    return {"s_per_step": statistics.median(_per_call(step, rounds, block_s)), "trace_s": trace_s}


def mlp784_numpy(*, n: int = 1000, full_step: bool = False, rounds: int = 5, block_s: float = 0.5) -> dict:
    """The same by hand in numpy."""
    return {"s_per_step": statistics.median(_per_call(_mlp784_numpy_step(n, full_step), rounds, block_s))}


# ------------------------------------------------------------------------------------- side by side


def _alternate(name: str, traced: Step, numpy: Step, rounds: int, block_s: float) -> dict:
    """One block of each per round, in turn: ``<name>_traced_s``, ``<name>_numpy_s`` (medians),
    ``<name>_traced_over_numpy`` (the median of the per-round ratios) and the ratios."""
    a, b = [], []
    for _ in range(rounds):
        a += _per_call(traced, 1, block_s)
        b += _per_call(numpy, 1, block_s)
    ratios = [x / y for x, y in zip(a, b)]
    return {f"{name}_traced_s": statistics.median(a), f"{name}_numpy_s": statistics.median(b),
            f"{name}_traced_over_numpy": statistics.median(ratios), f"{name}_ratios": ratios}


def traced_vs_numpy(*, rounds: int = 7, block_s: float = 0.2, batch: int = 1000) -> dict:
    """moons_step and 784-64-10 (gradient, full step), traced and by hand, alternating; tracing cost."""
    X, y = moons_data()
    r = _alternate("moons", _moons_traced_step(X, y, moons_model())[0],
                   numpy_step(X, y, *_moons_arrays(moons_model())), rounds, block_s)
    for name, full_step in (("mlp784_grad", False), ("mlp784_step", True)):
        r.update(_alternate(name, _mlp784_traced_step(batch, full_step)[0], _mlp784_numpy_step(batch, full_step),
                            rounds, 2 * block_s))
    a = moons_step_traced(steps=6, rounds=1, block_s=0.01)["losses"]
    b = moons_step_numpy(steps=6, rounds=1, block_s=0.01)["losses"]
    return {**r, "trace_s": trace_cost()["trace_s"],
            "moons_losses_max_rel_diff": max(abs(p - q) / abs(q) for p, q in zip(a, b))}


# ------------------------------------------------------------------------------------- Karpathy's


_KARPATHY_STEP = r"""
import json, random, sys, time
from micrograd.engine import Value
from micrograd.nn import MLP
job = json.load(sys.stdin)
random.seed(job["seed"])
model = MLP(2, [16, 16, 1])
y = job["y"]
times, losses = [], []
for k in range(job["steps"]):
    t0 = time.perf_counter()
    X = [[Value(a) for a in row] for row in job["X"]]
    scores = [model(x) for x in X]
    data_loss = sum((1 + -yi * si).relu() for yi, si in zip(y, scores)) * (1.0 / len(y))
    loss = data_loss + job["alpha"] * sum(p * p for p in model.parameters())
    model.zero_grad()
    loss.backward()
    lr = 1.0 - 0.9 * (k % 100) / 100
    for p in model.parameters():
        p.data -= lr * p.grad
    times.append(time.perf_counter() - t0)
    losses.append(loss.data)
print(json.dumps({"times": times, "losses": losses}))
"""


def moons_step_karpathy(reference: Path, *, steps: int = 2, n: int = 100, seed: int = SEED) -> dict:
    """Karpathy's own demo step on the same points, in a process that imports his micrograd from ``reference``."""
    X, y = moons_data(n, seed)
    job = json.dumps({"X": X.tolist(), "y": y.tolist(), "seed": seed, "steps": steps, "alpha": ALPHA})
    env = {**os.environ, "PYTHONPATH": str(reference)}
    run = subprocess.run([sys.executable, "-c", _KARPATHY_STEP], input=job, capture_output=True, text=True,
                         env=env, cwd=str(reference), check=True)
    out = json.loads(run.stdout)
    return {"s_per_step": statistics.median(out["times"]), "losses": out["losses"]}


def traced_vs_karpathy(reference: Path, *, rounds: int = 3, block_s: float = 0.2) -> dict:
    """Karpathy's moons step against the traced one, alternating; and their first 6 losses."""
    X, y = moons_data()
    theirs, ours = [], []
    for _ in range(rounds):
        theirs.append(moons_step_karpathy(reference)["s_per_step"])
        ours += _per_call(_moons_traced_step(X, y, moons_model())[0], 1, block_s)
    a = moons_step_traced(steps=6, rounds=1, block_s=0.01)["losses"]
    b = moons_step_karpathy(reference, steps=6)["losses"]
    return {"karpathy_s": statistics.median(theirs), "traced_s": statistics.median(ours),
            "ratio": statistics.median(k / t for k, t in zip(theirs, ours)),
            "losses_max_rel_diff": max(abs(p - q) / abs(q) for p, q in zip(a, b))}


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7, help="alternating rounds (default: 7)")
    parser.add_argument("--block", type=float, default=0.2, help="seconds per timed block (default: 0.2)")
    parser.add_argument("--reference", type=Path, default=None, help="a folder holding Karpathy's micrograd")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of a table")
    args = parser.parse_args(argv)
    if args.reference is not None and not (args.reference / "micrograd" / "engine.py").is_file():
        parser.error(f"no micrograd/engine.py under {args.reference}: "
                     f"pip install --target {args.reference} micrograd==0.1.0")
    sys.path.insert(0, str(ROOT))  # this checkout's micrograd, whatever else is installed
    r = traced_vs_numpy(rounds=args.rounds, block_s=args.block)
    if args.reference is not None:
        r["moons_vs_karpathy"] = traced_vs_karpathy(args.reference, rounds=max(1, args.rounds // 2))
    if args.json:
        print(json.dumps(r))
        return 0
    print(f"{'workload':<42}{'traced':>10}{'numpy':>11}  traced/numpy")
    for key, label, unit, scale in (("moons", "moons_step (100 points, 337 params)", "us", 1e6),
                                    ("mlp784_grad", "784-64-10, batch 1000, forward+backward", "ms", 1e3),
                                    ("mlp784_step", "784-64-10, batch 1000, with SGD step", "ms", 1e3)):
        print(f"{label:<42}{r[key + '_traced_s'] * scale:>7.3g} {unit}{r[key + '_numpy_s'] * scale:>8.3g} {unit}"
              f"  {r[key + '_traced_over_numpy']:.2f}x  (rounds: {', '.join(f'{x:.2f}' for x in r[key + '_ratios'])})")
    print(f"tracing the moons model: {r['trace_s'] * 1e3:.1f} ms")
    print("moons losses over 6 steps, traced vs numpy: largest relative difference "
          f"{r['moons_losses_max_rel_diff']:.1e}")
    if "moons_vs_karpathy" in r:
        m = r["moons_vs_karpathy"]
        print(f"moons_step, Karpathy's micrograd {m['karpathy_s']:.3g} s vs traced {m['traced_s'] * 1e6:.3g} us: "
              f"traced is {m['ratio']:,.0f}x faster (median of {max(1, args.rounds // 2)} alternating rounds)")
        print(f"moons losses over 6 steps, traced vs Karpathy's: largest relative difference "
              f"{m['losses_max_rel_diff']:.1e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
