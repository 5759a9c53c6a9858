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
# # The micrograd lecture, on this engine
#
# This notebook follows the steps of Andrej Karpathy's micrograd lecture
# ("The spelled-out intro to neural networks and backpropagation"), with this
# library's `Value` in place of the one the lecture writes. Where the lecture's
# code runs unchanged, it is here unchanged; where this engine works differently,
# the cell says so and shows the way it is done here.
#
# To run it elsewhere (Colab, Jupyter): `pip install micrograd-learn` first.

# %%
import math

from micrograd import MLP, Value, set_printoptions

set_printoptions(precision=None)  # print numbers in full, as the lecture does

# %% [markdown]
# ## A derivative, numerically
#
# The lecture starts with a plain function and its slope.

# %%
def f(x):
    return 3 * x**2 - 4 * x + 5


h = 0.000001
x = 2 / 3
print(f(3.0), (f(x + h) - f(x)) / h)  # the slope at x = 2/3 is 0: a minimum

# %% [markdown]
# ## Values and their graph
#
# The lecture's expression `L = (a*b + c) * f`, with labels. Each op records its
# inputs (`_prev`, an ordered tuple here, a set in the lecture) and its op (`_op`).

# %%
a = Value(2.0, label="a")
b = Value(-3.0, label="b")
c = Value(10.0, label="c")
e = a * b
e.label = "e"
d = e + c
d.label = "d"
f = Value(-2.0, label="f")
L = d * f
L.label = "L"
print(L, L._op, [child.label for child in L._prev])

# %% [markdown]
# The lecture draws the graph with a function of its own built on `graphviz`.
# Rendering needs a Graphviz program; `micrograd.draw_dot` draws the same picture
# and renders through the `graphviz-pure` program that `pip` installs with this
# library's `viz` extra, so no system package is needed. Here every edge also
# carries its local derivative.

# %%
from micrograd import draw_dot

L.backward()
draw_dot(L, edge_labels=True)

# %% [markdown]
# The lecture's own drawing function works too. Displayed as it is, its
# `graphviz.Digraph` needs the system's Graphviz ("failed to execute dot ...
# make sure the Graphviz executables are on your systems' PATH" where it is
# missing); `micrograd.viz.as_drawing` renders the very same picture through the
# renderer above.

# %%
from graphviz import Digraph

from micrograd.viz import as_drawing


def trace(root):
    nodes, edges = set(), set()

    def build(v):
        if v not in nodes:
            nodes.add(v)
            for child in v._prev:
                edges.add((child, v))
                build(child)

    build(root)
    return nodes, edges


def lecture_draw_dot(root):
    dot = Digraph(format="svg", graph_attr={"rankdir": "LR"})
    nodes, edges = trace(root)
    for n in nodes:
        uid = str(id(n))
        dot.node(name=uid, label="{ %s | data %.4f | grad %.4f }" % (n.label, n.data, n.grad), shape="record")  # noqa: UP031
        if n._op:
            dot.node(name=uid + n._op, label=n._op)
            dot.edge(uid + n._op, uid)
    for n1, n2 in edges:
        dot.edge(str(id(n1)), str(id(n2)) + n2._op)
    return dot


as_drawing(lecture_draw_dot(L))

# %% [markdown]
# ## Backpropagation by hand, then by the engine
#
# The lecture fills in the gradients by hand with the chain rule; the engine's
# numbers are the same.

# %%
assert (L.grad, d.grad, f.grad) == (1.0, -2.0, 4.0)
assert (c.grad, e.grad) == (-2.0, -2.0)
assert (a.grad, b.grad) == (6.0, -4.0)  # dL/da = dL/de * de/da = -2 * b

# %% [markdown]
# ## A neuron
#
# The lecture's neuron: `o = tanh(x1*w1 + x2*w2 + b)`, with the bias chosen so that
# the numbers come out round.

