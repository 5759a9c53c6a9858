"""micrograd.export: to PyTorch and back, and the two computing the same numbers.

Tolerances: a parameter copied either way must be the same float64 exactly (a
copy rounds nothing). Outputs, losses and gradients must agree to 1e-12, the
issue's requirement: both sides compute in float64 but sum in another order, so
they differ by a few roundings of about 1e-16 each.

These tests need PyTorch. CI installs it (.ci/run) and, with CI set, a missing
torch fails the run; elsewhere the tests that need it are skipped, saying so.
The tests that need no torch (imports, refusals found before torch is used) run
everywhere.
"""

from __future__ import annotations

import functools
import random
import re
import runpy
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from support import require, run_python

from micrograd import MLP, Layer, Module, Neuron, Value, datasets
from micrograd.export import (
    TORCH_INSTALL_HINT,
    TorchMismatchError,
    compare_with_torch,
    from_torch,
    to_torch,
    torch_names,
)
from micrograd.losses import binary_cross_entropy, hinge_loss, mse_loss, sse_loss
from micrograd.tutorials import gender_network, network, train_gender, uniform_network

ROOT = Path(__file__).resolve().parent.parent
AGREE = 1e-12  # the requirement (see the module docstring)

try:
    import torch
except ImportError:
    torch = None


@pytest.fixture
def torch_installed() -> None:
    """Skip where PyTorch is missing; under CI, where it must be installed, fail."""
    require(torch is None, "PyTorch", TORCH_INSTALL_HINT)


needs_torch = pytest.mark.usefixtures("torch_installed")


#: the models the issue names: Karpathy's MLP and the tutorials' sigmoid networks
MODELS = {
    "MLP(2, [16, 16, 1])": lambda: MLP(2, [16, 16, 1], rng=0),
    "network()": network,
    "network(w5=0.3, b3=-1)": lambda: network(weights=(0.5, -0.25), bias=0.1, w5=0.3, b3=-1.0),
    "uniform_network(0)": lambda: uniform_network(0),
    "uniform_network(1, hidden=4, bias=True)": lambda: uniform_network(1, hidden=4, bias=True),
    "gender_network(0)": lambda: gender_network(0),
    "gender_network(7)": lambda: gender_network(7),
    "MLP tanh, three outputs": lambda: MLP(3, [5, 3], activation="tanh", output_activation="sigmoid", rng=2),
    "MLP linear, no bias": lambda: MLP(2, [3, 2, 1], activation="linear", bias=False, rng=3),
}


def data_for(model: MLP, n: int = 6, seed: int = 0) -> tuple[list[list[float]], list]:
    """``n`` random samples and targets in [0, 1] fitting ``model``'s inputs and outputs."""
    rng = random.Random(seed)
    nin, nout = len(model.layers[0].neurons[0].w), len(model.layers[-1].neurons)
    X = [[rng.uniform(-3, 3) for _ in range(nin)] for _ in range(n)]
    y = [rng.random() if nout == 1 else [rng.random() for _ in range(nout)] for _ in range(n)]
    return X, y


def torch_value(seq, name: str) -> float:
    """The number at a name of `torch_names`, such as ``'2.weight[0, 1]'``, in ``seq``."""
    m = re.fullmatch(r"(\w+)\.(weight|bias)\[(\d+)(?:, (\d+))?\]", name)
    assert m, name
    tensor = seq.get_submodule(m.group(1)).get_parameter(m.group(2))
    index = tuple(int(i) for i in m.groups()[2:] if i is not None)
    return tensor[index].item()


# ---------------------------------------------------------------------------- importing


def test_importing_micrograd_or_micrograd_export_does_not_import_torch():
    loaded = "import sys; print('torch' in sys.modules)"
    assert run_python(f"import micrograd; {loaded}") == "False"
    assert run_python(f"import micrograd.export; {loaded}") == "False"
    assert run_python(f"from micrograd import MLP; from micrograd.export import torch_names; "
                      f"torch_names(MLP(2, [3, 1])); {loaded}") == "False"


