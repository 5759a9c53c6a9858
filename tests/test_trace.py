"""micrograd.trace: a traced program computes what the eager engine computes, for a whole batch.

Every comparison runs the same function both ways: eagerly, one graph per sample,
combined with `Value.sum` (divided by the batch size for the mean) and `backward()`;
and traced, one numpy program for the batch.
"""

from __future__ import annotations

import importlib.util
import math
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from op_registry import BINARY, UNARY

from micrograd import MLP, SGD, Value, hinge_loss, no_grad, sse_loss
from micrograd.datasets import exam_scores, gender, make_moons, xor
from micrograd.ops import OPS
from micrograd.trace import TraceError, trace
from micrograd.tutorials import network

# the module itself: `micrograd.trace`, the attribute, is the function once the package exports it
trace_module = importlib.import_module("micrograd.trace")

# The target: traced results equal the eager engine's to 1e-12, element by element, relative.
# Elementwise ops compute the engine's formulas in the engine's order; a matmul or reduceat adds up
# in another order than the engine's left-to-right loop, which changes only the last bits of sums
# that do not cancel.
REL = 1e-12


def assert_close(traced, eager, what: str, scale: float = 0.0) -> None:
    """``|traced - eager| <= REL * (|eager| + scale)``: ``scale`` is 0 unless a test says why."""
    traced, eager = np.asarray(traced, dtype=float), np.asarray(eager, dtype=float)
    np.testing.assert_allclose(traced, eager, rtol=REL, atol=REL * scale, err_msg=what)


def rounding_scales(roots: list[Value]) -> tuple[float, float]:
    """The largest term any node adds up, in the forward pass and in the backward pass.

    A sum that cancels (terms near 1, result near 1e-14) keeps a rounding error of the
    size of its terms whatever the order of addition, so random graphs, which do cancel,
    are compared with this scale as the absolute part of the tolerance.
    """
    values = grads = 0.0
    seen, stack = set(), list(roots)
    while stack:
        v = stack.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        values, grads = max(values, abs(v.data)), max(grads, abs(v.grad))
        for child, local in zip(v._prev, v._local):
            values = max(values, abs(local * child.data))
            grads = max(grads, abs(local * v.grad))
            stack.append(child)
    return values, grads


def eager_batch(fn, params, arrays, reduction="mean", scales=None):
    """Per-sample outputs and parameter gradients of fn on a batch, the eager way.

    ``scales``, a list, receives the `rounding_scales` of the batch's graph.
    """
    for p in params:
        p.grad = 0.0
    outs = []
    for sample in zip(*arrays):
        args = [[Value(float(v)) for v in s] if np.ndim(s) else Value(float(s)) for s in sample]
        outs.append(fn(*args))
    total = Value.sum(outs)
    if reduction == "mean":
        total = total / len(outs)
    total.backward()
    if scales is not None:
        scales += rounding_scales([total])
    grads = [p.grad for p in params]
    for p in params:
        p.grad = 0.0
    return [o.data for o in outs], grads


def assert_matches_eager(fn, shapes, params, arrays, reduction="mean", cancels=False, **kw):
    """Trace fn, run it on the batch both ways, compare. ``cancels``: see `rounding_scales`."""
    program = trace(fn, *shapes, **kw)
    scales = []
    want_out, want_grads = eager_batch(fn, params, arrays, reduction, scales)
    value_scale, grad_scale = scales if cancels else (0.0, 0.0)
    program.backward(*[np.asarray(a)[::-1] * 0.5 for a in arrays], reduction=reduction)  # leaves its numbers
    for p in params:  # in the program's work arrays: the next call must not see them
        p.grad = 0.0
    got_out = program.backward(*arrays, reduction=reduction)
    got_grads = [p.grad for p in params]
    for p in params:
        p.grad = 0.0
    assert_close(got_out, want_out, "per-sample outputs", value_scale)
    assert_close(got_grads, want_grads, "parameter gradients", grad_scale)
    assert_close(program(*arrays), want_out, "forward-only call", value_scale)
    return program


# ------------------------------------------------------------------ every op


@pytest.mark.parametrize("u", UNARY, ids=lambda u: u.name)
def test_every_unary_op_matches_eager_per_sample_and_shared(u):
    w, b, p = Value(1.0), Value(0.0), Value(u.safe(0.7))
    xs = np.array([u.safe(r) for r in (-2.3, -0.7, 0.4, 1.9)])

    def fn(x):  # the op on per-sample rows, and on a shared parameter broadcast over the batch
        return u.op(x * w + b) + u.op(p) * x

    assert_matches_eager(fn, [()], [w, b, p], [xs], example=[xs[0]])


@pytest.mark.parametrize("op", BINARY, ids=lambda op: op.name)
def test_every_binary_op_matches_eager_for_every_mix_of_operands(op):
    w1, w2 = Value(1.0), Value(1.0)
    p1, p2 = Value(op.safe_a(0.9)), Value(op.safe_b(-0.6))
    raw = [(-1.5, 0.8), (0.3, -2.2), (2.0, 3.0), (0.7, 0.4)]
    xs = np.array([op.safe_a(a) for a, _ in raw])
    ys = np.array([op.safe_b(b) for _, b in raw])

    def fn(x, y):  # rows with rows, shared with rows, rows with shared, shared with shared
        return op.op(x * w1, y * w2) + op.op(p1, y) + op.op(x, p2) + op.op(p1, p2) * x

    assert_matches_eager(fn, [(), ()], [w1, w2, p1, p2], [xs, ys], example=[xs[0], ys[0]])


