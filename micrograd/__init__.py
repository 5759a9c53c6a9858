"""micrograd: a small scalar autograd engine and neural-network library.

>>> from micrograd import Value
>>> x = Value(2.0)
>>> y = x * x + 3 * x
>>> y.backward()
>>> y.data, x.grad
(10.0, 7.0)

Importing the package loads the engine only; everything else (and numpy and
graphviz, which the tracer and the drawings need) loads the first time it is
used, so ``import micrograd`` stays as quick as the engine itself.
"""

from __future__ import annotations

import importlib

from micrograd.engine import Value, is_grad_enabled, no_grad

__version__ = "0.2.0"

# name -> the module that defines it, imported on first use (PEP 562)
_LAZY = {
    "Module": "micrograd.nn",
    "Neuron": "micrograd.nn",
    "Layer": "micrograd.nn",
    "MLP": "micrograd.nn",
    "SGD": "micrograd.optim",
    "check_gradients": "micrograd.gradcheck",
    "numerical_grad": "micrograd.gradcheck",
    "GradcheckError": "micrograd.gradcheck",
    "draw_dot": "micrograd.viz",
    "play": "micrograd.player",
    "TracedProgram": "micrograd.trace",
    "TraceError": "micrograd.trace",
    "mse_loss": "micrograd.losses",
    "sse_loss": "micrograd.losses",
    "binary_cross_entropy": "micrograd.losses",
    "hinge_loss": "micrograd.losses",
}

__all__ = ["Value", "no_grad", "is_grad_enabled", *_LAZY, "trace", "__version__"]


def __getattr__(name: str) -> object:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    elif name == "trace":
        # the module micrograd.trace, which is callable: micrograd.trace(fn, ...) traces fn
        value = importlib.import_module("micrograd.trace")
    else:
        raise AttributeError(f"module 'micrograd' has no attribute {name!r}")
    globals()[name] = value  # once is enough
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
