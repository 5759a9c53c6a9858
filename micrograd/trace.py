"""Trace scalar `Value` code once, then run it on a whole batch with numpy.

A model written with `Value` builds the same graph for every sample; only the
numbers change. `trace` builds that graph once, on placeholder inputs, and turns
it into a `TracedProgram`: a short list of numpy steps that compute every node
for a whole batch at once, forward and backward.

>>> import numpy as np
>>> from micrograd import MLP
>>> model = MLP(2, [4, 1], rng=0)
>>> program = trace(lambda x, y: (model(x) - y) ** 2, 2, ())
>>> X, Y = np.array([[0.0, 1.0], [2.0, 3.0]]), np.array([1.0, 0.0])
>>> losses = program.backward(X, Y)   # per-sample losses; their mean's gradient goes into .grad
>>> losses.shape
(2,)

The four stages (docs/trace.md has the long version, with a picture):

1. **Record.** Call the function once on placeholder Values and read the graph
   it builds: each node's op and operands, plain numbers included (the 3 of
   ``x + 3`` is kept in the node; `micrograd.ops.operands`). Nothing about
   `Value` is changed while it runs, so tracing is safe in threads.
2. **Schedule.** A node's level is one more than its highest operand's. Nodes at
   one level with the same op (and operands of the same kinds) form one step:
   one numpy call. Weighted sums (`Value.dot`) that read the same inputs, such
   as the neurons of a layer, become one matrix product.
3. **Lay out.** Per-sample nodes get a row of a ``(rows, batch)`` array; the
   inputs are read in place from the caller's arrays; shared nodes (parameters,
   constants, anything computed from them only) get a slot in a vector. A step's
   results take consecutive rows, so the next step mostly reads slices.
4. **Run.** Forward runs the steps in order; backward runs them in reverse and
   adds ``gradient * local derivative`` into each operand's gradient, summed over
   the batch for shared operands: the engine's chain rule, one step at a time.

While a program trains, its parameters' numbers live in its arrays, where `SGD`
and ``zero_grad()`` work on them too; reading or writing a parameter still gives
the right number (see "parameters in arrays" below, and docs/trace.md).
"""

from __future__ import annotations

import inspect
import math
import sys
import threading
import types
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import compress, repeat
from operator import attrgetter
from typing import Any, NamedTuple, cast

import numpy as np

from micrograd.engine import Value, is_grad_enabled
from micrograd.ops import OPS, Op, operands
from micrograd.optim import _diverged

__all__ = ["trace", "TracedProgram", "TraceError", "Step"]

Shape = int | tuple[int, ...]
# a step that is a layer's matrix product: ((bank of the inputs, SHARED), the input nodes), see _layer_inputs
Layer = tuple[tuple[int, int | None], np.ndarray]

# Where a node's values live ("banks"): shared slots, per-sample rows, then one bank per input argument.
SHARED, ROWS = 0, 1


class TraceError(Exception):
    """A function cannot be traced, or a sample takes a path the trace did not record."""


# ------------------------------------------------------------------------------------- 1. record


def _nest(flat: list[Value], shape: tuple[int, ...]) -> Any:
    """Arrange placeholders like one sample: a Value for shape (), (nested) lists otherwise."""
    if not shape:
        return flat[0]
    if len(shape) == 1:
        return list(flat)
    size = len(flat) // shape[0]
    return [_nest(flat[i * size : (i + 1) * size], shape[1:]) for i in range(shape[0])]


def _call(fn: Callable[..., Any], shapes: tuple[tuple[int, ...], ...], names: list[str],
          sample: list[np.ndarray]) -> tuple[Any, list[list[Value]]]:
    """Run ``fn`` on Values holding one sample: (what it returned, placeholders per argument)."""
    args: list[Any] = []
    placeholders: list[list[Value]] = []
    for shape, name, values in zip(shapes, names, sample):
        flat = [Value(float(v), label=name + "".join(f"[{i}]" for i in idx))
                for v, idx in zip(np.ravel(values), np.ndindex(*shape))]
        placeholders.append(flat)
        args.append(_nest(flat, shape))
    return fn(*args), placeholders


def _outputs(result: Any) -> list[Value]:
    """What the function returned, as a list of Values; a TraceError if it is not a Value or a list of Values."""
    outputs = list(result) if isinstance(result, (list, tuple)) else [result]
    if not outputs or any(not isinstance(o, Value) for o in outputs):
        raise TraceError(f"the traced function must return a Value or a list of Values, got {result!r:.80}")
    return outputs


def _record(fn: Callable[..., Any], shapes: tuple[tuple[int, ...], ...], names: list[str],
            sample: list[np.ndarray]) -> tuple[list[Value], list[list[Value]]]:
    """Run ``fn`` on Values holding one sample: (outputs, placeholders per argument)."""
    result, placeholders = _call(fn, shapes, names, sample)
    return _outputs(result), placeholders


# ------------------------------------------------------------------------------------- the traced graph


@dataclass(eq=False)
class _Node:
    """One node of the traced graph, other than a leaf; nodes are numbered so that operands come first."""

    op: str  # 'input', 'const', an elementwise op of the op table, or 'linear' (sum, dot)
    # operand numbers; for 'linear', two arrays (A, B) of the terms A[k] * B[k], B[k] = -1 meaning A[k] alone
    args: tuple[Any, ...]
    value: Any  # the traced Value (the float, for a constant)
    bank: int = SHARED  # SHARED, ROWS, or ROWS + 1 + j for argument j
    grad: bool = False  # depends on a parameter, so backward must reach it
    level: int = 0
    classes: dict[tuple[int, int | None], tuple[np.ndarray, np.ndarray]] | None = None  # 'linear': see _term_classes


_SOURCES = ("input", "const")  # nodes that no step computes (leaves are not in the list of nodes)


class _Graph:
    """The traced graph: `_Node` s numbered operands first, then the leaves (parameters).

    A model has far more parameters than other nodes, so leaves get no object of their
    own: they are numbered ``len(nodes)`` on, in the order they were first met, and the
    banks, gradient flags and levels of all nodes are arrays.
    """

    def __init__(self, nodes: list[_Node], leaves: list[Value]) -> None:
        self.nodes, self.leaves, self.n = nodes, leaves, len(nodes)
        size = self.n + len(leaves)
        self.bank = np.zeros(size, dtype=np.intp)
        self.bank[: self.n] = [x.bank for x in nodes]
        self.grad = np.ones(size, dtype=bool)
        self.grad[: self.n] = [x.grad for x in nodes]
        self.const = np.zeros(size, dtype=bool)
        self.const[: self.n] = [x.op == "const" for x in nodes]

    def __len__(self) -> int:
        return len(self.bank)

    def node(self, i: int) -> _Node:
        """Node i; a leaf's is made when asked for."""
        return self.nodes[i] if i < self.n else _Node("leaf", (), self.leaves[i - self.n], grad=True)

    def kind(self, i: int) -> int | str:
        return "const" if self.const[i] else int(self.bank[i])


class _Column:
    """An int array that grows as it is appended to: per-node facts that linear nodes read in bulk."""

    def __init__(self) -> None:
        self.a, self.n = np.zeros(1024, dtype=np.intp), 0

    def append(self, v: int) -> None:
        if self.n == len(self.a):
            self.a = np.concatenate([self.a, np.zeros_like(self.a)])
        self.a[self.n] = v
        self.n += 1


def _check_op(v: Value) -> None:
    if v._op not in OPS:
        raise TraceError(f"op {v._op!r} is not in the op table (micrograd.ops.OPS), so the tracer has no numpy "
                         "version of it: an op made with Value.from_op cannot be traced; write it with built-in ops, "
                         "or call it outside the traced function")


