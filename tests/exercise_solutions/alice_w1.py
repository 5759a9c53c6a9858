"""Worked solution of docs/exercises/alice_w1.py."""

import math

EXERCISE = "alice_w1"


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


def deriv_sigmoid(x):
    fx = sigmoid(x)
    return fx * (1 - fx)


def d_L_d_w1(params, x, y_true):
    p = params
    sum_h1 = p["w1"] * x[0] + p["w2"] * x[1] + p["b1"]
    h1 = sigmoid(sum_h1)
    sum_h2 = p["w3"] * x[0] + p["w4"] * x[1] + p["b2"]
    h2 = sigmoid(sum_h2)
    sum_o1 = p["w5"] * h1 + p["w6"] * h2 + p["b3"]
    ypred = sigmoid(sum_o1)

    d_L_d_ypred = -2 * (y_true - ypred)
    d_ypred_d_h1 = p["w5"] * deriv_sigmoid(sum_o1)
    d_h1_d_w1 = x[0] * deriv_sigmoid(sum_h1)
    return d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w1
