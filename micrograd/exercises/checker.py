"""The exercise checker: run a learner's file, call its functions, compare their answers.

An exercise file is plain Python. It names its exercise on one line,
``EXERCISE = "alice_w1"``, and defines the functions the exercise asks for. The
checks (`micrograd.exercises.catalogue`) call the learner's functions through a
`Run` on inputs they choose and compare the answers with references that
micrograd computes itself (autograd, `gradcheck`, or plain math), so a file
passes only if its formulas are right, not by holding the right number.

`check_file` returns the exit status and the report: one row per check
(expected, received, verdict) and a hint for each failure.
"""

from __future__ import annotations

import ast
import builtins
import math
import numbers
import random
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np

from micrograd.engine import Value
from micrograd.gradcheck import check_gradients, diagnose, format_table

__all__ = ["Exercise", "Item", "Run", "Missing", "UsageError", "check_file", "starters_dir", "HAND", "NUMERIC",
           "SAME_FORMULA", "entries", "number_of", "shown", "short"]

# Tolerances. A hand formula and autograd both evaluate exact math in float64; they
# differ only by rounding order (~1e-16 relative), so 1e-7 relative catches any
# wrong or missing term while accepting any correct way of writing the formula.
HAND = {"atol": 1e-10, "rtol": 1e-7}
# A central difference with h = 1e-4 is within ~1e-8 of the true derivative for the
# smooth functions used here; a forward difference is ~1e-4 off, so it fails.
NUMERIC = {"atol": 1e-7, "rtol": 1e-6}
# A formula evaluated the same way as the reference, up to rounding amplified by 1/h.
SAME_FORMULA = {"atol": 1e-9, "rtol": 1e-9}


# ---------------------------------------------------------------------------- results


@dataclass
class Item:
    """One check: what was expected, what the learner's code gave, and whether it passed."""

    name: str
    expected: str
    received: str
    ok: bool
    verdict: str
    hint: str = ""


class Missing:
    """What `Run.call` returns when the learner's function gave no usable answer."""

    def __init__(self, problem: str, unwritten: bool = False) -> None:
        self.problem = problem
        self.unwritten = unwritten  # not attempted yet: say so, keep the hint for a wrong answer


def shown(x: object) -> str:
    if isinstance(x, float):
        return f"{x:.9g}"
    if isinstance(x, str):
        return x
    text = repr(x)
    return text if len(text) <= 40 else text[:37] + "..."


class _Guard:
    """Keeps what the learner's file changes in micrograd, math and builtins away from the references.

    The file runs in this process, and the references are computed with Value's
    methods, micrograd's functions, math and numpy, all of which it can replace
    (``Value.softplus = my_softplus``, as `Value.from_op`'s docstring shows for an
    op of one's own). So the checker keeps the original attributes: the file's
    changes are in place only while the file's own code runs (`learners_code`), and
    the originals at every other moment, including after the check.
    """

    def __init__(self) -> None:
        self.targets = _guarded_objects()
        self.original = self._snapshot()
        self.learners = self.original

    def _snapshot(self) -> list[dict[str, object]]:
        # classes: their whole dict; modules: what can be called (state such as no_grad's flag is left alone)
        return [dict(vars(t)) if isinstance(t, type)
                else {k: v for k, v in vars(t).items() if callable(v) or isinstance(v, ModuleType)}
                for t in self.targets]

    def _put(self, state: list[dict[str, object]]) -> None:
        missing = object()
        for target, attributes in zip(self.targets, state):
            current = vars(target)
            if isinstance(target, type):
                for name in [k for k in current if k not in attributes]:
                    delattr(target, name)  # an attribute the learner added to the class
            for name, value in attributes.items():
                if current.get(name, missing) is not value:
                    setattr(target, name, value)

    def keep_learners_changes(self) -> None:
        """After the learner's file ran: remember what it changed, and put the originals back."""
        self.learners = self._snapshot()
        self._put(self.original)

    def restore(self) -> None:
        """Put the original attributes back."""
        self._put(self.original)

    @contextmanager
    def learners_code(self) -> Iterator[None]:
        """The learner's changes in place, for a call into the learner's code."""
        self._put(self.learners)
        try:
            yield
        finally:
            self.learners = self._snapshot()  # a function may change things too, for its next call
            self._put(self.original)


def _guarded_objects() -> list[object]:
    """The modules and classes whose attributes the references are computed with."""
    modules = [m for name, m in sorted(sys.modules.items())
               if isinstance(m, ModuleType) and (name == "micrograd" or name.startswith("micrograd."))]
    classes = [v for m in [*modules, random] for v in vars(m).values()
               if isinstance(v, type) and v.__module__ == m.__name__]
    return list({id(t): t for t in [*modules, *classes, math, builtins, random, numbers, np]}.values())


