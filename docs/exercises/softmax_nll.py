"""Exercise: softmax and the negative log likelihood.

A classifier gives one score (logit) z_i per class. Softmax turns them into
probabilities, and the negative log likelihood of the right class is the loss::

    softmax(z)_i = e**z_i / sum_j e**z_j
    nll(z, target) = -log(softmax(z)_target)

1. ``softmax(logits)``: a list of Values from a list of Values (use ``.exp()``).
2. ``nll(logits, target)``: a Value built from Value ops, so backward() works.
   It must survive logits like [1000, 999, 998]: e**1000 overflows, but softmax
   does not change when the same number is subtracted from every logit.
3. ``d_nll_d_logits(logits, target)``: by hand, the list of d nll / d z_i for
   plain float logits. (The answer is short; derive it, then let the check
   confirm it.)

Check:  micrograd check softmax_nll.py
"""

import math  # noqa: F401  (you will need it)

from micrograd import Value  # noqa: F401  (you will need it)

EXERCISE = "softmax_nll"


def softmax(logits):
    raise NotImplementedError


def nll(logits, target):
    raise NotImplementedError


def d_nll_d_logits(logits, target):
    raise NotImplementedError
