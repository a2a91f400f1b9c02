"""nnrecipe.course against the assignments' published expected outputs for their published
inputs (the course's test cases: np.random.seed(1), then draws in the notebook's order)."""

from __future__ import annotations

import numpy as np
import pytest

from nnrecipe import course
from nnrecipe.course import gradient_checking, initialization

Y5 = np.array([[1, 1, 0, 1, 0]])


def _reg_case(x_shape=(3, 5)):
    """X, then W1 (2,3), b1, W2 (3,2), b2, W3 (1,3), b3 as drawn after np.random.seed(1)."""
    r = np.random.RandomState(1)
    X = r.randn(*x_shape) if x_shape else None
    P = {}
    for i, shape in enumerate([(2, 3), (3, 2), (1, 3)], start=1):
        P[f"W{i}"] = r.randn(*shape)
        P[f"b{i}"] = r.randn(shape[0], 1)
    return X, P


# the course's cache of backward_propagation_with_regularization_test_case (8 digits, as printed)
REG_CACHE = (
    np.array([[-1.52855314, 3.32524635, 2.13994541, 2.60700654, -0.75942115],
              [-1.98043538, 4.1600994, 0.79051021, 1.46493512, -0.45506242]]),
    np.array([[0.0, 3.32524635, 2.13994541, 2.60700654, 0.0],
              [0.0, 4.1600994, 0.79051021, 1.46493512, 0.0]]),
    np.array([[-1.09989127, -0.17242821, -0.87785842], [0.04221375, 0.58281521, -1.10061918]]),
    np.array([[1.14472371], [0.90159072]]),
    np.array([[0.53035547, 5.94892323, 2.31780174, 3.16005701, 0.53035547],
              [-0.69166075, -3.47645987, -2.25194702, -2.65416996, -0.69166075],
              [-0.39675353, -4.62285846, -2.61101729, -3.22874921, -0.39675353]]),
    np.array([[0.53035547, 5.94892323, 2.31780174, 3.16005701, 0.53035547],
              [0.0] * 5, [0.0] * 5]),
    np.array([[0.50249434, 0.90085595], [-0.68372786, -0.12289023], [-0.93576943, -0.26788808]]),
    np.array([[0.53035547], [-0.69166075], [-0.39675353]]),
    np.array([[-0.3771104, -4.10060224, -1.60539468, -2.18416951, -0.3771104]]),
    np.array([[0.40682402, 0.01629284, 0.16722898, 0.10118111, 0.40682402]]),
    np.array([[-0.6871727, -0.84520564, -0.67124613]]),
    np.array([[-0.0126646]]),
)  # fmt: skip

# backward_propagation_with_dropout_test_case: (Z, D, A, W, b) per hidden layer, (Z3, A3, W3, b3)
DROP_CACHE = (
    REG_CACHE[0],
    np.array([[True, False, True, True, True], [True, True, True, True, False]]),
    np.array([[0.0, 0.0, 4.27989081, 5.21401307, 0.0],
              [0.0, 8.32019881, 1.58102041, 2.92987024, 0.0]]),
    REG_CACHE[2],
    REG_CACHE[3],
    np.array([[0.53035547, 8.02565606, 4.10524802, 5.78975856, 0.53035547],
              [-0.69166075, -1.71413186, -3.81223329, -4.61667916, -0.69166075],
              [-0.39675353, -2.62563561, -4.82528105, -6.0607449, -0.39675353]]),
    np.array([[True, False, True, False, True], [False, True, False, True, True],
              [False, False, True, False, False]]),
    np.array([[1.06071093, 0.0, 8.21049603, 0.0, 1.06071093], [0.0] * 5, [0.0] * 5]),
    REG_CACHE[6],
    REG_CACHE[7],
    np.array([[-0.7415562, -0.0126646, -5.65469333, -0.0126646, -0.7415562]]),
    np.array([[0.32266394, 0.49683389, 0.00348883, 0.49683389, 0.32266394]]),
    REG_CACHE[10],
    REG_CACHE[11],
)  # fmt: skip


