"""What the demo scripts and the subcommands share: command-line options, the output folder, pictures, graphs.

Every script in ``demos/`` starts from `demo_parser` (``--out DIR`` where it
writes files, ``--seed`` where it is random), counts its steps with
`positive_int`, and draws with `pyplot` and `save_figure`, which work without
matplotlib (the optional ``demos`` extra) by saying what was skipped.

``draw`` and ``play`` read their ``NAME|EXPR VAR=VALUE...`` arguments with
`graph_of` and report a usage error with `usage_error`.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from micrograd.cli.expr import METHODS, ExpressionError, evaluate, parse_assignments
from micrograd.engine import Value

__all__ = ["DEFAULT_OUT", "folder", "demo_parser", "make_out_folder", "positive_int", "pyplot", "save_figure",
           "running_as", "GraphParser", "graph_arguments", "graph_help", "graph_of", "usage_error"]

M = TypeVar("M")

#: where demos write pictures and files unless told otherwise (git-ignored in the repo)
DEFAULT_OUT = Path("out")
# (not "micrograd[demos]": on PyPI that name is another package)
MATPLOTLIB_HINT = "pip install matplotlib"

_prog: str | None = None  # the usage line's program name while `running_as` is in effect


@contextmanager
def running_as(prog: str) -> Iterator[None]:
    """Within this block, demo parsers call their program ``prog`` (``micrograd demo gender``)."""
    global _prog
    _prog = prog
    try:
        yield
    finally:
        _prog = None


def make_out_folder(path: Path) -> str | None:
    """Create the folder ``path`` (and its parents) if missing: None if it is then a writable folder, else why not.

    Demos call it before any work, so that a bad ``--out`` is a one-line usage
    error at once rather than a traceback after training.
    """
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        # mkdir says "Not a directory" or "File exists"; name the file that is in the way instead
        blocker = next((p for p in (path, *path.parents) if p.exists() and not p.is_dir()), None)
        reason = f"{blocker} is a file, not a folder" if blocker else (e.strerror or str(e)).lower()
        return f"--out {path}: {reason}"
    if not os.access(path, os.W_OK | os.X_OK):
        return f"--out {path}: the folder is not writable"
    return None


def demo_parser(description: str | None, *, out: bool = True, seed: int | None = None) -> argparse.ArgumentParser:
    """The argument parser every demo starts from: ``--out DIR`` if it writes files, ``--seed`` if it is random.

    ``description`` is usually the demo's ``__doc__``; its first line is the summary. With
    ``--out``, parsing creates the folder, or exits with status 2 and a one-line message.
    """
    parser = argparse.ArgumentParser(
        prog=_prog, description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    if out:

        def out_folder(text: str) -> Path:
            problem = make_out_folder(folder(text))
            if problem:
                parser.exit(2, f"{parser.prog}: error: {problem}\n")
            return Path(text)

        parser.add_argument(
            "--out", type=out_folder, default=str(DEFAULT_OUT), metavar="DIR",
            help=f"folder for pictures and files (default: {DEFAULT_OUT}/, created if missing)",
        )
    if seed is not None:
        parser.add_argument("--seed", type=int, default=seed, help=f"random seed (default: {seed})")
    return parser


def folder(text: str) -> Path:
    """argparse type for a folder such as ``--out``: a non-empty path (an empty one would mean here, silently)."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"needs a folder name, got an empty one (the default is {DEFAULT_OUT}/)")
    return Path(text)


def positive_int(text: str) -> int:
    """argparse type for counts such as ``--epochs``: an int >= 1."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {n}")
    return n


def pyplot(what: str = "picture") -> Any:
    """``matplotlib.pyplot`` with the file-only Agg backend, or None (after saying so) without matplotlib.

    Demos draw only when this returns a module, so they run without the
    optional ``demos`` extra.
    """
    try:
        import matplotlib
    except ImportError:
        print(f"{what} skipped: matplotlib is not installed ({MATPLOTLIB_HINT})")
        return None
    matplotlib.use("Agg")  # files only: works on machines without a display
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig: Any, path: Path) -> Path:
    """Save a matplotlib figure (creating the folder), close it, and print where it went."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    print(f"picture: {path}")
    return path


