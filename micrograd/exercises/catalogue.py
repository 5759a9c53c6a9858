"""The exercises: each one's checks, by id (the file name of its starter in ``docs/exercises/``).

A check function receives a `Run` and records items: it calls the learner's
functions with ``run.call`` on inputs it chooses, and compares their answers
with a reference micrograd computes itself (``run.number``, ``run.partials``,
``run.gradcheck``). It runs twice (`micrograd.exercises.checker`): once to list
its calls, which the learner's file then answers in a process of its own, and
once to judge the answers. So it must choose its calls without looking at the
answers, and what it passes to the learner must be data (numbers, lists, dicts,
arrays, Values) or a module-level function.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence

import numpy as np

from micrograd.engine import Value
from micrograd.exercises.checker import (
    NUMERIC,
    SAME_FORMULA,
    Exercise,
    Missing,
    Run,
    entries,
    number_of,
    shown,
)
from micrograd.losses import mse_loss, sse_loss
from micrograd.nn import MLP, Neuron
from micrograd.ops import FLOAT, OPS
from micrograd.tutorials import ALICE, PARAMETER_NAMES, network, xor_tutorial_backprop

__all__ = ["EXERCISES"]


# The functions the learner's derivative() is given: module-level, so they can be sent to its process.
def _cube(t: float) -> float:
    return t**3


def _square(t: float) -> float:
    return t * t


def _numerical_derivative(run: Run) -> None:
    hint = "central difference: (f(x + h) - f(x - h)) / (2 * h)"
    for fname, f, df, x in (
        ("x**3", _cube, lambda t: 3 * t**2, 2.0),
        ("sin", math.sin, math.cos, 1.0),
        ("exp", math.exp, math.exp, -0.5),
    ):
        run.number(f"derivative({fname}, {x}, h=1e-4)", df(x), run.call("derivative", f, x, 1e-4), hint, NUMERIC)
    f, x, h = _square, 3.0, 1e-3
    run.number(
        "forward_derivative(x**2, 3.0, h=1e-3)", (f(x + h) - f(x)) / h, run.call("forward_derivative", f, x, h),
        "forward difference: (f(x + h) - f(x)) / h; it is off by about h * f''(x) / 2", SAME_FORMULA,
    )


def _manual_backprop(run: Run) -> None:
    hint = "go from L backwards: dL/dg = 1; a '+' passes the gradient on unchanged; a '*' multiplies by the other input"
    for a, b, c, f in ((3.0, -2.0, 5.0, 4.0), (0.5, 1.5, -2.0, -3.0)):
        va, vb, vc, vf = Value(a, "a"), Value(b, "b"), Value(c, "c"), Value(f, "f")
        e = va * vb
        e.label = "e"
        d = e + vc
        d.label = "d"
        g = d * vf
        g.label = "g"
        loss = g + va
        run.partials(f"grads({a}, {b}, {c}, {f})", run.call("grads", a, b, c, f), loss, "abcfedg", hint)


def _chain_rule(run: Run) -> None:
    hint = "product rule: (u v)' = u' v + u v'; chain rule: d sin(x**2)/dx = cos(x**2) * 2x"
    for x in (0.3, 1.7, -2.2):
        v = Value(x)
        ((v**2).sin() * (-v).exp()).backward()
        run.number(f"df_dx({x})", v.grad, run.call("df_dx", x), hint)


def _sigmoid_derivative(run: Run) -> None:
    for x in (-3.0, 0.0, 2.5):
        v = Value(x)
        s = v.sigmoid()
        s.backward()
        run.number(f"deriv_sigmoid({x})", v.grad, run.call("deriv_sigmoid", x),
                   "sigmoid'(x) = sigmoid(x) * (1 - sigmoid(x)); x * (1 - x) is the formula for an OUTPUT, not x")
        run.number(f"deriv_sigmoid_from_output({s.data:.6g})", v.grad, run.call("deriv_sigmoid_from_output", s.data),
                   "given s = sigmoid(x), the derivative is s * (1 - s)")


_NEURON_POINTS = (([0.0, 1.0], 4.0, [2.0, 3.0]), ([0.5, -1.5], 0.3, [-1.0, 0.4]))


def _neuron(run: Run) -> None:
    for w, b, x in _NEURON_POINTS:
        n = Neuron(2, activation="sigmoid", weights=w, bias_value=b)
        out = n(x)
        run.number(f"neuron_output({w}, {b}, {x})", out.data, run.call("neuron_output", list(w), b, list(x)),
                   "sigmoid(w1 * x1 + w2 * x2 + b)")
        got = run.call("neuron_partials", list(w), b, list(x))
        run.partials(f"neuron_partials({w}, {b}, {x})", got, out, ["w1", "w2", "b1"],
                     "d out/d w1 = sigmoid'(total) * x1, d out/d b1 = sigmoid'(total)")


def _mse_gradient(run: Run) -> None:
    hint = "d/dp_i of (1/n) * sum((y - p)**2) is -2 * (y_i - p_i) / n"
    for y_true, y_pred in (([1.0, 0.0, 0.0, 1.0], [0.0, 0.0, 0.0, 0.0]), ([1.0, 0.0, 1.0], [0.8, 0.3, 0.4])):
        preds = [Value(p, f"p{i}") for i, p in enumerate(y_pred, 1)]
        mse_loss(y_true, preds).backward()
        got = entries(run.call("d_mse_d_pred", list(y_true), list(y_pred)), len(preds), "d_mse_d_pred")
        for i, p in enumerate(preds):
            run.number(f"d_mse_d_pred({y_true}, {y_pred})[{i}]", p.grad, got[i], hint)


def _network_points() -> list[tuple[str, dict[str, float], list[float], float]]:
    """The tutorial's point (Alice, weights 1, biases 0) and two seeded random ones."""
    rng = random.Random(4)
    points = [("tutorial", dict.fromkeys(PARAMETER_NAMES, 1.0) | {"b1": 0.0, "b2": 0.0, "b3": 0.0}, ALICE, 1.0)]
    for tag, x, y in (("random A", [0.5, -1.0], 0.0), ("random B", [-1.5, 0.7], 1.0)):
        points.append((tag, {n: round(rng.uniform(-1, 1), 3) for n in PARAMETER_NAMES}, x, y))
    return points


