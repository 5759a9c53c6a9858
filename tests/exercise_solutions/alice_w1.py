"""Worked solution of docs/exercises/alice_w1.py."""

from micrograd.tutorials import deriv_sigmoid, forward

EXERCISE = "alice_w1"


def d_L_d_w1(params, x, y_true):
    p = params
    sum_h1, h1, sum_h2, h2, sum_o1, ypred = forward(p, x)

    d_L_d_ypred = -2 * (y_true - ypred)
    d_ypred_d_h1 = p["w5"] * deriv_sigmoid(sum_o1)
    d_h1_d_w1 = x[0] * deriv_sigmoid(sum_h1)
    return d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w1
