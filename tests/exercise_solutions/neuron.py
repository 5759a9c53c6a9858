"""Worked solution of docs/exercises/neuron.py."""

import math

EXERCISE = "neuron"


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


def neuron_output(w, b, x):
    return sigmoid(w[0] * x[0] + w[1] * x[1] + b)


def neuron_partials(w, b, x):
    out = neuron_output(w, b, x)
    d_out_d_total = out * (1 - out)
    return {"w1": d_out_d_total * x[0], "w2": d_out_d_total * x[1], "b1": d_out_d_total}
