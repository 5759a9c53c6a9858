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
# # The backprop player
#
# `play(loss)` steps through your own graph: the forward pass one node at a
# time, then the backward pass one edge at a time, in exactly the order
# `backward()` uses, with the numbers of every step. Use the buttons (or the
# arrow keys) in the player below; at its last step every gradient equals
# `.grad`. docs/player.md explains what each step says.
#
# To run it elsewhere (Colab, Jupyter): `pip install micrograd-learn` first.

# %%
from micrograd import Value, play
from micrograd.tutorials import alice_loss

model, L = alice_loss()
play(L)

# %% [markdown]
# The same steps as text, for example where the sigmoid h1 passes its gradient
# on to its input sum_h1:

# %%
player = play(L)
turn = next(s for s in player.steps if s.kind == "turn" and s.node.label == "h1")
for step in (turn, player.steps[turn.index]):
    print(step.title, *step.lines, sep="\n  ")

# %% [markdown]
# ## Your derivation, checked step by step
#
# Give the player the partial derivatives you worked out by hand (here one is
# deliberately wrong: dL/dw1 without the factor x1). It marks each one where
# backward completes it, and points at the first wrong one backward reaches.

# %%
L.backward()
mine = {p.label: p.grad for p in model.parameters()}
mine["w1"] = mine["w1"] / -2  # forgot d sum_h1 / d w1 = x1 = -2
checked = play(L, hand=mine)
print(checked.summary)
checked

# %% [markdown]
# ## The two classic mistakes
#
# A node used twice: `b = a + a; c = b + b`. The correct walk gives dc/da = 4.
# `mode="naive"` replays the recursive walk that passes a node's gradient on
# before all its parents have given theirs; `mode="assign"` replays `=`
# instead of `+=`. Each runs beside the correct walk and stops at its first
# wrong gradient.

# %%
a = Value(1.0, label="a")
b = a + a
b.label = "b"
c = b + b
c.label = "c"
for mode in ("naive", "assign"):
    print(f"{mode}: {play(c, mode=mode).summary}")
play(c, mode="naive")

# %% [markdown]
# ## Saved as one file
#
# `.save()` writes the player as one HTML file that opens from disk, with no
# server and no network: to share, or to open full-screen.

# %%
print(play(c).save("reuse_player.html"))
