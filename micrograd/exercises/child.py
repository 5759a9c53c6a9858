"""The learner's side of ``micrograd check``: run the file, make the checker's calls, write down each answer.

`micrograd.exercises.checker` starts `main` in a Python process of its own, so
whatever the learner's file does (replace micrograd's functions, switch
`no_grad` on, change the checker's tolerances, loop forever, call
``os._exit``) happens here and ends with this process. The checker sends the
calls it wants made as JSON (`micrograd.exercises.answers`); `execute` runs
the file, makes them in order, and passes each record on as soon as it exists:

* ``{"loaded": true}`` once the file ran, or ``{"no_run": [problem, where]}``
  when it did not (and nothing more);
* one record per call: ``{"answer": data}``, ``{"missing": [problem, unwritten]}``,
  or for a derivative ``{"derivative": [autograd at x, f(x + eps), f(x - eps)]}``;
* ``{"done": true}`` at the end.

So a process that hangs or dies midway still leaves the answers it had. No
expected value is computed here: the checker computes them in its own process.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from micrograd.engine import Value
from micrograd.exercises.answers import Json, decode, encode, short, values_in

__all__ = ["main", "execute", "described"]

# Taken now, before the learner's file can replace them in this process.
_dumps = json.dumps
_write_fd = os.write


def described(e: BaseException) -> str:
    """``TypeName: message``, or the name alone when the message is empty (``sys.exit()``)."""
    try:
        message = short(str(e))
    except Exception:  # the learner's exception class may fail to print itself
        message = ""
    return f"{type(e).__name__}: {message}" if message else type(e).__name__


def where(e: BaseException, path: Path) -> str:
    """`` (line N)``: the last line of the learner's file in ``e``'s traceback, or nothing."""
    lines = [fr.lineno for fr in traceback.extract_tb(e.__traceback__) if Path(fr.filename) == path]
    return f" (line {lines[-1]})" if lines else ""


class _NoAnswer(Exception):
    """The learner's function gave no usable answer; ``unwritten``: it is not written yet."""

    def __init__(self, problem: str, unwritten: bool = False) -> None:
        super().__init__(problem)
        self.record = {"missing": [problem, unwritten]}


def execute(path: Path, requests: Sequence[Json], record: Callable[[Json], None]) -> None:
    """Run the learner's file at ``path``, then make each call of ``requests``; every record goes to ``record``."""
    namespace: dict[str, object] = {"__name__": "__exercise__", "__file__": str(path)}
    try:
        exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
    except BaseException as e:  # sys.exit() too: a file that does not run is reported plainly
        if isinstance(e, SyntaxError):
            record({"no_run": [f"SyntaxError: {short(str(e.msg))}", f" (line {e.lineno})"]})
        else:
            record({"no_run": [described(e), where(e, path)]})
        return
    record({"loaded": True})
    for request in requests:
        try:
            record(_derivative(namespace, path, request) if "derivative" in request
                   else _answer(namespace, path, request))
        except _NoAnswer as e:
            record(e.record)
    record({"done": True})


def _repr(x: object) -> str:
    try:
        return short(repr(x), 60)
    except Exception:  # the learner's __repr__
        return "?"


def _call(namespace: dict[str, object], path: Path, fname: str, args: Sequence[object]) -> object:
    f = namespace.get(fname)
    if f is None:
        raise _NoAnswer(f"{fname} is not defined in your file", unwritten=True)
    if not callable(f):
        raise _NoAnswer(f"{fname} is a {type(f).__name__}, not a function")
    try:
        out = f(*args)
    except NotImplementedError:
        raise _NoAnswer(f"{fname} is not written yet (raises NotImplementedError)", unwritten=True) from None
    except BaseException as e:  # the learner's bug, sys.exit() too: a row in the table, never a traceback
        raise _NoAnswer(f"{fname} raised {described(e)}{where(e, path)}") from None
    if out is None:
        raise _NoAnswer(f"{fname} returned None (not filled in yet?)", unwritten=True)
    return out


def _answer(namespace: dict[str, object], path: Path, request: Json) -> Json:
    fname = request["call"]
    args = decode(request["args"], trusted=True)
    assert isinstance(args, tuple)
    known = values_in(args)  # before the call: the function may change its arguments
    out = _call(namespace, path, fname, args)
    try:
        return {"answer": encode(out, known)}
    except BaseException as e:  # reading the answer runs its code (__float__, __iter__...)
        raise _NoAnswer(f"{fname} returned a {type(out).__name__} that raised {described(e)}{where(e, path)} "
                        "when it was read") from None


def _derivative(namespace: dict[str, object], path: Path, request: Json) -> Json:
    """The learner's op at x: its autograd derivative there, and its values at x + eps and x - eps."""
    fname, x, eps = request["derivative"], request["x"], request["eps"]
    found: list[float] = []
    for i, point in enumerate((x, x + eps, x - eps)):
        args = decode(request["args"], trusted=True)
        assert isinstance(args, tuple)
        leaf = values_in(args)[request["at"]]
        leaf.data = point
        out = _call(namespace, path, fname, args)
        if not isinstance(out, Value):
            raise _NoAnswer(f"{fname} must return a Value, got {type(out).__name__}: {_repr(out)}")
        try:
            if i == 0:
                out.backward()
            found.append(float(leaf.grad) if i == 0 else float(out.data))
        except BaseException as e:
            raise _NoAnswer(f"checking {fname}'s derivative raised {described(e)}{where(e, path)}") from None
    return {"derivative": found}


def main(argv: Sequence[str]) -> None:
    """``CALLS ANSWERS FILE``: make the calls in the JSON file CALLS to FILE's functions, appending records to ANSWERS.

    Ends the process once the answers are written: the learner's ``atexit``
    handlers and finalizers do not run, so they cannot hold up the checker.
    """
    calls, answers, path = argv
    # stdin is a pipe that the checker never writes to: it closes when the checker ends, however it ends
    lifeline = os.dup(0)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)  # and input() gets nothing instead of waiting
    threading.Thread(target=_end_with_the_checker, args=(lifeline,), daemon=True).start()
    requests = json.loads(Path(calls).read_text(encoding="utf-8"))
    sys.argv = [path]
    sys.path[0] = str(Path(path).parent)  # as `python FILE` would: modules next to the file can be imported
    fd = os.open(answers, os.O_WRONLY | os.O_APPEND)

    def record(r: Json) -> None:
        _write_fd(fd, (_dumps(r) + "\n").encode())  # unbuffered: a record is written even if the process dies next

    try:
        execute(Path(path), requests, record)
    except BaseException:
        record({"error": traceback.format_exc()})
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:  # the file may have replaced or closed them
            pass
    os._exit(0)


def _end_with_the_checker(lifeline: int) -> None:
    """Wait for the checker's end of the pipe to close, then end this process and what it started."""
    try:
        while os.read(lifeline, 1):
            pass
    except OSError:
        pass
    if hasattr(os, "killpg"):
        os.killpg(0, signal.SIGKILL)  # the group of this process, which the checker made for it
    os._exit(1)
