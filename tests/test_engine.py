"""Value: every op's value and derivative, the graph, backward, and bad inputs."""

from __future__ import annotations

import math
import threading

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from op_registry import BINARY, UNARY

from micrograd import Value, no_grad
from micrograd.engine import is_grad_enabled

EPS = 1e-6
# Central differences in float64: truncation error ~eps² * f''' and rounding error
# ~1e-16 * |f| / eps, both far below 1e-6 relative for the smooth, bounded inputs used here.
RTOL, ATOL = 1e-6, 1e-8

finite = st.floats(-10, 10, allow_nan=False, allow_infinity=False)


def central(f, x: float) -> float:
    return (f(x + EPS) - f(x - EPS)) / (2 * EPS)


def grad_of(op, *xs: float) -> list[float]:
    vs = [Value(x) for x in xs]
    op(*vs).backward()
    return [v.grad for v in vs]


# ------------------------------------------------------------------ values and derivatives


@pytest.mark.parametrize("u", UNARY, ids=lambda u: u.name)
@pytest.mark.parametrize("raw", [-2.3, -0.7, 0.4, 1.9])
def test_unary_value_and_derivative_match_float_math(u, raw):
    x = u.safe(raw)
    assert u.op(Value(x)).data == pytest.approx(u.ref(x), rel=1e-14, abs=1e-300)
    (g,) = grad_of(u.op, x)
    assert g == pytest.approx(central(u.ref, x), rel=RTOL, abs=ATOL)


@pytest.mark.parametrize("b", BINARY, ids=lambda b: b.name)
@pytest.mark.parametrize("raw", [(-1.5, 0.8), (0.3, -2.2), (2.0, 3.0)])
def test_binary_value_and_derivatives_match_float_math(b, raw):
    x, y = b.safe_a(raw[0]), b.safe_b(raw[1])
    assert b.op(Value(x), Value(y)).data == pytest.approx(b.ref(x, y), rel=1e-14)
    gx, gy = grad_of(b.op, x, y)
    assert gx == pytest.approx(central(lambda t: b.ref(t, y), x), rel=RTOL, abs=ATOL)
    assert gy == pytest.approx(central(lambda t: b.ref(x, t), y), rel=RTOL, abs=ATOL)


@pytest.mark.parametrize("b", BINARY, ids=lambda b: b.name)
def test_binary_ops_accept_numbers_on_either_side(b):
    x, y = b.safe_a(1.3), b.safe_b(0.7)
    assert b.op(Value(x), y).data == pytest.approx(b.ref(x, y), rel=1e-14)
    assert b.op(x, Value(y)).data == pytest.approx(b.ref(x, y), rel=1e-14)


@pytest.mark.parametrize("u", UNARY, ids=lambda u: u.name)
@given(raw=finite)
def test_unary_derivative_property(u, raw):
    x = u.safe(raw)
    (g,) = grad_of(u.op, x)
    assert g == pytest.approx(central(u.ref, x), rel=1e-5, abs=1e-7)


@pytest.mark.parametrize("b", BINARY, ids=lambda b: b.name)
@given(rx=finite, ry=finite)
def test_binary_derivative_property(b, rx, ry):
    x, y = b.safe_a(rx), b.safe_b(ry)
    assume(abs(b.ref(x, y)) < 1e8)
    gx, gy = grad_of(b.op, x, y)
    assert gx == pytest.approx(central(lambda t: b.ref(t, y), x), rel=1e-5, abs=1e-7)
    assert gy == pytest.approx(central(lambda t: b.ref(x, t), y), rel=1e-5, abs=1e-7)


# ------------------------------------------------------------------ random expression graphs

# A program is a list of instructions; each applies an op to earlier results
# (the leaves come first), so results can be reused: a DAG, not just a tree.
N_LEAVES = 3
instruction = st.one_of(
    st.tuples(st.just("u"), st.integers(0, len(UNARY) - 1), st.integers(0, 100)),
    st.tuples(st.just("b"), st.integers(0, len(BINARY) - 1), st.integers(0, 100), st.integers(0, 100)),
)
program_st = st.lists(instruction, min_size=1, max_size=12)
leaves_st = st.lists(st.floats(-2, 2, allow_nan=False), min_size=N_LEAVES, max_size=N_LEAVES)


