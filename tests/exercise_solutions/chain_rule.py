"""Worked solution of docs/exercises/chain_rule.py."""

import math

EXERCISE = "chain_rule"


def df_dx(x):
    # u = sin(x**2), v = exp(-x): (u v)' = u' v + u v'
    return math.cos(x**2) * 2 * x * math.exp(-x) - math.sin(x**2) * math.exp(-x)
