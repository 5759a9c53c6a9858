"""Neuron, Layer, MLP: the tutorials' figures, naming, Karpathy compatibility, saving."""

from __future__ import annotations

import json
import math
import random

import pytest

from micrograd import MLP, Layer, Module, Neuron, Value

# The seeds' figures are computed in float64 by the same formulas; the engine's
# sigmoid takes another (stable) branch for negative inputs, so allow a few ulps.
REL = 1e-12


def tutorial_network() -> MLP:
    """The 2-2-1 sigmoid network with named parameters w1..w6, b1..b3."""
    return MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid")


def set_params(model: Module, **values: float) -> None:
    state = model.state_dict()
    state.update(values)
    model.load_state_dict(state)


def graph_labels(root: Value) -> dict[str, Value]:
    out, stack, seen = {}, [root], set()
    while stack:
        v = stack.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        if v.label:
            out[v.label] = v
        stack.extend(v._prev)
    return out


def test_single_neuron_matches_the_tutorial():
    n = Neuron(2, activation="sigmoid", weights=[0, 1], bias_value=4)
    assert n([2, 3]).data == pytest.approx(0.9990889488055994, rel=REL)


def test_feedforward_of_the_2_2_1_network_matches_the_tutorial():
    net = tutorial_network()
    set_params(net, w1=0, w2=1, w3=0, w4=1, w5=0, w6=1, b1=0, b2=0, b3=0)
    assert net([2, 3]).data == pytest.approx(0.7216325609518421, rel=REL)


def test_tutorial_network_names_parameters_w1_to_w6_and_b1_to_b3():
    net = tutorial_network()
    names = [name for name, _ in net.named_parameters()]
    assert names == ["w1", "w2", "b1", "w3", "w4", "b2", "w5", "w6", "b3"]
    assert [p.label for p in net.parameters()] == names
    h1, h2 = net.layers[0].neurons
    assert [p.label for p in h1.w] == ["w1", "w2"] and h2.b.label == "b2"
    assert [p.label for p in net.layers[1].neurons[0].w] == ["w5", "w6"]  # w5 from h1, w6 from h2


def test_neuron_outputs_carry_the_tutorial_variable_names():
    net = tutorial_network()
    labels = graph_labels(net([-2, -1]))
    assert {"sum_h1", "h1", "sum_h2", "h2", "sum_o1", "o1", "w1", "b3"} <= set(labels)
    assert labels["h1"]._prev == (labels["sum_h1"],)


def test_alice_partials_match_the_tutorial_hand_derivation():
    """Alice alone, weights 1, biases 0, L = (1 - ypred)², with the tutorial's chain rule."""
    net = tutorial_network()
    set_params(net, **{f"w{i}": 1.0 for i in range(1, 7)}, b1=0, b2=0, b3=0)
    x, y_true = [-2.0, -1.0], 1.0
    y_pred = net(x)
    loss = (y_true - y_pred) ** 2
    loss.backward()
    assert y_pred.data == pytest.approx(0.5236951740839997, rel=REL)

    def sig(t):
        return 1 / (1 + math.exp(-t))

    def dsig(t):
        return sig(t) * (1 - sig(t))

    # the tutorial's variables
    sum_h1 = sum_h2 = x[0] + x[1]
    h1, h2 = sig(sum_h1), sig(sum_h2)
    sum_o1 = h1 + h2
    d_L_d_ypred = -2 * (y_true - sig(sum_o1))
    hand = {
        "w1": d_L_d_ypred * (1 * dsig(sum_o1)) * (x[0] * dsig(sum_h1)),
        "w2": d_L_d_ypred * (1 * dsig(sum_o1)) * (x[1] * dsig(sum_h1)),
        "b1": d_L_d_ypred * (1 * dsig(sum_o1)) * dsig(sum_h1),
        "w3": d_L_d_ypred * (1 * dsig(sum_o1)) * (x[0] * dsig(sum_h2)),
        "w4": d_L_d_ypred * (1 * dsig(sum_o1)) * (x[1] * dsig(sum_h2)),
        "b2": d_L_d_ypred * (1 * dsig(sum_o1)) * dsig(sum_h2),
        "w5": d_L_d_ypred * h1 * dsig(sum_o1),
        "w6": d_L_d_ypred * h2 * dsig(sum_o1),
        "b3": d_L_d_ypred * dsig(sum_o1),
    }
    got = {name: p.grad for name, p in net.named_parameters()}
    assert got == pytest.approx(hand, rel=1e-12)
    assert got["w1"] == pytest.approx(0.02146953526581111, rel=REL)


