"""``python -m micrograd draw``: draw a named example or an expression to a file.

    python -m micrograd draw network --grad --highlight w1 -o net.svg
    python -m micrograd draw "(a*b + c).tanh()" a=2 b=-3 c=10 --grad -o expr.png

The format follows the output's extension (.svg, .png, .pdf, .dot); ``-o -``
prints the DOT text. Exit status 0 on success, 2 on a usage error (unknown
example, bad expression, unknown highlight label, no renderer, a drawing too
big to render or that took longer than ``--timeout``).

An expression that starts with ``-`` goes after ``--``, or it is read as an
option: ``python -m micrograd draw -- "-a*2" a=1``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from micrograd import tutorials
from micrograd.cli.expr import ExpressionError
from micrograd.cli.shared import graph_arguments, graph_help, graph_of, usage_error
from micrograd.datasets import make_moons
from micrograd.engine import Value
from micrograd.neurons import COLLAPSE
from micrograd.nn import Module, Neuron
from micrograd.viz import (
    DEFAULT_MAX_NODES,
    DEFAULT_TIMEOUT,
    RANKDIRS,
    DrawingTooBig,
    RendererNotFound,
    RenderError,
    RenderTimeout,
    draw_dot,
    format_of,
    save,
)


def _inputs(x1: float, x2: float) -> list[Value]:
    # Values rather than numbers, so the inputs appear in the drawing
    return [Value(x1, label="x1"), Value(x2, label="x2")]


def _neuron() -> tuple[Value, Module]:
    n = tutorials.neuron()
    return n(_inputs(2.0, 3.0)), n


def _network() -> tuple[Value, Module]:
    model = tutorials.network()
    return model(_inputs(2.0, 3.0)), model


def _gender_loss() -> tuple[Value, Module]:
    model, loss = tutorials.alice_loss()
    return loss, model


def _moons_neuron() -> tuple[Value, Module]:
    X, y = make_moons(100, noise=0.1, seed=1337)
    n = Neuron(2, nonlin=False, rng=1337)
    score = n(_inputs(float(X[0, 0]), float(X[0, 1])))
    loss = (1 - (2 * float(y[0]) - 1) * score).relu()  # the hinge loss of Karpathy's moons demo, one sample
    loss.label = "loss"
    return loss, n


#: name -> (what it draws, builder returning (root, model))
EXAMPLES: dict[str, tuple[str, Callable[[], tuple[Value, Module]]]] = {
    "neuron": ("the tutorial's sigmoid neuron, w = [0, 1], b = 4, on x = [2, 3]", _neuron),
    "network": ("the 2-2-1 sigmoid network (w1..w6, b1..b3) on x = [2, 3]", _network),
    "gender-loss": ("the 2-2-1 network's loss L = (1 - ypred)² for Alice, all weights 1", _gender_loss),
    "moons-neuron": ("a linear neuron's hinge loss on the first two-moons point", _moons_neuron),
}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``draw`` subcommand."""
    p = sub.add_parser(
        "draw",
        help="draw a computation graph to a file",
        description="Draw the computation graph of a named example or of an expression.",
        epilog="\n".join(graph_help("draw", EXAMPLES, "--grad -o expr.svg")),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    graph_arguments(p)
    p.add_argument("-o", "--output", help="file to write: .svg .png .pdf .dot (default NAME.svg; - prints DOT)")
    p.add_argument("--grad", action="store_true", help="run backward() first, so the drawing shows gradients")
    p.add_argument("--highlight", action="append", metavar="LABEL", help="mark every path from LABEL to the output")
    p.add_argument("--edge-labels", action="store_true", help="label edges with local derivatives")
    p.add_argument("--rankdir", choices=RANKDIRS, default="LR", help="layout direction")
    p.add_argument("--collapse", choices=COLLAPSE, default="auto", help="draw neurons as one node")
    p.add_argument("--max-nodes", type=int, default=DEFAULT_MAX_NODES,
                   help=f"most nodes drawn, those nearest the output (default {DEFAULT_MAX_NODES}; 0: no limit)")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                   help=f"stop the renderer after this long (default {DEFAULT_TIMEOUT:g}; 0: no limit)")
    p.set_defaults(func=run)


def _error(message: str) -> int:
    return usage_error("draw", message)


def run(args: argparse.Namespace) -> int:
    """Build, draw and write the graph; returns the exit status."""
    try:
        root, params, default_name = graph_of(args.target, args.values, EXAMPLES,
                                              'micrograd draw -o out.svg -- "-a*2" a=1')
    except ExpressionError as e:
        return _error(str(e))
    out = args.output or f"{default_name}.svg"
    if out != "-":
        try:
            format_of(out)
        except ValueError as e:
            return _error(str(e))
    if args.max_nodes < 0:
        return _error(f"--max-nodes must be 0 (no limit) or positive, got {args.max_nodes}")
    if not args.timeout >= 0:  # also NaN
        return _error(f"--timeout must be 0 (no limit) or a positive number of seconds, got {args.timeout:g}")
    if args.grad:
        root.backward()
    try:
        drawing = draw_dot(
            root,
            rankdir=args.rankdir,
            edge_labels=args.edge_labels,
            highlight=args.highlight,
            params=params,
            collapse=args.collapse,
            max_nodes=args.max_nodes or None,
            timeout=args.timeout or None,
        )
    except ValueError as e:  # an unknown highlight label, a label that cannot be drawn
        return _error(str(e))
    if out == "-":
        sys.stdout.write(drawing.source)
        return 0
    try:
        save(drawing, out)
    except RenderTimeout as e:
        return _error(
            f"rendering {out} did not finish within {e.seconds:g} s and was stopped; nothing was written. "
            f"The drawing has {e.size}. {_draw_less(out)}, or allow more time with --timeout SECONDS (0: no limit)"
        )
    except DrawingTooBig as e:
        return _error(
            f"cannot render {out}: the drawing has {e.values:,} Values in {e.nodes:,} boxes and op nodes, more than "
            f"the {e.limit:,} a renderer lays out in reasonable time and memory. {_draw_less(out)}"
        )
    except (RendererNotFound, RenderError) as e:
        return _error(str(e))
    except OSError as e:
        return _error(f"cannot write {out!r}: {e.strerror or e}")
    if drawing.values_total is None:
        shown = f"the {drawing.values_drawn} values nearest the output; the graph has more"
    elif drawing.values_drawn < drawing.values_total:
        shown = f"{drawing.values_drawn} of {drawing.values_total} values"
    else:
        shown = f"{drawing.values_total} values"
    print(f"wrote {out} ({shown}{', with gradients' if args.grad else ''})")
    return 0


def _draw_less(out: str) -> str:
    """The ways to a drawing that renders, for the errors of a drawing too big or too slow."""
    dot_file = str(Path(out).with_suffix(".dot"))
    return (
        f"Draw less of it with --max-nodes N (the N nodes nearest the output; default {DEFAULT_MAX_NODES}), "
        f"--collapse neurons (one box per neuron) or a smaller expression; "
        f"or write the DOT text without rendering with -o {dot_file}"
    )
