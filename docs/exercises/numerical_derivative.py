"""Exercise: estimate a derivative numerically.

The derivative of f at x is the slope of f there: how much f(x) moves when x
moves a little. You can estimate it without any calculus by moving x a little.

1. ``derivative(f, x, h)``: the central difference, the slope between x - h and
   x + h. Its error shrinks like h**2.
2. ``forward_derivative(f, x, h)``: the forward difference, the slope between x
   and x + h. Its error shrinks only like h; try both on ``lambda x: x * x`` at 3
   with h = 1e-3 and compare them with the exact 6.

``f`` is a plain Python function of one float. This is what micrograd's
``numerical_grad`` does for every input of a function of Values.

Check:  micrograd check numerical_derivative.py
"""

EXERCISE = "numerical_derivative"


def derivative(f, x, h=1e-4):
    """Central-difference estimate of f'(x)."""
    raise NotImplementedError("estimate the slope of f between x - h and x + h")


def forward_derivative(f, x, h=1e-4):
    """Forward-difference estimate of f'(x)."""
    raise NotImplementedError("estimate the slope of f between x and x + h")
