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
# # Tracing: write one sample's loss, train on the whole batch
#
# `micrograd.trace` runs a function of Values once on placeholder inputs and turns
# the graph it builds into numpy steps over a whole batch. docs/trace.md explains
# how.
#
# To run it elsewhere (Colab, Jupyter): `pip install micrograd-learn` first.

# %%
import numpy as np

from micrograd import MLP, SGD, Value, trace
from micrograd.datasets import make_moons

X, y = make_moons(100, noise=0.1, seed=1337)
y = 2.0 * y - 1.0  # labels -1 / +1 for the hinge loss
model = MLP(2, [16, 16, 1], rng=1337)
params = model.parameters()


def sample_loss(x, label):
    return (1 - label * model(x)).relu() + 1e-4 * Value.sum(p * p for p in params)


program = trace(sample_loss, 2, ())
print(program)

# %%
opt = SGD(params, lr=1.0)
for step in range(100):
    opt.zero_grad()
    losses = program.backward(X, y)  # the mean loss's gradient goes into each .grad
    opt.lr = 1.0 - 0.9 * step / 100
    opt.step()
    if step % 20 == 0:
        print(step, losses.mean())

# %%
scores = np.array([model(list(x)).data for x in X])  # the trained model, evaluated eagerly
print("accuracy", (np.sign(scores) == y).mean())