def test_without_torch_each_function_says_how_to_install_it():
    code = ("import sys; sys.modules['torch'] = None  # as if torch were not installed\n"
            "from micrograd.export import to_torch, from_torch, compare_with_torch\n"
            "from micrograd.tutorials import network\n"
            "for call in (lambda: to_torch(network()), lambda: from_torch(None),\n"
            "             lambda: compare_with_torch(network(), [[1, 2]], [1.0])):\n"
            "    try:\n"
            "        call()\n"
            "    except ImportError as e:\n"
            "        print(e)\n")
    lines = run_python(code).splitlines()
    assert [line.split(" needs")[0] for line in lines] == ["to_torch", "from_torch", "compare_with_torch"]
    for line in lines:
        assert "PyTorch, which is not installed" in line and "download.pytorch.org/whl/cpu" in line


# ---------------------------------------------------------------------------- names


def test_torch_names_of_the_tutorial_network():
    assert torch_names(network()) == {
        "w1": "0.weight[0, 0]", "w2": "0.weight[0, 1]", "b1": "0.bias[0]",
        "w3": "0.weight[1, 0]", "w4": "0.weight[1, 1]", "b2": "0.bias[1]",
        "w5": "2.weight[0, 0]", "w6": "2.weight[0, 1]", "b3": "2.bias[0]",
    }


def test_torch_names_skip_the_index_of_a_missing_activation_and_of_a_missing_bias():
    names = torch_names(MLP(1, [2, 1], activation="linear", bias=False, rng=0))
    assert names == {"w1": "0.weight[0, 0]", "w2": "0.weight[1, 0]", "w3": "1.weight[0, 0]", "w4": "1.weight[0, 1]"}


# ---------------------------------------------------------------------------- refusals


class Custom(Module):
    def __init__(self) -> None:
        self.w = Value(1.0)

    def parameters(self) -> list[Value]:
        return [self.w]


class MyMLP(MLP):
    pass


def mixed_activations() -> MLP:
    model = MLP(2, [3, 1], rng=0)
    model.layers[0].neurons[1] = Neuron(2, activation="tanh", rng=0)
    return model


def mixed_bias() -> MLP:
    model = MLP(2, [3, 1], rng=0)
    model.layers[0].neurons[1].b = None
    return model


def relabelled_activation() -> MLP:
    model = MLP(2, [3, 1], rng=0)
    for n in model.layers[0].neurons:
        n.activation = "tanh"  # the attribute only: the neurons still apply ReLU
    return model


def sizes_that_do_not_chain() -> MLP:
    model = MLP(2, [3, 1], rng=0)
    model.layers[1] = Layer(4, 1, rng=0)
    return model


def neuron_subclass_in_a_layer() -> Layer:
    class Odd(Neuron):
        pass

    layer = Layer(2, 2, rng=0)
    layer.neurons[1] = Odd(2, rng=0)
    return layer


def shared_neuron() -> MLP:
    model = MLP(2, [3, 1], rng=0)
    model.layers[0].neurons[2] = model.layers[0].neurons[0]
    return model


def shared_weight() -> MLP:
    model = MLP(2, [3, 1], rng=0)
    model.layers[1].neurons[0].w[1] = model.layers[0].neurons[0].w[0]
    return model


