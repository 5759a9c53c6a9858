"""The ``demo`` command: the guided tour, or one of the tutorials' demo scripts.

``python -m micrograd demo`` runs the guided tour (`micrograd.cli.tour`).
``python -m micrograd demo NAME [ARGS]`` runs the script ``demos/NAME.py`` with
ARGS, exactly as ``python demos/NAME.py ARGS`` would.
"""

from __future__ import annotations

import argparse
import ast
import runpy
import sys
from collections.abc import Sequence
from pathlib import Path

from micrograd.cli.shared import DEFAULT_OUT, folder, positive_int, running_as, usage_error

__all__ = ["DEMOS", "find_demo", "demo_summaries", "demo_listing", "run_demo", "register"]

#: the demo scripts, in the order of the tutorials they reproduce; then the step out to PyTorch
DEMOS: tuple[str, ...] = ("neuron", "gender", "xor", "exam_scores", "two_layer", "moons", "gender_torch")


def _demo_dirs() -> list[Path]:
    """Where demo scripts may live: inside an installed wheel first, then the source checkout."""
    package = Path(__file__).resolve().parent.parent
    return [package / "_demos", package.parent / "demos"]


def find_demo(name: str) -> Path:
    """The path of demo ``name`` (``gender`` or ``gender.py``; ``exam-scores`` means ``exam_scores``).

    Looks in ``micrograd/_demos`` (where a wheel puts them), then in the source
    checkout's ``demos/`` folder (an editable install). Raises ValueError for an
    unknown name and FileNotFoundError when the scripts are not on disk.
    """
    stem = name.removesuffix(".py").replace("-", "_")
    if stem not in DEMOS:
        raise ValueError(f"unknown demo {name!r}; choose one of: {', '.join(DEMOS)}")
    for place in _demo_dirs():
        path = place / f"{stem}.py"
        if path.is_file():
            return path
    looked = " and ".join(str(d) for d in _demo_dirs())
    raise FileNotFoundError(
        f"demo {stem!r} is not installed (looked in {looked}); "
        "install micrograd from its source folder with: pip install -e ."
    )


def demo_summaries() -> dict[str, str]:
    """Each demo's one-line description: the first line of its docstring (read, not imported)."""
    out = {}
    for name in DEMOS:
        try:
            doc = ast.get_docstring(ast.parse(find_demo(name).read_text(encoding="utf-8"))) or ""
        except (OSError, ValueError, SyntaxError):
            doc = "(not found)"
        out[name] = doc.strip().splitlines()[0] if doc.strip() else ""
    return out


def demo_listing() -> str:
    """One line per demo, name and description, as the tour and ``demo --help`` print it."""
    width = max(map(len, DEMOS))
    return "\n".join(f"  {name:{width}}  {summary}" for name, summary in demo_summaries().items())


def run_demo(name: str, args: Sequence[str] = ()) -> int:
    """Run demo ``name`` as a script with command-line ``args``; returns its exit status."""
    path = find_demo(name)
    saved = sys.argv[:]
    sys.argv = [str(path), *args]
    try:
        with running_as(f"micrograd demo {path.stem}"):  # what the demo's usage line shows
            runpy.run_path(str(path), run_name="__main__")
    except SystemExit as e:  # the demo's own exit status, or argparse's 2 for bad options
        code = e.code
        if code is None or isinstance(code, int):
            return code or 0
        print(code, file=sys.stderr)
        return 1
    finally:
        sys.argv = saved
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``demo`` subcommand to the ``micrograd`` command line."""
    p = sub.add_parser(
        "demo",
        help="run the guided tour, or one of the tutorials' demos",
        description="Without NAME: a guided tour of the tutorial's 2-2-1 network (under a minute).\n"
        "With NAME: run that demo; the arguments after NAME are the demo's own\n"
        "(micrograd demo NAME --help lists them).",
        epilog=f"demos:\n{demo_listing()}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("name", nargs="?", metavar="NAME", help="a demo to run (see the list below)")
    p.add_argument("args", nargs=argparse.REMAINDER, metavar="ARGS", help="options for the demo")
    p.add_argument("--out", type=folder, metavar="DIR", help=f"tour: folder for the drawing (default: {DEFAULT_OUT}/)")
    p.add_argument("--epochs", type=positive_int, metavar="N", help="tour: training epochs (default: 1000)")
    p.add_argument("--seed", type=int, help="tour: seed of the network's initial weights (default: 0)")
    p.add_argument("--no-draw", action="store_true", help="tour: skip drawing the graph")
    p.set_defaults(func=_main)


def _main(args: argparse.Namespace) -> int:
    tour_options = [f"--{k.replace('_', '-')}" for k in ("out", "epochs", "seed", "no_draw")
                    if getattr(args, k) not in (None, False)]
    if args.name is None:
        from micrograd.cli.tour import tour

        return tour(args.out or DEFAULT_OUT, epochs=args.epochs or 1000,
                    seed=0 if args.seed is None else args.seed, draw=not args.no_draw)
    if tour_options:
        return usage_error("demo", f"{', '.join(tour_options)} before NAME belong to the tour; "
                                   f"put the demo's options after its name: micrograd demo {args.name} ...")
    try:
        return run_demo(args.name, args.args)
    except ValueError as e:
        return usage_error("demo", str(e))
    except FileNotFoundError as e:
        print(f"micrograd demo: {e}", file=sys.stderr)
        return 1
