"""The autograd engine: a scalar `Value` that records how it was computed.

Every operation on a `Value` creates a new node that remembers

* its children (`_prev`, the Values it was computed from, in argument order), and
* the local derivative of its output with respect to each child (`_local`),
  computed in the forward pass, right next to the operation itself.

`backward()` then applies the chain rule in one loop: walking the graph from the
output towards the leaves, every edge adds ``local * parent.grad`` to its child.
That product is exactly what the tutorials write by hand, e.g.
``d_ypred_d_h1 = w5 * deriv_sigmoid(sum_o1)`` is the local derivative on the edge
from ``h1`` into ``o1``.

Plain numbers mixed into an expression (``x * 2``) are folded into the local
derivative instead of becoming nodes, and many-input sums (`Value.sum`,
`Value.dot`) are a single node, so graphs stay small.

This layout is also what makes the engine fast: nodes hold no closures, so they
never form reference cycles, and `backward()` allocates nothing per node, so
Python's cyclic garbage collector has little to do. docs/performance.md measures
it against Karpathy's micrograd.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from contextlib import ContextDecorator
from typing import Union

__all__ = ["Value", "no_grad", "is_grad_enabled"]

Number = int | float
Operand = Union["Value", int, float]

_INF = math.inf
_grad_enabled = True


class no_grad(ContextDecorator):
    """Context manager (and decorator) that stops recording the graph.

    Inside it, operations still compute values but the results have no
    children, so evaluating a model does not build a graph that nobody will
    call `backward()` on::

        >>> from micrograd import Value, no_grad
        >>> x = Value(3.0)
        >>> with no_grad():
        ...     y = x * x
        >>> y._prev
        ()
    """

    def __init__(self) -> None:
        # A stack, not one saved flag: as a decorator the same object is entered again
        # by recursive calls before it is exited.
        self._saved: list[bool] = []

    def __enter__(self) -> no_grad:
        global _grad_enabled
        self._saved.append(_grad_enabled)
        _grad_enabled = False
        return self

    def __exit__(self, *exc: object) -> None:
        global _grad_enabled
        _grad_enabled = self._saved.pop()


def is_grad_enabled() -> bool:
    """True unless called inside a `no_grad()` block."""
    return _grad_enabled


def _as_float(x: object, what: str) -> float:
    """Convert a real number to float, or raise a TypeError naming what was received."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        hint = " (use 1.0 / 0.0 for booleans)" if isinstance(x, bool) else ""
        raise TypeError(f"{what} must be a real number or a Value, got {type(x).__name__}: {x!r}{hint}")
    try:
        f = float(x)
    except OverflowError:
        raise ValueError(f"{what} is too large for a float: {str(x)[:20]}...") from None
    if not -_INF < f < _INF:
        raise ValueError(f"{what} must be finite, got {f}")
    return f


def _node(data: float, prev: tuple, local: tuple, op: str) -> Value:
    """Create an interior node. Every operation goes through here."""
    if not -_INF < data < _INF:  # also true for NaN
        raise _not_finite(data, prev, op)
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    if _grad_enabled:
        out._prev = prev
        out._local = local
    else:
        out._prev = out._local = ()
    out._op = op
    return out


def _not_finite(data: float, prev: tuple, op: str) -> Exception:
    args = ", ".join(f"{c.data:.6g}" for c in prev)
    if data != data:
        return ValueError(f"{op!r} gave NaN (Value inputs: {args}); a number mixed into the expression is NaN")
    return OverflowError(
        f"{op!r} overflowed to {data} (Value inputs: {args}); rescale the inputs or lower the learning rate"
    )


def _sigmoid(x: float) -> float:
    # Two branches so that exp() only ever sees a non-positive argument: no overflow.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