def run_program(program, leaves, make_leaf=None, shifts=None):
    """Evaluate ``program`` on Values made by ``make_leaf``, or on plain floats if it is None.

    Each op's input is moved by a constant ``safe(x) - x`` (away from kinks and
    domain edges), and squashed with tanh before ops that can blow up, to keep
    every intermediate finite. The constants are recorded into ``shifts`` on the
    first run and reused when it is passed back, so that perturbed runs compute
    the very same function. Returns the result, the distance of every relu/abs
    input from its kink, and the shifts.
    """
    on_values = make_leaf is not None
    vals = [make_leaf(x) for x in leaves] if on_values else list(leaves)
    kinks = []
    recorded = [] if shifts is None else None
    shift_iter = iter(shifts or ())

    def shift(x, safe):
        if recorded is None:
            return x + next(shift_iter)
        recorded.append(safe(_data(x)) - _data(x))
        return x + recorded[-1]

    for ins in program:
        if ins[0] == "u":
            u = UNARY[ins[1]]
            a = vals[ins[2] % len(vals)]
            a = _squash(a) if u.grows_fast else a
            a = shift(a, u.safe)
            if u.name in ("relu", "abs"):
                kinks.append(abs(_data(a)))
            vals.append(u.op(a) if on_values else u.ref(a))
        else:
            b = BINARY[ins[1]]
            a, c = vals[ins[2] % len(vals)], vals[ins[3] % len(vals)]
            if b.grows_fast:
                a, c = _squash(a), _squash(c)
            a = shift(a, b.safe_a)
            c = shift(c, b.safe_b)
            vals.append(b.op(a, c) if on_values else b.ref(a, c))
    return vals[-1], kinks, (shifts if recorded is None else recorded)


def _data(x):
    return x.data if isinstance(x, Value) else x


def _squash(x):
    return x.tanh() if isinstance(x, Value) else math.tanh(x)


@given(program=program_st, leaves=leaves_st)
def test_random_expression_graphs_match_finite_differences(program, leaves):
    made: list[Value] = []

    def make_leaf(x):
        made.append(Value(x))
        return made[-1]

    try:
        out, kinks, shifts = run_program(program, leaves, make_leaf)
    except (ValueError, ZeroDivisionError, OverflowError):
        assume(False)  # a safe-map shift can still land on a domain edge; skip those
    # Finite differences are meaningless across a kink or for huge results.
    assume(all(k > 1e-3 for k in kinks) and abs(out.data) < 1e6)
    assert out.data == pytest.approx(run_program(program, leaves, None, shifts)[0], rel=1e-12, abs=1e-300)
    out.backward()
    for i, v in enumerate(made):

        def f(t, i=i):
            return run_program(program, [t if j == i else x for j, x in enumerate(leaves)], None, shifts)[0]

        assert v.grad == pytest.approx(central(f, leaves[i]), rel=1e-4, abs=1e-6), (program, leaves, i)


# ------------------------------------------------------------------ graph structure and backward


def test_prev_is_an_ordered_tuple_and_op_is_named():
    a, b = Value(2.0), Value(3.0)
    c = a * b
    assert c._prev == (a, b) and c._op == "*"
    assert (b - a)._prev == (b, a)
    assert a.sigmoid()._op == "sigmoid"


def test_numbers_are_folded_into_the_node_not_made_into_children():
    a = Value(2.0)
    c = a * 3
    assert c._prev == (a,) and c.data == 6.0


def test_a_node_used_many_times_gets_the_sum_of_its_paths():
    x = Value(1.5)
    y = Value.sum(x * x for _ in range(1000))
    y.backward()
    assert x.grad == pytest.approx(1000 * 2 * 1.5, rel=1e-12)


def test_same_value_on_both_sides_of_an_op():
    x = Value(3.0)
    (x * x).backward()
    assert x.grad == 6.0


def test_backward_accumulates_into_leaves_like_pytorch():
    x = Value(2.0)
    y = x * x * 3  # dy/dx = 6x = 12
    y.backward()
    y.backward()
    assert x.grad == 24.0  # accumulated, not 12 and not 36


def test_backward_through_a_shared_subgraph_of_two_losses():
    x = Value(2.0)
    h = x * x
    (h * 3).backward()
    (h + 1).backward()
    assert x.grad == pytest.approx(6 * 2 + 2 * 2)


def test_zeroing_grad_gives_a_fresh_gradient():
    x = Value(2.0)
    y = x.tanh()
    y.backward()
    first = x.grad
    x.grad = 0.0
    y.backward()
    assert x.grad == first