def _interior(outputs: list[Value]) -> list[Value]:
    """The nodes with children below the outputs, each after its children (`micrograd.graph.topological_order`
    without the leaves, which a model has a million of and which need no order)."""
    order: list[Value] = []
    seen: set[int] = set()
    for out in outputs:
        stack: list[Any] = [out] if out._prev and id(out) not in seen else []
        while stack:
            node = stack.pop()
            if node is None:
                order.append(stack.pop())
            elif id(node) not in seen:
                seen.add(id(node))
                stack += (node, None)
                stack.extend(c for c in reversed(node._prev) if c._prev and id(c) not in seen)
    return order


def _walk(outputs: list[Value], placeholders: list[list[Value]]) -> tuple[_Graph, list[int]]:
    """Number every node reachable from the outputs, operands first, leaves last.

    A leaf met for the first time gets a token ``-2 - k`` (k: its place in ``met``); the
    tokens become leaf numbers at the end, all at once: a dict entry per parameter would
    cost more than the rest of tracing.
    """
    nodes = [_Node("input", (), p, bank=ROWS + 1 + j) for j, arg in enumerate(placeholders) for p in arg]
    number = {id(n.value): i for i, n in enumerate(nodes)}
    banks, levels, grads = _Column(), _Column(), _Column()
    for n in nodes:
        banks.append(n.bank)
        levels.append(0)
        grads.append(0)
    constants: dict[tuple[float, float], int] = {}
    met: list[Value] = []  # leaves, as met (with repeats)
    tokened: list[_Node] = []  # nodes whose args hold tokens

    def add(node: _Node) -> int:
        number[id(node.value)] = len(nodes)
        nodes.append(node)
        banks.append(node.bank)
        levels.append(node.level)
        grads.append(node.grad)
        return len(nodes) - 1

    def ref(x: Value | float) -> int:
        if isinstance(x, Value):
            i = number.get(id(x))
            if i is not None:
                return i
            met.append(x)
            return -1 - len(met)
        key = (x, math.copysign(1.0, x))  # keeps 0.0 and -0.0 apart
        if key not in constants:
            constants[key] = len(nodes)
            nodes.append(_Node("const", (), x))
            banks.append(SHARED)
            levels.append(0)
            grads.append(0)
        return constants[key]

    def refs(values: Sequence[Value]) -> np.ndarray:
        """ref() of many Values at once."""
        r = np.fromiter(map(number.get, map(id, values), repeat(-1)), dtype=np.intp, count=len(values))
        new = r < 0
        if new.any():
            r[new] = -2 - np.arange(len(met), len(met) + int(new.sum()))
            met.extend(compress(values, new.tolist()))
        return r

    for v in _interior(outputs):
        _check_op(v)
        prev, local = v._prev, v._local
        if v._op in ("sum", "dot"):
            ops = operands(v)  # the terms; for dot w1, x1, ..., wn, xn, bias
            if len(local) == len(prev):  # Values only, no numbers mixed in: read the children in bulk
                if v._op == "sum":
                    A = refs(ops)
                    B = np.full(len(A), -1, dtype=np.intp)
                else:
                    r = refs(ops[:-1])  # met in the children's order: the bias, if any, is met last
                    A, B = r[0::2], r[1::2]
                    if isinstance(ops[-1], Value):  # the bias: a term of its own, first
                        A = np.concatenate([np.array([ref(ops[-1])], dtype=np.intp), A])
                        B = np.concatenate([[-1], B])
            else:
                if v._op == "sum":
                    terms = [(t, None) for t in ops]
                else:
                    *pairs_, bias = ops
                    terms = [(bias, None)] if isinstance(bias, Value) or bias != 0.0 else []
                    terms += list(zip(pairs_[0::2], pairs_[1::2]))
                A = np.array([ref(a) for a, _ in terms], dtype=np.intp)
                B = np.array([-1 if b is None else ref(b) for _, b in terms], dtype=np.intp)
            kids = np.concatenate([A, B[B != -1]])
            known = kids[kids >= 0]
            node = _Node("linear", (A, B), v, ROWS if (banks.a[known] != SHARED).any() else SHARED,
                         len(known) < len(kids) or bool(grads.a[known].any()),
                         1 + int(levels.a[known].max(initial=0)))
            if len(known) < len(kids):
                tokened.append(node)
        else:
            args = tuple(ref(x) for x in operands(v))
            kid_nodes = [nodes[k] for k in args if k >= 0]
            node = _Node(v._op, args, v, ROWS if any(k.bank for k in kid_nodes) else SHARED,
                         len(kid_nodes) < len(args) or any(k.grad for k in kid_nodes),
                         1 + max((k.level for k in kid_nodes), default=0))
            if len(kid_nodes) < len(args):
                tokened.append(node)
        add(node)
    out_ids = [ref(o) for o in outputs]  # an output may be an input or a leaf itself

    # the leaves, numbered in the order they were first met
    leaves: list[Value] = []
    of_token = np.zeros(0, dtype=np.intp)
    if met:
        ids = np.fromiter(map(id, met), dtype=np.int64, count=len(met))
        _, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")
        rank = np.empty(len(order), dtype=np.intp)
        rank[order] = np.arange(len(order))
        of_token = len(nodes) + rank[inverse.ravel()]
        leaves = [met[i] for i in first[order].tolist()]
        del met[:], ids, inverse

    def resolve(r: np.ndarray) -> np.ndarray:
        t = r <= -2
        if t.any():
            r = r.copy()
            r[t] = of_token[-2 - r[t]]
        return r

    for node in tokened:
        if node.op == "linear":
            node.args = (resolve(node.args[0]), resolve(node.args[1]))
        else:
            node.args = tuple(int(of_token[-2 - a]) if a <= -2 else a for a in node.args)
    out_ids = [int(of_token[-2 - o]) if o <= -2 else o for o in out_ids]
    return _Graph(nodes, leaves), out_ids


def _signature(graph: _Graph) -> list[tuple[Any, ...]]:
    """What two samples must share to take the same path: ops, operands, numbers and leaves."""
    return ([(n.op, tuple(a.tobytes() for a in n.args) if n.op == "linear" else n.args,
              n.value if n.op == "const" else None) for n in graph.nodes]
            + [("leaf", (), (id(v), v.data)) for v in graph.leaves])


def _first_difference(traced: list[tuple[Any, ...]], other: list[tuple[Any, ...]]) -> int | None:
    """Where ``other`` leaves the traced path, or None.

    A leaf matches if it is the same Value (a parameter, whose data may have changed
    since) or holds the same data (a Value the function made, such as ``Value(2.0)``).
    """
    for k, (a, b) in enumerate(zip(traced, other)):
        if a[:2] != b[:2] or a[2] != b[2] and not (a[0] == "leaf" and (a[2][0] == b[2][0] or a[2][1] == b[2][1])):
            return k
    return None if len(traced) == len(other) else min(len(traced), len(other))


# ------------------------------------------------------------------------------------- 4. kernels
# A kernel runs one step. ``env`` holds the banks: [shared slots S, rows V, input 0, input 1, ...];
# ``genv`` their gradients: [GS, GV] (inputs get none).


_sum = np.add.reduce  # ndarray.sum without the Python function numpy puts in front of it (steps are small)


def _all_finite(a: np.ndarray) -> bool:
    """No inf or NaN in ``a``. A finite sum shows it in one cheap pass; a sum that is not
    finite may only have overflowed, so then each number is tested."""
    return math.isfinite(_sum(a, axis=None)) or bool(np.isfinite(a).all())


def _index(positions: Sequence[int] | np.ndarray) -> slice | np.ndarray:
    """A slice when the positions are consecutive (a view, no copy), else an index array."""
    p = np.asarray(positions, dtype=np.intp)
    if len(p) and (len(p) == 1 or (np.diff(p) == 1).all()):
        return slice(int(p[0]), int(p[-1]) + 1)
    return p