class Value:
    """A scalar that remembers how it was computed, so it can compute gradients.

    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = a * b + 1
    >>> c.backward()
    >>> c.data, a.grad, b.grad
    (-5.0, -3.0, 2.0)

    ``data`` accepts int, float and numpy real scalars (stored as a Python float);
    bool, complex, strings, NaN and infinities are rejected.
    """

    __slots__ = ("data", "grad", "label", "_prev", "_local", "_op")
    # Let numpy scalars on the left (np.float64(2) * v) defer to our reflected ops.
    __array_ufunc__ = None

    def __init__(self, data: Number, label: str = "") -> None:
        if isinstance(data, Value):
            raise TypeError("Value(...) takes a number, got a Value: use it as it is, or Value(v.data) for a new leaf")
        if not isinstance(label, str):
            # Value(data, (a, b)) is how Karpathy's engine makes op nodes internally
            hint = "; make an op's node with Value.from_op(...)" if isinstance(label, tuple) else ""
            raise TypeError(f"label must be a str, got {type(label).__name__}: {label!r}{hint}")
        self.data = data if type(data) is float and -_INF < data < _INF else _as_float(data, "Value data")
        self.grad = 0.0
        self.label = label
        self._prev: tuple[Value, ...] = ()
        self._local: tuple[float, ...] = ()
        self._op = ""

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={_fmt(self.data)}, grad={_fmt(self.grad)}{label})"

    def __float__(self) -> float:
        return self.data

    # ------------------------------------------------------------------ arithmetic
    # Each op computes its result and, beside it, the local derivative(s).

    def __add__(self, other: Operand) -> Value:
        # d(a+b)/da = 1, d(a+b)/db = 1
        if type(other) is Value:
            return _node(self.data + other.data, (self, other), (1.0, 1.0), "+")
        return _node(self.data + _const(other, "+"), (self,), (1.0,), "+")

    def __mul__(self, other: Operand) -> Value:
        # d(a*b)/da = b, d(a*b)/db = a
        if type(other) is Value:
            return _node(self.data * other.data, (self, other), (other.data, self.data), "*")
        c = _const(other, "*")
        return _node(self.data * c, (self,), (c,), "*")

    def __pow__(self, other: Operand) -> Value:
        if type(other) is Value:
            a, b = self.data, other.data
            _check_positive_base(a, b)
            out = _power(a, b)
            # d(a**b)/da = b * a**(b-1), d(a**b)/db = a**b * log(a)
            da = _finite(b * _power(a, b - 1.0, a, b), "{:g} ** {:g}", a, b)
            return _node(out, (self, other), (da, _finite(out * math.log(a), "{:g} ** {:g}", a, b)), "**")
        n = _const(other, "**")
        x = self.data
        if x == 0.0 and n < 1.0 and n != 0.0:
            what = "is undefined" if n < 0.0 else "has an infinite derivative"
            raise ZeroDivisionError(f"0 ** {n:g} {what}; keep the base away from 0")
        if x < 0.0 and not n.is_integer():
            raise ValueError(f"{x:g} ** {n:g} is not a real number (negative base, fractional exponent)")
        # d(x**n)/dx = n * x**(n-1)
        out = _power(x, n)
        local = _finite(n * _power(x, n - 1.0, x, n), "{:g} ** {:g}", x, n) if n != 0.0 else 0.0
        return _node(out, (self,), (local,), "**")

    def __truediv__(self, other: Operand) -> Value:
        if type(other) is Value:
            b = other.data
            if b == 0.0:
                raise ZeroDivisionError(f"division by a Value that is 0 ({self.data:g} / 0)")
            # d(a/b)/da = 1/b, d(a/b)/db = -a/b**2
            a = self.data
            local = (_finite(1.0 / b, "{:g} / {:g}", a, b), _finite(-a / b / b, "{:g} / {:g}", a, b))
            return _node(a / b, (self, other), local, "/")
        c = _const(other, "/")
        if c == 0.0:
            raise ZeroDivisionError(f"division by the number 0 ({self.data:g} / 0)")
        return _node(self.data / c, (self,), (_finite(1.0 / c, "x / {:g}", c),), "/")

    def __neg__(self) -> Value:
        return _node(-self.data, (self,), (-1.0,), "neg")

    def __sub__(self, other: Operand) -> Value:
        if type(other) is Value:
            return _node(self.data - other.data, (self, other), (1.0, -1.0), "-")
        return _node(self.data - _const(other, "-"), (self,), (1.0,), "-")

    # other + self is self + other (also in floating point), so the reflected ops are the same
    # functions: one Python call per op instead of two.
    __radd__ = __add__
    __rmul__ = __mul__

    def __rsub__(self, other: Number) -> Value:  # other - self
        return _node(_const(other, "-") - self.data, (self,), (-1.0,), "-")

    def __rtruediv__(self, other: Number) -> Value:  # other / self
        c, b = _const(other, "/"), self.data
        if b == 0.0:
            raise ZeroDivisionError(f"division by a Value that is 0 ({c:g} / 0)")
        return _node(c / b, (self,), (_finite(-c / b / b, "{:g} / {:g}", c, b),), "/")

    def __rpow__(self, other: Number) -> Value:  # other ** self
        c, b = _const(other, "**"), self.data
        _check_positive_base(c, b)
        out = _power(c, b)
        return _node(out, (self,), (_finite(out * math.log(c), "{:g} ** {:g}", c, b),), "**")

    # ------------------------------------------------------------------ functions

    def exp(self) -> Value:
        """e**x; derivative e**x."""
        try:
            e = math.exp(self.data)
        except OverflowError:
            raise OverflowError(f"exp({self.data:g}) overflows a float (limit is about exp(709.78))") from None
        return _node(e, (self,), (e,), "exp")

    def log(self) -> Value:
        """Natural logarithm, for x > 0; derivative 1/x."""
        x = self.data
        if x <= 0.0:
            raise ValueError(f"log({x:g}) is undefined: log needs a positive input")
        return _node(math.log(x), (self,), (_finite(1.0 / x, "log({:g})", x),), "log")

    def tanh(self) -> Value:
        """tanh(x); derivative 1 - tanh(x)**2. Finite for every finite x."""
        t = math.tanh(self.data)
        return _node(t, (self,), (1.0 - t * t,), "tanh")

    def sigmoid(self) -> Value:
        """1 / (1 + e**-x); derivative s * (1 - s). Finite for every finite x."""
        s = _sigmoid(self.data)
        return _node(s, (self,), (s * (1.0 - s),), "sigmoid")

    def relu(self) -> Value:
        """max(0, x); derivative 1 for x > 0, else 0 (0 at the kink, as in PyTorch)."""
        x = self.data
        return _node(x if x > 0.0 else 0.0, (self,), (1.0 if x > 0.0 else 0.0,), "relu")

    def abs(self) -> Value:
        """|x|; derivative sign(x) (0 at x = 0)."""
        x = self.data
        return _node(abs(x), (self,), (1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0,), "abs")

    __abs__ = abs

    def sqrt(self) -> Value:
        """Square root, for x > 0; derivative 1 / (2 sqrt(x))."""
        x = self.data
        if x <= 0.0:
            what = "has an infinite derivative" if x == 0.0 else "is undefined"
            raise ValueError(f"sqrt({x:g}) {what}: sqrt needs a positive input")
        r = math.sqrt(x)
        return _node(r, (self,), (0.5 / r,), "sqrt")

    def softplus(self) -> Value:
        """log(1 + e**x), computed without overflow; derivative sigmoid(x)."""
        x = self.data
        return _node(max(x, 0.0) + math.log1p(math.exp(-abs(x))), (self,), (_sigmoid(x),), "softplus")

    def sin(self) -> Value:
        """sin(x); derivative cos(x)."""
        return _node(math.sin(self.data), (self,), (math.cos(self.data),), "sin")

    def cos(self) -> Value:
        """cos(x); derivative -sin(x)."""
        return _node(math.cos(self.data), (self,), (-math.sin(self.data),), "cos")

    # ------------------------------------------------------------------ your own ops

    @staticmethod
    def from_op(data: Number, children: Sequence[Value], local_grads: Sequence[Number], op: str) -> Value:
        """Make the result node of an op you define yourself.

        Give the result, the Values it was computed from, and the local derivative
        of the result with respect to each of them (computed now, at these
        values); `backward()` does the rest. For example, a softsign op::

            >>> def softsign(self):
            ...     x = self.data
            ...     return Value.from_op(x / (1 + abs(x)), [self], [1 / (1 + abs(x)) ** 2], "softsign")
            >>> Value.softsign = softsign
            >>> y = Value(1.0).softsign()
            >>> y.data
            0.5

        A wrong local derivative here gives wrong gradients silently: check a new
        op with `micrograd.gradcheck.gradcheck`.
        """
        children = tuple(children)
        local = tuple(_as_float(g, "a local gradient") for g in local_grads)
        if len(local) != len(children):
            raise ValueError(
                f"from_op needs one local gradient per child: got {len(children)} children, {len(local)} gradients"
            )
        for c in children:
            if type(c) is not Value:
                raise TypeError(f"from_op children must be Values, got {type(c).__name__}")
        if not isinstance(op, str):
            raise TypeError(f"op must be a short str such as 'softsign', got {type(op).__name__}")
        return _node(_as_float(data, "the result of " + op), children, local, op)

    # ------------------------------------------------------------------ fused nodes

    @staticmethod
    def sum(values: Iterable[Operand]) -> Value:
        """Sum many terms as one node (builtin ``sum()`` makes a chain of n nodes).

        Numbers among the terms are added to the result but are not children.
        Terms are added left to right, in the same order as builtin ``sum()``.

        >>> Value.sum([Value(1.0), 2, Value(3.0)])
        Value(data=6.0, grad=0.0)
        """
        total, children = 0.0, []
        for v in values:
            if type(v) is Value:
                total += v.data
                children.append(v)
            else:
                total += _const(v, "sum")
        return _node(total, tuple(children), (1.0,) * len(children), "sum")

    @staticmethod
    def dot(weights: Sequence[Operand], inputs: Sequence[Operand], bias: Operand | None = None) -> Value:
        """``bias + w1*x1 + w2*x2 + ...`` as one node: the weighted sum of a neuron.

        Children are ``w1, x1, w2, x2, ..., bias`` (numbers are folded in, not
        children). The local derivative with respect to each weight is its input
        and vice versa. Summation starts at the bias and goes left to right, the
        same order as Karpathy's ``sum((wi*xi for ...), b)``.

        >>> w, b = [Value(0.0), Value(1.0)], Value(4.0)
        >>> Value.dot(w, [2, 3], b)
        Value(data=7.0, grad=0.0)
        """
        if len(weights) != len(inputs):
            raise ValueError(f"dot needs as many weights as inputs, got {len(weights)} and {len(inputs)}")
        prev: list[Value] = []
        local: list[float] = []
        if bias is None:
            total = 0.0
        elif type(bias) is Value:
            total = bias.data
        else:
            total = _const(bias, "dot")
        for w, x in zip(weights, inputs):
            wv = w.data if type(w) is Value else _const(w, "dot")
            xv = x.data if type(x) is Value else _const(x, "dot")
            total += wv * xv
            if type(w) is Value:
                prev.append(w)
                local.append(xv)
            if type(x) is Value:
                prev.append(x)
                local.append(wv)
        if type(bias) is Value:
            prev.append(bias)
            local.append(1.0)
        return _node(total, tuple(prev), tuple(local), "dot")

    # ------------------------------------------------------------------ backward

    def backward(self) -> None:
        """Compute d(self)/d(node) for every node of the graph below ``self``.

        Gradients **accumulate** into the leaves (Values you created yourself,
        such as parameters), as in PyTorch: call `zero_grad()` (or set
        ``p.grad = 0.0``) before each backward pass. Interior nodes hold the
        gradient of the latest pass. Works for graphs of any depth: the
        topological order is built with an explicit stack, not recursion.
        """
        order = _interior_nodes(self)
        for node in order:  # interior nodes hold the gradient of the latest pass only
            node.grad = 0.0
        self.grad += 1.0
        for node in reversed(order):  # parents first, so node.grad is complete when it is used
            prev, local, g = node._prev, node._local, node.grad
            # The chain rule on every edge: child.grad += d(node)/d(child) * d(self)/d(node).
            # Nodes with one or two children (nearly all of them) are spelled out because
            # zip() allocates three objects per node, which costs more than the arithmetic.
            if len(prev) == 1:
                prev[0].grad += local[0] * g
            elif len(prev) == 2:
                prev[0].grad += local[0] * g
                prev[1].grad += local[1] * g
            else:
                for child, d in zip(prev, local):
                    child.grad += d * g


