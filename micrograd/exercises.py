"""Gradient exercises and their checker: ``micrograd check FILE``.

An exercise file is plain Python. It names its exercise on one line,
``EXERCISE = "alice_w1"``, and defines the functions the exercise asks for. The
checks live here, in `EXERCISES`: each one calls the learner's functions on
inputs it chooses and compares the answers with references that micrograd
computes itself (autograd, `gradcheck`, or plain math), so a file passes only
if its formulas are right, not by holding the right number. Exercise ids are
the file names of the starters in ``docs/exercises/``.

``micrograd check FILE`` prints one row per check (expected, received, verdict)
and a hint for each failure; exit status 0 when all pass, 1 when one fails
(including a file that does not run), 2 for a usage error (no such file, not an
exercise file, unknown exercise). ``micrograd check --list`` lists the
exercises; ``micrograd check --start NAME`` copies a starter into the current
folder.
"""

from __future__ import annotations

import argparse
import ast
import builtins
import math
import numbers
import random
import shutil
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np

from micrograd.engine import Value
from micrograd.gradcheck import check_gradients, diagnose, format_table, gradcheck
from micrograd.losses import mse_loss, sse_loss
from micrograd.nn import Neuron
from micrograd.tutorials import ALICE, PARAMETER_NAMES, network, numpy_backprop

__all__ = ["EXERCISES", "Exercise", "Item", "check_file", "starters_dir", "xor_tutorial_backprop", "register"]

# Tolerances. A hand formula and autograd both evaluate exact math in float64; they
# differ only by rounding order (~1e-16 relative), so 1e-7 relative catches any
# wrong or missing term while accepting any correct way of writing the formula.
HAND = {"atol": 1e-10, "rtol": 1e-7}
# A central difference with h = 1e-4 is within ~1e-8 of the true derivative for the
# smooth functions used here; a forward difference is ~1e-4 off, so it fails.
NUMERIC = {"atol": 1e-7, "rtol": 1e-6}
# A formula evaluated the same way as the reference, up to rounding amplified by 1/h.
SAME_FORMULA = {"atol": 1e-9, "rtol": 1e-9}


# ---------------------------------------------------------------------------- results


@dataclass
class Item:
    """One check: what was expected, what the learner's code gave, and whether it passed."""

    name: str
    expected: str
    received: str
    ok: bool
    verdict: str
    hint: str = ""


class _Missing:
    """What `_Run.call` returns when the learner's function gave no usable answer."""

    def __init__(self, problem: str, unwritten: bool = False) -> None:
        self.problem = problem
        self.unwritten = unwritten  # not attempted yet: say so, keep the hint for a wrong answer


def _fmt(x: object) -> str:
    if isinstance(x, float):
        return f"{x:.9g}"
    if isinstance(x, str):
        return x
    text = repr(x)
    return text if len(text) <= 40 else text[:37] + "..."


class _Guard:
    """Keeps what the learner's file changes in micrograd, math and builtins away from the references.

    The file runs in this process, and the references are computed with Value's
    methods, micrograd's functions, math and numpy, all of which it can replace
    (``Value.softplus = my_softplus``, as `Value.from_op`'s docstring shows for an
    op of one's own). So the checker keeps the original attributes: the file's
    changes are in place only while the file's own code runs (`learners_code`), and
    the originals at every other moment, including after the check.
    """

    def __init__(self) -> None:
        self.targets = _guarded_objects()
        self.original = self._snapshot()
        self.learners = self.original

    def _snapshot(self) -> list[dict[str, object]]:
        # classes: their whole dict; modules: what can be called (state such as no_grad's flag is left alone)
        return [dict(vars(t)) if isinstance(t, type)
                else {k: v for k, v in vars(t).items() if callable(v) or isinstance(v, ModuleType)}
                for t in self.targets]

    def _put(self, state: list[dict[str, object]]) -> None:
        missing = object()
        for target, attributes in zip(self.targets, state):
            current = vars(target)
            if isinstance(target, type):
                for name in [k for k in current if k not in attributes]:
                    delattr(target, name)  # an attribute the learner added to the class
            for name, value in attributes.items():
                if current.get(name, missing) is not value:
                    setattr(target, name, value)

    def keep_learners_changes(self) -> None:
        """After the learner's file ran: remember what it changed, and put the originals back."""
        self.learners = self._snapshot()
        self._put(self.original)

    def restore(self) -> None:
        """Put the original attributes back."""
        self._put(self.original)

    @contextmanager
    def learners_code(self) -> Iterator[None]:
        """The learner's changes in place, for a call into the learner's code."""
        self._put(self.learners)
        try:
            yield
        finally:
            self.learners = self._snapshot()  # a function may change things too, for its next call
            self._put(self.original)


