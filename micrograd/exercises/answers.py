"""Calls and answers as JSON: what crosses between the checker and the process that runs the learner's file.

The checker sends each call's arguments to the learner's process as data, and
gets each answer back as data: numbers, strings, lists, tuples, dicts, numpy
arrays, Values (their number, op, label and children) and, for anything else,
its type name and a short repr. `decode` rebuilds plain objects from that data,
so no object the learner's code made (with its ``__float__``, ``__eq__`` or
``__del__``) ever reaches the checker.

A Value in an answer that is one of the call's own argument Values, or has
them as children, refers to them by position (``{"arg": i}``, positions in
`values_in` order), and `decode` puts the checker's own argument objects there,
so ``out._prev == (x,)`` means what it means in the learner's process.

Importing this module loads neither numpy nor the exercises: it is the first
thing the learner's process imports.
"""

from __future__ import annotations

import importlib
import numbers
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from micrograd.engine import Value

__all__ = ["Json", "encode", "decode", "values_in", "Foreign", "short"]

Json = Any  # what json.dumps accepts

# Answers bigger than this are described, not sent: no exercise asks for more.
MAX_ITEMS = 10_000
MAX_DEPTH = 8


class Foreign:
    """An answer of a kind the checker does not rebuild: its type name and a short repr stand in for it.

    Each learner type name gets a subclass of that name, so ``type(x).__name__``
    in a check's message names the learner's type.
    """

    text = ""

    def __repr__(self) -> str:
        return self.text


_FOREIGN: dict[str, type[Foreign]] = {}


def _foreign(type_name: str, text: str) -> Foreign:
    cls = _FOREIGN.get(type_name)
    if cls is None:
        cls = _FOREIGN[type_name] = type(type_name, (Foreign,), {"__doc__": Foreign.__doc__})
    out = cls()
    out.text = text
    return out


def values_in(x: object) -> list[Value]:
    """The Values in a call's arguments (inside lists, tuples and dict values too), in order."""
    found: list[Value] = []

    def walk(y: object, depth: int) -> None:
        if isinstance(y, Value):
            found.append(y)
        elif depth < MAX_DEPTH and isinstance(y, list | tuple):
            for z in y:
                walk(z, depth + 1)
        elif depth < MAX_DEPTH and isinstance(y, dict):
            for z in y.values():
                walk(z, depth + 1)

    walk(x, 0)
    return found


