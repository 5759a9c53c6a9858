"""Graduating to PyTorch: hand a model over (`to_torch`), take one back (`from_torch`), check both agree.

`to_torch` turns an `MLP` (or a lone `Layer` or `Neuron`) into a
``torch.nn.Sequential`` of float64 ``Linear`` layers, each followed by the same
activation (``ReLU``, ``Tanh``, ``Sigmoid``; none for 'linear'), with the same
weights and biases. `from_torch` builds an `MLP` back from such a Sequential.
`compare_with_torch` runs a model and its PyTorch copy on the same data and loss
and shows the outputs, the loss and every parameter's gradient side by side,
under both names: ours (``w1``, ``b3``) and torch's (``0.weight[0, 1]``, ``2.bias[0]``).

A neuron's weights are a row of its layer's ``Linear.weight``: neuron j of a
layer (counting from 0), reading input i, has the weight ``N.weight[j, i]`` and
the bias ``N.bias[j]``, where N is the index of the layer's Linear in the
Sequential (activation modules have indices too: 0, 2, 4 with activations).
`torch_names` lists the pairs.

PyTorch is an optional dependency (the extra ``torch``). Importing this module
does not import torch; each function does, and says how to install it when it
is missing.
"""

from __future__ import annotations

import functools
import importlib.util
import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from micrograd import losses
from micrograd.engine import Value
from micrograd.gradcheck import format_table
from micrograd.nn import ACTIVATIONS, MLP, Layer, Module, Neuron

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: torch is imported by the functions that need it
    import torch

__all__ = ["to_torch", "from_torch", "torch_names", "compare_with_torch", "TorchComparison", "ComparisonRow",
           "TorchMismatchError", "TORCH_INSTALL_HINT"]

#: what to do when PyTorch is missing (the CPU build is about 190 MB; the default Linux one several GB)
TORCH_INSTALL_HINT = "install PyTorch's CPU build: pip install torch --index-url https://download.pytorch.org/whl/cpu"

#: our activation -> the name of the torch.nn module applying it ('linear': none)
TORCH_ACTIVATIONS = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid"}

Model = MLP | Layer | Neuron


def _need_torch(who: str) -> None:
    """Raise ImportError with the install command when torch cannot be imported."""
    try:
        found = importlib.util.find_spec("torch") is not None
    except ImportError:
        found = False
    if not found:
        raise ImportError(f"{who} needs PyTorch, which is not installed; {TORCH_INSTALL_HINT}")


# ---------------------------------------------------------------------------- our side: what a model is made of


@dataclass(frozen=True)
class _Part:
    """One layer of neurons as torch sees it: a Linear, then its activation (or none)."""

    where: str  #: how an error names it: 'layer 1 (h1…h16)', 'the neuron'
    neurons: list[Neuron]
    activation: str

    @property
    def nin(self) -> int:
        return len(self.neurons[0].w)

    @property
    def bias(self) -> bool:
        return self.neurons[0].b is not None


def _parts(model: object, who: str) -> list[_Part]:
    """The layers of ``model`` in order, checked to be ones a Linear and an activation compute exactly."""
    if type(model) is Neuron:
        groups = [("the neuron", [model])]
    elif type(model) is Layer:
        groups = [("the layer", list(model.neurons))]
    elif type(model) is MLP:
        if not isinstance(model.layers, list) or not model.layers:
            raise ValueError(f"{who}: this MLP has no layers (its .layers is {model.layers!r:.40})")
        for i, layer in enumerate(model.layers):
            if type(layer) is not Layer:
                raise TypeError(f"{who}: layer {i} of this MLP is a {type(layer).__name__}, not a micrograd Layer; "
                                "only MLPs made of Layers of Neurons can be mapped")
        groups = [(f"layer {i}", list(layer.neurons)) for i, layer in enumerate(model.layers)]
    else:
        raise TypeError(_not_mappable(model, who))
    parts = [_part(where, neurons, who) for where, neurons in groups]
    seen: dict[int, str] = {}
    for part in parts:  # a Value in two places would be one parameter here and two copies in torch
        for j, n in enumerate(part.neurons):
            for name, p in n.named_parameters():
                here = f"{name} of neuron {j} in {part.where}"
                if id(p) in seen:
                    raise ValueError(f"{who}: {here} is the same Value as {seen[id(p)]}; a torch layer holds "
                                     "parameters of its own, so shared parameters cannot be mapped")
                seen[id(p)] = here
    for before, after in zip(parts, parts[1:]):
        if after.nin != len(before.neurons):
            raise ValueError(f"{who}: {after.where} takes {after.nin} inputs but {before.where} gives "
                             f"{len(before.neurons)} outputs; this model cannot run")
    return parts


