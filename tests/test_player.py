"""The backprop player's steps, texts and HTML, without a browser (tests/test_player_browser.py drives one).

The central promise: replaying the steps reproduces every ``.grad`` of
``backward()`` bit for bit, leaves included, and the two classic mistakes go
wrong exactly where they should.
"""

from __future__ import annotations

import html
import json
import math
import re
import struct
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support import backward_grads

import micrograd
from micrograd import MLP, Value
from micrograd.cli import main
from micrograd.cli.play import EXAMPLES, reuse_graph
from micrograd.gradcheck import check_gradients, gradcheck
from micrograd.graph import topological_order
from micrograd.losses import mse_loss
from micrograd.player import COLLAPSE_ABOVE, GraphTooLarge, Player, play
from micrograd.tutorials import alice_loss, hand_partials

ROOT = Path(__file__).resolve().parent.parent


def replayed(player: Player) -> dict[Value, float]:
    """The gradients the steps leave: each node's value at its last seed or edge step (0 if none)."""
    grads = {v: 0.0 for v in player.graph.values}
    for step in player.steps:
        if step.kind in ("seed", "edge"):
            grads[step.child] = step.grad
    return grads


def completed(player: Player) -> dict[Value, list[float]]:
    """Every node's gradient at each step that says it is complete (once, if all is well)."""
    found: dict[Value, list[float]] = {v: [] for v in player.graph.values}
    for step in player.steps:
        for v in step.complete:
            found[v].append(step.grad)
    return found


def assert_each_completes_once_at_backward(root: Value, **options: object) -> Player:
    """Each node is completed by exactly one step, at the gradient backward() gives it from zeroed gradients."""
    player = assert_replay_is_backward(root, **options)
    expected = backward_grads(root)
    for v, grads in completed(player).items():
        assert len(grads) == 1, (player.names[v], grads)
        assert same_bits(grads[0], expected[v]), (player.names[v], grads[0], expected[v])
    return player


def same_bits(a: float, b: float) -> bool:
    return a.hex() == b.hex() and math.copysign(1.0, a) == math.copysign(1.0, b)


def assert_replay_is_backward(root: Value, **options: object) -> Player:
    player = play(root, **options)
    expected = backward_grads(root)
    got = replayed(player)
    wrong = {player.names[v]: (got[v], g) for v, g in expected.items() if not same_bits(got[v], g)}
    assert not wrong, f"replayed != backward(): {wrong}"
    assert all(same_bits(player.grads()[v], g) for v, g in expected.items())
    return player


def reuse() -> tuple[Value, Value, Value]:
    """karpathy/micrograd PR #64's graph: a = 1; b = a + a; c = b + b."""
    c = reuse_graph()
    b = c._prev[0]
    return b._prev[0], b, c


# ---------------------------------------------------------------------------- the correct walk


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_replaying_every_example_reproduces_backward_bit_for_bit(name):
    root = EXAMPLES[name][1]()[0]
    assert_replay_is_backward(root)


def test_the_tutorials_network_and_karpathys_mlp_replay_exactly():
    model, loss = alice_loss()
    assert_replay_is_backward(loss)
    mlp = MLP(2, [16, 16, 1], rng=1337)
    assert_replay_is_backward(mlp([Value(1.0, label="x1"), Value(-0.5, label="x2")]))
    batch = MLP(2, [4, 4, 1], activation="tanh", rng=3)
    xs = [[0.5, -1.0], [1.5, 0.25], [-0.3, 0.9]]
    assert_replay_is_backward(mse_loss([1.0, -1.0, 0.5], [batch(x) for x in xs]))


def test_sum_and_dot_nodes_with_numbers_and_reuse_replay_exactly():
    a, b, c = Value(0.3, label="a"), Value(-1.7, label="b"), Value(2.5, label="c")
    s = Value.sum([a, 2, b, a, c * a])
    d = Value.dot([a, 0.5, b], [c, s, 3], bias=b)
    loss = (d * s).tanh() + Value.dot([s, d], [s, d])
    assert_replay_is_backward(loss)


def test_a_root_without_children_is_its_own_gradient():
    x = Value(3.0, label="x")
    player = assert_replay_is_backward(x)
    assert [s.kind for s in player.steps] == ["seed"] and player.grads()[x] == 1.0


def test_play_starts_from_zeroed_gradients_and_leaves_the_graph_alone():
    model, loss = alice_loss()
    loss.backward()
    loss.backward()  # the leaves have accumulated two passes
    before = {v: v.grad for v in topological_order(loss)}
    player = play(loss)
    assert {v: v.grad for v in topological_order(loss)} == before
    assert player.grads() == backward_grads(loss)


