"""`play` and `Player`: the steps of forward and backward on a graph, and what the player says at each."""

from __future__ import annotations

import math
import numbers
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from micrograd import neurons
from micrograd.engine import Value
from micrograd.player import walks
from micrograd.player.text import display_names, factor, forward_text, grad_of, local_text, num, wrap
from micrograd.player.walks import Graph, Move, Walk

__all__ = ["play", "Player", "Step", "HandCheck", "FirstWrong", "GraphTooLarge", "MODES", "COLLAPSE_ABOVE",
           "MAX_BOXES", "MAX_STEPS"]

#: the walks the player can replay: backward()'s own, and the two classic mistakes next to it
MODES = ("correct", "naive", "assign")
MODE_NAMES = {
    "correct": "Value.backward()",
    "naive": "naive recursion",
    "assign": "= instead of +=",
}
# how the summary names each mistaken walk
_WALKS = {"naive": "The naive recursion", "assign": "The walk with ="}
#: graphs with more Values than this are drawn with neurons collapsed, unless told otherwise
COLLAPSE_ABOVE = 200
#: the most boxes the player draws
MAX_BOXES = 600
#: the most steps one player holds (a few hundred nodes, each edge a step)
MAX_STEPS = 6000
# check_gradients' default tolerances, used for a hand derivation given as a dict
_ATOL, _RTOL = 1e-5, 1e-3


class GraphTooLarge(ValueError):
    """The graph is too big to play; the message says how to shrink it."""


@dataclass(frozen=True)
class Step:
    """One step of the player: a forward computation, or one move of backward.

    ``kind`` is ``'forward'`` (``node`` is computed), ``'seed'`` (the output's
    gradient is set to 1), ``'turn'`` (``node``'s gradient is complete and it
    passes it on next), ``'edge'`` (``child`` receives local × ``node``'s
    gradient; ``grad`` is ``child``'s gradient after it; it moves along ``edge``, an
    index into ``graph.edges``, and ``child`` received ``amount``), ``'rest'`` (after backward()'s last move: the nodes
    it never reaches, ``complete``, keep their gradient of 0; ``node`` is the first of them) or ``'idle'``
    (this walk has finished while the other goes on). ``complete`` are the nodes whose gradient is complete
    after this step. In mode ``'naive'`` or ``'assign'``,
    ``mistake`` is the mistaken walk's step at the same point (its ``wrong`` is
    set at its first wrong gradient).
    """

    index: int
    phase: str
    kind: str
    node: Value
    child: Value | None
    grad: float | None
    complete: tuple[Value, ...]
    title: str
    lines: tuple[str, ...]
    note: str
    wrong: bool = False
    mistake: Step | None = None
    edge: int | None = None
    amount: float | None = None


@dataclass(frozen=True)
class HandCheck:
    """Your derivative for one labelled node next to the right one (the gradient ``backward()`` computes)."""

    label: str
    node: Value
    yours: float
    right: float
    ok: bool
    verdict: str


@dataclass(frozen=True)
class FirstWrong:
    """Where a mistaken walk, or a hand derivation, first gets a gradient wrong.

    ``step`` is the index of the step that shows it, ``node`` the node whose
    gradient goes wrong, ``got`` the wrong value there and ``right`` the gradient
    ``backward()`` computes; ``message`` says what was missed.
    """

    step: int
    node: Value
    got: float
    right: float
    message: str


class _Box:
    """One box of the drawing: a Value, or a whole neuron (its weighted sum, activation and own parameters)."""

    __slots__ = ("node", "members", "kind", "op", "note")

    def __init__(self, node: int, kind: str, op: str, note: str = "") -> None:
        self.node = node  # the Value whose data and gradient the box shows
        self.members = [node]  # every Value drawn as (part of) this box
        self.kind = kind
        self.op = op
        self.note = note


def _checked_root(root: object) -> Value:
    if isinstance(root, Value):
        return root
    hint = ""
    if isinstance(root, (list, tuple)):
        hint = ": a list of outputs; play one of them, or a loss made from them (micrograd.losses)"
    raise TypeError(f"play needs a Value, such as a loss, got {type(root).__name__}{hint}")


