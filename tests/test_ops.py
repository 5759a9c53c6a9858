"""The op table, `micrograd.ops.OPS`, against the engine's hand-written methods.

The engine's methods and the table describe every op twice on purpose (the
methods are what people read and what runs fast; the table is what the tracer,
drawings and tests read), so these tests hold the two together: the same ops,
the same values and local derivatives to the last bit, the same errors at the
edges of each op's domain. An op added to one but not the other fails here.
"""

from __future__ import annotations

import itertools
import math

import pytest

from micrograd import Value
from micrograd.ops import FLOAT, OPS, activations, operands, parsed_methods

# Value's members that make no node of an op of their own
NOT_OPS = {"__init__", "__repr__", "__float__", "backward", "_chain_rule", "from_op"}
RAW = (-2.3, -0.7, 0.4, 1.9)
# Inputs at and around the edges of every domain in the table: zeros of both signs, the
# limits of exp and of a float, numbers whose reciprocal or square overflows, subnormals.
EDGES = (0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 2.0, 3.0, 1e-170, -1e-170, 5e-324, 1e200, 709.0, 710.0, 1023.5, -745.5)

FORMS = [(spec, form) for spec in OPS.values() if spec.arity for form in spec.forms]


def _form_id(case: tuple) -> str:
    spec, form = case
    return f"{spec.name}-{form}"


def _engine(spec, form, numbers):
    """The op applied by the engine to these numbers, Values where the form has a 'v'; and the operands."""
    args = [Value(x) if kind == "v" else x for x, kind in zip(numbers, form)]
    return spec.apply(*args), args


def _table(spec, form, numbers):
    """The table's result and its local derivatives with respect to the Value operands."""
    y = spec.f(FLOAT, *numbers)
    return y, [spec.local[i](FLOAT, y, *numbers) for i, kind in enumerate(form) if kind == "v"]


# ---------------------------------------------------------------------------------- the same ops


def test_every_method_that_makes_a_node_is_in_the_table_and_every_entry_has_one():
    members = {name for name, attr in vars(Value).items()
               if callable(attr) or isinstance(attr, staticmethod)} - NOT_OPS
    in_table = {m for spec in OPS.values() for m in spec.methods}
    assert members - in_table == set(), "Value methods missing from micrograd.ops.OPS"
    assert in_table - members == set(), "table entries whose method Value lacks"


@pytest.mark.parametrize("case", FORMS, ids=_form_id)
def test_the_node_an_op_makes_carries_its_table_name_and_operands(case):
    spec, form = case
    numbers = [s(0.9) for s in spec.safe]
    node, args = _engine(spec, form, numbers)
    assert node._op == spec.name
    assert node._prev == tuple(a for a in args if isinstance(a, Value))
    got = operands(node)
    assert len(got) == len(args)
    for g, a in zip(got, args):
        assert g is a if isinstance(a, Value) else g == a


# ---------------------------------------------------------------------------------- the same numbers


@pytest.mark.parametrize("case", FORMS, ids=_form_id)
def test_values_and_local_derivatives_equal_the_tables_to_the_last_bit(case):
    spec, form = case
    for raw in itertools.product(RAW, repeat=len(form)):
        numbers = [s(r) for s, r in zip(spec.safe, raw)]
        node, _ = _engine(spec, form, numbers)
        y, local = _table(spec, form, numbers)
        assert node.data == y, (numbers, node.data, y)
        assert list(node._local[: len(node._prev)]) == local, (numbers, node._local, local)


# ---------------------------------------------------------------------------------- the same errors


