"""Bad input gets a clear error: what was wrong and what to do. One table of (call, exception, words).

Each row was, before it was fixed, an error from deep inside ("has no len()",
"not iterable", "unhashable", numpy's "truth value is ambiguous") or no error at
all. The message must name the problem in the caller's terms; the words listed
are the ones that say what was wrong or what to do.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from micrograd import MLP, SGD, Layer, Neuron, Value, binary_cross_entropy, mse_loss
from micrograd.cli import main
from micrograd.datasets import make_moons
from micrograd.gradcheck import gradcheck


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


CASES = [
    ("dot of a generator", lambda: Value.dot((Value(1.0) for _ in range(2)), [1, 2]), TypeError,
     ["Value.dot", "generator", "make a list"]),
    ("dot of a number", lambda: Value.dot(3, [1]), TypeError, ["Value.dot", "lists", "int"]),
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
]


@pytest.mark.parametrize("call, error, words", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_wrong_input_gets_an_error_saying_what_was_wrong(call, error, words):
    with pytest.raises(error) as info:
        call()
    for w in words:
        assert w in str(info.value), (w, str(info.value))


def test_demo_out_empty_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["demo", "--out", ""])
    assert info.value.code == 2
    assert "--out: needs a folder name, got an empty one" in capsys.readouterr().err
