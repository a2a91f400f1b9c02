"""nr.gradcheck on Networks: correct ones pass, planted bugs are caught and located, the batched
evaluator equals net.cost, kinks are detected, dropout is off, float32 is checked in float64."""

import json

import numpy as np
import pytest

import nnrecipe as nr
from nnrecipe.gradcheck.perturbed import ExactCosts, PerturbedCosts
from nnrecipe.nn import activations, layers, losses, regularizers

HIDDEN = ["relu", "leaky_relu", "tanh", "sigmoid", "linear"]
OUTPUTS = [  # (output activation, units, loss or None for the default)
    ("sigmoid", 1, None),
    ("sigmoid", 3, None),  # multi-label
    ("softmax", 4, None),
    ("linear", 2, None),
    ("tanh", 2, "mean_squared_error"),
    ("relu", 2, "mean_squared_error"),
]


def targets(rng, output, k, m, loss=None):
    if output == "softmax":
        return rng.integers(0, k, m)
    if output == "sigmoid" and loss is None:
        return rng.integers(0, 2, (m, k))
    return rng.normal(size=(m, k))


def problem(
    sizes=(5, 4, 3, 2),
    hidden="tanh",
    output="softmax",
    loss=None,
    m=12,
    seed=0,
    random_biases=False,
    **kwargs,
):
    rng = np.random.default_rng(seed)
    net = nr.Network(list(sizes), hidden=hidden, output=output, loss=loss, seed=seed, **kwargs)
    if random_biases:
        params = net.get_parameters()
        params.update({k: rng.normal(size=v.shape) for k, v in params.items() if k[0] == "b"})
        net.set_parameters(params)
    X = rng.normal(size=(m, sizes[0]))
    return net, X, targets(rng, output, sizes[-1], m, loss)


# ----------------------------------------------------------------- correct networks pass
@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("output,k,loss", OUTPUTS)
def test_correct_networks_of_every_activation_and_loss_pass(hidden, output, k, loss):
    # fresh networks (zero biases), with both penalties and dropout configured
    net, X, Y = problem((5, 4, 3, k), hidden, output, loss, l2=0.3, l1=0.2, keep_prob=[0.7, 0.8])
    result = nr.gradcheck(net, X, Y)
    assert result.passed, str(result)
    assert result.difference < 1e-7
    assert result.status == "ok"
    checked = [v for v in result.per_parameter.values() if not np.isnan(v)]
    assert len(checked) >= 5 and max(checked) < 1e-7
    assert result.n_checked == net.n_parameters
    assert set(result.per_parameter) == set(net.parameter_shapes())


def test_result_values_match_an_independent_finite_difference():
    net, X, Y = problem(random_biases=True, l2=0.5)
    result = nr.gradcheck(net, X, Y, epsilon=1e-6)
    theta, approx = net.get_vector(), np.empty(net.n_parameters)
    for i in range(net.n_parameters):
        for sign in (1, -1):
            t = theta.copy()
            t[i] += sign * 1e-6
            net.set_vector(t)
            approx[i] = net.cost(X, Y) if sign == 1 else (approx[i] - net.cost(X, Y)) / 2e-6
    net.set_vector(theta)
    g = net.gradients(X, Y)
    backprop = np.concatenate([g["d" + k].ravel() for k in net.parameter_shapes()])
    np.testing.assert_allclose(result.approx, approx, rtol=1e-6, atol=1e-9)
    np.testing.assert_array_equal(result.backprop, backprop)