def test_numbers_folded_into_ops_are_exact_even_next_to_large_values():
    # Recovering the 3 of x + 3 as (x + 3) - x would be off by rounding at x = 1e6; the
    # tracer records the number instead, so the result is exact for every sample.
    w = Value(1.0)
    xs = np.array([1e6 + 0.1, -2.5, 7.0])
    program = trace(lambda x: (x * w + 3) - 1e6, ())
    assert program(xs).tolist() == [x + 3 - 1e6 for x in xs.tolist()]


def test_sum_and_dot_with_numbers_mixed_in_match_eager():
    ws, b = [Value(0.5), Value(-1.5)], Value(0.25)
    xs = np.array([[1.0, 2.0], [-3.0, 0.5], [0.0, 4.0]])

    def fn(x):
        d = Value.dot([ws[0], 2.0, ws[1]], [x[0], ws[1], 3], b)
        return Value.sum([d, 1.5, x[1] * ws[0], -2]) + Value.dot(ws, x) + sum(x)

    assert_matches_eager(fn, [2], [*ws, b], [xs])


# ------------------------------------------------------------------ the tutorials' networks


def model_fn(model, loss):
    return lambda x, y: loss(y, model(x))


def test_gender_network_2_2_1_matches_eager():
    model = network(weights=(0.3, -0.8), bias=0.1, w5=1.2, b3=-0.4)
    X, y, _ = gender()
    assert_matches_eager(model_fn(model, lambda t, p: (t - p) ** 2), [2, ()], model.parameters(),
                         [np.array(X), np.array(y)])


def test_xor_2_2_1_without_biases_matches_eager():
    model = MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid", bias=False, rng=3)
    X, y = xor()
    assert_matches_eager(model_fn(model, lambda t, p: 0.5 * (t - p) ** 2), [2, ()], model.parameters(),
                         [np.array(X), np.array(y)], reduction="sum")


def test_exam_2_3_1_without_biases_matches_eager():
    model = MLP(2, [3, 1], activation="sigmoid", output_activation="sigmoid", bias=False, rng=5)
    X, y = exam_scores()
    assert_matches_eager(model_fn(model, lambda t, p: sse_loss([t], [p], half=True)), [2, ()],
                         model.parameters(), [np.array(X), np.array(y)], reduction="sum")


def moons_problem(n=40):
    model = MLP(2, [16, 16, 1], rng=1337)
    params = model.parameters()
    X, y = make_moons(n, noise=0.1, seed=1337)

    def loss(x, t):  # Karpathy's demo: mean hinge loss plus 1e-4 * sum of squared parameters
        return hinge_loss([t], [model(x)]) + 1e-4 * Value.sum(p * p for p in params)

    return model, loss, X, (2 * y - 1).astype(float)


def test_moons_mlp_2_16_16_1_with_hinge_and_l2_matches_eager():
    model, loss, X, y = moons_problem()
    program = assert_matches_eager(loss, [2, ()], model.parameters(), [X, y])
    assert "matmul 16x16" in str(program)  # a layer's neurons ran as one matrix product


def test_sgd_training_with_a_traced_step_follows_the_eager_trajectory():
    model, loss, X, y = moons_problem(20)
    params = model.parameters()
    start = [p.data for p in params]
    program = trace(loss, 2, ())
    opt = SGD(params, lr=0.5)
    traced = []
    for _ in range(3):
        opt.zero_grad()
        traced.append(program.backward(X, y).mean())
        opt.step()
    traced_params = [p.data for p in params]
    for p, v in zip(params, start):
        p.data = v
    eager = []
    for _ in range(3):
        out, grads = eager_batch(loss, params, [X, y])
        eager.append(np.mean(out))
        for p, g in zip(params, grads):
            p.data -= 0.5 * g
    assert_close(traced, eager, "losses")
    assert_close(traced_params, [p.data for p in params], "parameters after 3 steps")


# ------------------------------------------------------------------ random expression graphs

UNARY_SAFE = [  # bounded or slowly growing compositions, so random graphs stay finite and smooth
    lambda v: -v, lambda v: v.tanh(), lambda v: v.sigmoid(), lambda v: v.sin(), lambda v: v.cos(),
    lambda v: v.softplus(), lambda v: v.tanh().exp(), lambda v: (v * v + 1).log(), lambda v: (v * v + 1).sqrt(),
    lambda v: v.tanh() ** 2, lambda v: 2 ** v.tanh(), lambda v: 3 - v, lambda v: v / 4, lambda v: 4 / (1 + v * v),
    lambda v: 2.5 * v, lambda v: v + 3,
]
BINARY_SAFE = [
    lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / (1 + b * b),
    lambda a, b: (1 + a * a) ** b.tanh(),
]

