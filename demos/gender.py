"""The gender tutorial's 2-2-1 network, trained by per-sample SGD; predicts Emily and Frank.

Weight (lb - 135) and height (in - 66) in, 1 = F / 0 = M out. Every weight and bias
starts from N(0, 1); each epoch takes one SGD step (lr 0.1) per person on
(y_true - ypred)^2, as the tutorial's hand-written backprop does. Prints the loss
every 10 epochs like the tutorial, then the predictions, and saves the loss curve.
"""

from micrograd import datasets
from micrograd.cli.shared import demo_parser, positive_int, pyplot, save_figure
from micrograd.tutorials import gender_network, train_gender


def main() -> int:
    parser = demo_parser(__doc__, seed=0)
    parser.add_argument("--epochs", type=positive_int, default=1000, help="epochs (default: 1000, the tutorial's)")
    parser.add_argument("--lr", type=float, default=0.1, help="learning rate (default: 0.1, the tutorial's)")
    args = parser.parse_args()

    X, y, names = datasets.gender()  # Alice, Bob, Charlie, Diana, shifted as in the tutorial
    model = gender_network(args.seed)  # the tutorial calls np.random.normal() for each of w1..w6, b1..b3
    print(f"{model}, initial weights from N(0, 1) with seed {args.seed}")

    # The tutorial updates every parameter by hand with d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w1 ...;
    # here loss.backward() computes those same products and SGD applies p -= lr * p.grad.
    history = train_gender(model, X, y, epochs=args.epochs, lr=args.lr)
    print(f"loss after {args.epochs} epochs: {history[-1]:.4f}")

    # The tutorial: "Emily: 0.951 - F", "Frank: 0.039 - M" (its weights came from an unseeded draw).
    for name, x in datasets.gender_to_predict().items():
        p = model(x).data
        print(f"{name}: {p:.3f} - {'F' if p > 0.5 else 'M'}")

    plt = pyplot("loss curve")
    if plt is not None:
        fig, ax = plt.subplots(figsize=(6, 3.5))
        ax.plot(range(len(history)), history)
        ax.set(xlabel="epoch", ylabel="mean squared error", yscale="log",
               title=f"2-2-1 network on the gender table (seed {args.seed})")
        ax.grid(alpha=0.3)
        save_figure(fig, args.out / "gender_loss.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
