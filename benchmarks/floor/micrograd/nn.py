"""The floor's MLP: micrograd's nodes per neuron (one ``dot`` node, one ReLU node), nothing checked or named."""

from micrograd.engine import Value, _new


class MLP:
    """ReLU hidden layers and a linear output, as ``micrograd.nn.MLP(nin, nouts)``; parameters in the same order."""

    def __init__(self, nin: int, nouts: list[int]) -> None:
        sizes = [nin, *nouts]
        # per layer, per neuron: [w1, ..., wn, b]
        self.layers = [[[Value(0.0) for _ in range(sizes[i] + 1)] for _ in range(sizes[i + 1])]
                       for i in range(len(nouts))]

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for neuron in layer for p in neuron]

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0.0

    def __call__(self, x: list[Value]) -> Value:
        last = len(self.layers) - 1
        for i, layer in enumerate(self.layers):
            data = [v.data for v in x]
            m = 2 * len(data)
            prev: list = [None] * (m + 1)
            local = [1.0] * (m + 1)
            prev[1:m:2], local[0:m:2] = x, data
            out = []
            for neuron in layer:
                b = neuron[-1]
                total = b.data
                j = 1
                for wi, xv in zip(neuron, data):  # zip stops before the bias
                    local[j] = wv = wi.data
                    total += wv * xv
                    j += 2
                prev[0:m:2] = neuron[:-1]
                prev[m] = b
                act = _new(Value)
                act.data, act.grad, act.label, act._prev, act._local, act._op = (
                    total, 0.0, "", tuple(prev), tuple(local), "dot")
                if i < last:
                    act = act.relu()
                out.append(act)
            x = out
        return x[0] if len(x) == 1 else x
