"""The table of ops: what each op of `Value` computes, its local derivatives, its domain.

`OPS` maps the name a node carries in ``_op`` (``'+'``, ``'exp'``, ``'dot'``, ...)
to an `Op`. Every part of micrograd that needs to know what an op is reads it
here: the tracer runs ``f`` and ``local`` on numpy arrays, drawings and the
expression parser take names and formulas from it, `micrograd.nn` takes its
activations from it, and the tests check every op in it. The engine's methods
(`micrograd.engine`) are written out by hand, because they are the part people
read and the part that runs in every training step; one test holds each of them
to its entry here (same values, same local derivatives, same errors).

The formulas take the math to use as their first argument: `FLOAT` (the ``math``
module's functions, made total like numpy's: they return inf or NaN instead of
raising) or the ``numpy`` module itself. So one formula serves single numbers and
whole batches.

>>> OPS["tanh"].derivative
('1 - tanh(x)**2',)
>>> OPS["*"].f(FLOAT, 3.0, 4.0), OPS["*"].local[0](FLOAT, 12.0, 3.0, 4.0)
(12.0, 4.0)

**How a node records its operands.** ``_prev`` holds the Values an op read (its
children) and ``_local`` one local derivative per child. A node that folded a
plain number into the op keeps that number after the derivatives, so the graph
alone says what was computed: ``x + 3`` has ``_prev == (x,)`` and
``_local == (1.0, 3.0)``. An op whose number comes first (``3 - x``, ``3 / x``,
``3 ** x``) has an entry of its own (``'rsub'``, ``'rdiv'``, ``'rpow'``, named
after Python's reflected methods), drawn with the same symbol. `Value.sum` and
`Value.dot` given numbers keep their arguments as given. `operands` reads all of
this back.

**Adding an op** (docs/ops.md walks through one): an entry here, a method on
`Value` that computes the same thing, and the tests check the two against each
other; the tracer, drawings and the expression language follow from the entry.
"""

from __future__ import annotations

import math
import operator

TYPE_CHECKING = False
if TYPE_CHECKING:  # for annotations only: the table imports nothing heavy, nn reads it at import
    from collections.abc import Callable
    from typing import Any

    from micrograd.engine import Value

    Formula = Callable[..., Any]  # f(m, *operands) or local(m, y, *operands), floats or arrays
    ErrorRule = Callable[..., Exception | None]  # (form, *operands) -> the engine's exception, or None

__all__ = ["Op", "OPS", "FLOAT", "operands", "activations", "parsed_methods", "symbol"]


class FLOAT:
    """The math that `Op` formulas use on single Python floats: numpy's names, numpy's inf/NaN results.

    ``math.log(0)`` raises where ``numpy.log(0)`` is ``-inf``; here it is ``-inf``
    too, so a formula gives the same answer, or the same inf or NaN, on a float
    as on an array. Results inside an op's domain are exactly the ``math``
    module's, which the engine uses.
    """

    @staticmethod
    def exp(x: float) -> float:
        try:
            return math.exp(x)
        except OverflowError:
            return math.inf

    @staticmethod
    def log(x: float) -> float:
        return math.log(x) if x > 0.0 else -math.inf if x == 0.0 else math.nan

    @staticmethod
    def sqrt(x: float) -> float:
        return math.sqrt(x) if x >= 0.0 else math.nan

    @staticmethod
    def power(a: float, b: float) -> float:
        try:
            r = a**b
        except ZeroDivisionError:  # 0 ** negative
            return math.inf
        except OverflowError:
            return math.inf
        return math.nan if isinstance(r, complex) else r

    @staticmethod
    def where(condition: bool, a: float, b: float) -> float:
        return a if condition else b

    @staticmethod
    def maximum(a: float, b: float) -> float:
        return a if a > b or a != a else b  # numpy's maximum: NaN wins

    @staticmethod
    def sign(x: float) -> float:
        return 1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0

    abs = staticmethod(abs)
    tanh = staticmethod(math.tanh)
    log1p = staticmethod(math.log1p)
    sin = staticmethod(math.sin)
    cos = staticmethod(math.cos)


