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

from micrograd.engine import Value, is_grad_enabled, no_grad, set_printoptions

__version__ = "0.2.0"


def _warn_if_karpathys_package_is_installed_too() -> None:
    """Both distributions install a package named micrograd; in one folder their files overwrite each other."""
    import os

    site = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if os.path.isdir(os.path.join(site, "micrograd-0.1.0.dist-info")):
        import warnings

        warnings.warn(
            "Karpathy's micrograd (the PyPI distribution 'micrograd') is installed here too. Both install a "
            "package named micrograd, so each overwrote files of the other, and uninstalling either one breaks "
            "the other. Keep one: pip uninstall -y micrograd micrograd-learn, then install the one you want "
            "(this one is the distribution micrograd-learn; see README, 'The package's name').",
            stacklevel=3,
        )


_warn_if_karpathys_package_is_installed_too()

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

__all__ = ["Value", "no_grad", "is_grad_enabled", "set_printoptions", *_LAZY, "trace", "__version__"]


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