_UNARY = ["tanh", "sigmoid", "exp", "relu", "sin", "cos", "softplus", "abs"]


@st.composite
def graphs(draw):
    """A random graph: leaves, ops mixing numbers and reuse, Value.sum and Value.dot nodes, ReLUs that are off."""
    nodes = [Value(draw(st.floats(-2, 2)), label=f"x{i}") for i in range(draw(st.integers(1, 4)))]
    for _ in range(draw(st.integers(1, 14))):
        kind = draw(st.sampled_from(["add", "mul", "sub", "num", "unary", "sum", "dot", "pow", "off"]))
        pick = st.sampled_from(nodes)
        a, b = draw(pick), draw(pick)
        if kind == "add":
            v = a + b
        elif kind == "mul":
            v = a * b
        elif kind == "sub":
            v = a - b
        elif kind == "num":
            v = draw(st.sampled_from([lambda x: x * 1.5, lambda x: 2 - x, lambda x: x + 0.25]))(a)
        elif kind == "unary":
            v = getattr(a, draw(st.sampled_from(_UNARY)))()
        elif kind == "sum":
            v = Value.sum([a, b, 0.5, a])
        elif kind == "dot":
            v = Value.dot([a, b], [b, 0.7], bias=a)
        elif kind == "off":  # a ReLU that is off: backward() does not walk below it
            v = (a * b - 1e7).relu() + a
        else:
            v = (a * a + 1) ** 0.5
        if not math.isfinite(v.data) or abs(v.data) > 1e6:
            continue
        nodes.append(v)
    return nodes[-1]


@given(graphs())
def test_random_graphs_replay_exactly_and_every_gradient_completes_once(root):
    player = assert_each_completes_once_at_backward(root)
    # a node takes its turn only once its gradient is complete: all its parents have taken theirs
    done: set[int] = set()
    for s in player.steps:
        if s.kind == "turn":
            assert id(s.node) in done
        done.update(map(id, s.complete))


# ---------------------------------------------------------------------------- below a local derivative of 0


def dead_relu() -> dict[str, Value]:
    """L = relu(x·w + b) + x·x with x·w + b < 0: the ReLU is off, and x is also used where the gradient flows."""
    x, w, b = Value(2.0, label="x"), Value(-1.5, label="w"), Value(0.5, label="b")
    xw = x * w
    s = xw + b
    r = s.relu()
    sq = x * x
    L = r + sq
    for name, node in [("xw", xw), ("s", s), ("r", r), ("sq", sq), ("L", L)]:
        node.label = name
    return {"x": x, "w": w, "b": b, "xw": xw, "s": s, "r": r, "sq": sq, "L": L}


def test_below_a_relu_that_is_off_every_node_still_completes_once_at_autograds_gradient():
    v = dead_relu()
    player = assert_each_completes_once_at_backward(v["L"])
    steps = player.steps
    # 5 forward; the seed; the turns of L, r and sq (not s: backward() does not walk below the ReLU); 5 edges;
    # and one step for w, xw and b, which backward() never reaches
    assert [s.kind for s in steps] == ["forward"] * 5 + ["seed", "turn", "edge", "edge", "turn", "edge", "turn",
                                                         "edge", "edge", "rest"]
    done = {player.names[c]: s.index for s in steps for c in s.complete}
    assert done == {"L": 6, "r": 8, "sq": 9, "s": 11, "x": 14, "w": 15, "xw": 15, "b": 15}
    assert steps[10].lines == ("= 1 · 0 = 0", "backward() stops here: nothing flows below s")
    assert "It is 0: s = −2.5 is not above 0, so the ReLU r is off and its local derivative is 0. So backward() " \
        "does not walk below s: it takes no turn, and its inputs get nothing from it." in steps[10].note
    assert steps[12].lines[-1] == "dL/dx = 0 + 2 = 2   (1 of 2 parents; xw passes nothing)"
    assert steps[12].note == "x waits for 1 more: sq; xw passes nothing (below a local derivative of 0)."
    assert steps[13].note == (
        "x has heard from both parents that pass a gradient on: its gradient is complete. The other one (xw) passes "
        "nothing: it is below a local derivative of 0 (a ReLU that is off), where backward() does not walk. x is a "
        "leaf: this is its .grad.")
    rest = steps[14]
    assert rest.complete == (v["w"], v["xw"], v["b"]) and rest.grad == 0.0 and rest.node is v["w"]
    assert rest.title == "3 nodes backward() never reaches: gradient 0"
    assert rest.lines == ("w, xw, b: gradient 0, as zero_grad() left them",)
    assert rest.note == ("Every path from them to L passes through a local derivative of 0: the ReLU r is off (its "
                         "input is not above 0, so it outputs 0 and its local derivative is 0). So backward() does "
                         "not walk there. That is right: a small change to them does not reach L.")


