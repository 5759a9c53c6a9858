"""The demos: every figure the tutorials give, and every demo run in a fast mode checking its claims.

Tolerances: the engine and the tutorials' numpy code do the same float64
operations, sometimes in another order, so a figure may differ in its last bit
or two; ``SAME_FLOAT`` (relative 4e-16, two units in the last place) allows that
and nothing more. Finite differences are compared with a tolerance derived from
their step (see the test).
"""

from __future__ import annotations

import json
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from micrograd import MLP, datasets, mse_loss, sse_loss
from micrograd.cli import main as cli_main
from micrograd.cli.demo import DEMOS, find_demo, run_demo
from micrograd.gradcheck import numerical_grad
from micrograd.tutorials import ALICE, PARAMETER_NAMES, alice_loss, hand_partials, network, neuron, numpy_backprop

ROOT = Path(__file__).resolve().parent.parent
SAME_FLOAT = dict(rel=4e-16, abs=0.0)


def load(name: str) -> dict:
    """A demo's functions, without running its main()."""
    return runpy.run_path(str(find_demo(name)), run_name=f"demo_{name}")


def run(name: str, *args: str, capsys) -> str:
    """Run a demo in this process, as `python -m micrograd demo NAME ARGS` does; return its output."""
    assert run_demo(name, list(args)) == 0
    return capsys.readouterr().out


def env_with_repo() -> dict:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}


# ---------------------------------------------------------------------------- the figures the tutorials give


def test_neuron_gives_the_tutorials_0_9990889488055994():
    assert neuron()([2, 3]).data == pytest.approx(0.9990889488055994, **SAME_FLOAT)


def test_network_gives_the_tutorials_0_7216325609518421():
    assert network()([2, 3]).data == pytest.approx(0.7216325609518421, **SAME_FLOAT)


def test_mse_of_all_zero_predictions_is_exactly_0_5():
    assert mse_loss([1, 0, 0, 1], [0, 0, 0, 0]).data == 0.5


def test_gender_table_and_the_two_people_to_predict():
    X, y, names = datasets.gender()
    assert names == ["Alice", "Bob", "Charlie", "Diana"]
    assert X == [[-2, -1], [25, 6], [17, 4], [-15, -6]] and y == [1, 0, 0, 1]
    assert datasets.gender_to_predict() == {"Emily": [-7, -3], "Frank": [20, 2]}


def test_alice_prediction_and_dl_dw1_with_weights_1_and_biases_0():
    model, loss = alice_loss()
    assert model(ALICE).data == pytest.approx(0.5236951740839997, **SAME_FLOAT)
    loss.backward()
    assert dict(model.named_parameters())["w1"].grad == pytest.approx(0.02146953526581111, **SAME_FLOAT)


def test_all_nine_hand_partials_equal_autograd_and_finite_differences():
    model, loss = alice_loss()
    loss.backward()
    state = model.state_dict()
    hand = hand_partials(state, ALICE, 1.0)

    def loss_at(*values):
        return alice_loss(network(**{n: v.data for n, v in zip(PARAMETER_NAMES, values)}))[1]

    numeric = numerical_grad(loss_at, [state[n] for n in PARAMETER_NAMES])
    for (name, p), n in zip(model.named_parameters(), numeric):
        # same products in another order: equal to float64 rounding
        assert hand[name] == pytest.approx(p.grad, rel=1e-15, abs=0.0), name
        # central difference, eps 1e-6: truncation ~eps² |L'''| and rounding ~1e-16 |L| / eps, both ~1e-10 or less
        assert n == pytest.approx(p.grad, abs=1e-9), name


def test_exam_hand_example_gives_0_8567467964249273():
    demo = load("exam_scores")
    model = demo["from_matrices"](np.array([[0.2, 0.6, 0.1], [0.8, 0.3, 0.7]]), np.array([[0.4], [0.5], [0.9]]))
    assert model([2, 9]).data == pytest.approx(0.8567467964249273, **SAME_FLOAT)


def test_exam_tutorials_8579_is_its_arithmetic_with_the_impossible_s_7_5():
    from micrograd import Value

    slip = 0.9994 * 0.4 + 1.000 * 0.5 + 0.9984 * 0.9
    assert slip == pytest.approx(1.79832, abs=1e-12)
    assert round(Value(slip).sigmoid().data, 10) == 0.8579443067  # the tutorial prints 10 digits
    assert Value(1000.0).sigmoid().data <= 1.0 < 1.000553084  # no sigmoid value exceeds 1


