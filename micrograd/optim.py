"""Optimisers: plain stochastic gradient descent with optional momentum and weight decay.

When a traced program (`micrograd.trace`) holds all of an optimiser's parameters in
its arrays, `SGD.step` and `SGD.zero_grad` work on the arrays: one numpy operation
instead of one Python operation per parameter. The numbers are the same either way.
"""

from __future__ import annotations

import math
import numbers
import sys

from micrograd.engine import Value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import Any, Protocol

    class HasParameters(Protocol):  # a Module, or anything with Karpathy's parameters()
        def parameters(self) -> list[Value]: ...

__all__ = ["SGD"]


class SGD:
    """``p -= lr * (p.grad + weight_decay * p)``, with classical momentum if asked.

    ``params`` is a list of Values or a Module. ``lr`` may be changed between
    steps (a decaying rate). Call `zero_grad()` before each backward pass.

    >>> from micrograd import Value
    >>> w = Value(1.0)
    >>> opt = SGD([w], lr=0.1)
    >>> (w * w).backward(); opt.step()
    >>> w.data
    0.8
    """

    def __init__(
        self,
        params: Iterable[Value] | HasParameters,
        lr: float = 0.01,
        *,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
    ) -> None:
        if isinstance(params, Value):
            raise TypeError("SGD takes a list of Values (or a Module), got one Value: put it in a list, SGD([v])")
        values = params.parameters() if hasattr(params, "parameters") else params
        if isinstance(values, (str, bytes, dict)) or not hasattr(values, "__iter__"):
            raise TypeError(f"SGD takes a list of Values (or a Module), got {type(values).__name__}")
        self._params = tuple(values)
        bad = [type(p).__name__ for p in self._params if not isinstance(p, Value)]
        if bad:
            raise TypeError(f"SGD needs Values (or a Module), got {bad[0]}")
        if len(set(self._params)) != len(self._params):
            raise ValueError("a parameter is listed more than once, so step() would move it several times")
        self.lr, self.momentum, self.weight_decay = lr, momentum, weight_decay
        self._velocity: Any = [0.0] * len(self._params)  # a list, or an array while a traced program holds them
        self._where: Any = None  # where a traced program holds the parameters (micrograd.trace._locate)

    @property
    def params(self) -> tuple[Value, ...]:
        """The parameters it moves, fixed when it is made (a tuple: a new list needs a new SGD)."""
        return self._params

    # The settings may be changed between steps (a decaying rate); each is checked when set.

    @property
    def lr(self) -> float:
        """The learning rate: a finite number >= 0."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = _setting("lr", value)

    @property
    def momentum(self) -> float:
        """Classical momentum: a finite number >= 0 (0: none)."""
        return self._momentum

    @momentum.setter
    def momentum(self, value: float) -> None:
        self._momentum = _setting("momentum", value)

    @property
    def weight_decay(self) -> float:
        """L2 weight decay: a finite number >= 0 (0: none)."""
        return self._weight_decay

    @weight_decay.setter
    def weight_decay(self, value: float) -> None:
        self._weight_decay = _setting("weight_decay", value)

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0."""
        self._where = _zero_grad(self._params, self._where)

    def _in_arrays(self) -> Any:
        """Where a traced program holds all the parameters (micrograd.trace), or None."""
        self._where = where = _locate(self._params, self._where)
        return where if where is not None and where.store is not None else None

    def step(self) -> None:
        """Move every parameter against its gradient.

        A gradient that is not finite (a diverged step) is refused before any
        parameter moves, so the weights never turn into NaN.
        """
        where = self._in_arrays()
        if where is not None:
            self._velocity = where.store.sgd_step(where.index, self.lr, self.momentum, self.weight_decay,
                                                  self._velocity)
            return
        if not isinstance(self._velocity, list):  # numbers of an array would make .data numpy floats
            self._velocity = self._velocity.tolist()
        for p in self._params:
            g = p.grad
            if type(g) is not float and (isinstance(g, bool) or not isinstance(g, numbers.Real)):
                raise TypeError(f"{p!r} has the gradient {g!r:.40}, not a number; no parameter was changed "
                                "(set gradients with zero_grad() or p.grad = 0.0)")
            if not -math.inf < float(g) < math.inf:
                raise _diverged(p, g)
        lr, mu, wd = self.lr, self.momentum, self.weight_decay
        for i, p in enumerate(self._params):
            g = p.grad + wd * p.data if wd else p.grad
            if mu:
                g = self._velocity[i] = mu * self._velocity[i] + g
            p.data -= lr * g


def _diverged(p: Value, g: Any) -> ValueError:
    """The error for a gradient ``g`` of ``p`` that is not finite, found before any parameter moved.

    `SGD.step` raises it, and so does its version on a traced program's arrays.
    """
    return ValueError(f"{p!r} has the gradient {g}; no parameter was changed. A step that "
                      "large diverges: lower the learning rate, or rescale the loss or the inputs")


def _locate(params: Sequence[Value], where: Any) -> Any:
    """Where a traced program's arrays hold ``params`` (``micrograd.trace._locate``); its ``store`` is None
    when no program holds them all. ``where`` is what the last call returned for the same parameters
    (None if unknown); it is returned as it is while no program was ever made.
    """
    trace = sys.modules.get("micrograd.trace")  # never loaded: no program holds anything
    return where if trace is None else trace._locate(params, where)


def _zero_grad(params: Sequence[Value], where: Any = None) -> Any:
    """Set every ``.grad`` to 0: on the arrays of a traced program that holds them all, else one by one.

    ``where`` is what the last call returned for the same parameters (None if unknown).
    """
    where = _locate(params, where)
    if where is not None and where.store is not None:
        where.store.zero_grad(where.index)
        return where
    for p in params:
        p.grad = 0.0
    return where


def _setting(name: str, v: object) -> float:
    if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v) or v < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {v!r:.40}")
    return float(v)
