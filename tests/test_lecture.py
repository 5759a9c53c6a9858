"""Code from the micrograd lecture, with our Value swapped in: what runs, and what says the way forward."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from micrograd import MLP, Value, set_printoptions


def lecture_neuron() -> tuple[Value, dict[str, Value]]:
    """The lecture's neuron: o = tanh(x1*w1 + x2*w2 + b), built op by op as there."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    x1w1x2w2 = x1w1 + x2w2
    x1w1x2w2.label = "x1*w1 + x2*w2"
    n = x1w1x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, {v.label: v for v in (x1, x2, w1, w2, b, x1w1, x2w2, x1w1x2w2, n, o)}


def test_the_lectures_manual_backward_cells_run_node_by_node():
    o, v = lecture_neuron()
    o.grad = 1.0
    for name in ("o", "n", "x1*w1 + x2*w2", "x2*w2", "x1*w1"):  # the lecture's order of cells
        v[name]._backward()
    assert v["n"].grad == pytest.approx(0.5, abs=1e-9)  # 1 - tanh(n)**2 with tanh(n) = 0.7071
    assert (v["x1"].grad, v["w1"].grad) == pytest.approx((-1.5, 1.0), abs=1e-9)
    assert (v["x2"].grad, v["w2"].grad) == pytest.approx((0.5, 0.0), abs=1e-9)
    # and they are the numbers backward() gives
    again, w = lecture_neuron()
    again.backward()
    assert [w[k].grad for k in ("x1", "w1", "x2", "w2", "b")] == [v[k].grad for k in ("x1", "w1", "x2", "w2", "b")]


def test_setting_a_nodes_backward_says_how_ops_are_made_here():
    o, _ = lecture_neuron()
    with pytest.raises(AttributeError, match="_local.*Value.from_op.*custom_op"):
        o._backward = lambda: None


@pytest.mark.parametrize("make", [
    lambda a, b: Value(a.data + b.data, (a, b), "+"),
    lambda a, b: Value(a.data + b.data, _children=(a, b), _op="+"),
    lambda a, b: Value(a.data + b.data, (a, b)),
], ids=["positional", "keywords", "children only"])
def test_the_lectures_internal_constructor_points_to_from_op(make):
    a, b = Value(1.0), Value(2.0)
    with pytest.raises(TypeError, match=r"lecture's engine makes an op's node.*Value\.from_op\(data, children"):
        make(a, b)


def test_full_precision_printing_matches_the_lecture():
    o, _ = lecture_neuron()
    assert repr(o) == "Value(data=0.7071, grad=0.0, label='o')"
    set_printoptions(precision=None)
    try:
        assert repr(o) == f"Value(data={o.data!r}, grad=0.0, label='o')"
        assert o.data == pytest.approx(math.sqrt(0.5), rel=1e-15)
    finally:
        set_printoptions()
    with pytest.raises(ValueError, match="precision"):
        set_printoptions(precision=0)


def test_the_lectures_network_is_one_argument_away():
    # the lecture's MLP uses tanh in every layer, the output too; ours defaults to Karpathy's library's
    # ReLU hidden layers and linear output, so the lecture's network needs its activations named
    model = MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh", rng=0)
    assert "activation='tanh', output_activation='tanh'" in repr(model)
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]
    for _ in range(100):  # the lecture's loop
        loss = sum((yout - ygt) ** 2 for ygt, yout in zip(ys, [model(x) for x in xs]))
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data += -0.05 * p.grad
    assert loss.data < 0.05



def lecture_draw_dot(root: Value):
    """The lecture's own drawing function (a plain graphviz.Digraph), from the lecture companion's cell."""
    import jupytext

    notebook = jupytext.read(Path(__file__).resolve().parent.parent / "notebooks" / "lecture_companion.py")
    [cell] = [c.source for c in notebook.cells if c.cell_type == "code" and "def lecture_draw_dot" in c.source]
    namespace: dict[str, object] = {"L": root}
    exec(cell, namespace)  # the cell ends by drawing L
    return namespace["lecture_draw_dot"](root)

def test_the_lectures_own_drawing_renders_through_as_drawing_without_a_system_graphviz(monkeypatch, tmp_path):
    from micrograd.viz import as_drawing, save

    o, _ = lecture_neuron()
    o.backward()
    dot = lecture_draw_dot(o)
    monkeypatch.setenv("PATH", str(tmp_path))  # no system Graphviz: what a fresh machine has
    drawing = as_drawing(dot)
    assert drawing.source == dot.source and drawing.nodes == 10 + 5  # ten Values, five ops
    svg = drawing._repr_mimebundle_()["image/svg+xml"]  # what Jupyter shows
    assert "data 0.7071" in svg and "grad 0.5000" in svg  # o's box, and n's gradient
    assert save(dot, tmp_path / "lecture.svg").read_text(encoding="utf-8").startswith("<?xml")
