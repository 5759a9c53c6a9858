"""The exam-score tutorial's 2-3-1 network: its hand example, its update, saved weights, a prediction.

Reproduces its hand-worked forward pass (0.8567467964249273 with the given weights;
the tutorial prints .8579 because of an arithmetic slip, explained below), shows
that its update `W += X.T . delta` is SGD with learning rate 1 on 0.5 * sum((y - o)^2),
trains for 1000 iterations, saves the weights (our JSON file and the tutorial's
w1.txt / w2.txt), and predicts the score for 4 hours studied, 8 hours slept.
"""

import random

import numpy as np

from micrograd import MLP, SGD, Value, datasets, sse_loss
from micrograd.cli.shared import demo_parser, positive_int
from micrograd.tutorials import numpy_backprop

# The tutorial's matrices: W1[i][j] joins input i to hidden neuron j (2x3), W2[j][0] hidden j to the output (3x1).
# Our parameters are named neuron by neuron: h1 has w1 (from x1) and w2 (from x2), h2 has w3, w4, h3 has w5, w6,
# and the output o1 has w7, w8, w9 (from h1, h2, h3). So W1[i][j] is w{2j+i+1} and W2[j][0] is w{7+j}.


def to_matrices(model: MLP, attr: str = "data") -> tuple[np.ndarray, np.ndarray]:
    """The model's weights (or, with attr="grad", their gradients) as the tutorial's W1 and W2."""
    p = {name: getattr(v, attr) for name, v in model.named_parameters()}
    W1 = np.array([[p[f"w{2 * j + i + 1}"] for j in range(3)] for i in range(2)])
    W2 = np.array([[p[f"w{7 + j}"]] for j in range(3)])
    return W1, W2


def from_matrices(W1: np.ndarray, W2: np.ndarray) -> MLP:
    """The 2-3-1 sigmoid network without biases, with the tutorial's W1 (2x3) and W2 (3x1) as its weights."""
    model = MLP(2, [3, 1], activation="sigmoid", output_activation="sigmoid", bias=False)
    state = {f"w{2 * j + i + 1}": float(W1[i][j]) for i in range(2) for j in range(3)}
    state.update({f"w{7 + j}": float(W2[j][0]) for j in range(3)})
    model.load_state_dict(state)
    return model


def hand_example() -> None:
    print("1. The hand-worked example: input [2, 9] (unscaled), hidden weights (.2, .8), (.6, .3), (.1, .7),")
    print("   output weights .4, .5, .9")
    model = from_matrices(np.array([[0.2, 0.6, 0.1], [0.8, 0.3, 0.7]]), np.array([[0.4], [0.5], [0.9]]))
    hidden = model.layers[0]([2, 9])
    for h in hidden:
        s = h._prev[0]  # the neuron's weighted sum, before the sigmoid
        print(f"   {s.label} = {s.data:.1f}   S({s.data:.1f}) = {h.data:.9f}")
    o = model([2, 9])
    print(f"   output = S(.4 h1 + .5 h2 + .9 h3) = S({o._prev[0].data:.5f}) = {o.data!r}")
    print("   The tutorial prints .8579443067 instead. It writes S(7.5) = 1.000553084 for the second hidden")
    print("   neuron, whose sum is 3.9 (and a sigmoid never exceeds 1), then carries 1.000 into the output sum:")
    slip = 0.9994 * 0.4 + 1.000 * 0.5 + 0.9984 * 0.9
    print(f"   (.9994 * .4) + (1.000 * .5) + (.9984 * .9) = {slip:.5f},"
          f" S({slip:.5f}) = {Value(slip).sigmoid().data:.10f}")
    print(f"   With S(3.9) = {hidden[1].data:.4f} in its place the sum is {o._prev[0].data:.5f}"
          f" and the output {o.data:.4f}.")


