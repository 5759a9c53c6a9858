"""Losses, SGD and the data tables."""

from __future__ import annotations

import math

import numpy as np
import pytest

from micrograd import MLP, SGD, Value, binary_cross_entropy, datasets, hinge_loss, mse_loss, sse_loss


def test_mse_of_the_tutorial_example_is_half():
    assert mse_loss([1, 0, 0, 1], [0, 0, 0, 0]).data == 0.5


def test_sse_half_convention_and_gradient():
    p = [Value(0.2), Value(0.9)]
    loss = sse_loss([0.0, 1.0], p, half=True)
    loss.backward()
    assert loss.data == pytest.approx(0.5 * (0.04 + 0.01))
    assert [v.grad for v in p] == pytest.approx([0.2, -0.1])  # d/dp ½(p-y)² = p - y


def test_mse_gradient_is_two_over_n_times_the_error():
    p = Value(0.25)
    mse_loss([1.0, 0.0], [p, 0.0]).backward()
    assert p.grad == pytest.approx(2 * (0.25 - 1.0) / 2)


def test_bce_value_and_gradient():
    p = Value(0.8)
    loss = binary_cross_entropy([1.0], [p])
    loss.backward()
    assert loss.data == pytest.approx(-math.log(0.8))
    assert p.grad == pytest.approx(-1 / 0.8)


@pytest.mark.parametrize("z, y", [(-3.0, 1.0), (0.5, 0.0), (2.0, 1.0)])
def test_bce_from_logits_equals_bce_of_sigmoid(z, y):
    a, b = Value(z), Value(z)
    la = binary_cross_entropy([y], [a], from_logits=True)
    lb = binary_cross_entropy([y], [b.sigmoid()])
    la.backward()
    lb.backward()
    assert la.data == pytest.approx(lb.data, rel=1e-12)
    assert a.grad == pytest.approx(b.grad, rel=1e-9)


def test_bce_from_logits_is_finite_for_extreme_scores():
    assert binary_cross_entropy([1.0], [-1000.0], from_logits=True).data == pytest.approx(1000.0)


def test_hinge_loss_is_karpathys_svm_loss():
    s = Value(0.5)
    loss = hinge_loss([1, -1], [s, -3.0])
    loss.backward()
    assert loss.data == pytest.approx((0.5 + 0.0) / 2)
    assert s.grad == pytest.approx(-0.5)


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: mse_loss([1, 2], [1]), "2 entries but y_pred has 1"),
        (lambda: sse_loss([], []), "no samples"),
        (lambda: binary_cross_entropy([1], [1.0]), "strictly between 0 and 1"),
        (lambda: binary_cross_entropy([2], [0.5]), r"targets must be in \[0, 1\]"),
        (lambda: hinge_loss([0], [0.5]), "-1 or \\+1"),
    ],
)
def test_loss_input_errors(call, words):
    with pytest.raises(ValueError, match=words):
        call()


def test_losses_accept_single_values():
    assert mse_loss(1.0, Value(0.5)).data == 0.25


def test_sgd_step_moves_against_the_gradient():
    w = Value(2.0)
    opt = SGD([w], lr=0.1)
    (w * w).backward()
    opt.step()
    assert w.data == pytest.approx(2.0 - 0.1 * 4.0)
    opt.zero_grad()
    assert w.grad == 0.0


def test_sgd_momentum_and_weight_decay():
    w = Value(1.0)
    opt = SGD([w], lr=0.5, momentum=0.9, weight_decay=0.1)
    w.grad = 1.0
    opt.step()  # v = 1 + 0.1*1 = 1.1; w = 1 - 0.55
    assert w.data == pytest.approx(0.45)
    w.grad = 1.0
    opt.step()  # v = 0.9*1.1 + 1 + 0.1*0.45 = 2.035
    assert w.data == pytest.approx(0.45 - 0.5 * 2.035)


def test_sgd_accepts_a_module_and_validates():
    assert len(SGD(MLP(2, [2, 1]), lr=0.1).params) == 9
    with pytest.raises(ValueError, match="lr"):
        SGD([Value(1.0)], lr=-1)
    with pytest.raises(TypeError, match="float"):
        SGD([1.0])


def test_gender_table_is_shifted_as_in_the_tutorial():
    X, y, names = datasets.gender()
    assert names == ["Alice", "Bob", "Charlie", "Diana"]
    assert X == [[-2, -1], [25, 6], [17, 4], [-15, -6]]
    assert y == [1, 0, 0, 1]
    assert datasets.gender(shifted=False)[0][0] == [133, 65]
    assert datasets.gender_to_predict() == {"Emily": [-7, -3], "Frank": [20, 2]}