class _Operand:
    """One operand of a step: where its k values are read, and where its gradient goes."""

    __slots__ = ("bank", "index", "column", "grad", "repeats", "assign", "direct")

    def __init__(self, bank: int, where: np.ndarray, column: bool, grad: bool) -> None:
        self.bank, self.index = bank, _index(where)
        self.column = column  # a shared value in a per-sample step: shape (k, 1), broadcast over the batch
        self.grad = grad
        # then `+=` would keep only one of the contributions
        self.repeats = not isinstance(self.index, slice) and len(np.unique(where)) < len(where)
        self.assign = False  # its gradient is the only one its positions get: written, not added (_plan_writes)
        self.direct = False  # ... and a numpy call can write it in place (out=): a slice, not a column

    def read(self, env: list[np.ndarray]) -> np.ndarray:
        values = env[self.bank][self.index]
        return values[:, None] if self.column else values

    def add_grad(self, genv: list[np.ndarray], g: np.ndarray) -> None:
        if self.column:
            g = _sum(g, axis=1)  # a shared value gets the sum of its per-sample gradients
        if self.assign:
            genv[self.bank][self.index] = g
        elif self.repeats:  # positions that repeat are never a slice
            np.add.at(genv[self.bank], cast(np.ndarray, self.index), g)
        else:
            genv[self.bank][self.index] += g


class _Elementwise:
    """k nodes with the same unary or binary op: one numpy call, with the op table's formulas."""

    grad = False  # a node of the step depends on a parameter, so backward must run it (set by _build)

    def __init__(self, op: Op, bank: int, out: range, operands: list[_Operand], consts: tuple[bool, ...]) -> None:
        self.spec, self.bank, self.out, self.operands = op, bank, _index(out), operands
        self.consts = consts  # which operands are numbers folded into the op (x ** 2), not Values
        # An op with a domain can have an infinite derivative where its result is finite
        # (sqrt(0), 1 / 1e-200): there the engine raises, so a forward pass checks it too.
        self.guarded = op.error is not None
        self.f = op.f
        # (operand, its local derivative's formula, its position) for the operands whose gradient backward needs
        self.chain = [(o, local, j) for j, (o, local) in enumerate(zip(operands, op.local)) if o.grad]
        # the local derivatives `out_of_domain` computed since the last forward, by operand; backward reuses them
        self.locals: list[Any] | None = None

    def forward(self, env: list[np.ndarray]) -> None:
        self.args = args = [o.read(env) for o in self.operands]  # kept for backward, which follows
        env[self.bank][self.out] = self.f(np, *args)
        self.locals = None  # those of the last batch are stale

    def backward(self, env: list[np.ndarray], genv: list[np.ndarray]) -> None:
        """The chain rule for the step; runs after `forward` on the same banks (it reuses its operands)."""
        g = genv[self.bank][self.out]
        y = env[self.bank][self.out]
        args, known = self.args, self.locals
        for o, local, j in self.chain:
            d = local(np, y, *args) if known is None else known[j]
            if type(d) is float and (d == 1.0 or d == -1.0):  # 1 for +, -1 for -: no multiplication
                o.add_grad(genv, g if d == 1.0 else -g)
                continue
            if o.direct:
                np.multiply(g, d, out=genv[o.bank][o.index])
            else:
                o.add_grad(genv, g * d)

    def operand_values(self, env: list[np.ndarray]) -> list[np.ndarray]:
        """The operands as (k, batch) or (k, 1) arrays (a shared step's as (k, 1))."""
        return [_2d(o.read(env)) for o in self.operands]

    def out_of_domain(self, env: list[np.ndarray]) -> np.ndarray:
        """Where a local derivative with respect to a Value is not finite: a (k, batch) or (k, 1) mask.

        There the engine raises although the result may be finite (its domain); a
        result that is not finite is found without this. Runs after `forward` on the
        same banks, on the operands it kept; the derivatives are kept in turn, for backward.
        """
        y = env[self.bank][self.out]
        bad = np.zeros(_2d(y).shape, dtype=bool)
        if self.locals is None:
            args = self.args
            self.locals = [None if const else local(np, y, *args) for const, local in zip(self.consts, self.spec.local)]
        for d in self.locals:
            if d is not None:
                bad |= ~np.isfinite(d[:, None] if np.ndim(d) == 1 else d)  # a shared step's (k,) as (k, 1)
        return bad


def _2d(a: np.ndarray) -> np.ndarray:
    """A step's values as (k, batch); a shared step's (k,) as (k, 1)."""
    return a if a.ndim == 2 else a[:, None]


def _rerun(kernel: _Elementwise, env: list[np.ndarray], k: int, j: int) -> Exception | None:
    """Node k of an elementwise step, at sample j, computed by the engine: the exception it raises, or None."""
    args = [float(np.broadcast_to(a, _2d(env[kernel.bank][kernel.out]).shape)[k, j])
            for a in kernel.operand_values(env)]
    try:
        kernel.spec.apply(*[a if const else Value(a) for a, const in zip(args, kernel.consts)])
    except (ArithmeticError, ValueError) as e:
        return e
    return None


def _holds_booleans(a: Any) -> bool:
    if isinstance(a, np.ndarray):
        kind = a.dtype.kind  # 'b': booleans; 'O': Python objects, which may be booleans
        return kind == "b" or kind == "O" and any(isinstance(v, (bool, np.bool_)) for v in a.flat)
    if isinstance(a, (list, tuple)):
        return any(_holds_booleans(v) for v in a)
    return isinstance(a, (bool, np.bool_))


def _numbers(a: Any, name: str) -> np.ndarray:
    """A batch or an example as a float array; a TypeError for what the engine would refuse.

    numpy would read True as 1.0 and drop the imaginary part of a complex number,
    silently; the engine refuses both (``Value(True)``, ``Value(1j)``), and so does a program.
    """
    if type(a) is np.ndarray and a.dtype == np.float64:  # the usual batch: nothing to convert or refuse
        return a
    if _holds_booleans(a):
        raise TypeError(f"{name} holds booleans; the engine takes numbers only (Value(True) is an error too): "
                        "convert them first, e.g. with np.asarray(..., dtype=float)")
    if np.iscomplexobj(a):
        raise TypeError(f"{name} holds complex numbers; the engine takes real numbers only (Value(1j) is an "
                        "error too)")
    try:
        return np.asarray(a, dtype=float)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{name} must be an array of numbers ({e})") from None


class _MatMul:
    """The terms ``w * x`` of weighted sums that all read the same inputs x (a layer): ``W @ X``."""

    rows = None  # it covers every node of its step
    widen = False

    def __init__(self, weights: np.ndarray, weights_grad: bool, inputs: _Operand) -> None:
        self.shape = weights.shape
        # the weights, flattened: a layer's weights are one slice of S, so the reshape is a view
        self.weights = _Operand(SHARED, weights.ravel(), False, weights_grad)
        self.inputs = inputs

    def forward(self, env: list[np.ndarray], out: np.ndarray | None = None) -> np.ndarray:
        """``W @ X``, into ``out`` if given."""
        product: np.ndarray = np.matmul(self.weights.read(env).reshape(self.shape), self.inputs.read(env), out=out)
        return product

    def backward(self, env: list[np.ndarray], genv: list[np.ndarray], g: np.ndarray) -> None:
        w = self.weights
        if w.grad:  # ``G @ X.T``, summed over the batch by the product itself
            if w.direct:
                np.matmul(g, self.inputs.read(env).T, out=genv[SHARED][w.index].reshape(self.shape))
            else:
                w.add_grad(genv, (g @ self.inputs.read(env).T).ravel())
        if self.inputs.grad:
            weights, inputs = w.read(env).reshape(self.shape).T, self.inputs
            if inputs.direct:
                np.matmul(weights, g, out=genv[inputs.bank][inputs.index])
            else:
                inputs.add_grad(genv, weights @ g)


