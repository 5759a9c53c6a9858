"""Worked solution of docs/exercises/sigmoid_derivative.py."""

import math

EXERCISE = "sigmoid_derivative"


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


def deriv_sigmoid(x):
    s = sigmoid(x)
    return s * (1 - s)


def deriv_sigmoid_from_output(s):
    return s * (1 - s)
