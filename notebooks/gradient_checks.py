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
# # Checking gradients
#
# Three ways to check a derivative: a finite difference (`numerical_grad`),
# autograd against it (`gradcheck`), and your own derivation against autograd
# (`check_gradients`). The exercises in docs/exercises/ are checked the same way:
# `micrograd check --list` lists them.
#
# To run it elsewhere (Colab, Jupyter): `pip install micrograd-learn` first.

# %%
from micrograd import Value
from micrograd.gradcheck import check_gradients, gradcheck, numerical_grad

numerical_grad(lambda x: x**3, [2.0])  # 3 x**2 = 12

# %% [markdown]
# An op of your own with a wrong derivative: `gradcheck` catches it.

# %%
def bad_cube(v):
    return Value.from_op(v.data**3, [v], [v.data**2], "bad_cube")  # should be 3 x**2


gradcheck(bad_cube, [2.0], raise_exception=False)

# %%
def cube(v):
    return Value.from_op(v.data**3, [v], [3 * v.data**2], "cube")


gradcheck(cube, [2.0])

# %% [markdown]
# A derivation by hand, with a slip in b1's sign, against autograd of Alice's loss:

# %%
from micrograd import tutorials

model, L = tutorials.alice_loss()
check_gradients({"w1": 0.021469535265811114, "b1": 0.010734767632905557}, L, raise_exception=False)
