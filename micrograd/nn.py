"""Neural-network building blocks on top of `Value`: Module, Neuron, Layer, MLP.

Naming follows the tutorials: in a network, weights are ``w1, w2, ...`` layer by
layer, neuron by neuron, input by input, and biases ``b1, b2, ...`` neuron by
neuron. Hidden neurons are ``h1, h2, ...`` (numbered on across hidden layers) and
output neurons ``o1, o2, ...``; a neuron's weighted sum is ``sum_h1`` etc. For the
2-2-1 network this gives exactly the tutorial's w1..w6, b1..b3, h1, h2, o1.
"""

from __future__ import annotations

import math
import numbers
import os
import random

from micrograd.engine import Value, _list_hint, _node, _unordered
from micrograd.ops import activations
from micrograd.optim import _zero_grad

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only; json, tempfile and pathlib are imported by save and load
    from collections.abc import Callable, Sequence
    from typing import Any

__all__ = ["Module", "Neuron", "Layer", "MLP", "ACTIVATIONS"]

Input = Value | float | int
RngLike = random.Random | int | None

#: activation name -> the Value method applying it (None: identity); the table's activations, and 'linear'
ACTIVATIONS: dict[str, Callable[[Value], Value] | None] = {name: getattr(Value, name) for name in activations()}
ACTIVATIONS["linear"] = None

_FORMAT = "micrograd-state"


