"""Make the pictures of docs/visualisation.md (docs/images/*.svg), and time drawing big graphs.

    python docs/make_figures.py                  # write docs/images/*.svg
    python docs/make_figures.py --measure        # time a 5,000-node graph (default limits)
    python docs/make_figures.py --measure --full # also lay out all of it (minutes)

The pictures are rendered by whichever renderer `micrograd.viz.find_renderer`
finds (the committed ones: graphviz-pure 0.2, the renderer the dev extra installs).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from micrograd import MLP, Value
from micrograd.datasets import make_moons
from micrograd.losses import hinge_loss
from micrograd.tutorials import alice_loss
from micrograd.viz import Drawing, draw_dot, find_renderer, save

IMAGES = Path(__file__).resolve().parent / "images"


def expression() -> Drawing:
    """Karpathy's first example, ``(a*b + c).tanh()`` with a=2, b=-3, c=10, after backward."""
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c")
    out = (a * b + c).tanh()
    out.label = "out"
    out.backward()
    return draw_dot(out, edge_labels=True)


def network_before() -> Drawing:
    """The 2-2-1 network's loss for Alice (all weights 1, biases 0), before backward: every grad is 0."""
    _, loss = alice_loss()
    return draw_dot(loss)


def network_after() -> Drawing:
    """The same graph after ``loss.backward()``."""
    _, loss = alice_loss()
    loss.backward()
    return draw_dot(loss)


def w1_path() -> Drawing:
    """The path from w1 to L, with the local derivative on every edge."""
    _, loss = alice_loss()
    loss.backward()
    return draw_dot(loss, edge_labels=True, highlight="w1")


def mlp_collapsed() -> Drawing:
    """Karpathy's 337-parameter MLP (2-16-16-1) on one input, each neuron drawn as one node."""
    model = MLP(2, [16, 16, 1], rng=1337)
    out = model([Value(1.0, label="x1"), Value(-0.5, label="x2")])
    out.backward()
    return draw_dot(out, collapse="neurons")


#: file name (without .svg) -> the function drawing it
FIGURES: dict[str, Callable[[], Drawing]] = {
    "expression": expression,
    "network-before": network_before,
    "network-after": network_after,
    "w1-path": w1_path,
    "mlp-collapsed": mlp_collapsed,
}


def write_figures() -> None:
    renderer = find_renderer()
    print(f"renderer: {renderer}")
    IMAGES.mkdir(exist_ok=True)
    for name, make in FIGURES.items():
        path = save(make(), IMAGES / f"{name}.svg")
        print(f"wrote {path.relative_to(IMAGES.parent.parent)} ({path.stat().st_size // 1024} KiB)")


def big_graph(samples: int = 70) -> Value:
    """The moons hinge loss of a 2-16-16-1 MLP over ``samples`` points: 5,239 Values for 70 samples."""
    X, y = make_moons(100, noise=0.1, seed=1)
    model = MLP(2, [16, 16, 1], rng=0)
    scores = [model([Value(float(a), label="x1"), Value(float(b), label="x2")]) for a, b in X[:samples]]
    loss = hinge_loss([2 * float(t) - 1 for t in y[:samples]], scores)
    loss.backward()
    return loss


def measure(full: bool) -> None:
    """Print how long drawing the big graph takes, split into building the DOT text and rendering it."""
    loss = big_graph()
    print(f"renderer: {find_renderer()}")
    cases = [("default (collapse='auto', max_nodes=250)", {})]
    if full:
        cases += [
            ("collapse='neurons', max_nodes=None", {"collapse": "neurons", "max_nodes": None}),
            ("collapse='none', max_nodes=None", {"collapse": "none", "max_nodes": None}),
        ]
    for what, options in cases:
        t0 = time.perf_counter()
        dot = draw_dot(loss, **options)
        t1 = time.perf_counter()
        svg = dot.pipe("svg")
        t2 = time.perf_counter()
        boxes, nodes = dot.source.count("shape=record"), dot.source.count("shape=")
        print(
            f"{what}: {dot.values_total} Values, {dot.values_drawn} of them drawn in {boxes} boxes "
            f"({nodes} Graphviz nodes); "
            f"draw_dot {t1 - t0:.2f} s, render to SVG {t2 - t1:.2f} s ({len(svg) / 1e6:.1f} MB)",
            flush=True,
        )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--measure", action="store_true", help="time drawing a 5,000-node graph instead")
    p.add_argument("--full", action="store_true", help="with --measure: also render the whole graph (slow)")
    args = p.parse_args(argv)
    if args.measure:
        measure(args.full)
    else:
        write_figures()
    return 0


if __name__ == "__main__":
    sys.exit(main())