def _guarded_objects() -> list[object]:
    """The modules and classes whose attributes the references are computed with."""
    modules = [m for name, m in sorted(sys.modules.items())
               if isinstance(m, ModuleType) and (name == "micrograd" or name.startswith("micrograd."))]
    classes = [v for m in [*modules, random] for v in vars(m).values()
               if isinstance(v, type) and v.__module__ == m.__name__]
    return list({id(t): t for t in [*modules, *classes, math, builtins, random, numbers, np]}.values())


class _Run:
    """The learner's namespace plus the items checked so far."""

    def __init__(self, namespace: dict, path: Path, guard: _Guard) -> None:
        self.ns = namespace
        self.path = path
        self.guard = guard
        self.items: list[Item] = []

    def call(self, fname: str, *args: object) -> object:
        """Call the learner's ``fname``; a `_Missing` saying why when there is no answer."""
        f = self.ns.get(fname)
        if f is None:
            return _Missing(f"{fname} is not defined in your file", unwritten=True)
        if not callable(f):
            return _Missing(f"{fname} is a {type(f).__name__}, not a function")
        try:
            with self.guard.learners_code():
                out = f(*args)
        except NotImplementedError:
            return _Missing(f"{fname} is not written yet (raises NotImplementedError)", unwritten=True)
        except KeyboardInterrupt:
            raise
        except BaseException as e:  # the learner's bug, sys.exit() too: a row in the table, never a traceback
            return _Missing(f"{fname} raised {_exception(e)}{self._where(e)}")
        if out is None:
            return _Missing(f"{fname} returned None (not filled in yet?)", unwritten=True)
        return out

    def _where(self, e: BaseException) -> str:
        lines = [fr.lineno for fr in traceback.extract_tb(e.__traceback__) if Path(fr.filename) == self.path]
        return f" (line {lines[-1]})" if lines else ""

    def add(self, name: str, expected: object, received: object, ok: bool, verdict: str, hint: str) -> None:
        self.items.append(Item(name, _fmt(expected), _fmt(received), ok, verdict, "" if ok else hint))

    def number(self, name: str, expected: float, got: object, hint: str, tol: dict[str, float] = HAND) -> None:
        """Check that ``got`` is a real number close to ``expected`` (PyTorch's rule)."""
        if isinstance(got, _Missing):
            return self.add(name, expected, "-", False, "FAIL: " + got.problem, "" if got.unwritten else hint)
        if isinstance(got, Value):
            return self.add(name, expected, got, False, "FAIL: returned a Value; return a plain float", hint)
        if isinstance(got, bool) or not isinstance(got, numbers.Real):
            return self.add(name, expected, got, False, f"FAIL: returned a {type(got).__name__}, not a number", hint)
        got = float(got)
        ok = math.isfinite(got) and abs(got - expected) <= tol["atol"] + tol["rtol"] * abs(expected)
        self.add(name, expected, got, ok, "ok" if ok else "FAIL: " + diagnose(got, expected, written=True), hint)

    def partials(self, name: str, got: object, loss: Value, labels: Sequence[str], hint: str) -> None:
        """Check a dict of hand partials ``{label: dL/dlabel}`` against autograd of ``loss``."""
        if isinstance(got, _Missing) or not isinstance(got, dict):
            if isinstance(got, _Missing):
                return self.add(name, f"dict of {len(labels)}", "-", False, "FAIL: " + got.problem,
                                "" if got.unwritten else hint)
            return self.add(name, f"dict of {len(labels)}", got, False, f"FAIL: returned a {type(got).__name__}", hint)
        usable, problems = {}, {}
        for label in labels:
            v = got.get(label)
            if v is None or isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
                problems[label] = "missing" if label not in got else f"is {_fmt(v)}, not a number"
            else:
                usable[label] = v
        rows = {}
        if usable:
            rows = {r.name: r for r in check_gradients(usable, loss, **HAND, raise_exception=False).rows}
        for label in labels:  # in the exercise's order, whatever the order of the learner's dict
            if label in problems:
                self.add(f"{name}: d/d{label}", "a number", got.get(label), False, f"FAIL: {label} {problems[label]}",
                         hint)
            else:
                row = rows[label]
                verdict = "ok" if row.ok else "FAIL: " + row.verdict.removeprefix("WRONG: ")
                self.add(f"{name}: d/d{label}", row.autograd, row.hand, row.ok, verdict, hint)
        for label in got:
            if label not in labels:
                why = f"FAIL: {label!r} is not one of {list(labels)}"
                self.add(f"{name}: {label!r}", "-", got[label], False, why, hint)