class Player:
    """The backprop player of one graph: build it with `play`, show it in Jupyter, `save` it as one HTML file.

    ``steps`` are the steps in order (forward, then backward); after the last,
    every node's gradient equals ``.grad`` after ``backward()`` from zeroed
    gradients, to the last bit (`grads`). ``hand`` compares a hand derivation
    (see `play`) and ``first_wrong`` points at the first wrong gradient of a
    mistaken walk or of the hand derivation.
    """

    def __init__(self, root: Value, *, mode: str = "correct", hand: object = None, collapse: str = "auto",
                 title: str | None = None) -> None:
        root = _checked_root(root)
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(map(repr, MODES))}, got {mode!r}")
        if collapse not in neurons.COLLAPSE:
            raise ValueError(f"collapse must be one of {', '.join(map(repr, neurons.COLLAPSE))}, got {collapse!r}")
        if hand is not None and mode != "correct":
            raise ValueError("hand= is compared with backward()'s own walk: leave mode at 'correct' to use it")
        self.root = root
        self.mode = mode
        self.graph = g = Graph(root)
        self.names = display_names(g.values)
        self.root_name = self.names[root]
        self.title = title if title is not None else self.root_name
        self._params = neurons.parameters(g.values)  # None: no neurons, so nothing to collapse
        self.collapsed = self._params is not None and (
            collapse == "neurons" or (collapse == "auto" and len(g) > COLLAPSE_ABOVE))
        self.boxes, self.box_of, self.absorbed = _boxes(g, self._params, self.collapsed)
        self._check_size(collapse)

        self.walk = walks.correct(g)
        assert self.walk.final is not None
        self._final = self.walk.final
        self.mistake_walk: Walk | None = None
        if mode == "naive":
            self.mistake_walk = walks.naive(g, self._final)
        elif mode == "assign":
            self.mistake_walk = walks.assign(g)
        self.hand = _hand_checks(hand, g, self._final, self.names) if hand is not None else None
        # why some parents pass nothing, for the notes: what makes the local derivatives of 0 backward() stops at
        self._stops = _kinds(g, _cut(g))
        self.first_wrong: FirstWrong | None = None
        self.summary = ""
        self.steps = self._forward_steps() + self._backward_steps()

    # ------------------------------------------------------------------ public

    def grads(self) -> dict[Value, float]:
        """Every node's gradient after the last step: exactly ``.grad`` after ``backward()`` from zeroed gradients."""
        return dict(zip(self.graph.values, self._final))

    def html(self) -> str:
        """The player as one self-contained HTML document (no network, no server needed)."""
        from micrograd.player.page import document

        return document(self)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the player to ``path`` (an .html file, opened by double click); returns the path."""
        path = Path(path)
        if path.suffix.lower() not in (".html", ".htm"):
            raise ValueError(f"save the player as an .html file, got {str(path)!r}")
        path.write_text(self.html(), encoding="utf-8")
        return path

    def _repr_html_(self) -> str:
        """Jupyter's inline view: the document in an iframe (its scripts run there, whatever the front end)."""
        from micrograd.player.page import inline

        return inline(self)

    def __repr__(self) -> str:
        mode = "" if self.mode == "correct" else f", mode={self.mode!r}"
        return f"<Player {self.title!r}: {len(self.graph)} values, {len(self.steps)} steps{mode}>"

    # ------------------------------------------------------------------ building

    def _check_size(self, collapse: str) -> None:
        g = self.graph
        steps = g.computed * 2 + len(g.edges) + 1
        shown = len(self.boxes)
        if shown <= MAX_BOXES and steps <= MAX_STEPS:
            return
        what = f"{len(g)} values and {len(g.edges)} edges ({steps} steps"
        what += f"; {shown} boxes with neurons collapsed)" if self.collapsed else ")"
        tips = ["play the loss of one sample, not of a whole batch (model(X[0]), not every row of X)",
                "use a smaller model (MLP(2, [4, 1]) instead of MLP(2, [16, 16, 1]))"]
        if collapse == "none" and shown > MAX_BOXES:
            tips.insert(0, "let play collapse neurons into single boxes (collapse='neurons')")
        raise GraphTooLarge(
            f"this graph is too big to step through: {what}; the player shows at most {MAX_BOXES} boxes and "
            f"{MAX_STEPS} steps. To shrink it: " + "; or ".join(tips)
            + ". micrograd.draw_dot still draws big graphs as a still picture."
        )

    def _forward_steps(self) -> list[Step]:
        steps: list[Step] = []
        for node in self.graph.values:
            if not node._prev:
                continue  # leaves are given: shown from the start
            title, lines = forward_text(node, self.names)
            note = self._forward_note(node)
            steps.append(Step(len(steps) + 1, "forward", "forward", node, None, None, (), title, tuple(lines), note))
        return steps

    def _forward_note(self, node: Value) -> str:
        kids = len(node._prev)
        inputs = {1: "its input is", 2: "both its inputs are"}.get(kids, f"all {kids} of its inputs are")
        return f"Forward pass, in topological order: {inputs} computed already, so {self.names[node]} can be."

    def _backward_steps(self) -> list[Step]:
        g = self.graph
        right = self.walk.moves
        wrong = self.mistake_walk.moves if self.mistake_walk is not None else []
        first = g.computed + 1  # the index of the first backward step
        main_texts = _Narrator(self, "correct")
        main = [main_texts.step(move, first + j) for j, move in enumerate(right)]
        if g.unreached:  # right after backward()'s own moves, so that the mistaken walk's keep their places
            main.append(self._rest_step(first + len(main)))
        side_texts = _Narrator(self, self.mode)
        side = [side_texts.step(move, first + j) for j, move in enumerate(wrong)]
        done_at = {g.index[v]: step.index for step in main for v in step.complete}
        steps = []
        for j in range(max(len(main), len(side))):
            if j < len(main):
                step = main[j]
            else:
                step = Step(first + j, "backward", "idle", self.root, None, None, (),
                            f"{MODE_NAMES['correct']} is done", (), "The other walk goes on.")
            if j < len(side):
                step = replace(step, mistake=side[j])
            steps.append(step)
        if self.mistake_walk is not None:
            self._mistake_summary(steps, first)
        if self.hand is not None:
            steps = self._hand_summary(steps, done_at, first)
        return steps

    def _rest_step(self, index: int) -> Step:
        """The step after backward()'s last move: the nodes it never reaches are complete, with gradient 0."""
        g = self.graph
        nodes = [g.values[i] for i in g.unreached]
        names = [self.names[v] for v in nodes]
        one = len(nodes) == 1
        what = "parameter" if self._params is not None and set(nodes) <= self._params else "node"
        title = f"{len(nodes)} {what}{'' if one else 's'} backward() never reaches: gradient 0"
        line = f"{_listing(names)}: gradient 0, as zero_grad() left {'it' if one else 'them'}"
        gates = {g.edges[e].parent for i in g.unreached for e in g.in_edges[i]} - set(g.unreached)
        stops = _named_stops(g, [e for d in sorted(gates) for e in g.feeding[d]], self.names)
        note = (f"Every path from {'it' if one else 'them'} to {self.root_name} passes through a local derivative "
                f"of 0: {stops}. So backward() does not walk there. That is right: a small change to "
                f"{'it' if one else 'them'} does not reach {self.root_name}.")
        return Step(index, "backward", "rest", nodes[0], None, 0.0, tuple(nodes), title, (line,), note)

    def _mistake_summary(self, steps: list[Step], first: int) -> None:
        assert self.mistake_walk is not None
        walk, g = self.mistake_walk, self.graph
        bad = walk.first_wrong
        if bad is None:
            differ = walk.final is not None and any(a != b for a, b in zip(walk.final, self._final))
            rounding = " (up to rounding in the last digit: the terms of a sum come in another order)" if differ else ""
            naive = self.mode == "naive"
            into = g.in_edges if naive else g.feeding  # the recursion walks every edge; = walks backward()'s
            reused = [self.names[v] for i, v in enumerate(g.values) if len(into[i]) > 1 and (v._prev or not naive)]
            pruned = [self.names[v] for i, v in enumerate(g.values) if len(g.in_edges[i]) > 1]
            if not reused and pruned and not naive:
                self.summary = (
                    f"= and += agree on this graph{rounding}: {_listing(pruned)} {'is' if len(pruned) == 1 else 'are'}"
                    f" used more than once, but each gets a gradient from one parent at most: the others are below "
                    f"{_below(self._stops)}, where backward() does not walk. So no gradient has two contributions "
                    "to add up. With other numbers it goes wrong (try the example reuse).")
            elif not reused:
                self.summary = (
                    f"The naive recursion gets every gradient right on this graph{rounding}: no node with inputs is "
                    "used twice, so each is visited once, after its only parent. It goes wrong where a computed "
                    "Value is used twice (the example reuse: a = Value(1); b = a + a; c = b + b)." if naive else
                    f"= and += agree on this graph{rounding}: no Value is used twice, so no gradient has anything "
                    "to add up. It goes wrong where a Value is used twice, such as the x of x * x or an input read "
                    "by two neurons.")
            else:
                lost = "passed on again or too early" if naive else "that = overwrites"
                self.summary = (
                    f"{_WALKS[self.mode]} gets every gradient right here{rounding}, by luck: {_listing(reused)} "
                    f"{'is' if len(reused) == 1 else 'are'} used more than once, but every contribution {lost} "
                    "is 0 on this graph. With other numbers it goes wrong (try the example reuse).")
            return
        assert bad.child is not None
        child = g.values[bad.child]
        step_index = first + len(walk.moves) - 1
        side = steps[step_index - first].mistake
        assert side is not None
        end = ""
        if walk.final is not None:
            leaves = [i for i, v in enumerate(g.values) if not v._prev and walk.final[i] != self._final[i]]
            wrong = [f"{grad_of(self.root_name, self.names[g.values[i]])} = {num(walk.final[i])} instead of "
                     f"{num(self._final[i])}" for i in leaves[:3]]
            if wrong:
                more = f" (and {len(leaves) - 3} more)" if len(leaves) > 3 else ""
                end = f" Run to the end, it gives {_listing(wrong)}{more}."
        elif self.mode == "naive":
            end = f" Run to the end, it would take more than {walks.NAIVE_BUDGET} moves (a visit per path)."
        message = side.note + end
        self.first_wrong = FirstWrong(step_index, child, bad.after, self._final[bad.child], message)
        self.summary = (f"{_WALKS[self.mode]} goes wrong first at step {step_index}: "
                        f"{grad_of(self.root_name, self.names[child])} becomes {num(bad.after)}, where backward() "
                        f"has {num(self._final[bad.child])}.{end}")

    def _hand_summary(self, steps: list[Step], done_at: dict[int, int], first: int) -> list[Step]:
        assert self.hand is not None
        g = self.graph
        checks = {g.index[c.node]: c for c in self.hand}
        wrong = sorted((done_at[i], i) for i, c in checks.items() if not c.ok)
        right = sum(c.ok for c in self.hand)
        self.summary = f"Your derivation: {right} of {len(self.hand)} right."
        out = []
        for step in steps:
            lines = list(step.lines)
            for v in step.complete:
                c = checks.get(g.index[v])
                if c is not None:
                    mark = "✓ right" if c.ok else f"✗ {c.verdict}"
                    lines.append(f"yours: {grad_of(self.root_name, c.label)} = {num(c.yours)}   {mark}")
            out.append(replace(step, lines=tuple(lines)))
        if not wrong:
            return out
        at, i = wrong[0]
        c = checks[i]
        which = (f"backward reaches is {c.label}" if i not in g.unreached else
                 f"is {c.label}, one backward() never reaches")
        message = (f"The first wrong gradient {which}: yours is {num(c.yours)}, the right one {num(c.right)} "
                   f"({c.verdict}). This is where your chain rule went astray.")
        hint = self._hand_hint(i, checks)
        if hint:
            message += " " + hint
        self.first_wrong = FirstWrong(at, c.node, c.yours, c.right, message)
        self.summary += f" First wrong: {c.label} (step {at})."
        out[at - first] = replace(out[at - first], wrong=True, note=message + " " + out[at - first].note)
        return out

    def _hand_hint(self, i: int, checks: dict[int, HandCheck]) -> str:
        """Where the slip is, when the derivatives of the first wrong node's parents were given and are right."""
        g = self.graph
        into = g.in_edges[i]
        if len(into) != 1 or g.edges[into[0]].parent not in checks:
            return ""
        edge = g.edges[into[0]]
        given = [checks[edge.parent]]
        if not given[0].ok:
            return ""
        if not g.feeding[i]:  # its only parent passes nothing: its gradient is 0
            return (f"Your gradient of {given[0].label} is right, and it passes nothing on: it is below "
                    f"{_below(self._stops)}, where backward() does not walk. So {checks[i].label}'s is 0 too.")
        parent = g.values[edge.parent]
        local = local_text(parent, edge.slot, self.names)
        value = num(edge.local)
        formula = f"is {value}" if local == value else f"{local} = {value}"
        return (f"Your gradient of {given[0].label} is right, so the slip is in the step from it to "
                f"{checks[i].label}: the local derivative {formula}.")