# ----------------------------------------------------------------- initialization
def test_initializers_draw_the_notebooks_numbers():
    zeros = course.initialize_parameters_zeros([3, 2, 1])
    assert {k: v.shape for k, v in zeros.items()} == {
        "W1": (2, 3), "b1": (2, 1), "W2": (1, 2), "b2": (1, 1)
    }  # fmt: skip
    assert all(not v.any() for v in zeros.values())
    random = course.initialize_parameters_random([3, 2, 1])
    np.testing.assert_allclose(
        random["W1"],
        [[17.88628473, 4.36509851, 0.96497468], [-18.63492703, -2.77388203, -3.54758979]],
        rtol=0, atol=5e-9,
    )  # fmt: skip
    np.testing.assert_allclose(random["W2"], [[-0.82741481, -6.27000677]], rtol=0, atol=5e-9)
    he = course.initialize_parameters_he([2, 4, 1])
    np.testing.assert_allclose(
        he["W1"],
        [[1.78862847, 0.43650985], [0.09649747, -1.8634927], [-0.2773882, -0.35475898],
         [-0.08274148, -0.62700068]],
        rtol=0, atol=5e-9,
    )  # fmt: skip
    np.testing.assert_allclose(
        he["W2"], [[-0.03098412, -0.33744411, -0.92904268, 0.62552248]], rtol=0, atol=5e-9
    )
    assert he["b1"].shape == (4, 1) and not he["b1"].any()
    # exactly the course's formula, bit for bit: np.random.seed(3); randn(...) * sqrt(2/n)
    r = np.random.RandomState(3)
    assert np.array_equal(he["W1"], r.randn(4, 2) * np.sqrt(2.0 / 2))
    assert np.array_equal(he["W2"], r.randn(1, 4) * np.sqrt(2.0 / 4))


def test_seeded_functions_leave_the_global_state_alone():
    np.random.seed(123)  # noqa: NPY002 (the global state is what this test watches)
    before = np.random.get_state()[1].copy()  # noqa: NPY002
    course.initialize_parameters_he([2, 4, 1])
    X, P = _reg_case()
    course.forward_propagation_with_dropout(X, P, keep_prob=0.7)
    course.random_mini_batches(X, np.ones((1, 5)), 2, seed=4)
    assert np.array_equal(np.random.get_state()[1], before)  # noqa: NPY002


# ----------------------------------------------------------------- regularization
def test_compute_cost_with_regularization_published_value():
    _, P = _reg_case(None)
    A3 = np.array([[0.40682402, 0.01629284, 0.16722898, 0.10118111, 0.40682402]])
    cost = course.compute_cost_with_regularization(A3, Y5, P, 0.1)
    assert type(cost) is np.float64 and cost.shape == ()  # the course's test checks both
    assert cost == pytest.approx(1.7864859451590758, rel=1e-14)


def test_backward_propagation_with_regularization_published_values():
    X, _ = _reg_case()
    grads = course.backward_propagation_with_regularization(X, Y5, REG_CACHE, 0.7)
    expected = {
        "dZ3": [[-0.59317598, -0.98370716, 0.16722898, -0.89881889, 0.40682402]],
        "dW3": [[-1.77691347, -0.11832879, -0.09397446]],
        "db3": [[-0.38032981]],
        "dA2": [[0.40761434, 0.67597671, -0.11491519, 0.6176438, -0.27955836],
                [0.50135568, 0.83143484, -0.14134288, 0.7596868, -0.34384996],
                [0.39816708, 0.66030962, -0.11225181, 0.6033287, -0.27307905]],
        "dZ2": [[0.40761434, 0.67597671, -0.11491519, 0.6176438, -0.27955836], [0] * 5, [0] * 5],
        "dW2": [[0.79276486, 0.85133918], [-0.0957219, -0.01720463], [-0.13100772, -0.03750433]],
        "db2": [[0.26135226], [0.0], [0.0]],
        "dA1": [[0.2048239, 0.33967447, -0.05774423, 0.31036252, -0.14047649],
                [0.3672018, 0.60895764, -0.10352203, 0.5564081, -0.25184181]],
        "dZ1": [[0.0, 0.33967447, -0.05774423, 0.31036252, 0.0],
                [0.0, 0.60895764, -0.10352203, 0.5564081, 0.0]],
        "dW1": [[-0.25604646, 0.12298827, -0.28297129], [-0.17706303, 0.34536094, -0.4410571]],
        "db1": [[0.11845855], [0.21236874]],
    }  # fmt: skip
    assert set(grads) == set(expected)
    for key, value in expected.items():
        value = np.array(value, dtype=float)
        assert grads[key].shape == value.shape, key
        np.testing.assert_allclose(grads[key], value, rtol=0, atol=1e-8, err_msg=key)


