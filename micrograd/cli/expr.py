"""A safe parser for small arithmetic expressions on named variables, e.g. ``"(a*b + c).tanh()"``.

The command line uses it to draw the graph of an expression typed by the user.
Nothing is passed to ``eval``: the text is parsed with the `ast` module and only
this whitelist is accepted, everything else is rejected with a message saying
what was found and what is allowed:

* numbers (``2``, ``0.5``, ``1e-3``) and variable names (``a``, ``x1``; not starting with ``_``);
* ``+ - * / **`` and unary ``-`` / ``+``;
* the Value methods in `METHODS`, called with no arguments, either as a method
  (``(a*b).tanh()``) or as a function (``tanh(a*b)``).

Each variable becomes one leaf `Value` labelled with its name, shared by every
place it appears, so ``a*a`` has one ``a`` with two edges.

>>> y = evaluate("(a*b + c).tanh()", {"a": 2, "b": -3, "c": 10})
>>> round(y.data, 4), y._op
(0.9993, 'tanh')
>>> evaluate("a.__class__", {"a": 1})  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
micrograd.cli.expr.ExpressionError: attribute access '.__class__' is not allowed in an expression; ...
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Iterable, Mapping

from micrograd.engine import Value
from micrograd.ops import OPS, parsed_methods

__all__ = ["evaluate", "variables", "parse_assignments", "ExpressionError", "METHODS", "MAX_LENGTH"]

#: Value methods an expression may call: the table's functions of one Value
METHODS = tuple(parsed_methods())
#: longest expression accepted, in characters (a guard against pathological input)
MAX_LENGTH = 2000

_BINOPS: dict[type[ast.operator], str] = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
# how the rejected operators are written, for the error message
_OTHER_OPS = {
    ast.Mod: "%", ast.FloorDiv: "//", ast.MatMult: "@", ast.BitXor: "^", ast.BitOr: "|", ast.BitAnd: "&",
    ast.LShift: "<<", ast.RShift: ">>", ast.Not: "not", ast.Invert: "~",
}
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_NAME_RULE = "a variable name is ASCII letters, digits and _, starting with a letter (a, x1, w_2)"
_METHOD_LIST = ", ".join(METHODS)

# plain names for the constructs people try most, for the error message
_CONSTRUCTS = {
    ast.Compare: "a comparison", ast.BoolOp: "and/or", ast.IfExp: "if/else", ast.Lambda: "lambda",
    ast.Subscript: "indexing", ast.ListComp: "a comprehension", ast.GeneratorExp: "a comprehension",
    ast.SetComp: "a comprehension", ast.DictComp: "a comprehension", ast.List: "a list", ast.Tuple: "a tuple",
    ast.Dict: "a dict", ast.Set: "a set", ast.JoinedStr: "an f-string", ast.NamedExpr: "assignment (:=)",
    ast.Starred: "*unpacking", ast.Await: "await", ast.Yield: "yield", ast.YieldFrom: "yield",
}


class ExpressionError(ValueError):
    """The expression is not allowed or cannot be evaluated; the message says why and where."""


def _fail(what: str, node: ast.AST | None = None) -> ExpressionError:
    where = f" (at column {node.col_offset + 1})" if node is not None and hasattr(node, "col_offset") else ""
    return ExpressionError(what + where)


def _parse(text: str) -> ast.expr:
    if not isinstance(text, str):
        raise TypeError(f"the expression must be a str, got {type(text).__name__}")
    if not text.strip():
        raise ExpressionError("the expression is empty; write one like '(a*b + c).tanh()'")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is {len(text)} characters long; the limit is {MAX_LENGTH}")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as e:
        raise ExpressionError(f"not a valid expression: {e.msg} (at column {e.offset})") from None
    except (ValueError, RecursionError, MemoryError) as e:  # e.g. a literal too long, nesting too deep
        raise ExpressionError(f"cannot parse the expression: {e or 'too deeply nested'}") from None
    return tree.body


def _check(node: ast.AST) -> None:
    """Raise ExpressionError for the first construct outside the whitelist (depth first, left to right)."""
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise _fail(f"the constant {node.value!r} is not allowed; only real numbers are", node)
    elif isinstance(node, ast.Name):
        if not _NAME.fullmatch(node.id):
            raise _fail(f"the name {node.id!r} is not allowed; {_NAME_RULE}", node)
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in _BINOPS:
            hint = " (use ** for powers)" if isinstance(node.op, ast.BitXor) else ""
            op = _OTHER_OPS.get(type(node.op), "?")
            raise _fail(f"the operator {op} is not allowed; use + - * / **{hint}", node)
        _check(node.left)
        _check(node.right)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            op = _OTHER_OPS.get(type(node.op), "?")
            raise _fail(f"the operator {op} is not allowed; only unary - and + are", node)
        _check(node.operand)
    elif isinstance(node, ast.Call):
        _check_call(node)
    elif isinstance(node, ast.Attribute):
        raise _fail(f"attribute access '.{node.attr}' is not allowed in an expression; "
                    f"only calls of the methods {_METHOD_LIST} are", node)
    else:
        what = _CONSTRUCTS.get(type(node), type(node).__name__)
        raise _fail(f"{what} is not allowed in an expression; "
                    f"use numbers, variables, + - * / ** and the methods {_METHOD_LIST}", node)


def _check_call(node: ast.Call) -> None:
    f = node.func
    if isinstance(f, ast.Attribute):
        name, target = f.attr, f.value
    elif isinstance(f, ast.Name):
        name, target = f.id, None
    else:
        raise _fail("only the methods " + _METHOD_LIST + " may be called", node)
    if name not in METHODS:
        raise _fail(f"calling {name!r} is not allowed; only the methods {_METHOD_LIST} may be called", node)
    n_args = len(node.args) + len(node.keywords)
    if target is not None and n_args:
        raise _fail(f".{name}() takes no arguments, got {n_args}", node)
    if target is None and node.keywords:
        keyword = node.keywords[0].arg
        given = f"{keyword}=..." if keyword else "**..."
        raise _fail(f"{name}(x) takes its argument without a name: write {name}(...), not {name}({given})", node)
    if target is None and len(node.args) != 1:
        raise _fail(f"{name}(x) takes exactly one argument, got {n_args}", node)
    _check(target if target is not None else node.args[0])


def variables(text: str) -> list[str]:
    """The variable names in an expression, in order of first appearance; raises ExpressionError if it is not allowed.

    >>> variables("(a*b + c).tanh() + a")
    ['a', 'b', 'c']
    """
    return _names(_checked(text))


def _checked(text: str) -> ast.expr:
    """The parsed expression, once it has passed the whitelist."""
    body = _parse(text)
    try:
        _check(body)
    except RecursionError:
        raise ExpressionError("the expression is nested too deeply") from None
    _check_numbers(text.strip(), body)
    return body


def _check_numbers(text: str, body: ast.expr) -> None:
    """Raise ExpressionError for the first number written in ``text`` that is too large for a float."""
    # Python reads 1e309 as inf without a word, and 10**400 written out as an int too big to convert
    numbers = sorted((n for n in ast.walk(body) if isinstance(n, ast.Constant)), key=lambda n: n.col_offset)
    for n in numbers:
        assert isinstance(n.value, (int, float))  # _check allowed real numbers only
        try:
            finite = math.isfinite(float(n.value))
        except OverflowError:
            finite = False
        if not finite:
            written = ast.get_source_segment(text, n) or repr(n.value)
            if len(written) > 24:
                written = f"{written[:10]}... ({len(written)} digits)"
            raise _fail(
                f"the number {written} is too large for a float (the largest is about 1.8e308); "
                "use a smaller number", n
            )


def _names(body: ast.expr) -> list[str]:
    functions = {id(n.func) for n in ast.walk(body) if isinstance(n, ast.Call)}  # tanh in tanh(x)
    names = [n for n in ast.walk(body) if isinstance(n, ast.Name) and id(n) not in functions]
    names.sort(key=lambda n: n.col_offset)
    return list(dict.fromkeys(n.id for n in names))


Number = float | Value


def evaluate(text: str, values: Mapping[str, float | Value]) -> Value:
    """Build the graph of the expression ``text`` with the given variable values; returns its output `Value`.

    Each variable becomes a `Value` labelled with its name (a Value given in
    ``values`` is used as it is). Raises ExpressionError if the expression is not
    allowed, a variable has no value, a value is not used, or the arithmetic fails
    (division by zero, log of a negative number, overflow).
    """
    body = _checked(text)
    names = _names(body)
    missing = [n for n in names if n not in values]
    if missing:
        raise ExpressionError(f"no value for {', '.join(missing)}: give one like {missing[0]}=1.5")
    unused = [n for n in values if n not in names]
    if unused:
        raise ExpressionError(f"{', '.join(unused)} not used in the expression {text!r} (a typo?)")
    leaves: dict[str, Value] = {}
    for n in names:
        v = values[n]
        if isinstance(v, Value):
            leaves[n] = v
        else:
            try:
                leaves[n] = Value(v, label=n)
            except (TypeError, ValueError) as e:
                raise ExpressionError(f"the value of {n}: {e}") from None
    try:
        out = _eval(body, leaves)
    except RecursionError:
        raise ExpressionError("the expression is nested too deeply") from None
    except _Overflow as e:
        part = ast.get_source_segment(text.strip(), e.node) or "a part of it"
        inside = _names(e.node)
        smaller = f"values for {', '.join(inside)}" if inside else "numbers"
        raise ExpressionError(
            f"cannot evaluate {text!r}: {part} is too large for a float ({e.cause}); use smaller {smaller}"
        ) from None
    except (ArithmeticError, ValueError) as e:  # ZeroDivisionError is an ArithmeticError
        raise ExpressionError(f"cannot evaluate {text!r}: {e}") from None
    if not isinstance(out, Value):
        raise ExpressionError(f"{text!r} has no variables, so there is no graph to draw; use a name such as x")
    return out


class _Overflow(Exception):
    """An op of the expression overflowed: ``node`` is that part of the tree, ``cause`` what the op said."""

    def __init__(self, node: ast.expr, error: OverflowError) -> None:
        # the engine's advice is for training ("lower the learning rate"); keep only what happened
        self.node, self.cause = node, str(error).split(";")[0]


def _eval(node: ast.expr, leaves: dict[str, Value]) -> Number:
    """Evaluate a checked tree: Values where a variable is involved, plain floats otherwise."""
    if isinstance(node, ast.Constant):
        assert isinstance(node.value, (int, float))  # _check allowed real numbers only
        return float(node.value)
    if isinstance(node, ast.Name):
        return leaves[node.id]
    if isinstance(node, ast.UnaryOp):
        x = _eval(node.operand, leaves)
        return -x if isinstance(node.op, ast.USub) else x
    if isinstance(node, ast.BinOp):
        a, b = _eval(node.left, leaves), _eval(node.right, leaves)
        op = _BINOPS[type(node.op)]
        try:
            if isinstance(a, float) and isinstance(b, float):
                return _constant(a, op, b)
            out = OPS[op].apply(a, b)  # a Value, since one side is
        except OverflowError as e:
            raise _Overflow(node, e) from None
        return out
    assert isinstance(node, ast.Call)  # _check allowed nothing else
    f = node.func
    if isinstance(f, ast.Attribute):
        name, arg = f.attr, f.value
    else:
        assert isinstance(f, ast.Name)  # _check_call allowed nothing else
        name, arg = f.id, node.args[0]
    x = _eval(arg, leaves)
    if isinstance(x, float):  # e.g. exp(2): a constant leaf, labelled with its value
        x = Value(x, label=f"{x:g}")
    try:
        return OPS[name].apply(x)
    except OverflowError as e:
        raise _Overflow(node, e) from None


def _constant(a: float, op: str, b: float) -> float:
    """Arithmetic on two numbers, with the engine's strictness (no complex results, no inf)."""
    if op == "**":
        # math.pow, unlike **, never returns a complex number; reword its terse errors
        try:
            r = math.pow(a, b)
        except ValueError:
            base = f"({a:g})" if a < 0 else f"{a:g}"
            raise ValueError(f"{base} ** {b:g} is undefined (not a real number)") from None
        except OverflowError:
            r = math.inf
    elif op == "/":
        if b == 0.0:
            raise ZeroDivisionError(f"division by zero ({a:g} / 0)")
        r = a / b
    else:
        r = a + b if op == "+" else a - b if op == "-" else a * b
    if not math.isfinite(r):
        raise OverflowError(f"{a:g} {op} {b:g} overflows a float")
    return r


