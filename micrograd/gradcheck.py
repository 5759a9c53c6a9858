"""Gradient checking: compare autograd with finite differences and with your own derivation.

* `numerical_grad(f, inputs)` estimates ``df/dx_i`` by nudging one input at a time:
  central differences ``(f(x + eps) - f(x - eps)) / 2 eps`` (error ~ eps²), or
  forward differences ``(f(x + eps) - f(x)) / eps`` (error ~ eps) for comparison.
* `gradcheck(f, inputs)` compares autograd with central differences using PyTorch's
  rule: an entry passes when ``|analytic - numeric| <= atol + rtol * |numeric|``.
* `check_gradients(hand, loss)` compares partials you derived by hand, keyed by the
  labels of the graph's nodes (``{'w1': 0.0215}``), with autograd of ``loss``.

Results are `GradcheckResult` objects: truthy when every entry passes, printed as
a table that marks the wrong entries with ``>``, and shown as an HTML table in
Jupyter. A failure raises `GradcheckError` (whose message is that table) unless
``raise_exception=False``.

>>> r = gradcheck(lambda x, y: x * y.tanh(), [0.5, -1.2])
>>> bool(r)
True
"""

from __future__ import annotations

import html
import math
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from micrograd.engine import Value, no_grad
from micrograd.graph import topological_order

__all__ = [
    "numerical_grad",
    "gradcheck",
    "gradcheck_row",
    "check_gradients",
    "GradcheckError",
    "GradcheckResult",
    "GradRow",
    "diagnose",
    "looks_rounded",
    "format_table",
]

Number = int | float


class GradcheckError(RuntimeError):
    """A gradient check failed. The message is the result table; ``.result`` holds the rows."""

    def __init__(self, result: GradcheckResult) -> None:
        super().__init__(str(result))
        self.result = result


@dataclass(frozen=True)
class GradRow:
    """One checked derivative: a row of the table.

    In `gradcheck`, ``autograd`` (the analytic derivative) is compared with
    ``numeric``; in `check_gradients`, ``hand`` is compared with ``autograd``
    (and ``autograd`` with ``numeric`` when there is one). ``abs_err`` and
    ``rel_err`` measure that main comparison; ``hand`` is None in `gradcheck`, and
    ``numeric`` is None where no finite difference was taken (interior nodes).
    """

    name: str
    hand: float | None
    autograd: float
    numeric: float | None
    abs_err: float
    rel_err: float
    ok: bool
    verdict: str


class GradcheckResult:
    """The rows of a gradient check. Truthy when every row passed.

    ``str(result)`` (and the REPL echo) is a plain-text table; Jupyter shows
    `_repr_html_`. ``result.failed`` lists the rows that did not pass.
    """

    def __init__(self, title: str, rows: list[GradRow], *, hand: bool) -> None:
        self.title = title
        self.rows = rows
        self._hand = hand

    def __bool__(self) -> bool:
        return all(r.ok for r in self.rows)

    @property
    def failed(self) -> list[GradRow]:
        """The rows that did not pass."""
        return [r for r in self.rows if not r.ok]

    def _columns(self) -> tuple[list[str], list[list[str]]]:
        show_numeric = not self._hand or any(r.numeric is not None for r in self.rows)
        header = ["name", "hand", "autograd"] if self._hand else ["input", "analytic"]
        if show_numeric:
            header.append("numeric")
        header += ["abs err", "rel err", "verdict"]
        body = []
        for r in self.rows:
            cells = [r.name, _num(r.hand), _num(r.autograd)] if self._hand else [r.name, _num(r.autograd)]
            if show_numeric:
                cells.append(_num(r.numeric))
            cells += [_err(r.abs_err), _err(r.rel_err), r.verdict]
            body.append(cells)
        return header, body

    def summary(self) -> str:
        """One line: how many entries passed, and which did not."""
        bad = self.failed
        if not bad:
            return f"{self.title}: all {len(self.rows)} passed"
        names = ", ".join(r.name for r in bad)
        return f"{self.title}: {len(bad)} of {len(self.rows)} wrong ({names})"

    def __str__(self) -> str:
        header, body = self._columns()
        return self.summary() + "\n" + format_table(header, body, [not r.ok for r in self.rows])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        header, body = self._columns()
        return format_table(header, body, [not r.ok for r in self.rows], html_caption=self.summary())


