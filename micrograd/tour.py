"""The ``demo`` command: a guided tour of the tutorials' network, and the runner for the demos.

``python -m micrograd demo`` runs `tour`: the tutorial's neuron and 2-2-1 network,
all nine partials of Alice's loss by hand, by autograd and by finite differences,
training on the gender table, the predictions for Emily and Frank, and a drawing
of the graph. ``python -m micrograd demo NAME [ARGS]`` runs the script
``demos/NAME.py`` with ARGS, exactly as ``python demos/NAME.py ARGS`` would.

The few pieces the demo scripts share live here, so that no demo copies another:
`demo_parser` (their common options), `pyplot` / `save_figure` (pictures with
matplotlib when it is installed), and the gender tutorial's
initialisation and training loop (`gender_network`, `train_gender`), which the
tour uses too.
"""

from __future__ import annotations

import argparse
import ast
import os
import random
import runpy
import sys
import textwrap
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from micrograd import datasets, tutorials
from micrograd.engine import no_grad
from micrograd.gradcheck import check_gradients
from micrograd.losses import mse_loss
from micrograd.nn import MLP
from micrograd.optim import SGD

__all__ = [
    "DEMOS",
    "DEFAULT_OUT",
    "find_demo",
    "demo_summaries",
    "run_demo",
    "demo_parser",
    "make_out_folder",
    "positive_int",
    "pyplot",
    "save_figure",
    "gender_network",
    "train_gender",
    "tour",
    "register",
]

#: the demo scripts, in the order of the tutorials they reproduce
DEMOS: tuple[str, ...] = ("neuron", "gender", "xor", "exam_scores", "two_layer", "moons")
#: where demos write pictures and files unless told otherwise (git-ignored in the repo)
DEFAULT_OUT = Path("out")
# (not "micrograd[demos]": on PyPI that name is another package)
MATPLOTLIB_HINT = "pip install matplotlib"

# The seeds' figures in full float64 (the tutorial prints the first two and the mse as
# they are, the Alice figures rounded: 0.524 and 0.0214); the tour checks the engine against them.
SEED_NEURON = 0.9990889488055994
SEED_NETWORK = 0.7216325609518421
SEED_MSE = 0.5
SEED_ALICE_YPRED = 0.5236951740839997
SEED_ALICE_DL_DW1 = 0.02146953526581111
# float64 agreement: the engine and the tutorial's numpy code do the same operations
# in a slightly different order, so the last bit or two may differ (4e-16 relative).
SEED_RTOL = 4e-16


# ---------------------------------------------------------------------------- finding and running demos

_prog: str | None = None  # set while `run_demo` runs a demo, for its usage line


def _demo_dirs() -> list[Path]:
    """Where demo scripts may live: inside an installed wheel first, then the source checkout."""
    package = Path(__file__).resolve().parent
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
    for folder in _demo_dirs():
        path = folder / f"{stem}.py"
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


def _demo_listing() -> str:
    """One line per demo, name and description, as the tour and ``demo --help`` print it."""
    width = max(map(len, DEMOS))
    return "\n".join(f"  {name:{width}}  {summary}" for name, summary in demo_summaries().items())


def run_demo(name: str, args: Sequence[str] = ()) -> int:
    """Run demo ``name`` as a script with command-line ``args``; returns its exit status."""
    global _prog
    path = find_demo(name)
    saved = sys.argv[:]
    sys.argv = [str(path), *args]
    _prog = f"micrograd demo {path.stem}"  # what the demo's usage line shows (see demo_parser)
    try:
        runpy.run_path(str(path), run_name="__main__")
    except SystemExit as e:  # the demo's own exit status, or argparse's 2 for bad options
        code = e.code
        if code is None or isinstance(code, int):
            return code or 0
        print(code, file=sys.stderr)
        return 1
    finally:
        sys.argv = saved
        _prog = None
    return 0


# ---------------------------------------------------------------------------- what the demos share


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


