"""How the pictures see a network in a graph: its parameters, its neurons, and what each node is.

A neuron's weighted sum is a ``dot`` node (``Value.dot(w, x, b)``, the children
``w1, x1, ..., wn, xn, b``), and its activation is a one-child node applied to it.
`micrograd.viz` (drawings) and `micrograd.player` (the backprop player) both
collapse a neuron into one box and colour each node by its `kind`, by these
rules, so that a picture and the player show the same network.

>>> from micrograd import MLP
>>> from micrograd.graph import parents, topological_order
>>> model = MLP(2, [1], rng=0)
>>> out = model([1.0, 2.0])
>>> order = topological_order(out)
>>> sorted(p.label for p in parameters(order))
['b1', 'w1', 'w2']
>>> by_parent = parents(out)
>>> outputs, inside = neurons(order, lambda v: [p for p, _ in by_parent[v]], parameters(order))
>>> [(o.label, d.label) for o, d in outputs.items()], sorted(p.label for p in inside)
([('o1', 'o1')], ['b1', 'w1', 'w2'])
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence

from micrograd.engine import Value
from micrograd.ops import activations, operands

__all__ = ["COLLAPSE", "parameters", "neurons", "activated_dot", "kind"]

#: what ``collapse=`` takes in drawings and in the player: collapse when big, always, never
COLLAPSE = ("auto", "neurons", "none")
_FINISHING = frozenset(activations())  # the ops that can finish a neuron


def parameters(nodes: Iterable[Value]) -> set[Value] | None:
    """The weights and biases of the neurons among ``nodes``, whatever their labels.

    They are the leaves that a ``dot`` node multiplies its inputs by, and its
    bias. None when there is no ``dot`` node: then nothing tells parameters from
    inputs.
    """
    dots = [v for v in nodes if v._op == "dot"]
    if not dots:
        return None
    found: set[Value] = set()
    for node in dots:
        *pairs, bias = operands(node)
        found.update(w for w in (*pairs[0::2], bias) if isinstance(w, Value) and not w._prev)
    return found


def neurons(
    order: Sequence[Value], parents: Callable[[Value], Sequence[Value]], params: Collection[Value] | None
) -> tuple[dict[Value, Value], set[Value]]:
    """The neurons of a graph, as a collapsed picture shows them.

    ``order`` is the graph in topological order (its root last) and
    ``parents(node)`` the nodes computed from ``node``, one per edge. Returns:

    * ``{output: dot node}`` for every ``dot`` node: the output is the
      activation applied to it when that is its only parent, else the ``dot``
      node itself (a linear neuron);
    * the parameters among ``params`` that only neurons read, and that the
      picture therefore draws inside them (in a batch, a neuron reads the same
      weights for every sample).
    """
    root = order[-1]
    outputs: dict[Value, Value] = {}
    for node in order:
        if node._op != "dot":
            continue
        ps = parents(node)
        if len(ps) == 1 and ps[0]._op in _FINISHING and len(ps[0]._prev) == 1:
            outputs[ps[0]] = node
        else:
            outputs[node] = node
    inside = {v for v in order if params and v in params and v is not root
              and all(p._op == "dot" for p in parents(v))}
    return outputs, inside


def activated_dot(node: Value) -> Value | None:
    """The weighted sum (``dot`` node) that ``node`` activates, if ``node`` is an activation of one."""
    if node._op in _FINISHING and len(node._prev) == 1 and node._prev[0]._op == "dot":
        return node._prev[0]
    return None


def kind(node: Value, *, root: bool, neuron: bool, params: Collection[Value] | None) -> str:
    """What a box shows, for its colour: 'output', 'neuron', 'param', 'input', 'leaf' or 'interior'.

    A leaf is a ``'param'`` or an ``'input'`` when ``params`` tells them apart,
    else just a ``'leaf'``.
    """
    if root:
        return "output"
    if neuron:
        return "neuron"
    if node._prev:
        return "interior"
    if params is None:
        return "leaf"
    return "param" if node in params else "input"
