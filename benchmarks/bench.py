#!/usr/bin/env python3
"""Speed and memory of micrograd's eager engine, alone or side by side with Karpathy's micrograd.

Run from a checkout (after ``pip install -e ".[dev]"``)::

    python benchmarks/bench.py                  # our engine: every workload, medians of 3 runs
    python benchmarks/bench.py --compare        # side by side with micrograd==0.1.0 from PyPI
    python benchmarks/bench.py --compare --pairs 7 moons_step gender_train
    python benchmarks/bench.py --quick          # tiny sizes: checks that the script itself works
    python benchmarks/bench.py --profile moons_step   # where the time goes: cProfile + gc time
    python benchmarks/bench.py --list           # the workloads and what they measure

How it measures
    * Every run is a fresh Python process (``--child``) that imports exactly one engine. Both
      packages are called ``micrograd``, so they can never share a process: the child puts the
      engine's folder first on ``sys.path`` and checks which ``micrograd`` it really imported.
      "ours" is the checkout this script lives in, whatever else is installed.
    * ``--compare`` alternates the two engines in separate processes (Karpathy's then ours, then
      ours then Karpathy's, ...), prints the ratio of every pair and summarises each workload
      by the median of those ratios, which a busy machine disturbs far less than one long run.
    * Karpathy's package is installed by this script with ``pip install --target`` into a cache
      folder (``--karpathy-dir``; default ``$MICROGRAD_BENCH_CACHE`` or
      ``~/.cache/micrograd-bench``), never into the project's environment.
    * Timings run with Python's default garbage-collector settings: that is what users get.
    * Same numbers out: with the same data and initial weights, our loss over 10 moons steps
      must equal Karpathy's, and the hand-written numpy step's, to 1e-12.

Adding a workload (for example a traced-mode one)
    1. Write ``def my_workload(engine: Engine, *, n: int = ...) -> dict``. Build and time with
       ``engine.Value`` / ``engine.MLP`` (``engine.name`` says which engine this is; code for a
       feature only ours has can ``import micrograd.<module>`` directly). Return the figures
       as a dict of numbers (seconds, bytes, ...); raise `WorkloadFailed` when the engine
       cannot do it (Karpathy's recursive backward does this on deep graphs).
    2. Add a `Workload` to ``WORKLOADS``: the headline figure's key and how to print it, the
       sizes for a full and a ``--quick`` run, the engines it runs on (``OURS_ONLY`` for a
       feature Karpathy's package lacks) and, if there is one, its target.
    Child processes, pairing, ratios, the summary table and ``--json`` then work unchanged.

Exit status: 0 when every run of our engine worked and every same-numbers check held (a
missed speed target is reported, not an error), 1 otherwise, 2 for a usage error or when
Karpathy's package cannot be installed.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent  # the checkout: "ours" is imported from here
if str(ROOT / "benchmarks") not in sys.path:  # when this file is loaded by path, not run
    sys.path.insert(0, str(ROOT / "benchmarks"))
# The moons step's L2 strength, learning rate and numpy backprop, shared with the traced workloads.
# trace_workloads imports micrograd only inside its functions, so either engine can be loaded after it.
import trace_workloads  # noqa: E402
from trace_workloads import ALPHA, learning_rate, numpy_step  # noqa: E402

KARPATHY = "micrograd==0.1.0"
BOTH = ("karpathy", "ours")
OURS_ONLY = ("ours",)
NUMPY_ONLY = ("numpy",)
SAME_NUMBERS_TOL = 1e-12  # "same numbers out"; sums added in another order differ by ~1e-16
perf = time.perf_counter


class WorkloadFailed(Exception):
    """The engine could not run the workload (reported in the table, not a crash of the script)."""


@dataclass
class Engine:
    """What a workload gets to work with: the engine's name and its public classes."""

    name: str  # "ours", "karpathy" or "numpy" (a workload that needs no micrograd)
    Value: Any = None
    MLP: Any = None


# ---------------------------------------------------------------------------------- data


def moons_data(n: int = 100, noise: float = 0.1, seed: int = 1337) -> tuple[list[list[float]], list[float]]:
    """Two interleaving half circles, labels -1 (outer) / +1 (inner), shuffled: plain lists.

    Generated here (not with micrograd.datasets) so that both engines get the very same
    points: Karpathy's package has no datasets module.
    """
    rng = random.Random(seed)
    half = n // 2
    points = []
    for i in range(n):
        outer = i < half
        j, m = (i, half) if outer else (i - half, n - half)
        t = math.pi * j / max(m - 1, 1)
        x, y = (math.cos(t), math.sin(t)) if outer else (1.0 - math.cos(t), 0.5 - math.sin(t))
        points.append(([x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise)], -1.0 if outer else 1.0))
    rng.shuffle(points)
    return [p for p, _ in points], [label for _, label in points]


