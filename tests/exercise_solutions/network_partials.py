"""Worked solution of docs/exercises/network_partials.py."""

from micrograd.tutorials import deriv_sigmoid, forward

EXERCISE = "network_partials"


def partials(params, x, y_true):
    p = params
    sum_h1, h1, sum_h2, h2, sum_o1, ypred = forward(p, x)

    d_L_d_ypred = -2 * (y_true - ypred)
    d_o1 = d_L_d_ypred * deriv_sigmoid(sum_o1)  # dL/dsum_o1
    d_h1 = d_o1 * p["w5"] * deriv_sigmoid(sum_h1)  # dL/dsum_h1
    d_h2 = d_o1 * p["w6"] * deriv_sigmoid(sum_h2)  # dL/dsum_h2
    return {
        "w1": d_h1 * x[0], "w2": d_h1 * x[1], "b1": d_h1,
        "w3": d_h2 * x[0], "w4": d_h2 * x[1], "b2": d_h2,
        "w5": d_o1 * h1, "w6": d_o1 * h2, "b3": d_o1,
    }
