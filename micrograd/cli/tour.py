"""The guided tour (``python -m micrograd demo``): the tutorial's network, checked three ways.

The tutorial's neuron and 2-2-1 network, all nine partials of Alice's loss by
hand, by autograd and by finite differences, training on the gender table, the
predictions for Emily and Frank, a drawing of the graph, and last the backprop
player of Alice's loss (``out/tour_player.html``), to open in a browser.
"""

from __future__ import annotations

import textwrap
import time
from pathlib import Path
from typing import Any

from micrograd import datasets, tutorials
from micrograd.cli.demo import demo_listing
from micrograd.cli.shared import DEFAULT_OUT, make_out_folder, usage_error
from micrograd.engine import no_grad
from micrograd.gradcheck import check_gradients
from micrograd.losses import mse_loss
from micrograd.nn import MLP
from micrograd.tutorials import gender_network, train_gender

__all__ = ["tour"]

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


def tour(out: Path = DEFAULT_OUT, *, epochs: int = 1000, seed: int = 0, draw: bool = True) -> int:
    """Print the guided tour; returns 0 when every figure and check agrees, 1 otherwise.

    With ``draw``, the folder ``out`` is made first (the drawing and the player
    go there); if it cannot be, the tour says why in one line on stderr and
    returns 2 without starting.
    """
    problem = make_out_folder(Path(out)) if draw else None
    if problem:
        return usage_error("demo", problem)
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
    worst_hand = max(abs(r.hand - r.autograd) for r in result.rows if r.hand is not None)
    worst_numeric = max(abs(r.numeric - r.autograd) for r in result.rows if r.numeric is not None)
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

    section("7. Step through backprop on it")
    if draw:
        _play_alice(loss, out)
    else:
        print("  skipped (--no-draw)")

    print("\nMore: python -m micrograd demo NAME (add --help for its options)")
    print(demo_listing())
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




def _play_alice(loss: Any, out: Path) -> None:
    """Write the backprop player of L for Alice and say how to open it."""
    from micrograd.player import play

    path = play(loss).save(out / "tour_player.html")  # tour() made the out folder
    print(f"  {path}: open it in a browser (a double click; it needs no server or network).")
    print("  It computes L one node at a time, then passes gradients back one edge at a time,")
    print("  dL/dchild += dL/dnode x local derivative, until every gradient is .grad (arrow keys step).")