# %%
x1 = Value(2.0, label="x1")
x2 = Value(0.0, label="x2")
w1 = Value(-3.0, label="w1")
w2 = Value(1.0, label="w2")
b = Value(6.8813735870195432, label="b")
x1w1 = x1 * w1
x1w1.label = "x1*w1"
x2w2 = x2 * w2
x2w2.label = "x2*w2"
x1w1x2w2 = x1w1 + x2w2
x1w1x2w2.label = "x1*w1 + x2*w2"
n = x1w1x2w2 + b
n.label = "n"
o = n.tanh()
o.label = "o"
o

# %% [markdown]
# ### Node by node, as in the lecture's cells
#
# The lecture calls each node's `_backward()` from the output down. Here nodes
# keep their local derivatives (`_local`) instead of a closure, and
# `_backward()` applies that node's step of the chain rule in the same way.

# %%
o.grad = 1.0
o._backward()
n._backward()
b._backward()
x1w1x2w2._backward()
x2w2._backward()
x1w1._backward()
print(n.grad, 1 - o.data**2)  # do/dn = 1 - tanh(n)**2 = 0.5
print(x1.grad, w1.grad, x2.grad, w2.grad)

# %% [markdown]
# ### The topological order, and backward()
#
# The lecture's `build_topo`; `micrograd.graph.topological_order` is the same walk
# without recursion, and `backward()` runs it for you.

# %%
from micrograd.graph import topological_order

print([v.label for v in topological_order(o)])
grads_by_hand = [v.grad for v in (x1, w1, x2, w2, b)]
for v in topological_order(o):
    v.grad = 0.0
o.backward()
assert [v.grad for v in (x1, w1, x2, w2, b)] == grads_by_hand
draw_dot(o, params=[w1, w2, b])  # params: which leaves are parameters (blue), the rest inputs

# %% [markdown]
# ### A node used twice
#
# The lecture's bug: `b = a + a` must give `a` the gradient 2, which is why gradients
# are *added* (`+=`), not set.

# %%
a = Value(3.0, label="a")
b = a + a
b.label = "b"
b.backward()
assert a.grad == 2.0

# %% [markdown]
# ### tanh from exp
#
# The lecture breaks tanh into `exp`, `+`, `-` and `/`: the same value and gradients.

# %%
x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")  # fresh leaves: gradients accumulate
w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
n2 = x1 * w1 + x2 * w2 + Value(6.8813735870195432)
e = (2 * n2).exp()
o2 = (e - 1) / (e + 1)
o2.backward()
print(o2.data, x1.grad, w1.grad)
assert math.isclose(o2.data, o.data, rel_tol=1e-15) and math.isclose(x1.grad, -1.5, rel_tol=1e-12)

# %% [markdown]
# ### Making an op of your own
#
# In the lecture a new op sets `out._backward = ...`. Here a node keeps its local
# derivatives, and `Value.from_op` makes an op's node from its result and them:

# %%
def softsign(v):
    x = v.data
    return Value.from_op(x / (1 + abs(x)), [v], [1 / (1 + abs(x)) ** 2], "softsign")


s = softsign(Value(1.0))
s.backward()
print(s.data, s._prev[0].grad)

# %% [markdown]
# ## The network
#
# The lecture's MLP is tanh in every layer, the output too. `micrograd.nn.MLP`
# defaults to Karpathy's library (ReLU hidden layers, a linear output), so name the
# activations to get the lecture's network:

# %%
import random

random.seed(1337)
model = MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh")
xs = [
    [2.0, 3.0, -1.0],
    [3.0, -1.0, 0.5],
    [0.5, 1.0, 1.0],
    [1.0, 1.0, -1.0],
]
ys = [1.0, -1.0, -1.0, 1.0]

for k in range(20):
    ypred = [model(x) for x in xs]
    loss = sum((yout - ygt) ** 2 for ygt, yout in zip(ys, ypred))
    for p in model.parameters():
        p.grad = 0.0
    loss.backward()
    for p in model.parameters():
        p.data += -0.1 * p.grad
    print(k, loss.data)
assert loss.data < 0.1

# %% [markdown]
# Where this engine differs from the lecture's, and why, is listed in the
# README's section on compatibility.