class _Narrator:
    """Says what each move of one walk does, keeping count of what every node has received so far.

    A node's gradient is the sum of what its parents pass on. PR #64's recursion walks every edge, so in mode
    ``'naive'`` that is all of them; backward()'s order (modes ``'correct'`` and ``'assign'``) does not walk
    below a local derivative of 0, and counts only the parents it walks (`Graph.feeding`): the others pass
    nothing.
    """

    def __init__(self, player: Player, mode: str) -> None:
        self.p = player
        self.mode = mode
        g = player.graph
        self.into = g.in_edges if mode == "naive" else g.feeding
        self.walked = set(range(len(g))) if mode == "naive" else set(g.backward)
        self.received = [0] * len(g)
        self.heard: list[set[int]] = [set() for _ in g.values]
        self.passing: dict[int, float] = {}  # the gradient each node passes on, as read at its latest turn

    def _d(self, node: int) -> str:
        return grad_of(self.p.root_name, self.p.names[self.p.graph.values[node]])

    def step(self, move: Move, index: int) -> Step:
        p, g = self.p, self.p.graph
        node = g.values[move.node]
        name = p.names[node]
        if move.kind == "seed":
            complete = (node,) if self.mode == "correct" else ()
            return Step(index, "backward", "seed", node, node, move.after, complete, f"{self._d(move.node)} = 1",
                        (f"backward() starts at the output: d{name}/d{name} = 1",),
                        "Every other gradient starts at 0 (as after zero_grad()) and becomes the sum of what its "
                        "parents pass on, one edge at a time, in reverse topological order.")
        if move.kind == "turn":
            return self._turn(move, index, node, name)
        return self._edge(move, index, node)

    def _parents(self, i: int) -> list[str]:
        g = self.p.graph
        return [self.p.names[g.values[g.edges[e].parent]] for e in self.into[i]]

    def _silent(self, i: int) -> list[str]:
        """The parents of node ``i`` that pass nothing: backward() does not walk them (none in mode 'naive')."""
        g = self.p.graph
        fed = set(self.into[i])
        return [self.p.names[g.values[g.edges[e].parent]] for e in g.in_edges[i] if e not in fed]

    def _turn(self, move: Move, index: int, node: Value, name: str) -> Step:
        g = self.p.graph
        i = move.node
        self.passing[i] = move.after
        parents = self._parents(i)
        silent = self._silent(i)
        passing = " that pass a gradient on" if silent else ""
        kids = len(g.out_edges[i])
        title = f"{name}'s turn: {self._d(i)} = {num(move.after)}"
        if move.visit > 1:
            title = f"{name}'s turn again (visit {move.visit}): {self._d(i)} = {num(move.after)}"
        if not parents:
            why = f"complete: {name} is the output"
        elif len(self.heard[i]) < len(parents):
            missing = [parents[k] for k, e in enumerate(self.into[i]) if e not in self.heard[i]]
            why = (f"⚠ not complete: {name} has heard from {len(self.heard[i])} of its {len(parents)} parents "
                   f"(still to come: {_listing(missing)})")
        elif len(parents) == 1:
            only = "only parent" if not silent else "one parent that passes a gradient on"
            why = f"complete: its {only}, {parents[0]}, has passed its share on"
        elif len(parents) == 2:
            both = f"{parents[0]}, twice" if parents[0] == parents[1] else f"{parents[0]} and {parents[1]}"
            why = f"complete: both its parents{passing} ({both}) have passed theirs on"
        else:
            why = f"complete: all {len(parents)} of its parents{passing} have passed theirs on"
        if silent and parents:
            why += f"; {_pass_nothing(silent)}"
        inputs = "its input receives" if kids == 1 else f"each of its {kids} inputs receives"
        note = f"Now {name} passes its gradient on: {inputs} local derivative × {num(move.after)}."
        if self.mode == "naive" and move.visit > 1:
            note = (f"The recursive walk reached {name} again: it visits a node once for each use, "
                    f"not once in all. " + note)
        return Step(index, "backward", "turn", node, None, move.after, (), title, (why,), note)

    def _edge(self, move: Move, index: int, node: Value) -> Step:
        p, g = self.p, self.p.graph
        assert move.edge is not None and move.child is not None
        edge = g.edges[move.edge]
        c = move.child
        child = g.values[c]
        cname = p.names[child]
        local = local_text(node, edge.slot, p.names)
        sign = "=" if self.mode == "assign" else "+="
        title = f"{self._d(c)} {sign} {self._d(move.node)} · {wrap(local)}"
        lines = [f"= {factor(self.passing[move.node])} · {factor(edge.local)} = {num(move.amount)}"]
        self.received[c] += 1
        first_time = move.edge not in self.heard[c]
        self.heard[c].add(move.edge)
        needs = len(self.into[c])
        silent = self._silent(c)
        complete: tuple[Value, ...] = ()
        if self.mode != "assign" and needs > 1 or self.received[c] > 1:
            if self.mode == "assign":
                lines.append(f"{self._d(c)} = {num(move.after)}   (it had {num(move.before)})")
            else:
                count = (f"{self.received[c]} of {needs} parents" if self.received[c] <= needs
                         else f"contribution {self.received[c]}, for {needs} parents")
                if silent:
                    count += f"; {_pass_nothing(silent)}"
                lines.append(f"{self._d(c)} = {num(move.before)} + {factor(move.amount)} = {num(move.after)}   "
                             f"({count})")
        if move.wrong:
            should = (num(move.before + move.amount) if self.mode == "assign" else num(p._final[c]))
            lines.append(f"✗ backward() has {self._d(c)} = {should}" if self.mode != "assign"
                         else f"✗ += gives {num(move.before)} + {factor(move.amount)} = {should}")
        done = len(self.heard[c]) == needs and first_time
        if self.mode == "correct" and done:
            complete = (child,)
        if done and child._prev and c not in self.walked and not move.wrong:
            lines.append(f"backward() stops here: nothing flows below {cname}")
        if move.wrong:
            note = self._what_went_wrong(move, edge, cname)
        elif done:
            note = self._completed(c, cname, needs, silent)
        else:
            missing = [pn for pn, e in zip(self._parents(c), self.into[c]) if e not in self.heard[c]]
            note = f"{cname} waits for {len(missing)} more: {_listing(missing)}." if missing else ""
            if missing and silent:
                why = "each feeds a ReLU that is off" if self._off_above(c) else "below a local derivative of 0"
                note = f"{note[:-1]}; {_pass_nothing(silent)} ({why})."
        return Step(index, "backward", "edge", node, child, move.after, complete, title, tuple(lines), note,
                    wrong=move.wrong, edge=move.edge, amount=move.amount)

    def _off_above(self, c: int) -> list[str]:
        """The ReLUs that are off that node ``c``'s silent parents feed, if each feeds such a ReLU ([] if not)."""
        g = self.p.graph
        fed = set(self.into[c])
        relus: list[str] = []
        for e in g.in_edges[c]:
            if e in fed:
                continue
            above = [g.values[g.edges[f].parent] for f in g.feeding[g.edges[e].parent]]
            if not above or any(v._op != "relu" for v in above):
                return []
            relus += (self.p.names[v] for v in above)
        return list(dict.fromkeys(relus))

    def _completed(self, c: int, cname: str, needs: int, silent: list[str]) -> str:
        """The note when node ``c`` has heard from every parent that passes a gradient on."""
        g = self.p.graph
        child = g.values[c]
        heard = "all its parents"
        if silent:
            heard = {1: "its one parent that passes a gradient on", 2: "both parents that pass a gradient on"}.get(
                needs, f"all {needs} parents that pass a gradient on")
        note = f"{cname} has heard from {heard}: its gradient is complete."
        if silent:
            one = len(silent) == 1
            relus = self._off_above(c)
            if relus:
                note += (f" The other {f'one, {silent[0]}, passes' if one else f'{len(silent)} pass'} nothing: "
                         f"{'it feeds' if one else 'each feeds'} a ReLU that is off ({_listing(relus)}), and "
                         "backward() does not walk below a local derivative of 0.")
            else:
                note += (f" The other {'one' if one else len(silent)} ({_listing(silent)}) pass{'es' if one else ''} "
                         f"nothing: {'it is' if one else 'they are'} below {_below(self.p._stops)}, where backward() "
                         "does not walk.")
        if not child._prev:
            return note + f" {cname} is a leaf: this is its .grad."
        if c in self.walked:
            return note + " It passes it on in its turn."
        fed = self.into[c]
        parents = [g.values[g.edges[e].parent] for e in fed]
        local = local_text(parents[0], g.edges[fed[0]].slot, self.p.names) if len(fed) == 1 else ""
        if len(parents) == 1 and parents[0]._op == "relu":
            why = (f"{cname} = {num(child.data)} is not above 0, so the ReLU {self.p.names[parents[0]]} is off "
                   "and its local derivative is 0")
        elif parents[0]._op in ("*", "dot") and local and local != num(0.0):  # a factor that is 0, by name
            why = f"the local derivative from {self.p.names[parents[0]]}, {local}, is 0"
        else:
            one, kinds = len(fed) == 1, _kinds(g, fed)
            why = (f"the local derivative{'' if one else 's'} from {_listing([self.p.names[v] for v in parents])} "
                   f"{'is' if one else 'are'} 0{f' ({kinds})' if kinds else ''}")
        return note + (f" It is 0: {why}. So backward() does not walk below {cname}: it takes no turn, and its "
                       "inputs get nothing from it.")

    def _what_went_wrong(self, move: Move, edge: walks.Edge, cname: str) -> str:
        p, g = self.p, self.p.graph
        pname = p.names[g.values[move.node]]
        right = p._final
        assert move.child is not None
        if move.why == "again":
            return (f"✗ {pname} passes its gradient on a second time: {cname} gets it once more. {self._d(move.child)} "
                    f"is now {num(move.after)}, but backward() gives {num(right[move.child])}. What was missed: a "
                    f"node must pass its gradient on once, after all its parents have passed theirs on; the reverse "
                    f"topological order does both.")
        if move.why == "early":
            i = move.node
            missing = [self._parents(i)[k] for k, e in enumerate(self.into[i]) if e not in self.heard[i]]
            return (f"✗ {pname}'s gradient is passed on before it is complete: {pname} has heard from "
                    f"{len(self.heard[i])} of its {len(self.into[i])} parents (still to come: {_listing(missing)}), "
                    f"so {cname} receives {num(move.amount)} instead of {num(edge.local * right[i])}. What was "
                    f"missed: a node may pass its gradient on only once all its parents have passed theirs on; the "
                    f"reverse topological order makes sure of that.")
        return (f"✗ = replaced the {num(move.before)} that {cname} already had; += would give {num(move.before)} + "
                f"{factor(move.amount)} = {num(move.before + move.amount)}. What was missed: a Value used more than "
                f"once gets one contribution per use, and they add up.")


