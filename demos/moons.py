"""Karpathy's two-moons demo: MLP(2, [16, 16, 1]), hinge loss + L2, trained to 100% accuracy.

100 points in two interleaving half circles, labels -1 / +1. The model has two
hidden layers of 16 ReLU neurons and a linear output (337 parameters); the loss
is the mean SVM hinge loss plus 1e-4 times the sum of the squared parameters; each
of the 100 full-batch steps moves the parameters by lr = 1.0 - 0.9 k / 100 times
their gradient. It reaches 100% training accuracy and saves the decision boundary.
"""

import time
from collections.abc import Callable, Sequence

import numpy as np

from micrograd import MLP, SGD, Value, datasets, hinge_loss, no_grad
from micrograd.cli.shared import demo_parser, positive_int, pyplot, save_figure
from micrograd.trace import trace

ALPHA = 1e-4  # weight of the L2 penalty, as in Karpathy's demo

# One training step's forward and backward: fills every parameter's .grad, returns (loss, accuracy).
ForwardBackward = Callable[[MLP, Sequence[Sequence[float]], Sequence[int]], tuple[float, float]]


def moons(seed: int, n: int = 100) -> tuple[list[list[float]], list[int]]:
    """The points as lists of floats and the labels as -1 / +1, like Karpathy's ``y = y*2 - 1``."""
    X, y = datasets.make_moons(n, noise=0.1, seed=seed)
    return X.tolist(), [2 * int(label) - 1 for label in y]


def accuracy(y: Sequence[int], scores: Sequence[float]) -> float:
    """The fraction of points on the right side of the boundary (score > 0 means +1)."""
    return sum((label > 0) == (s > 0) for label, s in zip(y, scores)) / len(y)


def eager_forward_backward(model: MLP, X: Sequence[Sequence[float]], y: Sequence[int]) -> tuple[float, float]:
    """The whole batch through the engine: build the loss graph, then backward() through it."""
    scores = [model(x) for x in X]
    data_loss = hinge_loss(y, scores)
    reg_loss = ALPHA * Value.sum(p * p for p in model.parameters())
    loss = data_loss + reg_loss
    model.zero_grad()
    loss.backward()
    return loss.data, accuracy(y, [s.data for s in scores])


def traced_forward_backward(model: MLP) -> ForwardBackward:
    """The same forward and backward, traced once and run on the whole batch with numpy.

    The traced function is one sample's share of the loss, its hinge loss plus the L2
    penalty (their mean over the batch is the eager loss), and its score, for accuracy.
    """
    params = model.parameters()

    def sample(x: list[Value], label: Value) -> list[Value]:
        score = model(x)
        return [(1 - label * score).relu() + ALPHA * Value.sum(p * p for p in params), score]

    program = trace(sample, 2, ())

    def forward_backward(model: MLP, X: Sequence[Sequence[float]], y: Sequence[int]) -> tuple[float, float]:
        model.zero_grad()
        out = program.backward(np.asarray(X, dtype=float), np.asarray(y, dtype=float))  # grads of the mean
        return float(out[:, 0].mean()), accuracy(y, out[:, 1].tolist())

    return forward_backward


def train(
    model: MLP,
    X: Sequence[Sequence[float]],
    y: Sequence[int],
    steps: int = 100,
    *,
    forward_backward: ForwardBackward = eager_forward_backward,
    every: int = 10,
) -> list[tuple[float, float]]:
    """Karpathy's loop; returns (loss, accuracy) per step, measured before that step's update.

    ``forward_backward`` is the one place that touches the engine: any function
    that leaves the batch's gradients in the parameters' ``.grad`` and returns
    (loss, accuracy) trains the same model with the same optimiser.
    """
    opt = SGD(model.parameters(), lr=1.0)
    history = []
    for k in range(steps):
        loss, acc = forward_backward(model, X, y)
        opt.lr = 1.0 - 0.9 * k / steps  # decays from 1.0 towards 0.1
        opt.step()
        history.append((loss, acc))
        if every and (k % every == 0 or k == steps - 1):
            print(f"step {k:3d} loss {loss:.4f}, accuracy {acc:.0%}")
    return history


def predict(model: MLP, X: Sequence[Sequence[float]]) -> list[float]:
    with no_grad():
        return [model(x).data for x in X]


def draw_boundary(model: MLP, X: Sequence[Sequence[float]], y: Sequence[int], path, title: str) -> None:
    plt = pyplot("decision-boundary picture")
    if plt is None:
        return
    pts = np.array(X)
    xs = np.arange(pts[:, 0].min() - 0.5, pts[:, 0].max() + 0.5, 0.08)
    ys = np.arange(pts[:, 1].min() - 0.5, pts[:, 1].max() + 0.5, 0.08)
    grid = [[a, b] for b in ys for a in xs]
    z = np.array(predict(model, grid)).reshape(len(ys), len(xs))
    fig, ax = plt.subplots(figsize=(6, 5))
    ax.contourf(xs, ys, z > 0, levels=[-0.5, 0.5, 1.5], colors=["#c6dbef", "#fdd0a2"], alpha=0.8)
    ax.contour(xs, ys, z, levels=[0.0], colors="k", linewidths=1)
    ax.scatter(pts[:, 0], pts[:, 1], c=y, s=30, cmap="coolwarm", edgecolors="k")
    ax.set(title=title, xlabel="x1", ylabel="x2")
    save_figure(fig, path)


def main() -> int:
    parser = demo_parser(__doc__, seed=1337)
    parser.add_argument("--steps", type=positive_int, default=100, help="training steps (default: 100, Karpathy's)")
    parser.add_argument("--every", type=int, default=10, help="print the loss every N steps (default: 10; 0: never)")
    parser.add_argument("--trace", action="store_true",
                        help="trace one sample's loss once, then run every step on the whole batch with numpy")
    args = parser.parse_args()

    X, y = moons(args.seed)
    model = MLP(2, [16, 16, 1], rng=args.seed)
    print(f"{model}: {len(model.parameters())} parameters; {len(X)} points (seed {args.seed})")

    # The engine runs here through train()'s forward_backward argument: eager, or traced.
    start = time.perf_counter()
    forward_backward = traced_forward_backward(model) if args.trace else eager_forward_backward
    train(model, X, y, args.steps, forward_backward=forward_backward, every=args.every)
    elapsed = time.perf_counter() - start
    print(f"training took {elapsed:.2f} s" + (" (traced; tracing included)" if args.trace else " (eager)"))
    final = accuracy(y, predict(model, X))
    print(f"training accuracy after {args.steps} steps: {final:.0%}")

    draw_boundary(model, X, y, args.out / "moons.png", f"MLP(2, [16, 16, 1]) after {args.steps} steps: {final:.0%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