# ----------------------------------------------------------------- the batched evaluator
@pytest.mark.parametrize(
    "hidden,output,loss,kwargs",
    [
        ("relu", "softmax", None, {"l2": 0.7, "l1": 0.3}),
        ("tanh", "sigmoid", None, {"l1": 0.5}),
        ("leaky_relu", "tanh", "mean_squared_error", {"l2": 0.2}),
        ("sigmoid", "linear", None, {}),
    ],
)
def test_batched_costs_equal_net_cost_at_every_perturbed_theta(hidden, output, loss, kwargs):
    net, X, Y = problem((4, 5, 3, 3), hidden, output, loss, m=7, random_biases=True, **kwargs)
    eps = 1e-3  # large enough that every J(θ ± εu) really differs from J(θ)
    ev = PerturbedCosts(
        net, net.prepare_inputs(X), net.prepare_targets(Y, len(X)), eps, chunk_size=5
    )
    assert ev.consistent()
    theta, offset = net.get_vector(), 0
    rng = np.random.default_rng(1)
    for name, shape in net.parameter_shapes().items():
        size = int(np.prod(shape))
        J_plus, J_minus, approx, _ = ev.coordinates(name, np.arange(size))
        V = rng.normal(size=(3, *shape))
        D_plus, D_minus, d_approx, _ = ev.directions(name, V)
        for i in range(size):
            for sign, J in ((1, J_plus[i]), (-1, J_minus[i])):
                t = theta.copy()
                t[offset + i] += sign * eps
                net.set_vector(t)
                assert J == pytest.approx(net.cost(X, Y), rel=1e-12)
        for d in range(3):
            for sign, J in ((1, D_plus[d]), (-1, D_minus[d])):
                t = theta.copy()
                t[offset : offset + size] += sign * eps * V[d].ravel()
                net.set_vector(t)
                assert J == pytest.approx(net.cost(X, Y), rel=1e-12)
        net.set_vector(theta)
        np.testing.assert_allclose(approx, (J_plus - J_minus) / (2 * eps), rtol=1e-8, atol=1e-12)
        np.testing.assert_allclose(d_approx, (D_plus - D_minus) / (2 * eps), rtol=1e-8, atol=1e-12)
        offset += size


def test_exact_and_batched_evaluators_agree_and_chunking_changes_nothing():
    net, X, Y = problem((4, 6, 5, 3), "relu", "softmax", random_biases=True, l2=0.4, l1=0.1)
    Xp, Yp = net.prepare_inputs(X), net.prepare_targets(Y, len(X))
    batched = PerturbedCosts(net, Xp, Yp, 1e-7)
    one_at_a_time = PerturbedCosts(net, Xp, Yp, 1e-7, chunk_size=1)
    exact = ExactCosts(net, Xp, Yp, 1e-7)
    for name, shape in net.parameter_shapes().items():
        local = np.arange(int(np.prod(shape)))
        a = batched.coordinates(name, local)[2]
        np.testing.assert_allclose(
            one_at_a_time.coordinates(name, local)[2], a, rtol=1e-12, atol=1e-15
        )
        np.testing.assert_allclose(exact.coordinates(name, local)[2], a, rtol=1e-5, atol=1e-8)


# ----------------------------------------------------------------- kinks
def test_examples_on_a_relu_kink_are_left_out_and_reported():
    net, X, Y = problem((5, 4, 3, 1), "relu", "sigmoid", m=10, l2=0.1)
    X[3] = 0.0  # Z1 = b1 = 0 exactly for example 3: every unit of layer 1 on its kink
    Xp, Yp = net.prepare_inputs(X), net.prepare_targets(Y, len(X))
    naive = PerturbedCosts(net, Xp, Yp, 1e-7)
    local = np.arange(4)
    _, _, approx, kink = naive.coordinates("b1", local)
    assert kink.all() and naive.on_kink[3]
    db1 = net.gradients(X, Y)["db1"]
    # the finite difference across the kink disagrees with backprop although backprop is right
    assert np.linalg.norm(approx - db1) / (np.linalg.norm(approx) + np.linalg.norm(db1)) > 1e-4

    result = nr.gradcheck(net, X, Y)
    assert result.passed and result.difference < 1e-7, str(result)
    assert not np.isnan(result.per_parameter["b1"])
    note = next(n for n in result.notes if "kink" in n)
    assert "rows [3" in note and "of 10 examples" in note


