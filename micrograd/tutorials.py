"""The tutorials' hand-built networks, ready to use: one place for the numbers the docs derive.

* `neuron()`: the 2-input sigmoid neuron with w = [0, 1], b = 4.
* `network()`: the 2-2-1 sigmoid network (h1, h2, o1) with parameters w1..w6, b1..b3.
* `uniform_network()`: the XOR and two-layer tutorials' network, weights from U[0, 1).
* `alice_loss()`: that network with every weight 1 and every bias 0, on Alice alone,
  with the loss ``L = (1 - ypred)²``: the example the tutorial differentiates by hand.
* `forward()` and `hand_partials()`: the tutorial's forward pass and its chain rule
  for all nine partials, in plain floats.
* `numpy_backprop()`: the numpy tutorials' hand-written backprop (XOR, exam scores);
  `xor_tutorial_backprop()` is the XOR tutorial's, with its factor-2 slip.
* `gender_network()` and `train_gender()`: the gender tutorial's initialisation and
  training loop (the tour and the gender demo run them).

>>> model, loss = alice_loss()
>>> loss.backward()
>>> grads = {name: p.grad for name, p in model.named_parameters()}
>>> hand = hand_partials(model.state_dict(), ALICE, 1.0)
>>> all(abs(grads[name] - hand[name]) < 1e-15 for name in PARAMETER_NAMES)
True
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np

from micrograd.engine import Value, no_grad
from micrograd.losses import mse_loss
from micrograd.nn import MLP, Neuron
from micrograd.optim import SGD

__all__ = [
    "neuron",
    "network",
    "alice_loss",
    "uniform_network",
    "sigmoid",
    "deriv_sigmoid",
    "Forward",
    "forward",
    "hand_partials",
    "numpy_backprop",
    "xor_tutorial_backprop",
    "gender_network",
    "train_gender",
    "ALICE",
    "PARAMETER_NAMES",
]

#: Alice's (weight - 135, height - 66); her label is 1 (F).
ALICE = [-2.0, -1.0]
PARAMETER_NAMES = ["w1", "w2", "b1", "w3", "w4", "b2", "w5", "w6", "b3"]


def neuron() -> Neuron:
    """The tutorial's first neuron: sigmoid, w = [0, 1], b = 4 (``neuron()([2, 3])`` is 0.9990889...)."""
    return Neuron(2, activation="sigmoid", weights=[0, 1], bias_value=4)


def network(weights: tuple[float, float] = (0.0, 1.0), bias: float = 0.0, **params: float) -> MLP:
    """The 2-2-1 sigmoid network; every neuron gets ``weights`` and ``bias``.

    The defaults are the tutorial's feedforward example (``network()([2, 3])`` is
    0.7216325609518421). Keyword arguments set single parameters by name
    (``network(w5=0.3)``).
    """
    model = MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid")
    # odd-numbered weights (w1, w3, w5) read a neuron's first input, even ones its second
    state = {name: (weights[int(name[1:]) % 2 == 0] if name[0] == "w" else bias) for name in PARAMETER_NAMES}
    state.update(params)
    model.load_state_dict(state)
    return model


def uniform_network(seed: int, hidden: int = 2, *, bias: bool = False) -> MLP:
    """The numpy tutorials' network: 2 inputs -> ``hidden`` sigmoid neurons -> 1 sigmoid output.

    Every weight from U[0, 1) like their ``np.random.rand`` (drawn from
    ``random.Random(seed)`` in parameter order); biases, if any, start at 0 (the
    tutorials have none).
    """
    model = MLP(2, [hidden, 1], activation="sigmoid", output_activation="sigmoid", bias=bias)
    rng = random.Random(seed)
    model.load_state_dict({name: rng.random() if name[0] == "w" else 0.0 for name, _ in model.named_parameters()})
    return model


def alice_loss(model: MLP | None = None, y_true: float = 1.0) -> tuple[MLP, Value]:
    """``(model, L)`` with ``L = (y_true - ypred)²`` for Alice; the model defaults to weights 1, biases 0.

    The loss node is labelled ``L``; the prediction is the node ``o1``.
    """
    if model is None:
        model = network(weights=(1.0, 1.0), bias=0.0)
    y_pred = model(ALICE)
    loss = (y_true - y_pred) ** 2
    loss.label = "L"
    return model, loss


def sigmoid(x: float) -> float:
    """The tutorial's sigmoid, ``1 / (1 + e**-x)``, in plain floats."""
    return 1 / (1 + math.exp(-x))


def deriv_sigmoid(x: float) -> float:
    """The tutorial's ``f'(x) = f(x) * (1 - f(x))``."""
    fx = sigmoid(x)
    return fx * (1 - fx)


class Forward(NamedTuple):
    """The tutorial's forward-pass variables for one sample, in plain floats."""

    sum_h1: float
    h1: float
    sum_h2: float
    h2: float
    sum_o1: float
    ypred: float


