"""Exercise: differentiate f(x) = sin(x**2) * exp(-x) with the chain and product rules.

Write ``df_dx(x)``: the exact derivative of f at x, as a formula in plain
Python floats (``import math``). You need

* the product rule: (u v)' = u' v + u v',
* the chain rule: (sin(g(x)))' = cos(g(x)) g'(x), (exp(-x))' = -exp(-x).

The checker compares your formula with autograd of the same expression built
from Values, at three points.

Check:  micrograd check chain_rule.py
"""

import math  # noqa: F401  (you will need it)

EXERCISE = "chain_rule"


def df_dx(x):
    """d/dx [sin(x**2) * exp(-x)]."""
    raise NotImplementedError("product rule, then the chain rule on each factor")