def _exception(e: BaseException) -> str:
    """``TypeName: message``, or the name alone when the message is empty (``sys.exit()``)."""
    message = _short(str(e))
    return f"{type(e).__name__}: {message}" if message else type(e).__name__


def _short(text: str, n: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 3] + "..."


def _entries(got: object, n: int, fname: str) -> list[object]:
    """The n entries of a learner's list answer, or n copies of the reason there are none."""
    if isinstance(got, _Missing):
        return [got] * n
    if isinstance(got, str) or not isinstance(got, Sequence | np.ndarray) or len(got) != n:
        return [_Missing(f"{fname} should return a list of {n} numbers, got {_fmt(got)}")] * n
    return list(got)


def _data(got: object) -> object:
    """A Value's number; anything else unchanged (so a wrong kind of answer is reported as such)."""
    return got.data if isinstance(got, Value) else got


@dataclass(frozen=True)
class Exercise:
    """An exercise: its id (the starter's file name), a one-line title and its checks."""

    id: str
    title: str
    checks: Callable[[_Run], None]


# ---------------------------------------------------------------------------- the exercises
# Each check function calls the learner's functions through `run` and records items.


def _numerical_derivative(run: _Run) -> None:
    hint = "central difference: (f(x + h) - f(x - h)) / (2 * h)"
    for fname, f, df, x in (
        ("x**3", lambda t: t**3, lambda t: 3 * t**2, 2.0),
        ("sin", math.sin, math.cos, 1.0),
        ("exp", math.exp, math.exp, -0.5),
    ):
        run.number(f"derivative({fname}, {x}, h=1e-4)", df(x), run.call("derivative", f, x, 1e-4), hint, NUMERIC)
    f, x, h = (lambda t: t * t), 3.0, 1e-3
    run.number(
        "forward_derivative(x**2, 3.0, h=1e-3)", (f(x + h) - f(x)) / h, run.call("forward_derivative", f, x, h),
        "forward difference: (f(x + h) - f(x)) / h; it is off by about h * f''(x) / 2", SAME_FORMULA,
    )


def _manual_backprop(run: _Run) -> None:
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


def _chain_rule(run: _Run) -> None:
    hint = "product rule: (u v)' = u' v + u v'; chain rule: d sin(x**2)/dx = cos(x**2) * 2x"
    for x in (0.3, 1.7, -2.2):
        v = Value(x)
        ((v**2).sin() * (-v).exp()).backward()
        run.number(f"df_dx({x})", v.grad, run.call("df_dx", x), hint)


def _sigmoid_derivative(run: _Run) -> None:
    for x in (-3.0, 0.0, 2.5):
        v = Value(x)
        s = v.sigmoid()
        s.backward()
        run.number(f"deriv_sigmoid({x})", v.grad, run.call("deriv_sigmoid", x),
                   "sigmoid'(x) = sigmoid(x) * (1 - sigmoid(x)); x * (1 - x) is the formula for an OUTPUT, not x")
        run.number(f"deriv_sigmoid_from_output({s.data:.6g})", v.grad, run.call("deriv_sigmoid_from_output", s.data),
                   "given s = sigmoid(x), the derivative is s * (1 - s)")


