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

Plain numbers mixed into an expression (``x * 2``) are not made into nodes: the
node keeps the number after its local derivatives (``_local == (2.0, 2.0)``), so
the graph still says exactly what was computed. Many-input sums (`Value.sum`,
`Value.dot`) are a single node, so graphs stay small. `micrograd.ops` describes
every op once more, as a table that the tracer, the drawings and the tests read.

This layout is also what makes the engine fast: nodes hold no closures, so they
never form reference cycles, and `backward()` allocates nothing per node, so
Python's cyclic garbage collector has little to do. docs/performance.md measures
it against Karpathy's micrograd.

The file reads top to bottom: `Value` (its ops, then `backward`), `no_grad`, and
last the checks of inputs and the wording of errors.
"""

from __future__ import annotations

import math
import numbers
from _thread import allocate_lock
from contextvars import ContextVar

from micrograd.graph import backward_order

TYPE_CHECKING = False
if TYPE_CHECKING:  # names for annotations only: importing them would slow down `import micrograd`
    from collections.abc import Callable, Iterable, Sequence
    from contextvars import Token
    from typing import Any, TypeAlias, TypeVar

    T = TypeVar("T")
    Number: TypeAlias = int | float
    Operand: TypeAlias = "Value | int | float"

__all__ = ["Value", "no_grad", "is_grad_enabled", "set_printoptions"]

_INF = math.inf


class Value:
    """A scalar that remembers how it was computed, so it can compute gradients.

    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = a * b + 1
    >>> c.backward()
    >>> c.data, a.grad, b.grad
    (-5.0, -3.0, 2.0)

    ``data`` accepts int, float and numpy real scalars (stored as a Python float);
    bool, complex, strings, NaN and infinities are rejected. Subclasses of
    `Value` work wherever a `Value` does; the nodes an op makes are plain Values.
    """

    __slots__ = ("data", "grad", "label", "_prev", "_local", "_op")
    # Let numpy scalars on the left (np.float64(2) * v) defer to our reflected ops.
    __array_ufunc__ = None

    def __init__(self, data: Number, label: str = "", _children: object = None, _op: object = None) -> None:
        if isinstance(data, Value):
            raise TypeError("Value(...) takes a number, got a Value: use it as it is, or Value(v.data) for a new leaf")
        if not isinstance(label, str) or _children is not None or _op is not None:
            raise _lecture_form(label, _children, _op)
        self.data = data if type(data) is float and abs(data) < _INF else _as_float(data, "Value data")
        self.grad = 0.0
        self.label = label
        self._prev: tuple[Value, ...] = ()
        self._local: tuple[Any, ...] = ()  # a derivative per child, then what the op kept (micrograd.ops)
        self._op = ""

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={_fmt(self.data)}, grad={_fmt(self.grad)}{label})"

    @property
    def _backward(self) -> Callable[[], None]:
        """The lecture's step of one node: ``o._backward()`` passes ``o.grad`` on to o's children.

        Each child gets ``local derivative * o.grad`` added to its ``.grad``, as in
        the lecture's cells that call ``_backward()`` node by node, from the output
        down. Nodes here keep their local derivatives (``_local``) instead of a
        closure, so this is the same for every op; `backward` does it for every
        node in topological order.
        """

        def step() -> None:
            for child, d in zip(self._prev, self._local):
                child.grad += d * self.grad

        return step

    @_backward.setter
    def _backward(self, fn: object) -> None:
        raise AttributeError(
            "a node's _backward cannot be set: nodes here keep their local derivatives in _local instead of a "
            "closure. Make an op of your own with Value.from_op(result, children, local_grads, 'my_op'); "
            "docs/gradcheck.md and the exercise custom_op show how (micrograd check --start custom_op)"
        )

    def __float__(self) -> float:
        return self.data

    # ------------------------------------------------------------------ arithmetic
    # Each op computes its result and, beside it, the local derivative(s). An op
    # given a plain number c keeps it after the derivatives: (d, c).

    def __add__(self, other: Operand) -> Value:
        # d(a+b)/da = 1, d(a+b)/db = 1
        if isinstance(other, Value):
            return _node(self.data + other.data, (self, other), (1.0, 1.0), "+")
        c = other if type(other) is float else _number(other, "+")
        return _node(self.data + c, (self,), (1.0, c), "+")

    def __mul__(self, other: Operand) -> Value:
        # d(a*b)/da = b, d(a*b)/db = a
        if isinstance(other, Value):
            return _node(self.data * other.data, (self, other), (other.data, self.data), "*")
        c = other if type(other) is float else _number(other, "*")
        return _node(self.data * c, (self,), (c, c), "*")

    def __sub__(self, other: Operand) -> Value:
        # d(a-b)/da = 1, d(a-b)/db = -1
        if isinstance(other, Value):
            return _node(self.data - other.data, (self, other), (1.0, -1.0), "-")
        c = other if type(other) is float else _number(other, "-")
        return _node(self.data - c, (self,), (1.0, c), "-")

    def __truediv__(self, other: Operand) -> Value:
        a = self.data
        if isinstance(other, Value):
            b = other.data
            if b == 0.0:
                raise _refused("/", "vv", a, b)
            # d(a/b)/da = 1/b, d(a/b)/db = -a/b**2
            local = (_finite(1.0 / b, "/", a, b), _finite(-a / b / b, "/", a, b))
            return _node(a / b, (self, other), local, "/")
        c = _number(other, "/")  # always checked: x / inf would be a silent 0
        if c == 0.0:
            raise _refused("/", "vn", a, c)
        return _node(a / c, (self,), (_finite(1.0 / c, "/", a, c), c), "/")

    def __pow__(self, other: Operand) -> Value:
        a = self.data
        if isinstance(other, Value):
            b = other.data
            if a <= 0.0:  # the derivative with respect to b needs log(a)
                raise _refused("**", "vv", a, b)
            out = _power(a, b)
            # d(a**b)/da = b * a**(b-1) (0 when b == 0: a**0 is 1 everywhere), d(a**b)/db = a**b * log(a)
            da = _finite(b * _power(a, b - 1.0, a, b), "**", a, b) if b != 0.0 else 0.0
            return _node(out, (self, other), (da, _finite(out * math.log(a), "**", a, b)), "**")
        n = _number(other, "**")
        if a == 0.0 and n < 1.0 and n != 0.0 or a < 0.0 and not n.is_integer():
            raise _refused("**", "vn", a, n)
        out = _power(a, n)
        # d(x**n)/dx = n * x**(n-1); x**0 is 1 everywhere, so its derivative is 0
        local = _finite(n * _power(a, n - 1.0, a, n), "**", a, n) if n != 0.0 else 0.0
        return _node(out, (self,), (local, n), "**")

    def __neg__(self) -> Value:
        return _node(-self.data, (self,), (-1.0,), "neg")

    # c + x is x + c (also in floating point), so the reflected ops are the same
    # functions: one Python call per op instead of two.
    __radd__ = __add__
    __rmul__ = __mul__

    # The reflected forms of the other ops compute c - x, c / x and c ** x: ops of
    # their own in the table ('rsub', 'rdiv', 'rpow'), drawn as - / **.

    def __rsub__(self, other: Number) -> Value:  # c - x
        c = other if type(other) is float else _number(other, "-")
        return _node(c - self.data, (self,), (-1.0, c), "rsub")

    def __rtruediv__(self, other: Number) -> Value:  # c / x; d(c/x)/dx = -c/x**2
        c, b = _number(other, "/"), self.data
        if b == 0.0:
            raise _refused("rdiv", "nv", c, b)
        return _node(c / b, (self,), (_finite(-c / b / b, "rdiv", c, b), c), "rdiv")

    def __rpow__(self, other: Number) -> Value:  # c ** x; d(c**x)/dx = c**x * log(c)
        c, b = _number(other, "**"), self.data
        if c <= 0.0:
            raise _refused("rpow", "nv", c, b)
        out = _power(c, b)
        return _node(out, (self,), (_finite(out * math.log(c), "rpow", c, b), c), "rpow")

    # ------------------------------------------------------------------ functions

    def exp(self) -> Value:
        """e**x; derivative e**x."""
        try:
            e = math.exp(self.data)
        except OverflowError:
            raise _refused("exp", "v", self.data) from None
        return _node(e, (self,), (e,), "exp")

    def log(self) -> Value:
        """Natural logarithm, for x > 0; derivative 1/x."""
        x = self.data
        if x <= 0.0:
            raise _refused("log", "v", x)
        return _node(math.log(x), (self,), (_finite(1.0 / x, "log", x),), "log")

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
        if x > 0.0:  # (1.0,) and (0.0,) are constants: no tuple to allocate per node
            return _node(x, (self,), (1.0,), "relu")
        return _node(0.0, (self,), (0.0,), "relu")

    def abs(self) -> Value:
        """|x|; derivative sign(x) (0 at x = 0)."""
        x = self.data
        return _node(abs(x), (self,), (1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0,), "abs")

    __abs__ = abs

    def sqrt(self) -> Value:
        """Square root, for x > 0; derivative 1 / (2 sqrt(x))."""
        x = self.data
        if x <= 0.0:  # at 0 the derivative is infinite
            raise _refused("sqrt", "v", x)
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

    # ------------------------------------------------------------------ fused nodes

    @staticmethod
    def sum(values: Iterable[Operand]) -> Value:
        """Sum many terms as one node (builtin ``sum()`` makes a chain of n nodes).

        Numbers among the terms are added to the result but are not children.
        Terms are added left to right, in the same order as builtin ``sum()``.

        >>> Value.sum([Value(1.0), 2, Value(3.0)])
        Value(data=6.0, grad=0.0)
        """
        if isinstance(values, (Value, str, bytes)) or not hasattr(values, "__iter__"):
            raise TypeError(f"Value.sum takes its terms as a list (or any iterable) of Values or numbers, "
                            f"got {type(values).__name__}")
        total, children = 0.0, []
        terms: list[Operand] | None = None  # the terms as given, kept once a number is among them
        for v in values:
            if isinstance(v, Value):
                total += v.data
                children.append(v)
                if terms is not None:
                    terms.append(v)
            else:
                c = _number(v, "sum")
                total += c
                if terms is None:
                    terms = list(children)
                terms.append(c)
        local: tuple[Any, ...] = (1.0,) * len(children)
        return _node(total, tuple(children), local if terms is None else (*local, tuple(terms)), "sum")

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
        try:
            n_weights, n_inputs = len(weights), len(inputs)
        except TypeError:
            bad = inputs if hasattr(weights, "__len__") else weights
            raise _not_a_list("Value.dot", "weights and inputs", bad) from None
        for arg in (weights, inputs):
            if isinstance(arg, (set, frozenset, dict)):  # they have a length, but no order to pair by
                raise _unordered("Value.dot takes weights and inputs as lists", arg)
        if n_weights != n_inputs:
            raise ValueError(f"dot needs as many weights as inputs, got {n_weights} and {n_inputs}")
        prev: list[Value] = []
        local: list[Any] = []
        numbers_given = not (bias is None or isinstance(bias, Value))
        total = 0.0 if bias is None else bias.data if isinstance(bias, Value) else _number(bias, "dot")
        for w, x in zip(weights, inputs):
            if isinstance(x, Value):
                xv = x.data
            else:
                xv = _number(x, "dot")
                numbers_given = True
            if isinstance(w, Value):
                wv = w.data
                prev.append(w)
                local.append(xv)
            else:
                wv = _number(w, "dot")
                numbers_given = True
            if isinstance(x, Value):
                prev.append(x)
                local.append(wv)
            total += wv * xv
        if isinstance(bias, Value):
            prev.append(bias)
            local.append(1.0)
        if numbers_given:  # keep the arguments, so that the graph says which factor met which
            local.append((_given(weights), _given(inputs), None if bias is None else _given([bias])[0]))
        return _node(total, tuple(prev), tuple(local), "dot")

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
        op with `micrograd.gradcheck.gradcheck`. The names of the built-in ops
        (``'+'``, ``'tanh'``, ...; `micrograd.ops.OPS`) are taken: the tracer and
        the drawings trust a node with such a name to be that op.
        """
        children = tuple(children)
        local = tuple(_as_float(g, "a local gradient") for g in local_grads)
        if len(local) != len(children):
            raise ValueError(
                f"from_op needs one local gradient per child: got {len(children)} children, {len(local)} gradients"
            )
        for c in children:
            if not isinstance(c, Value):
                raise TypeError(f"from_op children must be Values, got {type(c).__name__}")
        if not isinstance(op, str):
            raise TypeError(f"op must be a short str such as 'softsign', got {type(op).__name__}")
        _check_own_op_name(op)
        return _node(_as_float(data, "the result of " + op), children, local, op)

    # ------------------------------------------------------------------ backward

    def backward(self) -> None:
        """Compute d(self)/d(node) for every node of the graph below ``self``.

        Gradients **accumulate** into the leaves (Values you created yourself,
        such as parameters), as in PyTorch: call `zero_grad()` (or set
        ``p.grad = 0.0``) before each backward pass. Interior nodes hold the
        gradient of the latest pass that reached them. Nothing flows down an
        edge whose local derivative is 0 (a ReLU that is off), so backward does
        not walk below it: the nodes only reachable that way are not visited,
        and keep their gradient (0, unless an earlier backward() from another
        output reached them). Works for graphs of any depth: the order
        (`micrograd.graph.backward_order`) is built with an explicit stack, not
        recursion.
        """
        if self._op and not self._prev:
            raise _no_graph(self)
        order = backward_order(self)
        for node in order:  # interior nodes hold the gradient of the latest pass only
            node.grad = 0.0
        try:
            self.grad += 1.0
            self._chain_rule(order)
        except TypeError:  # a leaf's .grad set to something that is not a number?
            error = _grad_not_a_number(self, order)
            if error is None:
                raise
            raise error from None

    def _chain_rule(self, order: list[Value]) -> None:
        """`backward`'s loop: the chain rule from every node of ``order``, last to first, to its children."""
        for node in reversed(order):  # parents first, so node.grad is complete when it is used
            g = node.grad
            prev, local = node._prev, node._local
            # The chain rule on every edge: child.grad += d(node)/d(child) * d(self)/d(node).
            # Nodes with one or two children (nearly all of them) are spelled out because
            # zip() allocates three objects per node, which costs more than the arithmetic.
            # Every new gradient is checked: one too large for a float is an error, not an
            # inf or a NaN left behind (except where a local derivative of 0 stops it).
            # An edge whose local derivative is 0 adds nothing, and two kinds of node skip it
            # because it is common there: a ReLU that is off, and a dot node's weight whose
            # input is 0 (the output of a ReLU that is off, one layer down).
            if len(prev) == 1:
                d = local[0]
                if d:
                    child = prev[0]
                    v = child.grad + d * g
                    if abs(v) < _INF:
                        child.grad = v
                    else:
                        _overflowed(self, node, child, d, v)
            elif len(prev) == 2:
                child = prev[0]
                v = child.grad + local[0] * g
                if abs(v) < _INF:
                    child.grad = v
                else:
                    _overflowed(self, node, child, local[0], v)
                child = prev[1]
                v = child.grad + local[1] * g
                if abs(v) < _INF:
                    child.grad = v
                else:
                    _overflowed(self, node, child, local[1], v)
            else:
                for child, d in zip(prev, local):
                    if d:
                        v = child.grad + d * g
                        if abs(v) < _INF:
                            child.grad = v
                        else:
                            _overflowed(self, node, child, d, v)