class Run:
    """The learner's namespace plus the items checked so far."""

    def __init__(self, namespace: dict[str, object], path: Path, guard: _Guard) -> None:
        self.ns = namespace
        self.path = path
        self.guard = guard
        self.items: list[Item] = []

    def call(self, fname: str, *args: object) -> object:
        """Call the learner's ``fname``; a `Missing` saying why when there is no answer."""
        f = self.ns.get(fname)
        if f is None:
            return Missing(f"{fname} is not defined in your file", unwritten=True)
        if not callable(f):
            return Missing(f"{fname} is a {type(f).__name__}, not a function")
        try:
            with self.guard.learners_code():
                out = f(*args)
        except NotImplementedError:
            return Missing(f"{fname} is not written yet (raises NotImplementedError)", unwritten=True)
        except KeyboardInterrupt:
            raise
        except BaseException as e:  # the learner's bug, sys.exit() too: a row in the table, never a traceback
            return Missing(f"{fname} raised {described(e)}{self._where(e)}")
        if out is None:
            return Missing(f"{fname} returned None (not filled in yet?)", unwritten=True)
        return out

    def _where(self, e: BaseException) -> str:
        lines = [fr.lineno for fr in traceback.extract_tb(e.__traceback__) if Path(fr.filename) == self.path]
        return f" (line {lines[-1]})" if lines else ""

    def add(self, name: str, expected: object, received: object, ok: bool, verdict: str, hint: str) -> None:
        self.items.append(Item(name, shown(expected), shown(received), ok, verdict, "" if ok else hint))

    def number(self, name: str, expected: float, got: object, hint: str, tol: dict[str, float] = HAND) -> None:
        """Check that ``got`` is a real number close to ``expected`` (PyTorch's rule)."""
        if isinstance(got, Missing):
            return self.add(name, expected, "-", False, "FAIL: " + got.problem, "" if got.unwritten else hint)
        if isinstance(got, Value):
            return self.add(name, expected, got, False, "FAIL: returned a Value; return a plain float", hint)
        if isinstance(got, bool) or not isinstance(got, numbers.Real):
            return self.add(name, expected, got, False, f"FAIL: returned a {type(got).__name__}, not a number", hint)
        got = float(got)
        ok = math.isfinite(got) and abs(got - expected) <= tol["atol"] + tol["rtol"] * abs(expected)
        self.add(name, expected, got, ok, "ok" if ok else "FAIL: " + diagnose(got, expected, written=True), hint)

    def partials(self, name: str, got: object, loss: Value, labels: Sequence[str], hint: str) -> None:
        """Check a dict of hand partials ``{label: dL/dlabel}`` against autograd of ``loss``."""
        if isinstance(got, Missing) or not isinstance(got, dict):
            if isinstance(got, Missing):
                return self.add(name, f"dict of {len(labels)}", "-", False, "FAIL: " + got.problem,
                                "" if got.unwritten else hint)
            return self.add(name, f"dict of {len(labels)}", got, False, f"FAIL: returned a {type(got).__name__}", hint)
        usable: dict[str, float] = {}
        problems: dict[str, str] = {}
        for label in labels:
            v = got.get(label)
            if v is None or isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
                problems[label] = "missing" if label not in got else f"is {shown(v)}, not a number"
            else:
                usable[label] = float(v)
        rows = {}
        if usable:
            rows = {r.name: r for r in check_gradients(usable, loss, **HAND, raise_exception=False).rows}
        for label in labels:  # in the exercise's order, whatever the order of the learner's dict
            if label in problems:
                self.add(f"{name}: d/d{label}", "a number", got.get(label), False, f"FAIL: {label} {problems[label]}",
                         hint)
            else:
                row = rows[label]
                verdict = "ok" if row.ok else "FAIL: " + row.verdict.removeprefix("WRONG: ")
                self.add(f"{name}: d/d{label}", row.autograd, row.hand, row.ok, verdict, hint)
        for label in got:
            if label not in labels:
                why = f"FAIL: {label!r} is not one of {list(labels)}"
                self.add(f"{name}: {label!r}", "-", got[label], False, why, hint)


def described(e: BaseException) -> str:
    """``TypeName: message``, or the name alone when the message is empty (``sys.exit()``)."""
    message = short(str(e))
    return f"{type(e).__name__}: {message}" if message else type(e).__name__


def short(text: str, n: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 3] + "..."


def entries(got: object, n: int, fname: str) -> list[object]:
    """The n entries of a learner's list answer, or n copies of the reason there are none."""
    if isinstance(got, Missing):
        return [got] * n
    if isinstance(got, str) or not isinstance(got, Sequence | np.ndarray) or len(got) != n:
        return [Missing(f"{fname} should return a list of {n} numbers, got {shown(got)}")] * n
    return list(got)


