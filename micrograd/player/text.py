"""What the player says: names of nodes, numbers, and each op's formulas filled in with them.

Everything a learner reads is made here, from the op table (`micrograd.ops.OPS`):
a node's forward formula with its operands' names and then their values
(``sum_h1 = w1·(−2) + w2·(−1) + b1 = 1·(−2) + 1·(−1) + 0 = −3``) and the local
derivative on each edge (``h1·(1 − h1)`` for a sigmoid). Numbers are shown with
4 significant digits and a real minus sign; the full-precision values are in the
player's table.

>>> num(-0.010734767633), num(3.0), num(1.5e-7)
('−0.01073', '3', '1.5e−07')
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from micrograd.engine import Value
from micrograd.ops import OPS, operands

__all__ = ["num", "factor", "wrap", "display_names", "forward_text", "local_text", "grad_of"]

# An unlabelled interior node is named by its expression while that stays this short, else "v<id>".
_MAX_EXPRESSION = 18
# a sum of more terms than this (a wide neuron's) is shown by its first and last two
_MAX_TERMS = 6
_WORD = re.compile(r"[^\W\d]\w*")
_NUMBER = re.compile(r"−?\d[\d.]*(e[+−]\d+)?")


def num(x: float) -> str:
    """``x`` with 4 significant digits (as ``f'{x:.4g}'``), written with a real minus sign."""
    s = f"{x:.4g}"
    if s == "-0":
        s = "0"
    return s.replace("-", "−")


def factor(x: float) -> str:
    """`num`, in parentheses when negative: what goes into a product (``1·(−2)``)."""
    s = num(x)
    return f"({s})" if s.startswith("−") else s


def _pretty(template: str) -> str:
    """The op table's ASCII formula in print: ``a * b`` as ``a·b``, ``a ** b`` as ``a**b``, ``-`` as ``−``."""
    return template.replace(" ** ", "**").replace(" * ", "·").replace("-", "−")


def _level(text: str) -> int:
    """How tightly ``text`` binds: 0 a sum or difference, 1 a product or quotient, 2 a power, 3 an atom.

    A negative number counts as a sum: ``1·(−2)`` needs its parentheses.
    """
    if _NUMBER.fullmatch(text):
        return 0 if text.startswith("−") else 3
    if text.startswith("−") or " if " in text:  # −x·y reads as (−x)·y only with the parentheses
        return 0
    depth, level = 0, 3
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if depth:
            continue
        if ch in "+−" and i > 0 and text[i - 1] == " ":
            return 0
        if ch == "·" or ch == "/":
            level = min(level, 1)
        elif ch == "*":
            level = min(level, 2)
    return level


def _needed(before: str, after: str) -> int:
    """The binding an operand needs between the texts ``before`` and ``after`` it (see `_level`)."""
    left, right = before.rstrip(), after.lstrip()
    need = 0
    if left.endswith("**"):
        need = 3
    elif left.endswith("/"):
        need = 2
    elif left.endswith("·"):
        need = 1
    elif left.endswith("−"):  # the right side of a difference, or a negation
        need = 1
    elif left.endswith("+") and not left.endswith("(+"):
        need = 0
    if right.startswith("**"):
        need = 3
    elif right[:1] in ("·", "/"):
        need = max(need, 1)
    return need


def wrap(text: str, before: str = "·", after: str = "") -> str:
    """``text`` in parentheses if it binds less tightly than its place between ``before`` and ``after`` needs."""
    if _NUMBER.fullmatch(text) and text.startswith("−") and before.rstrip()[-1:] not in ("", "(", ","):
        return f"({text})"
    return f"({text})" if _level(text) < _needed(before, after) else text


def _fill(template: str, names: dict[str, str], result: str | None = None, result_text: str = "") -> str:
    """The op table's ``template`` with its operand names replaced (and the op's own formula by ``result``)."""
    if result is not None and result_text:
        template = template.replace(result_text, "\0")
    parts = [_pretty(p) if i % 2 == 0 else p for i, p in enumerate(re.split(r"(\0|\b(?:a|b|c|x|t|w)\b)", template))]
    out = []
    for i, part in enumerate(parts):
        if i % 2 == 0:
            out.append(part)
            continue
        text = (result or "") if part == "\0" else names.get(part, part)
        before = "".join(out)
        after = "".join(parts[i + 1:i + 2])
        out.append(wrap(text, before, after))
    return "".join(out)


def _terms(node: Value) -> list[Any]:
    """The node's operands as `micrograd.ops.operands` reads them; raises KeyError for an op not in the table."""
    return list(operands(node))