def forward(params: dict[str, float], x: list[float]) -> Forward:
    """The 2-2-1 network's forward pass as the tutorial writes it, at ``params`` (``{'w1': ..., 'b3': ...}``).

    >>> forward({name: 1.0 if name[0] == "w" else 0.0 for name in PARAMETER_NAMES}, ALICE).ypred
    0.5236951740839997
    """
    w1, w2, b1, w3, w4, b2, w5, w6, b3 = (params[n] for n in PARAMETER_NAMES)
    sum_h1 = w1 * x[0] + w2 * x[1] + b1
    h1 = sigmoid(sum_h1)
    sum_h2 = w3 * x[0] + w4 * x[1] + b2
    h2 = sigmoid(sum_h2)
    sum_o1 = w5 * h1 + w6 * h2 + b3
    return Forward(sum_h1, h1, sum_h2, h2, sum_o1, sigmoid(sum_o1))


def hand_partials(params: dict[str, float], x: list[float], y_true: float) -> dict[str, float]:
    """All nine ∂L/∂p of ``L = (y_true - ypred)²``, by the tutorial's chain rule, in plain floats.

    The variable names are the tutorial's: ``d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w1`` etc.
    """
    sum_h1, h1, sum_h2, h2, sum_o1, y_pred = forward(params, x)
    w5, w6 = params["w5"], params["w6"]

    d_L_d_ypred = -2 * (y_true - y_pred)
    # neuron o1
    d_ypred_d_w5 = h1 * deriv_sigmoid(sum_o1)
    d_ypred_d_w6 = h2 * deriv_sigmoid(sum_o1)
    d_ypred_d_b3 = deriv_sigmoid(sum_o1)
    d_ypred_d_h1 = w5 * deriv_sigmoid(sum_o1)
    d_ypred_d_h2 = w6 * deriv_sigmoid(sum_o1)
    # neuron h1
    d_h1_d_w1 = x[0] * deriv_sigmoid(sum_h1)
    d_h1_d_w2 = x[1] * deriv_sigmoid(sum_h1)
    d_h1_d_b1 = deriv_sigmoid(sum_h1)
    # neuron h2
    d_h2_d_w3 = x[0] * deriv_sigmoid(sum_h2)
    d_h2_d_w4 = x[1] * deriv_sigmoid(sum_h2)
    d_h2_d_b2 = deriv_sigmoid(sum_h2)
    return {
        "w1": d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w1,
        "w2": d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w2,
        "b1": d_L_d_ypred * d_ypred_d_h1 * d_h1_d_b1,
        "w3": d_L_d_ypred * d_ypred_d_h2 * d_h2_d_w3,
        "w4": d_L_d_ypred * d_ypred_d_h2 * d_h2_d_w4,
        "b2": d_L_d_ypred * d_ypred_d_h2 * d_h2_d_b2,
        "w5": d_L_d_ypred * d_ypred_d_w5,
        "w6": d_L_d_ypred * d_ypred_d_w6,
        "b3": d_L_d_ypred * d_ypred_d_b3,
    }


def numpy_backprop(
    W1: np.ndarray, W2: np.ndarray, X: np.ndarray, y: np.ndarray, *, factor: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """The numpy tutorials' hand-written backprop for ``o = f(f(X @ W1) @ W2)``, f the sigmoid, no biases.

    Returns the changes the tutorials *add* to W1 and W2. With ``factor=1`` it is the
    exam-score tutorial's ``X.T.dot(z2_delta)``, ``z2.T.dot(o_delta)``: exactly minus
    the gradient of ``0.5 * sum((y - o)^2)``. The XOR tutorial writes ``2*(y - output)``
    where that has ``y - o``: ``factor=2``.
    """
    hidden = 1 / (1 + np.exp(-(X @ W1)))
    out = 1 / (1 + np.exp(-(hidden @ W2)))
    # f'(s) = f(s) (1 - f(s)), written from the layer's output as the tutorials do
    out_delta = factor * (y - out) * out * (1 - out)
    hidden_delta = out_delta @ W2.T * hidden * (1 - hidden)
    return X.T @ hidden_delta, hidden.T @ out_delta


def gender_network(seed: int | random.Random) -> MLP:
    """The gender tutorial's 2-2-1 sigmoid network, every weight and bias drawn from N(0, 1).

    Drawn in the tutorial's order (w1..w6, then b1..b3) from ``random.Random(seed)``.
    """
    rng = seed if isinstance(seed, random.Random) else random.Random(seed)
    model = network()
    weights = [n for n in PARAMETER_NAMES if n.startswith("w")]
    biases = [n for n in PARAMETER_NAMES if n.startswith("b")]
    model.load_state_dict({name: rng.gauss(0.0, 1.0) for name in weights + biases})
    return model


def train_gender(
    model: MLP,
    X: Sequence[Sequence[float]],
    y: Sequence[float],
    *,
    epochs: int = 1000,
    lr: float = 0.1,
    every: int = 10,
    log: Callable[[str], object] | None = print,
) -> list[float]:
    """The gender tutorial's training: per-sample SGD on ``(y_true - ypred)²``; returns the loss per epoch.

    The loss recorded (and logged every ``every`` epochs, in the tutorial's words)
    is the mean squared error over all of ``X`` at the end of the epoch.
    """
    opt = SGD(model.parameters(), lr=lr)
    history = []
    for epoch in range(epochs):
        for x, y_true in zip(X, y):
            loss = (y_true - model(x)) ** 2
            opt.zero_grad()
            loss.backward()
            opt.step()
        with no_grad():  # evaluation only: no graph to build
            history.append(mse_loss(y, [model(x) for x in X]).data)
        if log is not None and epoch % every == 0:
            log(f"Epoch {epoch} loss: {history[-1]:.3f}")
    return history


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