def number_of(got: object) -> object:
    """A Value's number; anything else unchanged (so a wrong kind of answer is reported as such)."""
    return got.data if isinstance(got, Value) else got


@dataclass(frozen=True)
class Exercise:
    """An exercise: its id (the starter's file name), a one-line title and its checks."""

    id: str
    title: str
    checks: Callable[[Run], None]


# ---------------------------------------------------------------------------- the command


class UsageError(Exception):
    """The command was used wrongly (exit status 2); the message says how to use it."""


def _exercise_id(path: Path) -> str:
    """The id in the file's ``EXERCISE = "..."`` line, read without running the file."""
    if not path.exists():
        raise UsageError(f"{path}: no such file")
    if not path.is_file() or path.suffix != ".py":
        raise UsageError(f"{path} is not a Python file; give an exercise file such as docs/exercises/alice_w1.py")
    source = path.read_text(encoding="utf-8", errors="replace")
    try:
        tree = ast.parse(source, str(path))
    except SyntaxError:
        # Only an exercise file is worth running; find its marker line by text instead.
        ids = [line.split("=", 1)[1].strip().strip("\"'") for line in source.splitlines()
               if line.replace(" ", "").startswith("EXERCISE=")]
        if not ids:
            raise UsageError(f"{path} is not an exercise file (no EXERCISE = \"...\" line)") from None
        return ids[0]
    for node in tree.body:
        if (isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["EXERCISE"]
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
            return node.value.value
    raise UsageError(f"{path} is not an exercise file: it has no line EXERCISE = \"...\" "
                     "(list the exercises with: micrograd check --list)")


def check_file(path: str | Path) -> tuple[int, str]:
    """Run the checks of the exercise that ``path`` names: ``(exit status, report text)``.

    Raises `UsageError` for a missing file or one that is not an exercise file.
    """
    exercise_id = _exercise_id(Path(path))  # messages name the file as the user gave it
    path = Path(path).resolve()
    from micrograd.exercises.catalogue import EXERCISES

    exercise = EXERCISES.get(exercise_id)
    if exercise is None:
        raise UsageError(f"{path.name} names exercise {exercise_id!r}, which does not exist; "
                         f"known exercises: {', '.join(EXERCISES)}")
    namespace: dict[str, object] = {"__name__": "__exercise__", "__file__": str(path)}
    guard = _Guard()
    run = Run(namespace, path, guard)
    try:
        try:
            exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
        except KeyboardInterrupt:
            raise
        except BaseException as e:  # a file that does not run (or exits) is a failed check, reported plainly
            if isinstance(e, SyntaxError):
                problem, where = f"SyntaxError: {short(e.msg)}", f" (line {e.lineno})"
            else:
                problem, where = described(e), run._where(e)
            return 1, (f"{exercise.id}: {exercise.title}\n"
                       f"FAIL: your file does not run: {problem}{where}\n"
                       f"Fix it and run again: micrograd check {_shown(path)}")
        guard.keep_learners_changes()
        try:
            exercise.checks(run)
        except KeyboardInterrupt:
            raise
        except BaseException as e:
            # Raised by an object the learner's code returned (its __float__, say), outside `Run.call`.
            where = run._where(e)
            if not where:
                raise  # not from the learner's file: a bug of the checker, shown as one
            run.add("(checking stopped)", "-", "-", False,
                    f"FAIL: your answer raised {described(e)}{where} while it was checked", "")
    finally:
        guard.restore()
    return (0 if all(i.ok for i in run.items) else 1), _report(exercise, run.items, path)


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _report(exercise: Exercise, items: list[Item], path: Path) -> str:
    header = ["check", "expected", "received", "verdict"]
    rows = [[i.name, i.expected, i.received, i.verdict] for i in items]
    lines = [f"{exercise.id}: {exercise.title}", format_table(header, rows, [not i.ok for i in items])]
    passed = sum(i.ok for i in items)
    if passed == len(items):
        lines.append(f"All {len(items)} checks passed.")
        return "\n".join(lines)
    lines.append(f"{passed} of {len(items)} checks passed.")
    hints = list(dict.fromkeys(i.hint for i in items if not i.ok and i.hint))
    if hints:
        lines.append("Hints:")
        lines += [f"  - {h}" for h in hints]
    lines.append(f"Edit the file and run again: micrograd check {_shown(path)}")
    return "\n".join(lines)


def starters_dir() -> Path | None:
    """Where the starter files are: next to the package when installed, else the repo's docs/exercises."""
    package = Path(__file__).resolve().parent.parent
    for folder in (package / "_exercises", package.parent / "docs" / "exercises"):
        if folder.is_dir():
            return folder
    return None