def test_xor_and_exam_tables():
    assert datasets.xor() == ([[0, 0], [0, 1], [1, 0], [1, 1]], [0, 1, 1, 0])
    X, y = datasets.exam_scores()
    assert np.allclose(X, [[2 / 3, 1.0], [1 / 3, 5 / 9], [1.0, 2 / 3]], rtol=1e-15)
    assert y == pytest.approx([0.92, 0.86, 0.89])
    assert datasets.exam_scores(scaled=False) == ([[2, 9], [1, 5], [3, 6]], [92, 86, 89])
    assert datasets.exam_query() == [0.5, 1.0]


def test_make_moons_is_reproducible_and_well_formed():
    X, y = datasets.make_moons(101, noise=0.1, seed=3)
    assert X.shape == (101, 2) and y.shape == (101,)
    assert np.bincount(y).tolist() == [50, 51]
    X2, y2 = datasets.make_moons(101, noise=0.1, seed=3)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    assert not np.array_equal(X, datasets.make_moons(101, noise=0.1, seed=4)[0])
    Xc, yc = datasets.make_moons(10, noise=0.0, seed=0)
    outer = Xc[yc == 0]
    assert np.allclose(np.hypot(outer[:, 0], outer[:, 1]), 1.0)  # noise-free outer moon is the unit circle


@pytest.mark.parametrize("kwargs", [{"n": 1}, {"n": 2.5}, {"n": 10, "noise": -1}])
def test_make_moons_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        datasets.make_moons(**kwargs)


def test_losses_accept_numpy_arrays_and_generators():
    y = np.array([1, -1, 1])
    scores = [Value(0.5), Value(0.2), Value(2.0)]
    assert hinge_loss(y, scores).data == pytest.approx((0.5 + 1.2 + 0.0) / 3)
    assert mse_loss(np.array([1.0, 0.0]), np.array([0.0, 0.0])).data == 0.5
    assert sse_loss((t for t in [1.0, 2.0]), [Value(1.0), Value(0.0)]).data == 4.0


def test_losses_reject_two_dimensional_and_string_input():
    with pytest.raises(TypeError, match="2 dimensions"):
        mse_loss(np.zeros((2, 2)), [0.0, 0.0])
    with pytest.raises(TypeError, match="str"):
        mse_loss("10", [0.0, 0.0])


def test_sgd_refuses_a_parameter_listed_twice_and_accepts_numpy_rates():
    p = Value(1.0)
    with pytest.raises(ValueError, match="more than once"):
        SGD([p, p])
    assert SGD([p], lr=np.float32(0.5)).lr == 0.5


def test_make_moons_takes_scikit_learns_keywords_and_the_global_numpy_seed():
    a = datasets.make_moons(n_samples=50, noise=0.1, random_state=2)
    b = datasets.make_moons(50, 0.1, seed=2)
    assert np.array_equal(a[0], b[0])
    np.random.seed(1337)
    c = datasets.make_moons(n_samples=50, noise=0.1)
    np.random.seed(1337)
    d = datasets.make_moons(n_samples=50, noise=0.1)
    assert np.array_equal(c[0], d[0]) and np.array_equal(c[1], d[1])


def test_sgd_refuses_a_gradient_that_is_not_finite_and_moves_no_parameter():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    a.grad, b.grad = 0.5, math.inf
    opt = SGD([a, b], lr=0.1)
    with pytest.raises(ValueError, match="label='b'.* the gradient inf; no parameter was changed"):
        opt.step()
    assert (a.data, b.data) == (1.0, 2.0)


def test_sgd_on_parameters_a_traced_program_holds_computes_the_very_same_numbers():
    from micrograd.trace import trace

    def setup():
        ws = [Value(v) for v in (0.5, -1.5, 2.0, 0.25)]
        return ws, (lambda x: Value.sum(w * x for w in ws) ** 2)

    held, fn = setup()
    plain, _ = setup()
    program = trace(fn, ())  # its calls put `held` in its arrays; `plain` stay ordinary Values
    opt = SGD(held, lr=0.05, momentum=0.9, weight_decay=0.1)
    plain_opt = SGD(plain, lr=0.05, momentum=0.9, weight_decay=0.1)
    for x in (0.5, -1.0, 2.0):
        opt.zero_grad()
        program.backward([x])
        opt.step()
        for p, q in zip(plain, held):  # the same gradients (reads served from the arrays)
            p.grad = q.grad
        plain_opt.step()
        assert [p.data for p in held] == [p.data for p in plain]  # exactly: the same arithmetic, in order
    assert type(held[0]) is not Value  # the steps above ran on the arrays
    assert all(type(p.data) is float for p in held)


def test_sgd_params_are_fixed_when_it_is_made():
    ws = [Value(1.0), Value(2.0)]
    opt = SGD(ws)
    ws.append(Value(3.0))
    assert opt.params == tuple(ws[:2])
    with pytest.raises(AttributeError):
        opt.params = ws  # type: ignore[misc]
