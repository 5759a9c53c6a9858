"""The short introductions' network: 4 hidden sigmoid neurons, no biases, trained on XOR.

The introductions stop after `feedforward` (self.weights1 = np.random.rand(n, 4),
self.weights2 = np.random.rand(4, 1)) and say that training repeats feedforward
and backpropagation. This demo completes that loop on the XOR table, which the
longer version of the same tutorial uses: weights from U[0, 1), loss
0.5 * sum((y - ypred)^2), full-batch gradient descent with the true gradient.
"""


from micrograd import SGD, datasets, no_grad, sse_loss
from micrograd.cli.shared import demo_parser, positive_int
from micrograd.tutorials import uniform_network


def main() -> int:
    parser = demo_parser(__doc__, out=False, seed=0)
    parser.add_argument("--iterations", type=positive_int, default=1500, help="training iterations (default: 1500)")
    parser.add_argument("--hidden", type=positive_int, default=4, help="hidden neurons (default: 4, the tutorial's)")
    parser.add_argument("--lr", type=float, default=1.0, help="learning rate (default: 1)")
    args = parser.parse_args()

    X, y = datasets.xor()
    model = uniform_network(args.seed, args.hidden)
    print(f"{model}: {len(model.parameters())} weights from U[0, 1) (seed {args.seed})")

    # Each iteration: feedforward (the predictions), the loss, backpropagation (loss.backward()
    # fills every weight's .grad), and the update w -= lr * dL/dw.
    opt = SGD(model.parameters(), lr=args.lr)
    every = max(1, args.iterations // 10)
    for i in range(args.iterations):
        loss = sse_loss(y, [model(x) for x in X], half=True)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if i % every == 0 or i == args.iterations - 1:
            print(f"iteration {i:5d}  loss {loss.data:.5f}")

    with no_grad():
        preds = [model(x).data for x in X]
    for x, t, p in zip(X, y, preds):
        print(f"  {x} -> {p:.3f}   (target {t:.0f})")
    learned = all((p > 0.5) == (t > 0.5) for p, t in zip(preds, y))
    print("XOR learned: every output is on the right side of 0.5" if learned else "XOR NOT learned")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