# Lies on the stack of `_interior_nodes` just above a node whose children are being
# visited: popping it means they are all done, so the node below comes next in the order.
_CHILDREN_DONE = object()


def _interior_nodes(root: Value) -> list[Value]:
    """Every non-leaf node reachable from root, each after all of its children.

    A depth-first search with an explicit stack, so graphs of any depth work. It
    allocates nothing per node besides its entries in ``order`` and ``seen`` (no
    (node, flag) tuples, which the cyclic garbage collector would have to scan), and
    leaves are never pushed: backward has nothing to do for them, and a parameter is a
    child of every sample's part of the graph.
    """
    order: list[Value] = []
    seen: set[Value] = set()
    stack: list = [root] if root._prev else []
    while stack:
        node = stack.pop()
        if node is _CHILDREN_DONE:
            order.append(stack.pop())
        elif node not in seen:  # two parents can push the same child before it is visited
            seen.add(node)
            stack.append(node)
            stack.append(_CHILDREN_DONE)
            for child in node._prev:
                if child._prev and child not in seen:
                    stack.append(child)
    return order


def _topological_order(root: Value) -> list[Value]:
    """Every node reachable from root, leaves included, each after all of its children."""
    if not root._prev:
        return [root]
    order: list[Value] = []
    leaves: set[Value] = set()
    for node in _interior_nodes(root):
        for child in node._prev:
            if not child._prev and child not in leaves:
                leaves.add(child)
                order.append(child)
        order.append(node)
    return order


