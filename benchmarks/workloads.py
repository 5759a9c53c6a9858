"""The benchmark's workloads, the data they share, and the registry `WORKLOADS` that `bench.py` runs.

Every workload is a function ``workload(engine, **size) -> dict`` run once per process
by ``bench.py``: eager steps and graphs both engines can build (``moons_step``,
``gender_train``, ``wide_sum``, ``deep_chain``, ``memory_per_node``), the traced engine
(``moons_step_traced``, ``traced_vs_numpy`` with the cost of tracing and a 784-64-10
network; ``traced_training`` and ``trace_scaling``, which state their goals, see
`Workload.goals`) and numpy by hand (``numpy_moons_step``).

Nothing here imports numpy or micrograd when the module is imported. Karpathy's engine
runs in a process of its own, which imports this module and then his ``micrograd``: ours
cannot be imported there (both packages are called ``micrograd``), and numpy must not
be, because a larger heap slows his garbage collector and would flatter our ratio.
So the data are plain lists (`moons_data`, `initial_weights`), workloads that need
arrays import numpy inside and convert, and nodes are counted with ``micrograd/graph.py``
loaded by its file path, which works on either engine's graphs.

Adding a workload
    1. Write ``def my_workload(engine: Engine, *, n: int = ...) -> Figures`` here. Build
       with ``engine.Value`` / ``engine.MLP`` (``engine.name`` says which engine it is;
       a feature only ours has can be imported inside the function, e.g.
       ``from micrograd.trace import trace``, and numpy likewise). Return the figures as
       a dict of numbers (seconds, bytes, ...); raise `WorkloadFailed` when the engine
       cannot do it (Karpathy's recursive backward does this on deep graphs).
    2. Add a `Workload` to ``WORKLOADS``: the headline figure's key and how to print it,
       the sizes for a full and a ``--quick`` run, the engines it runs on (``OURS_ONLY``
       for a feature Karpathy's package lacks) and, if there is one, its target.
    3. If it must compute the same numbers as another workload or engine, add a line to
       ``SAME_NUMBERS`` in ``bench.py``.
    ``python benchmarks/bench.py --quick my_workload`` then runs it; child processes,
    pairing with Karpathy's engine, the summary table and ``--json`` need no change, and
    ``tests/test_benchmarks.py`` runs every workload of our engine at its quick size.
"""

from __future__ import annotations

import gc
import importlib.util
import math
import random
import statistics
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

ROOT = Path(__file__).resolve().parent.parent  # the checkout: "ours" is imported from here
BOTH = ("karpathy", "ours")
OURS_ONLY = ("ours",)
NUMPY_ONLY = ("numpy",)
ALPHA = 1e-4  # L2 weight of Karpathy's demo
SEED = 1337
MOONS_SIZES = [16, 16, 1]  # MLP(2, [16, 16, 1]), as in Karpathy's demo
perf = time.perf_counter
Figures = dict[str, Any]  # what a workload returns: figure name -> number (or list of numbers)
Step = Callable[[], float]  # one training step; returns the loss before its update


class WorkloadFailed(Exception):
    """The engine could not run the workload (reported in the table, not a crash of the script)."""


@dataclass
class Engine:
    """What a workload gets to work with: the engine's name and its public classes."""

    name: str  # "ours", "karpathy" or "numpy" (a workload that needs no micrograd)
    Value: Any = None
    MLP: Any = None


