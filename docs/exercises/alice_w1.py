"""Exercise: derive dL/dw1 of the 2-2-1 network by hand.

The tutorial's network: two inputs x1, x2, hidden neurons h1 (weights w1, w2,
bias b1) and h2 (w3, w4, b2), an output neuron o1 (w5 from h1, w6 from h2, b3),
all sigmoid. The loss on one sample is L = (y_true - ypred)**2.

Write ``d_L_d_w1(params, x, y_true)``: dL/dw1 at the parameters ``params``
(a dict ``{'w1': ..., ..., 'b3': ...}``) and the sample ``x = [x1, x2]``. The
forward pass is computed for you by ``micrograd.tutorials.forward``, which
returns the tutorial's variables. By the chain rule, w1 reaches L only through
h1 and then ypred::

    dL/dw1 = dL/dypred * dypred/dh1 * dh1/dw1

Write each factor with the names below (they are the tutorial's). The checker
compares your answer with micrograd's autograd at the tutorial's point (Alice,
every weight 1, every bias 0: 0.0214695...) and at two other points.

Check:  micrograd check alice_w1.py
"""

from micrograd.tutorials import deriv_sigmoid, forward  # noqa: F401  (deriv_sigmoid is for your formulas)

EXERCISE = "alice_w1"


def d_L_d_w1(params, x, y_true):
    p = params
    # the tutorial's forward pass (micrograd.tutorials.forward): sum_h1 = w1*x1 + w2*x2 + b1, h1 = sigmoid(sum_h1), ...
    sum_h1, h1, sum_h2, h2, sum_o1, ypred = forward(p, x)  # noqa: F841  (your formulas will use them)

    # d_L_d_ypred = ...   (differentiate (y_true - ypred)**2 with respect to ypred)
    # d_ypred_d_h1 = ...  (ypred = sigmoid(w5 * h1 + w6 * h2 + b3))
    # d_h1_d_w1 = ...     (h1 = sigmoid(w1 * x1 + w2 * x2 + b1))
    # return d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w1
    raise NotImplementedError("write the three factors above and return their product")