def _not_mappable(model: object, who: str) -> str:
    kind = type(model).__name__
    if isinstance(model, (MLP, Layer, Neuron)):
        base = next(c for c in (MLP, Layer, Neuron) if isinstance(model, c)).__name__
        return (f"{who}: {kind} is a subclass of micrograd's {base}; its forward pass may "
                "be its own code, which cannot be mapped. Pass a plain MLP, Layer or Neuron")
    if isinstance(model, Module):
        return (f"{who}: {kind} is a Module subclass whose forward pass is its own code, which cannot be mapped "
                "to torch layers; only micrograd's MLP, Layer and Neuron can (write the torch module by hand, "
                "then compare parameters by name)")
    if isinstance(model, type):
        return f"{who} takes a model, got the class {model.__name__} itself; make one first, e.g. MLP(2, [16, 1])"
    return f"{who} takes a micrograd MLP, Layer or Neuron, got {kind}"


def _part(where: str, neurons: list[Neuron], who: str) -> _Part:
    if not neurons:
        raise ValueError(f"{who}: {where} has no neurons")
    bad = next((n for n in neurons if type(n) is not Neuron), None)
    if bad is not None:
        raise TypeError(f"{who}: {where} holds a {type(bad).__name__}, not a micrograd Neuron")
    first = neurons[0]
    if len(neurons) > 1:
        where = f"{where} ({first.name}…{neurons[-1].name})"
    for n in neurons:
        if n.activation not in ACTIVATIONS or n._act is not ACTIVATIONS[n.activation]:
            raise ValueError(f"{who}: neuron {n.name} in {where} says its activation is {n.activation!r:.40} but "
                             "applies another (was .activation changed after it was built?); build a new model "
                             "with the activation you want")
        if n.activation != first.activation:
            raise ValueError(f"{who}: {where} mixes activations ({first.name}: {first.activation!r}, {n.name}: "
                             f"{n.activation!r}); a torch Linear layer is followed by one activation for all its "
                             "outputs")
        if (n.b is None) != (first.b is None):
            has, lacks = (first, n) if n.b is None else (n, first)
            raise ValueError(f"{who}: in {where}, {has.name} has a bias and {lacks.name} has none; a torch Linear "
                             "layer has a bias for every output or for none")
        if len(n.w) != len(first.w):
            raise ValueError(f"{who}: in {where}, {first.name} has {len(first.w)} weights and {n.name} "
                             f"{len(n.w)}; the neurons of a layer read the same inputs")
    if first.activation != "linear" and first.activation not in TORCH_ACTIVATIONS:
        raise ValueError(f"{who}: {where} uses the activation {first.activation!r}, which has no torch counterpart "
                         f"here; the ones mapped are {', '.join(TORCH_ACTIVATIONS)} and 'linear'")
    return _Part(where, neurons, first.activation)


def _sequential_indices(parts: list[_Part]) -> list[int]:
    """Each part's Linear's index in the Sequential: an activation module takes the next index."""
    indices, i = [], 0
    for part in parts:
        indices.append(i)
        i += 1 if part.activation == "linear" else 2
    return indices