def _node(data: float, prev: tuple[Value, ...], local: tuple[Any, ...], op: str) -> Value:
    """Create an interior node. Every operation goes through here."""
    if not abs(data) < _INF:  # also true for NaN
        raise _not_finite(data, prev, local, op)
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    if _paused and not _recording.get():  # inside no_grad, in this thread
        out._prev = out._local = ()
    else:
        out._prev = prev
        out._local = local
    out._op = op
    return out


_new = object.__new__


def _sigmoid(x: float) -> float:
    # Two branches so that exp() only ever sees a non-positive argument: no overflow.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


# ---------------------------------------------------------------------- recording on and off
# Whether ops record the graph is a property of each thread (and each asyncio task): one
# thread evaluating a model under no_grad() does not stop another from training. Reading a
# context variable for every node would slow every op, so `_node` first reads `_paused`,
# the number of no_grad blocks open anywhere; only while one is open does it ask whether
# it is its own thread's.

_recording: ContextVar[bool] = ContextVar("micrograd_recording", default=True)
_paused = 0
_paused_lock = allocate_lock()


class no_grad:
    """Context manager (and decorator) that stops recording the graph, in this thread only.

    Inside it, operations still compute values but the results have no
    children, so evaluating a model does not build a graph that nobody will
    call `backward()` on::

        >>> from micrograd import Value, no_grad
        >>> x = Value(3.0)
        >>> with no_grad():
        ...     y = x * x
        >>> y._prev
        ()

    As a decorator (``@no_grad()``) it applies to each call of the function; a
    generator function runs with recording off while it computes each item, and
    the code that consumes the items records as usual, as in PyTorch.
    """

    def __init__(self) -> None:
        # The state before each entry: as a decorator the same object is entered again by
        # recursive calls before it is exited.
        self._tokens: list[Token[bool]] = []

    def __enter__(self) -> no_grad:
        global _paused
        self._tokens.append(_recording.set(False))
        with _paused_lock:
            _paused += 1
        return self

    def __exit__(self, *exc: object) -> None:
        global _paused
        _recording.reset(self._tokens.pop())
        with _paused_lock:
            _paused -= 1

    def __call__(self, fn: Callable[..., T]) -> Callable[..., T]:
        """As a decorator, ``@no_grad()``: the function runs with recording off."""
        code = getattr(fn, "__code__", None)
        if code is not None and code.co_flags & _GENERATOR:
            wrapper: Callable[..., Any] = _generator_without_grad(fn)
        else:

            def wrapper(*args: Any, **kwargs: Any) -> T:
                with no_grad():  # a fresh one per call: calls may overlap in threads
                    return fn(*args, **kwargs)

        for name in ("__module__", "__name__", "__qualname__", "__doc__"):
            setattr(wrapper, name, getattr(fn, name, None))
        wrapper.__wrapped__ = fn  # type: ignore[attr-defined]
        return wrapper


