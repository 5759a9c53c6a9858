"""One registry of every op, used by the value, derivative and property tests.

Each entry gives the op on Values, the same math on floats, and a ``safe``
function that moves a raw input away from kinks and domain edges (as minitorch
does), so finite differences are meaningful. Adding an op to the engine means
adding one line here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass


def _away_from_zero(x: float) -> float:
    return x if abs(x) > 0.1 else x + (0.5 if x >= 0 else -0.5)


def _positive(x: float) -> float:
    return abs(x) + 0.1


def _clip(x: float, lim: float = 20.0) -> float:
    return max(-lim, min(lim, x))


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


@dataclass(frozen=True)
class Unary:
    name: str
    op: Callable  # Value -> Value
    ref: Callable[[float], float]  # float -> float
    safe: Callable[[float], float] = lambda x: x


@dataclass(frozen=True)
class Binary:
    name: str
    op: Callable  # (Value, Value) -> Value
    ref: Callable[[float, float], float]
    safe_a: Callable[[float], float] = lambda x: x
    safe_b: Callable[[float], float] = lambda x: x


UNARY = [
    Unary("neg", lambda v: -v, lambda x: -x),
    Unary("exp", lambda v: v.exp(), math.exp, _clip),
    Unary("log", lambda v: v.log(), math.log, _positive),
    Unary("tanh", lambda v: v.tanh(), math.tanh),
    Unary("sigmoid", lambda v: v.sigmoid(), lambda x: _sigmoid(_clip(x, 700)) if x > -700 else 0.0),
    Unary("relu", lambda v: v.relu(), lambda x: max(x, 0.0), _away_from_zero),
    Unary("abs", lambda v: v.abs(), abs, _away_from_zero),
    Unary("sqrt", lambda v: v.sqrt(), math.sqrt, _positive),
    Unary("softplus", lambda v: v.softplus(), lambda x: math.log1p(math.exp(x)) if x < 30 else x + math.exp(-x)),
    Unary("sin", lambda v: v.sin(), math.sin),
    Unary("cos", lambda v: v.cos(), math.cos),
    Unary("square", lambda v: v**2, lambda x: x**2),
    Unary("cube", lambda v: v**3, lambda x: x**3),
    Unary("pow_half", lambda v: v**0.5, lambda x: x**0.5, _positive),
    Unary("reciprocal", lambda v: v**-1, lambda x: 1 / x, _away_from_zero),
    Unary("add_const", lambda v: v + 3, lambda x: x + 3),
    Unary("radd_const", lambda v: 3 + v, lambda x: 3 + x),
    Unary("sub_const", lambda v: v - 3, lambda x: x - 3),
    Unary("rsub_const", lambda v: 3 - v, lambda x: 3 - x),
    Unary("mul_const", lambda v: v * 2.5, lambda x: x * 2.5),
    Unary("rmul_const", lambda v: 2.5 * v, lambda x: 2.5 * x),
    Unary("div_const", lambda v: v / 4, lambda x: x / 4),
    Unary("rdiv_const", lambda v: 4 / v, lambda x: 4 / x, _away_from_zero),
    Unary("rpow_const", lambda v: 2**v, lambda x: 2**x, _clip),
]

BINARY = [
    Binary("add", lambda a, b: a + b, lambda a, b: a + b),
    Binary("sub", lambda a, b: a - b, lambda a, b: a - b),
    Binary("mul", lambda a, b: a * b, lambda a, b: a * b),
    Binary("div", lambda a, b: a / b, lambda a, b: a / b, safe_b=_away_from_zero),
    Binary("pow", lambda a, b: a**b, lambda a, b: a**b, safe_a=_positive, safe_b=lambda x: _clip(x, 5)),
]
