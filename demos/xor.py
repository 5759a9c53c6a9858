"""The XOR tutorial's 2-2-1 network without biases: its factor-2 slip, what it learns, and the fix.

The tutorial draws every weight from U[0, 1), has no biases, and runs 1500
full-batch steps of `weights += d_weights` on the loss 0.5 * sum((y - ypred)^2).
Its d_weights is -2 times the gradient of that loss (a factor-2 slip that a
gradient check exposes), so its update is SGD with learning rate 2. This demo
trains that network with the engine, shows what it learns and why, repeats it
over many seeds, and shows the fix: give the neurons biases.
"""

import textwrap

import numpy as np

from micrograd import MLP, SGD, datasets, no_grad, sse_loss
from micrograd.cli.shared import demo_parser, positive_int, pyplot, save_figure
from micrograd.gradcheck import check_gradients
from micrograd.tutorials import numpy_backprop, uniform_network

X, Y = datasets.xor()


def xor_network(seed: int, bias: bool = False) -> MLP:
    """2-2-1 sigmoid network; weights from U[0, 1) as the tutorial's np.random.rand, biases (if any) at 0."""
    return uniform_network(seed, 2, bias=bias)


def loss_of(model: MLP):
    """The tutorial's loss, 0.5 * sum((y - ypred)^2), over the four rows of the truth table."""
    return sse_loss(Y, [model(x) for x in X], half=True)


def tutorial_d_weights(model: MLP) -> dict[str, float]:
    """The tutorial's backprop, for a model without biases: its d_weights1 and d_weights2, by weight name.

    Its weights1[i][j] joins input i to hidden neuron j: w1 = weights1[0][0], w2 = weights1[1][0], ...
    Its lines are the exam-score tutorial's with `2*(y - output)` where that has `y - o`.
    """
    p = model.state_dict()
    weights1 = np.array([[p["w1"], p["w3"]], [p["w2"], p["w4"]]])
    weights2 = np.array([[p["w5"]], [p["w6"]]])
    d_weights1, d_weights2 = numpy_backprop(weights1, weights2, np.array(X), np.array(Y)[:, None], factor=2.0)
    (a, c), (b, d) = d_weights1.tolist()
    return {"w1": a, "w2": b, "w3": c, "w4": d, "w5": d_weights2[0][0].item(), "w6": d_weights2[1][0].item()}


def train(model: MLP, steps: int, lr: float, every: int = 0) -> list[float]:
    """Full-batch gradient descent on the tutorial's loss; returns the loss before each step."""
    opt = SGD(model.parameters(), lr=lr)
    history = []
    for step in range(steps):
        loss = loss_of(model)
        opt.zero_grad()
        loss.backward()
        opt.step()
        history.append(loss.data)
        if every and step % every == 0:
            print(f"  step {step:5d}  loss {loss.data:.4f}")
    return history


def predictions(model: MLP) -> list[float]:
    with no_grad():
        return [model(x).data for x in X]


def learned_xor(model: MLP) -> bool:
    """Every row of the truth table on the right side of 0.5."""
    return all((p > 0.5) == (t > 0.5) for p, t in zip(predictions(model), Y))


def show(model: MLP, title: str) -> None:
    preds = predictions(model)
    rows = ", ".join(f"{x[0]:.0f}{x[1]:.0f} -> {p:.3f}" for x, p in zip(X, preds))
    print(f"{title}: {rows}   ({'XOR learned' if learned_xor(model) else 'NOT XOR'})")


