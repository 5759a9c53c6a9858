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
# # A guided tour: the tutorial's network, checked three ways
#
# The same tour as `python -m micrograd demo`, a step at a time: one neuron, the
# 2-2-1 network, the nine partials of Alice's loss by hand, by autograd and by
# finite differences, and a picture of the graph.
#
# To run it elsewhere (Colab, Jupyter): `pip install micrograd-learn` first.

# %%
from micrograd import draw_dot, tutorials
from micrograd.gradcheck import check_gradients

neuron = tutorials.neuron()  # sigmoid, w = [0, 1], b = 4
print(neuron([2, 3]).data)  # sigmoid(0*2 + 1*3 + 4) = sigmoid(7)

# %%
network = tutorials.network()  # h1, h2, o1: every neuron w = [0, 1], b = 0
print(network([2, 3]).data)

# %% [markdown]
# ## Alice's loss, and its nine partials
#
# All weights 1, all biases 0, Alice's inputs `[-2, -1]`, her label 1:
# `L = (1 - ypred)**2`. The tutorial derives each partial with the chain rule;
# `tutorials.hand_partials` is that derivation in plain floats, and
# `check_gradients` puts it beside autograd and a finite difference.

# %%
model, L = tutorials.alice_loss()
hand = tutorials.hand_partials(model.state_dict(), tutorials.ALICE, 1.0)
result = check_gradients(hand, lambda: tutorials.alice_loss(model)[1], atol=1e-9, rtol=1e-7)
result

# %% [markdown]
# ## The graph
#
# Every Value as `label | data | grad`, each edge labelled with its local
# derivative; the red path is the one from w1 to L, and the product of its labels
# is w1's gradient.

# %%
draw_dot(L, edge_labels=True, highlight="w1", params=model)
