"""Exercise: backpropagate through a small graph by hand.

The graph (every line is one node of a micrograd graph, with its label)::

    e = a * b
    d = e + c
    g = d * f
    L = g + a        # a is used twice: its gradient is the sum over both paths

Write ``grads(a, b, c, f)`` returning the derivative of L with respect to every
other node, as a dict keyed by the labels: ``{'a': ..., 'b': ..., 'c': ...,
'f': ..., 'e': ..., 'd': ..., 'g': ...}``. Work backwards from L, one node at a
time: each is the gradient of the node above it times the local derivative on
the edge between them. Use plain arithmetic, not Value.

The checker builds the same graph with Values, runs backward() and compares
each entry (micrograd's ``check_gradients`` does this for any labelled graph).

Check:  micrograd check manual_backprop.py
"""

EXERCISE = "manual_backprop"


def grads(a, b, c, f):
    """dL/dnode for every node of the graph, keyed by label."""
    e = a * b
    d = e + c
    g = d * f  # noqa: F841  (the forward pass, for reference)
    # dL/dg first, then d, f, e, c, and a and b last (a gets two contributions)
    raise NotImplementedError("return {'g': ..., 'd': ..., 'f': ..., 'e': ..., 'c': ..., 'a': ..., 'b': ...}")