def test_forward_propagation_with_dropout_published_values():
    X, P = _reg_case()
    A3, cache = course.forward_propagation_with_dropout(X, P, keep_prob=0.7)
    np.testing.assert_allclose(
        A3, [[0.36974721, 0.00305176, 0.04565099, 0.49683389, 0.36974721]], rtol=0, atol=1e-8
    )
    assert len(cache) == 14
    D1, A1, D2, A2 = cache[1], cache[2], cache[6], cache[7]
    assert np.array_equal(D1, [[1, 0, 1, 1, 1], [1, 1, 1, 1, 1]])
    assert np.array_equal(D2, [[1, 1, 1, 0, 1], [1, 1, 1, 1, 1], [0, 0, 1, 1, 0]])
    np.testing.assert_allclose(
        A1, [[0, 0, 3.05706487, 3.72429505, 0], [0, 5.94299915, 1.1293003, 2.09276446, 0]],
        rtol=0, atol=1e-8,
    )  # fmt: skip
    np.testing.assert_allclose(
        A2[0], [0.75765067, 8.40591658, 4.40550021, 0, 0.75765067], atol=1e-8
    )
    # the course's masks: np.random.seed(1); rand(2, 5) < 0.7; rand(3, 5) < 0.7
    r = np.random.RandomState(1)
    assert np.array_equal(D1, r.rand(2, 5) < 0.7) and np.array_equal(D2, r.rand(3, 5) < 0.7)


def test_backward_propagation_with_dropout_published_values():
    X, _ = _reg_case()
    grads = course.backward_propagation_with_dropout(X, Y5, DROP_CACHE, keep_prob=0.8)
    np.testing.assert_allclose(
        grads["dA1"],
        [[0.36544439, 0.0, -0.00188233, 0.0, -0.17408748],
         [0.65515713, 0.0, -0.00337459, 0.0, 0.0]],
        rtol=0, atol=1e-8,
    )  # fmt: skip
    np.testing.assert_allclose(
        grads["dA2"],
        [[0.58180856, 0.0, -0.00299679, 0.0, -0.27715731],
         [0.0, 0.53159854, 0.0, 0.53159854, -0.34089673],
         [0.0, 0.0, -0.00292733, 0.0, 0.0]],
        rtol=0, atol=1e-8,
    )  # fmt: skip


# ----------------------------------------------------------------- gradient checking
def test_one_parameter_toy():
    assert course.forward_propagation(2, 4) == 8
    assert course.backward_propagation(2, 4) == 2
    difference = course.gradient_check(2, 4)
    assert type(difference) is np.float64
    assert difference == pytest.approx(2.919335883291695e-10, rel=1e-12)
    # the later notebook's case: x = 3
    assert course.gradient_check(3, 4) == pytest.approx(7.814075313343006e-11, rel=1e-12)


