"""Gradient exercises: the checker (`checker`) and the exercises it knows (`catalogue`).

``micrograd check FILE`` (`micrograd.cli.check`) runs `check_file`; the starter
files are in ``docs/exercises/`` (`starters_dir`).
"""

from micrograd.exercises.catalogue import EXERCISES
from micrograd.exercises.checker import Exercise, Item, UsageError, check_file, starters_dir

__all__ = ["EXERCISES", "Exercise", "Item", "UsageError", "check_file", "starters_dir"]