def _names(model: Model, parts: list[_Part]) -> dict[str, str]:
    """Our name of every parameter -> torch's, in `parameters()` order (neuron by neuron: weights, then bias)."""
    names = []
    for part, at in zip(parts, _sequential_indices(parts)):
        for j, n in enumerate(part.neurons):
            names += [f"{at}.weight[{j}, {i}]" for i in range(len(n.w))]
            if n.b is not None:
                names.append(f"{at}.bias[{j}]")
    return dict(zip([name for name, _ in model.named_parameters()], names))


def torch_names(model: Model) -> dict[str, str]:
    """Our name of each parameter -> its place in the model `to_torch` makes, in `parameters()` order.

    Needs no torch: it is the same arithmetic `to_torch` does.

    >>> from micrograd.tutorials import network
    >>> names = torch_names(network())
    >>> names["w1"], names["w4"], names["b2"], names["w5"]
    ('0.weight[0, 0]', '0.weight[1, 1]', '0.bias[1]', '2.weight[0, 0]')
    """
    return _names(model, _parts(model, "torch_names"))


# ---------------------------------------------------------------------------- to torch and back


def to_torch(model: Model) -> torch.nn.Sequential:
    """A ``torch.nn.Sequential`` computing what ``model`` computes, in float64, with the same parameters.

    Each layer becomes a ``Linear`` (``bias=False`` if its neurons have none)
    followed by its activation module (``ReLU``, ``Tanh``, ``Sigmoid``; nothing
    for 'linear'). A lone `Layer` or `Neuron` becomes a one-layer Sequential.
    The copy is independent: training one does not move the other. torch's
    random generator is not used (the layers are not randomly initialised first).

    Refuses, naming the part, what it cannot map: a Module subclass (its forward
    pass is its own code), a layer whose neurons differ in activation, bias or
    number of inputs, an activation torch has no module for.
    """
    return _to_torch(_parts(model, "to_torch"), "to_torch")


def _to_torch(parts: list[_Part], who: str) -> torch.nn.Sequential:
    """`to_torch` of a model already split into its parts."""
    _need_torch(who)
    import torch

    modules: list[torch.nn.Module] = []
    for part in parts:
        # made on the 'meta' device (no numbers, so no random initialisation: torch's generator stays where
        # the user set it), then given empty memory that the copies below fill
        linear = torch.nn.Linear(part.nin, len(part.neurons), bias=part.bias, device="meta",
                                 dtype=torch.float64).to_empty(device="cpu")
        with torch.no_grad():
            linear.weight.copy_(torch.tensor([[w.data for w in n.w] for n in part.neurons], dtype=torch.float64))
            if linear.bias is not None:
                linear.bias.copy_(torch.tensor([n.b.data for n in part.neurons if n.b is not None],
                                               dtype=torch.float64))
        modules.append(linear)
        if part.activation != "linear":
            modules.append(getattr(torch.nn, TORCH_ACTIVATIONS[part.activation])())
    return torch.nn.Sequential(*modules)