def test_an_mlp_with_relus_off_completes_every_node_once_and_counts_only_the_parents_that_pass_on():
    mlp = MLP(2, [4, 4, 1], rng=4)  # on this input 2 of the 4 neurons of each hidden layer are off
    out = mlp([Value(1.0, label="x1"), Value(-0.5, label="x2")])
    player = assert_each_completes_once_at_backward(out)
    g = player.graph
    walked = len(g.backward) + sum(len(g.out_edges[p]) for p in g.backward)
    forward = sum(1 for v in g.values if v._prev)
    assert len(player.steps) == forward + 1 + walked + 1 == 77  # every node's turn and edge would be 111
    x1 = next(s for s in player.steps if s.kind == "edge" and s.child.label == "x1" and s.complete)
    assert x1.lines[-1].endswith("(2 of 2 parents; the other 2 pass nothing)")
    assert x1.note == ("x1 has heard from both parents that pass a gradient on: its gradient is complete. The other "
                       "2 pass nothing: each feeds a ReLU that is off (h1, h3), and backward() does not walk below a "
                       "local derivative of 0. x1 is a leaf: this is its .grad.")
    turns = [s.lines[0] for s in player.steps if s.kind == "turn" and "pass nothing" in s.lines[0]]
    assert turns and all(t.endswith("have passed theirs on; the other 2 pass nothing") for t in turns)
    rest = player.steps[-1]
    assert rest.kind == "rest" and rest.title == "16 parameters backward() never reaches: gradient 0"
    assert "of 0: the ReLUs h1, h3, h5, h7 are off (their input is not above 0, so they output 0" in rest.note
    names = [player.names[v] for v in rest.complete]
    assert rest.lines == (f"{', '.join(names[:3])} and 13 more: gradient 0, as zero_grad() left them",)


def test_karpathys_mlp_walks_only_where_relus_are_on():
    model = MLP(2, [16, 16, 1], rng=1337)
    out = model([Value(1.0, label="x1"), Value(-0.5, label="x2")])
    player = assert_each_completes_once_at_backward(out)
    assert len(player.steps) == 553  # 804 if every node took its turn
    x1 = [s for s in player.steps if s.kind == "edge" and s.child.label == "x1"]
    assert len(x1) == 8 and x1[-1].complete and x1[-1].lines[-1].endswith("(8 of 8 parents; the other 8 pass nothing)")
    assert x1[-1].note.startswith("x1 has heard from all 8 parents that pass a gradient on: its gradient is "
                                  "complete. The other 8 pass nothing: each feeds a ReLU that is off (h2, h3, h4 and 5 "
                                  "more), and backward() does not walk below a local derivative of 0.")
    assert player.steps[-1].title == "126 parameters backward() never reaches: gradient 0"


def test_a_weight_of_0_stops_backward_as_a_relu_that_is_off_does():
    from micrograd.tutorials import network

    out = network()([Value(2.0, label="x1"), Value(3.0, label="x2")])  # w5 = 0: h1's local derivative in sum_o1
    player = assert_each_completes_once_at_backward(out)
    h1 = next(s for s in player.steps if s.kind == "edge" and s.child.label == "h1")
    assert "It is 0: the local derivative from sum_o1, w5, is 0. So backward() does not walk below h1" in h1.note
    x2 = next(s for s in player.steps if s.kind == "edge" and s.child.label == "x2")
    assert "The other one (sum_h1) passes nothing: it is below a local derivative of 0 (a factor of 0)" in x2.note
    rest = player.steps[-1]
    assert rest.title == "4 nodes backward() never reaches: gradient 0"  # sum_h1 is not a parameter
    assert rest.lines == ("w1, w2, b1, sum_h1: gradient 0, as zero_grad() left them",)
    assert "passes through a local derivative of 0: w5 = 0 in sum_o1. So backward()" in rest.note


