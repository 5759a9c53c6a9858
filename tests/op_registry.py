"""The tests' view of the op table, `micrograd.ops.OPS`: every op, as a function of Values and on floats.

Each entry gives the op on Values (made by the engine), the same math on floats
(the table's formula, so the two are checked against each other), and a ``safe``
map that moves a raw input away from kinks and domain edges (as minitorch does),
so that finite differences are meaningful. Nothing here names an op: an entry
added to the table is tested by every test that reads this registry.

* `UNARY`: every one-operand op, and every binary op with one operand a plain
  number (``x + 3``, ``3 - x``, ``x ** -1.5`` ...), for each number in `NUMBERS`.
* `BINARY`: every op of two Values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from micrograd.ops import FLOAT, OPS, Op

#: the plain numbers that binary ops are tried with (each moved by the op's own safe map)
NUMBERS = (3.0, -1.5)


@dataclass(frozen=True)
class Unary:
    name: str
    op: Callable  # Value -> Value
    ref: Callable[[float], float]  # float -> float
    safe: Callable[[float], float]
    grows_fast: bool  # can overflow on a moderate input (exp, powers): squash inputs in random graphs


@dataclass(frozen=True)
class Binary:
    name: str
    op: Callable  # (Value, Value) -> Value
    ref: Callable[[float, float], float]
    safe_a: Callable[[float], float]
    safe_b: Callable[[float], float]
    grows_fast: bool


def _grows_fast(spec: Op) -> bool:
    return spec.name in ("exp", "**", "rpow")


def _unary(spec: Op) -> list[Unary]:
    if spec.arity == 1:
        return [Unary(spec.name, spec.apply, lambda x: spec.f(FLOAT, x), spec.safe[0], _grows_fast(spec))]
    out = []
    for form in spec.forms:
        if form == "vn":  # x op c
            for c in (spec.safe[1](n) for n in NUMBERS):
                out.append(Unary(f"x {spec.symbol} {c:g}", lambda v, c=c: spec.apply(v, c),
                                 lambda x, c=c: spec.f(FLOAT, x, c), spec.safe[0], _grows_fast(spec)))
        elif form == "nv":  # c op x
            for c in (spec.safe[0](n) for n in NUMBERS):
                out.append(Unary(f"{c:g} {spec.symbol} x", lambda v, c=c: spec.apply(c, v),
                                 lambda x, c=c: spec.f(FLOAT, c, x), spec.safe[1], _grows_fast(spec)))
    return out


UNARY = [u for spec in OPS.values() if spec.arity in (1, 2) for u in _unary(spec)]
BINARY = [
    Binary(spec.name, spec.apply, lambda a, b, spec=spec: spec.f(FLOAT, a, b), spec.safe[0], spec.safe[1],
           _grows_fast(spec))
    for spec in OPS.values() if "vv" in spec.forms
]
