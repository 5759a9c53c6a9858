"""``micrograd check``: check an exercise file, list the exercises, or copy a starter.

``micrograd check FILE`` runs FILE in a process of its own (stopped after
``--timeout`` seconds, 10 by default), prints what it printed, then one row per
check and a hint for each failure; exit status 0 when all pass, 1 when one
fails (including a file that does not run or does not finish), 2 for a usage
error (no such file, not an exercise file, unknown exercise, bad --timeout).
``micrograd check --list`` lists the exercises; ``micrograd check --start
NAME`` copies a starter into the current folder.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from micrograd.cli.shared import usage_error
from micrograd.exercises import EXERCISES, UsageError, check_file, starters_dir
from micrograd.exercises.checker import DEFAULT_TIMEOUT

__all__ = ["register"]


def _start(name: str) -> int:
    if name not in EXERCISES:
        raise UsageError(f"unknown exercise {name!r}; known exercises: {', '.join(EXERCISES)}")
    folder = starters_dir()
    if folder is None or not (folder / f"{name}.py").is_file():
        raise UsageError("the starter files are not installed with this copy of micrograd; "
                         "they are in docs/exercises/ of the source repository")
    target = Path.cwd() / f"{name}.py"
    if target.exists():
        raise UsageError(f"{target.name} already exists here; check it with: micrograd check {target.name}")
    shutil.copyfile(folder / f"{name}.py", target)
    print(f"wrote {target.name}: fill in its functions, then run: micrograd check {target.name}")
    return 0


def _command(args: argparse.Namespace) -> int:
    try:
        if args.list:
            width = max(map(len, EXERCISES))
            for e in EXERCISES.values():
                print(f"{e.id.ljust(width)}  {e.title}")
            return 0
        if args.start:
            return _start(args.start)
        if not args.file:
            raise UsageError("give an exercise file (micrograd check docs/exercises/alice_w1.py), "
                             "--list or --start NAME")
        status, report = check_file(args.file, timeout=args.timeout)
    except UsageError as e:
        return usage_error("check", str(e))
    print(report)
    return status


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``check`` subcommand."""
    p = sub.add_parser(
        "check",
        help="check an exercise file",
        description="Check the functions in an exercise file against micrograd's own derivatives. "
        "Exit status: 0 all checks pass, 1 a check fails, 2 usage error.",
    )
    p.add_argument("file", nargs="?", help="an exercise file, e.g. docs/exercises/alice_w1.py")
    p.add_argument("--list", action="store_true", help="list the exercises")
    p.add_argument("--start", metavar="NAME", help="copy the starter of exercise NAME into the current folder")
    p.add_argument("--timeout", metavar="SECONDS", type=float, default=DEFAULT_TIMEOUT,
                   help=f"stop the file after this many seconds, a failed check (default {DEFAULT_TIMEOUT:g})")
    p.set_defaults(func=_command)