@pytest.mark.parametrize("mode", ["naive", "assign"])
def test_the_mistaken_walks_keep_their_moves_beside_the_rest_step(mode):
    v = dead_relu()
    player = play(v["L"], mode=mode)
    first = next(s.index for s in player.steps if s.kind == "seed")
    moves = player.mistake_walk.moves
    assert [(s.mistake.kind, s.mistake.node) for s in player.steps[first - 1:first - 1 + len(moves)]] == [
        (m.kind, player.graph.values[m.node]) for m in moves]
    kinds = [s.kind for s in player.steps[first - 1:]]  # backward()'s walk, then idle while the other goes on
    assert kinds[:10] == ["seed", "turn", "edge", "edge", "turn", "edge", "turn", "edge", "edge", "rest"]
    assert set(kinds[10:]) <= {"idle"}
    sides = [s.mistake for s in player.steps if s.mistake is not None]
    if mode == "naive":  # the recursion walks below the ReLU too: x hears from all 3 of its parents
        assert len(player.steps) == 20 and player.first_wrong is None
        assert sides[-1].lines[-1] == "dL/dx = 2 + 2 = 4   (3 of 3 parents)"
    else:  # = follows backward()'s walk: x hears from sq twice, and = loses the first
        assert len(player.steps) == 15 and player.first_wrong.node is v["x"] and player.first_wrong.step == 14
        assert sides[-1].lines[-1] == "✗ += gives 2 + 2 = 4"


def test_a_hand_value_for_a_node_backward_never_reaches_is_checked_at_the_rest_step():
    v = dead_relu()
    player = play(v["L"], hand={"w": 0.5, "xw": 0.0, "b": 0.0})
    assert player.summary == "Your derivation: 2 of 3 right. First wrong: w (step 15)."
    wrong = player.first_wrong
    assert wrong.node is v["w"] and wrong.right == 0.0
    assert wrong.message.startswith("The first wrong gradient is w, one backward() never reaches: yours is 0.5, the "
                                    "right one 0")
    assert wrong.message.endswith("Your gradient of xw is right, and it passes nothing on: it is below a local "
                                  "derivative of 0 (a ReLU that is off), where backward() does not walk. So w's is 0 "
                                  "too.")
    assert [line for line in player.steps[14].lines if line.startswith("yours")] == [
        "yours: dL/dw = 0.5   ✗ should be 0", "yours: dL/dxw = 0   ✓ right", "yours: dL/db = 0   ✓ right"]


def test_the_pages_counts_are_of_the_parents_that_pass_a_gradient_on():
    from micrograd.player.page import _geometry, data

    v = dead_relu()
    player = play(v["L"])
    placed, edges, size = _geometry(player)
    payload = data(player, edges, placed, size)
    needs = {node["name"]: node["needs"] for node in payload["nodes"]}
    assert needs == {"x": 2, "w": 0, "xw": 0, "b": 0, "s": 1, "r": 1, "sq": 1, "L": 0}
    rest = payload["steps"][-1]
    assert rest["k"] == "rest" and sorted(rest["d"]) == sorted(player.graph.index[v[n]] for n in ("w", "xw", "b"))
    assert {payload["nodes"][i]["grad"] for i in rest["d"]} == {"0.0"}



def test_the_page_is_sent_each_gradient_as_the_steps_write_it():
    """A tie such as 1.0625 rounds to even, as f"{x:.4g}" does: the boxes show the panel's number, not their own."""
    from micrograd.player.page import _geometry, data

    a, b = Value(1.0625, label="a"), Value(2.0, label="b")
    out = a * b
    out.label = "out"
    for mode in ("correct", "naive"):
        player = play(out, mode=mode)
        placed, edges, size = _geometry(player)
        payload = data(player, edges, placed, size)
        [to_b] = [s for s in payload["steps"] if s["k"] == "edge" and s["c"] == player.graph.index[b]]
        assert to_b["g"] == [player.graph.index[b], "1.0625", "1.062"]
        assert to_b["l"] == ["= 1 · 1.062 = 1.062"]
        if mode == "naive":
            sides = [s["m"] for s in payload["steps"] if "m" in s]
            [side] = [m for m in sides if m["k"] == "edge" and m["c"] == to_b["c"]]
            assert side["g"] == to_b["g"]
    assert {node["name"]: node["gt"] for node in payload["nodes"]} == {"a": "2", "b": "1.062", "out": "1"}



