"""The tutorials' hand-built networks, ready to use: one place for the numbers the docs derive.

* `neuron()`: the 2-input sigmoid neuron with w = [0, 1], b = 4.
* `network()`: the 2-2-1 sigmoid network (h1, h2, o1) with parameters w1..w6, b1..b3.
* `alice_loss()`: that network with every weight 1 and every bias 0, on Alice alone,
  with the loss ``L = (1 - ypred)²``: the example the tutorial differentiates by hand.
* `hand_partials()`: the tutorial's chain rule for all nine partials, in plain floats.

>>> model, loss = alice_loss()
>>> loss.backward()
>>> grads = {name: p.grad for name, p in model.named_parameters()}
>>> hand = hand_partials(model.state_dict(), ALICE, 1.0)
>>> all(abs(grads[name] - hand[name]) < 1e-15 for name in PARAMETER_NAMES)
True
"""

from __future__ import annotations

import math

from micrograd.engine import Value
from micrograd.nn import MLP, Neuron

__all__ = ["neuron", "network", "alice_loss", "hand_partials", "ALICE", "PARAMETER_NAMES"]

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


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def _deriv_sigmoid(x: float) -> float:
    fx = _sigmoid(x)
    return fx * (1 - fx)


def hand_partials(params: dict[str, float], x: list[float], y_true: float) -> dict[str, float]:
    """All nine ∂L/∂p of ``L = (y_true - ypred)²``, by the tutorial's chain rule, in plain floats.

    The variable names are the tutorial's: ``d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w1`` etc.
    """
    w1, w2, b1, w3, w4, b2, w5, w6, b3 = (params[n] for n in PARAMETER_NAMES)
    sum_h1 = w1 * x[0] + w2 * x[1] + b1
    h1 = _sigmoid(sum_h1)
    sum_h2 = w3 * x[0] + w4 * x[1] + b2
    h2 = _sigmoid(sum_h2)
    sum_o1 = w5 * h1 + w6 * h2 + b3
    y_pred = _sigmoid(sum_o1)

    d_L_d_ypred = -2 * (y_true - y_pred)
    # neuron o1
    d_ypred_d_w5 = h1 * _deriv_sigmoid(sum_o1)
    d_ypred_d_w6 = h2 * _deriv_sigmoid(sum_o1)
    d_ypred_d_b3 = _deriv_sigmoid(sum_o1)
    d_ypred_d_h1 = w5 * _deriv_sigmoid(sum_o1)
    d_ypred_d_h2 = w6 * _deriv_sigmoid(sum_o1)
    # neuron h1
    d_h1_d_w1 = x[0] * _deriv_sigmoid(sum_h1)
    d_h1_d_w2 = x[1] * _deriv_sigmoid(sum_h1)
    d_h1_d_b1 = _deriv_sigmoid(sum_h1)
    # neuron h2
    d_h2_d_w3 = x[0] * _deriv_sigmoid(sum_h2)
    d_h2_d_w4 = x[1] * _deriv_sigmoid(sum_h2)
    d_h2_d_b2 = _deriv_sigmoid(sum_h2)
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