MOONS_SIZES = [16, 16, 1]  # MLP(2, [16, 16, 1]), as in Karpathy's demo


def initial_weights(seed: int = 1337, nin: int = 2, sizes: list[int] = MOONS_SIZES) -> list[list[list[float]]]:
    """Weights in Karpathy's initialisation order, per layer ``[neuron][input]`` (biases start at 0)."""
    rng = random.Random(seed)
    dims = [nin, *sizes]
    return [[[rng.uniform(-1.0, 1.0) for _ in range(dims[i])] for _ in range(dims[i + 1])] for i in range(len(sizes))]


def flat_parameters(weights: list[list[list[float]]]) -> list[float]:
    """The same weights in ``parameters()`` order: neuron by neuron, its weights then its bias (0)."""
    return [v for layer in weights for row in layer for v in (*row, 0.0)]


def count_nodes(root: Any) -> int:
    """Values reachable from root through ``_prev`` (a tuple in ours, a set in Karpathy's)."""
    seen = {id(root)}
    stack = [root]
    while stack:
        for child in stack.pop()._prev:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return len(seen)


# ---------------------------------------------------------------------------------- workloads


def moons_loss(Value: Any, model: Any, X: list[list[float]], y: list[float]) -> Any:
    """The demo notebook's loss, written as there: mean hinge loss + L2, with builtin ``sum``."""
    inputs = [list(map(Value, row)) for row in X]
    scores = list(map(model, inputs))
    hinge = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    data_loss = sum(hinge) * (1.0 / len(hinge))
    reg_loss = ALPHA * sum(p * p for p in model.parameters())
    return data_loss + reg_loss


def moons_step(engine: Engine, *, n: int = 100, steps: int = 10, seed: int = 1337) -> dict:
    """Karpathy's demo step: forward over n points, hinge + L2 loss, backward, SGD.

    Both engines build their graphs from the same code (`moons_loss`), from the same data and
    initial weights; step 0 is a warm-up and not timed.
    """
    Value = engine.Value
    X, y = moons_data(n, seed=seed)
    model = engine.MLP(2, MOONS_SIZES)
    params = model.parameters()
    init = flat_parameters(initial_weights(seed))
    if len(params) != len(init):
        raise WorkloadFailed(f"MLP(2, {MOONS_SIZES}) has {len(params)} parameters, expected {len(init)}")
    for p, v in zip(params, init):
        p.data = v
    losses, fwd, bwd, upd, nodes = [], [], [], [], None
    for k in range(steps):
        t0 = perf()
        total = moons_loss(Value, model, X, y)
        t1 = perf()
        model.zero_grad()
        total.backward()
        t2 = perf()
        lr = learning_rate(k)
        for p in params:
            p.data -= lr * p.grad
        t3 = perf()
        losses.append(float(total.data))
        if k == 0:
            nodes = count_nodes(total)
        fwd.append(t1 - t0)
        bwd.append(t2 - t1)
        upd.append(t3 - t2)
    timed = slice(1, None) if steps > 1 else slice(None)  # step 0 warms up
    f, b, u = statistics.median(fwd[timed]), statistics.median(bwd[timed]), statistics.median(upd[timed])
    step_times = [x + y_ + z for x, y_, z in zip(fwd, bwd, upd)][timed]
    return {"s_per_step": statistics.median(step_times), "fwd_s": f, "bwd_s": b, "update_s": u,
            "nodes_per_step": nodes, "losses": losses}


GENDER = [([-2.0, -1.0], 1.0), ([25.0, 6.0], 0.0), ([17.0, 4.0], 0.0), ([-15.0, -6.0], 1.0)]


def _gender_network(sigmoid: Callable[[Any], Any], w: list[Any], b: list[Any]) -> Callable[[float, float], Any]:
    """The tutorial's 2-2-1 network: h1 uses w1, w2, b1; h2 uses w3, w4, b2; o1 uses w5, w6, b3."""

    def forward(x1: float, x2: float) -> Any:
        h1 = sigmoid(w[0] * x1 + w[1] * x2 + b[0])
        h2 = sigmoid(w[2] * x1 + w[3] * x2 + b[1])
        return sigmoid(w[4] * h1 + w[5] * h2 + b[2])

    return forward


