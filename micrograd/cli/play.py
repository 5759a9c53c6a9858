"""``python -m micrograd play``: write the backprop player of a named example or an expression.

    python -m micrograd play gender-loss -o alice.html
    python -m micrograd play "(a*b + c).tanh()" a=2 b=-3 c=10 -o expr.html
    python -m micrograd play reuse --mode naive -o naive.html
    python -m micrograd play gender-loss --hand w1=0.0107 --hand w5=-0.0113

The examples and the expression language are `draw`'s, plus ``reuse``: the
graph of karpathy/micrograd PR #64 (``b = a + a; c = b + b``), where both
classic mistakes show. Exit status 0 on success, 2 on a usage error.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from micrograd.cli.draw import EXAMPLES as DRAW_EXAMPLES
from micrograd.cli.expr import ExpressionError, parse_assignments
from micrograd.cli.shared import graph_arguments, graph_help, graph_of, usage_error
from micrograd.engine import Value
from micrograd.neurons import COLLAPSE
from micrograd.player import COLLAPSE_ABOVE, MODES, play


def reuse_graph() -> Value:
    """karpathy/micrograd PR #64's example, ``a = 1; b = a + a; c = b + b``: returns c (b is used twice)."""
    a = Value(1.0, label="a")
    b = a + a
    b.label = "b"
    c = b + b
    c.label = "c"
    return c


#: name -> (what it plays, builder returning (root, model or None)): draw's examples, and PR #64's graph
EXAMPLES: dict[str, tuple[str, Callable[[], tuple[Value, object]]]] = {
    **DRAW_EXAMPLES,
    "reuse": ("a = 1; b = a + a; c = b + b: a node used twice (karpathy/micrograd PR #64)",
              lambda: (reuse_graph(), None)),
}


def _epilog() -> str:
    """The end of ``play --help``: the examples, the expression language, what the modes show."""
    lines = graph_help("play", EXAMPLES, "-o expr.html")
    lines += ["", "modes: naive (the recursive walk of PR #64) and assign (= instead of +=) run beside",
              "backward()'s own walk and stop at their first wrong gradient, e.g.",
              "  micrograd play reuse --mode naive -o naive.html"]
    return "\n".join(lines)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``play`` subcommand."""
    about = ("Write the backprop player of a named example or of an expression: one HTML file that steps through "
             "forward and backward, node by node and edge by edge.")
    raw = argparse.RawDescriptionHelpFormatter
    p = sub.add_parser("play", description=about, epilog=_epilog(), formatter_class=raw,
                       help="write the backprop player of a graph: one HTML file, opened in a browser")
    graph_arguments(p)
    p.add_argument("-o", "--output", help="the .html file to write (default NAME.html)")
    p.add_argument("--mode", choices=MODES, default="correct",
                   help="correct: backward()'s walk; naive / assign: that mistake side by side with it")
    p.add_argument("--hand", action="append", metavar="LABEL=VALUE",
                   help="a derivative you worked out by hand (repeat for more); each is marked right or wrong")
    p.add_argument("--collapse", choices=COLLAPSE, default="auto",
                   help=f"draw each neuron as one box (auto: for graphs of more than {COLLAPSE_ABOVE} values)")
    p.set_defaults(func=run)


def _error(message: str) -> int:
    return usage_error("play", message)


def run(args: argparse.Namespace) -> int:
    """Build the graph, make its player and write it; returns the exit status."""
    try:
        root, _, default_name = graph_of(args.target, args.values, EXAMPLES,
                                         'micrograd play -o out.html -- "-a*2" a=1')
    except ExpressionError as e:
        return _error(str(e))
    out = args.output or f"{default_name}.html"
    if not out.lower().endswith((".html", ".htm")):
        return _error(f"the player is an HTML file: give -o a name ending in .html, got {out!r}")
    try:
        hand = parse_assignments(args.hand, "LABEL=VALUE") if args.hand else None
    except ExpressionError as e:
        return _error(f"--hand: {e}")
    try:
        player = play(root, mode=args.mode, hand=hand, collapse=args.collapse)
    except ValueError as e:  # too big (GraphTooLarge), or a --hand label the graph lacks
        return _error(str(e))
    try:
        player.save(out)
    except OSError as e:
        return _error(f"cannot write {out!r}: {e.strerror or e}")
    print(f"wrote {out} ({len(player.graph)} values, {len(player.steps)} steps): open it in a browser")
    if player.summary:
        print(player.summary)
    return 0