class _Terms:
    """Terms ``a*b`` (or ``a`` alone) of some nodes of a step, summed per node by one reduceat."""

    def __init__(self, owners: np.ndarray, k: int, a: _Operand, b: _Operand | None, widen: bool) -> None:
        self.a, self.b = a, b
        self.widen = widen  # shared terms in a per-sample step: summed once, broadcast over the batch
        firsts = np.flatnonzero(np.concatenate([[True], owners[1:] != owners[:-1]]))  # owners come in runs
        distinct = owners[firsts]
        self.rows = None if len(distinct) == k and (distinct == np.arange(k)).all() else distinct
        self.starts = None if len(firsts) == len(owners) else firsts
        self.owner = _index(owners)

    def forward(self, env: list[np.ndarray]) -> np.ndarray:
        p = self.a.read(env) if self.b is None else self.a.read(env) * self.b.read(env)
        return p if self.starts is None else np.add.reduceat(p, self.starts, axis=0)

    def backward(self, env: list[np.ndarray], genv: list[np.ndarray], g: np.ndarray) -> None:
        g = g[self.owner]
        if self.b is None:
            if self.a.grad:
                self.a.add_grad(genv, g)
            return
        if self.a.grad:
            self.a.add_grad(genv, g * self.b.read(env))
        if self.b.grad:
            self.b.add_grad(genv, g * self.a.read(env))


class _Linear:
    """k sums or weighted sums: a matrix product and/or groups of summed terms."""

    grad = False  # as _Elementwise.grad

    def __init__(self, bank: int, out: range, sources: list[_MatMul | _Terms]) -> None:
        # a source covering every node goes first and writes, so the step needs no zero-filling
        self.bank, self.out, self.sources = bank, _index(out), sorted(sources, key=lambda s: s.rows is not None)
        self.widen = any(s.widen for s in sources)

    def forward(self, env: list[np.ndarray]) -> None:
        out = env[self.bank][self.out]  # a view: a step owns consecutive rows
        for i, src in enumerate(self.sources):
            if i == 0 and isinstance(src, _MatMul):  # it covers every row: the product goes straight there
                src.forward(env, out)
                continue
            r = src.forward(env)
            if src.widen:
                r = r[:, None]
            if src.rows is None:
                if i == 0:
                    out[...] = r
                else:
                    out += r
            else:
                if i == 0:
                    out[...] = 0.0
                out[src.rows] += r

    def backward(self, env: list[np.ndarray], genv: list[np.ndarray]) -> None:
        g = genv[self.bank][self.out]
        g_shared = _sum(g, axis=1) if self.widen else g  # shared terms get the sum over the batch
        for src in self.sources:
            src.backward(env, genv, g_shared if src.widen else g)


def _plan_writes(kernels: list[_Elementwise | _Linear], sizes: list[int], seeded: tuple[int, Any]
                 ) -> list[slice | np.ndarray | None]:
    """Mark the gradients that are the only ones their positions get: backward writes them instead of adding.

    Writing saves reading the gradient array back, and lets a matrix product or a product
    of a step write its result in place (``out=``). Returns, per bank of gradients, the
    positions that still need zeros before backward (None: none do): those that get no gradient,
    or get one added.
    ``seeded``: the (bank, position) that backward seeds.
    """
    writers: list[tuple[Any, int, slice | np.ndarray]] = []
    for k in kernels:
        if not k.grad:
            continue
        if isinstance(k, _Elementwise):
            writers += [(o, o.bank, o.index) for o, _, _ in k.chain]
            continue
        for src in k.sources:
            pair = (src.weights, src.inputs) if isinstance(src, _MatMul) else (src.a, src.b)
            writers += [(o, o.bank, o.index) for o in pair if o is not None and o.grad]
    counts = [np.zeros(n, dtype=np.intp) for n in sizes]
    if seeded[0] in (SHARED, ROWS):
        counts[seeded[0]][seeded[1]] += 1
    positions = [np.arange(n) for n in sizes]
    for _, bank, index in writers:
        np.add.at(counts[bank], positions[bank][index], 1)
    zero = [c != 1 for c in counts]
    for w, bank, index in writers:
        w.assign = bool((counts[bank][positions[bank][index]] == 1).all())
        w.direct = w.assign and not w.column and isinstance(index, slice)
        if not w.assign:  # it adds: all its positions start at 0
            zero[bank][positions[bank][index]] = True
    return [_index(np.flatnonzero(z)) if z.any() else None for z in zero]


# ------------------------------------------------------------------------------------- 2. schedule, 3. lay out


class Step(NamedTuple):
    """One numpy step of a traced program: nodes with the same op at the same level."""

    level: int
    op: str  # an engine op, or 'linear' for Value.sum / Value.dot nodes
    nodes: tuple[Value, ...]  # the traced Values it computes, in row order
    batched: bool  # per sample (True), or once per call from shared values only (False)
    numpy: str  # how it runs, e.g. 'matmul 16x2 + 16 shared terms' or 'relu(rows)'


def _step_key(n: _Node, graph: _Graph) -> tuple[Any, ...]:
    kinds = () if n.op == "linear" else tuple(graph.kind(a) for a in n.args)
    return (n.level, n.bank, n.op, kinds)


def _term_classes(n: _Node, graph: _Graph) -> dict[tuple[int, int | None], tuple[np.ndarray, np.ndarray]]:
    """A linear node's terms by the banks of their factors, a per-sample factor first: (bank of a, of b) -> (a, b).

    b is -1 for a term that is a alone (and the key's second bank None). Computed once per node.
    """
    if n.classes is None:
        A, B = n.args
        single = B < 0
        bank_a, bank_b = graph.bank[A], np.where(single, -1, graph.bank[np.maximum(B, 0)])
        swap = bank_b > bank_a
        a, b = np.where(swap, B, A), np.where(swap, A, B)
        ka, kb = np.where(swap, bank_b, bank_a), np.where(swap, bank_a, bank_b)
        keys = ka * (len(graph) + 1) + kb + 1  # one number per pair of banks
        _, first = np.unique(keys, return_index=True)
        n.classes = {}
        for k in np.sort(first).tolist():  # the classes in the order their first terms come
            same = keys == keys[k]
            n.classes[(int(ka[k]), None if kb[k] < 0 else int(kb[k]))] = (a[same], b[same])
    return n.classes


def _mixed(n: _Node, graph: _Graph) -> list[tuple[tuple[int, int | None], tuple[np.ndarray, np.ndarray]]]:
    """The classes of per-sample-times-shared terms."""
    return [(key, t) for key, t in _term_classes(n, graph).items() if key[0] and key[1] == SHARED]


def _layer_inputs(ids: list[int], graph: _Graph) -> Layer | None:
    """(banks, inputs) when every node's per-sample-times-shared terms read the same per-sample inputs."""
    if graph.nodes[ids[0]].bank == SHARED:
        return None
    found: Layer | None = None
    for i in ids:
        mixed = _mixed(graph.nodes[i], graph)
        if len(mixed) != 1:
            return None
        key, (inputs, _) = mixed[0]
        if found is None:
            found = (key, inputs)
        elif found[0] != key or not np.array_equal(found[1], inputs):
            return None
    return found


def _unique(numbers: np.ndarray) -> np.ndarray:
    """The numbers without repeats, each where it first comes."""
    _, first = np.unique(numbers, return_index=True)
    return numbers[np.sort(first)]