REFUSED = [
    ("a Module subclass", Custom, TypeError, ["Custom", "Module subclass", "its own code"]),
    ("an MLP subclass", lambda: MyMLP(2, [1], rng=0), TypeError, ["MyMLP", "subclass of micrograd's MLP"]),
    ("not a model", lambda: [Neuron(2)], TypeError, ["MLP, Layer or Neuron", "list"]),
    ("mixed activations", mixed_activations, ValueError, ["layer 0 (h1…h3)", "mixes activations", "'tanh'"]),
    ("mixed bias", mixed_bias, ValueError, ["in layer 0 (h1…h3), h1 has a bias and h2 has none"]),
    ("a lone layer, mixed bias", lambda: mixed_bias().layers[0], ValueError, ["in the layer (h1…h3), h1"]),
    ("activation changed after", relabelled_activation, ValueError, ["neuron h1", "'tanh'", "applies another"]),
    ("sizes", sizes_that_do_not_chain, ValueError, ["layer 1 takes 4 inputs", "layer 0 (h1…h3) gives 3"]),
    ("a neuron twice", shared_neuron, ValueError,
     ["w1 of neuron 2 in layer 0 (h1…h1) is the same Value as w1 of neuron 0 in layer 0", "shared"]),
    ("a shared weight", shared_weight, ValueError, ["w8 of neuron 0 in layer 1 is the same Value as w1 of neuron 0"]),
    ("the class itself", lambda: MLP, TypeError, ["got the class MLP itself", "make one first"]),
    ("a Neuron subclass", neuron_subclass_in_a_layer, TypeError, ["the layer holds a Odd", "not a micrograd Neuron"]),
]


@pytest.mark.parametrize("build, error, words", [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
@pytest.mark.parametrize("call", [to_torch, torch_names, lambda m: compare_with_torch(m, [[0.0, 0.0]], [0.0])],
                         ids=["to_torch", "torch_names", "compare_with_torch"])
def test_a_model_that_cannot_be_mapped_is_refused_naming_the_part(call, build, error, words):
    """Found before torch is used: these run without torch too."""
    with pytest.raises(error) as info:
        call(build())
    message = str(info.value)
    assert all(w in message for w in words), message


def test_the_refusal_names_the_function_that_refused():
    with pytest.raises(TypeError, match="^to_torch: Custom"):
        to_torch(Custom())
    with pytest.raises(ValueError, match="^compare_with_torch: layer 0"):
        compare_with_torch(mixed_activations(), [[0.0, 0.0]], [0.0])


# ---------------------------------------------------------------------------- to torch and back


@needs_torch
@pytest.mark.parametrize("make", MODELS.values(), ids=MODELS.keys())
def test_to_torch_copies_every_parameter_exactly_into_float64_linear_layers(make):
    model = make()
    seq = to_torch(model)
    assert all(p.dtype == torch.float64 for p in seq.parameters())
    assert sum(p.numel() for p in seq.parameters()) == len(model.parameters())
    names = torch_names(model)
    for name, p in model.named_parameters():
        assert torch_value(seq, names[name]) == p.data, name
    kinds = [type(m).__name__ for m in seq]
    hidden, out = model.activation, model.output_activation
    act = {"relu": ["ReLU"], "tanh": ["Tanh"], "sigmoid": ["Sigmoid"], "linear": []}
    assert kinds == [*(["Linear", *act[hidden]] * (len(model.layers) - 1)), "Linear", *act[out]]


@needs_torch
@pytest.mark.parametrize("make", MODELS.values(), ids=MODELS.keys())
def test_from_torch_of_to_torch_is_the_same_model(make):
    model = make()
    back = from_torch(to_torch(model))
    assert repr(back) == repr(model) and back.state_dict() == model.state_dict()  # exactly: copies round nothing


@needs_torch
@pytest.mark.parametrize("make", MODELS.values(), ids=MODELS.keys())
def test_the_exported_model_computes_the_same_outputs(make):
    model = make()
    X, _ = data_for(model)
    outs = [model(x) for x in X]
    ours = [v.data for out in outs for v in (out if isinstance(out, list) else [out])]
    theirs = to_torch(model)(torch.tensor(X, dtype=torch.float64)).reshape(-1).tolist()
    assert theirs == pytest.approx(ours, rel=AGREE, abs=AGREE)


@needs_torch
def test_to_torch_of_a_torch_model_built_from_scratch_round_trips():
    torch.manual_seed(0)
    seq = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2)).double()
    model = from_torch(seq)
    assert repr(model) == "MLP(3, [4, 2], activation='tanh', output_activation='linear')"
    again = to_torch(model)
    assert all(torch.equal(a, b) for a, b in zip(seq.state_dict().values(), again.state_dict().values()))