def test_predict_is_the_fourth_graded_function_of_gradient_checking():
    """The assignment's public ``predict_test``: a 2-layer tanh/sigmoid network, X (2, 3)."""
    X = np.random.RandomState(1).randn(2, 3)
    parameters = {
        "W1": np.array([[-0.00615039, 0.0169021], [-0.02311792, 0.03137121],
                        [-0.0169217, -0.01752545], [0.00935436, -0.05018221]]),
        "W2": np.array([[-0.0104319, -0.04019007, 0.01607211, 0.04440255]]),
        "b1": np.array([[-8.97523455e-07], [8.15562092e-06], [6.04810633e-07],
                        [-2.54560700e-06]]),
        "b2": np.array([[9.14954378e-05]]),
    }  # fmt: skip
    predictions = course.predict(parameters, X)
    assert predictions.dtype == bool and predictions.shape == (1, 3)
    assert predictions.tolist() == [[True, False, True]]
    # by hand: A2 = σ(W2 tanh(W1 X + b1) + b2) > 0.5
    A1 = np.tanh(parameters["W1"] @ X + parameters["b1"])
    A2 = 1 / (1 + np.exp(-(parameters["W2"] @ A1 + parameters["b2"])))
    assert (predictions == (A2 > 0.5)).all() and "predict" in course.__all__


def _gc_case():
    r = np.random.RandomState(1)
    X, Y = r.randn(4, 3), np.array([1, 1, 0])
    P = {}
    for i, shape in enumerate([(5, 4), (3, 5), (1, 3)], start=1):
        P[f"W{i}"] = r.randn(*shape)
        P[f"b{i}"] = r.randn(shape[0], 1)
    return X, Y, P


def test_gradient_check_n_published_differences(capsys):
    X, Y, P = _gc_case()
    cost, cache = course.forward_propagation_n(X, Y, P)
    assert len(cache) == 12
    grads = course.backward_propagation_n(X, Y, cache)
    fixed = course.gradient_check_n(P, grads, X, Y, 1e-7, True)
    assert "works perfectly fine" in capsys.readouterr().out
    # the assignment's planted bugs: dW2 doubled, db1 four times too big
    buggy = dict(grads, dW2=grads["dW2"] * 2, db1=grads["db1"] * 4)
    planted = course.gradient_check_n(P, buggy, X, Y, 1e-7, True)
    assert "There is a mistake" in capsys.readouterr().out
    # the costs are the course's to the last bit (its sigmoid 1/(1+e^-z) on the library's Z);
    # the norms are summed in another order, hence the last digits of the noise-level value
    assert planted == pytest.approx(0.2850931567761623, rel=1e-14)
    assert fixed == pytest.approx(1.1890913024229996e-07, rel=1e-9)
    assert cost == pytest.approx(2.407833389834357, rel=1e-14)


# ----------------------------------------------------------------- optimization
def _opt_case(grads: bool = True):
    r = np.random.RandomState(1)
    P = {"W1": r.randn(2, 3), "b1": r.randn(2, 1), "W2": r.randn(3, 3), "b2": r.randn(3, 1)}
    G = {"dW1": r.randn(2, 3), "db1": r.randn(2, 1), "dW2": r.randn(3, 3), "db2": r.randn(3, 1)}
    return P, G


def test_update_parameters_with_gd_published_values():
    P, G = _opt_case()
    out = course.update_parameters_with_gd(P, G, 0.01)
    np.testing.assert_allclose(
        out["W1"], [[1.63535156, -0.62320365, -0.53718766], [-1.07799357, 0.85639907, -2.29470142]],
        atol=1e-8,
    )  # fmt: skip
    np.testing.assert_allclose(out["b2"], [[-0.88020257], [0.02561572], [0.57539477]], atol=1e-8)
    assert np.array_equal(out["W1"], P["W1"] - 0.01 * G["dW1"])  # the course's formula, exact


def test_random_mini_batches_published_values():
    r = np.random.RandomState(1)
    nx, m = 12288, 148
    X = np.arange(nx * m).reshape((m, nx)).T
    Y = r.randn(1, m) < 0.5
    batches = course.random_mini_batches(X, Y, 64, 0)
    assert [b[0].shape for b in batches] == [(12288, 64), (12288, 64), (12288, 20)]
    assert [b[1].shape for b in batches] == [(1, 64), (1, 64), (1, 20)]
    assert list(batches[0][0][0][0:3]) == [294912, 86016, 454656]
    assert list(batches[1][0][-1][0:3]) == [172031, 1290239, 1474559]
    assert list(batches[2][0][-1][0:3]) == [1425407, 1769471, 897023]
    perm = np.random.RandomState(0).permutation(m)
    assert np.array_equal(np.hstack([b[1] for b in batches]), Y[:, perm])