def _gender(engine: Engine, sigmoid: Callable[[Any], Any], epochs: int, rounds: int, seed: int, lr: float) -> dict:
    """Train the tutorial's 2-2-1 network, built by hand from 9 Values, ``rounds`` times from the same start."""
    Value = engine.Value
    totals, epochs_s, final = [], [], None
    for _ in range(rounds):
        rng = random.Random(seed)
        w = [Value(rng.gauss(0.0, 1.0)) for _ in range(6)]
        b = [Value(rng.gauss(0.0, 1.0)) for _ in range(3)]
        params = w + b
        forward = _gender_network(sigmoid, w, b)
        start = perf()
        for _ in range(epochs):
            t0 = perf()
            for (x1, x2), target in GENDER:
                loss = (forward(x1, x2) - target) ** 2
                for p in params:
                    p.grad = 0.0
                loss.backward()
                for p in params:
                    p.data -= lr * p.grad
            epochs_s.append(perf() - t0)
        totals.append(perf() - start)
        final = statistics.fmean((forward(x1, x2).data - t) ** 2 for (x1, x2), t in GENDER)
    # The headline is the total time over the epochs, not the median epoch: Karpathy's engine
    # leaves reference cycles whose collection lands in some epochs only, and that is part of
    # its cost. The median epoch, which leaves those epochs out, is reported beside it.
    return {"s_per_epoch": statistics.median(totals) / epochs, "median_epoch_s": statistics.median(epochs_s),
            "final_loss": final}


def _softsign(x: Any) -> Any:
    """Sigmoid-shaped 0.5 + 0.5 x / (1 + |x|), from + * / relu only (Karpathy's Value has no exp)."""
    a = x.relu() + (-x).relu()
    return 0.5 + 0.5 * x / (1 + a)


def gender_train(engine: Engine, *, epochs: int = 100, rounds: int = 5, seed: int = 42, lr: float = 0.1) -> dict:
    """Per-sample SGD on the gender tutorial's data, a sigmoid-shaped activation both engines can build."""
    return _gender(engine, _softsign, epochs, rounds, seed, lr)


def gender_train_sigmoid(engine: Engine, *, epochs: int = 100, rounds: int = 5, seed: int = 42,
                         lr: float = 0.1) -> dict:
    """The same training written as a user of our engine would: the exact ``sigmoid()``, one node."""
    return _gender(engine, lambda x: x.sigmoid(), epochs, rounds, seed, lr)


def _run_phase(phase: str, fn: Callable[[], Any]) -> tuple[Any, float]:
    """Time fn(); an exception becomes WorkloadFailed naming the phase."""
    t0 = perf()
    try:
        out = fn()
    except (RecursionError, MemoryError) as e:
        raise WorkloadFailed(f"{type(e).__name__} in {phase}: {e}") from None
    return out, perf() - t0