def _build(graph: _Graph) -> tuple[list[_Elementwise | _Linear], list[Step], np.ndarray, np.ndarray, int, int]:
    """Group nodes into steps, give every node a place, and make the kernels.

    Returns (kernels, steps, where, leaves, rows, slots): ``where[i]`` is node i's
    position in its bank; leaves are the node numbers of the parameters, in slot order.
    """
    nodes = graph.nodes
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, n in enumerate(nodes):
        if n.op not in _SOURCES:
            groups.setdefault(_step_key(n, graph), []).append(i)
    order = sorted(groups.items(), key=lambda kv: kv[0][0])  # by level; ties keep first-seen order
    layers = {key: _layer_inputs(ids, graph) if key[2] == "linear" else None for key, ids in order}

    # Shared slots: parameters first, in the order the matrix products read them, so that a layer's
    # weights are one slice of S; then the other leaves; then the constants.
    read = [_mixed(nodes[i], graph)[0][1][1] for key, ids in order if layers[key] for i in ids]
    leaves = _unique(np.concatenate([*(w[w >= graph.n] for w in read), np.arange(graph.n, len(graph))]))
    consts = np.flatnonzero(graph.const)
    where = np.full(len(graph), -1, dtype=np.intp)
    where[leaves] = np.arange(len(leaves))
    where[consts] = len(leaves) + np.arange(len(consts))
    count = [len(leaves) + len(consts), 0]  # slots, rows so far
    seen_in_bank: dict[int, int] = {}
    for i, n in enumerate(nodes):
        if n.op == "input":  # a row of its argument's array
            where[i] = seen_in_bank[n.bank] = seen_in_bank.get(n.bank, -1) + 1

    kernels: list[_Elementwise | _Linear] = []
    steps: list[Step] = []
    for (level, bank, op, kinds), ids in order:
        if op != "linear":  # order by operand position, so that operands are read as slices
            positions = where[np.array([nodes[i].args for i in ids], dtype=np.intp)]
            ids = np.array(ids)[np.lexsort(positions.T[::-1])].tolist()  # by first operand, then second
        start = count[bank]
        count[bank] += len(ids)
        where[ids] = np.arange(start, start + len(ids))
        out = range(start, start + len(ids))
        kernel: _Elementwise | _Linear
        if op == "linear":
            kernel, how = _linear_kernel(ids, graph, where, bank, out, layers[(level, bank, op, kinds)])
        else:
            args = np.array([nodes[i].args for i in ids], dtype=np.intp).reshape(len(ids), -1)
            operands = [_Operand(int(graph.bank[a]), where[args[:, j]], column=bank == ROWS and graph.bank[a] == SHARED,
                                 grad=bool(graph.grad[args[:, j]].any()))
                        for j, a in enumerate(nodes[ids[0]].args)]
            kernel = _Elementwise(OPS[op], bank, out, operands, tuple(k == "const" for k in kinds))
            how = f"{op}({', '.join(_KIND_NAMES.get(k, 'input') for k in kinds)})"
        kernel.grad = any(nodes[i].grad for i in ids)
        kernels.append(kernel)
        steps.append(Step(level, op, tuple(nodes[i].value for i in ids), bank == ROWS, how))
    return kernels, steps, where, leaves, count[ROWS], count[SHARED]


_KIND_NAMES = {SHARED: "shared", ROWS: "rows", "const": "const"}


def _linear_kernel(ids: list[int], graph: _Graph, where: np.ndarray, bank: int, out: range,
                   layer: Layer | None) -> tuple[_Linear, str]:
    sources: list[_MatMul | _Terms] = []
    parts: list[str] = []
    per_class: dict[tuple[int, int | None], tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]] = {}
    for r, i in enumerate(ids):
        for key, (a, b) in _term_classes(graph.nodes[i], graph).items():
            if layer and key == layer[0]:
                continue
            in_class = per_class.setdefault(key, ([], [], []))
            in_class[0].append(np.full(len(a), r, dtype=np.intp))
            in_class[1].append(a)
            in_class[2].append(b)
    if layer:
        (in_bank, _), inputs = layer
        weights = np.stack([_term_classes(graph.nodes[i], graph)[layer[0]][1] for i in ids])
        inputs_operand = _Operand(in_bank, where[inputs], False, bool(graph.grad[inputs].any()))
        sources.append(_MatMul(where[weights], bool(graph.grad[weights].any()), inputs_operand))
        parts.append(f"matmul {weights.shape[0]}x{weights.shape[1]}")
    for (bank_a, bank_b), (owner_parts, a_parts, b_parts) in per_class.items():
        owners, a_s, b_s = (np.concatenate(x) for x in (owner_parts, a_parts, b_parts))
        widen = bank == ROWS and bank_a == SHARED
        first = _Operand(bank_a, where[a_s], False, bool(graph.grad[a_s].any()))
        column = bank == ROWS and bank_a != SHARED and bank_b == SHARED
        second = None if bank_b is None else _Operand(bank_b, where[b_s], column, bool(graph.grad[b_s].any()))
        sources.append(_Terms(owners, len(ids), first, second, widen))
        parts.append(f"{len(owners)} {'shared ' if widen else ''}term{'s' * (len(owners) > 1)}")
    return _Linear(bank, out, sources), " + ".join(parts)


# ------------------------------------------------------------------------------------- parameters in arrays
# While a program trains, its parameters' numbers live in two arrays (a _Store), not in the Value
# objects: reading every .data and writing every .grad costs one Python operation per parameter and
# step, far more than the numpy work on a large model. Each parameter's class is switched to a
# subclass of its own whose ``data`` and ``grad`` are properties, so whatever reads or writes a
# parameter (the user, eager code, save/load) still sees the right number: reads are served from
# the arrays, and a write, or more reads than a few between two traced calls (eager code walking
# the model), "unbinds" the store: every number goes back into its Value and every class back to
# the original, so eager code runs at full speed on ordinary Values. The next program call binds
# again. The Values' own slots are left alone while bound and written before a class is switched
# back, so a thread reading a parameter while another binds or unbinds sees its number either way.

_DATA = cast(Any, Value.__dict__["data"])  # the slots' own descriptors, under the properties
_GRAD = cast(Any, Value.__dict__["grad"])
_KEEP = 64 << 20  # a program keeps its work arrays between calls up to this size (bytes)
_READS = 64  # reads served from the arrays between two traced calls before the store unbinds
_binds = 0  # bumped by every bind: a list of Values found not to be in one store stays so until the next
_lock = threading.RLock()  # one bind or unbind at a time