def _pass_nothing(silent: list[str]) -> str:
    """``'the other 7 pass nothing'`` (``'x·w passes nothing'`` if one): the parents backward() does not walk."""
    return f"{silent[0]} passes nothing" if len(silent) == 1 else f"the other {len(silent)} pass nothing"


def _cut(g: Graph) -> list[int]:
    """The edges backward() stops at: from a node it walks to one with children that it does not walk.

    Their local derivative is 0, so the child's gradient is 0 and backward() goes no further down that way.
    """
    walked = set(g.backward)
    return [e for p in g.backward for e in g.out_edges[p]
            if g.edges[e].child not in walked and g.values[g.edges[e].child]._prev]


# what makes a local derivative 0, by the op of the node it is in: a ReLU whose input is not above 0, a product with 0
_ZERO_BECAUSE = {"relu": "a ReLU that is off", "*": "a factor of 0", "dot": "a factor of 0"}


def _kinds(g: Graph, edges: list[int]) -> str:
    """What makes the local derivatives of ``edges`` 0, in a few words: ``'a ReLU that is off'`` ('' if unknown)."""
    found = dict.fromkeys(_ZERO_BECAUSE.get(g.values[g.edges[e].parent]._op, "") for e in edges)
    return " or ".join(k for k in found if k)


