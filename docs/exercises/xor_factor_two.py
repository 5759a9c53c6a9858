"""Exercise: find the factor-2 slip in the XOR tutorial's backprop.

The XOR tutorial trains a 2-2-1 sigmoid network without biases on the XOR table,
with the loss ``0.5 * sum((y - output)**2)``. Its ``backprop`` computes::

    d_weights2 = np.dot(layer1.T, 2*(y - output) * sigmoid_derivative(output))
    d_weights1 = np.dot(X.T, np.dot(2*(y - output) * sigmoid_derivative(output), W2.T)
                             * sigmoid_derivative(layer1))

and then *adds* them to the weights (``sigmoid_derivative(s) = s * (1 - s)`` takes a
sigmoid output). ``xor_tutorial_backprop`` below is exactly that code.

1. ``gradient(X, y, W1, W2)``: the true gradient of the tutorial's own loss,
   ``(dW1, dW2)``, arrays shaped like W1 (2, 2) and W2 (2, 1). With
   layer1 = sigmoid(X @ W1) and output = sigmoid(layer1 @ W2), start from
   d loss / d output = -(y - output).
2. ``slip_factor()``: the number k with tutorial d_weights = k * gradient (the
   same for every entry). Its sign is on purpose (the tutorial adds, so it must
   point downhill); what is its size, and where does it come from?

Check:  micrograd check xor_factor_two.py
"""

import numpy as np

from micrograd.tutorials import xor_tutorial_backprop  # noqa: F401  (to compare with)

EXERCISE = "xor_factor_two"


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def gradient(X, y, W1, W2):
    """(d loss/d W1, d loss/d W2) for loss = 0.5 * sum((y - output)**2)."""
    raise NotImplementedError


def slip_factor():
    """k such that xor_tutorial_backprop(...) == k * gradient(...)."""
    raise NotImplementedError