def test_momentum_published_values():
    P, G = _opt_case()
    v = course.initialize_velocity(P)
    assert {k: a.shape for k, a in v.items()} == {
        "dW1": (2, 3),
        "db1": (2, 1),
        "dW2": (3, 3),
        "db2": (3, 1),
    }
    out, v = course.update_parameters_with_momentum(P, G, v, beta=0.9, learning_rate=0.01)
    np.testing.assert_allclose(
        out["W1"], [[1.62544598, -0.61290114, -0.52907334], [-1.07347112, 0.86450677, -2.30085497]],
        atol=1e-8,
    )  # fmt: skip
    np.testing.assert_allclose(out["b2"], [[-0.87809283], [0.04055394], [0.58207317]], atol=1e-8)
    np.testing.assert_allclose(
        v["dW1"], [[-0.11006192, 0.11447237, 0.09015907], [0.05024943, 0.09008559, -0.06837279]],
        atol=1e-8,
    )  # fmt: skip
    np.testing.assert_allclose(v["db2"], [[0.02344157], [0.16598022], [0.07420442]], atol=1e-8)


def test_adam_published_values_and_corrected_moments():
    P, G = _opt_case()
    v, s = course.initialize_adam(P)
    out, v, s, vc, sc = course.update_parameters_with_adam(P, G, v, s, 2, 0.01, 0.9, 0.999, 1e-8)
    np.testing.assert_allclose(
        out["W1"], [[1.63178673, -0.61919778, -0.53561312], [-1.08040999, 0.85796626, -2.29409733]],
        atol=1e-8,
    )  # fmt: skip
    np.testing.assert_allclose(out["b1"], [[1.75225313], [-0.75376553]], atol=1e-8)
    np.testing.assert_allclose(
        out["W2"],
        [[0.32648046, -0.25681174, 1.46954931], [-2.05269934, -0.31497584, -0.37661299],
         [1.14121081, -1.09244991, -0.16498684]],
        atol=1e-8,
    )  # fmt: skip
    np.testing.assert_allclose(out["b2"], [[-0.88529979], [0.03477238], [0.57537385]], atol=1e-8)
    # by hand from v = s = 0 at t = 2: v = 0.1 g, s = 0.001 g², v̂ = v/(1-0.81), ŝ = s/(1-0.998001)
    g = G["dW1"]
    np.testing.assert_allclose(v["dW1"], 0.1 * g, rtol=1e-13)
    np.testing.assert_allclose(s["dW1"], 0.001 * g * g, rtol=1e-12)
    np.testing.assert_allclose(vc["dW1"], 0.1 * g / (1 - 0.9**2), rtol=1e-13)
    np.testing.assert_allclose(sc["dW1"], 0.001 * g * g / (1 - 0.999**2), rtol=1e-12)
    assert np.array_equal(P["W1"], _opt_case()[0]["W1"])  # the learner's arrays are untouched


def test_learning_rate_decay_published_values():
    assert course.update_lr(0.5, 2, 1) == 0.16666666666666666
    assert course.schedule_lr_decay(0.5, 10, 0.3, 100) == 0.5
    assert course.schedule_lr_decay(0.5, 100, 0.3, 100) == 0.3846153846153846


def test_course_errors_name_the_argument():
    with pytest.raises(ValueError, match="keys W1, b1"):
        course.update_parameters_with_gd({"W1": np.ones((1, 1))}, {}, 0.1)
    P, G = _opt_case()
    v, s = course.initialize_adam(P)
    with pytest.raises(ValueError, match="t is Adam's step number"):
        course.update_parameters_with_adam(P, G, v, s, 0)
    with pytest.raises(ValueError, match="v has no"):
        course.update_parameters_with_momentum(P, G, {}, 0.9, 0.01)


def test_network_versions_live_in_submodules():
    X, P = _reg_case()
    A3, cache = initialization.forward_propagation(X, P)
    assert A3.shape == (1, 5) and len(cache) == 12
    assert gradient_checking.forward_propagation is course.forward_propagation