# ---------------------------------------------------------------------------- tables


def format_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], bad: Sequence[bool], *, html_caption: str | None = None
) -> str:
    """Align ``rows`` under ``header``; rows flagged in ``bad`` start with ``>``.

    With ``html_caption`` the same table is returned as HTML, bad rows tinted red.
    """
    if html_caption is not None:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
        lines = [f"<table><caption>{html.escape(html_caption)}</caption><tr>{head}</tr>"]
        for cells, is_bad in zip(rows, bad):
            style = ' style="background:#fdd"' if is_bad else ""
            tds = "".join(f"<td>{html.escape(c)}</td>" for c in cells)
            lines.append(f"<tr{style}>{tds}</tr>")
        lines.append("</table>")
        return "\n".join(lines)
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]

    def line(mark: str, cells: Sequence[str]) -> str:
        return (mark + "  ".join(c.ljust(w) for c, w in zip(cells, widths))).rstrip()

    return "\n".join([line("  ", header)] + [line("> " if b else "  ", r) for r, b in zip(rows, bad)])


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.9g}"


def _err(x: float) -> str:
    return f"{x:.1e}"


def diagnose(received: float, expected: float, *, written: bool = False) -> str:
    """A short guess at a typical slip when ``received`` is not ``expected``.

    ``written=True`` says ``received`` is a number someone wrote down (a hand
    derivation), which may be ``expected`` rounded: see `looks_rounded`.

    >>> diagnose(-0.5, 0.5), diagnose(1.0, 0.5), diagnose(0.0, 3.0)
    ('wrong sign', '2x too large', 'is 0 (a missing term?)')
    >>> diagnose(0.0214, 0.0214695, written=True)
    'looks rounded: 0.0214 vs 0.02147; give full precision'
    """
    if expected == 0.0:
        return "should be 0"
    if received == 0.0:
        return "is 0 (a missing term?)"
    ratio = received / expected
    named = {-1.0: "wrong sign", 2.0: "2x too large", 0.5: "half the right size",
             -2.0: "wrong sign and 2x too large", -0.5: "wrong sign and half the right size"}
    for r, text in named.items():
        if abs(ratio - r) <= 1e-3 * abs(r):
            return text
    if written and looks_rounded(received, expected):
        digits = len(_decimal(received).as_tuple().digits)
        shown = repr(received).removesuffix(".0")
        return f"looks rounded: {shown} vs {expected:#.{digits + 1}g}; give full precision"
    return f"off by {received - expected:+.3g} (x{ratio:.3g})"


def _decimal(x: float) -> Decimal:
    """``x`` as the shortest decimal that reads back as ``x`` (what was typed), without trailing zeros."""
    return Decimal(repr(x)).normalize()


def looks_rounded(written: float, exact: float) -> bool:
    """Whether ``written`` is ``exact`` rounded or cut to ``written``'s own number of significant digits.

    0.0214 is 0.021469... cut after three digits (the tutorial prints it so), and
    0.0215 is it rounded; 0.0213 is neither. A number with all of a float's 17
    digits is never "rounded": only a short, typed number is.

    >>> looks_rounded(0.0214, 0.021469535), looks_rounded(0.0215, 0.021469535), looks_rounded(0.0213, 0.021469535)
    (True, True, False)
    """
    if written == 0.0 or not (math.isfinite(written) and math.isfinite(exact)):
        return False
    given, exact_ = _decimal(written), Decimal(exact)
    if abs(exact_.adjusted() - given.adjusted()) > 1:  # not even the same order of magnitude
        return False
    exponent = given.as_tuple().exponent
    assert isinstance(exponent, int)  # a finite number's
    place = Decimal(1).scaleb(exponent)  # one unit in the last digit given
    return any(exact_.quantize(place, rounding=mode) == given
               for mode in (ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_DOWN))


#: the step of the central difference (f(x + eps) - f(x - eps)) / 2 eps, unless told otherwise
DEFAULT_EPS = 1e-6


def _close(value: float, reference: float, atol: float, rtol: float) -> bool:
    # PyTorch's allclose(value, reference): the relative part scales with the reference only.
    return abs(value - reference) <= atol + rtol * abs(reference)