def main() -> int:
    parser = demo_parser(__doc__, seed=0)
    parser.add_argument("--steps", type=positive_int, default=1500,
                        help="training steps (default: 1500, the tutorial's)")
    parser.add_argument("--seeds", type=positive_int, default=20,
                        help="how many initialisations the comparison tries (default: 20)")
    args = parser.parse_args()

    print("1. The slip. The tutorial's d_weights against autograd of its loss 0.5 * sum((y - ypred)^2):")
    model = xor_network(args.seed)
    loss_of(model).backward()
    d_weights = tutorial_d_weights(model)
    for name, p in model.named_parameters():
        ratio = d_weights[name] / p.grad
        print(f"  {name}: d_weights {d_weights[name]: .6f}   autograd {p.grad: .6f}   ratio {ratio:.6f}")
    # Taken as the gradient (the update adds it, so the claimed gradient is -d_weights), a check flags every entry:
    claimed = {name: -d for name, d in d_weights.items()}
    print(textwrap.indent(str(check_gradients(claimed, loss_of(model), raise_exception=False)), "  "))
    print("  d_weights is -2 x the gradient. The update adds it, so it does move against the gradient, with a")
    print("  doubled step: `weights += d_weights` is SGD with lr 2 on 0.5 * sum((y - ypred)^2) (or lr 1 on")
    print("  sum((y - ypred)^2), the loss whose negative gradient d_weights really is).")

    print(f"\n2. Training as the tutorial does: no biases, U[0, 1) weights (seed {args.seed}),"
          f" {args.steps} steps, lr 2")
    model = xor_network(args.seed)
    train(model, args.steps, lr=2.0, every=max(1, args.steps // 10))
    show(model, "  tutorial's network")
    p = model.state_dict()
    print(f"  hidden weights: h1 ({p['w1']:.2f}, {p['w2']:.2f}), h2 ({p['w3']:.2f}, {p['w4']:.2f});"
          f" output weights w5 {p['w5']:.2f}, w6 {p['w6']:.2f}")
    print("  Why it looks like this: without biases, input 00 gives h1 = h2 = sigmoid(0) = 0.5 whatever the")
    print("  weights, so ypred(00) = sigmoid((w5 + w6) / 2): only a negative w5 + w6 pulls it towards 0. The")
    print("  network ends up counting the 1s: one hidden neuron saturates for any 1 in the input, the other grows")
    print("  with the number of 1s and carries a large negative output weight. 11 is the hard row: it must come")
    print("  out below 01 and 10 using only that difference, so it ends least confident, and from some starts")
    print("  on the wrong side of 0.5 (next section).")

    print(f"\n3. The same over {args.seeds} seeds: does the network get all four rows on the right side of 0.5?")
    variants = [
        ("tutorial: no biases, its update (lr 2)", False, 2.0),
        ("no biases, the true gradient (lr 1)", False, 1.0),
        ("with biases, the tutorial's update (lr 2)", True, 2.0),
    ]
    for title, bias, lr in variants:
        models = [xor_network(seed, bias) for seed in range(args.seeds)]
        for m in models:
            train(m, args.steps, lr=lr)
        learned = sum(learned_xor(m) for m in models)
        worst = sum(max(abs(p - t) for p, t in zip(predictions(m), Y)) for m in models) / len(models)
        print(f"  {title:42} XOR learned from {learned:2d} of {args.seeds} seeds;"
              f" mean worst-row error {worst:.3f}")
        for seed, m in enumerate(models):
            if not learned_xor(m):
                show(m, f"    seed {seed}")

    print("\n4. The fix: a bias per neuron. The boundary of each hidden neuron no longer has to pass through")
    print("   the origin, and 00 is no longer pinned to h = (0.5, 0.5):")
    fixed = xor_network(args.seed, bias=True)
    train(fixed, args.steps, lr=2.0)
    show(fixed, "  with biases")

    plt = pyplot("XOR picture")
    if plt is not None:
        grid = np.linspace(-0.5, 1.5, 61)
        fig, axes = plt.subplots(1, 2, figsize=(9, 4), sharey=True)
        for ax, m, title in ((axes[0], model, "tutorial: no biases"), (axes[1], fixed, "with biases")):
            with no_grad():
                z = np.array([[m([a, b]).data for a in grid] for b in grid])
            im = ax.contourf(grid, grid, z, levels=np.linspace(0, 1, 11), cmap="RdBu_r")
            ax.contour(grid, grid, z, levels=[0.5], colors="k")
            ax.scatter([x[0] for x in X], [x[1] for x in X], c=Y, cmap="RdBu_r", edgecolors="k", s=80, vmin=0, vmax=1)
            ax.set(title=f"{title} (seed {args.seed})", xlabel="x1")
        axes[0].set_ylabel("x2")
        fig.colorbar(im, ax=axes, label="ypred")
        save_figure(fig, args.out / "xor.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