class Op:
    """One op: what it computes, its local derivatives, where it is defined, how it is shown.

    ``f(m, *operands)`` is the result and ``local[i](m, y, *operands)`` its
    derivative with respect to operand i, where ``y`` is the result and ``m`` is
    `FLOAT` or numpy. For ``sum`` and ``dot``, which take any number of
    operands, ``f`` takes the terms (see `operands`) and ``local`` is empty: the
    derivative with respect to each term's factor is the other factor.

    The fields (a plain class, not a dataclass: importing `dataclasses` would
    take longer than importing the whole engine):

    * ``name``: the ``_op`` string of the nodes it makes; ``arity``: the number
      of operands, None for sum and dot (any number); ``symbol``: what drawings
      show on the op's node.
    * ``names``: the operands' names in ``formula`` (the result, for people:
      ``'a / b'``) and ``derivative`` (d result / d operand, one per operand).
    * ``f``, ``local``: the formulas; ``methods``: the `Value` methods that make
      this op's nodes; ``forms``: which operands may be plain numbers ('v' a
      Value, 'n' a number; one string per form, a letter per operand).
    * ``domain``: where the op is defined, for people; ``error(form,
      *operands)``: the exception the engine raises before computing, or None
      inside the domain.
    * ``parse``: the expression language offers it as ``x.name()`` and
      ``name(x)``; ``activation``: a neuron may apply it.
    * ``safe``: one map per operand from any float to an input where the op is
      defined, smooth and moderate (the tests' points).
    """

    __slots__ = ("name", "arity", "symbol", "names", "formula", "derivative", "f", "local", "methods", "forms",
                 "domain", "error", "parse", "activation", "safe")

    def __init__(self, name: str, arity: int | None, symbol: str, names: tuple[str, ...], formula: str,
                 derivative: tuple[str, ...], f: Formula, local: tuple[Formula, ...], methods: tuple[str, ...],
                 forms: tuple[str, ...] = (), domain: str = "every real input", error: ErrorRule | None = None, *,
                 parse: bool = False, activation: bool = False,
                 safe: tuple[Callable[[float], float], ...] = ()) -> None:
        self.name, self.arity, self.symbol, self.names = name, arity, symbol, names
        self.formula, self.derivative, self.f, self.local = formula, derivative, f, local
        self.methods, self.forms, self.domain, self.error = methods, forms, domain, error
        self.parse, self.activation, self.safe = parse, activation, safe

    def __repr__(self) -> str:
        return f"Op({self.name!r}: {self.formula}, derivative {', '.join(self.derivative)})"

    def replace(self, **changes: Any) -> Op:
        """A copy with some fields changed: ``OPS['tanh'].replace(f=...)``."""
        fields = {k: getattr(self, k) for k in self.__slots__}
        fields.update(changes)
        keyword = {k: fields.pop(k) for k in ("parse", "activation", "safe")}
        return Op(**fields, **keyword)

    def show(self, *operands: float) -> str:
        """The formula with numbers in place of the names: ``OPS['/'].show(1, 1e-170) == '1 / 1e-170'``."""
        import re  # only error messages need it

        numbers = {name: f"{value:g}" for name, value in zip(self.names, operands)}
        return re.sub(r"\b\w+\b", lambda m: numbers.get(m.group(), m.group()), self.formula)

    def apply(self, *operands: Any) -> Value:
        """Compute the op with the engine, as code would write it: ``OPS['rsub'].apply(3.0, x)`` is ``3.0 - x``.

        ``operands`` are Values and plain numbers, in the order of `names`.
        """
        if self.arity == 2:
            return _OPERATORS[self.symbol](*operands)  # type: ignore[no-any-return]
        if self.arity == 1:
            return getattr(operands[0], self.methods[0])()  # type: ignore[no-any-return]
        raise TypeError(f"apply takes the operands of a one- or two-operand op; call Value.{self.name} for {self.name}")

    def check(self, form: str, *operands: float) -> Exception | None:
        """The error the engine raises for these operands before computing (outside the domain), or None."""
        return None if self.error is None else self.error(form, *operands)


