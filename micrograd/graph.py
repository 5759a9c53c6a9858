"""Walking a computation graph: topological order, the leaves, the parents of each node.

A node's children are its ``_prev`` (the Values it was computed from); its
parents are the nodes computed from it. These functions read nothing else, so
they work on any graph of Values: built by the engine, by `Value.from_op`, or
by Karpathy's micrograd, whose ``_prev`` is a set.

>>> from micrograd import Value
>>> a, b = Value(2.0, label="a"), Value(3.0, label="b")
>>> c = a * b
>>> c.label = "c"
>>> d = c + a
>>> d.label = "d"
>>> [v.label for v in topological_order(d)]
['a', 'b', 'c', 'd']
>>> [(p.label, local) for p, local in parents(d)[a]]
[('c', 3.0), ('d', 1.0)]
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # for annotations only: graph.py imports nothing when it runs
    from typing import Any

    from micrograd.engine import Value

__all__ = ["topological_order", "backward_order", "leaves", "parents"]

# Lies on the stack just above a node whose children are being visited: popping it
# means they are all done, so the node below it comes next in the order.
_CHILDREN_DONE: Any = object()


def topological_order(root: Value) -> list[Value]:
    """Every node reachable from ``root``, each one after all of its children; ``root`` is last.

    The lecture's ``build_topo``: depth first, children in argument order, a node
    added once all its children are. The recursion is an explicit stack here, so
    a graph a million nodes deep works.
    """
    order: list[Value] = []
    seen: set[Value] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if node is _CHILDREN_DONE:
            order.append(stack.pop())
        elif node not in seen:  # two parents can push the same child before it is visited
            seen.add(node)
            if node._prev:
                stack += (node, _CHILDREN_DONE)
                # pushed last to first, so that the first child is visited first
                stack.extend(child for child in _last_to_first(node._prev) if child not in seen)
            else:
                order.append(node)
    return order


def _last_to_first(prev: Any) -> Any:
    # Karpathy's engine keeps children in a set, which has no order to reverse
    return reversed(prev) if isinstance(prev, tuple) else prev


def backward_order(root: Value) -> list[Value]:
    """The nodes `backward()` visits, each after its children: it runs the list in reverse.

    These are the nodes below ``root`` that have children and that a gradient can
    reach: the walk does not go down an edge whose local derivative is exactly 0
    (a ReLU that is off, a sample whose hinge loss is 0), since nothing flows
    through it. In a trained network most edges are such; not walking them is
    most of what makes backward fast. It is leaner than `topological_order` in
    other ways too: leaves are never pushed (a parameter is a child of every
    sample's part of a batch's graph, and backward has nothing to do at a leaf),
    and nothing is allocated per node besides its entries in ``order`` and
    ``seen`` (no (node, flag) tuples for the garbage collector to scan).
    """
    order: list[Value] = []
    seen: set[Value] = set()
    stack = [root] if root._prev else []
    while stack:
        node = stack.pop()
        if node is _CHILDREN_DONE:
            order.append(stack.pop())
        elif node not in seen:
            seen.add(node)
            stack.append(node)
            stack.append(_CHILDREN_DONE)
            prev, local = node._prev, node._local
            # Nearly every node has one or two children. The forms below were the fastest
            # measured (CPython 3.11): one child spelled out, two as a loop over (0, 1), more
            # with zip (two spelled out was slower on a wide graph, zip on small ones).
            if len(prev) == 1:
                child = prev[0]
                if child._prev and local[0] and child not in seen:
                    stack.append(child)
            elif len(prev) == 2:
                for i in (0, 1):
                    child = prev[i]
                    if child._prev and local[i] and child not in seen:
                        stack.append(child)
            else:
                for child, d in zip(prev, local):
                    if child._prev and d and child not in seen:
                        stack.append(child)
    return order


def leaves(root: Value) -> list[Value]:
    """The nodes below ``root`` with no children (inputs and parameters), in `topological_order`."""
    return [v for v in topological_order(root) if not v._prev]


def parents(root: Value) -> dict[Value, list[tuple[Value, float]]]:
    """For every node below ``root``: ``(parent, d parent / d node)`` for each edge into a parent.

    Parents are listed in topological order, an edge once per use: the ``x`` of
    ``x * x`` has its product twice. ``root`` has none.
    """
    out: dict[Value, list[tuple[Value, float]]] = {}
    for node in topological_order(root):
        out[node] = []
        for child, local in zip(node._prev, node._local):
            out[child].append((node, local))
    return out
