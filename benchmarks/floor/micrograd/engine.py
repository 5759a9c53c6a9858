"""The floor: the engine's graph and algorithm with everything else taken out, to measure what is left.

Not a product. It builds exactly the nodes micrograd builds (one per operation; plain
numbers folded in as (derivative, number); the same ``_prev`` and ``_local`` tuples) and
runs the same backward pass (the same walk, stopping at local derivatives of 0), but it
checks nothing: no finiteness of results, derivatives or gradients, no types of
operands, no ``no_grad``, and each op creates its node inline instead of through one
function. Only the ops that the gender and moons workloads use are here, for Values
and floats only. ``benchmarks/floor.py`` times it beside both engines: what our engine
costs on top of the floor is the price of its checks and of its readability, and the
floor's ratio to Karpathy's is what the same graph and algorithm reach without them.
"""

import importlib.util
from pathlib import Path

# micrograd/graph.py imports nothing, so it loads by path beside this package of the same name
_spec = importlib.util.spec_from_file_location("_floor_graph", Path(__file__).parents[3] / "micrograd" / "graph.py")
assert _spec is not None and _spec.loader is not None
_graph = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_graph)
backward_order = _graph.backward_order
_new = object.__new__


class Value:
    __slots__ = ("data", "grad", "label", "_prev", "_local", "_op")

    def __init__(self, data: float, label: str = "") -> None:
        self.data = float(data)
        self.grad = 0.0
        self.label = label
        self._prev: tuple = ()
        self._local: tuple = ()
        self._op = ""

    def __add__(self, other):
        out = _new(Value)
        if type(other) is Value:
            out.data, out._prev, out._local = self.data + other.data, (self, other), (1.0, 1.0)
        else:
            out.data, out._prev, out._local = self.data + other, (self,), (1.0, other)
        out.grad, out.label, out._op = 0.0, "", "+"
        return out

    __radd__ = __add__

    def __mul__(self, other):
        out = _new(Value)
        if type(other) is Value:
            out.data, out._prev, out._local = self.data * other.data, (self, other), (other.data, self.data)
        else:
            out.data, out._prev, out._local = self.data * other, (self,), (other, other)
        out.grad, out.label, out._op = 0.0, "", "*"
        return out

    __rmul__ = __mul__

    def __sub__(self, other):  # Value - number only
        out = _new(Value)
        out.data, out._prev, out._local = self.data - other, (self,), (1.0, other)
        out.grad, out.label, out._op = 0.0, "", "-"
        return out

    def __neg__(self):
        out = _new(Value)
        out.data, out._prev, out._local = -self.data, (self,), (-1.0,)
        out.grad, out.label, out._op = 0.0, "", "neg"
        return out

    def __truediv__(self, other):  # Value / Value only
        a, b = self.data, other.data
        out = _new(Value)
        out.data, out._prev, out._local = a / b, (self, other), (1.0 / b, -a / b / b)
        out.grad, out.label, out._op = 0.0, "", "/"
        return out

    def __pow__(self, n):  # Value ** number only
        a = self.data
        out = _new(Value)
        out.data, out._prev, out._local = a ** n, (self,), (n * a ** (n - 1), n)
        out.grad, out.label, out._op = 0.0, "", "**"
        return out

    def relu(self):
        x = self.data
        out = _new(Value)
        if x > 0.0:
            out.data, out._local = x, (1.0,)
        else:
            out.data, out._local = 0.0, (0.0,)
        out.grad, out.label, out._prev, out._op = 0.0, "", (self,), "relu"
        return out

    def backward(self):
        order = backward_order(self)  # the engine's own walk: it checks nothing
        # Value._chain_rule, without the overflow checks
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            g = node.grad
            prev, local = node._prev, node._local
            if len(prev) == 1:
                if local[0]:
                    prev[0].grad += local[0] * g
            elif len(prev) == 2:
                prev[0].grad += local[0] * g
                prev[1].grad += local[1] * g
            else:
                for child, d in zip(prev, local):
                    if d:
                        child.grad += d * g