def test_karpathy_mlp_has_337_parameters_relu_hidden_and_linear_output():
    model = MLP(2, [16, 16, 1])
    assert len(model.parameters()) == 337
    assert [layer.neurons[0].activation for layer in model.layers] == ["relu", "relu", "linear"]
    assert isinstance(model([1.0, 2.0]), Value)


def test_parameters_keep_karpathys_order_and_init():
    random.seed(1337)
    model = MLP(2, [16, 16, 1])
    random.seed(1337)
    # Karpathy's Neuron draws random.uniform(-1, 1) per weight and sets the bias to 0.
    expected = []
    for nin, nout in ((2, 16), (16, 16), (16, 1)):
        for _ in range(nout):
            expected += [random.uniform(-1, 1) for _ in range(nin)] + [0.0]
    assert [p.data for p in model.parameters()] == expected


def test_forward_equals_karpathys_formula_exactly():
    model = MLP(2, [4, 3, 1], rng=3)
    x = [0.3, -1.7]
    act = x
    for li, layer in enumerate(model.layers):
        nxt = []
        for n in layer.neurons:
            s = n.b.data
            for wi, xi in zip(n.w, act):  # sum((wi*xi for ...), b): left to right from b
                s = s + wi.data * xi
            nxt.append(max(s, 0.0) if li < len(model.layers) - 1 else s)
        act = nxt
    assert model(x).data == act[0]


def _same_node(a: Value, b: Value) -> None:
    """The same data, op, children (the very objects) and local derivatives, bit for bit."""
    assert (a.data, a._op, a._local) == (b.data, b._op, b._local)
    assert len(a._prev) == len(b._prev) and all(x is y for x, y in zip(a._prev, b._prev))


@pytest.mark.parametrize("activation", ["linear", "relu", "tanh"])
@pytest.mark.parametrize("bias", [True, False])
def test_a_layer_on_values_builds_the_nodes_each_neuron_builds(bias, activation):
    # A layer builds all its neurons' nodes in one pass; they must be those of calling each neuron.
    layer = Layer(5, 4, activation=activation, bias=bias, rng=2)
    x = [Value(random.Random(i).uniform(-2, 2)) for i in range(5)]
    for out, n in zip(layer(x), layer.neurons):
        alone = n(x)
        assert (out.label, out.data, out._op, out._local) == (alone.label, alone.data, alone._op, alone._local)
        dot = out if activation == "linear" else out._prev[0]
        _same_node(dot, Value.dot(n.w, x, n.b))
        assert dot.label == (n.name if activation == "linear" else n.sum_label)
        out.backward()
        assert [w.grad for w in n.w] == [v.data * dot.grad for v in x]


@pytest.mark.parametrize("replace", [
    lambda n: n.w.__setitem__(1, 0.5),  # a number among the weights
    lambda n: n.w.__setitem__(0, __import__("numpy").float64(-0.25)),
    lambda n: setattr(n, "b", 2.0),  # a number as the bias
    lambda n: setattr(n.w[2], "data", 3),  # an int as a weight's data
])
def test_a_layer_whose_weights_are_not_all_values_computes_what_value_dot_does(replace):
    layer = Layer(3, 2, activation="tanh", rng=4)
    replace(layer.neurons[0])
    x = [Value(0.5), Value(-1.5), Value(2.0)]
    got = layer(x)[0]
    n = layer.neurons[0]
    _same_node(got._prev[0], Value.dot(n.w, x, n.b))