class _Store:
    """The numbers of some parameters, as arrays ``data`` and ``grad``, while they are bound to it."""

    def __init__(self, values: list[Value], data: np.ndarray, grad: np.ndarray) -> None:
        self.values, self.data, self.grad = values, data, grad
        # where a Value is: its id among the sorted ids (a dict would cost ~200 bytes and 0.2 us a parameter)
        ids = np.fromiter(map(id, values), dtype=np.int64, count=len(values))
        self.order = np.argsort(ids)
        self.ids = ids[self.order]
        self.last: tuple[np.ndarray, slice | np.ndarray] | None = None  # the ids positions() was last asked about
        self.bound = False
        self.reads = 0
        self.classes: dict[type, type] = {}  # a parameter's own class -> its bound class

    @classmethod
    def bind(cls, values: list[Value]) -> _Store | None:
        """Bind ``values`` (and every parameter of a store already holding one of them) to a new store.

        None, leaving everything as it is, when a number is not a float or an int (a ``.grad``
        set to something else by hand) or a class defines ``data`` or ``grad`` itself: the
        program then reads and writes the Values one by one, as it always could.
        """
        global _binds
        with _lock:
            others = {s for s in map(_class_store, set(map(type, values))) if s is not None and s.bound}
            for s in others:
                s.unbind()
            if others:  # keep the others' parameters together with ours: no unbinding back and forth
                seen = set(map(id, values))
                values = values + [p for s in others for p in s.values if id(p) not in seen]
            data, grad = list(map(_attr_data, values)), list(map(_attr_grad, values))
            if not set(map(type, data)) | set(map(type, grad)) <= {float, int}:
                return None
            store = cls(values, np.array(data, dtype=float), np.array(grad, dtype=float))
            if None in [store._bound_class(c) for c in set(map(type, values))]:
                return None
            classes = store.classes
            for p in values:
                p.__class__ = classes[type(p)]
            store.bound = True
            _binds += 1
            return store

    def _bound_class(self, plain: type) -> type | None:
        """The subclass of ``plain`` that reads and writes through this store; None if ``plain`` cannot have one."""
        if any("data" in k.__dict__ or "grad" in k.__dict__ for k in plain.__mro__ if k is not Value):
            return None
        store = self

        def reader(numbers: str, slot: Any) -> Callable[[Value], float]:
            def read(p: Value) -> float:
                if store.reads < _READS:
                    store.reads += 1
                    return float(getattr(store, numbers)[store.order[np.searchsorted(store.ids, id(p))]])
                store.unbind()
                return cast(float, slot.__get__(p))
            return read

        def writer(slot: Any) -> Callable[[Value, Any], None]:
            def write(p: Value, value: Any) -> None:
                store.unbind()
                slot.__set__(p, value)
            return write

        def reduce_ex(p: Value, protocol: Any) -> Any:  # copy, deepcopy and pickle see an ordinary Value
            store.unbind()
            return p.__reduce_ex__(protocol)

        namespace = {"__slots__": (), "__module__": plain.__module__, "__qualname__": plain.__qualname__,
                     "__doc__": plain.__doc__, "data": property(reader("data", _DATA), writer(_DATA)),
                     "grad": property(reader("grad", _GRAD), writer(_GRAD)), "__reduce_ex__": reduce_ex,
                     "_trace_store": self}
        try:
            self.classes[plain] = bound = type(plain.__name__, (plain,), namespace)
        except TypeError:  # a metaclass or __init_subclass__ that will not have it
            return None
        return bound

    def unbind(self) -> None:
        """Put every number back into its Value, then every Value back into its own class."""
        with _lock:
            if not self.bound:
                return
            self.bound = False
            values = self.values
            deque(map(_DATA.__set__, values, self.data.tolist()), 0)  # a loop in C
            deque(map(_GRAD.__set__, values, self.grad.tolist()), 0)
            if len(self.classes) == 1:
                own = next(iter(self.classes))
                for p in values:
                    p.__class__ = own
            else:
                plain = {bound: own for own, bound in self.classes.items()}
                for p in values:
                    p.__class__ = plain[type(p)]

    def positions(self, values: Sequence[Value]) -> slice | np.ndarray | None:
        """Where ``values`` are in the arrays (a slice when they are in order); None unless all are bound here.

        The answer for the last list asked about is kept: ``Module.zero_grad`` asks about a new
        list of the same parameters at every step.
        """
        if not self.bound:
            return None
        ids = np.fromiter(map(id, values), dtype=np.int64, count=len(values))
        if self.last is not None and np.array_equal(self.last[0], ids):  # the same Values (ids of live objects)
            return self.last[1]
        if not set(map(type, values)) <= set(self.classes.values()):
            return None
        index = _index(self.order[np.searchsorted(self.ids, ids)])
        self.last = (ids, index)
        return index

    # -- what SGD and zero_grad do, on the arrays ---------------------------------------------------

    def zero_grad(self, where: slice | np.ndarray) -> None:
        self.grad[where] = 0.0

    def sgd_step(self, where: slice | np.ndarray, lr: float, momentum: float, weight_decay: float,
                 velocity: Any) -> Any:
        """`SGD.step` on the arrays, the same arithmetic in the same order; returns the new velocity.

        A gradient that is not finite is refused before any parameter moves, as by `SGD.step`.
        """
        g = self.grad[where]
        if not _all_finite(g):
            k = int(np.flatnonzero(~np.isfinite(g))[0])
            p = self.values[int(np.arange(len(self.values))[where][k])]
            raise _diverged(p, g[k])
        if weight_decay:
            g = g + weight_decay * self.data[where]
        if momentum:
            velocity = momentum * np.asarray(velocity, dtype=float) + g
            g = velocity
        self.data[where] -= lr * g
        self.reads = 0
        return velocity


def _class_store(cls: type) -> _Store | None:
    """The store whose bound class ``cls`` is, if it is one."""
    store: _Store | None = cls.__dict__.get("_trace_store")
    return store


def _store_of(p: Value) -> _Store | None:
    """The store ``p`` is bound to, if any."""
    store = _class_store(type(p))
    return store if store is not None and store.bound else None


_attr_data, _attr_grad = attrgetter("data"), attrgetter("grad")


class _Where:
    """Where a list of Values is: the store that holds them all and their positions, or no store."""

    __slots__ = ("store", "index", "binds")

    def __init__(self, store: _Store | None, index: slice | np.ndarray | None) -> None:
        self.store, self.index, self.binds = store, index, _binds


def _locate(values: Sequence[Value], known: _Where | None) -> _Where:
    """Find ``values`` in a bound store; ``known``, the answer of last time, is reused while it holds.

    A store never changes its Values while bound, so "all in store S" holds while S is bound;
    "not all in one store" holds until something is bound again.
    """
    if known is not None and (known.store.bound if known.store is not None else known.binds == _binds):
        return known
    store = _store_of(values[0]) if values else None
    index = store.positions(values) if store is not None else None
    return _Where(store if index is not None else None, index)


# ------------------------------------------------------------------------------------- the program