def _rel(err: float, reference: float) -> float:
    if reference != 0.0:
        return err / abs(reference)
    return 0.0 if err == 0.0 else math.inf


# ---------------------------------------------------------------------------- input checks


def _real(x: object, what: str) -> float:
    """``x`` as a finite float; a clear TypeError/ValueError naming ``what`` otherwise."""
    if isinstance(x, Value):
        return x.data
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{what} must be a number or a Value, got {type(x).__name__}: {x!r}")
    f = float(x)
    if not math.isfinite(f):
        raise ValueError(f"{what} must be finite, got {f}")
    return f


def _inputs(inputs: object) -> tuple[list[float], list[str]]:
    if isinstance(inputs, Value | numbers.Real):
        items = [inputs]
    elif isinstance(inputs, Iterable) and not isinstance(inputs, str | bytes | Mapping):
        items = list(inputs)
    else:
        raise TypeError(f"inputs must be a list of numbers or Values, got {type(inputs).__name__}: {inputs!r:.60}")
    if not items:
        raise ValueError("inputs is empty: give one number or Value per argument of f")
    values = [_real(x, f"inputs[{i}]") for i, x in enumerate(items)]
    names = []
    for i, x in enumerate(items):
        label = x.label if isinstance(x, Value) else ""
        names.append(f"inputs[{i}]" + (f" ({label})" if label else ""))
    return values, names


def _check_settings(eps: float, atol: float, rtol: float) -> None:
    if not (isinstance(eps, numbers.Real) and 0.0 < eps < math.inf):
        raise ValueError(f"eps must be a positive number, got {eps!r}")
    for name, tol in (("atol", atol), ("rtol", rtol)):
        if not (isinstance(tol, numbers.Real) and 0.0 <= tol < math.inf):
            raise ValueError(f"{name} must be a number >= 0, got {tol!r}")


def _as_loss(out: object, who: str) -> Value:
    if not isinstance(out, Value):
        raise TypeError(f"{who} must return a Value, got {type(out).__name__}: {out!r:.60}")
    return out


# ---------------------------------------------------------------------------- finite differences


def numerical_grad(
    f: Callable[..., Value], inputs: Sequence[Number | Value] | Number | Value, eps: float = DEFAULT_EPS, *,
    method: str = "central",
) -> list[float]:
    """Estimate ``df/dx_i`` for every input by finite differences.

    ``f`` takes one `Value` per input and returns a `Value`; ``inputs`` are numbers
    or Values (only their ``.data`` is used, they are not modified). ``method`` is
    ``'central'`` (``(f(x+eps) - f(x-eps)) / 2eps``, error shrinks like eps²) or
    ``'forward'`` (``(f(x+eps) - f(x)) / eps``, error shrinks like eps).

    >>> [round(g, 6) for g in numerical_grad(lambda x: x ** 2, [3.0])]
    [6.0]
    >>> [round(g, 6) for g in numerical_grad(lambda x: x ** 2, [3.0], 1e-3, method="forward")]
    [6.001]
    """
    if method not in ("central", "forward"):
        raise ValueError(f"method must be 'central' or 'forward', got {method!r}")
    _check_function(f, "numerical_grad")
    _check_settings(eps, 0.0, 0.0)
    x, names = _inputs(inputs)

    def at(point: list[float]) -> float:
        with no_grad():  # only values are needed: skip recording the graph
            return _as_loss(f(*(Value(v) for v in point)), "f").data

    def nudged(i: int, step: float) -> float:
        point = x[:i] + [x[i] + step] + x[i + 1:]
        try:
            return at(point)
        except (ArithmeticError, ValueError) as e:
            at(x)  # f fails at the inputs themselves: that error is the one to see
            raise ValueError(
                f"f fails at {names[i]} = {x[i]:g} {'+' if step > 0 else '-'} eps = {point[i]:g} ({e}), although "
                f"it works at {x[i]:g}: the input is within eps = {eps:g} of the edge of f's domain; "
                f"use a smaller eps, such as eps={eps / 100:g}"
            ) from None

    for i, xi in enumerate(x):
        if abs((xi + eps) - xi - eps) > 0.01 * eps:  # the step is lost to rounding at this size of input
            raise ValueError(
                f"eps = {eps:g} is too small for {names[i]} = {xi:g}: near it floats are {math.ulp(xi):.2g} apart, "
                "so x + eps rounds to a different step and the finite difference is meaningless; "
                f"use eps = {max(1e-6 * abs(xi), 1e4 * math.ulp(xi)):.2g} or so, or rescale the input"
            )
    base = at(x) if method == "forward" else 0.0
    grads = []
    for i in range(len(x)):
        if method == "forward":
            grads.append((nudged(i, eps) - base) / eps)
        else:
            grads.append((nudged(i, eps) - nudged(i, -eps)) / (2 * eps))
    return grads