_NEURON_POINTS = (([0.0, 1.0], 4.0, [2.0, 3.0]), ([0.5, -1.5], 0.3, [-1.0, 0.4]))


def _neuron(run: _Run) -> None:
    for w, b, x in _NEURON_POINTS:
        n = Neuron(2, activation="sigmoid", weights=w, bias_value=b)
        out = n(x)
        run.number(f"neuron_output({w}, {b}, {x})", out.data, run.call("neuron_output", list(w), b, list(x)),
                   "sigmoid(w1 * x1 + w2 * x2 + b)")
        got = run.call("neuron_partials", list(w), b, list(x))
        run.partials(f"neuron_partials({w}, {b}, {x})", got, out, ["w1", "w2", "b1"],
                     "d out/d w1 = sigmoid'(total) * x1, d out/d b1 = sigmoid'(total)")


def _mse_gradient(run: _Run) -> None:
    hint = "d/dp_i of (1/n) * sum((y - p)**2) is -2 * (y_i - p_i) / n"
    for y_true, y_pred in (([1.0, 0.0, 0.0, 1.0], [0.0, 0.0, 0.0, 0.0]), ([1.0, 0.0, 1.0], [0.8, 0.3, 0.4])):
        preds = [Value(p, f"p{i}") for i, p in enumerate(y_pred, 1)]
        mse_loss(y_true, preds).backward()
        got = _entries(run.call("d_mse_d_pred", list(y_true), list(y_pred)), len(preds), "d_mse_d_pred")
        for i, p in enumerate(preds):
            run.number(f"d_mse_d_pred({y_true}, {y_pred})[{i}]", p.grad, got[i], hint)


def _network_points() -> list[tuple[str, dict[str, float], list[float], float]]:
    """The tutorial's point (Alice, weights 1, biases 0) and two seeded random ones."""
    rng = random.Random(4)
    points = [("tutorial", dict.fromkeys(PARAMETER_NAMES, 1.0) | {"b1": 0.0, "b2": 0.0, "b3": 0.0}, ALICE, 1.0)]
    for tag, x, y in (("random A", [0.5, -1.0], 0.0), ("random B", [-1.5, 0.7], 1.0)):
        points.append((tag, {n: round(rng.uniform(-1, 1), 3) for n in PARAMETER_NAMES}, x, y))
    return points


def _alice_w1(run: _Run) -> None:
    hint = ("dL/dw1 = dL/dypred * dypred/dh1 * dh1/dw1; differentiating (y - ypred)**2 gives an inner -1; "
            "each sigmoid step gives sigmoid'(its input) times the weight or input on the edge")
    for tag, params, x, y in _network_points():
        model = network(**params)
        loss = (y - model(x)) ** 2
        loss.backward()
        w1 = dict(model.named_parameters())["w1"]
        run.number(f"d_L_d_w1 ({tag})", w1.grad, run.call("d_L_d_w1", dict(params), list(x), y), hint)


def _network_partials(run: _Run) -> None:
    hint = "each partial is dL/dypred times the path from ypred down to the parameter (see dL/dw1)"
    for tag, params, x, y in _network_points()[:2]:
        loss = (y - network(**params)(x)) ** 2
        run.partials(f"partials ({tag})", run.call("partials", dict(params), list(x), y), loss, PARAMETER_NAMES, hint)