@needs_torch
def test_a_lone_neuron_and_a_lone_layer_export_as_one_layer():
    neuron = Neuron(2, activation="sigmoid", weights=[0, 1], bias_value=4)
    seq = to_torch(neuron)
    assert [type(m).__name__ for m in seq] == ["Linear", "Sigmoid"]
    assert seq(torch.tensor([2.0, 3.0], dtype=torch.float64)).item() == pytest.approx(neuron([2, 3]).data, rel=AGREE)
    assert from_torch(seq).state_dict() == neuron.state_dict()  # the same names too: w1, w2, b1
    layer = Layer(3, 2, activation="tanh", bias=False, rng=0)
    back = from_torch(to_torch(layer))
    assert repr(back) == "MLP(3, [2], activation='relu', output_activation='tanh', bias=False)"
    assert back.state_dict() == layer.state_dict()


@needs_torch
def test_from_torch_reads_float32_by_widening_each_number_exactly():
    torch.manual_seed(1)
    seq = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Sigmoid(), torch.nn.Linear(3, 1))
    model = from_torch(seq)
    assert [p.data for p in model.parameters()] == [
        float(v) for lin in (seq[0], seq[2]) for j in range(lin.out_features)
        for v in [*lin.weight[j].tolist(), lin.bias[j].item()]
    ]
    x = [0.3, -1.7]
    # float32 against float64 from the same numbers: float32's rounding, about 1e-7 relative
    assert model(x).data == pytest.approx(seq(torch.tensor(x)).item(), rel=1e-5)


@needs_torch
def test_exporting_and_importing_use_no_random_numbers():
    random.seed(5)
    torch.manual_seed(5)
    before = random.getstate(), torch.random.get_rng_state()
    from_torch(to_torch(MLP(2, [16, 16, 1], rng=0)))
    assert random.getstate() == before[0] and torch.equal(torch.random.get_rng_state(), before[1])


@needs_torch
def test_the_copies_are_independent():
    model = network()
    seq = to_torch(model)
    with torch.no_grad():
        seq[0].weight[0, 0] = 5.0
    assert model.state_dict()["w1"] == 0.0
    back = from_torch(seq)
    model.load_state_dict({**model.state_dict(), "w1": -5.0})
    assert back.state_dict()["w1"] == 5.0


def torch_refusals() -> list[tuple[str, object, type[Exception], list[str]]]:
    if torch is None:
        return []
    nn = torch.nn

    def nan_weight():
        seq = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))
        with torch.no_grad():
            seq[2].weight[0, 1] = float("nan")
        return seq

    class MyLinear(nn.Linear):
        pass

    def no_outputs():
        with warnings.catch_warnings():  # torch warns that it initialises nothing: that is the point
            warnings.simplefilter("ignore", UserWarning)
            return nn.Sequential(nn.Linear(2, 0))

    return [
        ("a lone Linear", nn.Linear(2, 1), TypeError, ["torch.nn.Sequential", "Linear", "wrap it"]),
        ("not a module", [nn.Linear(2, 1)], TypeError, ["torch.nn.Sequential", "list"]),
        ("empty", nn.Sequential(), ValueError, ["no Linear layer"]),
        ("Dropout", nn.Sequential(nn.Linear(2, 2), nn.Dropout(), nn.Linear(2, 1)), TypeError,
         ["item '1' is Dropout", "no micrograd counterpart", "ReLU, Tanh, Sigmoid"]),
        ("nested", nn.Sequential(nn.Sequential(nn.Linear(2, 1))), TypeError, ["item '0' is Sequential"]),
        ("Linear subclass", nn.Sequential(MyLinear(2, 1)), TypeError, ["'0'", "subclass of Linear"]),
        ("GELU", nn.Sequential(nn.Linear(2, 1), nn.GELU()), TypeError, ["item '1' is GELU"]),
        ("activation first", nn.Sequential(nn.ReLU(), nn.Linear(2, 1)), ValueError,
         ["ReLU '0' comes before any Linear"]),
        ("two activations", nn.Sequential(nn.Linear(2, 1), nn.Tanh(), nn.Sigmoid()), ValueError,
         ["Sigmoid '2' follows another activation after '0'"]),
        ("sizes", nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(4, 1)), ValueError,
         ["Linear '2' takes 4 inputs", "('0') gives 3"]),
        ("mixed hidden activations",
         nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 1)), ValueError,
         ["'0': 'relu', '2': 'tanh'", "one activation for all hidden layers"]),
        ("mixed bias", nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1, bias=False)), ValueError,
         ["['0'] have biases and ['1'] have none", "bias=False"]),
        ("NaN", nan_weight(), ValueError, ["2.weight[0, 1] is nan", "finite"]),
        ("complex", nn.Sequential(nn.Linear(2, 1, dtype=torch.complex64)), TypeError,
         ["0.weight is torch.complex64", "real floating-point"]),
        ("meta", nn.Sequential(nn.Linear(2, 1, device="meta")), ValueError, ["0.weight has no values", "meta"]),
        ("a Linear twice", nn.Sequential(shared := nn.Linear(2, 2), nn.ReLU(), shared), ValueError,
         ["Linear '2' is the Linear '0' again (shared weights)"]),
        ("no outputs", no_outputs(), ValueError, ["'0' has 2 inputs and 0 outputs"]),
    ]


