"""benchmarks/: its workloads run and compute the right numbers, and its runner keeps each
engine's process as it should be. Nothing here is timed."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from micrograd.engine import Value
from micrograd.graph import topological_order
from micrograd.nn import MLP

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
SCRIPT = BENCHMARKS / "bench.py"
sys.path.insert(0, str(BENCHMARKS))  # the runner imports its workloads as a module beside it; so do these tests
import bench  # noqa: E402
import workloads  # noqa: E402

OURS = workloads.Engine("ours", Value, MLP)


@pytest.mark.parametrize("name", [n for n, w in workloads.WORKLOADS.items() if "ours" in w.engines])
def test_every_workload_runs_on_our_engine_at_its_quick_size(name: str) -> None:
    w = workloads.WORKLOADS[name]
    result = w.run(OURS, **w.quick)
    assert result[w.headline] > 0
    assert all(key in result for key in w.details)


def test_numpy_floor_gives_the_engines_loss_and_gradients() -> None:
    X, y = workloads.moons_data(30)
    weights = workloads.initial_weights()
    model = workloads.moons_model(OURS)
    loss = workloads.moons_loss(Value, model, X, y)
    loss.backward()
    Ws = [np.array(W).T.copy() for W in weights]
    bs = [np.zeros(len(W)) for W in weights]
    np_loss, grads = workloads.numpy_loss_and_grads(np.array(X), np.array(y), Ws, bs)
    expected = []  # parameters() order: each neuron's weights (a column of W), then its bias
    for gW, gb in zip(grads[:3], grads[3:]):
        for j in range(gW.shape[1]):
            expected.extend(gW[:, j].tolist() + [gb[j]])
    # numpy's matmul adds in another order than the engine, so sums differ by rounding only:
    # ~1e-16 relative to the largest term, far inside these tolerances.
    assert loss.data == pytest.approx(np_loss, rel=1e-12)
    assert [p.grad for p in model.parameters()] == pytest.approx(expected, rel=1e-9, abs=1e-15)


def test_numpy_weights_are_the_initial_weights_as_in_out_matrices() -> None:
    Ws, bs = workloads.numpy_weights(7)
    for W, b, rows in zip(Ws, bs, workloads.initial_weights(7)):
        assert W.T.tolist() == rows and b.tolist() == [0.0] * len(rows)


def test_moons_loss_trajectory_equals_the_numpy_floors() -> None:
    ours = workloads.moons_step(OURS, n=30, steps=4)["losses"]
    floor = workloads.numpy_moons_step(workloads.Engine("numpy"), n=30, steps=4, repeat=1)["losses"]
    assert max(abs(a - b) for a, b in zip(ours, floor)) <= bench.SAME_NUMBERS_TOL
    assert len(set(ours)) == len(ours)  # every step really changed the weights


def test_initial_weights_are_karpathys_order_of_random_draws() -> None:
    rng = random.Random(7)
    draws = [rng.uniform(-1, 1) for _ in range(2 * 16 + 16 * 16 + 16)]
    flat = [v for layer in workloads.initial_weights(7) for row in layer for v in row]
    assert flat == draws
    n_params = len(MLP(2, workloads.MOONS_SIZES).parameters())
    assert len(workloads.flat_parameters(workloads.initial_weights(7))) == n_params


def test_moons_data_is_reproducible_with_balanced_labels() -> None:
    X, y = workloads.moons_data(40, seed=3)
    assert (X, y) == workloads.moons_data(40, seed=3)
    assert sorted(set(y)) == [-1.0, 1.0] and y.count(1.0) == 20


def test_moons_arrays_are_the_moons_data() -> None:
    X, y = workloads.moons_arrays(40, seed=3)
    assert (X.tolist(), y.tolist()) == workloads.moons_data(40, seed=3)


def test_nodes_are_counted_with_the_packages_graph_walk() -> None:
    # loaded by file path, so that Karpathy's processes can count with it too
    loss = workloads.moons_loss(Value, workloads.moons_model(OURS), *workloads.moons_data(5))
    assert workloads.topological_order(loss) == topological_order(loss)
    assert workloads.moons_step(OURS, n=5, steps=1)["nodes_per_step"] == len(topological_order(loss))


def test_a_recursion_error_is_reported_with_its_phase() -> None:
    def deep() -> None:
        raise RecursionError("maximum recursion depth exceeded")

    with pytest.raises(workloads.WorkloadFailed, match="RecursionError in backward"):
        workloads._run_phase("backward", deep)


def test_the_child_refuses_a_micrograd_from_the_wrong_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "path", list(sys.path))  # load_engine prepends the folder
    with pytest.raises(SystemExit, match="but imported"):
        bench.load_engine("karpathy", str(tmp_path))  # this process already imported ours


# A stand-in for Karpathy's micrograd 0.1.0, enough for every workload he runs: a Value whose
# _prev is a set, a recursive backward, and MLP's layout and parameters() order. It notes
# whether the harness had imported numpy before it was imported.
FAKE_ENGINE = '''
from __future__ import annotations

import sys
from pathlib import Path

Path(__file__).parent.parent.joinpath("numpy_before_engine").write_text(str("numpy" in sys.modules))


def _value(x: Value | float) -> Value:
    return x if isinstance(x, Value) else Value(x)


class Value:
    def __init__(self, data: float, edges: tuple[tuple[Value, float], ...] = ()) -> None:
        self.data, self.grad, self._edges = data, 0.0, edges  # edges: (child, d self / d child)
        self._prev = {child for child, _ in edges}

    def __add__(self, other: Value | float) -> Value:
        other = _value(other)
        return Value(self.data + other.data, ((self, 1.0), (other, 1.0)))

    def __mul__(self, other: Value | float) -> Value:
        other = _value(other)
        return Value(self.data * other.data, ((self, other.data), (other, self.data)))

    def __pow__(self, k: float) -> Value:
        return Value(self.data**k, ((self, k * self.data ** (k - 1)),))

    def relu(self) -> Value:
        return Value(max(self.data, 0.0), ((self, float(self.data > 0)),))

    __radd__, __rmul__ = __add__, __mul__

    def __neg__(self) -> Value:
        return self * -1

    def __sub__(self, other: Value | float) -> Value:
        return self + -_value(other)

    def __truediv__(self, other: Value | float) -> Value:
        return self * _value(other) ** -1

    def backward(self) -> None:
        order, seen = [], set()

        def visit(v: Value) -> None:
            if v not in seen:
                seen.add(v)
                for child in v._prev:
                    visit(child)
                order.append(v)

        visit(self)
        self.grad = 1.0
        for v in reversed(order):
            for child, local in v._edges:
                child.grad += local * v.grad
'''

FAKE_NN = '''
from __future__ import annotations

import random

from micrograd.engine import Value


class Neuron:
    def __init__(self, nin: int, nonlin: bool) -> None:
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b, self.nonlin = Value(0), nonlin

    def __call__(self, x: list[Value]) -> Value:
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act

    def parameters(self) -> list[Value]:
        return self.w + [self.b]


class MLP:
    def __init__(self, nin: int, nouts: list[int]) -> None:
        sizes = [nin, *nouts]
        self.layers = [[Neuron(sizes[i], i != len(nouts) - 1) for _ in range(sizes[i + 1])] for i in range(len(nouts))]

    def __call__(self, x: list[Value]) -> Value | list[Value]:
        for layer in self.layers:
            x = [n(x) for n in layer]
        return x[0] if len(x) == 1 else x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for n in layer for p in n.parameters()]

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0
'''


@pytest.mark.parametrize("name", [n for n, w in workloads.WORKLOADS.items() if "karpathy" in w.engines])
def test_karpathys_process_does_not_import_numpy(name: str, tmp_path: Path) -> None:
    # numpy's larger heap slows his garbage collector, which would flatter our ratio
    package = tmp_path / "micrograd"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "engine.py").write_text(FAKE_ENGINE)
    (package / "nn.py").write_text(FAKE_NN)
    result = bench.run_child(name, "karpathy", tmp_path, workloads.WORKLOADS[name].quick, timeout=120)
    assert result["status"] == "ok", result
    assert (tmp_path / "numpy_before_engine").read_text() == "False", "the harness imported numpy before his engine"
    assert result["numpy_loaded"] is False, "numpy was imported while his engine ran the workload"
    if name in ("moons_step", "moons_step_traced"):  # his side of the traced pair is his eager step
        assert result["nodes_per_step"] > 0 and len(result["losses"]) == workloads.WORKLOADS[name].quick["steps"]


def test_our_process_reports_numpy_loaded_when_the_tracer_ran() -> None:
    # the field is real: our tracer imports numpy, our eager engine does not
    traced = bench.run_child("moons_step_traced", "ours", workloads.ROOT,
                             workloads.WORKLOADS["moons_step_traced"].quick, timeout=120)
    assert traced["status"] == "ok" and traced["numpy_loaded"] is True
    eager = bench.run_child("wide_sum", "ours", workloads.ROOT, {"n": 10}, timeout=120)
    assert eager["status"] == "ok" and eager["numpy_loaded"] is False


def test_numpy_in_karpathys_process_fails_the_run() -> None:
    row = bench.Row("moons_step", runs={"karpathy": [{"status": "ok", "numpy_loaded": True}],
                                        "ours": [{"status": "ok", "numpy_loaded": True}]})
    line, clean = bench.numpy_report({"moons_step": row})
    assert not clean and "karpathy 1 of 1" in line and "FAIL" in line
    row.runs["karpathy"][0]["numpy_loaded"] = False
    assert bench.numpy_report({"moons_step": row})[1]


def test_the_script_runs_end_to_end_with_tiny_sizes() -> None:
    proc = subprocess.run([sys.executable, str(SCRIPT), "--quick", "moons_step", "numpy_moons_step",
                           "moons_step_traced"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "| moons_step (n=20, steps=3) | time per step |" in proc.stdout
    assert "ok   moons losses over 3 steps equal the numpy floor's" in proc.stdout
    assert "ok   traced moons losses over 3 steps equal the numpy floor's" in proc.stdout
    assert "numpy loaded in the processes: numpy 1 of 1, ours 1 of 2" in proc.stdout  # the traced one


def test_unknown_workload_is_a_usage_error() -> None:
    proc = subprocess.run([sys.executable, str(SCRIPT), "no_such_workload"], capture_output=True, text=True)
    assert proc.returncode == 2 and "unknown workload" in proc.stderr


@pytest.mark.parametrize("name", ["gender_train", "moons_step"])
def test_the_floor_engine_computes_what_ours_computes(name: str) -> None:
    # benchmarks/floor.py compares our engine with a copy stripped of its checks: a fair floor
    # only if it builds the same graph and gets the same numbers
    w = workloads.WORKLOADS[name]
    ours = bench.run_child(name, "ours", workloads.ROOT, w.quick, timeout=120)
    floor = bench.run_child(name, "floor", BENCHMARKS / "floor", w.quick, timeout=120)
    assert ours["status"] == floor["status"] == "ok", (ours, floor)
    if name == "moons_step":
        assert floor["nodes_per_step"] == ours["nodes_per_step"]
        assert floor["losses"] == pytest.approx(ours["losses"], abs=1e-12, rel=0)
    else:
        assert floor["final_loss"] == pytest.approx(ours["final_loss"], abs=1e-12, rel=0)
