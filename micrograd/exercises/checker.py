"""The exercise checker: run a learner's file in a process of its own, judge its answers in this one.

An exercise file is plain Python. It names its exercise on one line,
``EXERCISE = "alice_w1"``, and defines the functions the exercise asks for. The
checks (`micrograd.exercises.catalogue`) call the learner's functions through a
`Run` on inputs they choose and compare the answers with references that
micrograd computes itself (autograd, gradcheck's rule, or plain math), so a file
passes only if its formulas are right, not by holding the right number.

`check_file` runs the exercise's check function twice in this process and the
learner's file once in another:

1. planning: the checks run with every answer missing, which lists the calls
   they make (a check chooses its calls without looking at answers);
2. a new Python process (`micrograd.exercises.child`) runs the file and makes
   those calls, within a time limit, writing each answer down as data as soon
   as it has it (`micrograd.exercises.answers`);
3. replay: the checks run again, each call answered by the answer rebuilt from
   that data, and compare it with the reference computed here.

Whatever the file changes (micrograd's classes, `no_grad`, the tolerances
below), it changes in its own process, and no object it made reaches this one.
A call whose answer never came (the file looped, exited or crashed) is a failed
row that says so. `check_file` returns the exit status and the report: what the
file printed, one row per check (expected, received, verdict), and a hint for
each failure.
"""

from __future__ import annotations

import ast
import json
import math
import numbers
import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TypeVar

import numpy as np

from micrograd.engine import Value
from micrograd.exercises.answers import Json, decode, encode, short, values_in
from micrograd.gradcheck import DEFAULT_EPS, _close, check_gradients, diagnose, format_table, gradcheck_row

__all__ = ["Exercise", "Item", "Run", "Missing", "UsageError", "check_file", "starters_dir", "HAND", "NUMERIC",
           "SAME_FORMULA", "DEFAULT_TIMEOUT", "entries", "number_of", "shown"]

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
    """What `Run.call` returns when the learner's function gave no usable answer.

    ``unwritten``: the function is not written yet, so the check's hint (which
    is about a wrong answer) is not shown; ``hint``: a hint of its own instead.
    """

    def __init__(self, problem: str, unwritten: bool = False, hint: str | None = None) -> None:
        self.problem = problem
        self.unwritten = unwritten
        self.hint = hint

    def hint_for(self, hint: str) -> str:
        """The hint to show for this instead of an answer, where the check's own hint is ``hint``."""
        if self.hint is not None:
            return self.hint
        return "" if self.unwritten else hint


def shown(x: object) -> str:
    if isinstance(x, float):
        return f"{x:.9g}"
    if isinstance(x, str):
        return x
    text = repr(x)
    return text if len(text) <= 40 else text[:37] + "..."



