"""The backward walks the player replays: `Value.backward()`'s, and the two classic mistakes.

Each walk is a list of `Move` s on a `Graph` (the Values below a root, numbered
in topological order): ``seed`` (the root's gradient set to 1), ``turn`` (a
node is about to pass its gradient on) and ``edge`` (one child receives
``local × gradient``). The walks compute with Python floats exactly as the
engine does, so replaying `correct` ends with every gradient equal to ``.grad``
after ``backward()``, bit for bit:

* `correct`: `Value.backward()` itself: every node with children that a
  gradient reaches, in the order `micrograd.graph.backward_order` gives
  reversed, adds ``local * node.grad`` to each child (``+=``), children in
  argument order. Below a local derivative of exactly 0 (a ReLU that is off) it
  does not walk: a node only reachable that way takes no turn, and the nodes
  only it feeds (`Graph.unreached`) keep their gradient of 0.
* `naive`: the recursive walk of karpathy/micrograd PR #64: a node passes its
  gradient on and then each child does the same, at once, without waiting for
  the child's other parents. A node used twice is visited twice (passing its
  gradient on again), and may be visited before all its parents have passed
  theirs on. It walks every edge, below a local derivative of 0 too.
* `assign`: the correct order (the same nodes), but ``child.grad = local *
  node.grad`` (``=`` instead of ``+=``): a node fed twice keeps only its last
  contribution.

A mistaken walk is replayed until its first wrong contribution (`Move.wrong`):
the first moment some node's gradient differs from what it should be.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from micrograd.engine import Value
from micrograd.graph import backward_order, topological_order

__all__ = ["Edge", "Graph", "Move", "Walk", "correct", "naive", "assign", "NAIVE_BUDGET"]

#: the most moves a naive walk is run for: it visits a node once per path from the root, which can be exponentially many
NAIVE_BUDGET = 200_000


class Edge(NamedTuple):
    """One use of ``child`` by ``parent`` (its ``slot``-th argument), with d parent / d child."""

    parent: int
    child: int
    slot: int
    local: float


class Graph:
    """The Values below ``root``, numbered in topological order (the lecture's build_topo; the root is last)."""

    def __init__(self, root: Value) -> None:
        self.root = root
        self.values = topological_order(root)
        self.index = {v: i for i, v in enumerate(self.values)}
        #: how many Values were computed (have children): the forward pass is one step per each
        self.computed = sum(1 for v in self.values if v._prev)
        self.edges: list[Edge] = []
        #: per node: its edges to its children, in argument order
        self.out_edges: list[list[int]] = [[] for _ in self.values]
        #: per node: the edges from its parents, parents in topological order
        self.in_edges: list[list[int]] = [[] for _ in self.values]
        for p, node in enumerate(self.values):
            for slot, (child, local) in enumerate(zip(node._prev, node._local)):
                c = self.index[child]
                self.out_edges[p].append(len(self.edges))
                self.in_edges[c].append(len(self.edges))
                self.edges.append(Edge(p, c, slot, local))
        #: the nodes with children that a gradient reaches, in the order `Value.backward()` runs them
        #: (`micrograd.graph.backward_order` reversed): it does not walk below a local derivative of exactly 0
        self.backward = [self.index[v] for v in reversed(backward_order(root))]
        walked = set(self.backward)
        #: per node: the edges from the parents that `Value.backward()` walks (``in_edges`` whose parent is in
        #: ``backward``), the contributions its gradient is the sum of. The other parents pass nothing: every
        #: path from them to the root goes through a local derivative of 0 (a ReLU that is off).
        self.feeding: list[list[int]] = [[e for e in into if self.edges[e].parent in walked] for into in self.in_edges]
        #: the nodes besides the root that no walked parent feeds: `Value.backward()` never reaches them, and
        #: their gradient stays 0 (as zero_grad() left it), in topological order
        self.unreached = [i for i, into in enumerate(self.feeding) if not into and i != len(self.values) - 1]

    def __len__(self) -> int:
        return len(self.values)

    @property
    def root_id(self) -> int:
        return len(self.values) - 1


class Move(NamedTuple):
    """One move of a backward walk.

    ``node`` is the node seeded, taking its turn, or passing its gradient along
    ``edge`` to ``child``; ``before``/``after`` are the receiving node's gradient
    around the move and ``amount`` what it received (``local × node's gradient``;
    1 for the seed). ``visit`` counts the node's turns so far (the naive walk
    visits a node more than once). A wrong move has ``wrong`` set and ``why``
    says what went wrong.
    """

    kind: str
    node: int
    edge: int | None
    child: int | None
    before: float
    amount: float
    after: float
    visit: int = 1
    wrong: bool = False
    why: str = ""


class Walk(NamedTuple):
    """A walk's moves (for a mistake: up to and including its first wrong one) and where it ends.

    ``final`` is every node's gradient when the walk is run to its end (None if
    a naive walk would take more than `NAIVE_BUDGET` moves).
    """

    moves: list[Move]
    final: list[float] | None

    @property
    def first_wrong(self) -> Move | None:
        last = self.moves[-1] if self.moves else None
        return last if last is not None and last.wrong else None


def _seed(g: Graph, grad: list[float]) -> Move:
    root = g.root_id
    before = grad[root]
    grad[root] += 1.0  # as backward(): the root's gradient d root / d root
    return Move("seed", root, None, root, before, 1.0, grad[root])


def _pass_on(g: Graph, grad: list[float], p: int) -> Iterator[tuple[int, Edge, float, float]]:
    """Node ``p`` passes its gradient on as `Value.backward()` does; yields (edge id, edge, before, amount) per edge.

    ``p``'s gradient is read once, before its first edge, as the engine reads ``node.grad``.
    """
    gp = grad[p]
    for e in g.out_edges[p]:
        edge = g.edges[e]
        before = grad[edge.child]
        amount = edge.local * gp
        grad[edge.child] = before + amount
        yield e, edge, before, amount


def correct(g: Graph) -> Walk:
    """`Value.backward()`'s walk, starting from gradients that are all 0 (as after ``zero_grad()``)."""
    grad = [0.0] * len(g)
    moves = [_seed(g, grad)]
    for p in g.backward:
        moves.append(Move("turn", p, None, None, grad[p], 0.0, grad[p]))
        moves += (Move("edge", p, e, edge.child, before, amount, grad[edge.child])
                  for e, edge, before, amount in _pass_on(g, grad, p))
    return Walk(moves, grad)


def naive(g: Graph, final: list[float]) -> Walk:
    """PR #64's recursive walk: ``node._backward()``, then the same for each child in argument order.

    ``final`` are the correct gradients. A move is wrong when it passes on a
    gradient that is not yet complete (and the amount differs from the complete
    one's), or passes a gradient along an edge a second time (a non-zero amount).
    """
    grad = [0.0] * len(g)
    moves = [_seed(g, grad)]
    uses = [0] * len(g.edges)
    heard: list[set[int]] = [set() for _ in g.values]  # the distinct edges each node has received along
    visits = [0] * len(g)
    stack = [g.root_id]
    count, wrong = 1, False
    while stack:
        p = stack.pop()
        if not g.out_edges[p]:
            continue  # a leaf: its _backward does nothing
        if count >= NAIVE_BUDGET:
            return Walk(moves, None)
        visits[p] += 1
        count += 1
        if not wrong:
            moves.append(Move("turn", p, None, None, grad[p], 0.0, grad[p], visits[p]))
        for e, edge, before, amount in _pass_on(g, grad, p):
            count += 1
            if not wrong:
                why = ""
                if uses[e]:
                    if amount != 0.0:
                        why = "again"
                elif len(heard[p]) < len(g.in_edges[p]) and amount != edge.local * final[p]:
                    why = "early"
                wrong = bool(why)
                moves.append(Move("edge", p, e, edge.child, before, amount, grad[edge.child], visits[p], wrong, why))
            uses[e] += 1
            heard[edge.child].add(e)
        stack.extend(g.edges[e].child for e in reversed(g.out_edges[p]))  # the first child is visited first
    return Walk(moves, grad)


def assign(g: Graph) -> Walk:
    """The correct order with ``child.grad = local * node.grad``: wrong where a child had a gradient already."""
    grad = [0.0] * len(g)
    right = [0.0] * len(g)
    moves = [_seed(g, grad)]
    right[g.root_id] = grad[g.root_id]
    wrong = False
    for p in g.backward:
        if not wrong:
            moves.append(Move("turn", p, None, None, grad[p], 0.0, grad[p]))
        gp, rp = grad[p], right[p]
        for e in g.out_edges[p]:
            edge = g.edges[e]
            before = grad[edge.child]
            amount = edge.local * gp
            grad[edge.child] = amount
            right[edge.child] += edge.local * rp
            if not wrong:
                wrong = grad[edge.child] != right[edge.child]
                why = "overwritten" if wrong else ""
                moves.append(Move("edge", p, e, edge.child, before, amount, amount, 1, wrong, why))
    return Walk(moves, grad)