def _expression(node: Value, names: dict[Value, str]) -> str:
    """``node``'s formula with its operands' names: ``w1·(−2) + w2·(−1) + b1``, ``sigmoid(sum_h1)``."""
    def name(v: Any) -> str:
        return names[v] if isinstance(v, Value) else num(v)

    spec = OPS.get(node._op)
    if spec is None:  # an op made with Value.from_op: its name and its inputs are all we know
        return f"{node._op}({', '.join(names[c] for c in node._prev)})"
    terms = _terms(node)
    if spec.name == "sum":
        return " + ".join(_shortened([wrap(name(t), "+" if i else "") for i, t in enumerate(terms)])) or "0"
    if spec.name == "dot":
        *pairs, bias = terms
        products = [f"{wrap(name(w), '+' if i else '', '·')}·{wrap(name(x), '·')}"
                    for i, (w, x) in enumerate(zip(pairs[0::2], pairs[1::2]))]
        if not (isinstance(bias, float) and bias == 0.0 and not isinstance(bias, Value)):
            products.append(wrap(name(bias), "+" if products else ""))
        return " + ".join(_shortened(products)) or "0"
    if spec.name == "**" and not isinstance(terms[1], Value):
        return f"{wrap(name(terms[0]), '', '**')}**{factor(terms[1])}"
    return _fill(spec.formula, dict(zip(spec.names, (name(t) for t in terms))))


def _shortened(terms: list[str]) -> list[str]:
    """The terms of a long sum cut to its first two and last two, with how many are left out between them."""
    if len(terms) <= _MAX_TERMS:
        return terms
    return [*terms[:2], f"… ({len(terms) - 4} more)", *terms[-2:]]


def _values(node: Value) -> dict[Value, str]:
    """Each operand shown by its value (what the forward formula's second line reads)."""
    return {c: num(c.data) for c in node._prev}


def display_names(order: Sequence[Value]) -> dict[Value, str]:
    """A name for every node of ``order`` (topological): its label, else a short expression, else ``v<index>``.

    The root without a label is ``out``.
    """
    names: dict[Value, str] = {}
    taken = {v.label for v in order if v.label}
    for i, node in enumerate(order):
        if node.label:
            names[node] = node.label
            continue
        name = f"v{i}"
        if node is order[-1] and "out" not in taken:
            name = "out"
        elif node._prev:
            text = _expression(node, names)
            if text and len(text) <= _MAX_EXPRESSION:
                name = text
        names[node] = name
    return names


def forward_text(node: Value, names: dict[Value, str]) -> tuple[str, list[str]]:
    """The title and lines of a forward step: ``('sum_h1 = w1·(−2) + …', ['= 1·(−2) + …', '= −3'])``."""
    name = names[node]
    symbolic = _expression(node, names)
    numeric = _expression(node, _values(node))
    title = symbolic if symbolic == name else f"{name} = {symbolic}"
    lines = [] if numeric == symbolic else [f"= {numeric}"]
    lines.append(f"= {num(node.data)}")
    return title, lines


def local_text(node: Value, slot: int, names: dict[Value, str]) -> str:
    """The local derivative d node / d (its ``slot``-th child) as a formula of names: ``h1·(1 − h1)``, ``x1``, ``1``."""
    spec = OPS.get(node._op)
    if spec is None:
        return f"∂{_paren(names[node])}/∂{_paren(names[node._prev[slot]])}"
    terms = _terms(node)
    # the slot-th Value among the operands is the slot-th child
    positions = [i for i, t in enumerate(terms) if isinstance(t, Value)]
    at = positions[slot]

    def name(v: Any) -> str:
        return names[v] if isinstance(v, Value) else num(v)

    if spec.name == "sum":
        return "1"
    if spec.name == "dot":
        if at == len(terms) - 1:  # the bias
            return "1"
        partner = terms[at + 1] if at % 2 == 0 else terms[at - 1]  # w_i's is x_i and x_i's is w_i
        return name(partner)
    if spec.name == "**" and not isinstance(terms[1], Value):
        n = terms[1]
        power = n - 1.0
        base = wrap(name(terms[0]), "·", "**")
        if power == 0.0:
            return factor(n)
        return f"{factor(n)}·{base}" if power == 1.0 else f"{factor(n)}·{base}**{factor(power)}"
    derivative = spec.derivative[at]
    operand_names = dict(zip(spec.names, (name(t) for t in terms)))
    return _fill(derivative, operand_names, names[node], spec.formula.replace(" ", ""))


def grad_of(root: str, name: str) -> str:
    """How the gradient of ``name`` is written: ``dL/dw1``, ``dL/d(1 − o1)``."""
    return f"d{_paren(root)}/d{_paren(name)}"


def _paren(name: str) -> str:
    """A name after ``d`` in ``dL/d…``: in parentheses unless it is a single word or number."""
    return name if _WORD.fullmatch(name) or _NUMBER.fullmatch(name) else f"({name})"