def test_an_edge_step_names_the_edge_it_moves_along():
    from micrograd.player.page import _geometry, data

    player = play(reuse_graph(), mode="naive")
    g = player.graph
    moved = [s for s in player.steps if s.kind == "edge"] + [s.mistake for s in player.steps
                                                             if s.mistake is not None and s.mistake.kind == "edge"]
    assert moved and all(g.values[g.edges[s.edge].parent] is s.node and g.values[g.edges[s.edge].child] is s.child
                         for s in moved)
    assert all(s.edge is None for s in player.steps if s.kind != "edge")
    placed, edges, size = _geometry(player)
    sent = data(player, edges, placed, size)["steps"]
    assert [s.get("e") for s in sent] == [s.edge for s in player.steps]


# ---------------------------------------------------------------------------- what the steps say


def test_the_steps_say_what_the_issue_asks_for_on_alices_loss():
    model, loss = alice_loss()
    steps = play(loss).steps
    titles = [s.title for s in steps]
    assert titles[0] == "sum_h1 = w1·(−2) + w2·(−1) + b1"
    assert steps[0].lines == ("= 1·(−2) + 1·(−1) + 0", "= −3")
    edge = next(s for s in steps if s.kind == "edge" and s.child.label == "sum_h1")
    assert edge.title == "dL/dsum_h1 += dL/dh1 · h1·(1 − h1)"
    assert edge.lines == ("= (−0.2376) · 0.04518 = −0.01073",)
    turn = next(s for s in steps if s.kind == "turn" and s.node.label == "h1")
    assert "complete: its only parent, sum_o1, has passed its share on" in turn.lines
    assert [s.phase for s in steps].count("forward") == 8  # leaves are given, the 8 ops are computed


def test_a_node_with_several_parents_shows_its_running_sum():
    a, b, c = reuse()
    steps = [s for s in play(c).steps if s.kind == "edge" and s.child is a]
    assert [s.lines[-1] for s in steps] == ["dc/da = 0 + 2 = 2   (1 of 2 parents)",
                                             "dc/da = 2 + 2 = 4   (2 of 2 parents)"]
    assert steps[0].complete == () and steps[1].complete == (a,)
    assert "a waits for 1 more: b" in steps[0].note


# ---------------------------------------------------------------------------- the two mistakes


def test_naive_recursion_on_pr64s_graph_passes_b_on_twice_and_a_goes_wrong():
    a, b, c = reuse()
    player = play(c, mode="naive")
    wrong = player.first_wrong
    assert wrong is not None and wrong.node is a and (wrong.got, wrong.right) == (6.0, 4.0)
    side = player.steps[wrong.step - 1].mistake
    assert side.wrong and side.child is a and side.node is b
    assert "passes its gradient on a second time" in side.note and "Run to the end, it gives dc/da = 8" in wrong.message
    # the PR's own order of visits: c, b, a, a, b, a, a (leaves do nothing): turns of c, b, b
    turns = [s.mistake.node.label for s in player.steps if s.mistake is not None and s.mistake.kind == "turn"]
    assert turns == ["c", "b", "b"]
    assert replayed(player) == backward_grads(c)  # the correct walk goes on to the end beside it


def test_naive_recursion_passing_on_an_incomplete_gradient_is_caught_there():
    a = Value(2.0, label="a")
    b = a * 3
    b.label = "b"
    c = b + 1
    c.label = "c"
    loss = b * c  # b is used by the loss and by c: the walk reaches b from the loss before c has passed its share
    loss.label = "L"
    player = play(loss, mode="naive")
    side = player.steps[player.first_wrong.step - 1].mistake
    assert side.node is b and side.child is a and player.first_wrong.node is a
    assert "b has heard from 1 of its 2 parents (still to come: c)" in side.note


def test_assign_overwrites_the_first_contribution_of_a_node_used_twice():
    a, b, c = reuse()
    player = play(c, mode="assign")
    wrong = player.first_wrong
    assert wrong.node is b and (wrong.got, wrong.right) == (1.0, 2.0)
    side = player.steps[wrong.step - 1].mistake
    assert side.title == "dc/db = dc/dc · 1" and "= replaced the 1 that b already had" in side.note
    assert "+= gives 1 + 1 = 2" in side.lines[-1]
    assert "Run to the end, it gives dc/da = 1 instead of 4" in wrong.message


@pytest.mark.parametrize("mode", ["naive", "assign"])
def test_without_reuse_the_mistakes_do_no_harm_and_the_player_says_so(mode):
    model, loss = alice_loss()  # every node of Alice's loss has a single parent
    player = play(loss, mode=mode)
    assert player.first_wrong is None and "used twice" in player.summary