def wide_sum(engine: Engine, *, n: int = 100_000, seed: int = 0) -> dict:
    """``sum()`` of n products of leaves (a left-deep chain of n adds), then backward."""
    Value = engine.Value
    rng = random.Random(seed)
    a = [Value(rng.uniform(-1.0, 1.0)) for _ in range(n)]
    b = [Value(rng.uniform(-1.0, 1.0)) for _ in range(n)]
    total, fwd = _run_phase("forward", lambda: sum(x * y for x, y in zip(a, b)))
    _, bwd = _run_phase("backward", total.backward)
    for i in range(0, n, max(1, n // 10)):
        if a[i].grad != b[i].data:  # d(total)/d(a_i) = b_i exactly: every other local is 1.0
            raise WorkloadFailed(f"wrong gradient: a[{i}].grad = {a[i].grad}, expected {b[i].data}")
    ops = 2 * n  # the interior nodes of our graph (Karpathy's adds one for the 0 that sum() starts from)
    return {"fwd_s": fwd, "bwd_s": bwd, "ops": ops, "fwd_s_per_node": fwd / ops, "bwd_s_per_node": bwd / ops}


def deep_chain(engine: Engine, *, n: int = 1_000_000) -> dict:
    """``x = x*1.0001 + 0.001`` n times from one leaf (a path 2n nodes deep), then backward."""
    leaf = engine.Value(1.0)

    def forward() -> Any:
        x = leaf
        for _ in range(n):
            x = x * 1.0001 + 0.001
        return x

    x, fwd = _run_phase("forward", forward)
    _, bwd = _run_phase("backward", x.backward)
    expected = 1.0001**n
    if not abs(leaf.grad - expected) <= 1e-9 * expected:  # n roundings of ~1e-16 each
        raise WorkloadFailed(f"wrong gradient: {leaf.grad}, expected {expected}")
    ops = 2 * n  # our nodes; Karpathy's engine also makes a node of each constant
    return {"fwd_s": fwd, "bwd_s": bwd, "ops": ops, "fwd_s_per_node": fwd / ops, "bwd_s_per_node": bwd / ops,
            "total_s_per_node": (fwd + bwd) / ops}


def memory_per_node(engine: Engine, *, n: int = 100_000, seed: int = 0) -> dict:
    """Peak bytes (tracemalloc) to build an n-node graph: ``sum()`` of n/2 products, and a chain.

    The leaves exist before tracing starts, so only the graph is counted. The sum graph has
    the same number of nodes in both engines (one per op); in the chain ``x*c + d`` Karpathy's
    engine makes two more nodes per step for the constants, so it is reported per op.
    """
    Value = engine.Value
    rng = random.Random(seed)
    a = [Value(rng.uniform(-1.0, 1.0)) for _ in range(n // 2)]
    b = [Value(rng.uniform(-1.0, 1.0)) for _ in range(n // 2)]
    start = Value(1.0)
    out: dict[str, float] = {}

    def peak(build: Callable[[], Any]) -> tuple[Any, int]:
        gc.collect()
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        root = build()
        top = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return root, top - base

    total, sum_peak = peak(lambda: sum(x * y for x, y in zip(a, b)))
    sum_nodes = count_nodes(total) - len(a) - len(b)  # interior nodes (and Karpathy's 0 node)
    out.update(sum_nodes=sum_nodes, sum_peak_bytes=sum_peak, sum_bytes_per_node=sum_peak / sum_nodes)
    del total

    def chain() -> Any:
        x = start
        for _ in range(n // 2):
            x = x * 1.0001 + 0.001
        return x

    x, chain_peak = peak(chain)
    out.update(chain_ops=2 * (n // 2), chain_nodes=count_nodes(x) - 1, chain_bytes_per_op=chain_peak / (2 * (n // 2)))
    return out


def numpy_moons_step(engine: Engine, *, n: int = 100, steps: int = 10, seed: int = 1337, repeat: int = 2000) -> dict:
    """The moons step as batched numpy with hand-written backprop: the floor for any scalar engine."""
    import numpy as np

    X_list, y_list = moons_data(n, seed=seed)
    X, y = np.array(X_list), np.array(y_list)
    start = initial_weights(seed)

    def fresh() -> tuple[list[Any], list[Any]]:
        return [np.array(W).T.copy() for W in start], [np.zeros(len(W)) for W in start]  # W as (nin, nout)

    step = numpy_step(X, y, *fresh())
    losses = [step() for _ in range(steps)]
    step = numpy_step(X, y, *fresh())
    times = []
    for _ in range(repeat):
        t0 = perf()
        step()
        times.append(perf() - t0)
    return {"s_per_step": statistics.median(times), "losses": losses}


# ---------------------------------------------------------------------------------- traced (micrograd.trace)


def moons_step_traced(engine: Engine, *, n: int = 100, steps: int = 10, seed: int = 1337, rounds: int = 5,
                      block_s: float = 0.2) -> dict:
    """Karpathy's demo step; ours traced once (micrograd.trace) and run on the whole batch with numpy."""
    if engine.name == "karpathy":  # his engine has no tracer: the pair compares his eager step with our traced one
        return moons_step(engine, n=n, steps=steps, seed=seed)
    X, y = moons_data(n, seed=seed)
    return trace_workloads.moons_step_traced(data=(X, y), init=flat_parameters(initial_weights(seed)),
                                             steps=steps, rounds=rounds, block_s=block_s)


def traced_vs_numpy(engine: Engine, *, rounds: int = 7, block_s: float = 0.2, batch: int = 1000) -> dict:
    """micrograd.trace against numpy by hand, alternating in one process: moons step, 784-64-10."""
    return trace_workloads.traced_vs_numpy(rounds=rounds, block_s=block_s, batch=batch)


# ---------------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class Workload:
    """One benchmark: how to run it, what to report, and the target it is held to."""

    run: Callable[..., dict]
    headline: str  # the key of the figure compared between engines
    label: str  # what the headline figure is, for the table
    unit: str  # "s" (printed as s/ms/us) or "B"
    size: dict = field(default_factory=dict)  # keyword arguments of a full run
    quick: dict = field(default_factory=dict)  # ... of a --quick run
    engines: tuple[str, ...] = BOTH
    reference_size: dict | None = None  # a different size for Karpathy's engine, when it differs
    recursion_limit: int | None = None  # sys.setrecursionlimit in every process of this workload
    deterministic: bool = False  # the same figure every run (memory): run once per engine
    details: tuple[str, ...] = ()  # further figures printed under each run
    target: str = ""  # the goal, in words
    meets: Callable[[dict, float | None], bool] | None = None  # (our medians, median ratio) -> met?
    target_is_ratio: bool = False  # the target compares with Karpathy's engine: needs --compare


WORKLOADS: dict[str, Workload] = {
    "moons_step": Workload(
        moons_step, "s_per_step", "time per step", "s",
        size={"n": 100, "steps": 10}, quick={"n": 20, "steps": 3},
        details=("fwd_s", "bwd_s", "update_s", "nodes_per_step"),
        target=">= 25x faster", meets=lambda ours, ratio: ratio >= 25, target_is_ratio=True),
    "gender_train": Workload(
        gender_train, "s_per_epoch", "time per epoch", "s",
        size={"epochs": 100, "rounds": 5}, quick={"epochs": 3, "rounds": 1},
        details=("median_epoch_s", "final_loss"),
        target=">= 3x faster", meets=lambda ours, ratio: ratio >= 3, target_is_ratio=True),
    "gender_train_sigmoid": Workload(
        gender_train_sigmoid, "s_per_epoch", "time per epoch, sigmoid() nodes", "s",
        size={"epochs": 100, "rounds": 5}, quick={"epochs": 3, "rounds": 1},
        engines=OURS_ONLY, details=("median_epoch_s", "final_loss")),
    "wide_sum": Workload(
        wide_sum, "bwd_s_per_node", "backward per node", "s",
        size={"n": 100_000}, quick={"n": 300}, details=("fwd_s_per_node", "bwd_s"),
        target="works, <= 1 us per node backward", meets=lambda ours, ratio: ours["bwd_s_per_node"] <= 1e-6),
    "wide_sum_raised_limit": Workload(
        wide_sum, "bwd_s_per_node", "backward per node, recursion limit 10**7", "s",
        size={"n": 100_000}, quick={"n": 300}, recursion_limit=10**7, details=("fwd_s_per_node", "bwd_s")),
    "deep_chain": Workload(
        deep_chain, "total_s_per_node", "forward+backward per node", "s",
        size={"n": 1_000_000}, quick={"n": 300}, reference_size={"n": 1_000},
        details=("fwd_s_per_node", "bwd_s_per_node"),
        target="works, <= 2 us per node forward+backward",
        meets=lambda ours, ratio: ours["total_s_per_node"] <= 2e-6),
    "deep_chain_raised_limit": Workload(
        deep_chain, "total_s_per_node", "forward+backward per node, recursion limit 10**7", "s",
        size={"n": 100_000}, quick={"n": 300}, recursion_limit=10**7,
        details=("fwd_s_per_node", "bwd_s_per_node")),
    "memory_per_node": Workload(
        memory_per_node, "sum_bytes_per_node", "peak bytes per node (sum() graph)", "B",
        size={"n": 100_000}, quick={"n": 2_000}, deterministic=True, details=("chain_bytes_per_op",),
        target="<= 1/3 of Karpathy's", meets=lambda ours, ratio: ratio >= 3, target_is_ratio=True),
    "moons_step_traced": Workload(
        moons_step_traced, "s_per_step", "time per step; ours traced once (micrograd.trace)", "s",
        size={"n": 100, "steps": 10}, quick={"n": 20, "steps": 3, "rounds": 1, "block_s": 0.01},
        details=("trace_s",),
        target=">= 1000x faster", meets=lambda ours, ratio: ratio >= 1000, target_is_ratio=True),
    "traced_vs_numpy": Workload(
        traced_vs_numpy, "moons_traced_s", "traced moons step; vs numpy by hand, and 784-64-10 batch 1000", "s",
        size={"rounds": 7}, quick={"rounds": 1, "block_s": 0.01, "batch": 20}, engines=OURS_ONLY,
        details=("moons_numpy_s", "moons_traced_over_numpy", "mlp784_grad_traced_s", "mlp784_grad_numpy_s",
                 "mlp784_grad_traced_over_numpy", "mlp784_step_traced_over_numpy", "trace_s"),
        target="moons <= 5x numpy, 784-64-10 <= 3x numpy, tracing < 1 s",
        meets=lambda ours, ratio: (ours["moons_traced_over_numpy"] <= 5
                                   and ours["mlp784_grad_traced_over_numpy"] <= 3 and ours["trace_s"] < 1)),
    "numpy_moons_step": Workload(
        numpy_moons_step, "s_per_step", "time per step, batched numpy (the floor)", "s",
        size={"n": 100, "steps": 10, "repeat": 2000}, quick={"n": 20, "steps": 3, "repeat": 20},
        engines=NUMPY_ONLY),
}


# ---------------------------------------------------------------------------------- child process


def load_engine(name: str, path: str | None) -> Engine:
    """Import the engine ``name`` from folder ``path`` and make sure that is the one imported."""
    if name == "numpy":
        return Engine(name)
    assert path is not None
    sys.path.insert(0, path)
    import micrograd
    from micrograd.engine import Value
    from micrograd.nn import MLP

    found = Path(micrograd.__file__).resolve().parent.parent
    if found != Path(path).resolve():
        raise SystemExit(f"asked for the micrograd in {path} but imported {micrograd.__file__}; "
                         "is another micrograd installed with an import hook? Use a clean environment")
    return Engine(name, Value, MLP)


def child_main(workload: str, engine_name: str, engine_path: str | None, size: dict) -> int:
    """Run one workload once in this process and print its result as one JSON line."""
    w = WORKLOADS[workload]
    if w.recursion_limit:
        sys.setrecursionlimit(w.recursion_limit)
    engine = load_engine(engine_name, engine_path)
    try:
        result = {"status": "ok", **w.run(engine, **size)}
    except WorkloadFailed as e:
        result = {"status": "failed", "error": str(e)}
    print(json.dumps(result), flush=True)
    return 0


def run_child(workload: str, engine: str, engine_path: Path | None, size: dict, timeout: float) -> dict:
    """Run one workload in a fresh interpreter; a crash or timeout becomes a 'failed' result."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", workload, "--engine", engine,
           "--size", json.dumps(size)]
    if engine_path is not None:
        cmd += ["--engine-path", str(engine_path)]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"status": "failed", "error": f"no result within {timeout:.0f} s"}
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        return {"status": "failed", "error": f"process exited with status {proc.returncode}: {tail[:300]}"}
    return json.loads(lines[-1])


# ---------------------------------------------------------------------------------- parent


def default_cache() -> Path:
    """Where Karpathy's package is installed: $MICROGRAD_BENCH_CACHE, else the user's cache folder."""
    if os.environ.get("MICROGRAD_BENCH_CACHE"):
        return Path(os.environ["MICROGRAD_BENCH_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "micrograd-bench"


def ensure_karpathy(cache: Path) -> Path:
    """Folder holding Karpathy's micrograd 0.1.0, installed there with ``pip --target`` if needed."""
    target = cache / "micrograd-0.1.0"
    if not (target / "micrograd" / "engine.py").is_file():
        print(f"installing {KARPATHY} into {target} (pip install --target; this environment is untouched)",
              flush=True)
        cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), KARPATHY]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0 or not (target / "micrograd" / "engine.py").is_file():
            print(f"could not install {KARPATHY} into {target}:\n{proc.stderr.strip()[-800:]}\n"
                  f"install it yourself with: {' '.join(cmd)}", file=sys.stderr)
            raise SystemExit(2)
    return target


def fmt(value: float | None, unit: str) -> str:
    """Seconds as s / ms / us, bytes as B."""
    if value is None:
        return "-"
    if unit == "B":
        return f"{value:,.0f} B"
    if value >= 0.9995:  # what would round to "1e+03 ms" is "1 s"
        return f"{value:.3g} s"
    if value >= 0.9995e-3:
        return f"{value * 1e3:.3g} ms"
    return f"{value * 1e6:.3g} us"


def fmt_detail(key: str, value: Any) -> str:
    """One secondary figure of a run, e.g. 'bwd_s 6.2 ms'."""
    if isinstance(value, float) and (key.endswith("_s") or "_s_per_" in key):
        return f"{key} {fmt(value, 's')}"
    if isinstance(value, float):
        return f"{key} {value:.6g}"
    return f"{key} {value:,}" if isinstance(value, int) else f"{key} {value}"


def first_line(doc: str | None) -> str:
    """A docstring's summary line, without reST markup."""
    return (doc or "").strip().splitlines()[0].replace("``", "").replace("`", "")


def sizes(size: dict) -> str:
    return ", ".join(f"{k}={v:,}" for k, v in size.items())


def short_error(result: dict) -> str:
    """'RecursionError in backward' out of 'RecursionError in backward: maximum recursion depth ...'."""
    return result["error"].split(":")[0]


def describe(result: dict, w: Workload) -> str:
    if result["status"] != "ok":
        return f"failed: {result['error']}"
    extra = ", ".join(fmt_detail(k, result[k]) for k in w.details if result.get(k) is not None)
    return fmt(result[w.headline], w.unit) + (f" ({extra})" if extra else "")


@dataclass
class Row:
    """Everything measured for one workload."""

    name: str
    runs: dict[str, list[dict]] = field(default_factory=dict)  # engine -> results
    ratios: list[float] = field(default_factory=list)  # Karpathy's / ours, one per pair
    checks: list[tuple[str, bool]] = field(default_factory=list)  # (what, held)

    def ok_runs(self, engine: str) -> list[dict]:
        return [r for r in self.runs.get(engine, []) if r["status"] == "ok"]

    def median(self, engine: str, key: str) -> float | None:
        vals = [r[key] for r in self.ok_runs(engine) if r.get(key) is not None]
        return statistics.median(vals) if vals else None


def measure(name: str, pairs: int, quick: bool, karpathy: Path | None, timeout: float) -> Row:
    """Run one workload: alternating pairs when both engines take part, else repeated runs."""
    w = WORKLOADS[name]
    size = w.quick if quick else w.size
    engines = [e for e in w.engines if e != "karpathy" or karpathy is not None]
    paths = {"ours": ROOT, "karpathy": karpathy, "numpy": None}
    row = Row(name)
    rounds = 1 if w.deterministic else pairs
    print(f"\n{name} ({sizes(size)}): {first_line(w.run.__doc__)}", flush=True)
    for i in range(rounds):
        order = engines if i % 2 == 0 else engines[::-1]  # A B, B A, ...: drift hits both
        results = {}
        for e in order:
            if e == "karpathy" and row.runs.get(e) and not row.ok_runs(e):
                continue  # it failed already; the same size fails again
            e_size = (w.reference_size or size) if e == "karpathy" and not quick else size
            results[e] = run_child(name, e, paths[e], e_size, timeout)
            row.runs.setdefault(e, []).append(results[e])
        parts = [f"{e} {describe(results[e], w)}" for e in engines if e in results]
        line = f"  run {i + 1}/{rounds}: " + " | ".join(parts)
        k, o = results.get("karpathy"), results.get("ours")
        if k and o and k["status"] == "ok" and o["status"] == "ok" and o[w.headline]:
            row.ratios.append(k[w.headline] / o[w.headline])
            line += f" | ratio {row.ratios[-1]:.3g}x"
        print(line, flush=True)
    return row


def same_numbers_checks(rows: dict[str, Row]) -> None:
    """Our moons losses against Karpathy's and the numpy floor's (first runs, same data and weights)."""
    moons = rows.get("moons_step")
    if moons is None or not moons.ok_runs("ours"):
        return
    ours = moons.ok_runs("ours")[0]["losses"]
    others = [("Karpathy's", moons.ok_runs("karpathy"))]
    if "numpy_moons_step" in rows:
        others.append(("the numpy floor's", rows["numpy_moons_step"].ok_runs("numpy")))
    for who, runs in others:
        if not runs:
            continue
        theirs = runs[0]["losses"]
        diff = max(abs(a - b) for a, b in zip(ours, theirs))
        held = len(ours) == len(theirs) and diff <= SAME_NUMBERS_TOL
        moons.checks.append((f"moons losses over {len(ours)} steps equal {who} to {SAME_NUMBERS_TOL:g}: "
                             f"largest difference {diff:.2g} (ours end at {ours[-1]:.12f})", held))
    traced = rows.get("moons_step_traced")
    if traced and traced.ok_runs("ours") and traced.ok_runs("karpathy"):
        a, b = traced.ok_runs("ours")[0]["losses"], traced.ok_runs("karpathy")[0]["losses"]
        diff = max(abs(x - y) for x, y in zip(a, b))
        traced.checks.append((f"traced moons losses over {len(a)} steps equal Karpathy's to {SAME_NUMBERS_TOL:g}: "
                              f"largest difference {diff:.2g}", len(a) == len(b) and diff <= SAME_NUMBERS_TOL))
    gender = rows.get("gender_train")
    if gender and gender.ok_runs("ours") and gender.ok_runs("karpathy"):
        a, b = gender.ok_runs("ours")[0]["final_loss"], gender.ok_runs("karpathy")[0]["final_loss"]
        gender.checks.append((f"gender final loss after training equals Karpathy's to {SAME_NUMBERS_TOL:g}: "
                              f"difference {abs(a - b):.2g} (ours {a:.12f})", abs(a - b) <= SAME_NUMBERS_TOL))


def summary(rows: dict[str, Row], compare: bool, quick: bool) -> tuple[str, bool]:
    """The markdown table of medians, and whether every run of ours worked and every check held."""
    good = True
    lines = ["| workload | figure | ours | Karpathy's 0.1.0 | ratio (median of pairs) | target | met |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for name, row in rows.items():
        w = WORKLOADS[name]
        main = "numpy" if w.engines == NUMPY_ONLY else "ours"
        ours = row.median(main, w.headline)
        if row.runs.get(main) and not row.ok_runs(main):
            good = False
        if "karpathy" in row.runs:
            k_runs = row.ok_runs("karpathy")
            at = f" at {sizes(w.reference_size)}" if w.reference_size and not quick else ""
            kcol = fmt(row.median("karpathy", w.headline), w.unit) if k_runs else \
                f"fails{at}: {short_error(row.runs['karpathy'][0])}"
        else:
            kcol = "not run" if compare and "karpathy" in w.engines else "-"
        ratio = statistics.median(row.ratios) if row.ratios else None
        if ratio is not None:
            rcol = f"{ratio:.3g}x " + ("less" if w.unit == "B" else "faster")
        else:
            rcol = "-"
        met = "-"
        if w.meets and quick:
            met = "n/a (--quick)"  # the targets are for the full sizes
        elif w.meets and not row.ok_runs("ours"):
            met = "**no**"
        elif w.meets and w.target_is_ratio and ratio is None:
            met = "needs --compare"
        elif w.meets:
            first = row.ok_runs("ours")[0]
            medians = {k: row.median("ours", k) for k, v in first.items() if isinstance(v, (int, float))}
            met = "yes" if w.meets(medians, ratio) else "**no**"
        size = sizes(w.quick if quick else w.size)
        lines.append(f"| {name} ({size}) | {w.label} | {fmt(ours, w.unit)} | {kcol} | {rcol} | {w.target or '-'} "
                     f"| {met} |")
    return "\n".join(lines), good


def profile(name: str, quick: bool, top: int = 12) -> None:
    """Where the time goes: one run of a workload on our engine under cProfile, plus the time
    the cyclic garbage collector took, by generation (measured with ``gc.callbacks``)."""
    import cProfile
    import pstats

    w = WORKLOADS[name]
    engine = load_engine("ours", str(ROOT)) if "ours" in w.engines else Engine("numpy")
    gc_time = {0: [0, 0.0], 1: [0, 0.0], 2: [0, 0.0]}  # generation -> [collections, seconds]
    started = [0.0]

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            started[0] = perf()
        else:
            gc_time[info["generation"]][0] += 1
            gc_time[info["generation"]][1] += perf() - started[0]

    size = w.quick if quick else w.size
    t0 = perf()
    gc.callbacks.append(on_gc)
    try:
        w.run(engine, **size)
    finally:
        gc.callbacks.remove(on_gc)
    wall = perf() - t0
    print(f"{name} ({sizes(size)}) without the profiler: {wall:.3g} s, of which the garbage collector "
          + ", ".join(f"gen{g} {n} collections {s:.3g} s" for g, (n, s) in gc_time.items()))
    prof = cProfile.Profile()
    prof.runcall(w.run, engine, **size)
    print("\nunder cProfile (its overhead inflates small functions):")
    pstats.Stats(prof, stream=sys.stdout).strip_dirs().sort_stats("tottime").print_stats(top)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
            f"{platform.python_implementation()} {platform.python_version()}, load average {load}")


def git_commit() -> str:
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "micrograd"], capture_output=True,
                               text=True).stdout.strip()
        return out.stdout.strip() + (" + uncommitted changes" if dirty else "") if out.returncode == 0 else "?"
    except OSError:
        return "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="workloads: " + ", ".join(WORKLOADS),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workloads", nargs="*", help="which workloads to run (default: all)")
    parser.add_argument("--compare", action="store_true", help="also run Karpathy's micrograd 0.1.0, alternating")
    parser.add_argument("--pairs", type=int, default=None,
                        help="runs per engine (default: 5 with --compare, 3 without, 1 with --quick)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, to check that the script works")
    parser.add_argument("--karpathy-dir", type=Path, default=None,
                        help="cache folder for Karpathy's package (default: $MICROGRAD_BENCH_CACHE or "
                             "~/.cache/micrograd-bench)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds allowed per run")
    parser.add_argument("--json", type=Path, default=None, help="also write every result to this file")
    parser.add_argument("--list", action="store_true", help="list the workloads and exit")
    parser.add_argument("--profile", action="store_true",
                        help="profile the named workloads on our engine, in this process, instead of timing them")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--engine-path", help=argparse.SUPPRESS)
    parser.add_argument("--size", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        return child_main(args.child, args.engine, args.engine_path, json.loads(args.size))
    if args.list:
        for name, w in WORKLOADS.items():
            print(f"{name:24} {', '.join(w.engines):15} {first_line(w.run.__doc__)}")
        return 0
    unknown = [n for n in args.workloads if n not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload(s) {', '.join(unknown)}; choose from {', '.join(WORKLOADS)}")
    names = args.workloads or list(WORKLOADS)
    if args.profile:
        for name in names:
            profile(name, args.quick)
        return 0
    pairs = args.pairs or (1 if args.quick else 5 if args.compare else 3)
    if pairs < 1:
        parser.error("--pairs must be at least 1")
    karpathy = ensure_karpathy(args.karpathy_dir or default_cache()) if args.compare else None

    print(f"ours: {ROOT} (git {git_commit()})")
    if karpathy:
        print(f"Karpathy's: {KARPATHY} in {karpathy}")
    print(f"machine: {machine()}")
    rows = {name: measure(name, pairs, args.quick, karpathy, args.timeout) for name in names}
    same_numbers_checks(rows)
    table, good = summary(rows, args.compare, args.quick)
    print("\nSummary (medians; ratio = median over pairs of Karpathy's time / ours, or bytes)\n")
    print(table)
    checks = [c for row in rows.values() for c in row.checks]
    if checks:
        print("\nSame numbers out")
    for what, held in checks:
        print(f"  {'ok  ' if held else 'FAIL'} {what}")
        good = good and held
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "commit": git_commit(), "pairs": pairs,
                                         "quick": args.quick, "rows": {n: r.__dict__ for n, r in rows.items()}},
                                        indent=1))
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