# what argparse never takes for an option: - (stdout for -o), --, negative numbers
_NOT_OPTIONS = re.compile(r"--?|-\d+|-\d*\.\d+")
# a mistyped option rather than an expression
_LONG_OPTION = re.compile(r"--[A-Za-z][\w-]*(=.*)?")


class GraphParser(argparse.ArgumentParser):
    """The parser of a command that reads ``NAME|EXPR VAR=VALUE...`` (draw, play): an expression taken for an
    option gets a hint to put it after ``--``. A subcommand's parser becomes one with
    ``parser.__class__ = GraphParser``."""

    _args: list[str] = []

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        self._args = list(sys.argv[1:] if args is None else args)
        parsed, extras = super().parse_known_args(args, namespace)
        if extras:  # here rather than in `micrograd`'s parser, so that the hint can be given
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed, extras

    def error(self, message: str) -> NoReturn:
        # argparse reads "-a*2" as an unknown option: then it complains of that, or of a missing NAME|EXPR
        options = {s for action in self._actions for s in action.option_strings}
        taken = [a for a in self._args if a.startswith("-") and a.split("=")[0] not in options
                 and not _NOT_OPTIONS.fullmatch(a) and not _LONG_OPTION.fullmatch(a)]
        if taken and "--" not in self._args:
            message += (
                f"\nan expression that starts with - is read as an option: put it after --, "
                f'e.g. {self.prog} -- "{taken[0]}" a=1'
            )
        super().error(message)


def graph_arguments(parser: argparse.ArgumentParser) -> None:
    """Make ``parser`` (a subcommand's) read ``NAME|EXPR VAR=VALUE...``, with `GraphParser`'s hint."""
    parser.__class__ = GraphParser  # subparsers are made by micrograd's parser, as plain ArgumentParsers
    parser.add_argument("target", metavar="NAME|EXPR", help="an example name (below) or an expression in quotes")
    parser.add_argument("values", nargs="*", metavar="VAR=VALUE", help="values of the expression's variables")


def graph_help(command: str, examples: Mapping[str, tuple[str, object]], options: str) -> list[str]:
    """The lines of ``--help`` that list the examples and the expression language, with ``options`` in the example."""
    return ["examples:", *(f"  {name:<13} {text}" for name, (text, _) in examples.items()), "",
            f"expression: numbers, variables, + - * / **, and the methods {' '.join(METHODS)}, e.g.",
            f'  micrograd {command} "(a*b + c).tanh()" a=2 b=-3 c=10 {options}',
            "an expression starting with - goes after --:", f'  micrograd {command} -- "-a*2" a=1']


def graph_of(
    target: str, values: Sequence[str], examples: Mapping[str, tuple[str, Callable[[], tuple[Value, M]]]],
    usage: str,
) -> tuple[Value, M | None, str]:
    """The graph ``NAME|EXPR VAR=VALUE...`` names: its root, its model (None for an expression) and the file
    name it suggests; ExpressionError, with the message for the user, if there is none.

    A name of ``examples`` (name -> (what it is, builder returning (root, model)))
    takes no values; anything else is an expression of the language of
    `micrograd.cli.expr`, with its variables' values. ``usage`` is the command's own example of
    options before ``--``, for the error when an option comes after it.
    """
    example = examples.get(target)
    if example is not None:
        if values:
            raise ExpressionError(f"the example {target!r} takes no VAR=VALUE arguments (got {' '.join(values)})")
        root, model = example[1]()
        return root, model, target
    if target.isidentifier() and not values:
        raise ExpressionError(f"unknown example {target!r}; choose one of {', '.join(examples)}, "
                              "or give an expression and values")
    options = [v for v in values if v.startswith("-")]
    if options:  # after --, where they are not read as options
        raise ExpressionError(f"{options[0]!r} is not VAR=VALUE: after -- every argument is the expression or a "
                              f"value; put options before --, e.g. {usage}")
    return evaluate(target, parse_assignments(values)), None, "expression"


def usage_error(command: str, message: str) -> int:
    """Print ``micrograd COMMAND: error: MESSAGE`` to stderr; returns the exit status of a usage error, 2."""
    print(f"micrograd {command}: error: {message}", file=sys.stderr)
    return 2