class Module:
    """Base class: anything with parameters.

    Subclasses define `parameters()` (Karpathy's API); the rest is built on it.
    """

    def parameters(self) -> list[Value]:
        return []

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``(name, Value)`` pairs in `parameters()` order (generic names ``p1, p2, ...``)."""
        return [(f"p{i}", p) for i, p in enumerate(self.parameters(), 1)]

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0 (gradients accumulate across `backward()` calls)."""
        _zero_grad(self.parameters())

    def state_dict(self) -> dict[str, float]:
        """Parameter values by name, e.g. ``{'w1': 0.5, ..., 'b3': 0.0}``."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Set parameters from ``state``; its names must match `state_dict()` exactly.

        Everything is checked before anything is written, so on error the model is
        unchanged.
        """
        if not isinstance(state, dict):
            raise TypeError(f"state must be a dict of name -> number, got {type(state).__name__}")
        named = self.named_parameters()
        expected = [name for name, _ in named]
        missing = [k for k in expected if k not in state]
        extra = [k for k in state if k not in set(expected)]
        if missing or extra:
            raise ValueError(
                f"state does not match this {type(self).__name__} ({len(expected)} parameters): "
                f"missing {missing[:5]}{'...' if len(missing) > 5 else ''}, "
                f"unexpected {extra[:5]}{'...' if len(extra) > 5 else ''}"
            )
        values = {name: _parameter_value(name, state[name]) for name in expected}
        for name, p in named:
            p.data = values[name]

    def architecture(self) -> str:
        """What a saved file must have been saved from to load into this model.

        `Neuron`, `Layer` and `MLP` say everything that shapes them (sizes,
        activations, biases): their repr. Another Module says its class and its
        number of parameters.
        """
        return f"{type(self).__name__} with {len(self.parameters())} parameters"

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the parameters and the architecture to a JSON file, atomically.

        The file is written beside the target and renamed over it once complete,
        so an existing file is either replaced whole or left as it was. A path that
        is a symbolic link writes to the file it points to; an existing file keeps
        its permissions. Parameters that are not finite (a diverged step) are
        refused before anything is written.
        """
        import json
        import tempfile

        target = _save_target(path)
        for name, p in self.named_parameters():
            if not -math.inf < p.data < math.inf:
                raise ValueError(f"cannot save: parameter {name!r} is {p.data} (training diverged?); "
                                 f"the file {str(path)!r} was left as it was")
        doc = {"format": _FORMAT, "version": 2, "architecture": self.architecture(),
               "parameters": self.state_dict()}
        mode = _mode_for(target)
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".tmp",
                                       dir=os.path.dirname(target))
        except OSError as e:
            raise _save_error(path, e) from None
        try:
            with os.fdopen(fd, "w") as f:
                json.dump(doc, f, indent=1)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, mode)
            os.replace(tmp, target)
        except OSError as e:
            os.unlink(tmp)
            raise _save_error(path, e) from None
        except BaseException:
            os.unlink(tmp)
            raise

    def load(self, path: str | os.PathLike[str]) -> None:
        """Load parameters saved by `save` into this model (an instance method).

        The file must have been saved from a model of the same architecture (see
        `architecture`). Raises FileNotFoundError for a missing file and ValueError,
        saying why, for anything else that is not such a file (a folder, a file far
        larger than a save file of this model, corrupt or deeply nested JSON, numbers
        too large for a float, another architecture); on any error the model is
        unchanged.
        """
        import json

        shown = repr(str(path))
        if not os.path.exists(path):
            raise FileNotFoundError(f"no saved model at {shown}")
        if os.path.isdir(path):
            raise ValueError(f"{shown} is a folder, not a file saved by Module.save")
        limit = _LOAD_LIMIT_BASE + _LOAD_LIMIT_PER_PARAMETER * len(self.parameters())
        size = os.path.getsize(path)
        if size > limit:
            raise ValueError(f"{shown} has {size:,} bytes; a file saved from this model has far fewer "
                             f"(the limit for it is {limit:,}): it is not this model's save file")
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
        except (json.JSONDecodeError, UnicodeDecodeError, ValueError) as e:
            raise ValueError(f"{shown} is not a valid micrograd save file (corrupt JSON: {e})") from None
        except RecursionError:
            raise ValueError(f"{shown} is not a micrograd save file (its JSON is nested too deeply)") from None
        if not isinstance(doc, dict) or doc.get("format") != _FORMAT or not isinstance(doc.get("parameters"), dict):
            raise ValueError(f"{shown} is not a micrograd save file (written by Module.save)")
        saved_from = doc.get("architecture", doc.get("model"))  # version 1 files kept the model's repr
        if saved_from != self.architecture():
            raise ValueError(f"cannot load {shown}: it was saved from {saved_from}, and this model is "
                             f"{self.architecture()}; build the model the file was saved from")
        try:
            self.load_state_dict(doc["parameters"])
        except ValueError as e:
            raise ValueError(f"cannot load {shown}: {e}") from None


# A save file holds ~40 bytes a parameter; anything far larger is not one (and would cost memory).
_LOAD_LIMIT_BASE = 1 << 20
_LOAD_LIMIT_PER_PARAMETER = 200


def _parameter_value(name: str, v: object) -> float:
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise ValueError(f"parameter {name!r} must be a finite number, got {v!r}")
    try:
        f = float(v)
    except OverflowError:
        raise ValueError(f"parameter {name!r} is too large for a float: {str(v)[:20]}...") from None
    if not math.isfinite(f):
        raise ValueError(f"parameter {name!r} must be a finite number, got {v!r}")
    return f


def _save_target(path: str | os.PathLike[str]) -> str:
    """The file `save` writes: ``path``, or the file a symbolic link there points to."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"save needs a file path (a str or a Path), got {type(path).__name__}")
    text = os.fspath(path)
    if not text:
        raise ValueError("save needs a file name, such as 'model.json'; got an empty path")
    target = os.path.realpath(text)
    if os.path.isdir(target):
        raise ValueError(f"cannot save to {text!r}: it is a folder; give a file name such as "
                         f"{os.path.join(text, 'model.json')!r}")
    return target


def _save_error(path: str | os.PathLike[str], e: OSError) -> OSError:
    """The error of a failed save, naming the file asked for (not the temporary file beside it)."""
    message = f"cannot save to {str(path)!r}: {e.strerror or e}"
    return type(e)(message) if e.errno is None else type(e)(e.errno, message)


def _mode_for(target: str) -> int:
    """An existing file's permissions; for a new one, the usual ones (0o666 less the umask)."""
    try:
        return os.stat(target).st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