class Run:
    """What a check function works with: the learner's answers, and the items checked so far.

    ``call`` and ``gradcheck`` get the answers the learner's process wrote down,
    in the order the checks were planned (``requests``); ``stopped`` says why
    there are no more when the process ended early.
    """

    def __init__(self, path: Path, requests: Sequence[Json] = (), answers: Sequence[Json] = (),
                 stopped: Missing | None = None) -> None:
        self.path = path
        self.items: list[Item] = []
        self._requests = requests
        self._answers = answers
        self._stopped = stopped
        self._asked = 0

    def _ask(self, request: Json) -> Json:
        """The learner's process's record for ``request``, or a `Missing` saying why there is none."""
        i = self._asked
        self._asked += 1
        if i >= len(self._requests) or json.dumps(self._requests[i]) != json.dumps(request):
            raise RuntimeError(f"call {i + 1} of the checks, {short(json.dumps(request))}, is not the one planned: "
                               "a check must choose its calls without looking at the answers")
        if i < len(self._answers):
            return self._answers[i]
        if self._stopped is None:
            raise RuntimeError(f"the learner's process finished without answering call {i + 1}")
        return self._stopped

    def call(self, fname: str, *args: object) -> object:
        """The learner's ``fname`` called on ``args``: its answer, or a `Missing` saying why there is none."""
        record = self._ask({"call": fname, "args": encode(args, functions=True)})
        return _read(record, fname, lambda r: decode(r["answer"], values_in(args)))

    def gradcheck(self, name: str, fname: str, args: Callable[[Value], Sequence[object]], x: float,
                  hint: str) -> None:
        """Check the derivative of the learner's op ``fname`` at ``x`` the way `gradcheck` does.

        ``args(v)`` are the arguments of ``fname`` with the Value ``v`` among
        them. The learner's process calls ``fname`` there (its autograd
        derivative at x, its values at x +- eps); the central difference and
        the verdict are computed here, with `gradcheck`'s rule.
        """
        probe = Value(x)
        arguments = tuple(args(probe))
        at = next((i for i, v in enumerate(values_in(arguments)) if v is probe), None)
        if at is None:
            raise ValueError(f"args(v) must put v among the arguments of {fname}, got {short(repr(arguments))}")
        record = self._ask({"derivative": fname, "args": encode(arguments, functions=True), "at": at, "x": x,
                            "eps": DEFAULT_EPS})
        got = _read(record, fname, lambda r: _three(*r["derivative"]))
        if isinstance(got, Missing):
            return self.add(name, "-", "-", False, "FAIL: " + got.problem, got.hint_for(hint))
        analytic, up, down = got
        row = gradcheck_row(name, analytic, (up - down) / (2 * DEFAULT_EPS))
        verdict = "ok" if row.ok else "FAIL: derivative " + row.verdict.removeprefix("WRONG: ")
        self.add(name, row.numeric, row.autograd, row.ok, verdict, hint)

    def add(self, name: str, expected: object, received: object, ok: bool, verdict: str, hint: str) -> None:
        self.items.append(Item(name, shown(expected), shown(received), ok, verdict, "" if ok else hint))

    def number(self, name: str, expected: float, got: object, hint: str, tol: dict[str, float] = HAND) -> None:
        """Check that ``got`` is a real number close to ``expected`` (PyTorch's rule)."""
        if isinstance(got, Missing):
            return self.add(name, expected, "-", False, "FAIL: " + got.problem, got.hint_for(hint))
        if isinstance(got, Value):
            return self.add(name, expected, got, False, "FAIL: returned a Value; return a plain float", hint)
        if isinstance(got, bool) or not isinstance(got, numbers.Real):
            return self.add(name, expected, got, False, f"FAIL: returned a {type(got).__name__}, not a number", hint)
        got = float(got)
        ok = math.isfinite(got) and _close(got, expected, tol["atol"], tol["rtol"])
        self.add(name, expected, got, ok, "ok" if ok else "FAIL: " + diagnose(got, expected, written=True), hint)

    def partials(self, name: str, got: object, loss: Value, labels: Sequence[str], hint: str) -> None:
        """Check a dict of hand partials ``{label: dL/dlabel}`` against autograd of ``loss``."""
        if isinstance(got, Missing) or not isinstance(got, dict):
            if isinstance(got, Missing):
                return self.add(name, f"dict of {len(labels)}", "-", False, "FAIL: " + got.problem,
                                got.hint_for(hint))
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


T = TypeVar("T")


def _read(record: Json | Missing, fname: str, read: Callable[[Json], T]) -> T | Missing:
    """What ``read`` makes of a record of the learner's process, or a `Missing` saying why there is no answer."""
    if isinstance(record, Missing):
        return record
    try:
        if "missing" in record:
            problem, unwritten = record["missing"]
            return Missing(str(problem), unwritten is True)
        return read(record)
    except Exception:  # only a file that writes over its answers makes one unreadable
        return Missing(f"the answer recorded for {fname} is unreadable")


def _three(analytic: float, up: float, down: float) -> tuple[float, float, float]:
    return float(analytic), float(up), float(down)


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


DEFAULT_TIMEOUT = 10.0


