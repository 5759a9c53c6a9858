"""Worked solution of docs/exercises/xor_factor_two.py."""

import numpy as np

EXERCISE = "xor_factor_two"


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def gradient(X, y, W1, W2):
    layer1 = sigmoid(X @ W1)
    output = sigmoid(layer1 @ W2)
    # d loss/d(output pre-activation): -(y - output) * sigmoid'(.)
    delta = -(y - output) * output * (1 - output)
    dW2 = layer1.T @ delta
    dW1 = X.T @ ((delta @ W2.T) * layer1 * (1 - layer1))
    return dW1, dW2


def slip_factor():
    # The tutorial differentiates sum((y - output)**2), not 0.5 * sum(...): a factor 2;
    # and it writes +(y - output) where the gradient has -(y - output), because it adds.
    return -2.0