def _below(kinds: str) -> str:
    """Where a node that passes nothing sits: ``'a local derivative of 0 (a ReLU that is off)'``."""
    return f"a local derivative of 0 ({kinds})" if kinds else "a local derivative of 0"


def _named_stops(g: Graph, edges: list[int], names: dict[Value, str]) -> str:
    """The local derivatives of 0 of ``edges``, named: ``'the ReLUs h2, h7 are off (...)'``, ``'w5 = 0 in sum_o1'``."""
    relus: list[str] = []
    others: list[str] = []
    for e in edges:
        edge = g.edges[e]
        parent, child = g.values[edge.parent], g.values[edge.child]
        if parent._op == "relu":
            relus.append(names[parent])
            continue
        local = local_text(parent, edge.slot, names)
        if parent._op in ("*", "dot") and local != num(edge.local):
            others.append(f"{local} = 0 in {names[parent]}")
        else:
            others.append(f"{grad_of(names[parent], names[child])} = 0")
    relus, others = list(dict.fromkeys(relus)), list(dict.fromkeys(others))
    said = []
    if len(relus) == 1:
        said.append(f"the ReLU {relus[0]} is off (its input is not above 0, so it outputs 0 and its local "
                    "derivative is 0)")
    elif relus:
        said.append(f"the ReLUs {_listing(relus)} are off (their input is not above 0, so they output 0 and their "
                    "local derivative is 0)")
    if others:
        said.append(_listing(others))
    return "; ".join(said)