class _DemoParser(argparse.ArgumentParser):
    """An argument parser that also makes the ``--out`` folder, or stops with status 2 saying why not."""

    def parse_args(self, args: Sequence[str] | None = None, namespace: Any = None) -> argparse.Namespace:
        parsed = super().parse_args(args, namespace)
        problem = make_out_folder(parsed.out) if isinstance(getattr(parsed, "out", None), Path) else None
        if problem:
            self.exit(2, f"{self.prog}: error: {problem}\n")
        return parsed


def demo_parser(description: str | None, *, out: bool = True, seed: int | None = None) -> argparse.ArgumentParser:
    """The argument parser every demo starts from: ``--out DIR`` if it writes files, ``--seed`` if it is random.

    ``description`` is usually the demo's ``__doc__``; its first line is the summary. With
    ``--out``, ``parse_args`` creates the folder, or exits with status 2 and a one-line message.
    """
    parser = _DemoParser(
        prog=_prog, description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    if out:
        parser.add_argument(
            "--out", type=Path, default=DEFAULT_OUT, metavar="DIR",
            help=f"folder for pictures and files (default: {DEFAULT_OUT}/, created if missing)",
        )
    if seed is not None:
        parser.add_argument("--seed", type=int, default=seed, help=f"random seed (default: {seed})")
    return parser


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


def gender_network(seed: int | random.Random) -> MLP:
    """The gender tutorial's 2-2-1 sigmoid network, every weight and bias drawn from N(0, 1).

    Drawn in the tutorial's order (w1..w6, then b1..b3) from ``random.Random(seed)``.
    """
    rng = seed if isinstance(seed, random.Random) else random.Random(seed)
    model = tutorials.network()
    weights = [n for n in tutorials.PARAMETER_NAMES if n.startswith("w")]
    biases = [n for n in tutorials.PARAMETER_NAMES if n.startswith("b")]
    model.load_state_dict({name: rng.gauss(0.0, 1.0) for name in weights + biases})
    return model


def train_gender(
    model: MLP,
    X: Sequence[Sequence[float]],
    y: Sequence[float],
    *,
    epochs: int = 1000,
    lr: float = 0.1,
    every: int = 10,
    log: Callable[[str], object] | None = print,
) -> list[float]:
    """The gender tutorial's training: per-sample SGD on ``(y_true - ypred)²``; returns the loss per epoch.

    The loss recorded (and logged every ``every`` epochs, in the tutorial's words)
    is the mean squared error over all of ``X`` at the end of the epoch.
    """
    opt = SGD(model.parameters(), lr=lr)
    history = []
    for epoch in range(epochs):
        for x, y_true in zip(X, y):
            loss = (y_true - model(x)) ** 2
            opt.zero_grad()
            loss.backward()
            opt.step()
        with no_grad():  # evaluation only: no graph to build
            history.append(mse_loss(y, [model(x) for x in X]).data)
        if log is not None and epoch % every == 0:
            log(f"Epoch {epoch} loss: {history[-1]:.3f}")
    return history


# ---------------------------------------------------------------------------- the tour


def tour(out: Path = DEFAULT_OUT, *, epochs: int = 1000, seed: int = 0, draw: bool = True) -> int:
    """Print the guided tour; returns 0 when every figure and check agrees, 1 otherwise.

    With ``draw``, the folder ``out`` is made first; if it cannot be, the tour
    says why in one line on stderr and returns 2 without starting.
    """
    problem = make_out_folder(Path(out)) if draw else None
    if problem:
        print(f"micrograd demo: error: {problem}", file=sys.stderr)
        return 2
    start = time.perf_counter()
    failures: list[str] = []

    def section(title: str) -> None:
        print(f"\n{title}\n{'-' * len(title)}")

    def figure(name: str, value: float, expected: float, source: str = "tutorial") -> None:
        ok = abs(value - expected) <= SEED_RTOL * abs(expected)
        differs = f" (relative difference {abs(value - expected) / abs(expected):.1g})" if value != expected else ""
        print(f"  {name} = {value!r}   {source}: {expected!r}   {'ok' if ok else 'DIFFERENT'}{differs}")
        if not ok:
            failures.append(name)

    print("micrograd: a guided tour of the tutorial's network, built with the engine and checked three ways")

    section("1. One neuron: sigmoid(w . x + b), w = [0, 1], b = 4")
    n = tutorials.neuron()
    print("  x = [2, 3]: w . x + b = 0*2 + 1*3 + 4 = 7")
    figure("sigmoid(7)", n([2, 3]).data, SEED_NEURON)

    section("2. The 2-2-1 network: h1, h2 read x; o1 reads h1, h2 (every neuron w = [0, 1], b = 0)")
    net = tutorials.network()
    h1, h2 = net.layers[0]([2, 3])
    print(f"  x = [2, 3]: h1 = h2 = sigmoid(3) = {h1.data:.10f}")
    figure("o1 = sigmoid(0*h1 + 1*h2 + 0)", net([2, 3]).data, SEED_NETWORK)
    figure("mse_loss([1, 0, 0, 1], [0, 0, 0, 0])", mse_loss([1, 0, 0, 1], [0, 0, 0, 0]).data, SEED_MSE)

    section("3. Backprop by hand, by autograd, by finite differences (Alice, all weights 1, biases 0)")
    model, loss = tutorials.alice_loss()
    hidden = model.layers[0](tutorials.ALICE)
    ypred = model(tutorials.ALICE).data
    print(f"  Alice x = {tutorials.ALICE}, y_true = 1, L = (1 - ypred)^2")
    print("  ('expected' is the float64 value, equal up to rounding (4e-16 relative) in its last digit;")
    print("   the tutorial multiplies rounded factors, 0.952 * 0.249 * 0.0904, and prints 0.0214)")
    figure("ypred", ypred, SEED_ALICE_YPRED, "expected")
    # The tutorial's chain rule for w1, with f'(s) = f(s)(1 - f(s)) read off the forward values.
    d_l_d_ypred = -2 * (1 - ypred)
    d_ypred_d_h1 = model.state_dict()["w5"] * ypred * (1 - ypred)
    d_h1_d_w1 = tutorials.ALICE[0] * hidden[0].data * (1 - hidden[0].data)
    print("  dL/dw1 = dL/dypred * dypred/dh1 * dh1/dw1")
    print("         = -2(1 - ypred) * w5 f'(sum_o1) * x1 f'(sum_h1)")
    print(f"         = ({d_l_d_ypred:.6f}) * ({d_ypred_d_h1:.6f}) * ({d_h1_d_w1:.6f})")
    figure("dL/dw1", d_l_d_ypred * d_ypred_d_h1 * d_h1_d_w1, SEED_ALICE_DL_DW1, "expected")
    hand = tutorials.hand_partials(model.state_dict(), tutorials.ALICE, 1.0)
    # Hand and autograd multiply the same local derivatives in another order (agree to
    # ~1e-17); central differences with eps = 1e-6 are good to ~1e-10 on this loss.
    result = check_gradients(
        hand, lambda: tutorials.alice_loss(model)[1], atol=1e-9, rtol=1e-7, raise_exception=False
    )
    print("  All nine partials; 'hand' is the tutorial's chain rule (micrograd.tutorials.hand_partials),")
    print("  'autograd' is .grad after loss.backward(), 'numeric' a central difference (eps 1e-6):")
    print(textwrap.indent(str(result), "    "))
    worst_hand = max(abs(r.hand - r.autograd) for r in result.rows)
    worst_numeric = max(abs(r.numeric - r.autograd) for r in result.rows)
    print(f"  largest |hand - autograd| = {worst_hand:.1e}, largest |numeric - autograd| = {worst_numeric:.1e}")
    if not result:
        failures.append("nine partials")

    section(f"4. Training on Alice, Bob, Charlie, Diana: per-sample SGD, lr 0.1, {epochs} epochs")
    X, y, _ = datasets.gender()
    trained = gender_network(seed)
    with no_grad():
        before = mse_loss(y, [trained(x) for x in X]).data
    print(f"  every weight and bias drawn from N(0, 1) (seed {seed}); loss = mean squared error, {before:.4f} at first")
    every = max(1, epochs // 10)
    history = train_gender(trained, X, y, epochs=epochs, every=every, log=lambda s: print("  " + s))
    print(f"  final loss {history[-1]:.4f} (from {before:.4f} before training)")
    if not history[-1] < before:
        failures.append("training")

    section("5. Predictions (1 = F, 0 = M)")
    expect = {"Emily": (1, 0.951), "Frank": (0, 0.039)}
    for name, x in datasets.gender_to_predict().items():
        p = trained(x).data
        label, seed_p = expect[name]
        right = (p > 0.5) == bool(label)
        print(f"  {name:6} {str(x):13} {p:.3f}  {'F' if p > 0.5 else 'M'}   tutorial: {seed_p} {'F' if label else 'M'}")
        if not right:
            failures.append(name)

    section("6. The graph of Alice's loss")
    if draw:
        _draw_alice(model, loss, out)
    else:
        print("  skipped (--no-draw)")

    print("\nMore: python -m micrograd demo NAME (add --help for its options)")
    print(_demo_listing())
    elapsed = time.perf_counter() - start
    if failures:
        print(f"\nFAILED: {', '.join(failures)} ({elapsed:.1f} s)")
        return 1
    print(f"\nAll figures agree with the tutorial; all nine partials check. ({elapsed:.1f} s)")
    return 0


def _draw_alice(model: MLP, loss: Any, out: Path) -> None:
    """Draw L for Alice with dL/dw1's paths highlighted: SVG with a renderer, else the DOT text."""
    from micrograd import viz

    model.zero_grad()
    loss.backward()
    drawing = viz.draw_dot(loss, edge_labels=True, highlight="w1")  # tour() made the out folder
    if viz.find_renderer() is None:
        path = viz.save(drawing, out / "tour_alice_loss.dot")
        print(f"  no Graphviz renderer found, so the graph was saved as DOT text: {path}")
        print(f"  to get pictures: pip install '{viz.RENDERER_REQUIREMENT}'")
        return
    path = viz.save(drawing, out / "tour_alice_loss.svg")
    w1 = dict(model.named_parameters())["w1"]
    print(f"  {path}: every Value as label | data | grad, each edge labelled with its local derivative;")
    print(f"  the product of the labels along the red path from w1 to L is w1's .grad, {w1.grad:.5f}")


# ---------------------------------------------------------------------------- the command


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``demo`` subcommand to the ``micrograd`` command line."""
    p = sub.add_parser(
        "demo",
        help="run the guided tour, or one of the tutorials' demos",
        description="Without NAME: a guided tour of the tutorial's 2-2-1 network (under a minute).\n"
        "With NAME: run that demo; the arguments after NAME are the demo's own\n"
        "(micrograd demo NAME --help lists them).",
        epilog=f"demos:\n{_demo_listing()}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("name", nargs="?", metavar="NAME", help="a demo to run (see the list below)")
    p.add_argument("args", nargs=argparse.REMAINDER, metavar="ARGS", help="options for the demo")
    p.add_argument("--out", type=Path, metavar="DIR", help=f"tour: folder for the drawing (default: {DEFAULT_OUT}/)")
    p.add_argument("--epochs", type=positive_int, metavar="N", help="tour: training epochs (default: 1000)")
    p.add_argument("--seed", type=int, help="tour: seed of the network's initial weights (default: 0)")
    p.add_argument("--no-draw", action="store_true", help="tour: skip drawing the graph")
    p.set_defaults(func=_main)


def _main(args: argparse.Namespace) -> int:
    tour_options = [f"--{k.replace('_', '-')}" for k in ("out", "epochs", "seed", "no_draw")
                    if getattr(args, k) not in (None, False)]
    if args.name is None:
        return tour(args.out or DEFAULT_OUT, epochs=args.epochs or 1000,
                    seed=0 if args.seed is None else args.seed, draw=not args.no_draw)
    if tour_options:
        print(f"micrograd demo: {', '.join(tour_options)} before NAME belong to the tour; "
              f"put the demo's options after its name: micrograd demo {args.name} ...", file=sys.stderr)
        return 2
    try:
        return run_demo(args.name, args.args)
    except ValueError as e:
        print(f"micrograd demo: {e}", file=sys.stderr)
        return 2
    except FileNotFoundError as e:
        print(f"micrograd demo: {e}", file=sys.stderr)
        return 1