def test_a_weight_list_of_the_wrong_length_is_value_dots_error():
    layer = Layer(3, 2, rng=4)
    layer.neurons[1].w.append(Value(1.0))
    with pytest.raises(ValueError, match="dot needs as many weights as inputs, got 4 and 3"):
        layer([Value(1.0), Value(2.0), Value(3.0)])


def test_layer_returns_a_list_even_for_one_neuron():
    out = Layer(3, 1)([1.0, 2.0, 3.0])
    assert isinstance(out, list) and len(out) == 1


def test_mlp_returns_a_list_for_several_outputs():
    assert len(MLP(2, [3, 2])([1.0, 1.0])) == 2


def test_nonlin_false_gives_a_linear_neuron_and_activation_overrides():
    assert Neuron(2, nonlin=False).activation == "linear"
    assert Neuron(2, nonlin=False, activation="tanh").activation == "tanh"


def test_rng_makes_init_reproducible():
    a = MLP(2, [3, 1], rng=7).state_dict()
    assert a == MLP(2, [3, 1], rng=7).state_dict()
    assert a == MLP(2, [3, 1], rng=random.Random(7)).state_dict()
    assert a != MLP(2, [3, 1], rng=8).state_dict()


def test_bias_false_has_only_weights():
    model = MLP(2, [3, 1], activation="sigmoid", bias=False)
    assert [n for n, _ in model.named_parameters()] == [f"w{i}" for i in range(1, 10)]


def test_hidden_neuronsare_numbered_on_across_layers():
    model = MLP(2, [2, 2, 1])
    assert [n.name for layer in model.layers for n in layer.neurons] == ["h1", "h2", "h3", "h4", "o1"]


def test_zero_grad_resets_every_parameter():
    model = MLP(2, [3, 1], rng=0)
    model([1.0, 2.0]).backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0 for p in model.parameters())


@pytest.mark.parametrize(
    "make, err, words",
    [
        (lambda: Neuron(0), ValueError, "nin"),
        (lambda: Neuron(2, activation="gelu"), ValueError, "gelu"),
        (lambda: Neuron(2, weights=[1.0]), ValueError, "1 entries"),
        (lambda: Neuron(2, bias=False, bias_value=1.0), ValueError, "bias=False"),
        (lambda: Layer(2, 0), ValueError, "nout"),
        (lambda: MLP(2, []), ValueError, "nouts"),
        (lambda: MLP(2, 3), ValueError, r"nouts must list the layer sizes.*got 3"),
        (lambda: MLP(2, [1], activation="gelu"), ValueError, "unknown activation 'gelu'"),
        (lambda: MLP(2, [1], output_activation="softmax"), ValueError, "unknown output_activation"),
        (lambda: MLP(2, [1], rng="seed"), TypeError, "rng"),
        (lambda: Neuron(2)([1.0]), ValueError, "expects 2 inputs, got 1"),
    ],
)
def test_bad_construction_and_calls_are_explained(make, err, words):
    with pytest.raises(err, match=words):
        make()


# ------------------------------------------------------------------ state and files


def test_state_dict_round_trip():
    a, b = MLP(2, [3, 1], rng=1), MLP(2, [3, 1], rng=2)
    b.load_state_dict(a.state_dict())
    assert b.state_dict() == a.state_dict()


@pytest.mark.parametrize(
    "edit, words",
    [
        (lambda s: s.pop("w1"), "missing"),
        (lambda s: s.update(w99=1.0), "unexpected"),
        (lambda s: s.update(w1="x"), "finite number"),
        (lambda s: s.update(w1=math.nan), "finite number"),
    ],
)
def test_load_state_dict_rejects_mismatches_and_leaves_the_model_untouched(edit, words):
    model = MLP(2, [3, 1], rng=1)
    before = model.state_dict()
    state = {k: v + 1 for k, v in before.items()}
    edit(state)
    with pytest.raises(ValueError, match=words):
        model.load_state_dict(state)
    assert model.state_dict() == before