def _check_function(f: object, who: str) -> None:
    if not callable(f):
        raise TypeError(f"{who} needs a function of Values as its first argument (such as lambda x: x.tanh()), "
                        f"got {type(f).__name__}: {f!r:.40}")


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[Number | Value] | Number | Value,
    *,
    eps: float = DEFAULT_EPS,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> GradcheckResult:
    """Check autograd of ``f`` at ``inputs`` against central differences.

    ``f`` is called with fresh `Value` leaves (one per input), its output's
    ``backward()`` gives the analytic gradient, and `numerical_grad` the numeric
    one. Input i passes when ``|analytic - numeric| <= atol + rtol * |numeric|``
    (PyTorch's rule and defaults). On failure raises `GradcheckError` whose
    message is the table, or with ``raise_exception=False`` returns a falsy result.

    >>> def bad_cube(v):  # derivative should be 3 x², not x²
    ...     return Value.from_op(v.data ** 3, [v], [v.data ** 2], "bad_cube")
    >>> print(gradcheck(bad_cube, [2.0], raise_exception=False))
    gradcheck: 1 of 1 wrong (inputs[0])
      input      analytic  numeric  abs err  rel err  verdict
    > inputs[0]  4         12       8.0e+00  6.7e-01  WRONG: off by -8 (x0.333)
    """
    _check_function(f, "gradcheck")
    _check_settings(eps, atol, rtol)
    x, names = _inputs(inputs)
    leaves = [Value(v) for v in x]
    _as_loss(f(*leaves), "f").backward()
    numeric = numerical_grad(f, x, eps)
    rows = [gradcheck_row(name, leaf.grad, n, atol=atol, rtol=rtol) for name, leaf, n in zip(names, leaves, numeric)]
    result = GradcheckResult("gradcheck", rows, hand=False)
    if not result and raise_exception:
        raise GradcheckError(result)
    return result


def gradcheck_row(name: str, analytic: float, numeric: float, *, atol: float = 1e-5, rtol: float = 1e-3) -> GradRow:
    """`gradcheck`'s verdict on one input: ``analytic`` against the finite difference ``numeric``.

    It passes when ``|analytic - numeric| <= atol + rtol * |numeric|``; a
    failure's verdict names the slip when it is a common one (`diagnose`).

    >>> gradcheck_row("x", 4.0, 12.0).verdict
    'WRONG: off by -8 (x0.333)'
    """
    err = abs(analytic - numeric)
    ok = _close(analytic, numeric, atol, rtol)
    verdict = "ok" if ok else "WRONG: " + diagnose(analytic, numeric)
    return GradRow(name, None, analytic, numeric, err, _rel(err, numeric), ok, verdict)


# ---------------------------------------------------------------------------- hand vs autograd


def _labelled_nodes(order: Sequence[Value], wanted: Sequence[str]) -> dict[str, Value]:
    """The node of ``order`` carrying each wanted label; a clear error for a missing or ambiguous label."""
    found: dict[str, list[Value]] = {}
    for node in order:
        if node.label:
            found.setdefault(node.label, []).append(node)
    out = {}
    for label in wanted:
        nodes = found.get(label, [])
        if not nodes:
            known = ", ".join(sorted(found)[:30]) or "none: label Values with Value(x, label='w1') or v.label = 'w1'"
            raise ValueError(f"label {label!r} is not in the graph of the loss (labels there: {known})")
        if len(nodes) > 1:
            raise ValueError(f"label {label!r} is on {len(nodes)} nodes of the graph; give each node its own label")
        out[label] = nodes[0]
    return out