def _listing(names: list[str]) -> str:
    if len(names) <= 4:  # "a, b, c and 1 more" says no less than "a, b, c, d"
        return ", ".join(names)
    return ", ".join(names[:3]) + f" and {len(names) - 3} more"


def _boxes(g: Graph, params: set[Value] | None, collapse: bool) -> tuple[list[_Box], list[int], set[int]]:
    """The boxes in topological order, the box of every Value, and the parameters drawn inside neurons."""
    root = g.root_id
    neuron_of: dict[int, int] = {}  # a neuron's output (activation, or a linear dot) -> its dot
    absorbed: set[int] = set()
    if collapse:
        outputs, read_by_neurons = neurons.neurons(
            g.values, lambda v: [g.values[g.edges[e].parent] for e in g.in_edges[g.index[v]]], params)
        neuron_of = {g.index[out]: g.index[dot] for out, dot in outputs.items()}
        absorbed = {g.index[v] for v in read_by_neurons}
    hidden = absorbed | {d for out, d in neuron_of.items() if d != out}
    boxes: list[_Box] = []
    box_of = [-1] * len(g)
    for i, node in enumerate(g.values):
        if i in hidden:
            continue
        dot = neuron_of.get(i)
        kind = neurons.kind(node, root=i == root, neuron=dot is not None, params=params)
        op = node._op
        box = _Box(i, kind, op)
        if dot is not None:
            inside = [g.edges[e].child for e in g.out_edges[dot] if g.edges[e].child in absorbed]
            if dot != i:
                box.members.append(dot)
            box.members += [v for v in inside if box_of[v] == -1 and v not in box.members]
            act = "linear" if dot == i else node._op
            box.op = act
            box.note = f"w·x + b, {len(set(inside))} params"
        for m in box.members:
            box_of[m] = len(boxes)
        boxes.append(box)
    return boxes, box_of, absorbed