def from_torch(seq: torch.nn.Sequential) -> MLP:
    """Our `MLP` with the layers and parameters of ``seq``, a Sequential of ``Linear`` layers and activations.

    ``seq`` holds ``Linear`` layers, each optionally followed by one ``ReLU``,
    ``Tanh`` or ``Sigmoid`` (``Identity`` modules are skipped). As in our `MLP`,
    every hidden layer must have the same activation and either every layer a
    bias or none. Parameters of any real floating dtype are read: float32 (torch's
    default), float16 and bfloat16 values are widened to float64 exactly (every
    such number is a float64), so the model starts from the very same numbers but
    then computes in float64, and its outputs differ from the float32 model's by
    float32's rounding (about 1e-7 relative). Parameters on a GPU are copied to
    the CPU. The torch module is not changed.

    Refuses, naming the item, anything else: other module types (a nested
    Sequential, Dropout, a Linear subclass...), an activation not after a Linear,
    sizes that do not chain, NaN or infinite parameters.
    """
    _need_torch("from_torch")
    import torch

    if not isinstance(seq, torch.nn.Sequential):
        hint = "; wrap it: torch.nn.Sequential(layer)" if isinstance(seq, torch.nn.Linear) else ""
        raise TypeError(f"from_torch takes a torch.nn.Sequential of Linear layers and activations, "
                        f"got {type(seq).__name__}{hint}")
    by_class = {getattr(torch.nn, name): act for act, name in TORCH_ACTIVATIONS.items()}
    layers: list[tuple[str, torch.nn.Linear, str]] = []  # (name in seq, Linear, activation)
    # zip, not named_children(): that skips a module met before, and a Linear used twice must be seen
    for name, module in zip(seq._modules, seq):
        kind = type(module).__name__
        if type(module) is torch.nn.Identity:
            continue  # computes nothing
        if type(module) is torch.nn.Linear:
            first = next((n for n, lin, _ in layers if lin is module), None)
            if first is not None:
                raise ValueError(f"from_torch: Linear {name!r} is the Linear {first!r} again (shared weights); "
                                 "an MLP's layers have parameters of their own")
            if module.in_features < 1 or module.out_features < 1:
                raise ValueError(f"from_torch: Linear {name!r} has {module.in_features} inputs and "
                                 f"{module.out_features} outputs; a layer needs at least one of each")
            if layers and module.in_features != layers[-1][1].out_features:
                raise ValueError(f"from_torch: Linear {name!r} takes {module.in_features} inputs but the Linear "
                                 f"before it ({layers[-1][0]!r}) gives {layers[-1][1].out_features}")
            layers.append((name, module, "linear"))
        elif type(module) in by_class:
            if not layers or layers[-1][2] != "linear":
                after = (f"follows another activation after {layers[-1][0]!r}" if layers
                         else "comes before any Linear")
                raise ValueError(f"from_torch: {kind} {name!r} {after}; an MLP applies one activation after each "
                                 "Linear")
            layers[-1] = (*layers[-1][:2], by_class[type(module)])
        else:
            what = "a subclass of Linear (its forward pass may differ)" if isinstance(module, torch.nn.Linear) else kind
            raise TypeError(f"from_torch: item {name!r} is {what}, which has no micrograd counterpart; a Sequential "
                            f"of Linear and {', '.join(TORCH_ACTIVATIONS.values())} (and Identity) can be built")
    if not layers:
        raise ValueError("from_torch: the Sequential has no Linear layer, so there is no network to build")
    hidden = {act for _, _, act in layers[:-1]}
    if len(hidden) > 1:
        acts = ", ".join(f"{name!r}: {act!r}" for name, _, act in layers[:-1])
        raise ValueError(f"from_torch: the hidden layers have different activations ({acts}); micrograd's MLP uses "
                         "one activation for all hidden layers (and its own for the output layer)")
    biased = [name for name, linear, _ in layers if linear.bias is not None]
    if biased and len(biased) != len(layers):
        plain = [name for name, linear, _ in layers if linear.bias is None]
        raise ValueError(f"from_torch: Linear {biased} have biases and {plain} have none; micrograd's MLP gives "
                         "every layer a bias or none (bias=False)")
    values: list[float] = []
    for name, linear, _ in layers:
        for j in range(linear.out_features):
            values += _row(name, "weight", linear.weight, j)
            if linear.bias is not None:
                values += _row(name, "bias", linear.bias, j)
    sizes = [linear.out_features for _, linear, _ in layers]
    model = MLP(layers[0][1].in_features, sizes, activation=hidden.pop() if hidden else "relu",
                output_activation=layers[-1][2], bias=bool(biased),
                rng=0)  # a private generator: every parameter is overwritten, and `random`'s state stays the user's
    model.load_state_dict({name: v for (name, _), v in zip(model.named_parameters(), values)})
    return model