def parse_assignments(items: Iterable[str], form: str = "NAME=NUMBER") -> dict[str, float]:
    """``['a=2', 'b=-3']`` -> ``{'a': 2.0, 'b': -3.0}``; raises ExpressionError naming a malformed item.

    ``form`` is how the error for an item without ``=`` names what was expected.

    >>> parse_assignments(["a=2", "b=-3"])
    {'a': 2.0, 'b': -3.0}
    """
    if isinstance(items, str):
        raise TypeError(
            f"parse_assignments takes a list of strings such as ['a=2', 'b=-3'], got the string {items!r}: "
            f"put it in a list, [{items!r}]"
        )
    out: dict[str, float] = {}
    for item in items:
        if not isinstance(item, str):
            raise TypeError(
                f"parse_assignments takes strings such as 'a=2', got {type(item).__name__} {item!r}: "
                "write the name and the value as one string"
            )
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ExpressionError(f"expected {form} such as a=2, got {item!r}")
        if not _NAME.fullmatch(name):
            raise ExpressionError(f"{item!r}: {name!r} is not a variable name; {_NAME_RULE}")
        try:
            value = float(text)
        except ValueError:
            raise ExpressionError(f"{name}={text!r}: {text!r} is not a number") from None
        if not math.isfinite(value):
            raise ExpressionError(f"{name}={text}: the value must be finite")
        if name in out:
            raise ExpressionError(f"{name} is given twice")
        out[name] = value
    return out