def test_reuse_that_only_ever_loses_zeros_is_called_luck():
    x1, x2 = Value(2.0, label="x1"), Value(3.0, label="x2")
    from micrograd.tutorials import network

    # w1 = w3 = 0 and w2 = 0: each input gets 0 from sum_h1, which = overwrites or is overwritten harmlessly
    player = play(network(w5=0.3, w2=0.0)([x1, x2]), mode="assign")
    assert player.first_wrong is None and "by luck: x1, x2 are used more than once" in player.summary


def test_reuse_below_a_local_derivative_of_0_is_not_called_luck():
    x1, x2 = Value(2.0, label="x1"), Value(3.0, label="x2")
    from micrograd.tutorials import network

    # w5 = 0: backward() does not walk below h1, so x1 and x2 each get one contribution, from sum_h2
    player = play(network()([x1, x2]), mode="assign")
    assert player.first_wrong is None and "luck" not in player.summary
    assert player.summary.startswith("= and += agree on this graph: x1, x2 are used more than once, but each gets "
                                     "a gradient from one parent at most: the others are below a local derivative "
                                     "of 0 (a factor of 0), where backward() does not walk.")


@given(graphs())
def test_a_mistaken_walk_that_never_goes_wrong_ends_with_the_right_gradients(root):
    right = backward_grads(root)
    for mode in ("naive", "assign"):
        player = play(root, mode=mode)
        walk = player.mistake_walk
        if player.first_wrong is None and walk.final is not None:
            for v, g in zip(player.graph.values, walk.final):
                assert g == pytest.approx(right[v], rel=1e-12, abs=1e-300), (mode, player.names[v])
        elif player.first_wrong is not None:
            assert player.steps[player.first_wrong.step - 1].mistake.wrong


# ---------------------------------------------------------------------------- your hand derivation


def test_a_right_hand_derivation_is_all_right():
    model, loss = alice_loss()
    player = play(loss, hand=hand_partials(model.state_dict(), [-2.0, -1.0], 1.0))
    assert all(c.ok for c in player.hand) and player.first_wrong is None
    assert player.summary == "Your derivation: 9 of 9 right."


def test_the_first_wrong_node_is_the_first_one_backward_reaches_with_the_right_value():
    model, loss = alice_loss()
    hand = {"w1": 0.0107, "h1": -0.2, "sum_h1": -0.0107348, "w5": -0.011269220243}
    player = play(loss, hand=hand)
    ok = {c.label: c.ok for c in player.hand}
    assert ok == {"w1": False, "h1": False, "sum_h1": True, "w5": True}
    wrong = player.first_wrong
    assert wrong.node.label == "h1" and wrong.right == pytest.approx(-0.23761755952842809)
    assert "first wrong gradient backward reaches is h1" in wrong.message
    step = player.steps[wrong.step - 1]
    assert step.wrong and step.child is wrong.node
    assert any(line.startswith("yours: dL/dh1 = −0.2   ✗") for line in step.lines)


def test_a_wrong_leaf_below_a_right_parent_points_at_the_local_derivative():
    model, loss = alice_loss()
    player = play(loss, hand={"sum_h1": -0.010734767632905557, "w1": 0.0107347676})
    assert player.first_wrong.node.label == "w1"
    assert "slip is in the step from it to w1: the local derivative is −2." in player.first_wrong.message
    assert "wrong sign and half the right size" not in player.first_wrong.message  # 0.0107 is half of 0.0215


def test_check_gradients_results_are_accepted_as_hand():
    model, loss = alice_loss()
    result = check_gradients({"w1": 0.0214695, "b1": 0.0107348}, loss, raise_exception=False)
    player = play(loss, hand=result)
    assert {c.label: c.ok for c in player.hand} == {"w1": True, "b1": False}
    assert player.first_wrong.node.label == "b1" and "wrong sign" in player.hand[1].verdict


@pytest.mark.parametrize("hand, error, text", [
    ({"q": 1.0}, ValueError, "no node labelled 'q'"),
    ({}, ValueError, "hand is empty"),
    ({"w1": Value(1.0)}, TypeError, "must be the number you derived"),
    ({"w1": math.nan}, ValueError, "must be finite"),
    ([("w1", 1.0)], TypeError, "dict of derivatives by label"),
])
def test_bad_hand_input_is_refused_clearly(hand, error, text):
    model, loss = alice_loss()
    with pytest.raises(error, match=re.escape(text)):
        play(loss, hand=hand)