def test_a_network_on_kinks_everywhere_excludes_and_lists_the_coordinates():
    with pytest.warns(UserWarning, match="symmetry"):
        net, X, Y = problem((3, 4, 1), "relu", "sigmoid", init="zeros")
    result = nr.gradcheck(net, X, Y)
    assert result.passed
    assert "W1[0, 0]" in result.kinks and "b1[0]" in result.kinks
    assert result.block_status["W1"] == "kinks only" and np.isnan(result.per_parameter["W1"])
    assert "kinks only" in result.verdict
    assert json.loads(json.dumps(result.to_dict()))["per_parameter"]["W1"] is None


def test_l1_kink_of_a_weight_within_epsilon_of_zero_is_excluded():
    net, X, Y = problem((3, 2, 1), "tanh", "sigmoid", random_biases=True, l1=1.0)
    W1 = net.get_parameters()["W1"]
    W1[0, 1] = 3e-8  # |w| < ε: |w + ε| − |w − ε| is not 2ε·sign(w)
    net.set_parameters({**net.get_parameters(), "W1": W1})
    result = nr.gradcheck(net, X, Y)
    assert result.kinks == ["W1[0, 1]"] and result.passed


# ----------------------------------------------------------------- planted bugs
def _times_four_db1(monkeypatch):
    original = layers.Dense.backward

    def backward(self, dZ, buf, need_dA_prev=True):
        dA_prev = original(self, dZ, buf, need_dA_prev)
        if not need_dA_prev:  # the first layer: the classic 4/m instead of 1/m, in db1 only
            self.db *= 4
        return dA_prev

    monkeypatch.setattr(layers.Dense, "backward", backward)


def test_a_bug_in_db1_is_located(monkeypatch):
    net, X, Y = problem(random_biases=True, l2=0.2)
    _times_four_db1(monkeypatch)
    result = nr.gradcheck(net, X, Y)
    assert not result.passed and result.status == "bug"
    assert result.disagreeing == ["b1"]
    assert "db1 disagrees; everything else matches." in result.verdict
    assert result.per_parameter["b1"] == pytest.approx(0.6, abs=1e-6)  # |1-4|/(1+4)
    assert all(v < 1e-7 for k, v in result.per_parameter.items() if k != "b1")
    assert result.worst[0].name == "b1" and result.worst[0].index is not None
    assert "db1 disagrees" in str(result)


def test_a_wrong_activation_derivative_breaks_every_block_below_it(monkeypatch):
    net, X, Y = problem((5, 4, 3, 2), "tanh", "softmax", random_biases=True)
    monkeypatch.setattr(
        activations.Tanh, "backward", lambda self, dA, Z, A: dA * (1.0 - A)
    )  # 1 − A instead of 1 − A²
    result = nr.gradcheck(net, X, Y)
    assert result.status == "bug"
    assert result.disagreeing == ["W1", "b1", "W2", "b2"]  # the output layer is unaffected
    assert result.block_status["W3"] == result.block_status["b3"] == "ok"


def test_a_missing_l2_gradient_is_found_in_every_dW(monkeypatch):
    net, X, Y = problem(random_biases=True, l2=2.0)
    monkeypatch.setattr(regularizers, "add_gradient", lambda *args, **kwargs: None)
    result = nr.gradcheck(net, X, Y)
    assert not result.passed
    assert result.disagreeing == ["W1", "W2", "W3"]


def test_a_cost_that_disagrees_with_the_batched_formulas_is_checked_exactly(monkeypatch):
    net, X, Y = problem(random_biases=True)
    theta = net.get_vector()
    value = losses.CategoricalCrossEntropy.value
    monkeypatch.setattr(
        losses.CategoricalCrossEntropy, "value", lambda self, Z, A, Y: 2 * value(self, Z, A, Y)
    )  # cost twice too big
    result = nr.gradcheck(net, X, Y)
    assert any("one at a time" in n for n in result.notes)
    assert result.status == "bug" and result.disagreeing == list(net.parameter_shapes())
    np.testing.assert_array_equal(net.get_vector(), theta)


