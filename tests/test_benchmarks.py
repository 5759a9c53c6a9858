"""benchmarks/bench.py: its workloads run and compute the right numbers. Nothing here is timed."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from micrograd import MLP, Value

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "bench.py"


def _load_bench():
    spec = importlib.util.spec_from_file_location("bench", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench"] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


bench = _load_bench()
OURS = bench.Engine("ours", Value, MLP)


def _moons_model(weights):
    model = MLP(2, bench.MOONS_SIZES)
    for p, v in zip(model.parameters(), bench.flat_parameters(weights), strict=True):
        p.data = v
    return model


@pytest.mark.parametrize("name", [n for n, w in bench.WORKLOADS.items() if "ours" in w.engines])
def test_every_workload_runs_on_our_engine_at_its_quick_size(name):
    w = bench.WORKLOADS[name]
    result = w.run(OURS, **w.quick)
    assert result[w.headline] > 0
    assert all(key in result for key in w.details)


def test_numpy_floor_gives_the_engines_loss_and_gradients():
    X, y = bench.moons_data(30)
    weights = bench.initial_weights()
    model = _moons_model(weights)
    loss = bench.moons_loss(Value, model, X, y)
    loss.backward()
    Ws = [np.array(W).T.copy() for W in weights]
    bs = [np.zeros(len(W)) for W in weights]
    np_loss, grads = bench.trace_workloads.numpy_loss_and_grads(np.array(X), np.array(y), Ws, bs)
    expected = []  # parameters() order: each neuron's weights (a column of W), then its bias
    for gW, gb in zip(grads[:3], grads[3:]):
        for j in range(gW.shape[1]):
            expected.extend(gW[:, j].tolist() + [gb[j]])
    # numpy's matmul adds in another order than the engine, so sums differ by rounding only:
    # ~1e-16 relative to the largest term, far inside these tolerances.
    assert loss.data == pytest.approx(np_loss, rel=1e-12)
    assert [p.grad for p in model.parameters()] == pytest.approx(expected, rel=1e-9, abs=1e-15)


def test_moons_loss_trajectory_equals_the_numpy_floors():
    ours = bench.moons_step(OURS, n=30, steps=4)["losses"]
    floor = bench.numpy_moons_step(bench.Engine("numpy"), n=30, steps=4, repeat=1)["losses"]
    assert max(abs(a - b) for a, b in zip(ours, floor)) <= bench.SAME_NUMBERS_TOL
    assert len(set(ours)) == len(ours)  # every step really changed the weights


def test_initial_weights_are_karpathys_order_of_random_draws():
    import random

    rng = random.Random(7)
    draws = [rng.uniform(-1, 1) for _ in range(2 * 16 + 16 * 16 + 16)]
    flat = [v for layer in bench.initial_weights(7) for row in layer for v in row]
    assert flat == draws
    assert len(bench.flat_parameters(bench.initial_weights(7))) == len(MLP(2, bench.MOONS_SIZES).parameters())


def test_moons_data_is_reproducible_with_balanced_labels():
    X, y = bench.moons_data(40, seed=3)
    assert (X, y) == bench.moons_data(40, seed=3)
    assert sorted(set(y)) == [-1.0, 1.0] and y.count(1.0) == 20


def test_a_recursion_error_is_reported_with_its_phase():
    def deep():
        raise RecursionError("maximum recursion depth exceeded")

    with pytest.raises(bench.WorkloadFailed, match="RecursionError in backward"):
        bench._run_phase("backward", deep)


def test_the_child_refuses_a_micrograd_from_the_wrong_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))  # load_engine prepends the folder
    with pytest.raises(SystemExit, match="but imported"):
        bench.load_engine("karpathy", str(tmp_path))  # this process already imported ours


def test_the_script_runs_end_to_end_with_tiny_sizes():
    proc = subprocess.run([sys.executable, str(SCRIPT), "--quick", "moons_step", "numpy_moons_step"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "| moons_step (n=20, steps=3) | time per step |" in proc.stdout
    assert "ok   moons losses over 3 steps equal the numpy floor's" in proc.stdout


def test_unknown_workload_is_a_usage_error():
    proc = subprocess.run([sys.executable, str(SCRIPT), "no_such_workload"], capture_output=True, text=True)
    assert proc.returncode == 2 and "unknown workload" in proc.stderr