def test_gradcheck_results_and_ambiguous_labels_are_refused():
    with pytest.raises(TypeError, match="check_gradients"):
        play(Value(1.0) * 2, hand=gradcheck(lambda x: x * 2, [1.0]))
    a = Value(1.0, label="a")
    b = Value(2.0, label="a")
    with pytest.raises(ValueError, match="on 2 nodes"):
        play(a * b, hand={"a": 2.0})


# ---------------------------------------------------------------------------- sizes


def test_big_graphs_collapse_neurons_and_keep_an_element_for_every_node():
    model = MLP(2, [16, 16, 1], rng=1337)
    out = model([Value(1.0, label="x1"), Value(-0.5, label="x2")])
    player = assert_replay_is_backward(out)
    assert len(player.graph) > COLLAPSE_ABOVE and player.collapsed and len(player.boxes) == 35
    ids = [el["data-node-id"] for el in elements(player.html()) if "data-node-id" in el]
    assert sorted(map(int, ids)) == list(range(len(player.graph)))


def test_graphs_too_big_to_play_are_refused_with_how_to_shrink_them():
    model = MLP(2, [16, 16, 1], rng=0)
    loss = mse_loss([0.0] * 12, [model([0.1 * i, -0.2]) for i in range(12)])
    with pytest.raises(GraphTooLarge, match=r"play the loss of one sample, not of a whole batch"):
        play(loss)


@pytest.mark.parametrize("options, text", [
    ({"mode": "recursive"}, "mode must be one of 'correct', 'naive', 'assign'"),
    ({"collapse": "all"}, "collapse must be one of"),
    ({"mode": "naive", "hand": {"w1": 1.0}}, "leave mode at 'correct'"),
])
def test_bad_options_are_refused_clearly(options, text):
    model, loss = alice_loss()
    with pytest.raises(ValueError, match=re.escape(text)):
        play(loss, **options)


def test_play_needs_a_value():
    with pytest.raises(TypeError, match="a list of outputs; play one of them"):
        play(MLP(2, [2, 2], rng=0)([1.0, 2.0]))