def test_save_and_load_round_trip(tmp_path):
    a, b = MLP(2, [3, 1], rng=1), MLP(2, [3, 1], rng=2)
    a.save(tmp_path / "m.json")
    b.load(tmp_path / "m.json")
    assert b.state_dict() == a.state_dict()
    doc = json.loads((tmp_path / "m.json").read_text())
    assert doc["parameters"]["w1"] == a.parameters()[0].data


def test_save_overwrites_atomically(tmp_path, monkeypatch):
    path = tmp_path / "m.json"
    MLP(2, [3, 1], rng=1).save(path)
    good = path.read_text()

    def broken_dump(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(json, "dump", broken_dump)
    with pytest.raises(OSError, match="disk full"):
        MLP(2, [3, 1], rng=2).save(path)
    assert path.read_text() == good
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]  # no temp file left behind


def test_load_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no saved model"):
        MLP(2, [1]).load(tmp_path / "nope.json")


@pytest.mark.parametrize(
    "content, words",
    [
        ("{not json", "corrupt"),
        ('{"hello": 1}', "not a micrograd save file"),
        ("\udcff", "corrupt"),
    ],
)
def test_load_corrupt_file_leaves_the_model_untouched(tmp_path, content, words):
    path = tmp_path / "m.json"
    path.write_bytes(content.encode("utf-8", "surrogateescape"))
    model = MLP(2, [3, 1], rng=1)
    before = model.state_dict()
    with pytest.raises(ValueError, match=words):
        model.load(path)
    assert model.state_dict() == before


def test_load_file_of_another_architecture_is_refused(tmp_path):
    MLP(2, [4, 1], rng=1).save(tmp_path / "m.json")
    model = MLP(2, [3, 1], rng=1)
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"MLP\(2, \[4, 1\]"):
        model.load(tmp_path / "m.json")
    assert model.state_dict() == before


def test_layer_neurons_is_a_list_as_in_karpathys_micrograd():
    model = MLP(3, [4, 4, 1], rng=0)
    model([1.0, 2.0, 3.0]).backward()
    assert isinstance(model.layers[0].neurons[0].w[0].grad, float)  # the lecture's idiom
    assert len(model.layers[1].neurons) == 4


def test_load_state_dict_accepts_numpy_scalars():
    import numpy as np

    model = MLP(2, [1], rng=0)
    state = {k: np.float32(0.5) for k in model.state_dict()}
    model.load_state_dict(state)
    assert all(type(v) is float and v == 0.5 for v in model.state_dict().values())


def test_saved_file_gets_the_usual_permissions(tmp_path):
    import os
    import stat

    umask = os.umask(0o022)
    try:
        MLP(2, [1], rng=0).save(tmp_path / "m.json")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "m.json").stat().st_mode) == 0o644


def test_repr_keeps_the_activations_given():
    assert repr(MLP(2, [1], activation="tanh")) == "MLP(2, [1], activation='tanh', output_activation='linear')"


def test_relabelling_a_parameter_changes_what_is_shown_not_its_name(tmp_path):
    model = MLP(2, [2, 1], activation="sigmoid", rng=0)
    before = model.state_dict()
    model.layers[0].neurons[0].w[0].label = "weight"
    model.layers[1].neurons[0].b.label = "b"
    assert [name for name, _ in model.named_parameters()] == list(before)
    assert model.state_dict() == before
    path = tmp_path / "model.json"
    model.save(path)
    other = MLP(2, [2, 1], activation="sigmoid", rng=1)
    other.load(path)
    assert other.state_dict() == before


def test_a_layer_and_a_network_number_their_neurons_and_parameters_on():
    model = MLP(3, [2, 2, 1], rng=0)
    names = [(n.name, n.sum_label, n.param_names) for layer in model.layers for n in layer.neurons]
    assert names == [
        ("h1", "sum_h1", ["w1", "w2", "w3", "b1"]), ("h2", "sum_h2", ["w4", "w5", "w6", "b2"]),
        ("h3", "sum_h3", ["w7", "w8", "b3"]), ("h4", "sum_h4", ["w9", "w10", "b4"]),
        ("o1", "sum_o1", ["w11", "w12", "b5"]),
    ]
    assert [n.name for n in Layer(2, 2).neurons] == ["o1", "o2"]