def _hand_checks(hand: object, g: Graph, final: list[float], names: dict[Value, str]) -> list[HandCheck]:
    """Your derivatives by label, each next to the right gradient; a clear error for what cannot be matched."""
    from micrograd.gradcheck import GradcheckResult, diagnose

    rows: list[tuple[str, float, bool | None, str]] = []
    if isinstance(hand, GradcheckResult):
        for r in hand.rows:
            if r.hand is None:
                raise TypeError("hand= takes check_gradients(...)'s result (hand-derived partials), not gradcheck's")
            rows.append((r.name, r.hand, r.ok, r.verdict))
    elif isinstance(hand, Mapping):
        if not hand:
            raise ValueError("hand is empty: give at least one derivative by label, like {'w1': 0.0215}")
        for label, v in hand.items():
            if not isinstance(label, str):
                raise TypeError(f"hand's keys must be labels (str), got {type(label).__name__}: {label!r}")
            if isinstance(v, Value) or isinstance(v, bool) or not isinstance(v, numbers.Real):
                raise TypeError(f"hand[{label!r}] must be the number you derived, got {type(v).__name__}: {v!r}")
            if not math.isfinite(float(v)):
                raise ValueError(f"hand[{label!r}] must be finite, got {v!r}")
            rows.append((label, float(v), None, ""))
    else:
        raise TypeError(f"hand must be a dict of derivatives by label, like {{'w1': 0.0215}}, or the result of "
                        f"check_gradients; got {type(hand).__name__}")
    by_label: dict[str, list[int]] = {}
    for i, v in enumerate(g.values):
        if v.label:
            by_label.setdefault(v.label, []).append(i)
    checks = []
    for label, yours, ok, verdict in rows:
        found = by_label.get(label, [])
        if not found:
            known = ", ".join(sorted(by_label)[:30]) or "none"
            raise ValueError(f"hand: no node labelled {label!r} in this graph (its labels: {known})")
        if len(found) > 1:
            raise ValueError(f"hand: the label {label!r} is on {len(found)} nodes of this graph; "
                             "give each node its own label")
        i = found[0]
        right = final[i]
        if ok is None:
            ok = abs(yours - right) <= _ATOL + _RTOL * abs(right)
            verdict = "ok" if ok else diagnose(yours, right, written=True)
        else:
            verdict = verdict.removeprefix("WRONG: ")
        verdict = re.sub(r"(?<![\w.])-(?=\d)", "−", verdict)  # the minus signs of the numbers, as everywhere
        checks.append(HandCheck(label, g.values[i], yours, right, ok, verdict))
    return checks