# ---------------------------------------------------------------------------- the HTML


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict[str, str]] = []
        self.scripts: list[tuple[dict[str, str], str]] = []
        self._script: dict[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        item = {"tag": tag, **{k: v or "" for k, v in attrs}}
        self.found.append(item)
        if tag == "script":
            self._script = item

    def handle_data(self, data):
        if self._script is not None:
            self.scripts.append((self._script, data))
            self._script = None


def elements(document: str) -> list[dict[str, str]]:
    parser = _Elements()
    parser.feed(document)
    return parser.found


def test_the_html_keeps_the_contract():
    model, loss = alice_loss()
    player = play(loss)
    doc = player.html()
    parser = _Elements()
    parser.feed(doc)
    [payload] = [text for attrs, text in parser.scripts if attrs.get("id") == "micrograd-player-data"]
    assert [attrs.get("type") for attrs, _ in parser.scripts if attrs.get("id") == "micrograd-player-data"] == [
        "application/json"]
    data = json.loads(payload)
    assert len(data["steps"]) == len(player.steps) == 33
    nodes = [el for el in parser.found if "data-node-id" in el]
    assert sorted(int(el["data-node-id"]) for el in nodes) == list(range(17))  # one element per node
    assert all(el["data-grad"] == "" for el in nodes)  # no gradient is complete before the first step
    labels = {el["data-label"] for el in nodes}
    assert {"w1", "b3", "sum_h1", "h1", "o1", "L", ""} <= labels and len(labels) == 17  # 1 − o1 has no label
    actions = {el.get("data-action") for el in parser.found}
    assert {"next", "prev", "start", "end"} <= actions


def test_the_file_is_small_and_refers_to_nothing_outside_itself():
    model, loss = alice_loss()
    doc = play(loss).html()
    assert len(doc.encode()) < 100_000  # well under the 1 MB the issue allows
    for el in elements(doc):
        for attr in ("src", "href", "action", "srcset", "poster"):
            assert el.get(attr, "data:,").startswith(("data:", "#")), (el, attr)
    assert re.findall(r"https?://[^\s\"'<>)]*", doc) == ["http://www.w3.org/2000/svg"]  # a namespace, not a request
    assert "@import" not in doc and "url(http" not in doc and "@font-face" not in doc


def test_the_script_survives_being_put_on_one_line():
    from micrograd.player.page import _asset

    source = (ROOT / "micrograd" / "player" / "player.js").read_text()
    for line in source.splitlines():
        code = line.strip()
        # a comment after code would swallow the rest of the line once the lines are joined
        assert code.startswith("//") or "//" not in code, line
    assert "//" not in _asset("player.js") and "/*" not in _asset("player.css")


def test_the_html_is_the_same_every_time():
    assert play(alice_loss()[1]).html() == play(alice_loss()[1]).html()


def test_labels_cannot_break_out_of_the_page():
    x = Value(1.0, label='</script><script>alert("x")</script>')
    y = x * 2
    y.label = "<b>&amp;"
    doc = play(y).html()
    assert "<script>alert" not in doc and "<b>&amp;" not in doc
    parser = _Elements()
    parser.feed(doc)
    [payload] = [text for attrs, text in parser.scripts if attrs.get("id") == "micrograd-player-data"]
    assert json.loads(payload)["nodes"][0]["label"] == '</script><script>alert("x")</script>'


def test_jupyter_shows_the_document_in_an_iframe():
    model, loss = alice_loss()
    player = play(loss)
    shown = player._repr_html_()
    frame = re.fullmatch(r'<iframe class="micrograd-player" srcdoc="([^"]*)" sandbox="allow-scripts" .*', shown, re.S)
    assert frame and html.unescape(frame.group(1)) == player.html()
    assert "<script" not in shown.split("srcdoc=")[0]


def test_save_writes_the_document_and_wants_an_html_name(tmp_path):
    player = play(alice_loss()[1])
    assert player.save(tmp_path / "p.html").read_text(encoding="utf-8") == player.html()
    with pytest.raises(ValueError, match=r"\.html"):
        player.save(tmp_path / "p.svg")


def test_importing_micrograd_play_loads_neither_numpy_nor_graphviz():
    code = ("import sys, micrograd; from micrograd import Value; micrograd.play(Value(2.0) * 3).html(); "
            "print(sorted(m for m in ('numpy', 'graphviz') if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip() == "[]", r.stderr
    assert micrograd.play is play


# ---------------------------------------------------------------------------- the command


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_play_command_writes_an_example(in_tmp, capsys):
    assert main(["play", "gender-loss", "-o", "alice.html"]) == 0
    assert "wrote alice.html (17 values, 33 steps)" in capsys.readouterr().out
    assert 'id="micrograd-player-data"' in (in_tmp / "alice.html").read_text(encoding="utf-8")


def test_play_command_takes_expressions_modes_and_hand_values(in_tmp, capsys):
    assert main(["play", "(a*b + c).tanh()", "a=2", "b=-3", "c=10"]) == 0
    assert (in_tmp / "expression.html").exists()
    assert main(["play", "reuse", "--mode", "naive"]) == 0
    assert "goes wrong first at step 11: dc/da becomes 6, where backward() has 4" in capsys.readouterr().out
    assert main(["play", "gender-loss", "--hand", "w1=0.0107", "-o", "h.html"]) == 0
    assert "Your derivation: 0 of 1 right. First wrong: w1" in capsys.readouterr().out


@pytest.mark.parametrize("argv, text", [
    (["play", "nosuch"], "unknown example 'nosuch'"),
    (["play", "a*", "a=1"], "micrograd play: error:"),
    (["play", "gender-loss", "-o", "x.svg"], "ending in .html"),
    (["play", "gender-loss", "--hand", "w1"], "expected LABEL=VALUE"),
    (["play", "gender-loss", "--hand", "zz=1"], "no node labelled 'zz'"),
    (["play", "neuron", "a=1"], "takes no VAR=VALUE"),
])
def test_play_command_usage_errors_exit_2(in_tmp, capsys, argv, text):
    assert main(argv) == 2
    assert text in capsys.readouterr().err


# ---------------------------------------------------------------------------- the docs' files


def test_the_committed_player_of_alices_loss_is_up_to_date():
    committed = (ROOT / "docs" / "player_alice.html").read_text(encoding="utf-8")
    assert committed == play(alice_loss()[1]).html(), "regenerate it: python docs/make_player_screenshot.py"


@pytest.mark.parametrize("name", ["player.png", "player-naive.png"])
def test_the_docs_pictures_of_the_player_are_the_scripts_screenshots(name):
    data = (ROOT / "docs" / "images" / name).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1400, 820)  # the script's window
    assert f"IMAGES / {name!r}".replace("'", '"') in (ROOT / "docs" / "make_player_screenshot.py").read_text()