def _check_positive_base(a: float, b: float) -> None:
    if a <= 0.0:
        raise ValueError(
            f"{a:g} ** Value({b:g}): a Value exponent needs a positive base, because "
            f"d(a**b)/db = a**b * log(a); use a number exponent for other bases"
        )


def _power(a: float, b: float, *derivative_of: float) -> float:
    """a**b, with an error naming the op on overflow (or the op ``x ** n`` whose derivative this is)."""
    try:
        return a**b
    except OverflowError:
        what = "the derivative of {:g} ** {:g}".format(*derivative_of) if derivative_of else f"{a:g} ** {b:g}"
        raise OverflowError(f"{what} overflows a float") from None


def _finite(local: float, op: str, *operands: float) -> float:
    """A local derivative, checked: an infinite one would make every gradient below it inf or NaN.

    ``op`` is a format string for the operands, filled in only for the error message.
    """
    if -_INF < local < _INF:
        return local
    what = op.format(*operands)
    raise OverflowError(f"the derivative of {what} overflows a float ({local}); keep the input in a moderate range")


def _const(x: object, op: str) -> float:
    if type(x) is float:
        return x
    if type(x) is int:
        return float(x)
    return _as_float(x, f"the other operand of {op!r}")


def _fmt(x: float) -> str:
    s = f"{x:.4g}"
    return s if any(ch in s for ch in ".en") else s + ".0"


_new = object.__new__