# ----------------------------------------------------------------- dropout, dtype, state
def test_dropout_is_off_during_the_check_and_the_network_is_untouched():
    net, X, Y = problem(keep_prob=[0.5, 0.6], random_biases=True, l2=0.1)
    assert net.cost(X, Y, training=True, rng=1) != net.cost(X, Y, training=True, rng=2)
    theta, grad = net.get_vector(), net.dtheta.copy()
    result = nr.gradcheck(net, X, Y)
    assert result.passed
    assert any("dropout is off" in n for n in result.notes)
    assert net.keep_prob == [0.5, 0.6]
    np.testing.assert_array_equal(net.get_vector(), theta)
    np.testing.assert_array_equal(net.dtheta, grad)
    g = net.gradients(X, Y, training=False)
    np.testing.assert_array_equal(result.backprop[: g["dW1"].size], g["dW1"].ravel())


def test_a_float32_network_is_checked_on_a_float64_copy(monkeypatch):
    net, X, Y = problem(dtype="float32", random_biases=True)
    theta = net.get_vector()
    result = nr.gradcheck(net, X, Y)
    assert result.passed and result.difference < 1e-7  # impossible in float32 arithmetic
    assert any("float64 copy" in n for n in result.notes)
    assert net.dtype == np.float32 and net.get_vector().dtype == np.float32
    np.testing.assert_array_equal(net.get_vector(), theta)
    # the copy keeps the network's own activation objects: a bug planted in one is seen
    bad = activations.Tanh()
    monkeypatch.setattr(bad, "backward", lambda dA, Z, A: dA * (1.0 - A), raising=False)
    net.layers[1].activation = bad
    assert nr.gradcheck(net, X, Y).disagreeing == ["W1", "b1", "W2", "b2"]


# ----------------------------------------------------------------- modes
def test_three_modes_agree_on_a_correct_network_and_all_catch_a_planted_bug(monkeypatch):
    net, X, Y = problem((6, 8, 5, 3), "relu", "softmax", random_biases=True, l2=0.3)
    results = {
        mode: nr.gradcheck(net, X, Y, mode=mode, n_samples=40, n_directions=4)
        for mode in ("full", "sample", "directional")
    }
    for mode, result in results.items():
        assert result.passed and result.mode == mode, str(result)
    assert results["sample"].n_checked < results["full"].n_checked == net.n_parameters
    assert results["directional"].n_checked == 4 * 6
    _times_four_db1(monkeypatch)
    for mode in ("full", "sample", "directional"):
        result = nr.gradcheck(net, X, Y, mode=mode, n_samples=40, n_directions=4)
        assert result.status == "bug" and result.disagreeing == ["b1"], (mode, str(result))


def test_sample_mode_is_seeded_and_looks_at_every_block():
    net, X, Y = problem((10, 20, 4), "tanh", "softmax", random_biases=True)
    a = nr.gradcheck(net, X, Y, mode="sample", n_samples=30, seed=3)
    b = nr.gradcheck(net, X, Y, mode="sample", n_samples=30, seed=3)
    c = nr.gradcheck(net, X, Y, mode="sample", n_samples=30, seed=4)
    np.testing.assert_array_equal(a.approx, b.approx)
    assert not np.array_equal(a.approx, c.approx)
    assert 30 <= a.n_checked <= 40
    assert not any(np.isnan(v) for v in a.per_parameter.values())


def test_gradients_at_rounding_level_are_inconclusive_not_a_bug():
    # a linear model whose residuals are orthogonal to the inputs and to 1: ∇J = 0 but J > 0
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 3))
    net = nr.Network([3, 2], output="linear", seed=0)
    basis = np.column_stack([X, np.ones(20)])
    r = rng.normal(size=(20, 2))
    r -= basis @ np.linalg.lstsq(basis, r, rcond=None)[0]
    result = nr.gradcheck(net, X, net.predict(X) + r)
    assert result.status == "inconclusive" and not result.passed
    assert "inconclusive" in result.verdict


