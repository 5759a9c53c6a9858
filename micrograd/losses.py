"""Loss functions. Each takes ``(y_true, y_pred)`` in the tutorials' order and returns a Value.

Both arguments may hold Values or plain numbers (or be a single Value/number);
their lengths must match.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence

from micrograd.engine import Value, _unordered

__all__ = ["mse_loss", "sse_loss", "binary_cross_entropy", "hinge_loss"]

Scalar = Value | float | int
Targets = Scalar | Sequence[Scalar]


def _samples(x: Targets, name: str, which: str) -> list[Scalar]:
    """One entry per sample: a single Value or number, or any 1-D iterable of them (list, numpy array...)."""
    if isinstance(x, (Value, numbers.Real)):
        return [x]
    ndim = getattr(x, "ndim", 1)
    if ndim == 0:
        return [x.item()]  # type: ignore[union-attr]
    if isinstance(x, (set, frozenset, dict)):
        raise _unordered(f"{name}: {which} must be a sequence (a list, a tuple or a 1-D array)", x)
    if ndim > 1 or isinstance(x, (str, bytes)) or not isinstance(x, Iterable):
        raise TypeError(f"{name}: {which} must be a Value, a number or a 1-D sequence of them, got {type(x).__name__}"
                        + (f" with {ndim} dimensions" if ndim > 1 else ""))
    return list(x)


def _pairs(y_true: Targets, y_pred: Targets, name: str) -> list[tuple[Scalar, Scalar]]:
    t = _samples(y_true, name, "y_true")
    p = _samples(y_pred, name, "y_pred")
    if len(t) != len(p):
        raise ValueError(f"{name}: y_true has {len(t)} entries but y_pred has {len(p)}")
    if not t:
        raise ValueError(f"{name}: got no samples")
    return list(zip(t, p))


def _as_value(x: Scalar) -> Value:
    return x if isinstance(x, Value) else Value(x)


def _squared_errors(y_true: Targets, y_pred: Targets, name: str) -> list[Value]:
    return [(_as_value(p) - t) ** 2 for t, p in _pairs(y_true, y_pred, name)]


def sse_loss(y_true: Targets, y_pred: Targets, *, half: bool = False) -> Value:
    """Sum of squared errors ``Σ (y_true - y_pred)²``; ``half=True`` gives the tutorials' ``½ Σ``.

    >>> sse_loss([1, 0], [0.5, 0.5], half=True).data
    0.25
    """
    total = Value.sum(_squared_errors(y_true, y_pred, "sse_loss"))
    return total * 0.5 if half else total


def mse_loss(y_true: Targets, y_pred: Targets) -> Value:
    """Mean squared error ``Σ (y_true - y_pred)² / n``.

    >>> mse_loss([1, 0, 0, 1], [0, 0, 0, 0]).data
    0.5
    """
    errors = _squared_errors(y_true, y_pred, "mse_loss")
    return Value.sum(errors) / len(errors)


def binary_cross_entropy(y_true: Targets, y_pred: Targets, *, from_logits: bool = False) -> Value:
    """Mean of ``-(y log p + (1 - y) log(1 - p))`` for targets y in [0, 1].

    ``y_pred`` are probabilities in (0, 1), or raw scores with ``from_logits=True``
    (then computed stably as ``softplus(z) - y z``, which never takes a log of 0).

    >>> round(binary_cross_entropy([1], [0.5]).data, 6)
    0.693147
    """
    pairs = _pairs(y_true, y_pred, "binary_cross_entropy")
    terms = []
    for t, p in pairs:
        y = t.data if isinstance(t, Value) else t
        if not 0.0 <= y <= 1.0:
            raise ValueError(f"binary_cross_entropy: targets must be in [0, 1], got {y!r}")
        p = _as_value(p)
        if from_logits:
            terms.append(p.softplus() - p * t)
        else:
            if not 0.0 < p.data < 1.0:
                raise ValueError(
                    f"binary_cross_entropy: probability {p.data!r} is not strictly between 0 and 1; "
                    "pass raw scores with from_logits=True for a stable loss"
                )
            terms.append(-(p.log() * t + (1 - p).log() * (1 - _as_value(t))))
    return Value.sum(terms) / len(terms)


def hinge_loss(y_true: Targets, scores: Targets) -> Value:
    """Mean SVM hinge loss ``Σ relu(1 - y * score) / n`` for labels y in {-1, +1}.

    This is the loss of Karpathy's two-moons demo.

    >>> hinge_loss([1, -1], [2.0, 0.5]).data
    0.75
    """
    pairs = _pairs(y_true, scores, "hinge_loss")
    for t, _ in pairs:
        y = t.data if isinstance(t, Value) else t
        if y not in (-1, 1):
            raise ValueError(f"hinge_loss: labels must be -1 or +1, got {y!r} (map 0/1 labels with 2*y - 1)")
    return Value.sum((1 - _as_value(s) * t).relu() for t, s in pairs) / len(pairs)
