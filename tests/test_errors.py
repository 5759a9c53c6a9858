"""Bad input gets a clear error: what was wrong and what to do. One table of (call, exception, words).

Each row was, before it was fixed, an error from deep inside ("has no len()",
"not iterable", "unhashable", numpy's "truth value is ambiguous") or no error at
all. The message must name the problem in the caller's terms; the words listed
are the ones that say what was wrong or what to do.
"""

from __future__ import annotations

import contextlib
import io
import math

import numpy as np
import pytest

from micrograd import MLP, SGD, Layer, Neuron, Value, binary_cross_entropy, mse_loss
from micrograd.cli import main
from micrograd.cli.expr import ExpressionError, evaluate, parse_assignments
from micrograd.datasets import make_moons
from micrograd.gradcheck import gradcheck
from micrograd.viz import draw_dot


def _set_lr(value: object) -> None:
    SGD([Value(1.0)], lr=0.1).lr = value  # type: ignore[assignment]


def _step_with_grad(grad: object) -> None:
    p = Value(1.0, label="p")
    p.grad = grad  # type: ignore[assignment]
    SGD([p]).step()


def _backward_with_grad(grad: object) -> None:
    p = Value(1.0, label="p")
    p.grad = grad  # type: ignore[assignment]
    (p * p).backward()


class UsageError(Exception):
    """What a command printed when it stopped with exit status 2."""


def command(name: str, *args: str):
    """A call of ``micrograd NAME ARGS`` that raises UsageError with its message when it exits with status 2."""

    def run() -> None:
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            try:
                status = main([name, *args])
            except SystemExit as e:  # argparse's errors
                status = e.code
        if status == 2:
            raise UsageError(err.getvalue())
        raise AssertionError(f"micrograd {name} {' '.join(args)} exited with status {status}, not 2")

    return run


def draw_command(*args: str):
    return command("draw", *args)


def _product() -> Value:
    return Value(2.0, label="a") * Value(3.0, label="b")