instruction = st.one_of(
    st.tuples(st.just("unary"), st.integers(0, len(UNARY_SAFE) - 1), st.integers(0, 99)),
    st.tuples(st.just("binary"), st.integers(0, len(BINARY_SAFE) - 1), st.integers(0, 99), st.integers(0, 99)),
    st.tuples(st.just("sum"), st.lists(st.integers(0, 99), min_size=1, max_size=4), st.integers(-2, 2)),
    st.tuples(st.just("dot"), st.lists(st.integers(0, 99), min_size=2, max_size=6), st.booleans()),
)
bounded = st.floats(-2, 2, allow_nan=False)


def run_program(instructions, x, params):
    """Interpret a random program: every instruction adds a node computed from earlier ones."""
    vals = list(x) + list(params)
    for ins in instructions:
        pick = [vals[i % len(vals)] for i in (ins[2:] if ins[0] in ("unary", "binary") else ins[1])]
        if ins[0] == "unary":
            vals.append(UNARY_SAFE[ins[1]](pick[0]))
        elif ins[0] == "binary":
            vals.append(BINARY_SAFE[ins[1]](*pick))
        elif ins[0] == "sum":
            vals.append(Value.sum([*pick, ins[2]]))
        else:
            half = len(pick) // 2
            vals.append(Value.dot(pick[:half], [*pick[half:2 * half - 1], 0.5], pick[-1] if ins[2] else None))
    return vals[-1] + vals[-2] * vals[-3]


@given(
    st.lists(instruction, min_size=1, max_size=12),
    st.lists(st.lists(bounded, min_size=3, max_size=3), min_size=1, max_size=5),
    st.lists(bounded, min_size=3, max_size=3),
)
def test_random_expression_graphs_match_eager(instructions, samples, param_values):
    params = [Value(v) for v in param_values]

    def fn(x):
        return run_program(instructions, x, params)

    X = np.array(samples)
    assert_matches_eager(fn, [3], params, [X], cancels=True, example=[X[0]])


# ------------------------------------------------------------------ honest limits


def branchy(x):
    return x * 2 if x.data > 0 else -x  # a Python `if` on .data: one path per sample


def test_check_detects_a_sample_that_takes_another_branch():
    program = trace(branchy, (), check=True)
    assert program([1.0, 3.0]).tolist() == [2.0, 6.0]
    with pytest.raises(TraceError, match="sample 1 takes another path"):
        program([1.0, -3.0])


def test_check_refuses_a_batch_in_backward_before_any_gradient_is_added():
    w = Value(1.5)
    program = trace(lambda x: branchy(x * w), (), check=True)
    with pytest.raises(TraceError, match="sample 1 takes another path"):
        program.backward([1.0, -3.0])
    assert w.grad == 0.0


def test_without_check_the_recorded_path_is_used_for_every_sample():
    # The documented limit: the trace took the x > 0 path, so -3 gets 2 * -3, not 3.
    assert trace(branchy, ())([1.0, -3.0]).tolist() == [2.0, -6.0]


@pytest.mark.parametrize("fn", [lambda x: x * float(x), lambda x: x + Value(x.data)], ids=["float(x)", "Value(x.data)"])
def test_check_detects_values_read_out_of_the_graph(fn):
    program = trace(fn, (), check=2)
    with pytest.raises(TraceError, match="another path"):
        program([1.0, 5.0])


def test_check_passes_for_branch_free_code_after_the_parameters_changed():
    w = Value(0.5)
    program = trace(lambda x: (x * w).relu() + abs(x) * Value(2.0), (), check=True)
    w.data = 1.0  # parameters are matched by identity, a Value the function makes by its data
    assert_close(program([-2.0, 0.5, 3.0]), [4.0, 1.5, 9.0], "outputs")


def test_ops_made_with_from_op_are_refused_with_a_clear_error():
    def softsign(v):
        return Value.from_op(v.data / (1 + abs(v.data)), [v], [1 / (1 + abs(v.data)) ** 2], "softsign")

    with pytest.raises(TraceError, match="'softsign' is not in the op table .* made with Value.from_op"):
        trace(lambda x: softsign(x) * 2, ())


def test_a_from_op_node_cannot_pass_for_a_builtin_op():
    # The tracer trusts a node named 'tanh' to be tanh, so from_op refuses the name outright.
    def my_tanh(v):
        return Value.from_op(math.tanh(v.data), [v], [1.0], "tanh")  # deliberately wrong derivative

    with pytest.raises(ValueError, match="'tanh' is the name of a built-in op"):
        trace(my_tanh, ())


def test_tracing_reads_the_graph_and_leaves_value_untouched():
    before = dict(vars(Value))
    seen = []

    def fn(x):
        seen.append(dict(vars(Value)))  # what Value looks like while the function runs
        return (x - 1).log()

    with pytest.raises(ValueError, match="log"):
        trace(fn, ())  # placeholders hold 1.0, then 0.0: log(0) and log(-1) are undefined
    assert seen == [before, before] and dict(vars(Value)) == before


def test_concurrent_traces_agree_with_eager_and_leave_value_untouched():
    before = dict(vars(Value))
    model = MLP(2, [4, 1], rng=0)
    X = np.random.default_rng(0).normal(size=(20, 2))

    def work(k):
        program = trace(lambda x: (model(x) * (k + 1) - 3).tanh(), 2)
        eager = [(model(list(row)) * (k + 1) - 3).tanh().data for row in X.tolist()]
        return np.abs(program(X) - eager).max()

    with ThreadPoolExecutor(4) as pool:
        worst = max(pool.map(work, range(16)))
    assert worst <= 1e-12
    assert dict(vars(Value)) == before