def _network(params: dict[str, float]) -> MLP:
    model = network()
    model.load_state_dict(params)
    return model


def _alice_w1(run: Run) -> None:
    hint = ("dL/dw1 = dL/dypred * dypred/dh1 * dh1/dw1; differentiating (y - ypred)**2 gives an inner -1; "
            "each sigmoid step gives sigmoid'(its input) times the weight or input on the edge")
    for tag, params, x, y in _network_points():
        model = _network(params)
        loss = (y - model(x)) ** 2
        loss.backward()
        w1 = dict(model.named_parameters())["w1"]
        run.number(f"d_L_d_w1 ({tag})", w1.grad, run.call("d_L_d_w1", dict(params), list(x), y), hint)


def _network_partials(run: Run) -> None:
    hint = "each partial is dL/dypred times the path from ypred down to the parameter (see dL/dw1)"
    for tag, params, x, y in _network_points()[:2]:
        loss = (y - _network(params)(x)) ** 2
        run.partials(f"partials ({tag})", run.call("partials", dict(params), list(x), y), loss, PARAMETER_NAMES, hint)


def _xor_factor_two(run: Run) -> None:
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    rng = np.random.default_rng(1)
    W1, W2 = rng.random((2, 2)), rng.random((2, 1))
    # the reference: autograd of the tutorial's own loss 0.5 * sum((y - yhat)**2)
    w1 = [[Value(W1[i, j]) for j in range(2)] for i in range(2)]
    w2 = [Value(W2[j, 0]) for j in range(2)]
    preds = []
    for row in X:
        hidden = [Value.dot([w1[0][j], w1[1][j]], list(row)).sigmoid() for j in range(2)]
        preds.append(Value.dot(w2, hidden).sigmoid())
    sse_loss(list(y[:, 0]), preds, half=True).backward()
    true1 = np.array([[w.grad for w in r] for r in w1])
    true2 = np.array([[w.grad] for w in w2])

    hint = "d(0.5 (y - yhat)**2)/d yhat = -(y - yhat): there is no factor 2, and the sign is minus"
    got = run.call("gradient", X.copy(), y.copy(), W1.copy(), W2.copy())
    if not isinstance(got, Missing):
        try:
            if not isinstance(got, Iterable):
                raise TypeError
            g1, g2 = (np.asarray(g, dtype=float) for g in got)
            if g1.shape != (2, 2) or g2.shape != (2, 1):
                got = Missing(f"gradient should return (dW1, dW2) shaped (2, 2), (2, 1); got {g1.shape}, {g2.shape}")
        except (TypeError, ValueError):
            got = Missing(f"gradient should return a pair of arrays (dW1, dW2), got {shown(got)}")
    for name, true, k in (("W1", true1, 0), ("W2", true2, 1)):
        for (i, j), t in np.ndenumerate(true):
            g = got if isinstance(got, Missing) else (g1, g2)[k][i, j]
            run.number(f"gradient: dLoss/d{name}[{i}][{j}]", float(t), g, hint)

    tut1, tut2 = xor_tutorial_backprop(X, y, W1, W2)
    ratios = np.concatenate([(tut1 / true1).ravel(), (tut2 / true2).ravel()])
    run.number("slip_factor(): tutorial d_weights / gradient", float(ratios.mean()), run.call("slip_factor"),
               "divide the tutorial's d_weights by your gradient, entry by entry: the ratio is the same everywhere")