# ------------------------------------------------------------------ save and load: nothing silent, nothing lost


@pytest.mark.parametrize("other", [lambda: MLP(2, [3]), lambda: MLP(2, [2, 1], activation="tanh"),
                                   lambda: Layer(2, 3), lambda: MLP(2, [2, 1], bias=False)],
                         ids=["sizes", "activation", "a layer", "no biases"])
def test_a_file_loads_only_into_the_architecture_it_was_saved_from(tmp_path, other):
    path = tmp_path / "m.json"
    MLP(2, [2, 1], rng=0).save(path)
    model = other()
    before = model.state_dict()
    with pytest.raises(ValueError) as info:
        model.load(path)
    assert "MLP(2, [2, 1], activation='relu'" in str(info.value) and model.architecture() in str(info.value)
    assert model.state_dict() == before


def test_a_version_1_file_is_checked_by_the_model_it_names(tmp_path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"format": "micrograd-state", "version": 1, "model": repr(MLP(2, [3])),
                                "parameters": MLP(2, [3], rng=0).state_dict()}))
    MLP(2, [3], rng=1).load(path)
    with pytest.raises(ValueError, match=r"saved from MLP\(2, \[3\]"):
        MLP(2, [2, 1]).load(path)


def test_save_refuses_parameters_that_are_not_finite_and_keeps_the_good_file(tmp_path):
    path = tmp_path / "m.json"
    model = MLP(2, [2, 1], rng=0)
    model.save(path)
    good = path.read_bytes()
    model.parameters()[2].data = -math.inf  # one diverged step (b1)
    with pytest.raises(ValueError, match="'b1' is -inf .* left as it was"):
        model.save(path)
    assert path.read_bytes() == good


def test_save_through_a_symbolic_link_writes_its_target_and_keeps_the_link(tmp_path):
    target = tmp_path / "real.json"
    MLP(2, [1], rng=0).save(target)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    model = MLP(2, [1], rng=1)
    model.save(link)
    assert link.is_symlink()
    assert json.loads(target.read_text())["parameters"] == model.state_dict()


def test_save_over_a_file_keeps_its_permissions(tmp_path):
    path = tmp_path / "m.json"
    MLP(2, [1], rng=0).save(path)
    path.chmod(0o600)
    MLP(2, [1], rng=1).save(path)
    assert path.stat().st_mode & 0o777 == 0o600


def test_save_errors_name_the_file_asked_for(tmp_path):
    with pytest.raises(ValueError, match="empty path"):
        MLP(2, [1]).save("")
    with pytest.raises(ValueError, match="it is a folder"):
        MLP(2, [1]).save(tmp_path)
    with pytest.raises(OSError, match=r"cannot save to '.*nowhere/m.json'"):
        MLP(2, [1]).save(tmp_path / "nowhere" / "m.json")


@pytest.mark.parametrize(
    "content, words",
    [
        ('{"format": "micrograd-state", "parameters": ' + "[" * 100_000 + "]" * 100_000 + "}", ["nested"]),
        ('{"format": "micrograd-state", "version": 2, "architecture": "MLP(2, [1], activation=\'relu\', '
         'output_activation=\'linear\')", "parameters": {"w1": 1' + "0" * 400 + ', "w2": 0, "b1": 0}}',
         ["'w1'", "too large for a float"]),
    ],
    ids=["nested", "huge number"],
)
def test_load_turns_bad_contents_into_clear_value_errors(tmp_path, content, words):
    path = tmp_path / "m.json"
    path.write_text(content)
    with pytest.raises(ValueError) as info:
        MLP(2, [1]).load(path)
    for w in words:
        assert w in str(info.value)


def test_load_refuses_a_folder_and_a_file_far_too_large(tmp_path):
    with pytest.raises(ValueError, match="is a folder"):
        MLP(2, [1]).load(tmp_path)
    big = tmp_path / "big.json"
    big.write_text(" " * 3_000_000)
    with pytest.raises(ValueError, match="3,000,000 bytes"):
        MLP(2, [1]).load(big)