def test_two_traces_interleaved_in_threads_leave_value_untouched():
    # The first trace is still recording when the second starts and finishes after it.
    before = dict(vars(Value))
    first_inside, second_inside, first_done = threading.Event(), threading.Event(), threading.Event()

    def first(x):
        first_inside.set()
        second_inside.wait(5)
        return x * 2 + 1

    def second(x):
        second_inside.set()
        first_done.wait(5)
        return x * 3 - 1

    programs = {}
    t1 = threading.Thread(target=lambda: programs.update(first=trace(first, ())))
    t2 = threading.Thread(target=lambda: programs.update(second=trace(second, ())))
    t1.start()
    first_inside.wait(5)
    t2.start()
    t1.join(5)
    first_done.set()
    t2.join(5)
    assert dict(vars(Value)) == before
    assert programs["first"]([1.0, 2.0]).tolist() == [3.0, 5.0]
    assert programs["second"]([1.0, 2.0]).tolist() == [2.0, 5.0]


def test_example_traces_inside_the_functions_domain():
    program = trace(lambda x: (x - 1).log(), (), example=[3.0])
    assert_close(program([2.0, math.e + 1]), [0.0, 1.0], "log")


def test_a_wide_model_that_overflows_at_placeholders_1_traces_on_0_and_matches_eager():
    # MLP(784, [256, 256, 10]) with uniform(-1, 1) weights: with every input 1.0 the outputs are
    # in the hundreds and exp overflows; real inputs near 0 are fine.
    model = MLP(784, [256, 256, 10], rng=0)

    def loss(x, onehot):
        z = model(x)
        return Value.sum([zi.exp() for zi in z]).log() - Value.dot(onehot, z)

    with pytest.raises(OverflowError):
        loss([Value(1.0)] * 784, [Value(0.0)] * 10)
    program = trace(loss, 784, 10)
    rng = np.random.default_rng(0)
    X, Y = 0.01 * rng.random((3, 784)), np.eye(10)[[1, 4, 7]]
    eager = [loss([Value(v) for v in x], [Value(v) for v in y]).data for x, y in zip(X.tolist(), Y.tolist())]
    assert_close(program(X, Y), eager, "softmax cross-entropy of the 784-256-256-10 model")


def test_a_function_outside_its_domain_at_both_placeholders_says_so():
    with pytest.raises(ValueError, match="log") as caught:
        trace(lambda x: (x - 1).log(), ())
    if hasattr(caught.value, "add_note"):  # Python 3.11+
        assert "every one 1.0, and again with every one 0.0; pass example=" in "".join(caught.value.__notes__)


def test_a_function_that_returns_no_value_is_not_told_to_pass_an_example():
    # the placeholders' numbers are not the trouble: no example would make it return a Value
    with pytest.raises(TraceError, match="must return a Value") as caught:
        trace(lambda x: 3.0, ())
    assert "placeholder" not in "".join(getattr(caught.value, "__notes__", []))


def test_the_engine_guard_rejects_a_numpy_op_that_disagrees_with_the_engine(monkeypatch):
    monkeypatch.setitem(OPS, "tanh", OPS["tanh"].replace(f=lambda m, x: m.sin(x)))
    with pytest.raises(TraceError, match="'tanh' step gives"):
        trace(lambda x: x.tanh(), ())


# (function, the op that fails, a sample where the eager engine raises); every function is fine at 2.0
DOMAIN_ERRORS = [
    (lambda x: x.sqrt(), "sqrt", 0.0),  # numpy: sqrt(0) = 0, but the derivative is infinite
    (lambda x: x ** 0.5, "**", 0.0),  # the same for 0 ** 0.5
    (lambda x: (x - 1) ** 0.25 + x, "**", 1.0),
    (lambda x: x.sqrt(), "sqrt", -1.0),
    (lambda x: x.log(), "log", 0.0),
    (lambda x: x.log(), "log", -1.0),
    (lambda x: 1 / x, "rdiv", 0.0),
    (lambda x: x / (x - 1), "/", 1.0),
    (lambda x: (x * 0.5) ** -1, "**", 0.0),
    (lambda x: x ** 1.5, "**", -2.0),
    (lambda x: x ** Value(2.0), "**", -1.5),  # numpy: (-1.5) ** 2 = 2.25; a Value exponent needs a base > 0
    (lambda x: x.exp(), "exp", 1000.0),
    (lambda x: 2.0 ** x, "rpow", 2000.0),
    (lambda x: (-x.exp()).exp() + x, "exp", 1000.0),  # the overflow never reaches the output
    (lambda x: (x - 1).sqrt().relu() * 0 + x, "sqrt", 1.0),  # nor does the bad sqrt
    (lambda x: 1 / x, "rdiv", 1e-200),  # 1e200, but the derivative -1 / x**2 overflows
    (lambda x: x.log(), "log", 1e-310),  # log is finite, its derivative 1 / x is not
    (lambda x: x ** -2, "**", 1e-120),  # 1e240, but the derivative -2 x**-3 overflows
    (lambda x: x ** Value(0.5), "**", -4.0),
]