# ----------------------------------------------------------------- output and bad input
def test_report_json_and_rich_rendering(monkeypatch):
    net, X, Y = problem(random_biases=True)
    _times_four_db1(monkeypatch)
    result = nr.gradcheck(net, X, Y, top=3)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["passed"] is False and data["status"] == "bug" and data["mode"] == "full"
    assert set(data["per_parameter"]) == {"W1", "b1", "W2", "b2", "W3", "b3"}
    assert len(data["worst"]) == 3 and data["worst"][0]["name"] == "b1"
    assert data["worst"][0]["abs_error"] == pytest.approx(
        abs(data["worst"][0]["approx"] - data["worst"][0]["backprop"])
    )
    text = str(result)
    assert "b1" in text and "bug" in text and "worst coordinates" in text
    rich = pytest.importorskip("rich.console")
    console = rich.Console(record=True, width=120)
    console.print(result)
    assert "db1 disagrees" in console.export_text()


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        ({"epsilon": 0.0}, ValueError, "epsilon"),
        ({"epsilon": 0.5}, ValueError, "epsilon=0.5 is too large"),
        ({"mode": "fast"}, ValueError, "mode='fast'.*directional"),
        ({"n_samples": 0}, ValueError, "n_samples"),
        ({"n_directions": 1.5}, TypeError, "n_directions"),
        ({"chunk_size": 0}, ValueError, "chunk_size"),
        ({"seed": "x"}, TypeError, "seed"),
    ],
)
def test_bad_arguments_are_named(kwargs, error, match):
    net, X, Y = problem()
    with pytest.raises(error, match=match):
        nr.gradcheck(net, X, Y, **kwargs)


def test_bad_network_and_data_are_named():
    net, X, Y = problem()
    with pytest.raises(TypeError, match="gradcheck_fn"):
        nr.gradcheck({"W1": 1}, X, Y)
    with pytest.raises(ValueError, match="features"):
        nr.gradcheck(net, X[:, :2], Y)
    with pytest.raises(ValueError, match="labels"):
        nr.gradcheck(net, X, Y + 10)


def test_a_block_that_disagrees_alone_fails_the_check_even_when_the_total_passes():
    rng = np.random.default_rng(0)
    W = rng.normal(scale=1e3, size=1000)  # a huge block that matches
    b = np.full(4, 1e-6)  # a small block off by 4×: invisible in the overall difference
    blocks = {
        "W1": (np.arange(1000), W, W.copy(), np.zeros(1000, dtype=bool)),
        "b1": (np.arange(4), 4 * b, b, np.zeros(4, dtype=bool)),
    }
    result = nr.GradcheckResult.from_blocks(
        blocks, {"W1": (50, 20), "b1": (4,)}, mode="full", epsilon=1e-7, scale=1.0, notes=[]
    )
    assert result.difference < 1e-7
    assert result.block_status == {"W1": "ok", "b1": "bug"}
    assert not result.passed and result.status == "bug"
    assert result.verdict.startswith("bug:") and "db1 alone has 6.0e-01" in result.verdict
    assert result.worst[0].name == "b1"


@pytest.mark.parametrize("n_samples", [5, 40, 97, 2000])
def test_sample_mode_checks_exactly_n_samples_coordinates(n_samples):
    from nnrecipe.gradcheck.network import _sample

    shapes = {"W1": (128, 784), "b1": (128,), "W2": (10, 128), "b2": (10,)}
    picks = _sample(shapes, n_samples, np.random.default_rng(0))
    assert sum(len(p) for p in picks.values()) == n_samples  # 2,000 was 2,233
    assert all(len(p) >= 1 and len(np.unique(p)) == len(p) for p in picks.values())
    assert len(picks["W1"]) > len(picks["W2"]) > 0  # proportional beyond the floor
    small = {"W1": (3, 2), "b1": (3,)}  # more samples than coordinates: every coordinate
    assert sum(len(p) for p in _sample(small, 50, np.random.default_rng(0)).values()) == 9