# how Python writes the binary ops (3 - x is operator.sub(3, x), which Python turns into x.__rsub__(3))
_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "**": operator.pow,
}


# ------------------------------------------------------------------------------------- domains


def _division_error(form: str, a: float, b: float) -> Exception | None:
    if b != 0.0:
        return None
    what = "the number 0" if form == "vn" else "a Value that is 0"
    return ZeroDivisionError(f"division by {what} ({a:g} / 0)")


def _power_error(form: str, a: float, b: float) -> Exception | None:
    if form == "vn":  # x ** n: the rules of real powers
        if a == 0.0 and b < 1.0 and b != 0.0:
            what = "is undefined" if b < 0.0 else "has an infinite derivative"
            return ZeroDivisionError(f"0 ** {b:g} {what}; keep the base away from 0")
        if a < 0.0 and not float(b).is_integer():
            return ValueError(f"{a:g} ** {b:g} is not a real number (negative base, fractional exponent)")
        return None
    if a <= 0.0:  # a Value exponent: d(a**b)/db = a**b * log(a) needs a > 0
        return ValueError(
            f"{a:g} ** Value({b:g}): a Value exponent needs a positive base, because "
            f"d(a**b)/db = a**b * log(a); use a number exponent for other bases"
        )
    return None


def _log_error(form: str, x: float) -> Exception | None:
    if x > 0.0:
        return None
    return ValueError(f"log({x:g}) is undefined: log needs a positive input")


def _sqrt_error(form: str, x: float) -> Exception | None:
    if x > 0.0:
        return None
    what = "has an infinite derivative" if x == 0.0 else "is undefined"
    return ValueError(f"sqrt({x:g}) {what}: sqrt needs a positive input")


_EXP_LIMIT = math.log(1.7976931348623157e308)  # 709.78...: exp of anything larger overflows a float


def _exp_error(form: str, x: float) -> Exception | None:
    if x <= _EXP_LIMIT:
        return None
    return OverflowError(f"exp({x:g}) overflows a float (limit is about exp(709.78))")


# ------------------------------------------------------------------------------------- formulas


def _sigmoid(m: Any, x: Any) -> Any:
    # exp only ever sees -|x| <= 0: no overflow at either end
    e = m.exp(-m.abs(x))
    return m.where(x >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))


def _one(m: Any, y: Any, *operands: Any) -> float:
    return 1.0


def _minus_one(m: Any, y: Any, *operands: Any) -> float:
    return -1.0


# the safe maps used for test points (see Op.safe)
def _any(x: float) -> float:
    return x


def _away_from_zero(x: float) -> float:
    return x if abs(x) > 0.1 else x + (0.5 if x >= 0 else -0.5)


def _positive(x: float) -> float:
    return abs(x) + 0.1


def _moderate(x: float) -> float:
    return max(-20.0, min(20.0, x))


def _small_exponent(x: float) -> float:
    return max(-5.0, min(5.0, x))


def _unary(name: str, formula: str, derivative: str, f: Formula, local: Formula, *, domain: str = "every real input",
           error: ErrorRule | None = None, activation: bool = False, safe: Callable[[float], float] = _any,
           also: tuple[str, ...] = ()) -> Op:
    return Op(name, 1, name, ("x",), formula, (derivative,), f, (local,), (name, *also), ("v",), domain, error,
              parse=True, activation=activation, safe=(safe,))


def _binary(name: str, symbol: str, formula: str, derivative: tuple[str, str], f: Formula,
            local: tuple[Formula, Formula], methods: tuple[str, ...], *, domain: str = "every real input",
            error: ErrorRule | None = None,
            safe: tuple[Callable[[float], float], Callable[[float], float]] = (_any, _any)) -> Op:
    return Op(name, 2, symbol, ("a", "b"), formula, derivative, f, local, methods, ("vv", "vn"), domain, error,
              safe=safe)


