"""Exercise: add softplus and sqrt to Value as your own ops.

An op is a result plus its local derivative(s). ``Value.from_op`` makes the
node; ``backward()`` does the rest::

    def my_cube(x):
        return Value.from_op(x.data ** 3, [x], [3 * x.data ** 2], "my_cube")

micrograd already has ``softplus`` and ``sqrt`` built in; write your own, as
functions of one Value, each one node made by ``Value.from_op``:

1. ``my_softplus(x)``: log(1 + e**x). Its derivative is sigmoid(x). It must not
   overflow for large x (e**800 does not fit in a float): rewrite it first.
2. ``my_sqrt(x)``: the square root of x > 0.

Check your op yourself with ``gradcheck(my_softplus, [0.5])`` (from
``micrograd.gradcheck``): a wrong local derivative shows up as a WRONG row.

Check:  micrograd check custom_op.py
"""

import math  # noqa: F401  (you will need it)

from micrograd import Value  # noqa: F401  (you will need it)

EXERCISE = "custom_op"


def my_softplus(x):
    raise NotImplementedError("return Value.from_op(result, [x], [local derivative], 'my_softplus')")


def my_sqrt(x):
    raise NotImplementedError("return Value.from_op(result, [x], [local derivative], 'my_sqrt')")