class Neuron(Module):
    """One neuron: ``activation(w1*x1 + w2*x2 + ... + b)``.

    ``nonlin`` keeps Karpathy's meaning (True: ReLU, False: linear); ``activation``
    (``'relu'``, ``'tanh'``, ``'sigmoid'``, ``'linear'``) overrides it. Weights
    start uniform in [-1, 1) and the bias at 0, as in Karpathy's micrograd, unless
    ``weights`` / ``bias_value`` are given. ``rng`` is a ``random.Random`` or an int
    seed; without it the global ``random`` module is used (so ``random.seed(1337)``
    reproduces Karpathy's models).

    >>> n = Neuron(2, activation="sigmoid", weights=[0, 1], bias_value=4)
    >>> n([2, 3]).data
    0.9990889488055994
    """

    w: list[Value]  #: the weights, one per input
    b: Value | None  #: the bias, or None with ``bias=False``
    activation: str  #: the name of the activation ('linear' for none)
    name: str  #: the tutorial's name of the neuron: h1, h2, ... (hidden), o1, ... (output)
    sum_label: str  #: the label of its weighted sum, ``sum_`` + name
    param_names: list[str]  #: its parameters' names, in `parameters` order

    def __init__(
        self,
        nin: int,
        nonlin: bool = True,
        *,
        activation: str | None = None,
        bias: bool = True,
        weights: Sequence[float] | None = None,
        bias_value: float | None = None,
        rng: RngLike = None,
        _named: bool = True,
    ) -> None:
        if isinstance(nin, bool) or not isinstance(nin, int) or nin < 1:
            raise ValueError(f"nin must be a positive int, got {nin!r}")
        _flag("nonlin", nonlin, "True for ReLU, False for linear; or choose activation=")
        _flag("bias", bias, "whether the neuron has a bias; its starting value is bias_value=")
        if activation is None:
            activation = "relu" if nonlin else "linear"
        _activation("activation", activation)
        if weights is not None:
            if isinstance(weights, (str, set, frozenset, dict)) or not hasattr(weights, "__len__"):
                raise TypeError(f"weights must be a list of {nin} numbers, got {type(weights).__name__}")
            if len(weights) != nin:
                raise ValueError(f"weights has {len(weights)} entries but the neuron has {nin} inputs")
        if bias_value is not None and not bias:
            raise ValueError("bias_value was given but bias=False")
        r = _rng(rng)
        self.w = [Value(w) for w in weights] if weights is not None else [Value(r.uniform(-1, 1)) for _ in range(nin)]
        self.b = (Value(0.0 if bias_value is None else bias_value)) if bias else None
        self.activation = activation
        self._act = ACTIVATIONS[activation]
        if _named:  # a neuron alone; a Layer or an MLP names its neurons itself, once
            self.rename("o1", 1, 1)

    @property
    def nonlin(self) -> bool:
        """Karpathy's flag: an activation is applied (``activation`` is not 'linear')."""
        return self.activation != "linear"

    def rename(self, name: str, first_weight: int, first_bias: int) -> None:
        """Name this neuron and its parameters the tutorial's way: ``rename('h2', 3, 2)`` gives h2 w3, w4, b2.

        The names are the keys of `named_parameters` and `state_dict`; the
        parameters' labels (what drawings show) start as the same names, and
        relabelling a parameter changes only what is shown.
        """
        self.name = name
        self.sum_label = f"sum_{name}"
        self.param_names = [f"w{first_weight + i}" for i in range(len(self.w))]
        if self.b is not None:
            self.param_names.append(f"b{first_bias}")
        for p, label in zip(self.parameters(), self.param_names):
            p.label = label

    def __call__(self, x: Sequence[Input]) -> Value:
        return self._finish(Value.dot(self.w, _inputs(x, len(self.w), self.name), self.b))

    def _finish(self, act: Value) -> Value:
        """Label the weighted sum ``act`` (sum_h1) and apply the activation; the result is named h1."""
        if self._act is None:
            act.label = self.name
            return act
        act.label = self.sum_label
        out = self._act(act)
        out.label = self.name
        return out

    def parameters(self) -> list[Value]:
        return self.w + [self.b] if self.b is not None else list(self.w)

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``(name, Value)`` pairs: the tutorial's names (w1, w2, b1, ...), whatever the labels say now."""
        return list(zip(self.param_names, self.parameters()))

    def __repr__(self) -> str:
        return f"Neuron({len(self.w)}, activation={self.activation!r}{_bias_flag(self)})"

    architecture = __repr__