def check_file(path: str | Path, *, timeout: float = DEFAULT_TIMEOUT) -> tuple[int, str]:
    """Run the checks of the exercise that ``path`` names: ``(exit status, report text)``.

    The file runs in a new Python process that is stopped after ``timeout``
    seconds; the report starts with what it printed. Raises `UsageError` for a
    missing file, one that is not an exercise file, or a bad ``timeout``.
    """
    if isinstance(timeout, bool) or not isinstance(timeout, numbers.Real) or not 0 < timeout < math.inf:
        raise UsageError(f"the time limit must be a number of seconds above 0 (--timeout 30), got {timeout!r}")
    exercise_id = _exercise_id(Path(path))  # messages name the file as the user gave it
    path = Path(path).resolve()
    from micrograd.exercises.catalogue import EXERCISES

    exercise = EXERCISES.get(exercise_id)
    if exercise is None:
        raise UsageError(f"{path.name} names exercise {exercise_id!r}, which does not exist; "
                         f"known exercises: {', '.join(EXERCISES)}")
    plan = _Planner(path)
    exercise.checks(plan)
    outcome = _run_learner(path, plan.requests, float(timeout))
    printed = "".join(t if t.endswith("\n") else t + "\n" for t in (outcome.output, outcome.error()) if t)
    first = outcome.first()
    if "no_run" in first:
        problem, where = first["no_run"]
        return 1, (f"{printed}{exercise.id}: {exercise.title}\n"
                   f"FAIL: your file does not run: {problem}{where}\n"
                   f"Fix it and run again: micrograd check {_shown(path)}")
    run = Run(path, plan.requests, outcome.answers(), outcome.stopped(plan.requests, timeout, _shown(path)))
    exercise.checks(run)
    return (0 if all(i.ok for i in run.items) else 1), printed + _report(exercise, run.items, path)


class _Planner(Run):
    """A `Run` with every answer missing: running the checks with it lists the calls they make."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.requests: list[Json] = []

    def _ask(self, request: Json) -> Json:
        self.requests.append(request)
        return _PLANNED

    def add(self, name: str, expected: object, received: object, ok: bool, verdict: str, hint: str) -> None:
        pass  # nothing to judge yet


_PLANNED = Missing("not asked yet")


# ---------------------------------------------------------------------------- the learner's process

# The learner's process imports micrograd from where this process did, whatever its current folder holds.
_CHILD = "import sys; sys.path[0] = sys.argv[1]; from micrograd.exercises.child import main; main(sys.argv[2:])"
# Kill the learner's process with whatever it started: a process group of its own (POSIX).
_GROUPS = hasattr(os, "killpg")


@dataclass
class _Outcome:
    """What the learner's process left: its records, what it printed, and how it ended."""

    records: list[Json]
    output: str = ""
    timed_out: bool = False
    status: int = 0  # its exit status; negative: killed by that signal

    def error(self) -> str:
        """The traceback of an error of the checker's own code in that process, or ``""``."""
        return next((str(r["error"]) for r in self.records if isinstance(r, dict) and "error" in r), "")

    def first(self) -> dict[str, Json]:
        """``{"loaded": true}``, ``{"no_run": [problem, where]}``, or ``{}`` when the file did not get that far."""
        first = self.records[0] if self.records else {}
        if first == {"loaded": True}:
            return first
        no_run = first.get("no_run") if isinstance(first, dict) else None
        if isinstance(no_run, list) and len(no_run) == 2 and all(isinstance(t, str) for t in no_run):
            return first
        return {}  # the records are written in the learner's process: its file may have written over them

    def finished(self) -> bool:
        return len(self.records) > 1 and self.records[-1] == {"done": True}

    def answers(self) -> list[Json]:
        """One record per call made, in order."""
        if "loaded" not in self.first():
            return []
        return [r for r in self.records[1:] if not (isinstance(r, dict) and ("done" in r or "error" in r))]

    def stopped(self, requests: Sequence[Json], timeout: float, shown_path: str) -> Missing:
        """Why the calls after the last answer have none."""
        if self.error():
            last = self.error().strip().splitlines()[-1:] or [""]
            return Missing(f"micrograd check itself failed in your file's process: {short(last[0])}",
                           hint="if your file does not change json, os or the builtins, this is a bug of micrograd "
                                "check: please report it with the error shown above")
        if self.finished():  # yet calls without an answer
            return Missing("the answers written down in your file's process are unreadable: did your file write "
                           "over them?")
        n = len(self.answers())
        stage = "its top level"
        if "loaded" in self.first() and n < len(requests):
            stage = requests[n].get("call") or requests[n].get("derivative")
        if self.timed_out:
            return Missing(f"your file did not finish in {timeout:g} s (it was running {stage})",
                           hint=f"look for a loop that never ends in {stage}; if your file is only slow, "
                                f"give it more time: micrograd check --timeout 60 {shown_path}")
        if self.status < 0:
            try:
                name = signal.Signals(-self.status).name
            except ValueError:
                name = f"signal {-self.status}"
            return Missing(f"the process running your file was killed by {name} (it was running {stage})",
                           hint="a crash, or too much memory? run the function yourself to see what happens")
        return Missing(f"your file exited before it was checked (exit status {self.status} while running {stage}: "
                       "os._exit()?)", hint="return your answers: os._exit() ends the process that runs your file "
                       "before its answers are checked")