def test_exam_data_scaled_as_the_tutorial_scales_it():
    X, y = datasets.exam_scores()
    assert np.allclose(X, np.array([[2, 9], [1, 5], [3, 6]]) / np.array([3, 9]), rtol=0, atol=1e-16)
    assert y == [0.92, 0.86, 0.89] and datasets.exam_query() == [0.5, 1.0]


def test_exam_tutorials_update_is_minus_the_gradient_of_half_sse():
    demo = load("exam_scores")
    rng = np.random.default_rng(3)
    W1, W2 = rng.normal(size=(2, 3)), rng.normal(size=(3, 1))
    X, y = datasets.exam_scores()
    dW1, dW2 = numpy_backprop(W1, W2, np.array(X), np.array(y)[:, None])
    model = demo["from_matrices"](W1, W2)
    sse_loss(y, [model(x) for x in X], half=True).backward()
    G1, G2 = demo["to_matrices"](model, "grad")
    # same sums of products, in another order: float64 rounding of numbers of size ~0.1
    np.testing.assert_allclose(dW1, -G1, rtol=0, atol=1e-15)
    np.testing.assert_allclose(dW2, -G2, rtol=0, atol=1e-15)


def test_exam_matrices_round_trip_through_the_named_weights():
    demo = load("exam_scores")
    W1, W2 = np.arange(6.0).reshape(2, 3), np.array([[6.0], [7.0], [8.0]])
    model = demo["from_matrices"](W1, W2)
    assert model.state_dict()["w3"] == W1[0][1]  # h2's weight from x1
    back = demo["to_matrices"](model)
    assert np.array_equal(back[0], W1) and np.array_equal(back[1], W2)


def test_xor_tutorials_d_weights_is_minus_twice_the_gradient_of_its_loss():
    demo = load("xor")
    for seed in range(3):
        model = demo["xor_network"](seed)
        demo["loss_of"](model).backward()
        d_weights = demo["tutorial_d_weights"](model)
        for name, p in model.named_parameters():
            assert d_weights[name] == pytest.approx(-2 * p.grad, rel=1e-12), (seed, name)


# ---------------------------------------------------------------------------- XOR's honest claims


def test_xor_input_00_gives_hidden_0_5_whatever_the_weights_without_biases():
    demo = load("xor")
    for seed in range(3):
        model = demo["xor_network"](seed)
        assert [h.data for h in model.layers[0]([0, 0])] == [0.5, 0.5]


def test_xor_tutorial_network_learns_xor_with_seed_0_least_confident_on_11():
    demo = load("xor")
    model = demo["xor_network"](0)
    demo["train"](model, 1500, lr=2.0)
    preds = demo["predictions"](model)
    errors = [abs(p - t) for p, t in zip(preds, demo["Y"])]
    assert demo["learned_xor"](model)
    assert max(errors) == errors[3] > 0.3  # 11 is the hard row


def test_xor_tutorial_network_fails_from_seed_19_and_biases_fix_it():
    demo = load("xor")
    model = demo["xor_network"](19)
    demo["train"](model, 1500, lr=2.0)
    assert not demo["learned_xor"](model)
    fixed = demo["xor_network"](19, bias=True)
    demo["train"](fixed, 1500, lr=2.0)
    assert demo["learned_xor"](fixed)
    assert max(abs(p - t) for p, t in zip(demo["predictions"](fixed), demo["Y"])) < 0.1


# ---------------------------------------------------------------------------- every demo, run


def test_neuron_demo_prints_the_three_figures(capsys):
    out = run("neuron", capsys=capsys)
    for figure in ("0.9990889488055994", "0.7216325609518421", ": 0.5"):
        assert figure in out


def test_demo_runs_as_a_script_and_through_the_cli_with_the_same_output(tmp_path):
    script = subprocess.run([sys.executable, str(ROOT / "demos" / "neuron.py")], capture_output=True, text=True,
                            env=env_with_repo(), cwd=tmp_path, timeout=60)
    cli = subprocess.run([sys.executable, "-m", "micrograd", "demo", "neuron"], capture_output=True, text=True,
                         env=env_with_repo(), cwd=tmp_path, timeout=60)
    assert script.returncode == cli.returncode == 0, script.stderr + cli.stderr
    assert script.stdout == cli.stdout and "0.7216325609518421" in cli.stdout