def _row(layer: str, kind: str, tensor: torch.Tensor, j: int) -> list[float]:
    """Row ``j`` of a Linear's weight (or its bias ``j``) as float64 numbers, checked."""
    import torch

    where = f"{layer}.{kind}"
    if tensor.is_meta:
        raise ValueError(f"from_torch: {where} has no values (it is on the 'meta' device); load the weights first")
    if not tensor.dtype.is_floating_point:
        raise TypeError(f"from_torch: {where} is {tensor.dtype}; only real floating-point parameters can be read")
    row = tensor.detach()[j].to("cpu", torch.float64)  # exact: float16/bfloat16/float32 all fit in float64
    numbers = row.reshape(-1).tolist()
    for i, v in enumerate(numbers):
        if not math.isfinite(v):
            at = f"[{j}, {i}]" if kind == "weight" else f"[{j}]"
            raise ValueError(f"from_torch: {where}{at} is {v}; a micrograd parameter must be a finite number")
    return numbers


# ---------------------------------------------------------------------------- side by side


@dataclass(frozen=True)
class ComparisonRow:
    """One number computed both ways: an output, the loss, or a parameter's gradient."""

    what: str  #: 'output', 'loss' or 'grad'
    ours: str  #: our name: 'o1 (x1)', 'L', 'w1'
    theirs: str  #: torch's: 'out[0, 0]', 'loss', '0.weight[0, 0]'
    micrograd: float
    torch: float
    ok: bool  #: within the comparison's tolerance

    @property
    def difference(self) -> float:
        """``|micrograd - torch|``."""
        return abs(self.micrograd - self.torch)


class TorchComparison:
    """What `compare_with_torch` found: one row per output, the loss, one per parameter's gradient.

    Truthy when every row agrees; ``str(result)`` is the table (Jupyter shows it as HTML).
    """

    def __init__(self, rows: list[ComparisonRow], tol: float) -> None:
        self.rows = rows
        self.tol = tol

    @property
    def failed(self) -> list[ComparisonRow]:
        """The rows that differ by more than the tolerance."""
        return [r for r in self.rows if not r.ok]

    def __bool__(self) -> bool:
        return not self.failed

    @property
    def max_difference(self) -> float:
        """The largest ``|micrograd - torch|`` over all rows."""
        return max(r.difference for r in self.rows)

    def summary(self) -> str:
        """One line: how many numbers agree, and the largest difference."""
        counts = {what: sum(r.what == what for r in self.rows) for what in ("output", "grad")}
        head = f"micrograd vs torch: {counts['output']} outputs, the loss and {counts['grad']} gradients"
        bad = self.failed
        if not bad:
            return f"{head} agree to {self.tol:g} (largest difference {self.max_difference:.1e})"
        return f"{head}: {len(bad)} differ by more than {self.tol:g} ({', '.join(r.ours for r in bad[:5])})"

    def table(self, *, html: bool = False) -> str:
        """The summary and one row per number, rows that differ marked with ``>`` (or in HTML, tinted red)."""
        header = ["", "micrograd", "torch", "micrograd value", "torch value", "difference"]
        body = [[r.what, r.ours, r.theirs, repr(r.micrograd), repr(r.torch), f"{r.difference:.1e}"]
                for r in self.rows]
        marks = [not r.ok for r in self.rows]
        if html:
            return format_table(header, body, marks, html_caption=self.summary())
        return self.summary() + "\n" + format_table(header, body, marks)

    __str__ = __repr__ = table

    def _repr_html_(self) -> str:
        return self.table(html=True)


class TorchMismatchError(AssertionError):
    """micrograd and torch disagree beyond the tolerance; the message is the table, ``.result`` its rows."""

    def __init__(self, result: TorchComparison) -> None:
        super().__init__(str(result))
        self.result = result


def _agree(a: float, b: float, tol: float) -> bool:
    """Within ``tol`` absolutely for numbers up to 1 in size, relatively beyond (float64 rounds relatively)."""
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


LossPair = tuple[Callable[..., Value], Callable[..., Any]]

#: the losses computed in torch too (see `_torch_loss`) -> the keyword options each may be given
_LOSS_OPTIONS: dict[Callable[..., Value], tuple[str, ...]] = {
    losses.mse_loss: (), losses.sse_loss: ("half",), losses.binary_cross_entropy: ("from_logits",),
    losses.hinge_loss: (),
}


