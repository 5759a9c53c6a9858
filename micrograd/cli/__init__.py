"""The ``micrograd`` command line: ``python -m micrograd --help``.

Each subcommand is a module of this package (``demo``, ``draw``, ``play``, ``check``) that
exposes ``register(subparsers)``, which adds its parser and sets ``func`` to a
function ``args -> exit status``. Exit status: 0 success, 1 a failed check, 2 usage error.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

import micrograd

#: modules that provide a subcommand, in --help order
SUBCOMMAND_MODULES: tuple[str, ...] = (
    "micrograd.cli.demo", "micrograd.cli.draw", "micrograd.cli.play", "micrograd.cli.check",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="micrograd",
        description="A small scalar autograd engine: demos, graph drawings and gradient-check exercises.",
    )
    parser.add_argument("--version", action="version", version=f"micrograd {micrograd.__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name in SUBCOMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