def play(root: Value, *, mode: str = "correct", hand: object = None, collapse: str = "auto",
         title: str | None = None) -> Player:
    """Step through forward and backward on the graph below ``root``: returns a `Player`.

    In Jupyter the player shows itself; ``.save('player.html')`` writes one
    self-contained file. Forward computes one node at a time in topological
    order; backward passes gradients one edge at a time in reverse topological
    order, exactly as `Value.backward()` does (starting from zeroed gradients):
    after the last step every gradient equals ``.grad``, bit for bit.

    Args:
        root: the output, usually a loss.
        mode: ``'correct'`` (backward()'s walk); ``'naive'`` (the recursive walk
            that does not wait for all of a node's parents) or ``'assign'``
            (``=`` instead of ``+=``) replays that mistake side by side with the
            correct walk and stops it at its first wrong gradient.
        hand: your derivatives by label (``{'w1': 0.0215, ...}``) or a
            `micrograd.gradcheck.check_gradients` result: each is marked right
            or wrong, and `Player.first_wrong` is the first wrong one backward
            reaches (where the chain rule went astray), with the right value.
        collapse: ``'neurons'`` draws each neuron as one box (its parameters are
            in the table); ``'auto'`` does so for graphs of more than
            `COLLAPSE_ABOVE` Values; ``'none'`` never. A graph of more than
            `MAX_BOXES` boxes or `MAX_STEPS` steps is refused (`GraphTooLarge`,
            whose message says how to shrink it).
        title: the heading (default: the root's name).

    >>> from micrograd.tutorials import alice_loss
    >>> model, L = alice_loss()
    >>> player = play(L)
    >>> player.steps[0].title
    'sum_h1 = w1·(−2) + w2·(−1) + b1'
    >>> L.backward()
    >>> all(player.grads()[v] == v.grad for v in player.grads())
    True
    """
    return Player(root, mode=mode, hand=hand, collapse=collapse, title=title)