@needs_torch
@pytest.mark.parametrize("case", torch_refusals(), ids=lambda c: c[0])
def test_from_torch_refuses_what_it_cannot_build_naming_the_item(case):
    _, seq, error, words = case
    with pytest.raises(error) as info:
        from_torch(seq)
    message = str(info.value)
    assert message.startswith("from_torch") and all(w in message for w in words), message


@needs_torch
def test_identity_modules_are_skipped_and_names_given_by_a_dict_are_kept():
    from collections import OrderedDict

    nn = torch.nn
    seq = nn.Sequential(OrderedDict(hidden=nn.Linear(2, 2), act=nn.Sigmoid(), skip=nn.Identity(),
                                    out=nn.Linear(2, 1), squash=nn.Sigmoid()))
    with pytest.raises(ValueError, match="Linear 'out' takes 3 inputs but the Linear before it .'hidden'. gives 2"):
        from_torch(nn.Sequential(OrderedDict(hidden=nn.Linear(2, 2), out=nn.Linear(3, 1))))
    assert repr(from_torch(seq)) == "MLP(2, [2, 1], activation='sigmoid', output_activation='sigmoid')"


# ---------------------------------------------------------------------------- side by side


LOSSES = {
    "mse_loss": (mse_loss, lambda y: y),
    "sse_loss half": (functools.partial(sse_loss, half=True), lambda y: y),
    "binary_cross_entropy": (binary_cross_entropy, lambda y: [round(t) for t in y]),
    "binary_cross_entropy from_logits": (functools.partial(binary_cross_entropy, from_logits=True), lambda y: y),
    "hinge_loss": (hinge_loss, lambda y: [1.0 if t > 0.5 else -1.0 for t in y]),
}


@needs_torch
@pytest.mark.parametrize("make", MODELS.values(), ids=MODELS.keys())
def test_outputs_loss_and_every_gradient_agree_to_1e_12(make):
    model = make()
    X, y = data_for(model)
    result = compare_with_torch(model, X, y, log=None)
    nout = len(model.layers[-1].neurons)
    assert [r.what for r in result.rows] == ["output"] * (len(X) * nout) + ["loss"] + ["grad"] * len(
        model.parameters())
    assert result and result.max_difference <= AGREE * max(1.0, *(abs(r.micrograd) for r in result.rows))
    grads = [r for r in result.rows if r.what == "grad"]
    assert [(r.ours, r.theirs) for r in grads] == list(torch_names(model).items())
    assert any(r.micrograd != 0 for r in grads)  # a comparison of zeros would prove nothing