def main() -> int:
    parser = demo_parser(__doc__, seed=0)
    parser.add_argument("--iterations", type=positive_int, default=1000,
                        help="full-batch training steps (default: 1000, the tutorial's; it also reports 100000)")
    args = parser.parse_args()

    hand_example()

    X, y = datasets.exam_scores()  # hours (studied, slept) / their column maxima, score / 100
    query = datasets.exam_query()  # [4, 8] / its own maximum, as the tutorial scales it: [0.5, 1.0]
    rng = random.Random(args.seed)
    W1 = np.array([[rng.gauss(0, 1) for _ in range(3)] for _ in range(2)])  # np.random.randn(2, 3)
    W2 = np.array([[rng.gauss(0, 1)] for _ in range(3)])  # np.random.randn(3, 1)
    print(f"\n2. Shapes: W1 is inputSize x hiddenSize = {W1.shape[0]}x{W1.shape[1]} and W2 is"
          f" {W2.shape[0]}x{W2.shape[1]}. The tutorial's comments call W1 (3x2); it is 2x3")
    print("   (its own example lists W1 row by row as .2, .6, .1 / .8, .3, .7). The (3x1) for W2 is right.")

    model = from_matrices(W1, W2)
    print("\n3. The tutorial's update is SGD with lr 1 on 0.5 * sum((y - o)^2)."
          f" At the initial weights (seed {args.seed}):")
    dW1, dW2 = numpy_backprop(W1, W2, np.array(X), np.array(y)[:, None])  # W1 += X.T.dot(z2_delta), ...
    sse_loss(y, [model(x) for x in X], half=True).backward()
    G1, G2 = to_matrices(model, "grad")
    gap = max(np.abs(dW1 + G1).max(), np.abs(dW2 + G2).max())
    print(f"   largest |tutorial's change + autograd gradient| over the 9 weights: {gap:.1e}")
    print("   (zero up to rounding: the tutorial's change is exactly minus the gradient)")

    print(f"\n4. Training: {args.iterations} full-batch steps of SGD(lr=1) on 0.5 * sum((y - o)^2);"
          " the loss printed is the tutorial's mean((y - o)^2)")
    model = from_matrices(W1, W2)
    opt = SGD(model.parameters(), lr=1.0)
    every = max(1, args.iterations // 10)
    for i in range(args.iterations):
        preds = [model(x) for x in X]
        if i % every == 0:
            print(f"   # {i:6d}  loss {sum((t - p.data) ** 2 for t, p in zip(y, preds)) / len(y):.3e}")
        loss = sse_loss(y, preds, half=True)
        opt.zero_grad()
        loss.backward()
        opt.step()
    preds = [model(x).data for x in X]
    print(f"   predicted {[round(p, 4) for p in preds]}, actual {y}")

    model.save(args.out / "exam_scores.json")
    W1, W2 = to_matrices(model)
    np.savetxt(args.out / "w1.txt", W1, fmt="%s")  # the tutorial's saveWeights()
    np.savetxt(args.out / "w2.txt", W2, fmt="%s")
    reloaded = from_matrices(np.loadtxt(args.out / "w1.txt", ndmin=2), np.loadtxt(args.out / "w2.txt", ndmin=2))
    again = MLP(2, [3, 1], activation="sigmoid", output_activation="sigmoid", bias=False)
    again.load(args.out / "exam_scores.json")
    print(f"\n5. Saved {args.out / 'exam_scores.json'} (Module.save) and {args.out / 'w1.txt'}, {args.out / 'w2.txt'}"
          " (the tutorial's np.savetxt)")

    p = model(query).data
    print(f"\n6. Prediction for 4 hours studied, 8 slept (scaled {query}): {p:.8f}   (a score of {100 * p:.1f})")
    print(f"   from the reloaded JSON file: {again(query).data:.8f}, from w1.txt/w2.txt: {reloaded(query).data:.8f}")
    print("   The tutorial reports 0.91882413 after 100,000 iterations from its own unseeded start.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
