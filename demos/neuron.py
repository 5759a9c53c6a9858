"""One neuron, the 2-2-1 network and the MSE loss: the gender tutorial's first numbers.

Prints the three numbers the tutorial prints: 0.9990889488055994, 0.7216325609518421 and 0.5.
"""

from micrograd import mse_loss
from micrograd.cli.shared import demo_parser
from micrograd.tutorials import network, neuron


def main() -> int:
    demo_parser(__doc__, out=False).parse_args()  # only --help: nothing here is random or written to disk

    # A neuron: sigmoid(w . x + b) with w = [0, 1], b = 4. For x = [2, 3]: sigmoid(0*2 + 1*3 + 4) = sigmoid(7).
    n = neuron()
    print("neuron  w = [0, 1], b = 4, x = [2, 3]:", n([2, 3]).data)  # 0.9990889488055994

    # The network: h1 and h2 read x, o1 reads h1 and h2; every neuron has w = [0, 1], b = 0.
    # h1 = h2 = sigmoid(3) = 0.9526, and o1 = sigmoid(0 * h1 + 1 * h2 + 0) = sigmoid(0.9526).
    net = network()
    h1, h2 = net.layers[0]([2, 3])
    print(f"network h1 = {h1.data}, h2 = {h2.data}")
    print("network x = [2, 3]:", net([2, 3]).data)  # 0.7216325609518421

    # The loss of a network that always answers 0 (male) on Alice, Bob, Charlie, Diana.
    print("mse_loss([1, 0, 0, 1], [0, 0, 0, 0]):", mse_loss([1, 0, 0, 1], [0, 0, 0, 0]).data)  # 0.5
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
