"""Gradient exercises: the checker (`checker`) and the exercises it knows (`catalogue`).

``micrograd check FILE`` (`micrograd.cli.check`) runs `check_file`; the starter
files are in ``docs/exercises/`` (`starters_dir`). The names load on first use,
so the process that runs a learner's file (`child`) starts without them.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False
if TYPE_CHECKING:
    from micrograd.exercises.catalogue import EXERCISES
    from micrograd.exercises.checker import Exercise, Item, UsageError, check_file, starters_dir

# name -> the module that defines it, imported on first use (PEP 562)
_LAZY = {
    "EXERCISES": "micrograd.exercises.catalogue",
    "Exercise": "micrograd.exercises.checker",
    "Item": "micrograd.exercises.checker",
    "UsageError": "micrograd.exercises.checker",
    "check_file": "micrograd.exercises.checker",
    "starters_dir": "micrograd.exercises.checker",
}

__all__ = ["EXERCISES", "Exercise", "Item", "UsageError", "check_file", "starters_dir"]


def __getattr__(name: str) -> object:
    if name not in _LAZY:
        raise AttributeError(f"module 'micrograd.exercises' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value