def _load_graph_walk() -> Callable[[Any], list[Any]]:
    # Under another module name, so that it loads next to Karpathy's micrograd as well as ours:
    # graph.py imports nothing of its package, and its walk accepts his set-valued _prev.
    spec = importlib.util.spec_from_file_location("_bench_micrograd_graph", ROOT / "micrograd" / "graph.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.topological_order


topological_order = _load_graph_walk()


# ---------------------------------------------------------------------------------- data


def moons_data(n: int = 100, noise: float = 0.1, seed: int = SEED) -> tuple[list[list[float]], list[float]]:
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


def initial_weights(seed: int = SEED, nin: int = 2, sizes: list[int] = MOONS_SIZES) -> list[list[list[float]]]:
    """Weights in Karpathy's initialisation order, per layer ``[neuron][input]`` (biases start at 0)."""
    rng = random.Random(seed)
    dims = [nin, *sizes]
    return [[[rng.uniform(-1.0, 1.0) for _ in range(dims[i])] for _ in range(dims[i + 1])] for i in range(len(sizes))]


def flat_parameters(weights: list[list[list[float]]]) -> list[float]:
    """The same weights in ``parameters()`` order: neuron by neuron, its weights then its bias (0)."""
    return [v for layer in weights for row in layer for v in (*row, 0.0)]


def set_parameters(model: Any, values: Sequence[float]) -> Any:
    """Give ``model``'s parameters these values, in ``parameters()`` order; returns the model."""
    params = model.parameters()
    if len(params) != len(values):
        raise WorkloadFailed(f"the model has {len(params)} parameters, expected {len(values)}")
    for p, v in zip(params, values):
        p.data = v
    return model


def moons_model(engine: Engine, seed: int = SEED) -> Any:
    """The engine's MLP(2, [16, 16, 1]) starting from `initial_weights`: the same start in every engine."""
    return set_parameters(engine.MLP(2, MOONS_SIZES), flat_parameters(initial_weights(seed)))


def moons_arrays(n: int = 100, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """`moons_data` as numpy arrays: the points (n, 2) and the labels (n,)."""
    import numpy as np

    X, y = moons_data(n, seed=seed)
    return np.array(X), np.array(y)


def numpy_weights(seed: int = SEED) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """`initial_weights` as fresh numpy arrays: weight matrices as (in, out), and zero biases."""
    import numpy as np

    start = initial_weights(seed)
    return [np.array(W).T.copy() for W in start], [np.zeros(len(W)) for W in start]


def learning_rate(step: int) -> float:
    """Karpathy's decaying learning rate, restarted every 100 steps so it stays above 0 over many timed steps."""
    return 1.0 - 0.9 * (step % 100) / 100


# ---------------------------------------------------------------------------------- eager workloads


def moons_loss(Value: Any, model: Any, X: list[list[float]], y: list[float]) -> Any:
    """The demo notebook's loss, written as there: mean hinge loss + L2, with builtin ``sum``."""
    inputs = [list(map(Value, row)) for row in X]
    scores = list(map(model, inputs))
    hinge = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    data_loss = sum(hinge) * (1.0 / len(hinge))
    reg_loss = ALPHA * sum(p * p for p in model.parameters())
    return data_loss + reg_loss


def moons_step(engine: Engine, *, n: int = 100, steps: int = 10, seed: int = SEED) -> Figures:
    """Karpathy's demo step: forward over n points, hinge + L2 loss, backward, SGD.

    Both engines build their graphs from the same code (`moons_loss`), from the same data and
    initial weights; step 0 is a warm-up and not timed.
    """
    X, y = moons_data(n, seed=seed)
    model = moons_model(engine, seed)
    params = model.parameters()
    losses, fwd, bwd, upd, nodes = [], [], [], [], None
    for k in range(steps):
        t0 = perf()
        total = moons_loss(engine.Value, model, X, y)
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
            nodes = len(topological_order(total))
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


def _gender(engine: Engine, sigmoid: Callable[[Any], Any], epochs: int, rounds: int, seed: int,
            lr: float) -> Figures:
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
    # Two figures, because Karpathy's engine leaves reference cycles whose collection lands in
    # some epochs only: the median epoch leaves those epochs out (the gender_train workload),
    # the total time over the epochs counts them (gender_train_total). Both are reported.
    return {"s_per_epoch": statistics.median(totals) / epochs, "median_epoch_s": statistics.median(epochs_s),
            "final_loss": final}


def _softsign(x: Any) -> Any:
    """Sigmoid-shaped 0.5 + 0.5 x / (1 + |x|), from + * / relu only (Karpathy's Value has no exp)."""
    a = x.relu() + (-x).relu()
    return 0.5 + 0.5 * x / (1 + a)


def gender_train(engine: Engine, *, epochs: int = 100, rounds: int = 5, seed: int = 42, lr: float = 0.1) -> Figures:
    """Per-sample SGD on the gender tutorial's data, a sigmoid-shaped activation both engines can build."""
    return _gender(engine, _softsign, epochs, rounds, seed, lr)


def gender_train_sigmoid(engine: Engine, *, epochs: int = 100, rounds: int = 5, seed: int = 42,
                         lr: float = 0.1) -> Figures:
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


def wide_sum(engine: Engine, *, n: int = 100_000, seed: int = 0) -> Figures:
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


def deep_chain(engine: Engine, *, n: int = 1_000_000) -> Figures:
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


def memory_per_node(engine: Engine, *, n: int = 100_000, seed: int = 0) -> Figures:
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
    out: Figures = {}

    def peak(build: Callable[[], Any]) -> tuple[Any, int]:
        gc.collect()
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        root = build()
        top = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return root, top - base

    total, sum_peak = peak(lambda: sum(x * y for x, y in zip(a, b)))
    sum_nodes = len(topological_order(total)) - len(a) - len(b)  # interior nodes (and Karpathy's 0 node)
    out.update(sum_nodes=sum_nodes, sum_peak_bytes=sum_peak, sum_bytes_per_node=sum_peak / sum_nodes)
    del total

    def chain() -> Any:
        x = start
        for _ in range(n // 2):
            x = x * 1.0001 + 0.001
        return x

    x, chain_peak = peak(chain)
    out.update(chain_ops=2 * (n // 2), chain_nodes=len(topological_order(x)) - 1,
               chain_bytes_per_op=chain_peak / (2 * (n // 2)))
    return out


# ---------------------------------------------------------------------------------- numpy by hand


def numpy_loss_and_grads(X: np.ndarray, y: np.ndarray, Ws: list[np.ndarray],
                         bs: list[np.ndarray]) -> tuple[float, list[np.ndarray]]:
    """Loss of the moons step and its gradient for (W1, W2, W3, b1, b2, b3), by hand; W as (in, out).

    Forward: z1 = X W1 + b1, h1 = relu(z1), z2 = h1 W2 + b2, h2 = relu(z2), s = h2 W3 + b3;
    loss = mean(relu(1 - y s)) + alpha * (sum of squares of every parameter).
    """
    import numpy as np

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


def numpy_moons_step(engine: Engine, *, n: int = 100, steps: int = 10, seed: int = SEED,
                     repeat: int = 2000) -> Figures:
    """The moons step as batched numpy with hand-written backprop: the floor for any scalar engine."""
    X, y = moons_arrays(n, seed)
    step = numpy_step(X, y, *numpy_weights(seed))
    losses = [step() for _ in range(steps)]
    step = numpy_step(X, y, *numpy_weights(seed))
    times = []
    for _ in range(repeat):
        t0 = perf()
        step()
        times.append(perf() - t0)
    return {"s_per_step": statistics.median(times), "losses": losses}


# ---------------------------------------------------------------------------------- traced (micrograd.trace)


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


def _moons_traced_step(engine: Engine, X: np.ndarray, y: np.ndarray, seed: int = SEED) -> tuple[Step, float]:
    """(step, seconds it took to trace) for the moons model: zero_grad, program.backward(X, y), SGD.step."""
    from micrograd.optim import SGD
    from micrograd.trace import trace

    model = moons_model(engine, seed)
    params = model.parameters()

    def sample_loss(x: list[Any], label: Any) -> Any:
        return (1 - label * model(x)).relu() + ALPHA * engine.Value.sum(p * p for p in params)

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


def moons_step_traced(engine: Engine, *, n: int = 100, steps: int = 10, seed: int = SEED, rounds: int = 5,
                      block_s: float = 0.2) -> Figures:
    """Karpathy's demo step; ours traced once (micrograd.trace) and run on the whole batch with numpy.

    ``losses`` are those of the first ``steps`` steps, from the start every moons workload shares.
    """
    if engine.name == "karpathy":  # his engine has no tracer: the pair compares his eager step with our traced one
        return moons_step(engine, n=n, steps=steps, seed=seed)
    X, y = moons_arrays(n, seed)
    step, trace_s = _moons_traced_step(engine, X, y, seed)
    losses = [step() for _ in range(steps)]
    times = _per_call(step, rounds, block_s)
    return {"s_per_step": statistics.median(times), "trace_s": trace_s, "losses": losses}


def trace_cost(engine: Engine, *, repeats: int = 5) -> Figures:
    """Seconds to trace the moons model's per-sample loss: recording, scheduling, self-check."""
    X, y = moons_arrays()
    return {"trace_s": statistics.median(_moons_traced_step(engine, X, y)[1] for _ in range(repeats))}


def mlp784_data(n: int = 1000, seed: int = 0, hidden: Sequence[int] = (64,)
                ) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Random 28x28 'images' in [0, 1), one-hot random labels, and initial weights uniform / sqrt(fan-in).

    The weights are ``[W1, b1, W2, b2, ...]`` for MLP(784, [*hidden, 10]), W as (out, in).
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    X = rng.random((n, 784))
    Y = np.eye(10)[rng.integers(0, 10, n)]
    sizes = [784, *hidden, 10]
    init = []
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        init += [rng.uniform(-1, 1, (fan_out, fan_in)) / math.sqrt(fan_in), np.zeros(fan_out)]
    return X, Y, init


def _mlp784_traced_step(engine: Engine, n: int, full_step: bool, hidden: Sequence[int] = (64,)
                        ) -> tuple[Step, float]:
    """(step, seconds it took to trace) for MLP(784, [*hidden, 10]) with softmax cross-entropy, batch n.

    The step is the documented loop: ``opt.zero_grad(); program.backward(X, Y); opt.step()``.
    """
    from micrograd.optim import SGD
    from micrograd.trace import trace

    Value = engine.Value
    X, Y, init = mlp784_data(n, hidden=hidden)
    flat = [v for W, b in zip(init[0::2], init[1::2]) for row, bias in zip(W.tolist(), b.tolist())
            for v in (*row, bias)]
    model = set_parameters(engine.MLP(784, [*hidden, 10]), flat)

    def sample_loss(x: list[Any], onehot: list[Any]) -> Any:
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


def _mlp784_numpy_step(n: int, full_step: bool, hidden: Sequence[int] = (64,)) -> Step:
    """The same by hand in numpy, from the same weights."""
    import numpy as np

    X, Y, params = mlp784_data(n, hidden=hidden)
    Ws, bs = params[0::2], params[1::2]

    def step() -> float:
        hs, zs = [X], []
        for W, b in zip(Ws, bs):
            zs.append(hs[-1] @ W.T + b)
            hs.append(np.maximum(zs[-1], 0.0))
        z = zs[-1]
        e = np.exp(z)
        total = e.sum(axis=1)
        loss = np.log(total) - (Y * z).sum(axis=1)
        dz = (e / total[:, None] - Y) / len(X)
        grads = []
        for i in range(len(Ws) - 1, -1, -1):
            grads += [dz.sum(0), dz.T @ hs[i]]
            if i:
                dz = (dz @ Ws[i]) * (zs[i - 1] > 0.0)
        if full_step:
            for p, g in zip(params, grads[::-1]):
                p -= 0.1 * g
        return float(loss.mean())

    return step


def _alternate(name: str, traced: Step, numpy: Step, rounds: int, block_s: float) -> Figures:
    """One block of each per round, in turn: ``<name>_traced_s``, ``<name>_numpy_s`` (medians),
    ``<name>_traced_over_numpy`` (the median of the per-round ratios) and the ratios."""
    a, b = [], []
    for _ in range(rounds):
        a += _per_call(traced, 1, block_s)
        b += _per_call(numpy, 1, block_s)
    ratios = [x / y for x, y in zip(a, b)]
    return {f"{name}_traced_s": statistics.median(a), f"{name}_numpy_s": statistics.median(b),
            f"{name}_traced_over_numpy": statistics.median(ratios), f"{name}_ratios": ratios}


def traced_vs_numpy(engine: Engine, *, rounds: int = 7, block_s: float = 0.2, batch: int = 1000) -> Figures:
    """micrograd.trace against numpy by hand, alternating in one process: moons step, 784-64-10; tracing cost."""
    X, y = moons_arrays()
    r = _alternate("moons", _moons_traced_step(engine, X, y)[0], numpy_step(X, y, *numpy_weights()), rounds, block_s)
    for name, full_step in (("mlp784_grad", False), ("mlp784_step", True)):
        r.update(_alternate(name, _mlp784_traced_step(engine, batch, full_step)[0],
                            _mlp784_numpy_step(batch, full_step), rounds, 2 * block_s))
    a = moons_step_traced(engine, steps=6, rounds=1, block_s=0.01)["losses"]
    b = numpy_moons_step(engine, steps=6, repeat=1)["losses"]
    return {**r, **trace_cost(engine), "moons_losses_max_rel_diff": max(abs(p - q) / abs(q) for p, q in zip(a, b))}


# ---------------------------------------------------------------------------------- the goals of traced training


def _one_blas_thread() -> bool:
    """Ask numpy's BLAS for one thread; True if it was asked before numpy was loaded (else it is too late).

    The goals compare with numpy by hand on one thread: on a shared machine a second thread
    only adds noise, and both contenders would get it anyway.
    """
    import os
    import sys

    if "numpy" in sys.modules:
        return False
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = "1"
    return True


def _spread(ratios: Sequence[float]) -> str:
    """The per-round ratios in words: median, and the range of the middle half and of all."""
    q = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else [ratios[0]] * 3
    return (f"{statistics.median(ratios):.3g}x (middle half {q[0]:.3g}-{q[2]:.3g}, all {min(ratios):.3g}-"
            f"{max(ratios):.3g}, {len(ratios)} rounds)")


def traced_training(engine: Engine, *, rounds: int = 9, block_s: float = 0.3, batch: int = 1000,
                    hidden: Sequence[Sequence[int]] = ((64,), (256, 256))) -> Figures:
    """Goal 2: the documented traced step (zero_grad, backward, SGD) against numpy by hand, one BLAS thread.

    Moons (100 points), and MLP(784, [*h, 10]) with softmax cross-entropy at batch 1,000, float64,
    for the two ``hidden`` sizes ("small" and "large" in the figures), alternating in this process
    (`_alternate`). ``eager_after_over_fresh``: an eager step on the
    parameters the traced steps trained, against the same step on a fresh model (1: eager code
    keeps its speed after traced training).
    """
    one_thread = _one_blas_thread()
    X, y = moons_arrays()
    r: Figures = {"one_blas_thread": one_thread, "batch": batch}
    r.update(_alternate("moons", _moons_traced_step(engine, X, y)[0], numpy_step(X, y, *numpy_weights()),
                        rounds, block_s))
    for name, h in zip(("small", "large"), hidden):
        r[f"{name}_sizes"] = [784, *h, 10]
        traced, _ = _mlp784_traced_step(engine, batch, True, h)
        r.update(_alternate(name, traced, _mlp784_numpy_step(batch, True, h), rounds, block_s))
        steps = [_mlp784_traced_step(engine, 8, True, h)[0], _mlp784_numpy_step(8, True, h)]
        losses = [[step() for _ in range(3)] for step in steps]
        r[f"{name}_losses_max_rel_diff"] = max(abs(a - b) / abs(b) for a, b in zip(*losses))

    Xl, yl = moons_data(n=20)
    trained, fresh = (moons_model(engine) for _ in range(2))
    _traced_steps(trained, X, y)  # its parameters go into a program's arrays; the eager steps take them back
    eager = [_eager_moons(engine, m, Xl, yl) for m in (trained, fresh)]
    a = _alternate("eager", eager[0], eager[1], max(3, rounds // 2), block_s)
    r["eager_after_over_fresh"], r["eager_ratios"] = a["eager_traced_over_numpy"], a["eager_ratios"]
    return r


def _traced_steps(model: Any, X: np.ndarray, y: np.ndarray) -> None:
    """Three traced SGD steps on ``model`` at learning rate 0: its parameters end up in the program's
    arrays, with the numbers they had (so an eager step on it computes what one on a fresh model does)."""
    from micrograd.optim import SGD
    from micrograd.trace import trace

    program = trace(lambda x, label: (1 - label * model(x)).relu(), 2, ())
    opt = SGD(model.parameters(), lr=0.0)
    for _ in range(3):
        opt.zero_grad()
        program.backward(X, y)
        opt.step()


def _eager_moons(engine: Engine, model: Any, X: list[list[float]], y: list[float]) -> Step:
    """An eager moons step (`moons_loss`, backward, a small SGD step) on ``model``."""
    params = model.parameters()

    def step() -> float:
        total = moons_loss(engine.Value, model, X, y)
        model.zero_grad()
        total.backward()
        for p in params:
            p.data -= 1e-6 * p.grad  # small: the model stays where it is, so both step the same graph
        return float(total.data)

    return step


def _traced_training_goals(runs: list[Figures]) -> list[tuple[str, str, bool]]:
    pooled = {k: [x for run in runs for x in run[k]] for k in runs[0] if k.endswith("_ratios")}
    first = runs[0]
    goals = [("moons, 100 points: traced step <= 2x numpy by hand", "moons", 2.0)]
    goals += [(f"{'-'.join(map(str, first[f'{name}_sizes']))}, batch {first['batch']:,}: traced step <= 1.3x "
               "numpy by hand", name, 1.3) for name in ("small", "large") if f"{name}_sizes" in first]
    goals.append(("eager step on parameters a program trained: as fast as on fresh ones (<= 1.1x)", "eager", 1.1))
    out = [(what, _spread(pooled[f"{key}_ratios"]), statistics.median(pooled[f"{key}_ratios"]) <= limit)
           for what, key, limit in goals]
    if not all(run["one_blas_thread"] for run in runs):
        out.append(("one BLAS thread", "numpy was loaded before the workload could ask for it", False))
    return out


def _mlp_model(engine: Engine, hidden: Sequence[int], init: str) -> Any:
    """MLP(784, [*hidden, 10]): ``init`` 'scaled' (uniform / sqrt(fan-in), as trained weights are) or 'default'."""
    model = engine.MLP(784, [*hidden, 10], rng=0)
    if init == "scaled":
        import numpy as np

        rng = np.random.default_rng(0)
        for layer in model.layers:
            fan_in = len(layer.neurons[0].w)
            values = (rng.uniform(-1, 1, len(layer.parameters())) / math.sqrt(fan_in)).tolist()
            for p, v in zip(layer.parameters(), values):
                p.data = v
    return model


def trace_scaling(engine: Engine, *, hidden: Sequence[int] = (1024, 256),
                  placeholder_hidden: Sequence[int] = (256, 256)) -> Figures:
    """Goal 3: seconds and peak memory to trace MLP(784, [*hidden, 10]) with softmax cross-entropy.

    ``trace_s``: one trace, untraced by tracemalloc; ``tracemalloc_peak_bytes``: a second trace
    under tracemalloc (its peak above what was allocated before); ``rss_peak_increase_bytes``:
    how far the first trace raised the process's peak resident memory. ``placeholders_ok``: 1 if
    MLP(784, [*placeholder_hidden, 10]) with the default uniform(-1, 1) weights, which overflows
    exp when every input is 1.0, traces with the default placeholders.
    """
    import resource

    from micrograd.trace import trace

    Value = engine.Value

    def loss_of(model: Any) -> Callable[..., Any]:
        def sample_loss(x: list[Any], onehot: list[Any]) -> Any:
            z = model(x)
            return Value.sum([zi.exp() for zi in z]).log() - Value.dot(onehot, z)
        return sample_loss

    model = _mlp_model(engine, hidden, "scaled")
    loss = loss_of(model)
    gc.collect()
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = perf()
    program = trace(loss, 784, 10)
    trace_s = perf() - t0
    rss = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before) * 1024  # kilobytes on Linux
    parameters = len(program.parameters())
    del program
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    program = trace(loss, 784, 10)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    del program, model, loss
    gc.collect()
    wide = _mlp_model(engine, placeholder_hidden, "default")
    t0 = perf()
    try:
        trace(loss_of(wide), 784, 10)
        ok = 1
    except (ArithmeticError, ValueError):
        ok = 0
    return {"trace_s": trace_s, "parameters": parameters, "tracemalloc_peak_bytes": peak,
            "placeholder_sizes": [784, *placeholder_hidden, 10],
            "rss_peak_increase_bytes": rss, "placeholders_ok": ok, "placeholders_trace_s": perf() - t0}


def _trace_scaling_goals(runs: list[Figures]) -> list[tuple[str, str, bool]]:
    def median(key: str) -> float:
        return statistics.median(run[key] for run in runs)

    def spread(key: str, scale: float, unit: str) -> str:
        values = [run[key] / scale for run in runs]
        return f"{statistics.median(values):.3g} {unit} (all {min(values):.3g}-{max(values):.3g}, {len(values)} runs)"

    n = f"{runs[0]['parameters']:,} parameters"
    return [(f"tracing {n} <= 2 s", spread("trace_s", 1, "s"), median("trace_s") <= 2),
            (f"tracing {n}: tracemalloc peak <= 300 MB", spread("tracemalloc_peak_bytes", 1e6, "MB"),
             median("tracemalloc_peak_bytes") <= 300e6),
            (f"tracing {n}: peak RSS increase <= 300 MB", spread("rss_peak_increase_bytes", 1e6, "MB"),
             median("rss_peak_increase_bytes") <= 300e6),
            (f"{'-'.join(map(str, runs[0]['placeholder_sizes']))} with uniform(-1, 1) weights: traces with the "
             "default placeholders (no overflow)",
             f"{sum(run['placeholders_ok'] for run in runs)} of {len(runs)} runs",
             all(run["placeholders_ok"] for run in runs))]


# ---------------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class Workload:
    """One benchmark: how to run it, what to report, and the target it is held to."""

    run: Callable[..., Figures]
    headline: str  # the key of the figure compared between engines
    label: str  # what the headline figure is, for the table
    unit: str  # "s" (printed as s/ms/us) or "B"
    size: dict[str, Any] = field(default_factory=dict)  # keyword arguments of a full run
    quick: dict[str, Any] = field(default_factory=dict)  # ... of a --quick run
    engines: tuple[str, ...] = BOTH
    reference_size: dict[str, Any] | None = None  # a different size for Karpathy's engine, when it differs
    recursion_limit: int | None = None  # sys.setrecursionlimit in every process of this workload
    deterministic: bool = False  # the same figure every run (memory): run once per engine
    details: tuple[str, ...] = ()  # further figures printed under each run
    target: str = ""  # the goal, in words
    meets: Callable[[dict[str, float], float | None], bool] | None = None  # (our medians, median ratio) -> met?
    target_is_ratio: bool = False  # the target compares with Karpathy's engine: needs --compare
    # goals measured by the workload itself: (runs of ours) -> [(goal, measured and spread, met)]
    goals: Callable[[list[Figures]], list[tuple[str, str, bool]]] | None = None


WORKLOADS: dict[str, Workload] = {
    "moons_step": Workload(
        moons_step, "s_per_step", "time per step", "s",
        size={"n": 100, "steps": 10}, quick={"n": 20, "steps": 3},
        details=("fwd_s", "bwd_s", "update_s", "nodes_per_step"),
        target=">= 100x faster (stretch 150x)", meets=lambda ours, ratio: ratio >= 100, target_is_ratio=True),
    "gender_train": Workload(
        gender_train, "median_epoch_s", "median epoch (his collector's epochs left out)", "s",
        size={"epochs": 100, "rounds": 5}, quick={"epochs": 3, "rounds": 1},
        details=("s_per_epoch", "final_loss"),
        target=">= 4x faster", meets=lambda ours, ratio: ratio >= 4, target_is_ratio=True),
    "gender_train_total": Workload(
        gender_train, "s_per_epoch", "total time / epochs (his collector's epochs included)", "s",
        size={"epochs": 100, "rounds": 5}, quick={"epochs": 3, "rounds": 1},
        details=("median_epoch_s", "final_loss")),
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
    "traced_training": Workload(
        traced_training, "large_traced_over_numpy", "traced step / numpy by hand, 784-256-256-10", "x",
        size={"rounds": 9}, quick={"rounds": 1, "block_s": 0.01, "batch": 20, "hidden": [[8], [8, 8]]},
        engines=OURS_ONLY,
        details=("moons_traced_over_numpy", "small_traced_over_numpy", "eager_after_over_fresh",
                 "large_losses_max_rel_diff"),
        target="<= 1.3x numpy (784), <= 2x (moons)", goals=_traced_training_goals,
        meets=lambda ours, ratio: (ours["large_traced_over_numpy"] <= 1.3 and ours["small_traced_over_numpy"] <= 1.3
                                   and ours["moons_traced_over_numpy"] <= 2)),
    "trace_scaling": Workload(
        trace_scaling, "trace_s", "tracing MLP(784, [1024, 256, 10]), 1.07M parameters", "s",
        quick={"hidden": (16,), "placeholder_hidden": (8,)}, engines=OURS_ONLY,
        details=("tracemalloc_peak_bytes", "rss_peak_increase_bytes", "placeholders_ok"),
        target="<= 2 s, <= 300 MB, no overflow", goals=_trace_scaling_goals,
        meets=lambda ours, ratio: (ours["trace_s"] <= 2 and ours["tracemalloc_peak_bytes"] <= 300e6
                                   and ours["rss_peak_increase_bytes"] <= 300e6 and ours["placeholders_ok"] == 1)),
    "numpy_moons_step": Workload(
        numpy_moons_step, "s_per_step", "time per step, batched numpy (the floor)", "s",
        size={"n": 100, "steps": 10, "repeat": 2000}, quick={"n": 20, "steps": 3, "repeat": 20},
        engines=NUMPY_ONLY),
}