class Layer(Module):
    """``nout`` neurons reading the same inputs; calling it returns a list of ``nout`` Values.

    Keyword arguments go to each `Neuron`. A layer on its own is an output layer:
    its neurons are named ``o1, o2, ...``.
    """

    neurons: list[Neuron]  #: Karpathy's name for them

    def __init__(self, nin: int, nout: int, *, _named: bool = True, **kwargs: Any) -> None:
        if isinstance(nout, bool) or not isinstance(nout, int) or nout < 1:
            raise ValueError(f"nout must be a positive int, got {nout!r}")
        unknown = sorted(set(kwargs) - _NEURON_OPTIONS)
        if unknown:
            raise TypeError(f"Layer got unexpected keyword arguments {unknown}; it passes to each Neuron "
                            f"only {', '.join(sorted(_NEURON_OPTIONS))}")
        if kwargs.get("rng") is not None:  # one generator for all the neurons (None: the global one)
            kwargs["rng"] = _rng(kwargs["rng"])
        self.neurons = [Neuron(nin, **kwargs, _named=False) for _ in range(nout)]
        if _named:  # a layer alone; an MLP names its layers' neurons itself, once
            _name_neurons([], self.neurons)

    def __call__(self, x: Sequence[Input]) -> list[Value]:
        return self._forward(_inputs(x, len(self.neurons[0].w), "this layer"))

    def _forward(self, x: Sequence[Input]) -> list[Value]:
        """Every neuron's ``Value.dot(w, x, b)`` and activation, built in one pass over the neurons.

        The nodes are exactly those of calling each neuron (a test pins them),
        built faster: the inputs' data is read once for all the neurons, and the
        half of each dot node's children and local derivatives that comes from
        the inputs (x1, x2, ... and their data) is laid out once, in ``prev`` and
        ``local``; each neuron fills in its own half (w1, w2, ..., b and their
        data) while it sums.
        A number among the inputs or the weights hands the neuron to `Value.dot`,
        which folds numbers in and says what is wrong.
        """
        data = [v.data for v in x if isinstance(v, Value)]
        if len(data) < len(x):  # numbers among the inputs
            return [n._finish(Value.dot(n.w, x, n.b)) for n in self.neurons]
        # a dot node's children: w1, x1, w2, x2, ..., b; its local derivatives: x1, w1, x2, w2, ..., 1
        m = 2 * len(data)
        prev: list[Any] = [None] * (m + 1)
        local = [1.0] * (m + 1)
        prev[1:m:2], local[0:m:2] = x, data
        out = []
        for n in self.neurons:
            w, b = n.w, n.b
            try:
                total = 0.0 if b is None else b.data
                j = 1
                for wi, xv in zip(w, data):  # from the bias, left to right, as Value.dot sums
                    local[j] = wv = wi.data  # weight i's data: the local derivative of x_i, at 2i + 1
                    total += wv * xv
                    j += 2
                fits = type(total) is float and len(w) == len(data)
            except (AttributeError, TypeError):  # a number among the weights, say
                fits = False
            if not fits:  # Value.dot folds numbers in, or says what is wrong
                out.append(n._finish(Value.dot(w, x, b)))
                continue
            prev[0:m:2] = w
            if b is None:
                act = _node(total, tuple(prev[:m]), tuple(local[:m]), "dot")
            else:
                prev[m] = b
                act = _node(total, tuple(prev), tuple(local), "dot")
            out.append(n._finish(act))
        return out

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [pair for n in self.neurons for pair in n.named_parameters()]

    def __repr__(self) -> str:
        first = self.neurons[0]
        return f"Layer({len(first.w)}, {len(self.neurons)}, activation={first.activation!r}{_bias_flag(first)})"

    architecture = __repr__