def _torch_loss(loss: object) -> LossPair:
    """``(our loss, the same loss on torch tensors)`` for a loss of `micrograd.losses`, or the pair given."""
    import torch
    import torch.nn.functional as F

    if isinstance(loss, tuple) and len(loss) == 2 and all(callable(f) for f in loss):
        return loss
    func, options = (loss.func, loss.keywords) if isinstance(loss, functools.partial) else (loss, {})
    known = ", ".join(f.__name__ for f in _LOSS_OPTIONS)
    if func not in _LOSS_OPTIONS:
        raise TypeError(f"compare_with_torch knows the losses of micrograd.losses ({known}) and computes each in "
                        f"torch too; got {getattr(loss, '__name__', type(loss).__name__)}. For another loss pass "
                        "a pair (micrograd_loss, torch_loss), each taking (y_true, y_pred)")
    assert callable(func)  # the table's keys are functions
    unknown = sorted(set(options) - set(_LOSS_OPTIONS[func]))
    if unknown or (isinstance(loss, functools.partial) and loss.args):
        raise TypeError(f"compare_with_torch: {func.__name__} takes only the keyword options "
                        f"{list(_LOSS_OPTIONS[func])} here, got {unknown or 'positional arguments'}")

    def theirs(t: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
        # torch's own functions where it has them, so the loss is an independent computation too
        if func is losses.mse_loss:
            return F.mse_loss(p, t)
        if func is losses.sse_loss:
            return F.mse_loss(p, t, reduction="sum") * (0.5 if options.get("half") else 1.0)
        if func is losses.binary_cross_entropy:
            if options.get("from_logits"):
                return F.binary_cross_entropy_with_logits(p, t)
            return F.binary_cross_entropy(p, t)
        return torch.relu(1 - t * p).mean()  # hinge_loss

    return functools.partial(func, **options), theirs


def compare_with_torch(
    model: Model,
    X: Sequence[Sequence[float]],
    y: Sequence[float] | Sequence[Sequence[float]],
    *,
    loss: Callable[..., Value] | LossPair = losses.mse_loss,
    tol: float = 1e-12,
    log: Callable[[str], object] | None = print,
) -> TorchComparison:
    """Run ``model`` and its `to_torch` copy on ``X``, ``y`` and ``loss``; print and return the table.

    ``X`` holds the samples, ``y`` one target per sample (a list of targets per
    sample for a model with several outputs: the loss then covers every output of
    every sample, sample by sample). ``loss`` is a loss of `micrograd.losses`
    (``mse_loss`` by default; ``functools.partial(sse_loss, half=True)`` and
    ``partial(binary_cross_entropy, from_logits=True)`` work too), computed in
    torch with its own functions, or a pair ``(micrograd_loss, torch_loss)``
    each taking ``(y_true, y_pred)``.

    The rows are the outputs, the loss and ∂loss/∂p for every parameter, ours and
    torch's side by side under both names. They must agree to ``tol`` (the default
    1e-12: both compute in float64, in a different order, so they differ by a
    few roundings of about 1e-16 each): absolutely for numbers up to 1 in size,
    relatively for larger ones. The table is printed with ``log`` (None: not
    printed); if a row disagrees, TorchMismatchError (an AssertionError) is
    raised with the table. ``model``'s gradients are left as they were.
    """
    parts = _parts(model, "compare_with_torch")
    _need_torch("compare_with_torch")
    import torch

    if isinstance(tol, bool) or not isinstance(tol, (int, float)) or not 0 <= tol < math.inf:
        raise ValueError(f"compare_with_torch: tol must be a finite number >= 0, got {tol!r:.40}")
    ours_loss, torch_loss = _torch_loss(loss)
    nout = len(parts[-1].neurons)
    xs, targets = _data(X, y, parts[0].nin, nout)
    out_names = [n.name for n in parts[-1].neurons]

    # micrograd: outputs, loss, gradients (the model's own gradients are put back afterwards)
    params = model.parameters()
    saved = [p.grad for p in params]
    preds: list[Value] = []
    for x in xs:
        out = model(x)
        preds += out if isinstance(out, list) else [out]
    flat_targets = [t for sample in targets for t in sample]
    our_loss = ours_loss(flat_targets, preds)
    if not isinstance(our_loss, Value):
        raise TypeError(f"compare_with_torch: the micrograd loss returned {type(our_loss).__name__}, not a Value")
    model.zero_grad()
    try:
        our_loss.backward()
        our_grads = [p.grad for p in params]
    finally:
        for p, g in zip(params, saved):
            p.grad = g

    # torch: the same, on the exported copy
    seq = _to_torch(parts, "compare_with_torch")
    with torch.enable_grad():  # even when called inside torch.no_grad()
        out_t = seq(torch.tensor(xs, dtype=torch.float64))
        loss_t = torch_loss(torch.tensor(flat_targets, dtype=torch.float64), out_t.reshape(-1))
        loss_t.backward()
    grads_t = [g for lin in seq if isinstance(lin, torch.nn.Linear)
               for g in _grads_by_neuron(lin)]

    rows = []
    for k, (pred, value) in enumerate(zip(preds, out_t.reshape(-1).tolist())):
        s, o = divmod(k, nout)
        rows.append(("output", f"{out_names[o]} (x{s + 1})", f"out[{s}, {o}]", pred.data, value))
    rows.append(("loss", "L", "loss", our_loss.data, loss_t.item()))
    names = _names(model, parts).items()
    rows += [("grad", ours, theirs, g, gt) for (ours, theirs), g, gt in zip(names, our_grads, grads_t)]
    result = TorchComparison([ComparisonRow(*r, ok=_agree(r[3], r[4], tol)) for r in rows], tol)
    if log is not None:
        log(str(result))
    if not result:
        raise TorchMismatchError(result)
    return result


def _grads_by_neuron(linear: torch.nn.Linear) -> list[float]:
    """A Linear's gradients in our parameter order: for each output, its weights' then its bias's."""
    assert linear.weight.grad is not None  # backward() reached every parameter
    weight = linear.weight.grad.tolist()
    bias = linear.bias.grad.tolist() if linear.bias is not None and linear.bias.grad is not None else None
    return [g for j, row in enumerate(weight) for g in (row + [bias[j]] if bias is not None else row)]


def _data(X: object, y: object, nin: int, nout: int) -> tuple[list[list[float]], list[list[float]]]:
    """The samples and their targets as float lists, checked: each sample has ``nin`` numbers, each target ``nout``."""
    xs = _table(X, "X", nin, "inputs")
    if isinstance(y, (str, bytes, dict, set)) or not hasattr(y, "__len__"):
        raise TypeError(f"compare_with_torch: y must list one target per sample, got {type(y).__name__}")
    if len(y) != len(xs):
        raise ValueError(f"compare_with_torch: X has {len(xs)} samples but y has {len(y)} targets")
    if nout == 1 and all(isinstance(t, numbers.Real) and not isinstance(t, bool) for t in y):  # type: ignore[attr-defined]
        return xs, [[float(t)] for t in y]  # type: ignore[attr-defined]
    return xs, _table(y, "y", nout, "targets (one per output)")


def _table(rows: object, name: str, width: int, what: str) -> list[list[float]]:
    if isinstance(rows, (str, bytes, dict, set)) or not hasattr(rows, "__iter__"):
        raise TypeError(f"compare_with_torch: {name} must be a list of samples, got {type(rows).__name__}")
    out = []
    for i, row in enumerate(rows):
        if isinstance(row, (str, bytes)) or not hasattr(row, "__len__") or len(row) != width:
            got = len(row) if hasattr(row, "__len__") and not isinstance(row, (str, bytes)) else repr(row)[:20]
            raise ValueError(f"compare_with_torch: {name}[{i}] must hold {width} {what}, got {got}")
        try:
            out.append([float(v) for v in row])
        except (TypeError, ValueError):
            raise TypeError(f"compare_with_torch: {name}[{i}] must hold numbers, got {list(row)!r:.60}") from None
    if not out:
        raise ValueError(f"compare_with_torch: {name} has no samples")
    return out