def xor_tutorial_backprop(
    X: np.ndarray, y: np.ndarray, W1: np.ndarray, W2: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The XOR tutorial's ``backprop``: its ``(d_weights1, d_weights2)``, which it *adds* to the weights.

    As printed in the tutorial (``sigmoid_derivative(s)`` there takes a sigmoid
    output ``s`` and returns ``s * (1 - s)``)::

        d_weights2 = np.dot(layer1.T, 2*(y - output) * sigmoid_derivative(output))
        d_weights1 = np.dot(X.T, np.dot(2*(y - output) * sigmoid_derivative(output), W2.T)
                                 * sigmoid_derivative(layer1))
    """
    return numpy_backprop(W1, W2, X, y, factor=2.0)


def _xor_factor_two(run: _Run) -> None:
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
    if not isinstance(got, _Missing):
        try:
            g1, g2 = (np.asarray(g, dtype=float) for g in got)
            if g1.shape != (2, 2) or g2.shape != (2, 1):
                got = _Missing(f"gradient should return (dW1, dW2) shaped (2, 2), (2, 1); got {g1.shape}, {g2.shape}")
        except (TypeError, ValueError):
            got = _Missing(f"gradient should return a pair of arrays (dW1, dW2), got {_fmt(got)}")
    for name, true, k in (("W1", true1, 0), ("W2", true2, 1)):
        for (i, j), t in np.ndenumerate(true):
            g = got if isinstance(got, _Missing) else (g1, g2)[k][i, j]
            run.number(f"gradient: dLoss/d{name}[{i}][{j}]", float(t), g, hint)

    tut1, tut2 = xor_tutorial_backprop(X, y, W1, W2)
    ratios = np.concatenate([(tut1 / true1).ravel(), (tut2 / true2).ravel()])
    run.number("slip_factor(): tutorial d_weights / gradient", float(ratios.mean()), run.call("slip_factor"),
               "divide the tutorial's d_weights by your gradient, entry by entry: the ratio is the same everywhere")


# The custom ops' values from math, not from Value: the exercise is to rewrite Value's own ops.
_MATH_REFERENCES: dict[str, Callable[[float], float]] = {
    "softplus": lambda x: max(x, 0.0) + math.log1p(math.exp(-abs(x))),
    "sqrt": math.sqrt,
}


def _custom_op(run: _Run) -> None:
    for fname, builtin, xs, hint in (
        ("my_softplus", "softplus", (-2.0, 0.5, 3.0), "softplus(x) = log(1 + e**x); its derivative is sigmoid(x)"),
        ("my_sqrt", "sqrt", (0.25, 2.0, 9.0), "sqrt(x)' = 1 / (2 sqrt(x))"),
    ):
        x = Value(xs[1])
        out = run.call(fname, x)
        if not isinstance(out, _Missing) and not isinstance(out, Value):
            out = _Missing(f"{fname} returned a {type(out).__name__}; return Value.from_op(...)")
        one_node = not isinstance(out, _Missing) and out._prev == (x,) and out._op != builtin
        verdict = "ok" if one_node else "FAIL: " + (
            out.problem if isinstance(out, _Missing)
            else f"x.{builtin}() is the built-in op; build your own" if out._op == builtin
            else f"made of {out._op!r} nodes; make one node with Value.from_op"
        )
        run.add(f"{fname}(x) is one new node over x", "from_op node", "-" if isinstance(out, _Missing) else out._op,
                one_node, verdict, "return Value.from_op(result, [x], [local derivative], 'my_op')")
        for x in xs:
            ref = _MATH_REFERENCES[builtin](x)
            got = run.call(fname, Value(x))
            run.number(f"{fname}({x}).data", ref, _data(got), hint)
            _gradcheck_item(run, f"{fname}: gradcheck at {x}", fname, lambda v: (v,), x, hint)
    got = run.call("my_softplus", Value(800.0))
    run.number("my_softplus(800.0).data (no overflow)", 800.0, _data(got),
               "e**800 overflows a float; use log(1 + e**x) = max(x, 0) + log(1 + e**-|x|) (math.log1p)")


class _Problem(Exception):
    """The learner's function gave no usable answer inside a gradcheck."""


def _gradcheck_item(run: _Run, name: str, fname: str, args: Callable[[Value], tuple], x: float, hint: str) -> None:
    """Run `gradcheck` on the learner's ``fname``: its autograd derivative against finite differences."""

    def f(v: Value) -> Value:
        out = run.call(fname, *args(v))
        if isinstance(out, _Missing):
            raise _Problem(out)
        return out

    try:
        row = gradcheck(f, [x], raise_exception=False).rows[0]
    except _Problem as e:
        missing = e.args[0]
        return run.add(name, "-", "-", False, "FAIL: " + missing.problem, "" if missing.unwritten else hint)
    except TypeError as e:  # gradcheck's message: the op did not return a Value
        return run.add(name, "-", "-", False, f"FAIL: {_short(str(e))}", hint)
    verdict = "ok" if row.ok else "FAIL: derivative " + row.verdict.removeprefix("WRONG: ")
    run.add(name, row.numeric, row.autograd, row.ok, verdict, hint)


def _reference_nll(logits: Sequence[Value], target: int) -> Value:
    m = max(v.data for v in logits)
    log_sum = Value.sum([(v - m).exp() for v in logits]).log() + m
    return log_sum - logits[target]


def _softmax_nll(run: _Run) -> None:
    logits = [2.0, 1.0, 0.1]
    total = sum(math.exp(z) for z in logits)
    got = _entries(run.call("softmax", [Value(z) for z in logits]), len(logits), "softmax")
    for i, z in enumerate(logits):
        run.number(f"softmax({logits})[{i}]", math.exp(z) / total, _data(got[i]), "softmax_i = e**z_i / sum_j e**z_j")

    hint_nll = "nll = -log(softmax(z)[target]) = log(sum_j e**z_j) - z_target"
    for zs, t in (([2.0, 1.0, 0.1], 0), ([0.5, -1.0, 3.0, 0.0], 2)):
        got = run.call("nll", [Value(z) for z in zs], t)
        if not isinstance(got, _Missing | Value):
            got = _Missing(f"nll returned a {type(got).__name__}; build it from Value ops so backward() works")
        run.number(f"nll({zs}, {t}).data", _reference_nll([Value(z) for z in zs], t).data, _data(got), hint_nll)
        _gradcheck_item(run, f"nll: gradcheck on logit 0 of {zs}", "nll",
                        lambda v, zs=zs, t=t: ([v, *map(Value, zs[1:])], t), zs[0], hint_nll)

        ref = [Value(z) for z in zs]
        _reference_nll(ref, t).backward()
        hand = _entries(run.call("d_nll_d_logits", list(zs), t), len(zs), "d_nll_d_logits")
        for i, v in enumerate(ref):
            run.number(f"d_nll_d_logits({zs}, {t})[{i}]", v.grad, hand[i],
                       "nll = log(sum_j e**z_j) - z_target: differentiate the two parts separately")

    big = [1000.0, 999.0, 998.0]
    got = run.call("nll", [Value(z) for z in big], 1)
    run.number(f"nll({big}, 1).data (no overflow)", _reference_nll([Value(z) for z in big], 1).data, _data(got),
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


# ---------------------------------------------------------------------------- the command


class UsageError(Exception):
    """The command was used wrongly (exit status 2); the message says how to use it."""


def _exercise_id(path: Path) -> str:
    """The id in the file's ``EXERCISE = "..."`` line, read without running the file."""
    if not path.exists():
        raise UsageError(f"{path}: no such file")
    if not path.is_file() or path.suffix != ".py":
        raise UsageError(f"{path} is not a Python file; give an exercise file such as docs/exercises/alice_w1.py")
    source = path.read_text(encoding="utf-8", errors="replace")
    try:
        tree = ast.parse(source, str(path))
    except SyntaxError:
        # Only an exercise file is worth running; find its marker line by text instead.
        ids = [line.split("=", 1)[1].strip().strip("\"'") for line in source.splitlines()
               if line.replace(" ", "").startswith("EXERCISE=")]
        if not ids:
            raise UsageError(f"{path} is not an exercise file (no EXERCISE = \"...\" line)") from None
        return ids[0]
    for node in tree.body:
        if (isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["EXERCISE"]
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
            return node.value.value
    raise UsageError(f"{path} is not an exercise file: it has no line EXERCISE = \"...\" "
                     "(list the exercises with: micrograd check --list)")


def check_file(path: str | Path) -> tuple[int, str]:
    """Run the checks of the exercise that ``path`` names: ``(exit status, report text)``.

    Raises `UsageError` for a missing file or one that is not an exercise file.
    """
    exercise_id = _exercise_id(Path(path))  # messages name the file as the user gave it
    path = Path(path).resolve()
    exercise = EXERCISES.get(exercise_id)
    if exercise is None:
        raise UsageError(f"{path.name} names exercise {exercise_id!r}, which does not exist; "
                         f"known exercises: {', '.join(EXERCISES)}")
    namespace: dict = {"__name__": "__exercise__", "__file__": str(path)}
    guard = _Guard()
    run = _Run(namespace, path, guard)
    try:
        try:
            exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
        except KeyboardInterrupt:
            raise
        except BaseException as e:  # a file that does not run (or exits) is a failed check, reported plainly
            if isinstance(e, SyntaxError):
                problem, where = f"SyntaxError: {_short(e.msg)}", f" (line {e.lineno})"
            else:
                problem, where = _exception(e), run._where(e)
            return 1, (f"{exercise.id}: {exercise.title}\n"
                       f"FAIL: your file does not run: {problem}{where}\n"
                       f"Fix it and run again: micrograd check {_shown(path)}")
        guard.keep_learners_changes()
        try:
            exercise.checks(run)
        except KeyboardInterrupt:
            raise
        except BaseException as e:
            # Raised by an object the learner's code returned (its __float__, say), outside `_Run.call`.
            where = run._where(e)
            if not where:
                raise  # not from the learner's file: a bug of the checker, shown as one
            run.add("(checking stopped)", "-", "-", False,
                    f"FAIL: your answer raised {_exception(e)}{where} while it was checked", "")
    finally:
        guard.restore()
    return (0 if all(i.ok for i in run.items) else 1), _report(exercise, run.items, path)


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _report(exercise: Exercise, items: list[Item], path: Path) -> str:
    header = ["check", "expected", "received", "verdict"]
    rows = [[i.name, i.expected, i.received, i.verdict] for i in items]
    lines = [f"{exercise.id}: {exercise.title}", format_table(header, rows, [not i.ok for i in items])]
    passed = sum(i.ok for i in items)
    if passed == len(items):
        lines.append(f"All {len(items)} checks passed.")
        return "\n".join(lines)
    lines.append(f"{passed} of {len(items)} checks passed.")
    hints = list(dict.fromkeys(i.hint for i in items if not i.ok and i.hint))
    if hints:
        lines.append("Hints:")
        lines += [f"  - {h}" for h in hints]
    lines.append(f"Edit the file and run again: micrograd check {_shown(path)}")
    return "\n".join(lines)


def starters_dir() -> Path | None:
    """Where the starter files are: next to the package when installed, else the repo's docs/exercises."""
    here = Path(__file__).resolve().parent
    for folder in (here / "_exercises", here.parent / "docs" / "exercises"):
        if folder.is_dir():
            return folder
    return None


def _start(name: str) -> int:
    if name not in EXERCISES:
        raise UsageError(f"unknown exercise {name!r}; known exercises: {', '.join(EXERCISES)}")
    folder = starters_dir()
    if folder is None or not (folder / f"{name}.py").is_file():
        raise UsageError("the starter files are not installed with this copy of micrograd; "
                         "they are in docs/exercises/ of the source repository")
    target = Path.cwd() / f"{name}.py"
    if target.exists():
        raise UsageError(f"{target.name} already exists here; check it with: micrograd check {target.name}")
    shutil.copyfile(folder / f"{name}.py", target)
    print(f"wrote {target.name}: fill in its functions, then run: micrograd check {target.name}")
    return 0


def _command(args: argparse.Namespace) -> int:
    try:
        if args.list:
            width = max(map(len, EXERCISES))
            for e in EXERCISES.values():
                print(f"{e.id.ljust(width)}  {e.title}")
            return 0
        if args.start:
            return _start(args.start)
        if not args.file:
            raise UsageError("give an exercise file (micrograd check docs/exercises/alice_w1.py), "
                             "--list or --start NAME")
        status, report = check_file(args.file)
    except UsageError as e:
        print(f"micrograd check: error: {e}", file=sys.stderr)
        return 2
    print(report)
    return status


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``check`` subcommand."""
    p = sub.add_parser(
        "check",
        help="check an exercise file",
        description="Check the functions in an exercise file against micrograd's own derivatives. "
        "Exit status: 0 all checks pass, 1 a check fails, 2 usage error.",
    )
    p.add_argument("file", nargs="?", help="an exercise file, e.g. docs/exercises/alice_w1.py")
    p.add_argument("--list", action="store_true", help="list the exercises")
    p.add_argument("--start", metavar="NAME", help="copy the starter of exercise NAME into the current folder")
    p.set_defaults(func=_command)