def _custom_op(run: Run) -> None:
    for fname, builtin, xs, hint in (
        ("my_softplus", "softplus", (-2.0, 0.5, 3.0), "softplus(x) = log(1 + e**x); its derivative is sigmoid(x)"),
        ("my_sqrt", "sqrt", (0.25, 2.0, 9.0), "sqrt(x)' = 1 / (2 sqrt(x))"),
    ):
        x = Value(xs[1])
        out = run.call(fname, x)
        if not isinstance(out, Missing) and not isinstance(out, Value):
            out = Missing(f"{fname} returned a {type(out).__name__}; return Value.from_op(...)")
        one_node = not isinstance(out, Missing) and out._prev == (x,) and out._op != builtin
        verdict = "ok" if one_node else "FAIL: " + (
            out.problem if isinstance(out, Missing)
            else f"x.{builtin}() is the built-in op; build your own" if out._op == builtin
            else f"made of {out._op!r} nodes; make one node with Value.from_op"
        )
        run.add(f"{fname}(x) is one new node over x", "from_op node", "-" if isinstance(out, Missing) else out._op,
                one_node, verdict, "return Value.from_op(result, [x], [local derivative], 'my_op')")
        for point in xs:
            ref = OPS[builtin].f(FLOAT, point)  # the table's formula on floats, not Value's method being rewritten
            got = run.call(fname, Value(point))
            run.number(f"{fname}({point}).data", ref, number_of(got), hint)
            run.gradcheck(f"{fname}: gradcheck at {point}", fname, lambda v: (v,), point, hint)
    got = run.call("my_softplus", Value(800.0))
    run.number("my_softplus(800.0).data (no overflow)", 800.0, number_of(got),
               "e**800 overflows a float; use log(1 + e**x) = max(x, 0) + log(1 + e**-|x|) (math.log1p)")


def _reference_nll(logits: Sequence[Value], target: int) -> Value:
    m = max(v.data for v in logits)
    log_sum = Value.sum([(v - m).exp() for v in logits]).log() + m
    return log_sum - logits[target]


def _softmax_nll(run: Run) -> None:
    logits = [2.0, 1.0, 0.1]
    total = sum(math.exp(z) for z in logits)
    probabilities = entries(run.call("softmax", [Value(z) for z in logits]), len(logits), "softmax")
    for i, z in enumerate(logits):
        run.number(f"softmax({logits})[{i}]", math.exp(z) / total, number_of(probabilities[i]),
                   "softmax_i = e**z_i / sum_j e**z_j")

    hint_nll = "nll = -log(softmax(z)[target]) = log(sum_j e**z_j) - z_target"
    for zs, t in (([2.0, 1.0, 0.1], 0), ([0.5, -1.0, 3.0, 0.0], 2)):
        nll = run.call("nll", [Value(z) for z in zs], t)
        if not isinstance(nll, Missing | Value):
            nll = Missing(f"nll returned a {type(nll).__name__}; build it from Value ops so backward() works")
        run.number(f"nll({zs}, {t}).data", _reference_nll([Value(z) for z in zs], t).data, number_of(nll), hint_nll)
        def logits_with(v: Value, rest: list[float] = zs[1:], t: int = t) -> tuple[object, ...]:
            return [v, *map(Value, rest)], t

        run.gradcheck(f"nll: gradcheck on logit 0 of {zs}", "nll", logits_with, zs[0], hint_nll)

        ref = [Value(z) for z in zs]
        _reference_nll(ref, t).backward()
        hand = entries(run.call("d_nll_d_logits", list(zs), t), len(zs), "d_nll_d_logits")
        for i, v in enumerate(ref):
            run.number(f"d_nll_d_logits({zs}, {t})[{i}]", v.grad, hand[i],
                       "nll = log(sum_j e**z_j) - z_target: differentiate the two parts separately")

    big = [1000.0, 999.0, 998.0]
    nll = run.call("nll", [Value(z) for z in big], 1)
    run.number(f"nll({big}, 1).data (no overflow)", _reference_nll([Value(z) for z in big], 1).data, number_of(nll),
               "e**1000 overflows; subtract the largest logit first (softmax does not change when all logits shift)")


EXERCISES: dict[str, Exercise] = {
    e.id: e
    for e in (
        Exercise("numerical_derivative", "estimate a derivative numerically", _numerical_derivative),
        Exercise("manual_backprop", "backpropagate through a small graph by hand", _manual_backprop),
        Exercise("chain_rule", "differentiate sin(x**2) * exp(-x) with the chain and product rules", _chain_rule),
        Exercise("sigmoid_derivative", "the sigmoid's derivative, from its input and from its output",
                 _sigmoid_derivative),
        Exercise("neuron", "one sigmoid neuron: its output and its three partials", _neuron),
        Exercise("mse_gradient", "the gradient of the mean squared error", _mse_gradient),
        Exercise("alice_w1", "derive dL/dw1 of the 2-2-1 network by hand", _alice_w1),
        Exercise("network_partials", "derive all nine partials of the 2-2-1 network", _network_partials),
        Exercise("xor_factor_two", "find the factor-2 slip in the XOR tutorial's backprop", _xor_factor_two),
        Exercise("custom_op", "add softplus and sqrt as your own ops with Value.from_op", _custom_op),
        Exercise("softmax_nll", "softmax and the negative log likelihood", _softmax_nll),
    )
}