_GENERATOR = 0x20  # inspect.CO_GENERATOR, without importing inspect


def _generator_without_grad(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A generator function that runs ``fn``'s body with recording off, and its caller with it on."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        gen = fn(*args, **kwargs)
        try:
            with no_grad():
                item = gen.send(None)
            while True:
                try:
                    request = yield item
                except GeneratorExit:
                    with no_grad():
                        gen.close()
                    raise
                except BaseException as e:  # thrown in by the caller: throw it into fn's body
                    with no_grad():
                        item = gen.throw(e)
                else:
                    with no_grad():
                        item = gen.send(request)
        except StopIteration as stop:
            return stop.value

    return wrapper


def is_grad_enabled() -> bool:
    """True unless called inside a `no_grad()` block (of this thread)."""
    return _recording.get()


# ---------------------------------------------------------------------- checks and errors
# Everything below runs only to convert an operand or to word an error.


def _number(x: object, op: str) -> float:
    """A plain number given to an op, as a finite float (a TypeError or ValueError naming the op otherwise)."""
    if type(x) is float:
        if abs(x) < _INF:
            return x
    elif type(x) is int:
        try:
            return float(x)
        except OverflowError:  # worded below
            pass
    return _as_float(x, f"the other operand of {op!r}")


def _as_float(x: object, what: str) -> float:
    """Convert a real number to float, or raise a TypeError naming what was received."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        hint = " (use 1.0 / 0.0 for booleans)" if isinstance(x, bool) else ""
        raise TypeError(f"{what} must be a real number or a Value, got {type(x).__name__}: {x!r}{hint}")
    try:
        f = float(x)
    except OverflowError:
        raise ValueError(f"{what} is too large for a float: {str(x)[:20]}...") from None
    if not abs(f) < _INF:
        raise ValueError(f"{what} must be finite, got {f}")
    return f


def _lecture_form(label: object, children: object, op: object) -> TypeError:
    """The error for Value(data, _children, _op), the lecture engine's way of making an op's node."""
    if children is None and op is None and not isinstance(label, (tuple, list, set)):
        return TypeError(f"label must be a str, got {type(label).__name__}: {label!r:.40}")
    return TypeError(
        "Value(data, _children, _op) is how the lecture's engine makes an op's node; here a node also keeps "
        "the local derivative with respect to each child, so make it with Value.from_op(data, children, "
        "local_grads, op), e.g. Value.from_op(a.data * b.data, [a, b], [b.data, a.data], 'my_mul'). "
        "The exercises manual_backprop and custom_op practise it (micrograd check --list)"
    )


def _not_a_list(who: str, what: str, got: object) -> TypeError:
    """The error for something without a length where a list is needed (a generator: say to make a list)."""
    return TypeError(f"{who} takes {what} as lists of Values or numbers, got {type(got).__name__}{_list_hint(got)}")


def _list_hint(got: object) -> str:
    return "; make a list of it first, e.g. list(...)" if hasattr(got, "__next__") else ""


def _unordered(wanted: str, got: object) -> TypeError:
    """The error for a set or a dict where the order of the items matters."""
    return TypeError(f"{wanted}; a {type(got).__name__} has no order to give them in")


def _given(items: Iterable[Operand]) -> tuple[Value | float, ...]:
    """Arguments as given to an op: Values as they are, numbers as floats."""
    return tuple(v if isinstance(v, Value) else _number(v, "dot") for v in items)


def _refused(op: str, form: str, *operands: float) -> Exception:
    """The error for operands outside ``op``'s domain, worded once, in its entry of the op table."""
    from micrograd.ops import OPS

    error = OPS[op].check(form, *operands)
    assert error is not None, f"{op} refused {operands}, but its entry in the op table accepts them"
    return error


def _check_own_op_name(op: str) -> None:
    from micrograd.ops import OPS

    if op in OPS:
        raise ValueError(f"{op!r} is the name of a built-in op; give yours another name, such as 'my_{op}'")


def _overflowed(root: Value, node: Value, child: Value, d: float, total: float) -> None:
    """A gradient too large for a float meets ``child``, with local derivative ``d``: raise where it would do harm.

    An interior child may hold it for now: if every local derivative below it is 0
    (a ReLU that is off), it passes nothing on and the leaves are right, as in PyTorch.
    A leaf may not, and neither may a nonzero local derivative pass it further down.
    """
    g = node.grad
    if abs(g) < _INF:  # the product, or the sum in the child, overflowed here
        if child._prev:
            child.grad = total
            return
        raise OverflowError(
            f"backward(): the gradient of {_name(child)} would be {total}, too large for a float (the "
            f"{node._op!r} node{_labelled(node)} passes it {d:.6g} x {g:.6g}); rescale the loss or the inputs"
        )
    if d == 0.0:  # nothing passes a local derivative of 0, however large the gradient above it
        return
    raise OverflowError(
        f"backward(): the gradient of the {node._op!r} node{_labelled(node)} is {g}, too large for a float "
        f"(d {_name(root)} / d node overflowed above it), and it would pass it on to {_name(child)}; "
        "rescale the loss or the inputs"
    )


def _grad_not_a_number(root: Value, order: list[Value]) -> TypeError | None:
    """The error for a node whose .grad is not a number (a TypeError in backward), or None if there is none."""
    for v in (root, *(c for node in order for c in node._prev)):
        if isinstance(v.grad, bool) or not isinstance(v.grad, numbers.Real):
            return TypeError(f"backward(): the .grad of {_name(v)} is {v.grad!r:.40}, not a number; gradients are "
                             "floats (reset them with zero_grad() or v.grad = 0.0)")
    return None


def _no_graph(v: Value) -> Exception:
    return RuntimeError(
        f"backward() on {v!r}: this {v._op!r} node has no graph below it, because it was computed inside "
        "no_grad() (or from plain numbers only); compute it outside no_grad() to backpropagate through it"
    )


def _name(v: Value) -> str:
    return repr(v.label) if v.label else f"the {v._op!r} node" if v._op else f"the leaf {v!r}"


def _labelled(v: Value) -> str:
    return f" {v.label!r}" if v.label else ""


def _not_finite(data: float, prev: tuple[Value, ...], local: tuple[Any, ...], op: str) -> Exception:
    kept = local[len(prev):]
    if kept and isinstance(kept[0], float) and not abs(kept[0]) < _INF:
        what = "NaN" if kept[0] != kept[0] else kept[0]
        return ValueError(f"the number mixed into {op!r} is {what}; numbers in an expression must be finite")
    args = ", ".join(f"{c.data:.6g}" for c in prev)
    if data != data:
        return ValueError(f"{op!r} gave NaN (Value inputs: {args}); a number mixed into the expression is NaN")
    return OverflowError(
        f"{op!r} overflowed to {data} (Value inputs: {args}); rescale the inputs or lower the learning rate"
    )


def _power(a: float, b: float, *derivative_of: float) -> float:
    """a**b, with an error naming the op on overflow (or the op ``x ** n`` whose derivative this is)."""
    try:
        r: float = a**b  # a float: the callers have refused the bases that would make it complex
        return r
    except OverflowError:
        what = "the derivative of {:g} ** {:g}".format(*derivative_of) if derivative_of else f"{a:g} ** {b:g}"
        raise OverflowError(f"{what} overflows a float") from None


def _finite(local: float, op: str, *operands: float) -> float:
    """A local derivative, checked: an infinite one would make every gradient below it inf or NaN."""
    if abs(local) < _INF:
        return local
    from micrograd.ops import OPS

    raise OverflowError(
        f"the derivative of {OPS[op].show(*operands)} overflows a float ({local}); keep the input in a moderate range"
    )


_PRECISION: int | None = 4  # significant digits in a Value's repr (set_printoptions)


def set_printoptions(precision: int | None = 4) -> None:
    """How many significant digits a Value's repr shows: 4 by default, None for every digit.

    The lecture prints numbers in full; to compare with it digit by digit::

        >>> set_printoptions(precision=None)
        >>> Value(0.7216325609518421)
        Value(data=0.7216325609518421, grad=0.0)
        >>> set_printoptions()
        >>> Value(0.7216325609518421)
        Value(data=0.7216, grad=0.0)
    """
    global _PRECISION
    if precision is not None and (isinstance(precision, bool) or not isinstance(precision, int) or precision < 1):
        raise ValueError(f"precision must be a whole number >= 1, or None for every digit; got {precision!r}")
    _PRECISION = precision


def _fmt(x: float) -> str:
    if not isinstance(x, (int, float)):  # a .grad or .data set to something else: show it as it is
        return repr(x)
    if _PRECISION is None:
        return repr(float(x))
    s = f"{x:.{_PRECISION}g}"
    return s if any(ch in s for ch in ".en") else s + ".0"
