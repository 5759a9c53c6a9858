"""Exercise: derive all nine partials of the 2-2-1 network.

The network and loss of the ``alice_w1`` exercise: hidden sigmoid neurons h1
(w1, w2, b1) and h2 (w3, w4, b2), output o1 (w5, w6, b3), L = (y_true - ypred)**2.

Write ``partials(params, x, y_true)`` returning all nine derivatives as a dict
``{'w1': dL/dw1, 'w2': ..., 'b1': ..., 'w3': ..., 'w4': ..., 'b2': ...,
'w5': ..., 'w6': ..., 'b3': ...}``. Every one is dL/dypred times the path from
ypred down to the parameter: w5, w6, b3 sit in the output neuron (one step);
w1..b2 go through h1 or h2 (two steps).

The checker compares each entry with autograd, using micrograd's
``check_gradients``, which you can also call yourself::

    from micrograd.tutorials import alice_loss
    from micrograd.gradcheck import check_gradients
    model, loss = alice_loss()
    print(check_gradients(partials(model.state_dict(), [-2, -1], 1.0), loss))

Check:  micrograd check network_partials.py
"""

from micrograd.tutorials import deriv_sigmoid, forward  # noqa: F401  (deriv_sigmoid is for your formulas)

EXERCISE = "network_partials"


def partials(params, x, y_true):
    p = params
    # the tutorial's forward pass (micrograd.tutorials.forward): sum_h1 = w1*x1 + w2*x2 + b1, h1 = sigmoid(sum_h1), ...
    sum_h1, h1, sum_h2, h2, sum_o1, ypred = forward(p, x)  # noqa: F841  (your formulas will use them)
    raise NotImplementedError("return {'w1': ..., 'w2': ..., 'b1': ..., 'w3': ..., ..., 'b3': ...}")
