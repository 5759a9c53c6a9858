# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # dL/dw1 by hand, beside autograd
#
# The tutorial's 2-2-1 network on Alice (weights 1, biases 0):
# h1 = f(w1·x1 + w2·x2 + b1), h2 = f(w3·x1 + w4·x2 + b2),
# ypred = f(w5·h1 + w6·h2 + b3), L = (1 − ypred)², with f the sigmoid.
# docs/derivation.md has the long version.
#
# To run it elsewhere (Colab, Jupyter): `pip install micrograd-learn` first.

# %%
import math

from micrograd import tutorials
from micrograd.viz import chain_rule_paths


def f(x):
    return 1 / (1 + math.exp(-x))


def deriv_f(x):
    return f(x) * (1 - f(x))


x1, x2 = tutorials.ALICE
w1 = w2 = w3 = w4 = w5 = w6 = 1.0
b1 = b2 = b3 = 0.0
sum_h1 = w1 * x1 + w2 * x2 + b1
h1 = f(sum_h1)
sum_h2 = w3 * x1 + w4 * x2 + b2
h2 = f(sum_h2)
sum_o1 = w5 * h1 + w6 * h2 + b3
ypred = f(sum_o1)

# the chain rule, one factor per step from L back to w1
d_L_d_ypred = -2 * (1 - ypred)
d_ypred_d_h1 = w5 * deriv_f(sum_o1)
d_h1_d_w1 = x1 * deriv_f(sum_h1)
by_hand = d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w1
print(d_L_d_ypred, d_ypred_d_h1, d_h1_d_w1, by_hand)

# %% [markdown]
# The engine computes the same number, knowing nothing of the formula: every op
# keeps its local derivative, and backward() multiplies them along the graph.

# %%
model, L = tutorials.alice_loss()
L.backward()
params = dict(model.named_parameters())
print(params["w1"].grad, by_hand)
assert abs(params["w1"].grad - by_hand) < 1e-16

# %% [markdown]
# The six local derivatives on the path from w1 to L: the tutorial's three factors,
# two ops each.

# %%
[path] = chain_rule_paths(L, params["w1"])
for child, parent, local in path:
    print(f"d({parent.label or parent._op})/d({child.label or child._op}) = {local:.6f}")
print(math.prod(local for *_, local in path))

# %% [markdown]
# All nine partials, by the tutorial's formulas and by autograd:

# %%
hand = tutorials.hand_partials(model.state_dict(), tutorials.ALICE, 1.0)
for name, p in model.named_parameters():
    print(f"{name}: hand {hand[name]: .12f}   autograd {p.grad: .12f}")