def _hand_values(hand: object) -> dict[str, float]:
    if not isinstance(hand, Mapping):
        raise TypeError(f"hand must be a dict of partials by label, like {{'w1': 0.0215}}, got {type(hand).__name__}")
    if not hand:
        raise ValueError("hand is empty: give at least one partial, like {'w1': 0.0215}")
    out = {}
    for label, v in hand.items():
        if not isinstance(label, str):
            raise TypeError(f"hand's keys must be labels (str), got {type(label).__name__}: {label!r}")
        if isinstance(v, Value):
            raise TypeError(f"hand[{label!r}] is a Value; give the number you derived (a float), e.g. its .data")
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise TypeError(f"hand[{label!r}] must be a number, got {type(v).__name__}: {v!r}")
        if not math.isfinite(float(v)):
            raise ValueError(f"hand[{label!r}] must be finite, got {v!r}")
        out[label] = float(v)
    return out


def check_gradients(
    hand: Mapping[str, Number],
    loss: Value | Callable[[], Value],
    *,
    eps: float = DEFAULT_EPS,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> GradcheckResult:
    """Check hand-derived partials ``{label: dL/d(label)}`` against autograd of ``loss``.

    ``loss`` is the loss `Value`, or a function of no arguments that builds it from
    the same parameter Values each time; with a function, every labelled leaf
    also gets a central-difference estimate, so the table shows hand, autograd
    and numeric side by side. Labels may name leaves (``w1``, ``b3``) or interior
    nodes (``h1``, ``sum_o1``). Gradients are zeroed and ``backward()`` is run
    here, so calling this twice gives the same answer; afterwards every node's
    ``.grad`` holds exactly one backward pass. Entries pass under the same rule
    as `gradcheck` (``|hand - autograd| <= atol + rtol * |autograd|``), and the
    numeric estimate, when present, must agree with autograd too.

    >>> from micrograd.tutorials import alice_loss
    >>> model, L = alice_loss()
    >>> print(check_gradients({"w1": 0.0214695, "b1": 0.0107348}, L, raise_exception=False))
    check_gradients: 1 of 2 wrong (b1)
      name  hand       autograd       abs err  rel err  verdict
      w1    0.0214695  0.0214695353   3.5e-08  1.6e-06  ok
    > b1    0.0107348  -0.0107347676  2.1e-02  2.0e+00  WRONG: wrong sign
    """
    values = _hand_values(hand)
    _check_settings(eps, atol, rtol)
    if isinstance(loss, Value):
        build, root = None, loss
    elif callable(loss):
        build, root = loss, _as_loss(loss(), "the loss function")
    else:
        raise TypeError(f"loss must be a Value or a function returning one, got {type(loss).__name__}: {loss!r:.60}")
    order = topological_order(root)
    nodes = _labelled_nodes(order, list(values))
    for node in order:
        node.grad = 0.0
    root.backward()

    numeric: dict[str, float] = {}
    if build is not None:
        leaves = {label: n for label, n in nodes.items() if not n._prev}
        again = set(topological_order(_as_loss(build(), "the loss function")))
        for label, leaf in leaves.items():
            if leaf not in again:
                raise ValueError(
                    f"the loss function builds a new {label!r} each call, so nudging it changes nothing; "
                    "create the model once, outside the function, and only compute the loss inside it"
                )
            numeric[label] = _nudge(build, leaf, eps)

    rows = []
    for label, h in values.items():
        a = nodes[label].grad
        n = numeric.get(label)
        err = abs(h - a)
        hand_ok = _close(h, a, atol, rtol)
        engine_ok = n is None or _close(a, n, atol, rtol)
        if not hand_ok:
            verdict = "WRONG: " + diagnose(h, a, written=True)
        elif not engine_ok:
            verdict = "autograd != numeric (an op's derivative, or a kink)"
        else:
            verdict = "ok"
        rows.append(GradRow(label, h, a, n, err, _rel(err, a), hand_ok and engine_ok, verdict))
    result = GradcheckResult("check_gradients", rows, hand=True)
    if not result and raise_exception:
        raise GradcheckError(result)
    return result


def _nudge(build: Callable[[], Value], leaf: Value, eps: float) -> float:
    """Central difference of ``build().data`` in ``leaf.data``; the leaf is restored afterwards."""
    x = leaf.data
    try:
        with no_grad():
            leaf.data = x + eps
            up = build().data
            leaf.data = x - eps
            down = build().data
    finally:
        leaf.data = x
    return (up - down) / (2 * eps)