def _number_first(op: Op, name: str, method: str, formula: str, derivative: tuple[str, str], domain: str,
                  safe: tuple[Callable[[float], float], Callable[[float], float]] = (_any, _any)) -> Op:
    """The same op with a plain number c as its first operand (``3 - x``): Python's reflected method."""
    return op.replace(name=name, names=("c", "x"), formula=formula, derivative=derivative, methods=(method,),
                      forms=("nv",), domain=domain, safe=safe)


def _sum(m: Any, *terms: Any) -> Any:
    total = 0.0
    for t in terms:
        total = total + t
    return total


def _dot(m: Any, *operands: Any) -> Any:
    # operands as `operands` gives them: w1, x1, w2, x2, ..., bias
    total = operands[-1]
    for w, x in zip(operands[:-1:2], operands[1:-1:2]):
        total = total + w * x
    return total


_OPS = [
    _binary("+", "+", "a + b", ("1", "1"), lambda m, a, b: a + b, (_one, _one), ("__add__", "__radd__")),
    _binary("-", "-", "a - b", ("1", "-1"), lambda m, a, b: a - b, (_one, _minus_one), ("__sub__",)),
    _binary("*", "*", "a * b", ("b", "a"), lambda m, a, b: a * b,
            (lambda m, y, a, b: b, lambda m, y, a, b: a), ("__mul__", "__rmul__")),
    _binary("/", "/", "a / b", ("1 / b", "-a / b**2"), lambda m, a, b: a / b,
            (lambda m, y, a, b: 1.0 / b, lambda m, y, a, b: -a / b / b), ("__truediv__",),
            domain="b != 0", error=_division_error, safe=(_any, _away_from_zero)),
    _binary("**", "**", "a ** b", ("b * a**(b - 1)", "a**b * log(a)"), lambda m, a, b: m.power(a, b),
            # x ** 0 is 1 for every x: its derivative is 0, also at x = 0 where 0 ** -1 is not
            (lambda m, y, a, b: m.where(b == 0.0, 0.0, b * m.power(a, b - 1.0)), lambda m, y, a, b: y * m.log(a)),
            ("__pow__",), domain="a > 0 for a Value exponent; for a number exponent, a real power",
            error=_power_error, safe=(_positive, _small_exponent)),
    Op("neg", 1, "neg", ("x",), "-x", ("-1",), lambda m, x: -x, (_minus_one,), ("__neg__",), ("v",), safe=(_any,)),
    _unary("exp", "exp(x)", "exp(x)", lambda m, x: m.exp(x), lambda m, y, x: y,
           domain="x <= 709.78 (beyond, exp overflows a float)", error=_exp_error, safe=_moderate),
    _unary("log", "log(x)", "1 / x", lambda m, x: m.log(x), lambda m, y, x: 1.0 / x,
           domain="x > 0", error=_log_error, safe=_positive),
    _unary("tanh", "tanh(x)", "1 - tanh(x)**2", lambda m, x: m.tanh(x), lambda m, y, x: 1.0 - y * y,
           activation=True),
    _unary("sigmoid", "sigmoid(x)", "sigmoid(x) * (1 - sigmoid(x))", _sigmoid, lambda m, y, x: y * (1.0 - y),
           activation=True),
    _unary("relu", "relu(x)", "1 if x > 0 else 0", lambda m, x: m.maximum(x, 0.0),
           lambda m, y, x: m.where(x > 0.0, 1.0, 0.0), activation=True, safe=_away_from_zero),
    _unary("abs", "abs(x)", "sign(x)", lambda m, x: m.abs(x), lambda m, y, x: m.sign(x), safe=_away_from_zero,
           also=("__abs__",)),
    _unary("sqrt", "sqrt(x)", "1 / (2 sqrt(x))", lambda m, x: m.sqrt(x), lambda m, y, x: 0.5 / y,
           domain="x > 0 (at 0 the derivative is infinite)", error=_sqrt_error, safe=_positive),
    _unary("softplus", "log(1 + exp(x))", "sigmoid(x)",
           lambda m, x: m.maximum(x, 0.0) + m.log1p(m.exp(-m.abs(x))), lambda m, y, x: _sigmoid(m, x)),
    _unary("sin", "sin(x)", "cos(x)", lambda m, x: m.sin(x), lambda m, y, x: m.cos(x)),
    _unary("cos", "cos(x)", "-sin(x)", lambda m, x: m.cos(x), lambda m, y, x: -m.sin(x)),
    Op("sum", None, "sum", ("t",), "t1 + t2 + ...", ("1",), _sum, (), ("sum",)),
    Op("dot", None, "dot", ("w", "x", "b"), "w1*x1 + w2*x2 + ... + b", ("x", "w", "1"), _dot, (), ("dot",)),
]
#: every op of `Value`, by the name its nodes carry in ``_op``
OPS: dict[str, Op] = {op.name: op for op in _OPS}
for _op in (
    _number_first(OPS["-"], "rsub", "__rsub__", "c - x", ("1", "-1"), "every real input"),
    _number_first(OPS["/"], "rdiv", "__rtruediv__", "c / x", ("1 / x", "-c / x**2"), "x != 0",
                  (_any, _away_from_zero)),
    _number_first(OPS["**"], "rpow", "__rpow__", "c ** x", ("x * c**(x - 1)", "c**x * log(c)"), "c > 0",
                  (_positive, _moderate)),
):
    OPS[_op.name] = _op
