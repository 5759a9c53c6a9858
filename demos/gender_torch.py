"""The gender network trained in micrograd, handed to PyTorch, trained on there: the same losses.

Trains the gender tutorial's 2-2-1 sigmoid network in micrograd (per-sample SGD
on (y_true - ypred)^2, lr 0.1, as the gender demo), exports it with
micrograd.export.to_torch and checks that outputs and gradients agree. Then both
copies train on, micrograd's with its own loop and torch's with torch.optim.SGD,
and their losses are printed side by side; the torch model is saved with
torch.save and brought back with from_torch. Needs PyTorch (the CPU build).
"""

import sys

from micrograd import datasets
from micrograd.cli.shared import demo_parser, positive_int
from micrograd.tutorials import gender_network, train_gender


def train_torch(seq, X, y, *, epochs, lr):
    """The tutorial's training in PyTorch: per-sample SGD on (y_true - ypred)^2; the mean squared error per epoch."""
    import torch

    Xt, yt = torch.tensor(X, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)
    opt = torch.optim.SGD(seq.parameters(), lr=lr)
    history = []
    for _ in range(epochs):
        for x, y_true in zip(Xt, yt):
            loss = ((y_true - seq(x)) ** 2).sum()  # seq(x) has one entry, the prediction
            opt.zero_grad()
            loss.backward()
            opt.step()
        with torch.no_grad():  # the same record as train_gender: the MSE over all four at the end of the epoch
            history.append(torch.nn.functional.mse_loss(seq(Xt).reshape(-1), yt).item())
    return history


def main() -> int:
    parser = demo_parser(__doc__, seed=0)
    for flag, epochs, meaning in (("--epochs", 100, "in micrograd before the hand-over"),
                                  ("--more", 500, "both copies train after it")):
        parser.add_argument(flag, type=positive_int, default=epochs, help=f"epochs {meaning} (default: {epochs})")
    parser.add_argument("--lr", type=float, default=0.1, help="learning rate (default: 0.1, the tutorial's)")
    args = parser.parse_args()
    try:
        import torch
    except ImportError:
        from micrograd.export import TORCH_INSTALL_HINT

        print(f"this demo needs PyTorch, which is not installed; {TORCH_INSTALL_HINT}", file=sys.stderr)
        return 1
    from micrograd.export import compare_with_torch, from_torch, to_torch

    X, y, _ = datasets.gender()
    model = gender_network(args.seed)
    history = train_gender(model, X, y, epochs=args.epochs, lr=args.lr, log=None)
    print(f"micrograd: {model}, {args.epochs} epochs, loss {history[-1]:.6f}")

    seq = to_torch(model)  # an independent float64 copy: from here on each trains on its own
    print(f"\nexported to PyTorch:\n{seq}\n")
    compare_with_torch(model, X, y)  # prints the table; raises if anything differs by more than 1e-12

    ours = train_gender(model, X, y, epochs=args.more, lr=args.lr, log=None)
    theirs = train_torch(seq, X, y, epochs=args.more, lr=args.lr)
    print(f"\ntraining on, both from epoch {args.epochs}: mean squared error after each epoch")
    print(f"{'epoch':>6}  {'micrograd':<22}  {'torch':<22}  difference")
    shown = sorted({*range(min(10, args.more)), *range(99, args.more, 100), args.more - 1})
    for i in shown:
        print(f"{args.epochs + i + 1:>6}  {ours[i]!r:<22}  {theirs[i]!r:<22}  {abs(ours[i] - theirs[i]):.1e}")
    worst = max(abs(a - b) for a, b in zip(ours, theirs))
    print(f"largest difference over the {args.more} epochs: {worst:.1e}")

    path = args.out / "gender.pt"
    torch.save(seq.state_dict(), path)
    print(f"\ntorch model saved: {path} (load it into {type(seq).__name__} with load_state_dict)")
    back = from_torch(seq)  # and back again, e.g. to draw it or to check a derivation
    for name, x in datasets.gender_to_predict().items():
        p_torch, p_back = seq(torch.tensor(x, dtype=torch.float64)).item(), back(x).data
        print(f"{name}: torch {p_torch:.3f}, micrograd from_torch {p_back:.3f} - {'F' if p_torch > 0.5 else 'M'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
