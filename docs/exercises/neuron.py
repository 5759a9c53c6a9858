"""Exercise: one sigmoid neuron, its output and its three partials.

A neuron with weights w = [w1, w2] and bias b computes, for inputs x = [x1, x2]::

    total = w1 * x1 + w2 * x2 + b
    out = sigmoid(total)

1. ``neuron_output(w, b, x)``: out. The tutorial's neuron (w = [0, 1], b = 4,
   x = [2, 3]) gives 0.9990889488055994.
2. ``neuron_partials(w, b, x)``: the derivatives of out with respect to the
   parameters, as ``{'w1': ..., 'w2': ..., 'b1': ...}`` (micrograd labels a lone
   neuron's bias b1). Each is sigmoid'(total) times the derivative of total.

Check:  micrograd check neuron.py
"""

import math

EXERCISE = "neuron"


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


def neuron_output(w, b, x):
    raise NotImplementedError


def neuron_partials(w, b, x):
    raise NotImplementedError("return {'w1': ..., 'w2': ..., 'b1': ...}")
