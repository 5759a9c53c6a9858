"""Exercise: the gradient of the mean squared error.

mse(y_true, y_pred) = (1/n) * sum over i of (y_true[i] - y_pred[i])**2

Write ``d_mse_d_pred(y_true, y_pred)``: the list of the derivatives of the mse
with respect to each prediction y_pred[i]. Only one term of the sum depends on
y_pred[i]; differentiate it with the chain rule (mind the sign of the inner
derivative, d(y - p)/dp = -1).

Check:  micrograd check mse_gradient.py
"""

EXERCISE = "mse_gradient"


def d_mse_d_pred(y_true, y_pred):
    """[d mse / d y_pred[i] for each i]."""
    raise NotImplementedError