del _op


def activations() -> list[str]:
    """The ops a neuron may apply (``Neuron(2, activation='tanh')``), in table order."""
    return [op.name for op in OPS.values() if op.activation]


def symbol(op: str) -> str:
    """What a picture shows for a node's op: the table's symbol (``3 - x`` is ``rsub``, shown ``-``), else its name.

    >>> symbol("rsub"), symbol("tanh"), symbol("my_op")
    ('-', 'tanh', 'my_op')
    """
    spec = OPS.get(op)
    return op if spec is None else spec.symbol


def parsed_methods() -> list[str]:
    """The methods the expression language offers (``x.tanh()``, ``tanh(x)``), in table order."""
    return [op.name for op in OPS.values() if op.parse]


def operands(node: Value) -> tuple[Any, ...]:
    """What ``node``'s op was applied to, in order: Values, and the plain numbers folded in.

    For an elementwise op these are its operands (``(x, 3.0)`` for ``x + 3``,
    ``(3.0, x)`` for ``3 - x``). For ``sum`` they are the terms; for ``dot``
    ``(w1, x1, w2, x2, ..., bias)`` with ``0.0`` for no bias. Raises KeyError for
    a node whose op is not in `OPS` (a leaf, or an op made with
    ``Value.from_op``).

    >>> from micrograd.engine import Value
    >>> x = Value(2.0)
    >>> operands(3 - x) == (3.0, x), operands(x * 4) == (x, 4.0)
    (True, True)
    """
    op = OPS[node._op]
    prev, local = node._prev, node._local
    extra = local[len(prev):]  # what the op kept besides one derivative per child
    if op.arity is not None:
        if not extra:
            return prev
        return (extra[0], *prev) if op.forms == ("nv",) else (*prev, extra[0])
    if op.name == "sum":
        return extra[0] if extra else prev
    if extra:  # dot given numbers: its arguments, as given
        weights, inputs, bias = extra[0]
        pairs = [v for pair in zip(weights, inputs) for v in pair]
        return (*pairs, 0.0 if bias is None else bias)
    # dot of Values only: w1, x1, ..., wn, xn, then the bias if the count is odd
    return prev if len(prev) % 2 else (*prev, 0.0)