class MLP(Module):
    """A multi-layer perceptron: ``MLP(nin, [h1, h2, ..., nout])``.

    Hidden layers use ``activation`` (ReLU by default, as in Karpathy's micrograd
    library), the last layer ``output_activation`` (linear by default). The
    micrograd lecture's network is tanh throughout:
    ``MLP(3, [4, 4, 1], activation="tanh", output_activation="tanh")``. Calling the model
    returns a list of Values, or the single Value when the last layer has one
    neuron.

    >>> model = MLP(2, [16, 16, 1], rng=0)
    >>> len(model.parameters())
    337
    """

    layers: list[Layer]
    activation: str  #: of the hidden layers
    output_activation: str  #: of the last layer

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        *,
        activation: str = "relu",
        output_activation: str = "linear",
        bias: bool = True,
        rng: RngLike = None,
    ) -> None:
        if not isinstance(nouts, (list, tuple, range)) or not nouts:
            raise ValueError(f"nouts must list the layer sizes, e.g. MLP(2, [16, 16, 1]); got {nouts!r}")
        for name, act in (("activation", activation), ("output_activation", output_activation)):
            _activation(name, act)
        _flag("bias", bias, "whether the neurons have biases")
        self.activation, self.output_activation = activation, output_activation
        r = None if rng is None else _rng(rng)  # one generator for all the layers (None: the global one)
        sizes = [nin, *nouts]
        self.layers = [
            Layer(
                sizes[i],
                sizes[i + 1],
                activation=activation if i < len(nouts) - 1 else output_activation,
                bias=bias,
                rng=r,
                _named=False,
            )
            for i in range(len(nouts))
        ]
        hidden = [n for layer in self.layers[:-1] for n in layer.neurons]
        _name_neurons(hidden, self.layers[-1].neurons)

    def __call__(self, x: Sequence[Input]) -> Any:
        """The outputs: a list of Values, or the one Value when the last layer has one neuron (as Karpathy's).

        Typed ``Any`` for that reason, as PyTorch's ``Module.__call__`` is.
        """
        out: Sequence[Input] = _inputs(x, len(self.layers[0].neurons[0].w), "this MLP")
        for layer in self.layers:  # each layer's outputs are the next one's inputs: checked once, here
            out = layer._forward(out)
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [pair for layer in self.layers for pair in layer.named_parameters()]

    def __repr__(self) -> str:
        first = self.layers[0].neurons[0]
        sizes = [len(layer.neurons) for layer in self.layers]
        acts = f"activation={self.activation!r}, output_activation={self.output_activation!r}"
        return f"MLP({len(first.w)}, {sizes}, {acts}{_bias_flag(first)})"

    architecture = __repr__


_NEURON_OPTIONS = {"nonlin", "activation", "bias", "weights", "bias_value", "rng"}


def _inputs(x: object, n: int, who: str) -> Sequence[Input]:
    """``x`` if it is a sequence of ``n`` inputs; else an error saying what ``who`` takes."""
    if isinstance(x, (set, frozenset, dict)):
        raise _unordered(f"{who} takes a list of {n} inputs", x)
    try:
        m = len(x)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"{who} takes a list of {n} inputs (Values or numbers), got {type(x).__name__}"
                        f"{_list_hint(x)}") from None
    if m != n:
        raise ValueError(f"{who} expects {n} inputs, got {m}")
    return x  # type: ignore[return-value]


def _flag(name: str, value: object, meaning: str) -> None:
    if not isinstance(value, (bool, int)) or isinstance(value, int) and value not in (0, 1):
        raise TypeError(f"{name} must be True or False ({meaning}), got {type(value).__name__}: {value!r:.40}")


def _activation(name: str, value: object) -> None:
    if not isinstance(value, str) or value not in ACTIVATIONS:
        raise ValueError(f"unknown {name} {value!r:.40}; choose one of {sorted(ACTIVATIONS)} (a name, as a str)")


def _bias_flag(neuron: Neuron) -> str:
    """The ``, bias=False`` of a repr, for a neuron (and so a model) without biases."""
    return "" if neuron.b is not None else ", bias=False"


def _name_neurons(hidden: list[Neuron], output: list[Neuron]) -> None:
    """Give neurons and their parameters the tutorial's names (see the module docstring)."""
    nw = nb = 1
    for prefix, group in (("h", hidden), ("o", output)):
        for i, neuron in enumerate(group, 1):
            neuron.rename(f"{prefix}{i}", nw, nb)
            nw += len(neuron.w)
            nb += neuron.b is not None


def _rng(rng: RngLike) -> Any:
    """A generator with ``uniform``; None means the global ``random`` module."""
    if rng is None:
        return random
    if isinstance(rng, random.Random):
        return rng
    if isinstance(rng, int) and not isinstance(rng, bool):
        return random.Random(rng)
    raise TypeError(f"rng must be a random.Random, an int seed or None, got {type(rng).__name__}")