class TracedProgram:
    """A traced function, run on batches with numpy. Made by `trace`; see there."""

    def __init__(self, fn: Callable[..., Any], shapes: tuple[tuple[int, ...], ...], names: list[str],
                 graph: _Graph, outputs: list[int], check: bool | int) -> None:
        if isinstance(check, bool) or not isinstance(check, int):
            check = 3 if check is True else 0 if check is False else -1
        if check < 0:
            raise ValueError("check must be True, False or a number of samples >= 0")
        self._fn, self._shapes, self._names, self._outputs, self._check_count = fn, shapes, names, outputs, check
        self._signature = _signature(graph) if check else []  # what `check` compares samples with
        self._n_nodes = len(graph)
        self._kernels, steps, where, leaves, self._n_rows, n_slots = _build(graph)
        self.steps: tuple[Step, ...] = tuple(steps)
        self._leaves = [graph.leaves[i] for i in (leaves - graph.n).tolist()]
        self._out_where = [(int(graph.bank[i]), int(where[i])) for i in outputs]
        self._S = np.zeros(n_slots)
        self._where: _Where | None = None  # where the parameters' numbers are while they train
        self._buffers: list[np.ndarray | None] = [None, None, None]
        for i, n in enumerate(graph.nodes):
            if n.op == "const":
                self._S[where[i]] = n.value
        self._guarded = [k for k in self._kernels if isinstance(k, _Elementwise) and k.guarded]
        self._zero = _plan_writes(self._kernels, [n_slots, self._n_rows], self._out_where[0])
        self._self_check(graph, where)

    def _self_check(self, graph: _Graph, where: np.ndarray) -> None:
        """Every step, fed the engine's own operand values, must give the engine's results.

        This guards the tracer against an engine whose ops changed meaning. Tolerance:
        1e-12 relative to the result, or to the sum of |terms| for a sum, since matmul
        and reduceat add up in another order than the engine; 1e-300 absolute, for an
        ulp of difference between libm and numpy among subnormal numbers.
        """
        env = [self._S.copy(), np.zeros((self._n_rows, 1))] + [np.zeros((s, 1)) for s in map(math.prod, self._shapes)]
        for i, n in enumerate(graph.nodes):
            if n.op != "const":
                env[n.bank][where[i]] = n.value.data
        env[SHARED][where[graph.n:]] = np.fromiter(map(_attr_data, graph.leaves), dtype=float, count=len(graph.leaves))
        for kernel, step in zip(self._kernels, self.steps):
            got = [a.copy() for a in env]
            kernel.forward(got)
            size = [np.abs(a) for a in env]
            if isinstance(kernel, _Linear):
                kernel.forward(size)
            else:
                size[kernel.bank][kernel.out] = 0.0
            want, got, size = (a[kernel.bank][kernel.out].ravel() for a in (env, got, size))
            with np.errstate(all="ignore"):
                bad = np.flatnonzero(~(np.abs(got - want) <= 1e-12 * (np.abs(want) + size) + 1e-300))
            if len(bad):
                j = int(bad[0])
                raise TraceError(f"the traced {step.op!r} step gives {got[j]!r} where the engine computed "
                                 f"{want[j]!r} (node {step.nodes[j]!r}); has the engine's op changed meaning?")

    def parameters(self) -> list[Value]:
        """The leaves the program reads at each call and adds gradients to, in slot order.

        These are the model's parameters, plus any Value the function made itself.
        """
        return list(self._leaves)

    # -- running -------------------------------------------------------------------------------------

    def _env(self, arrays: tuple[Any, ...]) -> list[np.ndarray]:
        """Check a batch; return the banks, inputs as (features, batch) views of the caller's arrays."""
        if len(arrays) != len(self._shapes):
            raise TypeError(f"this program takes {len(self._shapes)} batch array(s) ({', '.join(self._names)}), "
                            f"got {len(arrays)}")
        inputs: list[np.ndarray] = []
        size: int | None = None
        for a, shape, name in zip(arrays, self._shapes, self._names):
            a = _numbers(a, name)
            if a.shape[1:] != shape or a.ndim != len(shape) + 1:
                raise ValueError(f"{name} must have shape (batch,) + {shape}, got {a.shape}")
            if size is None:
                size = len(a)
            elif len(a) != size:
                raise ValueError(f"the arrays need the same batch size: {self._names[0]} has {size}, {name} {len(a)}")
            if not size:
                raise ValueError("the batch is empty")
            if not _all_finite(a):
                raise ValueError(f"{name} holds NaN or infinity")
            inputs.append(a.reshape(len(a), -1).T)
        assert size is not None  # a program takes one array at least
        S = self._S
        where = self._bind()
        if where.store is None:
            S[: len(self._leaves)] = [p.data for p in self._leaves]
        else:
            S[: len(self._leaves)] = where.store.data[where.index]
            where.store.reads = 0  # a new step: reads since the last one are not eager code walking the model
        return [S, self._buffer(0, (self._n_rows, size)), *inputs]

    def _buffer(self, which: int, shape: tuple[int, ...]) -> np.ndarray:
        """Work array ``which`` (0: values, 1: gradients, 2: shared gradients), kept from the last call.

        A fresh array of megabytes at every step costs page faults that show in a step's
        time; arrays larger than `_KEEP` bytes are not kept, so memory does not stay held.
        """
        b = self._buffers[which]
        if b is None or b.shape != shape:
            b = np.empty(shape)
            self._buffers[which] = b if b.nbytes <= _KEEP else None
        return b

    def _bind(self) -> _Where:
        """The store holding the parameters, binding them to one if none holds them all.

        A bind that failed is not tried again while its answer holds (`_locate`): it would fail the same way.
        """
        known = self._where
        where = self._where = _locate(self._leaves, known)
        if where.store is None and self._leaves and where is not known:
            store = _Store.bind(self._leaves)
            if store is not None:  # it holds our parameters first, in our order
                where = self._where = _Where(store, slice(0, len(self._leaves)))
        return where

    def _run(self, arrays: tuple[Any, ...]) -> tuple[list[np.ndarray], np.ndarray]:
        """The forward pass: (banks, outputs). Callers run it under ``np.errstate(all="ignore")``: errors
        are found here and reported as the engine's, with the op."""
        env = self._env(arrays)
        for kernel in self._kernels:
            kernel.forward(env)
        # Every value the engine would compute is in the banks: where one is inf or NaN, or an op is
        # out of its domain with a finite result, the engine raises. A finite sum shows there is no
        # inf or NaN in one cheap pass.
        suspect = not math.isfinite(_sum(env[ROWS], axis=None) + _sum(env[SHARED], axis=None))
        if self._guarded and not suspect:
            suspect = any(k.out_of_domain(env).any() for k in self._guarded)
        if suspect:
            error = self._engine_error(env)
            if error is not None:
                raise error
        size = env[ROWS].shape[1]
        cols = [env[bank][w] if bank else np.full(size, env[SHARED][w]) for bank, w in self._out_where]
        out = cols[0].copy() if len(cols) == 1 else np.stack(cols, axis=1)
        return env, out  # finite: outputs come from checked banks or checked inputs

    def __call__(self, *arrays: Any) -> np.ndarray:
        """Evaluate a batch: one array per argument of the traced function, batch axis first.

        Returns the outputs per sample: shape (batch,) for one output, (batch, n) for n.
        Where the eager engine would raise on a sample (``sqrt(0)``, ``log(-1)``, an
        overflow), raises the same error type, naming the op and the sample.
        """
        with np.errstate(all="ignore"):
            env, out = self._run(arrays)
        self._check(env, out)
        return out

    def backward(self, *arrays: Any, reduction: str = "mean") -> np.ndarray:
        """Forward and backward on a batch; **adds** d(loss)/d(p) to each parameter's ``.grad``.

        The loss is the mean (``reduction='mean'``) or the sum (``'sum'``) over the
        batch of the function's output (its first output, if it returns a list; the
        others, such as a prediction to measure accuracy, are only returned). The
        gradients are those of building each sample's graph eagerly, adding the
        losses with `Value.sum` (dividing by the batch size for the mean) and
        calling ``backward()``. As there, gradients accumulate: zero them between
        steps. Returns the per-sample outputs, like calling the program.
        """
        if reduction not in ("mean", "sum"):
            raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r}")
        with np.errstate(all="ignore"):
            env, out = self._run(arrays)
            size = env[ROWS].shape[1]
            genv = [self._buffer(2, env[SHARED].shape), self._buffer(1, env[ROWS].shape)]
            for g, zero in zip(genv, self._zero):
                if zero is not None:
                    g[zero] = 0.0  # where no step writes the whole gradient (see _plan_writes)
            seed = 1.0 / size if reduction == "mean" else 1.0
            bank, w = self._out_where[0]
            if bank == SHARED:  # an output that does not depend on the inputs counts once per sample
                genv[SHARED][w] = seed * size
            elif bank == ROWS:
                genv[ROWS][w] = seed
            for kernel in reversed(self._kernels):
                if kernel.grad:
                    kernel.backward(env, genv)
        grads = genv[SHARED][: len(self._leaves)]
        if not _all_finite(grads):
            p = self._leaves[int(np.flatnonzero(~np.isfinite(grads))[0])]
            raise OverflowError(f"the gradient of {p!r} is not finite: a product of large local derivatives "
                                "overflowed, as the eager engine's backward() says too; rescale the loss or the inputs")
        self._check(env, out)  # before any gradient is added: a refused batch changes nothing
        where = self._where
        if where is not None and where.store is not None and where.store.bound:
            where.store.grad[where.index] += grads
        else:
            for p, g in zip(self._leaves, grads.tolist()):
                p.grad += g
        return out

    # -- honest limits -------------------------------------------------------------------------------

    def _engine_error(self, env: list[np.ndarray]) -> Exception | None:
        """The error the eager engine raises on this batch, naming the op and the sample; None if none.

        Steps are searched in order, so the first bad one has good operands, and its
        op is rerun on them with the engine, which gives the engine's own exception.
        """
        with np.errstate(all="ignore"):
            for kernel, step in zip(self._kernels, self.steps):
                values = _2d(env[kernel.bank][kernel.out])
                bad = ~np.isfinite(values)
                elementwise = kernel if isinstance(kernel, _Elementwise) else None
                if elementwise is not None and elementwise.guarded:
                    bad = bad | elementwise.out_of_domain(env)
                for k, j in np.argwhere(bad).tolist():
                    node = step.nodes[k]
                    op = node._op or step.op
                    error = _rerun(elementwise, env, k, j) if elementwise is not None else None
                    if error is None:
                        value = float(values[k, j])
                        if math.isfinite(value):
                            continue  # the engine computes this one without complaint
                        # a sum that overflowed: the engine's rule for a result that is not finite
                        error = (ValueError if value != value else OverflowError)(f"{op!r} gave {value}")
                    where = f"at sample {j}" if kernel.bank == ROWS else "on the parameters alone (every sample)"
                    return type(error)(f"{op!r} {where}: {error} (the node traced as {node!r})")
        return None

    def _check(self, env: list[np.ndarray], out: np.ndarray) -> None:
        """With ``check``: rebuild a few samples eagerly; their graphs and outputs must match the trace."""
        if not self._check_count:
            return
        size = len(out)
        for j in np.unique(np.linspace(0, size - 1, self._check_count).round().astype(int)).tolist():
            sample = [env[ROWS + 1 + k][:, j].reshape(shape) for k, shape in enumerate(self._shapes)]
            outputs, placeholders = _record(self._fn, self._shapes, self._names, sample)
            graph, out_ids = _walk(outputs, placeholders)
            signature = _signature(graph)
            k = _first_difference(self._signature, signature)
            if k is None and out_ids != self._outputs:
                k = len(graph)
            if k is not None:
                here = f"{graph.node(k).op!r} ({graph.node(k).value!r})" if k < len(graph) else "missing"
                there = repr(self._signature[k][0]) if k < len(self._signature) else "nothing"
                raise TraceError(
                    f"sample {j} takes another path than the traced one: its node {k} is {here}, the trace has "
                    f"{there}. A trace records one path, so Python `if`s on .data, float(v) or Value(v.data) "
                    "that differ between samples cannot be batched: use ops (relu, abs, ...) instead of "
                    "branches, or run this function eagerly"
                )
            eager = np.array([o.data for o in outputs])
            # Loose on purpose: the graphs already match; this only catches a gross numeric difference.
            if not np.allclose(np.atleast_1d(out[j]), eager, rtol=1e-9, atol=1e-12 * float(np.abs(out).max())):
                raise TraceError(f"sample {j}: traced outputs {out[j]} differ from the eager engine's {eager}")

    # -- display -------------------------------------------------------------------------------------

    def __repr__(self) -> str:
        args = ", ".join(f"{n}: {s}" for n, s in zip(self._names, self._shapes))
        return (f"TracedProgram({args}; {self._n_nodes} nodes, {len(self._leaves)} parameters, "
                f"{len(self.steps)} steps, {len(self._outputs)} output{'s' * (len(self._outputs) > 1)})")

    def __str__(self) -> str:
        """The schedule: one line per numpy step."""
        lines = [repr(self), "level  op      nodes  per     numpy"]
        for s in self.steps:
            lines.append(f"{s.level:>5}  {s.op:<7}{len(s.nodes):>6}  {'sample' if s.batched else 'call':<8}{s.numpy}")
        return "\n".join(lines)


