"""Worked solution of docs/exercises/softmax_nll.py."""

import math

from micrograd import Value

EXERCISE = "softmax_nll"


def softmax(logits):
    m = max(z.data for z in logits)
    exps = [(z - m).exp() for z in logits]
    total = Value.sum(exps)
    return [e / total for e in exps]


def nll(logits, target):
    return -softmax(logits)[target].log()


def d_nll_d_logits(logits, target):
    m = max(logits)
    exps = [math.exp(z - m) for z in logits]
    total = sum(exps)
    return [e / total - (1.0 if i == target else 0.0) for i, e in enumerate(exps)]