def test_a_chain_of_a_million_nodes_backpropagates_without_recursion():
    c, n = 1.000001, 1_000_000
    x0 = Value(1.0)
    x = x0
    for _ in range(n // 2):
        x = x * c + 0.0
    x.backward()
    assert x0.grad == pytest.approx(c ** (n // 2), rel=1e-9)


def test_sum_is_one_node_with_every_value_as_child():
    xs = [Value(float(i)) for i in range(5)]
    s = Value.sum([*xs, 10])
    assert s.data == 20.0 and s._prev == tuple(xs) and s._op == "sum"
    s.backward()
    assert [x.grad for x in xs] == [1.0] * 5


def test_sum_adds_in_the_same_order_as_builtin_sum():
    rng = np.random.default_rng(0)
    xs = [Value(float(v)) for v in rng.normal(size=1000) * 1e3]
    assert Value.sum(xs).data == sum(xs).data


def test_dot_is_one_node_with_weights_inputs_and_bias():
    w = [Value(0.5), Value(-2.0)]
    x = [Value(3.0), 4.0]
    b = Value(1.0)
    out = Value.dot(w, x, b)
    assert out.data == 1.0 + 0.5 * 3.0 - 2.0 * 4.0
    assert out._prev == (w[0], x[0], w[1], b)
    out.backward()
    assert (w[0].grad, x[0].grad, w[1].grad, b.grad) == (3.0, 0.5, 4.0, 1.0)


def test_dot_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="got 2 and 1"):
        Value.dot([Value(1.0), Value(2.0)], [1.0])


def test_no_grad_records_no_children_and_restores_state():
    x = Value(1.0)
    with no_grad():
        assert not is_grad_enabled()
        y = x * 2 + 1
    assert is_grad_enabled()
    assert y._prev == () and y.data == 3.0
    assert (x * 2)._prev == (x,)


def test_repr_shows_data_grad_and_label():
    assert repr(Value(0.7216325609518421)) == "Value(data=0.7216, grad=0.0)"
    assert repr(Value(2, label="w1")) == "Value(data=2.0, grad=0.0, label='w1')"


def test_numpy_scalars_work_on_either_side():
    v = Value(np.float32(2.0))
    assert type(v.data) is float
    assert isinstance(np.float64(3.0) * v, Value)
    assert (np.float64(3.0) * v).data == 6.0
    assert (v + np.int64(1)).data == 3.0


# ------------------------------------------------------------------ numerical safety


@pytest.mark.parametrize("x", [1000.0, -1000.0, 1e300, -1e300])
def test_sigmoid_and_tanh_are_finite_at_large_inputs(x):
    for op, limit in ((Value.sigmoid, 1.0 if x > 0 else 0.0), (Value.tanh, math.copysign(1.0, x))):
        v = Value(x)
        out = op(v)
        out.backward()
        assert out.data == limit
        assert v.grad == 0.0


def test_softplus_is_finite_for_large_inputs():
    assert Value(1000.0).softplus().data == 1000.0
    assert Value(-1000.0).softplus().data == 0.0


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    "bad, kind",
    [("1.0", "str"), (None, "NoneType"), ([1.0], "list"), (1j, "complex"), (True, "bool")],
)
def test_value_rejects_non_real_data_naming_the_type(bad, kind):
    with pytest.raises(TypeError, match=kind):
        Value(bad)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_value_rejects_non_finite_data(bad):
    with pytest.raises(ValueError, match="finite"):
        Value(bad)


def test_label_must_be_a_string():
    with pytest.raises(TypeError, match="label"):
        Value(1.0, label=3)


def test_karpathys_internal_constructor_form_points_to_from_op():
    a = Value(2.0)
    with pytest.raises(TypeError, match="Value.from_op"):
        Value(4.0, (a, a))  # Karpathy: Value(data, _children, _op)


def test_operand_of_the_wrong_type_is_named():
    with pytest.raises(TypeError, match=r"'\+'.*str"):
        Value(1.0) + "2"
    with pytest.raises(TypeError, match=r"'\*'.*list"):
        [1] * Value(1.0)


@pytest.mark.parametrize(
    "make, err, words",
    [
        (lambda: Value(-1.0).log(), ValueError, ["log", "-1"]),
        (lambda: Value(0.0).log(), ValueError, ["log", "0"]),
        (lambda: Value(0.0) ** -1, ZeroDivisionError, ["0 ** -1"]),
        (lambda: Value(0.0) ** 0.5, ZeroDivisionError, ["0 ** 0.5"]),
        (lambda: Value(-8.0) ** (1 / 3), ValueError, ["-8", "negative base"]),
        (lambda: Value(1000.0).exp(), OverflowError, ["exp(1000)"]),
        (lambda: Value(-2.0) ** Value(2.0), ValueError, ["positive base"]),
        (lambda: 0 ** Value(2.0), ValueError, ["positive base"]),
        (lambda: Value(1.0) / 0, ZeroDivisionError, ["division"]),
        (lambda: Value(1.0) / Value(0.0), ZeroDivisionError, ["division"]),
        (lambda: 1 / Value(0.0), ZeroDivisionError, ["division"]),
        (lambda: Value(-1.0).sqrt(), ValueError, ["sqrt(-1)"]),
        (lambda: Value(1e200) * 1e200, OverflowError, ["'*'", "overflow"]),
        (lambda: Value(1e200) ** 2, OverflowError, ["overflow"]),
        (lambda: Value(2.0) * math.nan, ValueError, ["NaN"]),
        (lambda: 1 / Value(1e-170), OverflowError, ["derivative of 1 / 1e-170"]),
        (lambda: Value(1.0) / Value(1e-170), OverflowError, ["derivative of 1 / 1e-170"]),
        (lambda: Value(1e-170) ** -1, OverflowError, ["derivative of 1e-170 ** -1"]),
        (lambda: Value(5e-324).log(), OverflowError, ["derivative of log(4.94066e-324)"]),
        (lambda: Value(2.0) ** Value(1023.5), OverflowError, ["2 ** 1023.5"]),
        (lambda: Value(10**400), ValueError, ["too large for a float"]),
        (lambda: Value(Value(1.0)), TypeError, ["Value(v.data)"]),
    ],
)
def test_undefined_results_raise_a_clear_error(make, err, words):
    with pytest.raises(err) as info:
        make()
    for w in words:
        assert w in str(info.value)


def test_no_grad_as_a_decorator_survives_recursion():
    @no_grad()
    def depth(n):
        return Value(1.0) if n == 0 else depth(n - 1) * 2

    assert depth(3)._prev == ()
    assert is_grad_enabled()
    x = Value(1.0)
    assert (x * 2)._prev == (x,)


# ------------------------------------------------------------------ subclasses


class Tagged(Value):
    """A subclass such as a learner might write: a Value with a note attached."""

    def __init__(self, data, note=""):
        super().__init__(data)
        self.note = note


def test_a_subclass_works_wherever_a_value_does():
    a, b = Tagged(2.0, "a"), Value(3.0)
    for out in (a * b, b * a, a + b, b - a, a / b, b ** a, a ** 2, 3 - a, Value.sum([a, b, 1]), Value.dot([a], [b])):
        assert type(out) is Value and a in out._prev
    loss = Value.sum([a * b, (a - b).tanh(), Value.from_op(a.data ** 2, [a], [2 * a.data], "square"), a ** b])
    loss.backward()
    expected = 3.0 + (1 - math.tanh(-1.0) ** 2) + 4.0 + 3.0 * 2.0 ** 2
    assert a.grad == pytest.approx(expected, rel=1e-15)


def test_a_subclass_is_refused_nowhere_as_an_operand():
    a = Tagged(2.0)
    assert (1.5 * a).data == 3.0 and (a * a)._prev == (a, a)
    with pytest.raises(TypeError, match="takes a number, got a Value"):
        Value(a)


# ------------------------------------------------------------------ no_grad is per thread


def test_no_grad_in_one_thread_leaves_other_threads_recording():
    inside, done = threading.Event(), threading.Event()

    def evaluate():
        with no_grad():
            inside.set()
            done.wait(5)

    t = threading.Thread(target=evaluate)
    t.start()
    inside.wait(5)
    try:
        x = Value(3.0)
        y = x * x
        assert is_grad_enabled() and y._prev == (x, x)
        y.backward()
        assert x.grad == 6.0  # as in PyTorch, whose grad mode is per thread
    finally:
        done.set()
        t.join(5)


def test_no_grad_on_a_generator_applies_to_its_body_not_to_its_consumer():
    x = Value(2.0)

    @no_grad()
    def doubled(values):
        for v in values:
            assert not is_grad_enabled()
            yield v * 2

    for item in doubled([x, x]):
        assert item._prev == () and is_grad_enabled()
        assert (item * x)._prev == (item, x)
    assert is_grad_enabled()


def test_no_grad_generator_passes_sends_throws_and_close_through():
    @no_grad()
    def echo():
        received = yield "ready"
        while True:
            try:
                received = yield (received, is_grad_enabled())
            except KeyError:
                received = "caught"

    gen = echo()
    assert next(gen) == "ready"
    assert gen.send("a") == ("a", False)
    assert gen.throw(KeyError()) == ("caught", False)
    gen.close()
    assert is_grad_enabled()


# ------------------------------------------------------------------ backward checks what it produces


def test_a_zero_local_derivative_stops_an_infinite_gradient_as_in_pytorch():
    x = Value(-1.0)
    r = x.relu()
    (r * 1e200 * 1e200).backward()
    assert x.grad == 0.0  # not NaN


def test_a_gradient_too_large_for_a_float_is_an_error_naming_the_node():
    w = Value(1.0, label="w")
    with pytest.raises(OverflowError, match=r"gradient of 'w' would be inf.*'\*' node passes it 1e\+154 x 2e\+154"):
        ((1e154 * w) ** 2).backward()


def test_an_infinite_gradient_is_not_passed_on_through_a_nonzero_derivative():
    x = Value(1.0, label="x")
    small = x.tanh() * 1e-300  # every value stays finite; d out / d small is 1e400
    with pytest.raises(OverflowError, match=r"gradient of the '\*' node is inf.*would pass it on"):
        (small * 1e200 * 1e200).backward()


def test_a_weighted_sum_with_a_large_gradient_is_checked_too():
    a, b = Value(1e200, label="a"), Value(1e-10, label="b")
    out = Value.dot([a, a], [b, b]) * 1e110  # 2e300, but d out / d b = 2e310
    with pytest.raises(OverflowError, match="gradient of 'b' would be inf"):
        out.backward()


def test_a_sum_of_finite_contributions_too_large_for_a_float_is_an_error_at_any_incoming_gradient():
    # every product local * g is finite (g = 1), but w is used three times and the sum is not
    w, c = Value(1e-300, label="w"), Value(1.5e308, label="c")
    with pytest.raises(OverflowError, match="gradient of 'w' would be inf"):
        Value.dot([w, w, w], [c, c, c]).backward()


def test_backward_of_a_result_computed_under_no_grad_is_an_error():
    x = Value(2.0)
    with no_grad():
        y = x * 3
    with pytest.raises(RuntimeError, match="computed inside no_grad"):
        y.backward()
    Value(1.0).backward()  # a leaf is its own graph: allowed, as in PyTorch


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda: Value(2.0) / math.inf, ["'/'", "finite", "inf"]),
        (lambda: Value(2.0) ** math.inf, ["'**'", "finite"]),
        (lambda: math.inf ** Value(-1.0), ["'**'", "finite"]),
        (lambda: Value(2.0) + 10**400, ["'+'", "too large for a float"]),
        (lambda: Value(2.0) * math.inf, ["number mixed into '*' is inf"]),
        (lambda: 3.0 - Value(2.0) * 0 + math.nan, ["NaN"]),
    ],
)
def test_a_number_that_is_not_finite_is_refused_by_every_op(make, words):
    with pytest.raises(ValueError) as info:
        make()
    for w in words:
        assert w in str(info.value)


