"""micrograd.gradcheck: numerical_grad, gradcheck (PyTorch's rule) and check_gradients."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from op_registry import BINARY, UNARY

from micrograd import Value
from micrograd.gradcheck import GradcheckError, GradcheckResult, check_gradients, gradcheck, numerical_grad
from micrograd.tutorials import ALICE, PARAMETER_NAMES, alice_loss, hand_partials, network

floats = st.floats(-3.0, 3.0, allow_nan=False)


def op(local: Callable[[float], float], data: Callable[[float], float]) -> Callable[[Value], Value]:
    """A one-input op computing ``data(x)`` whose local derivative is ``local(x)`` (wrong on purpose here)."""
    return lambda x: Value.from_op(data(x.data), [x], [local(x.data)], "op")


# ---------------------------------------------------------------- every built-in op passes


@pytest.mark.parametrize("entry", UNARY, ids=lambda e: e.name)
@given(x=floats)
def test_gradcheck_passes_on_every_unary_op(entry, x):
    assert gradcheck(entry.op, [entry.safe(x)])


@pytest.mark.parametrize("entry", BINARY, ids=lambda e: e.name)
@given(a=floats, b=floats)
def test_gradcheck_passes_on_every_binary_op(entry, a, b):
    assert gradcheck(entry.op, [entry.safe_a(a), entry.safe_b(b)])


@given(xs=st.lists(floats, min_size=5, max_size=5))
def test_gradcheck_passes_on_the_fused_sum_and_dot_nodes(xs):
    assert gradcheck(lambda *v: Value.sum([v[0], 2.0, v[1], v[2]]) * v[3], xs[:4])
    assert gradcheck(lambda w1, x1, w2, x2, b: Value.dot([w1, w2], [x1, x2], b).tanh(), xs)


def test_gradcheck_passes_on_the_tutorial_network_built_from_its_inputs():
    def net(w1, w2, b1, w3, w4, b2, w5, w6, b3):
        h1 = Value.dot([w1, w2], ALICE, b1).sigmoid()
        h2 = Value.dot([w3, w4], ALICE, b2).sigmoid()
        return (1 - Value.dot([w5, w6], [h1, h2], b3).sigmoid()) ** 2

    assert gradcheck(net, [0.3, -0.5, 0.1, 0.8, 0.2, -0.4, 1.1, -0.7, 0.05])


# ---------------------------------------------------------------- wrong derivatives are caught, and where


def test_a_wrong_derivative_fails_and_the_message_points_at_it():
    wrong_exp = op(lambda x: math.exp(x) + 0.3, math.exp)
    with pytest.raises(GradcheckError) as info:
        gradcheck(wrong_exp, [0.5])
    message = str(info.value)
    assert message.startswith("gradcheck: 1 of 1 wrong (inputs[0])")
    assert "> inputs[0]" in message and "WRONG" in message
    assert info.value.result.failed[0].name == "inputs[0]"


def test_a_wrong_sign_is_caught_and_named():
    wrong_sin = op(lambda x: -math.cos(x), math.sin)
    result = gradcheck(wrong_sin, [0.4], raise_exception=False)
    assert not result
    assert result.rows[0].verdict == "WRONG: wrong sign"


def test_a_factor_two_error_is_caught_and_named():
    # d(x²)/dx written as 4x
    result = gradcheck(op(lambda x: 4 * x, lambda x: x * x), [1.5], raise_exception=False)
    assert not result and result.rows[0].verdict == "WRONG: 2x too large"


def test_a_missing_term_is_caught():
    # d(x sin x)/dx = sin x + x cos x; the product rule's second term is missing
    result = gradcheck(op(math.sin, lambda x: x * math.sin(x)), [1.2], raise_exception=False)
    assert not result
    row = result.rows[0]
    assert row.autograd == pytest.approx(math.sin(1.2))
    assert row.numeric == pytest.approx(math.sin(1.2) + 1.2 * math.cos(1.2), rel=1e-6)


def test_with_several_inputs_only_the_wrong_one_is_flagged():
    def bad_mul(a, b):  # d(ab)/db should be a, not 2a
        return Value.from_op(a.data * b.data, [a, b], [b.data, 2 * a.data], "bad_mul")

    result = gradcheck(bad_mul, [Value(3.0, label="a"), Value(-2.0, label="b")], raise_exception=False)
    assert [r.ok for r in result.rows] == [True, False]
    assert [r.name for r in result.failed] == ["inputs[1] (b)"]
    lines = str(result).splitlines()
    assert lines[0] == "gradcheck: 1 of 2 wrong (inputs[1] (b))"
    assert lines[2].startswith("  inputs[0] (a)") and lines[3].startswith("> inputs[1] (b)")


# ---------------------------------------------------------------- tolerances: PyTorch's rule on the boundary

# slope 2 at x = 1 with eps = 2**-20: every number below is exact in binary floating point,
# so the central difference is exactly 2.0 and |analytic - numeric| is exactly what we set.
EXACT = {"eps": 2.0**-20}


def linear_op_with_slope(slope: float):
    return op(lambda x: slope, lambda x: 2.0 * x)


def test_numeric_estimate_in_the_boundary_tests_is_exact():
    assert numerical_grad(lambda x: x * 2.0, [1.0], **EXACT) == [2.0]


def test_an_error_exactly_at_atol_plus_rtol_times_numeric_passes():
    # tolerance = 0.25 + 0.125 * |2| = 0.5; analytic 2.5 is exactly 0.5 away
    assert gradcheck(linear_op_with_slope(2.5), [1.0], atol=0.25, rtol=0.125, **EXACT)


def test_an_error_just_beyond_the_tolerance_fails():
    beyond = math.nextafter(2.5, math.inf)
    assert not gradcheck(linear_op_with_slope(beyond), [1.0], atol=0.25, rtol=0.125, raise_exception=False, **EXACT)


def test_rtol_scales_with_the_numeric_value_not_the_analytic_one():
    # atol 0, rtol 0.5: tolerance 0.5 * |numeric| = 1.0. Analytic 3.25 is 1.25 away: it fails,
    # although 0.5 * |analytic| = 1.625 would have let it pass.
    assert gradcheck(linear_op_with_slope(3.0), [1.0], atol=0.0, rtol=0.5, **EXACT)
    assert not gradcheck(linear_op_with_slope(3.25), [1.0], atol=0.0, rtol=0.5, raise_exception=False, **EXACT)


def test_defaults_are_pytorchs():
    import inspect

    params = inspect.signature(gradcheck).parameters
    assert (params["eps"].default, params["atol"].default, params["rtol"].default) == (1e-6, 1e-5, 1e-3)
    assert params["raise_exception"].default is True


# ---------------------------------------------------------------- numerical_grad


def test_central_differences_beat_forward_differences():
    central = numerical_grad(lambda x: x**3, [2.0], 1e-3)[0]
    forward = numerical_grad(lambda x: x**3, [2.0], 1e-3, method="forward")[0]
    # x³ at 2: central error is exactly eps² = 1e-6, forward error ~ 3 x eps = 6e-3
    assert abs(central - 12) == pytest.approx(1e-6, rel=1e-3)
    assert abs(forward - 12) == pytest.approx(6.001e-3, rel=1e-3)


def test_numerical_grad_reads_values_and_leaves_inputs_alone():
    x = Value(2.0)
    assert numerical_grad(lambda a, b: a * b, [x, 5]) == pytest.approx([5.0, 2.0])
    assert x.data == 2.0 and x.grad == 0.0


def test_gradcheck_calls_f_with_fresh_values():
    x = Value(1.5)
    gradcheck(lambda v: v * v, [x])
    assert x.grad == 0.0


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: numerical_grad(lambda x: x, [1.0], method="backward"), ValueError, "'central' or 'forward'"),
        (lambda: numerical_grad(lambda x: x, [1.0], eps=0), ValueError, "eps must be a positive number"),
        (lambda: numerical_grad(lambda x: 3.0, [1.0]), TypeError, "f must return a Value, got float"),
        (lambda: gradcheck(lambda x: x, ["1"]), TypeError, "inputs[0] must be a number or a Value, got str"),
        (lambda: gradcheck(lambda x: x, [True]), TypeError, "inputs[0] must be a number or a Value, got bool"),
        (lambda: gradcheck(lambda x: x, []), ValueError, "inputs is empty"),
        (lambda: gradcheck(lambda x: x, "ab"), TypeError, "inputs must be a list"),
        (lambda: gradcheck(lambda x: x, [1.0], rtol=-1), ValueError, "rtol must be a number >= 0"),
    ],
)
def test_bad_arguments_get_clear_errors(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)


# ---------------------------------------------------------------- check_gradients


def tutorial_hand() -> dict[str, float]:
    model = network(weights=(1.0, 1.0), bias=0.0)
    return hand_partials(model.state_dict(), ALICE, 1.0)


def test_check_gradients_passes_on_the_tutorial_networks_nine_partials():
    model, loss = alice_loss()
    result = check_gradients(tutorial_hand(), loss)
    assert [r.name for r in result.rows] == PARAMETER_NAMES and all(r.ok for r in result.rows)
    assert result.rows[0].autograd == pytest.approx(0.02146953526581111, rel=1e-15)


def test_check_gradients_with_a_loss_function_adds_finite_differences():
    model, _ = alice_loss()
    result = check_gradients(tutorial_hand(), lambda: alice_loss(model)[1])
    assert all(r.numeric is not None for r in result.rows)
    for r in result.rows:
        # central differences at eps 1e-6 on this smooth loss agree to ~1e-9
        assert r.numeric == pytest.approx(r.autograd, abs=1e-8)
    assert "numeric" in str(result).splitlines()[1]


def test_check_gradients_flags_the_wrong_entry_only():
    hand = tutorial_hand()
    hand["w4"] *= 2
    with pytest.raises(GradcheckError) as info:
        check_gradients(hand, alice_loss()[1])
    wrong = [line for line in str(info.value).splitlines() if line.startswith(">")]
    assert len(wrong) == 1 and wrong[0].startswith("> w4") and wrong[0].endswith("WRONG: 2x too large")


def test_check_gradients_gives_the_same_answer_twice_and_ignores_old_grads():
    model, loss = alice_loss()
    loss.backward()
    loss.backward()  # stale, accumulated gradients must not matter
    first = check_gradients(tutorial_hand(), loss)
    second = check_gradients(tutorial_hand(), loss)
    assert [r.autograd for r in first.rows] == [r.autograd for r in second.rows]
    assert dict(model.named_parameters())["w1"].grad == first.rows[0].autograd


def test_check_gradients_checks_interior_nodes_by_label():
    model, loss = alice_loss()
    o1 = loss._prev[0]._prev[0]  # L = (1 - o1) ** 2
    assert o1.label == "o1"
    expected = -2 * (1 - o1.data)
    result = check_gradients({"o1": expected}, lambda: alice_loss(model)[1])
    assert result and result.rows[0].numeric is None


def test_a_loss_function_that_builds_new_parameters_is_an_error():
    with pytest.raises(ValueError, match="builds a new 'w1' each call"):
        check_gradients({"w1": 0.02}, lambda: alice_loss()[1])


def test_a_rounded_hand_value_fails_and_the_verdict_says_it_looks_rounded():
    # 0.0214 is dL/dw1 as the tutorial prints it; autograd's is 0.021469535...: rounded numbers are
    # not the answer (|0.0214 - 0.02147| = 7e-5 > atol + rtol * 0.02147 = 3.1e-5), but say why.
    result = check_gradients({"w1": 0.0214}, alice_loss()[1], raise_exception=False)
    assert not result
    assert result.rows[0].verdict == "WRONG: looks rounded: 0.0214 vs 0.02147; give full precision"


@pytest.mark.parametrize(
    "hand, looks_rounded",
    [
        (0.021, True),  # rounded to 2 significant digits
        (0.0215, True),  # rounded to 3 (0.021469... rounds up)
        (0.02146, True),  # cut after 4 digits (rounding gives 0.02147)
        (0.0213, False),  # neither rounded nor cut: the digits given are wrong
        (0.0216, False),
        (0.03, False),  # 0.02 is 0.021469... to one digit
        (-0.0214, False),  # the wrong sign, whatever the digits
    ],
)
def test_looks_rounded_only_when_the_digits_given_are_autograds(hand, looks_rounded):
    # tolerance 0 so that even 0.02146 (1e-5 off, inside the default tolerance) is a failure to diagnose
    row = check_gradients({"w1": hand}, alice_loss()[1], atol=0.0, rtol=0.0, raise_exception=False).rows[0]
    assert not row.ok
    assert ("looks rounded" in row.verdict) is looks_rounded, row.verdict


def test_looks_rounded_is_not_said_of_autograd_in_gradcheck():
    # an analytic derivative of 1 against a numeric 1.3 is a wrong derivative, not a rounded one
    result = gradcheck(op(lambda x: 1.0, lambda x: 1.3 * x), [0.5], raise_exception=False)
    assert result.rows[0].verdict.startswith("WRONG: off by")


@pytest.mark.parametrize(
    "hand, loss, error, words",
    [
        ({"w9": 0.1}, None, ValueError, "label 'w9' is not in the graph of the loss"),
        ({"w1": None}, None, TypeError, "hand['w1'] must be a number, got NoneType"),
        ({"w1": "0.02"}, None, TypeError, "hand['w1'] must be a number, got str"),
        ({"w1": Value(0.02)}, None, TypeError, "hand['w1'] is a Value"),
        ({"w1": math.nan}, None, ValueError, "hand['w1'] must be finite"),
        ([0.02], None, TypeError, "hand must be a dict"),
        ({}, None, ValueError, "hand is empty"),
        ({"w1": 0.02}, 0.5, TypeError, "loss must be a Value or a function returning one, got float"),
        ({"w1": 0.02}, lambda: 0.5, TypeError, "the loss function must return a Value, got float"),
    ],
)
def test_check_gradients_rejects_bad_input_clearly(hand, loss, error, words):
    with pytest.raises(error) as info:
        check_gradients(hand, alice_loss()[1] if loss is None else loss)
    assert words in str(info.value)


def test_a_label_on_two_nodes_is_ambiguous():
    a, b = Value(1.0, label="x"), Value(2.0, label="x")
    with pytest.raises(ValueError, match="label 'x' is on 2 nodes"):
        check_gradients({"x": 1.0}, a * b)


# ---------------------------------------------------------------- the result object


def test_result_is_truthy_prints_a_table_and_renders_html():
    good = gradcheck(lambda x: x.tanh(), [0.3])
    bad = gradcheck(op(lambda x: 0.0, math.sin), [0.3], raise_exception=False)
    assert isinstance(good, GradcheckResult) and good and not bad
    assert str(good).splitlines()[1].split() == ["input", "analytic", "numeric", "abs", "err", "rel", "err", "verdict"]
    assert repr(bad) == str(bad)
    page = bad._repr_html_()
    assert page.startswith("<table>") and page.count("<tr") == 2 and 'style="background:#fdd"' in page
    assert "is 0 (a missing term?)" in page