CASES = [
    ("dot of a generator", lambda: Value.dot((Value(1.0) for _ in range(2)), [1, 2]), TypeError,
     ["Value.dot", "generator", "make a list"]),
    ("dot of a number", lambda: Value.dot(3, [1]), TypeError, ["Value.dot", "lists", "int"]),
    ("dot of a set", lambda: Value.dot([Value(1.0), Value(2.0)], {3.0, 4.0}), TypeError,
     ["Value.dot", "set", "no order"]),
    ("dot of a dict", lambda: Value.dot({"a": Value(1.0)}, [3.0]), TypeError, ["Value.dot", "dict", "no order"]),
    ("sum of a number", lambda: Value.sum(3), TypeError, ["Value.sum", "list", "int"]),
    ("Neuron weights a number", lambda: Neuron(2, weights=2.0), TypeError, ["weights", "list of 2", "float"]),
    ("model(None)", lambda: MLP(2, [1])(None), TypeError, ["list of 2 inputs", "NoneType"]),
    ("model(generator)", lambda: MLP(2, [1])(x for x in [1, 2]), TypeError, ["generator", "make a list"]),
    ("model(set)", lambda: MLP(2, [1])({1.0, 2.0}), TypeError, ["set", "no order"]),
    ("layer(dict)", lambda: Layer(2, 1)({"a": 1.0, "b": 2.0}), TypeError, ["dict", "no order"]),
    ("activation a list", lambda: Neuron(2, activation=["relu"]), ValueError, ["activation", "'relu'"]),
    ("bias an array", lambda: Neuron(2, bias=np.array([1, 2])), TypeError, ["bias", "True or False", "bias_value"]),
    ("nonlin an array", lambda: Neuron(2, nonlin=np.array([1, 2])), TypeError, ["nonlin", "True or False"]),
    ("Layer unknown option", lambda: Layer(2, 2, bogus=1), TypeError, ["Layer", "'bogus'", "activation"]),
    ("SGD(None)", lambda: SGD(None), TypeError, ["SGD", "list of Values", "NoneType"]),
    ("SGD(Value)", lambda: SGD(Value(1.0)), TypeError, ["one Value", "SGD([v])"]),
    ("lr set to a string", lambda: _set_lr("0.1"), ValueError, ["lr", "finite number"]),
    ("lr set negative", lambda: _set_lr(-0.1), ValueError, ["lr", ">= 0"]),
    ("grad a string, step", lambda: _step_with_grad("0"), TypeError, ["gradient '0'", "not a number"]),
    ("grad a string, backward", lambda: _backward_with_grad("0"), TypeError, [".grad of 'p'", "not a number"]),
    ("noise a string", lambda: make_moons(10, noise="0.1"), TypeError, ["noise", "number"]),
    ("noise an array", lambda: make_moons(10, noise=np.array([0.1, 0.2])), TypeError, ["noise", "number"]),
    ("noise infinite", lambda: make_moons(10, noise=math.inf), ValueError, ["noise", "finite"]),
    ("seed True", lambda: make_moons(10, seed=True), TypeError, ["seed", "int"]),
    ("n and n_samples", lambda: make_moons(10, n_samples=20), TypeError, ["n or n_samples", "not both"]),
    ("BCE of a dict", lambda: binary_cross_entropy({"a": 1}, [0.5]), TypeError, ["binary_cross_entropy", "dict"]),
    ("MSE of a dict", lambda: mse_loss({"a": 1}, [0.5]), TypeError, ["mse_loss", "dict", "order"]),
    ("MSE of a set", lambda: mse_loss({1.0, 2.0}, [Value(1.0), Value(2.0)]), TypeError, ["mse_loss", "set"]),
    ("gradcheck(3)", lambda: gradcheck(3, [1.0]), TypeError, ["gradcheck", "function", "int"]),
    ("gradcheck steps outside the domain", lambda: gradcheck(lambda x: x.sqrt(), [1e-7]), ValueError,
     ["1e-07 - eps", "works at 1e-07", "smaller eps"]),
    ("gradcheck eps below float spacing", lambda: gradcheck(lambda x: x * x, [1e12]), ValueError,
     ["eps = 1e-06 is too small", "1e+12", "apart"]),
    ("save('')", lambda: MLP(2, [1]).save(""), ValueError, ["file name", "empty"]),
    # drawing, and the expressions of `micrograd draw`
    ("highlight=5", lambda: draw_dot(_product(), highlight=5), TypeError,
     ["highlight takes a Value, a label such as 'w1', or a list of them", "int 5"]),
    ("highlight=[w, 5]", lambda: draw_dot(_product(), highlight=["a", 5]), TypeError, ["int 5 in the list"]),
    ("parse_assignments([1])", lambda: parse_assignments([1]), TypeError, ["strings such as 'a=2'", "int 1"]),
    ("parse_assignments('a=2')", lambda: parse_assignments("a=2"), TypeError,
     ["a list of strings", "got the string 'a=2'", "['a=2']"]),
    ("exp(x=a)", lambda: evaluate("exp(x=a)", {"a": 1}), ExpressionError,
     ["without a name", "write exp(...), not exp(x=...)"]),
    ("draw -a*2", draw_command("-a*2", "a=1"), UsageError,
     ["unrecognized arguments: -a*2", "put it after --", 'micrograd draw -- "-a*2" a=1']),
    ("draw -- -a*2 a=1 -o", draw_command("--", "-a*2", "a=1", "-o", "x.svg"), UsageError,
     ["'-o' is not VAR=VALUE", "put options before --"]),
    ("play -a*2", command("play", "-a*2", "a=1"), UsageError,
     ["unrecognized arguments: -a*2", "put it after --", 'micrograd play -- "-a*2" a=1']),
    ("play -- -a*2 a=1 -o", command("play", "--", "-a*2", "a=1", "-o", "x.html"), UsageError,
     ["'-o' is not VAR=VALUE", "put options before --", "micrograd play -o out.html"]),
    ("draw a*1e309", draw_command("a*1e309", "a=1"), UsageError,
     ["the number 1e309 is too large for a float", "use a smaller number"]),
    ("a*b overflowing", lambda: evaluate("a*b", {"a": 1e200, "b": 1e200}), ExpressionError,
     ["a*b is too large for a float", "use smaller values for a, b"]),
    ("non-ASCII name", lambda: evaluate("ä*2", {"ä": 1}), ExpressionError,
     ["the name 'ä' is not allowed", "ASCII letters"]),
    ("non-ASCII assignment", lambda: parse_assignments(["ä=1"]), ExpressionError,
     ["'ä' is not a variable name", "ASCII letters"]),
    ("NUL in a label", lambda: draw_dot(Value(1.0, label="a\x00b") * 2), ValueError,
     ["the label 'a\\x00b'", "control character", "value.label"]),
    ("ESC in a label", lambda: draw_dot(Value(1.0, label="\x1b[1mw") * 2), ValueError, ["'\\x1b'"]),
]


@pytest.mark.parametrize("name, call, error, words", CASES, ids=[c[0] for c in CASES])
def test_a_wrong_input_gets_an_error_saying_what_was_wrong(name, call, error, words):
    with pytest.raises(error) as info:
        call()
    for w in words:
        assert w in str(info.value), (w, str(info.value))
    if not name.startswith("lr "):  # advice about training only where training is the matter
        assert "learning rate" not in str(info.value)


def test_demo_out_empty_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["demo", "--out", ""])
    assert info.value.code == 2
    assert "--out: needs a folder name, got an empty one" in capsys.readouterr().err
