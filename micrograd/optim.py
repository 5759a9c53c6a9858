"""Optimisers: plain stochastic gradient descent with optional momentum and weight decay."""

from __future__ import annotations

import math
import numbers

from micrograd.engine import Value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Protocol

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
        self.params = list(values)
        bad = [type(p).__name__ for p in self.params if not isinstance(p, Value)]
        if bad:
            raise TypeError(f"SGD needs Values (or a Module), got {bad[0]}")
        if len(set(self.params)) != len(self.params):
            raise ValueError("a parameter is listed more than once, so step() would move it several times")
        self.lr, self.momentum, self.weight_decay = lr, momentum, weight_decay
        self._velocity = [0.0] * len(self.params)

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
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Move every parameter against its gradient.

        A gradient that is not finite (a diverged step) is refused before any
        parameter moves, so the weights never turn into NaN.
        """
        for p in self.params:
            g = p.grad
            if type(g) is not float and (isinstance(g, bool) or not isinstance(g, numbers.Real)):
                raise TypeError(f"{p!r} has the gradient {g!r:.40}, not a number; no parameter was changed "
                                "(set gradients with zero_grad() or p.grad = 0.0)")
            if not -math.inf < float(g) < math.inf:
                raise ValueError(f"{p!r} has the gradient {g}; no parameter was changed. A step that "
                                 "large diverges: lower the learning rate, or rescale the loss or the inputs")
        lr, mu, wd = self.lr, self.momentum, self.weight_decay
        for i, p in enumerate(self.params):
            g = p.grad + wd * p.data if wd else p.grad
            if mu:
                g = self._velocity[i] = mu * self._velocity[i] + g
            p.data -= lr * g


def _setting(name: str, v: object) -> float:
    if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v) or v < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {v!r:.40}")
    return float(v)
