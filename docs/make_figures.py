"""Make the pictures of docs/visualisation.md (docs/images/*.svg), and time drawing big graphs.

    python docs/make_figures.py                  # write docs/images/*.svg
    python docs/make_figures.py --measure        # time drawing big graphs with the default limits
    python docs/make_figures.py --measure --full # also render whole graphs and the slow layouts (half an hour)

The pictures are rendered by whichever renderer `micrograd.viz.find_renderer`
finds (the committed ones: graphviz-pure 0.2, the renderer the dev extra installs).
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from micrograd import MLP, Value, viz
from micrograd.cli.expr import evaluate
from micrograd.datasets import make_moons
from micrograd.losses import hinge_loss
from micrograd.tutorials import alice_loss
from micrograd.viz import Drawing, draw_dot, find_renderer, save

IMAGES = Path(__file__).resolve().parent / "images"
#: seconds after which a measurement of the slow layouts gives up
GIVE_UP = 900.0


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
    """The moons hinge loss of a 2-16-16-1 MLP over ``samples`` points: 5,239 Values for 70, 108,839 for 1,550."""
    X, y = make_moons(max(100, samples), noise=0.1, seed=1)
    model = MLP(2, [16, 16, 1], rng=0)
    scores = [model([Value(float(a), label="x1"), Value(float(b), label="x2")]) for a, b in X[:samples]]
    loss = hinge_loss([2 * float(t) - 1 for t in y[:samples]], scores)
    loss.label = "L"
    loss.backward()
    return loss


def chain(terms: int) -> Value:
    """``a+a+...+a``: one leaf read by every op of a chain, each edge from it longer than the last."""
    total = evaluate("+".join(["a"] * terms), {"a": 1})
    total.backward()
    return total


def draw_measured(loss: Value, **options: object) -> tuple[Drawing, str]:
    """The drawing, and how long it took and how much memory it allocated at its peak (a second, traced run)."""
    t0 = time.perf_counter()
    dot = draw_dot(loss, **options)  # type: ignore[arg-type]
    seconds = time.perf_counter() - t0
    tracemalloc.start()
    draw_dot(loss, **options)  # type: ignore[arg-type]
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return dot, f"draw_dot {seconds:.2f} s, {peak / 1e6:.1f} MB"


def render_measured(dot: Drawing, source: str | None = None) -> str:
    """How long rendering to SVG takes, with no time limit (``source``: other DOT text to render instead)."""
    t0 = time.perf_counter()
    try:
        if source is None:
            dot.timeout = None
            svg = dot.pipe("svg")
        else:
            svg = viz._run_renderer(source, "svg", timeout=GIVE_UP)
    except viz.DrawingTooBig:
        return "rendering refused (DrawingTooBig)"
    except viz.RenderTimeout:
        return f"render did not finish in {GIVE_UP:g} s"
    return f"render {time.perf_counter() - t0:.2f} s ({len(svg) / 1e6:.1f} MB SVG)"


def report(what: str, dot: Drawing, *timings: str) -> None:
    of = "of a bigger graph" if dot.values_total is None else f"of {dot.values_total:,}"
    print(f"{what}: {dot.values_drawn:,} Values drawn {of}, {dot.nodes:,} Graphviz nodes; "
          + "; ".join(timings), flush=True)


def measure(full: bool) -> None:
    """Print how long drawing big graphs takes, split into building the DOT text and rendering it."""
    print(f"renderer: {find_renderer()}")
    loss = big_graph()
    dot, built = draw_measured(loss)
    report("moons, 70 samples, default drawing", dot, built, render_measured(dot))
    huge = big_graph(1_550)
    for what, options in [
        ("default (max_nodes=250)", {}),
        ("highlight='w1'", {"highlight": "w1"}),
        ("max_nodes=None", {"max_nodes": None}),
    ]:
        dot, built = draw_measured(huge, **options)
        report(f"moons, 1,550 samples, {what}", dot, built, render_measured(dot))
    for terms in (100, 250):
        for labels in (False, True):
            dot, built = draw_measured(chain(terms), edge_labels=labels)
            timings = [built, render_measured(dot)]
            if full:  # the same DOT text without the bounds draw_dot sets for long edges
                plain = dot.source.replace(" nslimit=2", "").replace(" splines=line", "")
                timings.append("without the bounds: " + render_measured(dot, plain))
            report(f"a+a+...+a, {terms} terms{', edge labels' if labels else ''}", dot, *timings)
    if full:
        for samples, collapse in [(10, "none"), (20, "none"), (35, "none"), (70, "none"),
                                  (140, "neurons"), (280, "neurons"), (560, "neurons")]:
            dot, built = draw_measured(big_graph(samples), collapse=collapse, max_nodes=None)
            report(f"moons, {samples} samples, collapse={collapse!r}, max_nodes=None", dot, built, render_measured(dot))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--measure", action="store_true", help="time drawing big graphs instead")
    p.add_argument("--full", action="store_true", help="with --measure: also render whole graphs (slow)")
    args = p.parse_args(argv)
    if args.measure:
        measure(args.full)
    else:
        write_figures()
    return 0


if __name__ == "__main__":
    sys.exit(main())