@pytest.mark.parametrize("case", FORMS, ids=_form_id)
def test_the_engine_refuses_exactly_where_the_table_says_with_its_message(case):
    spec, form = case
    for numbers in itertools.product(EDGES, repeat=len(form)):
        expected = spec.check(form, *numbers)
        if expected is not None:  # outside the domain: the table's error, word for word
            with pytest.raises(type(expected)) as info:
                _engine(spec, form, numbers)
            assert str(info.value) == str(expected)
            continue
        y, local = _table(spec, form, numbers)
        if not all(math.isfinite(v) for v in (y, *local)):  # an overflow: the engine says so
            with pytest.raises((OverflowError, ValueError)):
                _engine(spec, form, numbers)
            continue
        node, _ = _engine(spec, form, numbers)
        assert node.data == y and list(node._local[: len(node._prev)]) == local, numbers


# ---------------------------------------------------------------------------------- sum and dot


def test_sum_and_dot_of_values_equal_the_tables_formulas():
    xs = [Value(v) for v in (0.5, -1.25, 2.0, 3.5, -0.75)]
    total = Value.sum(xs)
    assert total._op == "sum" and total.data == OPS["sum"].f(FLOAT, *[x.data for x in xs])
    node = Value.dot(xs[:2], xs[2:4], xs[4])
    assert node._op == "dot" and operands(node) == (xs[0], xs[2], xs[1], xs[3], xs[4])
    assert node.data == OPS["dot"].f(FLOAT, *[v.data for v in operands(node)])
    assert node._local == (2.0, 0.5, 3.5, -1.25, 1.0)  # each factor's local derivative is its partner


def test_numbers_given_to_sum_and_dot_stay_in_the_graph():
    a, b = Value(2.0), Value(-3.0)
    s = Value.sum([a, 4, b, 0.5])
    assert s._prev == (a, b) and s._local[:2] == (1.0, 1.0)
    assert operands(s) == (a, 4.0, b, 0.5) and s.data == 3.5
    d = Value.dot([a, 0.5], [1.5, b], 2)
    assert d._prev == (a, b) and d._local[:2] == (1.5, 0.5)
    assert operands(d) == (a, 1.5, 0.5, b, 2.0)
    assert d.data == OPS["dot"].f(FLOAT, 2.0, 1.5, 0.5, -3.0, 2.0)
    assert operands(Value.dot([a], [b])) == (a, b, 0.0)


def test_a_number_folded_into_a_binary_op_is_kept_exactly():
    x = Value(1e16)
    node = x + 3.0
    assert node.data - x.data != 3.0  # the graph's data alone would lose it
    assert operands(node) == (x, 3.0)
    assert operands(3 - x) == (3.0, x) and operands(x - 3) == (x, 3.0)


# ---------------------------------------------------------------------------------- who reads the table


def test_every_activation_in_the_table_works_in_a_neuron():
    from micrograd.nn import ACTIVATIONS, Neuron

    assert set(ACTIVATIONS) == {*activations(), "linear"}
    for name in activations():
        assert Neuron(2, activation=name, rng=0)([0.5, -0.25])._op == name


def test_every_parsed_method_works_in_the_expression_language():
    from micrograd.cli.expr import METHODS, evaluate

    assert list(METHODS) == parsed_methods()
    for name in parsed_methods():
        x = OPS[name].safe[0](0.7)
        assert evaluate(f"{name}(x)", {"x": x})._op == name
        assert evaluate(f"x.{name}()", {"x": x})._op == name


@pytest.mark.parametrize("name", list(OPS))
def test_from_op_cannot_take_a_built_in_ops_name(name):
    x = Value(1.0)
    with pytest.raises(ValueError, match="built-in op"):
        Value.from_op(2.0, [x], [1.0], name)


def test_each_entry_describes_every_operand():
    for spec in OPS.values():
        if spec.arity:
            assert len(spec.names) == len(spec.derivative) == len(spec.local) == len(spec.safe) == spec.arity
            assert all(len(form) == spec.arity for form in spec.forms)
        assert spec.formula and spec.domain and spec.symbol


def test_show_puts_numbers_in_the_formula():
    assert OPS["/"].show(1, 1e-170) == "1 / 1e-170"
    assert OPS["exp"].show(2) == "exp(2)"
    assert OPS["rsub"].show(1, 0.5) == "1 - 0.5"