@pytest.mark.parametrize(("fn", "op", "bad"), DOMAIN_ERRORS)
def test_a_domain_error_in_a_batch_raises_the_engines_error_naming_the_op_and_the_sample(fn, op, bad):
    with pytest.raises((ArithmeticError, ValueError)) as eager:
        fn(Value(bad))
    program = trace(fn, (), example=[2.0])
    for run in (program, program.backward):
        with pytest.raises(eager.type) as traced:
            run([2.0, 3.0, bad, 2.5])
        assert type(traced.value) is eager.type
        assert str(traced.value).startswith(f"{op!r} at sample 2: ")


def test_a_domain_error_in_shared_values_names_the_op_and_says_no_sample_is_to_blame():
    w = Value(4.0)
    program = trace(lambda x: x * w.sqrt(), ())
    w.data = 0.0  # as an optimiser step might leave it
    with pytest.raises(ValueError, match=r"^'sqrt' on the parameters alone \(every sample\): sqrt\(0\)"):
        program([1.0, 2.0])


def test_the_gradient_of_a_batch_that_the_engine_takes_is_checked_for_overflow():
    # every value and local derivative is finite at x = 1e154 (the loss is 1e308), but the chain
    # rule's product 2 (x w) * x overflows: eager backward() says so, and so does the program
    w = Value(1.0)
    fn = lambda x: (x * w) ** 2  # noqa: E731
    with pytest.raises(OverflowError, match="gradient of the leaf .* would be inf"):
        fn(Value(1e154)).backward()
    program = trace(fn, ())
    with pytest.raises(OverflowError, match="gradient of .* is not finite"):
        program.backward([1e154])
    assert w.grad == 0.0  # neither wrote anything


@pytest.mark.parametrize("batch", [np.array([True, False]), [True, False], [1.0, True], [np.True_, 0.0]])
def test_booleans_are_refused_as_the_engine_refuses_them(batch):
    with pytest.raises(TypeError):
        Value(True)
    program = trace(lambda x, y: x * y, (), ())
    with pytest.raises(TypeError, match="^y holds booleans"):
        program([1.0, 2.0], batch)
    with pytest.raises(TypeError, match="^example for x holds booleans"):
        trace(lambda x: x * 2, (), example=[True])


# ------------------------------------------------------------------ the program's API


def test_reduction_sum_is_batch_size_times_mean_and_grads_accumulate():
    w = Value(2.0)
    program = trace(lambda x: (x * w) ** 2, ())
    xs = [1.0, 2.0, 3.0]
    program.backward(xs, reduction="mean")
    assert w.grad == pytest.approx(sum(2 * x * x * 2.0 for x in xs) / 3, rel=1e-15)
    program.backward(xs, reduction="sum")  # accumulates, as Value.backward does
    assert w.grad == pytest.approx(sum(2 * x * x * 2.0 for x in xs) * (1 + 1 / 3), rel=1e-15)


def test_the_program_reads_parameters_at_every_call():
    w = Value(1.0)
    program = trace(lambda x: x * w, ())
    w.data = 5.0
    assert program([2.0]).tolist() == [10.0]


def test_several_outputs_give_one_column_each_and_backward_differentiates_the_first():
    w = Value(3.0)
    program = trace(lambda x: [x * w, x + w, w * 2], ())
    assert program([1.0, 2.0]).tolist() == [[3.0, 4.0, 6.0], [6.0, 5.0, 6.0]]
    assert program.backward([1.0, 2.0], reduction="sum").tolist() == [[3.0, 4.0, 6.0], [6.0, 5.0, 6.0]]
    assert w.grad == 3.0  # d(x * w)/dw summed over x = 1, 2; the other outputs add nothing


def test_an_output_that_does_not_depend_on_the_inputs_counts_once_per_sample():
    w = Value(3.0)
    program = trace(lambda x: w * w, ())
    assert program.backward([0.0, 0.0], reduction="sum").tolist() == [9.0, 9.0]
    assert w.grad == 12.0


def test_an_output_may_be_a_parameter_or_an_input_itself():
    w = Value(3.0)
    program = trace(lambda x: [x * w, w, x], ())
    assert program.backward([1.0, 2.0], reduction="sum").tolist() == [[3.0, 3.0, 1.0], [6.0, 3.0, 2.0]]
    assert w.grad == 3.0 and program.parameters() == [w]


def test_nested_sample_shapes_and_argument_names():
    w = Value(2.0)
    program = trace(lambda grid: Value.sum(v * w for row in grid for v in row), (2, 3))
    assert program(np.arange(12.0).reshape(2, 2, 3)).tolist() == [30.0, 102.0]
    assert "grid: (2, 3)" in repr(program)


def test_deep_graphs_trace_without_recursion():
    w = Value(1.0)

    def chain(x):
        for _ in range(3000):
            x = x * 1.0001 + w * 0.001
        return x

    program = trace(chain, ())
    assert_matches_eager(chain, [()], [w], [np.array([0.5, -1.0])])
    # a '*' and a '+' per link, plus one step for all 3000 shared products w * 0.001 (all at level 1)
    assert len(program.steps) == 2 * 3000 + 1