def short(text: str, n: int = 80) -> str:
    """``text`` on one line, cut to ``n`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 3] + "..."


def _other(x: object, why: str = "") -> Json:
    try:
        text = why or short(repr(x), 60)
    except Exception:  # a repr that fails is no reason to lose the answer's type
        text = f"<{type(x).__name__}>"
    return {"other": [type(x).__name__, text]}


def _function_name(f: object) -> str:
    name = f"{getattr(f, '__module__', '')}:{getattr(f, '__qualname__', '')}"
    try:
        same = _function(name) is f
    except (ImportError, AttributeError, ValueError):
        same = False
    if not same:
        raise TypeError(f"cannot send {f!r} to the learner's process: only a module-level function can be sent")
    return name


def _function(name: str) -> object:
    module, _, qualname = name.partition(":")
    f: object = importlib.import_module(module)
    for part in qualname.split("."):
        f = getattr(f, part)
    return f


def encode(x: object, known: Sequence[Value] = (), *, functions: bool = False, depth: int = 0) -> Json:
    """``x`` as JSON data; a Value that ``is`` one of ``known`` (a call's argument Values) by position.

    ``functions=True`` (for the checker's own arguments) sends a module-level
    function by name. Reading the learner's objects runs the learner's code
    (``__float__``, ``__iter__``), so encode an answer where that code runs;
    this raises whatever that code raises.
    """
    if x is None or isinstance(x, bool):
        return x
    if isinstance(x, str):
        return str.__str__(x)  # the characters, whatever a subclass's __str__ says
    if isinstance(x, Value):
        return _encode_value(x, known, shallow=depth >= MAX_DEPTH)
    if isinstance(x, numbers.Integral):
        return int(x)
    if isinstance(x, numbers.Real):
        return float(x)
    numpy = sys.modules.get("numpy")  # an array can only exist if numpy is loaded
    if numpy is not None and isinstance(x, numpy.ndarray):
        if x.dtype.kind not in "biuf":
            return _other(x, f"an array of dtype {x.dtype}")
        if x.size > MAX_ITEMS:
            return _other(x, f"an array of {x.size} numbers")
        return {"array": [str(x.dtype), list(x.shape), x.tolist()]}
    if functions and callable(x):
        return {"function": _function_name(x)}
    if depth >= MAX_DEPTH:
        return _other(x, f"a {type(x).__name__} nested too deeply")
    if isinstance(x, Mapping | Sequence) and not isinstance(x, bytes | bytearray) and len(x) > MAX_ITEMS:
        return _other(x, f"a {type(x).__name__} of {len(x)} items")
    if isinstance(x, Mapping):
        return {"dict": [[encode(k, known, functions=functions, depth=depth + 1),
                          encode(v, known, functions=functions, depth=depth + 1)] for k, v in x.items()]}
    if isinstance(x, Sequence) and not isinstance(x, bytes | bytearray):
        items = [encode(v, known, functions=functions, depth=depth + 1) for v in x]
        return {"tuple": items} if isinstance(x, tuple) else items
    return _other(x)


def _encode_value(v: Value, known: Sequence[Value], shallow: bool = False) -> Json:
    for i, k in enumerate(known):
        if v is k:
            return {"arg": i}
    prev = [] if shallow else [_encode_value(c, known, shallow=True) for c in v._prev]
    return {"Value": [float(v.data), str(v.label), str(v._op), prev]}


def decode(data: Json, known: Sequence[Value] = (), *, trusted: bool = False) -> object:
    """The object that `encode` wrote down; ``known`` are the Values that ``{"arg": i}`` refers to.

    Functions are only rebuilt (by importing them) from ``trusted`` data, the
    checker's own calls; an answer is data the learner's process wrote, so
    anything unexpected in it raises ValueError, and nothing in it is run.
    """
    if data is None or isinstance(data, bool | int | float | str):
        return data
    if isinstance(data, list):
        return [decode(d, known, trusted=trusted) for d in data]
    if not isinstance(data, dict) or len(data) != 1:
        raise ValueError(f"not an encoded object: {short(repr(data), 60)}")
    ((kind, body),) = data.items()
    if kind == "tuple" and isinstance(body, list):
        return tuple(decode(d, known, trusted=trusted) for d in body)
    if kind == "dict" and isinstance(body, list):
        return {decode(k, known, trusted=trusted): decode(v, known, trusted=trusted) for k, v in body}
    if kind == "arg" and isinstance(body, int) and 0 <= body < len(known):
        return known[body]
    if kind == "Value":
        return _decode_value(body, known)
    if kind == "array":
        import numpy as np

        dtype, shape, items = body
        if np.dtype(dtype).kind not in "biuf":
            raise ValueError(f"an array of dtype {dtype}")
        return np.array(items, dtype=dtype).reshape(shape)
    if kind == "other":
        type_name, text = body
        return _foreign(str(type_name), str(text))
    if kind == "function" and trusted:
        return _function(str(body))
    raise ValueError(f"not an encoded object: {short(repr(data), 60)}")


def _decode_value(body: Json, known: Sequence[Value]) -> Value:
    data, label, op, prev = body
    v = Value(0.0, str(label))
    v.data = float(data)  # as it was, even if not finite: Value(nan) would refuse it
    v._op = str(op)
    children = [decode(c, known) for c in prev]
    if not all(isinstance(c, Value) for c in children):
        raise ValueError("a Value's children must be Values")
    v._prev = tuple(children)  # type: ignore[arg-type]
    return v
