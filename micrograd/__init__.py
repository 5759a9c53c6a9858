"""micrograd: a small scalar autograd engine and neural-network library.

>>> from micrograd import Value
>>> x = Value(2.0)
>>> y = x * x + 3 * x
>>> y.backward()
>>> y.data, x.grad
(10.0, 7.0)
"""

from micrograd.engine import Value, is_grad_enabled, no_grad
from micrograd.gradcheck import GradcheckError, check_gradients, numerical_grad
from micrograd.losses import binary_cross_entropy, hinge_loss, mse_loss, sse_loss
from micrograd.nn import MLP, Layer, Module, Neuron
from micrograd.optim import SGD
from micrograd.trace import TracedProgram, TraceError, trace
from micrograd.viz import draw_dot

__version__ = "0.2.0"

__all__ = [
    "Value",
    "no_grad",
    "is_grad_enabled",
    "Module",
    "Neuron",
    "Layer",
    "MLP",
    "SGD",
    "check_gradients",
    "numerical_grad",
    "GradcheckError",
    "draw_dot",
    "trace",
    "TracedProgram",
    "TraceError",
    "mse_loss",
    "sse_loss",
    "binary_cross_entropy",
    "hinge_loss",
    "__version__",
]