@needs_torch
@pytest.mark.parametrize("loss, targets", LOSSES.values(), ids=LOSSES.keys())
def test_every_loss_of_micrograd_losses_is_computed_in_torch_too(loss, targets):
    model = gender_network(3)
    X, y = data_for(model, n=5)
    result = compare_with_torch(model, X, targets(y), loss=loss, log=None)
    assert result and next(r for r in result.rows if r.what == "loss").micrograd > 0


@needs_torch
def test_the_tutorial_network_on_alice_gives_the_tutorials_partials_in_torch():
    """The tutorial's ∂L/∂w1 for Alice (weights 1, biases 0), now from torch as well."""
    model = network(weights=(1.0, 1.0), bias=0.0)
    result = compare_with_torch(model, [[-2.0, -1.0]], [1.0], loss=sse_loss, log=None)
    w1 = next(r for r in result.rows if r.ours == "w1")
    assert w1.theirs == "0.weight[0, 0]" and w1.torch == pytest.approx(0.02146953526581111, rel=AGREE)


@needs_torch
def test_the_table_is_printed_with_both_names_and_returned():
    lines = []
    result = compare_with_torch(gender_network(0), *datasets.gender()[:2], log=lines.append)
    assert lines == [str(result)]
    text = lines[0]
    assert text.startswith("micrograd vs torch: 4 outputs, the loss and 9 gradients agree to 1e-12")
    assert re.search(r"^  output +o1 \(x1\) +out\[0, 0\] ", text, re.M)
    assert re.search(r"^  grad +w6 +2\.weight\[0, 1\] +-?0\.\d+ +-?0\.\d+ +\d\.\de[-+]\d\d$", text, re.M)
    assert "<table>" in result._repr_html_()


@needs_torch
def test_a_disagreement_raises_with_the_table_marking_the_rows():
    """A torch loss off by one part in a million: the loss and every gradient must be flagged."""
    def slightly_off(t, p):
        return torch.nn.functional.mse_loss(p, t) * (1 + 1e-6)

    model = gender_network(0)
    X, y, _ = datasets.gender()
    with pytest.raises(TorchMismatchError) as info:
        compare_with_torch(model, X, y, loss=(mse_loss, slightly_off), log=None)
    assert isinstance(info.value, AssertionError)
    result = info.value.result
    assert {r.what for r in result.failed} == {"loss", "grad"} and len(result.failed) == 10
    assert str(info.value).count("\n> ") == 10 and "10 differ by more than 1e-12" in str(info.value)
    # the same with a tolerance looser than the error passes
    assert compare_with_torch(model, X, y, loss=(mse_loss, slightly_off), tol=1e-5, log=None)


@needs_torch
def test_the_models_own_gradients_are_left_as_they_were():
    model = gender_network(0)
    for i, p in enumerate(model.parameters()):
        p.grad = float(i)
    compare_with_torch(model, *datasets.gender()[:2], log=None)
    assert [p.grad for p in model.parameters()] == [float(i) for i in range(9)]


@needs_torch
def test_compare_works_under_torch_no_grad():
    with torch.no_grad():
        assert compare_with_torch(network(), [[1.0, 2.0]], [1.0], log=None)


