"""Worked solution of docs/exercises/network_partials.py."""

import math

EXERCISE = "network_partials"


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


def deriv_sigmoid(x):
    fx = sigmoid(x)
    return fx * (1 - fx)


def partials(params, x, y_true):
    p = params
    sum_h1 = p["w1"] * x[0] + p["w2"] * x[1] + p["b1"]
    h1 = sigmoid(sum_h1)
    sum_h2 = p["w3"] * x[0] + p["w4"] * x[1] + p["b2"]
    h2 = sigmoid(sum_h2)
    sum_o1 = p["w5"] * h1 + p["w6"] * h2 + p["b3"]
    ypred = sigmoid(sum_o1)

    d_L_d_ypred = -2 * (y_true - ypred)
    d_o1 = d_L_d_ypred * deriv_sigmoid(sum_o1)  # dL/dsum_o1
    d_h1 = d_o1 * p["w5"] * deriv_sigmoid(sum_h1)  # dL/dsum_h1
    d_h2 = d_o1 * p["w6"] * deriv_sigmoid(sum_h2)  # dL/dsum_h2
    return {
        "w1": d_h1 * x[0], "w2": d_h1 * x[1], "b1": d_h1,
        "w3": d_h2 * x[0], "w4": d_h2 * x[1], "b2": d_h2,
        "w5": d_o1 * h1, "w6": d_o1 * h2, "b3": d_o1,
    }
