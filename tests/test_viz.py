"""Drawing computation graphs: DOT structure, determinism, the chain rule on the edges, rendering."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import graphviz
import pytest
from support import fake_renderer

from micrograd import MLP, Value, graph, viz
from micrograd.cli.expr import evaluate
from micrograd.nn import Neuron
from micrograd.tutorials import PARAMETER_NAMES, alice_loss, hand_partials
from micrograd.viz import (
    Drawing,
    DrawingTooBig,
    RendererNotFound,
    RenderError,
    RenderTimeout,
    chain_rule_paths,
    draw_dot,
    find_renderer,
    save,
)

ROOT = Path(__file__).resolve().parent.parent
SVG_NS = "{http://www.w3.org/2000/svg}"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------------------- helpers


def records(dot: graphviz.Digraph) -> list[str]:
    """The record labels, in order."""
    return re.findall(r'\[label="(\{.*?\})"[^\n]*shape=record', dot.source)


def op_labels(dot: graphviz.Digraph) -> list[str]:
    return [m.strip('"') for m in re.findall(r"^\tv\d+op \[label=(\S+)", dot.source, re.M)]


def edges(dot: graphviz.Digraph) -> list[str]:
    return [line.strip() for line in dot.source.splitlines() if " -> " in line]


def red_records(dot: graphviz.Digraph) -> list[str]:
    return [
        re.search(r"\{ ([^|]*?) \|", line).group(1).split()[0]
        for line in dot.source.splitlines()
        if "shape=record" in line and viz._RED in line
    ]


def expression() -> tuple[Value, Value, Value, Value]:
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c")
    out = a * b + c
    out.label = "out"
    return a, b, c, out


def tooltips(dot: graphviz.Digraph) -> list[str]:
    return re.findall(r'tooltip="([^"]*)"', dot.source)


def svg_texts(svg: bytes | str) -> list[str]:
    tree = ET.fromstring(svg.encode() if isinstance(svg, str) else svg)
    return [t.text for t in tree.iter(f"{SVG_NS}text") if t.text]


# ---------------------------------------------------------------------------- structure


def test_expression_draws_one_record_per_value_and_one_node_per_op():
    *_, out = expression()
    dot = draw_dot(out)
    # a, b, a*b, c, out: 5 Values; ops * and +; edges a,b -> *, * -> ab, ab,c -> +, + -> out
    assert records(dot) == [
        "{ a | data 2 | grad 0 }",
        "{ b | data -3 | grad 0 }",
        "{ data -6 | grad 0 }",
        "{ c | data 10 | grad 0 }",
        "{ out | data 4 | grad 0 }",
    ]
    assert op_labels(dot) == ["*", "+"]
    assert len(edges(dot)) == 6
    assert dot.values_drawn == dot.values_total == 5


def test_alice_loss_graph_has_the_tutorial_labels_and_counts():
    model, loss = alice_loss()
    loss.backward()
    dot = draw_dot(loss)
    labels = [r.split(" | ")[0].lstrip("{ ") for r in records(dot)]
    for name in [*PARAMETER_NAMES, "sum_h1", "h1", "sum_h2", "h2", "sum_o1", "o1", "L"]:
        assert name in labels
    # 9 parameters + sum_h1, h1, sum_h2, h2, sum_o1, o1, (1 - o1), L
    assert len(labels) == 17
    assert sorted(op_labels(dot)) == sorted(["dot", "sigmoid", "dot", "sigmoid", "dot", "sigmoid", "-", "**"])
    # into ops: 3 + 3 + 5 (the three dots) + 3 sigmoids + 1 (-) + 1 (**) = 16, plus one op -> result each = 8
    assert len(edges(dot)) == 24


def test_records_show_data_and_grad_to_four_significant_digits():
    model, loss = alice_loss()
    loss.backward()
    recs = records(draw_dot(loss))
    assert "{ w1 | data 1 | grad 0.02147 }" in recs  # dL/dw1 = 0.02146953526581111
    assert "{ o1 | data 0.5237 | grad -0.9526 }" in recs  # ypred = 0.5236951740839997
    assert "{ L | data 0.2269 | grad 1 }" in recs


def test_number_format_keeps_four_significant_digits_and_drops_negative_zero():
    assert [viz._num(x) for x in (0.5236951740839997, 1e-7, 123456.0, -0.0, 2.0)] == [
        "0.5237", "1e-07", "1.235e+05", "0", "2",
    ]


def test_a_value_used_twice_by_one_op_gets_two_edges():
    x = Value(3.0, label="x")
    y = x * x
    dot = draw_dot(y, edge_labels=True)
    # both edges carry d(x*x)/dx for that argument = 3; together they give 2x = 6
    assert edges(dot).count("v0 -> v1op [label=3]") == 2


def test_same_graph_gives_byte_identical_dot():
    def build() -> str:
        model, loss = alice_loss()
        loss.backward()
        return draw_dot(loss, edge_labels=True, highlight="w1").source

    assert build() == build()


def test_dot_is_identical_across_processes_with_different_hash_seeds():
    code = (
        "from micrograd.tutorials import alice_loss; from micrograd.viz import draw_dot;"
        "m, L = alice_loss(); L.backward(); print(draw_dot(L, edge_labels=True, highlight='w1').source)"
    )
    outs = [
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    ]
    assert outs[0] == outs[1] and "digraph" in outs[0]


def test_parameters_inputs_and_output_are_coloured_differently():
    n = Neuron(2, activation="tanh", weights=[0.5, -1.0], bias_value=0.1)
    out = n([Value(1.0, label="x1"), Value(2.0, label="x2")])
    src = draw_dot(out).source
    fill = {m[0]: m[1] for m in re.findall(r"\{ (\w+) \|[^\n]*fillcolor=\"(#\w+)\"", src)}
    assert fill["w1"] == fill["w2"] == fill["b1"] == viz._FILL["param"]
    assert fill["x1"] == fill["x2"] == viz._FILL["input"]
    assert fill["o1"] == viz._FILL["output"]
    assert len(set(viz._FILL[k] for k in ("param", "input", "output"))) == 3


def test_params_argument_overrides_the_label_convention():
    a, b, c, out = expression()
    src = draw_dot(out, params=[c]).source
    assert re.search(r'\{ c \|[^\n]*fillcolor="' + viz._FILL["param"], src)
    assert re.search(r'\{ a \|[^\n]*fillcolor="' + viz._FILL["input"], src)


def test_a_neurons_weights_and_bias_are_parameters_whatever_their_labels():
    n = Neuron(2, activation="tanh", weights=[0.5, -1.0], bias_value=0.1)
    n.w[0].label, n.b.label = "weight", "b"  # the lecture calls its bias b
    out = n([Value(1.0, label="x1"), Value(2.0, label="w7")])  # an input labelled like a weight
    src = draw_dot(out).source
    fill = {m[0]: m[1] for m in re.findall(r"\{ (\w+) \|[^\n]*fillcolor=\"(#\w+)\"", src)}
    assert fill["weight"] == fill["w2"] == fill["b"] == viz._FILL["param"]
    assert fill["x1"] == fill["w7"] == viz._FILL["input"]


def test_without_neurons_or_params_leaves_are_drawn_alike_and_params_tells_them_apart():
    # the lecture's neuron, written with + and *: nothing in the graph says which leaf is a parameter
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2, b = Value(-3.0, label="w1"), Value(1.0, label="w2"), Value(6.88, label="b")
    o = (x1 * w1 + x2 * w2 + b).tanh()
    plain = draw_dot(o).source
    assert "green: leaves (inputs or parameters)" in plain and "blue: parameters" not in plain
    assert not re.search(r'fillcolor="' + viz._FILL["param"], plain)
    src = draw_dot(o, params=[w1, w2, b]).source
    assert re.search(r'\{ b \|[^\n]*fillcolor="' + viz._FILL["param"], src)
    assert re.search(r'\{ x1 \|[^\n]*fillcolor="' + viz._FILL["input"], src)
    assert "blue: parameters" in src


def test_labels_with_record_syntax_are_escaped():
    x = Value(1.0, label='a{b}|<c>"d"')
    dot = draw_dot(x * 2)
    assert r'a\{b\}\|\<c\>\"d\"' in dot.source


def test_bad_arguments_are_clear_errors():
    *_, out = expression()
    with pytest.raises(TypeError, match="draw_dot needs a Value"):
        draw_dot(3.0)
    with pytest.raises(ValueError, match="rankdir"):
        draw_dot(out, rankdir="XY")
    with pytest.raises(ValueError, match="collapse"):
        draw_dot(out, collapse="layers")
    with pytest.raises(ValueError, match="max_nodes"):
        draw_dot(out, max_nodes=0)
    with pytest.raises(ValueError, match="timeout must be a positive number of seconds, or None"):
        draw_dot(out, timeout=0)


def test_labels_with_tabs_and_newlines_still_draw():
    dot = draw_dot(Value(1.0, label="a\tb\nc") * 2)
    assert "a\tb\nc" in dot.source


# ---------------------------------------------------------------------------- chain rule on the edges


def test_edge_labels_are_the_local_derivatives():
    a, b, c, out = expression()
    dot = draw_dot(out, edge_labels=True)
    # d(a*b)/da = b = -3, d(a*b)/db = a = 2, d(ab + c)/d(ab) = d(ab + c)/dc = 1
    assert edges(dot) == [
        "v0 -> v2op [label=-3]", "v1 -> v2op [label=2]", "v2op -> v2",
        "v2 -> v4op [label=1]", "v3 -> v4op [label=1]", "v4op -> v4",
    ]


def test_highlight_marks_exactly_the_path_from_w1_to_the_loss():
    model, loss = alice_loss()
    loss.backward()
    dot = draw_dot(loss, highlight="w1")
    assert red_records(dot) == ["w1", "sum_h1", "h1", "sum_o1", "o1", "data", "L"]  # "data": the 1 - o1 node
    red_edges = [e for e in edges(dot) if viz._RED in e]
    assert len(red_edges) == 2 * 6  # into each of the 6 ops on the path, and out of each


def test_highlight_accepts_a_value_and_several_sources():
    model, loss = alice_loss()
    w1 = dict(model.named_parameters())["w1"]
    assert draw_dot(loss, highlight=w1).source == draw_dot(loss, highlight="w1").source
    assert set(red_records(draw_dot(loss, highlight=["w1", "w3"]))) >= {"w1", "w3", "h1", "h2"}


def test_highlight_of_an_unknown_label_lists_the_labels():
    _, loss = alice_loss()
    with pytest.raises(ValueError, match=r"no node labelled 'w9' among the 17 Values of the graph of L \(all were "
                       r"searched\); its labels are: L, b1, b2, b3, h1"):
        draw_dot(loss, highlight="w9")
    with pytest.raises(ValueError, match="not part of this graph"):
        draw_dot(loss, highlight=Value(1.0))


def test_highlight_beyond_the_drawn_part_still_sums_over_every_path():
    model, out = mlp_on_inputs(8)
    out.backward()
    name, w = next((n, p) for n, p in model.named_parameters() if abs(p.grad) > 1e-3)
    dot = draw_dot(out, collapse="none", max_nodes=40, highlight=name)
    assert len(records(dot)) == 40
    # a first-layer weight reaches the output 16 ways in each of the 8 samples; none is drawn in full
    assert f"red: the 128 paths from {name} (not drawn: beyond the 40 nodes nearest to output)" in dot.source
    assert f"doutput/d{name} = {viz._num(w.grad)}" in dot.source
    assert dot.values_total == len(graph.topological_order(out))  # highlighting walked the whole graph
    assert f"the graph has {dot.values_total:,} Values" in dot.source


def test_a_label_matching_many_nodes_sums_for_the_first_few():
    _, out = mlp_on_inputs(8)
    dot = draw_dot(out, collapse="none", max_nodes=40, highlight="x1")  # one x1 per sample
    assert dot.source.count("red: the 1 path") == 0 and dot.source.count("paths from x1") == viz._SOURCES_SUMMED
    assert f"red too: the paths from {8 - viz._SOURCES_SUMMED} more highlighted nodes" in dot.source


def test_caption_gives_the_sum_over_paths_of_products_of_local_derivatives():
    model, loss = alice_loss()
    loss.backward()
    src = draw_dot(loss, highlight="w1").source
    assert "red: the 1 path from w1 to L" in src
    assert f"dL/dw1 = {viz._num(dict(model.named_parameters())['w1'].grad)}" in src


def test_chain_rule_paths_products_sum_to_every_parameter_gradient():
    model, loss = alice_loss()
    loss.backward()
    for name, p in model.named_parameters():
        paths = chain_rule_paths(loss, p)
        assert len(paths) == 1  # in the 2-2-1 network each parameter reaches L along one path
        total = sum(math.prod(d for *_, d in path) for path in paths)
        # the same factors as backward(), multiplied in another order: equal up to rounding
        assert total == pytest.approx(p.grad, rel=1e-12, abs=0), name


def test_the_w1_path_is_the_tutorials_three_factors():
    model, loss = alice_loss()
    w1 = dict(model.named_parameters())["w1"]
    (path,) = chain_rule_paths(loss, w1)
    assert [(c.label, p.label) for c, p, _ in path] == [
        ("w1", "sum_h1"), ("sum_h1", "h1"), ("h1", "sum_o1"), ("sum_o1", "o1"), ("o1", ""), ("", "L"),
    ]
    d = [local for *_, local in path]
    x1, w5 = -2.0, 1.0  # Alice's first input and w5, all weights 1
    s = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731
    h1 = s(-3.0)  # sum_h1 = -2 - 1 + 0 = -3
    ypred = s(2 * h1)  # sum_o1 = h1 + h2 = 2 h1
    # dh1/dw1 = x1 * s'(sum_h1); dypred/dh1 = w5 * s'(sum_o1); dL/dypred = -2 (1 - ypred)
    assert d[0] * d[1] == pytest.approx(x1 * h1 * (1 - h1), rel=1e-14)
    assert d[2] * d[3] == pytest.approx(w5 * ypred * (1 - ypred), rel=1e-14)
    assert d[4] * d[5] == pytest.approx(-2 * (1 - ypred), rel=1e-14)
    hand = hand_partials(model.state_dict(), [-2.0, -1.0], 1.0)["w1"]
    assert math.prod(d) == pytest.approx(hand, rel=1e-14)  # 0.0214695...


def test_chain_rule_paths_of_a_reused_value_and_the_limit():
    x = Value(3.0, label="x")
    y = x * x + x
    paths = chain_rule_paths(y, x)
    assert len(paths) == 3 and sum(math.prod(d for *_, d in p) for p in paths) == 7.0  # 2x + 1
    with pytest.raises(ValueError, match="more than limit=2"):
        chain_rule_paths(y, x, limit=2)
    with pytest.raises(ValueError, match="not part of the graph"):
        chain_rule_paths(y, Value(1.0))


# ---------------------------------------------------------------------------- big graphs


def mlp_on_inputs(batch: int, rng: int = 0) -> tuple[MLP, Value]:
    model = MLP(2, [16, 16, 1], rng=rng)
    outs = [model([Value(0.1 * i, label="x1"), Value(-0.2 * i, label="x2")]) for i in range(1, batch + 1)]
    return model, Value.sum(outs)


def test_collapse_draws_each_neuron_as_one_node():
    model, out = mlp_on_inputs(1)
    dot = draw_dot(out, collapse="neurons", max_nodes=None)
    recs = records(dot)
    # 33 neurons, 2 inputs, the sum; parameters are inside their neurons
    assert len(recs) == 36
    assert sum("relu(w·x + b), 3 params" in r for r in recs) == 16
    assert sum("relu(w·x + b), 17 params" in r for r in recs) == 16
    assert sum("linear(w·x + b), 17 params" in r for r in recs) == 1
    # x1, x2 -> 16 neurons; 16 x 16; 16 -> o1; o1 -> sum op, sum op -> sum
    assert len(edges(dot)) == 32 + 256 + 16 + 2
    assert dot.values_drawn == dot.values_total == 337 + 2 + 33 + 32 + 1


def test_collapsed_edge_label_is_the_neurons_derivative_with_respect_to_its_input():
    n = Neuron(2, activation="tanh", weights=[0.5, -1.0], bias_value=0.1)
    out = n([Value(1.0, label="x1"), Value(2.0, label="x2")])
    dot = draw_dot(out, collapse="neurons", edge_labels=True)
    t = math.tanh(0.5 * 1.0 - 1.0 * 2.0 + 0.1)
    # d tanh(w·x + b) / dx_i = (1 - t²) w_i
    assert edges(dot) == [
        f"v0 -> v2 [label={viz._num((1 - t * t) * 0.5)}]",
        f"v1 -> v2 [label={viz._num((1 - t * t) * -1.0)}]",
    ]


def test_auto_collapses_only_graphs_larger_than_max_nodes():
    _, loss = alice_loss()
    assert "params" not in draw_dot(loss).source  # 17 Values: drawn in full
    _, out = mlp_on_inputs(1)
    assert "relu(w·x + b)" in draw_dot(out).source  # 405 Values > 250


def test_max_nodes_keeps_the_nodes_nearest_the_root_and_says_so():
    _, out = mlp_on_inputs(8)
    dot = draw_dot(out, collapse="none", max_nodes=40)
    assert len(records(dot)) == 40
    assert dot.values_drawn == 40 and dot.values_total is None  # the rest of the graph was not walked
    assert "showing the 40 nodes nearest to output; the graph has more; max_nodes=40" in dot.source
    assert "dashed" in dot.source
    assert "{ data" in records(dot)[-1]  # the root is always kept
    # the nearest 40 are the first 40 found breadth first from the root, whatever the walk's extent
    everything = {m for m in graph.topological_order(out)}
    nearest, queue = [out], [out]
    while len(nearest) < 40:
        for child in queue.pop(0)._prev:
            if child not in nearest and len(nearest) < 40:
                nearest.append(child)
                queue.append(child)
    assert len(everything) > 40
    assert sorted(tooltips(dot)) == sorted(f"{v.label or 'value'}: data={v.data!r} grad={v.grad!r}" for v in nearest)


class Untouchable(Value):
    """A leaf that fails the test when the drawing code looks at its children: it is too far to be walked."""

    __slots__ = ()

    @property
    def _prev(self):
        raise AssertionError("the drawing walked the whole graph to draw a part of it")

    @_prev.setter
    def _prev(self, value):
        pass


def test_a_capped_drawing_walks_only_the_part_it_draws():
    far = Untouchable(1.0, label="far")
    y = far
    for _ in range(2_000):  # 4,000 nodes from the root to the far leaf
        y = (y * 1.0).tanh()
    y = y + Value(2.0, label="near")
    for collapse in ("auto", "none", "neurons"):
        dot = draw_dot(y, collapse=collapse, max_nodes=30)
        assert len(records(dot)) == 30 and "the graph has more" in dot.source
    # a graph that fits is walked whole, and says how big it is
    small = draw_dot((Value(1.0) * 2).tanh(), max_nodes=30)
    assert small.values_total == small.values_drawn == 3 and "the graph has more" not in small.source


def test_a_capped_drawing_of_a_batch_draws_neurons_whole():
    _, out = mlp_on_inputs(8)
    full = draw_dot(out, collapse="neurons", max_nodes=None)
    capped = draw_dot(out, collapse="neurons", max_nodes=20)
    assert len(records(capped)) == 20
    # each neuron drawn is the same box as in the full drawing: no neuron is cut in half by the walk
    assert set(records(capped)) <= set(records(full))
    assert all(("params" in r) or r.startswith("{ data") or r.startswith("{ x") for r in records(capped))


def test_max_nodes_none_draws_everything():
    _, out = mlp_on_inputs(2)
    dot = draw_dot(out, collapse="none", max_nodes=None)
    assert len(records(dot)) == dot.values_total


def test_highlight_of_a_parameter_inside_a_collapsed_neuron():
    model, out = mlp_on_inputs(2)
    out.backward()
    dot = draw_dot(out, collapse="neurons", highlight="w1", max_nodes=None)
    assert "from w1 (drawn inside the neurons that read it)" in dot.source
    w1 = dict(model.named_parameters())["w1"]
    assert f"doutput/dw1 = {viz._num(w1.grad)}" in dot.source


# ---------------------------------------------------------------------------- rendering


def test_svg_through_graphviz_pure_contains_the_labels(pure, tmp_path):
    assert Path(pure).name.startswith("graphviz-pure")
    model, loss = alice_loss()
    loss.backward()
    path = save(draw_dot(loss, edge_labels=True, highlight="w1"), tmp_path / "loss.svg")
    texts = svg_texts(path.read_bytes())
    for text in ("w1", "sum_h1", "h1", "o1", "L", "grad 0.02147", "data 0.5237"):
        assert text in texts


def test_png_through_graphviz_pure(pure, tmp_path):
    *_, out = expression()
    path = save(out, tmp_path / "expr.png", edge_labels=True)
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 1000


def test_pipe_render_and_jupyter_use_the_renderer_lookup(pure, tmp_path):
    *_, out = expression()
    dot = draw_dot(out)
    assert isinstance(dot, Drawing) and isinstance(dot, graphviz.Digraph)
    assert dot.pipe("png").startswith(PNG_MAGIC)
    assert "out" in svg_texts(dot.pipe(encoding="utf-8"))
    rendered = dot.render(outfile=tmp_path / "r.svg")
    assert Path(rendered) == tmp_path / "r.svg" and "out" in svg_texts(Path(rendered).read_bytes())
    bundle = dot._repr_mimebundle_()
    assert list(bundle) == ["image/svg+xml"] and "out" in svg_texts(bundle["image/svg+xml"])
    assert dot._repr_svg_() == bundle["image/svg+xml"]


def test_save_dot_text_needs_no_renderer(no_renderer, tmp_path):
    *_, out = expression()
    path = save(out, tmp_path / "expr.dot")
    assert path.read_text() == draw_dot(out).source


def test_without_a_renderer_building_works_and_rendering_names_the_fix(no_renderer, tmp_path):
    *_, out = expression()
    dot = draw_dot(out)
    assert dot.source.startswith("digraph")
    with pytest.raises(RendererNotFound) as e:
        save(dot, tmp_path / "expr.svg")
    message = str(e.value)
    assert "-m pip install" in message and viz.RENDERER_REQUIREMENT in message and ".source" in message
    assert isinstance(e.value, graphviz.ExecutableNotFound)  # what code written for graphviz catches
    assert not (tmp_path / "expr.svg").exists()
    with pytest.raises(RendererNotFound):
        dot.pipe()
    assert "pip install" in dot._repr_mimebundle_()["text/plain"]  # Jupyter shows the fix, not a traceback
    assert dot._repr_svg_() is None


def test_lookup_finds_graphviz_pure_in_the_scripts_folder_without_path(pure, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: like a venv that is not activated
    found = find_renderer()
    assert found is not None and os.path.dirname(found) in viz._scripts_dirs()


@pytest.mark.skipif(os.name == "nt", reason="uses a script with a shebang as the fake renderer")
def test_lookup_prefers_graphviz_dot_on_path(monkeypatch, tmp_path):
    dot = fake_renderer(tmp_path, "dot", "import sys; sys.stdout.write('fake')")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_renderer() == str(dot)
    assert draw_dot(Value(1.0)).pipe() == b"fake"


@pytest.mark.skipif(os.name == "nt", reason="uses a script with a shebang as the fake renderer")
def test_a_failing_renderer_raises_render_error_with_its_message(monkeypatch, tmp_path):
    fake_renderer(tmp_path, "dot", "import sys; sys.stderr.write('Format: \"pdf\" not recognized'); sys.exit(1)")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RenderError, match="cannot write pdf: use .svg or .png"):
        save(Value(1.0), tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.skipif(os.name == "nt", reason="uses a script with a shebang as the fake renderer")
def test_a_renderer_that_takes_too_long_is_stopped_and_nothing_is_written(monkeypatch, tmp_path):
    pid_file = tmp_path / "pid"
    fake_renderer(tmp_path, "dot", f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); "
                  "time.sleep(60)")
    monkeypatch.setenv("PATH", str(tmp_path))
    _, out = mlp_on_inputs(1)
    start = time.perf_counter()
    with pytest.raises(RenderTimeout) as e:
        save(out, tmp_path / "mlp.svg", timeout=0.5)
    assert time.perf_counter() - start < 30
    message = str(e.value)
    for words in ("did not finish within 0.5 s and was stopped", "nothing was written",
                  "37 boxes and op nodes, showing 405 Values", "max_nodes", "collapse='neurons'", ".dot",
                  "timeout=SECONDS"):
        assert words in message
    assert isinstance(e.value, RenderError) and e.value.seconds == 0.5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dot", "pid"]  # no picture, not even a partial one
    with pytest.raises(ProcessLookupError):  # the renderer was killed, and reaped
        os.kill(int(pid_file.read_text()), 0)
    # the drawing's own limit applies when save is given none, and pipe() uses it too
    dot = draw_dot(out, timeout=0.2)
    with pytest.raises(RenderTimeout):
        save(dot, tmp_path / "mlp.png")
    with pytest.raises(RenderTimeout):
        dot.pipe()
    assert dot._repr_mimebundle_() == {"text/plain": str(RenderTimeout(0.2, dot.size()))}
    assert dot._repr_svg_() is None  # without running the renderer a second time


def test_a_drawing_too_big_to_render_is_refused_before_the_renderer_starts(no_renderer, monkeypatch, tmp_path):
    monkeypatch.setattr(viz, "MAX_RENDER_NODES", 100)
    _, out = mlp_on_inputs(1)
    dot = draw_dot(out, collapse="none", max_nodes=None)
    assert dot.values_drawn == dot.values_total == 405 and dot.nodes == 405 + 66  # 33 dots, 32 relus, 1 sum
    with pytest.raises(DrawingTooBig) as e:  # not RendererNotFound: the renderer is not even looked for
        save(dot, tmp_path / "mlp.svg")
    for words in ("too big to render: 405 Values in 471 boxes and op nodes, more than the 100",
                  "max_nodes=250", "collapse='neurons'", ".dot file"):
        assert words in str(e.value)
    assert not list(tmp_path.iterdir())
    assert save(dot, tmp_path / "mlp.dot").read_text() == dot.source  # the DOT text is written at any size
    assert "too big to render" in dot._repr_mimebundle_()["text/plain"]


@pytest.mark.parametrize("edge_labels", [False, True])
def test_a_value_read_all_along_a_chain_renders_quickly(pure, tmp_path, edge_labels):
    """a+a+...+a: one leaf with an edge to every op of the chain (it took minutes for 100 terms)."""
    from micrograd.cli.expr import evaluate

    total = evaluate("+".join(["a"] * 100), {"a": 1})
    total.backward()
    path = save(total, tmp_path / "sum.svg", edge_labels=edge_labels, timeout=10)
    texts = svg_texts(path.read_bytes())
    assert "grad 100" in texts and "data 100" in texts  # d total / d a: a is read 100 times
    assert sum(t == "+" for t in texts) == 99


def test_drawings_without_long_edges_keep_graphvizs_full_layout():
    model, loss = alice_loss()
    _, out = mlp_on_inputs(1)
    for dot in (draw_dot(loss, edge_labels=True), draw_dot(out, collapse="neurons", edge_labels=True),
                draw_dot(out, collapse="none", max_nodes=None)):
        assert "nslimit" not in dot.source and "splines" not in dot.source
    chain = draw_dot(evaluate("+".join(["a"] * 100), {"a": 1}), edge_labels=True)
    assert "nslimit=2" in chain.source and "splines=line" in chain.source


def test_save_rejects_unknown_extensions_and_stray_options(tmp_path):
    with pytest.raises(ValueError, match="use one of the extensions svg, png, pdf, dot, gv"):
        save(Value(1.0), tmp_path / "x.jpg")
    with pytest.raises(TypeError, match="only apply when saving a Value"):
        save(draw_dot(Value(1.0)), tmp_path / "x.dot", edge_labels=True)


def test_the_renderer_pin_matches_the_viz_and_dev_extras():
    text = (ROOT / "pyproject.toml").read_text()
    for extra in ("viz", "dev"):
        line = re.search(rf"^{extra} = \[(.*)\]$", text, re.M).group(1)
        assert f'"{viz.RENDERER_REQUIREMENT}"' in line, extra


# ---------------------------------------------------------------------------- the committed pictures


def load_make_figures():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_figures", ROOT / "docs" / "make_figures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_pictures_show_what_the_current_code_draws():
    """docs/images/*.svg are made by docs/make_figures.py; rerun it when the drawing changes."""
    figures = load_make_figures().FIGURES
    for name, make in figures.items():
        dot = make()
        fields = {f.strip().replace("\\", "") for r in records(dot) for f in r.strip("{}").split(" | ")}
        shown = set(svg_texts((ROOT / "docs" / "images" / f"{name}.svg").read_bytes()))
        missing = fields - shown
        assert not missing, f"docs/images/{name}.svg is out of date (missing {sorted(missing)[:5]})"