def test_gender_demo_loss_falls_and_predicts_emily_f_frank_m(tmp_path, capsys):
    out = run("gender", "--epochs", "200", "--out", str(tmp_path), capsys=capsys)
    losses = [float(v) for v in re.findall(r"Epoch \d+ loss: ([\d.]+)", out)]
    assert len(losses) == 20 and losses[-1] < losses[0] / 10
    emily = float(re.search(r"Emily: ([\d.]+) - F", out).group(1))
    frank = float(re.search(r"Frank: ([\d.]+) - M", out).group(1))
    assert emily > 0.5 > frank
    pytest.importorskip("matplotlib")
    assert (tmp_path / "gender_loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_demos_run_without_matplotlib_and_say_the_picture_was_skipped(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    out = run("gender", "--epochs", "2", "--out", str(tmp_path), capsys=capsys)
    assert "loss curve skipped: matplotlib is not installed" in out
    assert not list(tmp_path.iterdir())


def test_xor_demo_shows_the_slip_the_learned_outputs_and_the_fix(tmp_path, capsys):
    out = run("xor", "--seeds", "2", "--out", str(tmp_path), capsys=capsys)
    assert out.count("ratio -2.000000") == 6
    assert "6 of 6 wrong" in out and out.count("WRONG: 2x too large") == 6
    assert re.search(r"tutorial's network: 00 -> \S+, 01 -> \S+, 10 -> \S+, 11 -> \S+ +\(XOR learned\)", out)
    assert re.search(r"with biases: .*\(XOR learned\)", out)
    assert len(re.findall(r"XOR learned from +\d+ of 2 seeds", out)) == 3


def test_exam_scores_demo_saves_both_formats_and_predicts_4_8(tmp_path, capsys):
    out = run("exam_scores", "--iterations", "300", "--out", str(tmp_path), capsys=capsys)
    assert "0.8567467964249273" in out and "S(1.79832) = 0.8579443067" in out
    gap = float(re.search(r"autograd gradient\| over the 9 weights: (\S+)", out).group(1))
    assert gap < 1e-15
    losses = [float(v) for v in re.findall(r"# +\d+ +loss (\S+)", out)]
    assert losses[-1] < losses[0]
    assert np.loadtxt(tmp_path / "w1.txt").shape == (2, 3) and np.loadtxt(tmp_path / "w2.txt").shape == (3,)
    saved = json.loads((tmp_path / "exam_scores.json").read_text())["parameters"]
    assert saved.keys() == {f"w{i}" for i in range(1, 10)}
    m = re.search(r"scaled \[0.5, 1.0\]\): ([\d.]+) .*\n.*JSON file: ([\d.]+), from w1.txt/w2.txt: ([\d.]+)", out)
    assert m and m.group(1) == m.group(2) == m.group(3) and 0 < float(m.group(1)) < 1


def test_two_layer_demo_learns_xor(capsys):
    out = run("two_layer", capsys=capsys)
    assert "XOR learned" in out and "NOT" not in out


def test_moons_demo_runs_a_few_steps_fast(tmp_path, capsys):
    out = run("moons", "--steps", "2", "--every", "1", "--out", str(tmp_path), capsys=capsys)
    assert len(re.findall(r"step +\d+ loss", out)) == 2 and "training accuracy after 2 steps" in out


def test_moons_training_goes_through_one_replaceable_forward_backward():
    demo = load("moons")
    X, y = demo["moons"](0, n=10)
    model = MLP(2, [4, 1], rng=0)
    calls = []

    def counting(model, X, y):
        calls.append(len(X))
        return demo["eager_forward_backward"](model, X, y)

    history = demo["train"](model, X, y, 3, forward_backward=counting, every=0)
    assert calls == [10, 10, 10] and len(history) == 3


@pytest.mark.slow
def test_moons_demo_reaches_100_percent_training_accuracy(tmp_path, capsys):
    out = run("moons", "--out", str(tmp_path), capsys=capsys)
    assert "training accuracy after 100 steps: 100%" in out
    pytest.importorskip("matplotlib")
    assert (tmp_path / "moons.png").exists()


# ---------------------------------------------------------------------------- finding and running demos


def test_demo_help_lists_every_demo():
    r = subprocess.run([sys.executable, "-m", "micrograd", "demo", "--help"], capture_output=True, text=True,
                       env=env_with_repo(), timeout=60)
    assert r.returncode == 0
    for name in DEMOS:
        assert re.search(rf"^  {name} +\S", r.stdout, re.M), name


def test_unknown_demo_is_a_usage_error_listing_the_demos(capsys):
    assert cli_main(["demo", "nope"]) == 2
    err = capsys.readouterr().err
    assert "unknown demo 'nope'" in err and "exam_scores" in err


def test_a_demos_bad_option_is_a_usage_error(capsys):
    assert cli_main(["demo", "gender", "--epochs", "0"]) == 2
    assert "expected a number >= 1" in capsys.readouterr().err


def test_tour_options_before_a_demo_name_are_a_usage_error(capsys):
    assert cli_main(["demo", "--epochs", "5", "gender"]) == 2
    assert "put the demo's options after its name" in capsys.readouterr().err


def test_find_demo_accepts_file_names_and_dashes():
    assert find_demo("exam-scores") == find_demo("exam_scores.py") == ROOT / "demos" / "exam_scores.py"


def test_find_demo_prefers_the_copy_installed_inside_the_package(tmp_path, monkeypatch):
    import micrograd.cli.demo as demo

    wheel, checkout = tmp_path / "_demos", tmp_path / "demos"
    for folder in (wheel, checkout):
        folder.mkdir()
        (folder / "moons.py").write_text("")
    monkeypatch.setattr(demo, "_demo_dirs", lambda: [wheel, checkout])
    assert find_demo("moons") == wheel / "moons.py"
    (wheel / "moons.py").unlink()
    assert find_demo("moons") == checkout / "moons.py"
    (checkout / "moons.py").unlink()
    with pytest.raises(FileNotFoundError, match="pip install -e"):
        find_demo("moons")


def test_moons_demo_trains_to_100_percent_traced(tmp_path, capsys):
    out = run("moons", "--trace", "--every", "0", "--out", str(tmp_path), capsys=capsys)
    assert "training accuracy after 100 steps: 100%" in out and "(traced; tracing included)" in out


def test_traced_forward_backward_gives_the_eager_loss_and_gradients():
    demo = load("moons")
    X, y = demo["moons"](0, n=10)
    model = MLP(2, [4, 1], rng=0)
    loss, acc = demo["eager_forward_backward"](model, X, y)
    eager = [p.grad for p in model.parameters()]
    traced_loss, traced_acc = demo["traced_forward_backward"](model)(model, X, y)
    # float64 tolerance: the batched sums add the same terms in another order
    assert traced_loss == pytest.approx(loss, rel=1e-12) and traced_acc == acc
    assert [p.grad for p in model.parameters()] == pytest.approx(eager, rel=1e-12, abs=1e-15)


# ---------------------------------------------------------------------------- an --out folder that cannot be made

WRITES_FILES = [name for name in DEMOS if name not in ("neuron", "two_layer")]


@pytest.mark.parametrize("name", WRITES_FILES)
@pytest.mark.parametrize("under_a_file", ["sub", ""])
def test_an_out_folder_that_cannot_be_made_is_a_one_line_usage_error_before_any_work(
        tmp_path, capsys, name, under_a_file):
    afile = tmp_path / "afile"
    afile.write_text("not a folder")
    assert run_demo(name, ["--out", str(afile / under_a_file)]) == 2
    out, err = capsys.readouterr()
    assert out == ""  # nothing was computed (moons would have trained for its 100 steps first)
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"micrograd demo {name}: error: --out ") and f"{afile} is a file, not a folder" in err


def test_a_missing_out_folder_is_created(tmp_path, capsys):
    run("exam_scores", "--iterations", "1", "--out", str(tmp_path / "new" / "folder"), capsys=capsys)
    assert (tmp_path / "new" / "folder" / "exam_scores.json").is_file()


def test_python_m_micrograd_demo_moons_with_a_bad_out_folder_exits_2_at_once(tmp_path):
    (tmp_path / "afile").write_text("")
    r = subprocess.run([sys.executable, "-m", "micrograd", "demo", "moons", "--out", "afile/x"], capture_output=True,
                       text=True, env=env_with_repo(), cwd=tmp_path, timeout=60)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr == "micrograd demo moons: error: --out afile/x: afile is a file, not a folder\n"