BAD_COMPARE = [
    ("sample too short", dict(X=[[1.0]], y=[1.0]), ValueError, ["X[0] must hold 2 inputs, got 1"]),
    ("X a number", dict(X=3, y=[1.0]), TypeError, ["X must be a list of samples", "int"]),
    ("X empty", dict(X=[], y=[]), ValueError, ["X has no samples"]),
    ("X not numbers", dict(X=[["a", "b"]], y=[1.0]), TypeError, ["X[0] must hold numbers"]),
    ("y too short", dict(X=[[1.0, 2.0]] * 2, y=[1.0]), ValueError, ["X has 2 samples but y has 1"]),
    ("y a number", dict(X=[[1.0, 2.0]], y=1.0), TypeError, ["y must list one target per sample", "float"]),
    ("unknown loss", dict(X=[[1.0, 2.0]], y=[1.0], loss=lambda t, p: p), TypeError,
     ["knows the losses of micrograd.losses", "mse_loss", "pair (micrograd_loss, torch_loss)"]),
    ("unknown option", dict(X=[[1.0, 2.0]], y=[1.0], loss=functools.partial(mse_loss, half=True)), TypeError,
     ["mse_loss takes only the keyword options []", "['half']"]),
    ("tol", dict(X=[[1.0, 2.0]], y=[1.0], tol=-1), ValueError, ["tol must be a finite number >= 0"]),
]


@needs_torch
@pytest.mark.parametrize("kwargs, error, words", [c[1:] for c in BAD_COMPARE], ids=[c[0] for c in BAD_COMPARE])
def test_bad_input_to_compare_gets_a_clear_error(kwargs, error, words):
    with pytest.raises(error) as info:
        compare_with_torch(network(), **kwargs, log=None)
    message = str(info.value)
    assert message.startswith("compare_with_torch") and all(w in message for w in words), message


@needs_torch
def test_a_model_with_several_outputs_takes_a_list_of_targets_per_sample():
    model = MLP(3, [4, 2], rng=0)
    result = compare_with_torch(model, [[1.0, 2.0, 3.0], [0.0, -1.0, 0.5]], [[1.0, 0.0], [0.0, 1.0]], log=None)
    assert [r.ours for r in result.rows[:4]] == ["o1 (x1)", "o2 (x1)", "o1 (x2)", "o2 (x2)"]
    assert [r.theirs for r in result.rows[:4]] == ["out[0, 0]", "out[0, 1]", "out[1, 0]", "out[1, 1]"]


# ---------------------------------------------------------------------------- the demo


DEMO = ROOT / "demos" / "gender_torch.py"


@needs_torch
def test_the_demo_continues_training_in_torch_with_the_same_losses(tmp_path, capsys, monkeypatch):
    demo = runpy.run_path(str(DEMO), run_name="gender_torch")
    monkeypatch.setattr(sys, "argv", [DEMO.name, "--epochs", "20", "--more", "30", "--out", str(tmp_path)])
    assert demo["main"]() == 0
    out = capsys.readouterr().out
    assert "agree to 1e-12" in out
    rows = re.findall(r"^ +(\d+)  (\S+) +(\S+) +(\S+)$", out, re.M)  # epoch, micrograd, torch, difference
    assert [int(r[0]) for r in rows] == [*range(21, 31), 50]
    for _, ours, theirs, _ in rows:
        assert float(ours) == pytest.approx(float(theirs), rel=AGREE, abs=AGREE)
    assert list(torch.load(tmp_path / "gender.pt")) == ["0.weight", "0.bias", "2.weight", "2.bias"]


@needs_torch
def test_the_demos_torch_training_gives_the_losses_of_train_gender():
    """Per-sample SGD in torch from the exported model: the epochs micrograd's own loop would have had."""
    X, y, _ = datasets.gender()
    history = train_gender(gender_network(0), X, y, epochs=25, log=None)
    model = gender_network(0)
    train_gender(model, X, y, epochs=20, log=None)
    train_torch = runpy.run_path(str(DEMO), run_name="gender_torch")["train_torch"]
    assert train_torch(to_torch(model), X, y, epochs=5, lr=0.1) == pytest.approx(history[20:], rel=AGREE, abs=AGREE)


def test_the_demo_without_torch_says_how_to_install_it(tmp_path):
    code = ("import runpy, sys; sys.modules['torch'] = None; "
            f"sys.argv = [{DEMO.name!r}, '--out', {str(tmp_path)!r}]; "
            f"runpy.run_path({str(DEMO)!r}, run_name='__main__')")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.startswith("this demo needs PyTorch, which is not installed; install PyTorch's CPU build")
