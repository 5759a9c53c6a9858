"""Exercise: the sigmoid's derivative, from its input and from its output.

sigmoid(x) = 1 / (1 + e**-x). Its derivative can be written with the sigmoid
itself: sigmoid'(x) = sigmoid(x) * (1 - sigmoid(x)).

1. ``deriv_sigmoid(x)``: the derivative at the input x (the gender tutorial's
   ``deriv_sigmoid``).
2. ``deriv_sigmoid_from_output(s)``: the same derivative when you are given the
   sigmoid's output s = sigmoid(x) instead of x. The XOR tutorial's
   ``sigmoid_derivative(x) = x * (1 - x)`` is this one: it must be called with a
   sigmoid output, which is why it looks different from the first.

Check:  micrograd check sigmoid_derivative.py
"""

import math

EXERCISE = "sigmoid_derivative"


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


def deriv_sigmoid(x):
    """sigmoid'(x), given x."""
    raise NotImplementedError


def deriv_sigmoid_from_output(s):
    """sigmoid'(x), given s = sigmoid(x)."""
    raise NotImplementedError