# ------------------------------------------------------------------------------------- trace()


def _shape(s: Any) -> tuple[int, ...]:
    if isinstance(s, (int, np.integer)) and not isinstance(s, bool):
        s = (int(s),)
    if not isinstance(s, tuple) or any(isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1 for d in s):
        raise ValueError(f"a shape is an int n (a list of n Values) or a tuple, () for a single Value; got {s!r}")
    return tuple(int(d) for d in s)


def _names(fn: Callable[..., Any], count: int) -> list[str]:
    """The function's own argument names (for labels and messages), else arg0, arg1, ..."""
    try:
        params = [p.name for p in inspect.signature(fn).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    return params[:count] if len(params) >= count else [f"arg{i}" for i in range(count)]


def trace(fn: Callable[..., Value | Sequence[Value]], *shapes: Shape, example: Sequence[Any] | None = None,
          check: bool | int = False) -> TracedProgram:
    """Trace ``fn`` once on placeholder Values; return a program that runs it on batches with numpy.

    ``fn`` takes one argument per shape and returns a `Value` (say, one sample's
    loss) or a list of Values. A shape is that of one sample of the argument, as
    numpy writes it: ``2`` or ``(2,)`` for a list of two Values, ``()`` for a
    single Value, ``(3, 4)`` for nested lists. Values that ``fn`` uses but does not
    receive (a model's parameters) are shared by the whole batch: the program
    reads their ``.data`` at every call and adds into their ``.grad``, so `SGD`
    and ``zero_grad()`` work unchanged.

    ``example``: one sample per argument to trace on. By default every input is
    1.0, or 0.0 if the function raises at 1.0 (a wide layer adds up hundreds of
    weights, and exp of that overflows); give one when neither is in the
    function's domain. ``check=True`` (or a
    number of samples; True means 3) rebuilds that many samples of every batch
    eagerly and raises `TraceError` if one takes another path: a trace records a
    single path, so code that branches on ``.data`` cannot be batched.

    >>> program = trace(lambda x: (x * 3 + 1).relu(), ())
    >>> program([-1.0, 0.5, 2.0])
    array([0. , 2.5, 7. ])
    """
    if not callable(fn):
        raise TypeError(f"trace needs a function of Values, got {type(fn).__name__}")
    if not shapes:
        raise TypeError("give the shape of one sample of each argument, e.g. trace(fn, 2, ()) for fn(x, y) "
                        "with x a list of two Values and y one Value")
    sample_shapes = tuple(_shape(s) for s in shapes)
    names = _names(fn, len(shapes))
    if example is None:
        sample = [np.ones(s) for s in sample_shapes]
    else:
        if len(example) != len(shapes):
            raise ValueError(f"example needs one sample per argument ({len(shapes)}), got {len(example)}")
        sample = [_numbers(e, f"example for {name}") for e, name in zip(example, names)]
        for e, s, name in zip(sample, sample_shapes, names):
            if e.shape != s:
                raise ValueError(f"example for {name} must have shape {s}, got {e.shape}")
    if not is_grad_enabled():
        raise TraceError("trace() was called inside no_grad(): there is no graph to trace")
    # The function runs in the try, its result is checked after it: what it returns does not
    # depend on the placeholders' numbers, so the note about them would mislead.
    try:
        result, placeholders = _call(fn, sample_shapes, names, sample)
    except (ArithmeticError, ValueError) as e:
        # Every input 1.0 can overflow a model whose real inputs are fine (a wide layer adds up
        # hundreds of weights, the next multiplies that, then exp); all 0.0 keeps such sums at
        # the biases. The graph is the same whatever the numbers, unless code branches on them.
        if example is not None:
            raise
        try:
            result, placeholders = _call(fn, sample_shapes, names, [np.zeros(s) for s in sample_shapes])
        except (ArithmeticError, ValueError):
            if hasattr(e, "add_note"):  # Python 3.11+
                e.add_note("(raised while tracing on placeholder inputs, every one 1.0, and again with every one "
                           "0.0; pass example=... to trace() to trace on values inside the function's domain)")
            raise e from None
    except Exception as e:
        if hasattr(e, "add_note"):
            e.add_note("(raised while tracing on placeholder inputs; pass example=... to trace() "
                       "to trace on values inside the function's domain)")
        raise
    graph, out_ids = _walk(_outputs(result), placeholders)
    return TracedProgram(fn, sample_shapes, names, graph, out_ids, check)


class _CallableModule(types.ModuleType):
    """This module, callable: ``micrograd.trace(fn, ...)`` is `trace`, and ``import micrograd.trace`` the module."""

    def __call__(self, fn: Callable[..., Value | Sequence[Value]], *shapes: Shape, example: Sequence[Any] | None = None,
                 check: bool | int = False) -> TracedProgram:
        return trace(fn, *shapes, example=example, check=check)


# The package exports this module under the name of its main function, so that both
# `from micrograd import trace; trace(fn, 2)` and `import micrograd.trace as t` work.
sys.modules[__name__].__class__ = _CallableModule