def _run_learner(path: Path, requests: Sequence[Json], timeout: float) -> _Outcome:
    """Run the file in a new Python process that makes the calls ``requests``; stop it after ``timeout`` s."""
    with tempfile.TemporaryDirectory(prefix="micrograd-check-") as folder:
        calls, answers = Path(folder) / "calls.json", Path(folder) / "answers.jsonl"
        calls.write_text(json.dumps(requests), encoding="utf-8")
        answers.touch()
        package_root = str(Path(__file__).resolve().parent.parent.parent)
        child = subprocess.Popen(
            [sys.executable, "-c", _CHILD, package_root, str(calls), str(answers), str(path)],
            stdin=subprocess.PIPE,  # its lifeline: when this process ends, so does the learner's
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8"},  # prints arrive as made
            start_new_session=_GROUPS,
        )
        assert child.stdout is not None
        output = _Output(child.stdout)
        timed_out = False
        try:
            child.wait(timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            _end(child)
        records = _records(answers.read_text(encoding="utf-8", errors="replace"))
    return _Outcome(records, output.text(), timed_out, child.returncode)


def _end(child: subprocess.Popen[bytes]) -> None:
    """Kill the learner's process and what it started (a process of its own it left running, say)."""
    if _GROUPS:
        # The group outlives its leader while a member is left, and Linux does not reuse its id meanwhile.
        try:
            os.killpg(child.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):  # the group is gone already
            pass
    else:
        child.kill()
    child.wait()
    if child.stdin:
        child.stdin.close()


def _records(text: str) -> list[Json]:
    records = []
    for line in text.splitlines():
        try:
            records.append(json.loads(line))
        except (ValueError, RecursionError):  # a line cut short by the end of the process
            break
    return records


class _Output:
    """What the learner's process prints, read as it comes (a full pipe would stop it); the start is kept."""

    LIMIT = 20_000  # bytes: a print in an endless loop must not fill the memory

    def __init__(self, stream: IO[bytes]) -> None:
        self._kept = bytearray()
        self._dropped = 0
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: IO[bytes]) -> None:
        with stream:
            while chunk := os.read(stream.fileno(), 1 << 16):
                room = max(self.LIMIT - len(self._kept), 0)
                self._kept += chunk[:room]
                self._dropped += len(chunk) - min(room, len(chunk))

    def text(self) -> str:
        """What was printed; waits a moment for the end of it, which a process the file started may hold."""
        self._thread.join(timeout=2.0)
        text = bytes(self._kept).decode("utf-8", errors="replace")
        if self._dropped:
            text += f"\n... ({self._dropped} more bytes of output not shown)\n"
        return text


def _run_here(path: Path, requests: Sequence[Json], timeout: float) -> _Outcome:
    """`_run_learner` in this process, without a time limit: only for files known to behave (the tests)."""
    from micrograd.exercises.child import execute

    records: list[Json] = []
    execute(path, json.loads(json.dumps(requests)), lambda r: records.append(json.loads(json.dumps(r))))
    return _Outcome(records)


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