# ------------------------------------------------------------------ pruning along zero local derivatives


def reference_gradients(root):
    """d root / d node for every node, by the chain rule over every edge (no pruning), from zero."""
    from micrograd.graph import topological_order

    grads = {v: 0.0 for v in topological_order(root)}
    grads[root] = 1.0
    for node in reversed(topological_order(root)):
        for child, d in zip(node._prev, node._local):
            grads[child] += d * grads[node]
    return grads


def test_backward_skips_what_a_zero_local_derivative_cuts_off_and_stays_right_when_repeated():
    from micrograd import MLP

    model = MLP(2, [4, 4, 1], rng=3)
    points = [[0.3, -1.2], [2.0, 0.5], [-1.5, 1.1], [0.1, 0.2]]
    loss = Value.sum((1 - label * model(x)).relu() for x, label in zip(points, [1, -1, 1, -1]))
    expected = reference_gradients(loss)
    assert any(v._op == "relu" and v._local[0] == 0.0 for v in expected)  # some ReLUs are off
    loss.backward()
    for v, g in expected.items():
        assert v.grad == pytest.approx(g, rel=1e-12, abs=1e-300), v
        if g == 0.0:
            assert v.grad == 0.0  # exactly
    loss.backward()
    for v, g in expected.items():
        assert v.grad == pytest.approx(2 * g if not v._prev else g, rel=1e-12, abs=1e-300), v  # leaves add up