@pytest.mark.parametrize(
    ("args", "error", "words"),
    [
        (([[1.0, 2.0]],), ValueError, r"shape \(batch,\) \+ \(\)"),
        (([1.0, float("nan")],), ValueError, "NaN"),
        (([],), ValueError, "empty"),
        ((["a"],), TypeError, "array of numbers"),
        ((), TypeError, "takes 1 batch array"),
    ],
)
def test_bad_batches_get_clear_errors(args, error, words):
    program = trace(lambda x: x * 2, ())
    with pytest.raises(error, match=words):
        program(*args)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: trace(lambda x: x, -1), ValueError, "a shape is an int"),
        (lambda: trace(lambda x: x), TypeError, "give the shape"),
        (lambda: trace(3, ()), TypeError, "function of Values"),
        (lambda: trace(lambda x: 2.0, ()), TraceError, "must return a Value"),
        (lambda: trace(lambda x: x, (), example=[[1.0, 2.0]]), ValueError, "example for x"),
        (lambda: trace(lambda x: x, (), check=-1), ValueError, "check must be"),
        (lambda: trace(lambda x: x * 2, ()).backward([1.0], reduction="max"), ValueError, "reduction"),
    ],
)
def test_bad_trace_calls_get_clear_errors(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_arrays_of_one_batch_need_the_same_length():
    with pytest.raises(ValueError, match="same batch size: x has 2, y 1"):
        trace(lambda x, y: x * y, (), ())([1.0, 2.0], [1.0])


def test_tracing_inside_no_grad_is_refused():
    with no_grad(), pytest.raises(TraceError, match="no_grad"):
        trace(lambda x: x * 2, ())


# ------------------------------------------------------------------ training: parameters held in arrays
# While a program trains, the parameters' numbers live in its arrays (micrograd.trace._Store) and
# every way of seeing or changing a parameter must still give the numbers an eager run gives.
# Each test runs twice: reads served from the arrays (the default), and every read unbinding at once.


@pytest.fixture(params=["reads from the arrays", "every read unbinds"])
def reads(request, monkeypatch):
    if request.param == "every read unbinds":
        monkeypatch.setattr(trace_module, "_READS", 0)
    return request.param


def twin_models(sizes=(5, 1), seed=0):
    """Two models with the same weights: one to train traced, one eagerly, with the same loss."""
    rng = np.random.default_rng(seed)
    X, t = rng.normal(size=(9, 3)), rng.normal(size=9)

    def make():
        model = MLP(3, list(sizes), activation="tanh", rng=seed)

        def loss(x, target):
            return (model(x) - target) ** 2

        return model, loss

    return make(), make(), X, t


def eager_step(loss, opt, X, t):
    """The eager engine's step on the batch: mean loss, backward, SGD."""
    opt.zero_grad()
    total = Value.sum(loss([Value(v) for v in row], Value(y)) for row, y in zip(X.tolist(), t.tolist())) / len(t)
    total.backward()
    opt.step()
    return total.data


def both_steps(program, opt, twin_loss, twin_opt, X, t):
    """The documented traced step, and the eager step on the twin: their losses."""
    opt.zero_grad()
    traced = program.backward(X, t).mean()
    opt.step()
    return traced, eager_step(twin_loss, twin_opt, X, t)


def numbers(params):
    return [p.data for p in params], [p.grad for p in params]


def assert_same_numbers(a, b, what):
    (data_a, grad_a), (data_b, grad_b) = numbers(a), numbers(b)
    assert_close(data_a, data_b, f"{what}: .data")
    assert_close(grad_a, grad_b, f"{what}: .grad")


def test_the_documented_loop_equals_the_eager_loop_read_through_a_list_kept_from_before(reads):
    (model, loss), (twin, twin_loss), X, t = twin_models()
    params, twin_params = model.parameters(), twin.parameters()  # kept from before the loop
    program = trace(loss, 3, ())
    opt = SGD(model, lr=0.3, momentum=0.9, weight_decay=0.01)
    twin_opt = SGD(twin, lr=0.3, momentum=0.9, weight_decay=0.01)
    for step in range(4):
        assert_close(*both_steps(program, opt, twin_loss, twin_opt, X, t), f"loss of step {step}")
        assert_same_numbers(params, twin_params, f"after step {step}")
    assert model.state_dict() == pytest.approx(twin.state_dict(), rel=1e-12)


def test_eager_code_between_traced_steps_sees_the_trained_numbers_and_runs_on_plain_values(reads):
    (model, loss), (twin, twin_loss), X, t = twin_models(sizes=(30, 1))  # more parameters than _READS
    program = trace(loss, 3, ())
    opt, twin_opt = SGD(model, lr=0.3), SGD(twin, lr=0.3)
    for _ in range(2):
        both_steps(program, opt, twin_loss, twin_opt, X, t)
        assert model(X[0].tolist()).data == pytest.approx(twin(X[0].tolist()).data, rel=1e-12)
        # eager code walked every parameter: they are ordinary Values again, as fast as ever
        assert all(type(p) is Value for p in model.parameters())
    assert_same_numbers(model.parameters(), twin.parameters(), "after eager calls between steps")


def test_parameters_set_by_hand_between_steps_are_used_by_the_next_step(reads):
    (model, loss), (twin, twin_loss), X, t = twin_models()
    program = trace(loss, 3, ())
    opt, twin_opt = SGD(model, lr=0.3), SGD(twin, lr=0.3)
    for k in range(3):
        both_steps(program, opt, twin_loss, twin_opt, X, t)
        for m in (model, twin):
            m.parameters()[k].data = 0.25 * k
            m.parameters()[-1].grad = 0.5  # and a gradient the next zero_grad() must clear
    assert_same_numbers(model.parameters(), twin.parameters(), "after setting .data by hand")


def test_save_load_and_load_state_dict_between_traced_steps(tmp_path, reads):
    (model, loss), (twin, twin_loss), X, t = twin_models()
    program = trace(loss, 3, ())
    opt, twin_opt = SGD(model, lr=0.3), SGD(twin, lr=0.3)
    both_steps(program, opt, twin_loss, twin_opt, X, t)
    model.save(tmp_path / "model.json")
    assert model.state_dict() == pytest.approx(twin.state_dict(), rel=1e-12)
    saved = MLP(3, [5, 1], activation="tanh")
    saved.load(tmp_path / "model.json")
    assert saved.state_dict() == model.state_dict()
    opt.zero_grad()
    program.backward(X, t)
    opt.step()  # the model moves on; loading puts it back where it was saved
    model.load(tmp_path / "model.json")
    assert model.state_dict() == saved.state_dict()
    start = MLP(3, [5, 1], activation="tanh", rng=7).state_dict()
    for m in (model, twin):
        m.load_state_dict(start)
    assert_close(*both_steps(program, opt, twin_loss, twin_opt, X, t), "the loss from the loaded state")
    assert_same_numbers(model.parameters(), twin.parameters(), "after training from a loaded state")


def test_two_programs_over_the_same_and_overlapping_parameters(reads):
    (model, loss), (twin, twin_loss), X, t = twin_models()
    extra, twin_extra = Value(0.5), Value(0.5)

    def penalty(m, e):
        return lambda x, target: e * e * 0.1 + 0.01 * Value.sum(p * p for p in m.layers[-1].parameters())

    programs = [trace(loss, 3, ()), trace(penalty(model, extra), 3, ())]  # the second adds a parameter
    opt = SGD([*model.parameters(), extra], lr=0.3)
    twin_opt = SGD([*twin.parameters(), twin_extra], lr=0.3)
    twin_penalty = penalty(twin, twin_extra)
    for _ in range(3):
        opt.zero_grad()
        for program in programs:  # gradients of both add up, as two backward() calls would
            program.backward(X, t)
        opt.step()
        twin_opt.zero_grad()
        n = len(t)
        samples = [([Value(v) for v in row], Value(y)) for row, y in zip(X.tolist(), t.tolist())]
        (Value.sum(twin_loss(*s) for s in samples) / n).backward()
        (Value.sum(twin_penalty(*s) for s in samples) / n).backward()
        twin_opt.step()
    assert_same_numbers([*model.parameters(), extra], [*twin.parameters(), twin_extra], "two programs")


def test_sgd_over_a_subset_of_the_programs_parameters(reads):
    (model, loss), (twin, twin_loss), X, t = twin_models()
    program = trace(loss, 3, ())
    opt, twin_opt = SGD(model.layers[-1], lr=0.3), SGD(twin.layers[-1], lr=0.3)
    for _ in range(3):
        both_steps(program, opt, twin_loss, twin_opt, X, t)
    assert_same_numbers(model.parameters(), twin.parameters(), "SGD over the last layer only")
    assert model.layers[0].parameters()[0].grad != 0.0  # gradients accumulate where SGD does not zero them


def test_switching_between_traced_and_eager_steps_keeps_momentum_and_numbers(reads):
    (model, loss), (twin, twin_loss), X, t = twin_models()
    program = trace(loss, 3, ())
    opt, twin_opt = SGD(model, lr=0.2, momentum=0.9), SGD(twin, lr=0.2, momentum=0.9)
    for k in range(5):
        if k % 2:
            eager_step(loss, opt, X, t)
        else:
            opt.zero_grad()
            program.backward(X, t)
            opt.step()
        eager_step(twin_loss, twin_opt, X, t)
    assert_same_numbers(model.parameters(), twin.parameters(), "traced and eager steps in turn")


def test_copies_and_pickles_of_a_parameter_in_training_are_ordinary_values():
    import copy
    import pickle

    (model, loss), _, X, t = twin_models()
    program = trace(loss, 3, ())
    opt = SGD(model, lr=0.3)
    for make_copy in (copy.copy, copy.deepcopy, lambda v: pickle.loads(pickle.dumps(v))):
        opt.zero_grad()
        program.backward(X, t)
        opt.step()
        p = model.parameters()[2]
        twin = make_copy(p)
        assert type(twin) is Value and (twin.data, twin.grad) == (p.data, p.grad)


class Logged(Value):
    """A Value whose class defines data itself: a program cannot bind it to its arrays, and reads it one by one."""

    @property
    def data(self):
        return self._d

    @data.setter
    def data(self, v):
        self._d = v


def test_parameters_of_a_value_subclass_train_and_keep_their_class(reads):
    class Weight(Value):
        __slots__ = ("note",)

    w, v = Weight(2.0), Logged(3.0)
    w.note = "kept"
    program = trace(lambda x: (x * w + v) ** 2, ())
    opt = SGD([w, v], lr=0.01)
    for _ in range(2):
        opt.zero_grad()
        program.backward([1.0, 2.0])
        opt.step()
    expected_w, expected_v = 2.0, 3.0
    for _ in range(2):  # the same steps by hand: d/dw mean((xw + v)^2) = mean(2 (xw + v) x)
        r = [x * expected_w + expected_v for x in (1.0, 2.0)]
        gw, gv = (2 * r[0] * 1 + 2 * r[1] * 2) / 2, (2 * r[0] + 2 * r[1]) / 2
        expected_w, expected_v = expected_w - 0.01 * gw, expected_v - 0.01 * gv
    assert (w.data, v.data) == (pytest.approx(expected_w, rel=1e-15), pytest.approx(expected_v, rel=1e-15))
    assert type(w) is Weight and w.note == "kept" and type(v) is Logged


def test_a_bind_that_failed_is_not_tried_again_at_every_step(monkeypatch):
    import micrograd.trace as traced

    w, v = Value(2.0), Logged(3.0)
    program = trace(lambda x: x * w + v, ())
    tries = []
    real_bind = traced._Store.bind.__func__
    counted = classmethod(lambda cls, values: tries.append(1) or real_bind(cls, values))
    monkeypatch.setattr(traced._Store, "bind", counted)
    opt = SGD([w, v], lr=0.1)
    for _ in range(3):
        opt.zero_grad()
        program.backward([1.0, 2.0])
        opt.step()
    assert len(tries) == 1  # the parameters stay Values read one by one, and the answer is remembered
    assert w.data == pytest.approx(2.0 - 0.1 * 1.5 - 0.1 * 1.5 - 0.1 * 1.5)


def test_a_gradient_set_to_something_else_fails_as_it_always_did():
    w = Value(1.0)
    program = trace(lambda x: x * w, ())
    program.backward([1.0])
    w.grad = None  # by hand, between steps
    with pytest.raises(TypeError):
        program.backward([1.0])
    with pytest.raises(TypeError, match="not a number; no parameter was changed"):
        SGD([w]).step()
    assert w.data == 1.0


def test_a_gradient_that_is_not_finite_in_the_arrays_moves_no_parameter():
    w, b = Value(2.0, label="w"), Value(1.0, label="b")
    program = trace(lambda x: x * w + b, ())
    opt = SGD([b, w], lr=0.1)
    program.backward([1.0])
    store = trace_module._store_of(w)
    assert store is not None
    store.grad[store.values.index(w)] = math.inf  # as if the batch had overflowed
    with pytest.raises(ValueError, match=r"label='w'.*the gradient inf; no parameter was changed"):
        opt.step()
    assert (w.data, b.data) == (2.0, 1.0)


def test_zero_grad_of_the_module_and_of_sgd_keep_the_arrays_and_clear_every_gradient():
    (model, loss), _, X, t = twin_models()
    program = trace(loss, 3, ())
    program.backward(X, t)
    store = trace_module._store_of(model.parameters()[0])
    assert store is not None and store.grad.any()
    model.zero_grad()
    assert trace_module._store_of(model.parameters()[0]) is store and not store.grad.any()
    program.backward(X, t)
    SGD(model.layers[0]).zero_grad()
    assert not any(p.grad for p in model.layers[0].parameters())
    assert all(p.grad for p in model.layers[1].parameters())


# ------------------------------------------------------------------ the benchmark's workloads


def load_benchmark_workloads():
    import sys  # only to register the module: its dataclasses look it up while they are built

    path = Path(__file__).resolve().parent.parent / "benchmarks" / "workloads.py"
    spec = importlib.util.spec_from_file_location("bench_workloads", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_benchmarked_traced_and_numpy_steps_compute_the_same_training():
    # The benchmark compares like with like: from the same start, the traced steps and the
    # hand-written numpy steps produce the same losses (so the same gradients and updates).
    tw = load_benchmark_workloads()
    ours = tw.Engine("ours", Value, MLP)
    assert_close(tw.moons_step_traced(ours, n=20, steps=4, rounds=1, block_s=0.001)["losses"],
                 tw.numpy_moons_step(tw.Engine("numpy"), n=20, steps=4, repeat=1)["losses"], "moons losses")
    for full_step in (False, True):
        traced, _ = tw._mlp784_traced_step(ours, 8, full_step)
        by_hand = tw._mlp784_numpy_step(8, full_step)
        assert_close([traced(), traced()], [by_hand(), by_hand()], f"784-64-10 losses, full_step={full_step}")


def test_a_complex_batch_is_refused_not_cut_to_its_real_part():
    program = trace(lambda x: x * 2, ())
    with pytest.raises(TypeError, match="complex"):
        program(np.array([1.0 + 2.0j, 3.0]))
    with pytest.raises(TypeError, match="complex"):
        trace(lambda x: x * 2, (), example=[1j])
