"""nr.gradcheck_fn on a learner's own course-style implementation: columns are examples,
W[l] is (n_l, n_{l-1}), b[l] is a column vector (n_l, 1), gradients are dW1, db1, ..."""

import json

import numpy as np
import pytest

import nnrecipe as nr

LAYERS = [4, 5, 3, 1]


def initialize(seed=0):
    rng = np.random.default_rng(seed)
    params = {}
    for layer in range(1, len(LAYERS)):
        params[f"W{layer}"] = rng.normal(size=(LAYERS[layer], LAYERS[layer - 1])) / np.sqrt(
            LAYERS[layer - 1]
        )
        params[f"b{layer}"] = rng.normal(scale=0.1, size=(LAYERS[layer], 1))
    return params


def forward(X, params):
    """tanh hidden layers, sigmoid output; X is (n_x, m)."""
    L = len(params) // 2
    A, caches = X, []
    for layer in range(1, L + 1):
        Z = params[f"W{layer}"] @ A + params[f"b{layer}"]
        caches.append((A, Z))
        A = np.tanh(Z) if layer < L else 1 / (1 + np.exp(-Z))
    return A, caches


def compute_cost(AL, Y):
    m = Y.shape[1]
    return float(-np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m)


def backward(AL, Y, caches, params, bug=None):
    m, L = Y.shape[1], len(caches)
    grads, dZ = {}, AL - Y
    for layer in range(L, 0, -1):
        A_prev, _ = caches[layer - 1]
        grads[f"dW{layer}"] = dZ @ A_prev.T / m
        grads[f"db{layer}"] = np.sum(dZ, axis=1, keepdims=True) / m
        if bug == "doubled dW2" and layer == 2:
            grads["dW2"] = 2 * dZ @ A_prev.T / m
        if bug == "4/m in db1" and layer == 1:
            grads["db1"] = 4 * np.sum(dZ, axis=1, keepdims=True) / m
        if layer > 1:
            grads[f"dA{layer - 1}"] = params[f"W{layer}"].T @ dZ
            dZ = grads[f"dA{layer - 1}"] * (1 - A_prev**2)
    return grads


@pytest.fixture
def course():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(LAYERS[0], 15))
    Y = rng.integers(0, 2, (1, 15)).astype(float)

    def cost_fn(p):
        return compute_cost(forward(X, p)[0], Y)

    def grad_fn(p, bug=None):
        AL, caches = forward(X, p)
        return backward(AL, Y, caches, p, bug)

    return cost_fn, grad_fn


@pytest.mark.parametrize("mode", ["full", "sample", "directional"])
def test_a_correct_implementation_passes(course, mode):
    cost_fn, grad_fn = course
    params = initialize()
    before = {k: v.copy() for k, v in params.items()}
    result = nr.gradcheck_fn(cost_fn, grad_fn, params, mode=mode, n_samples=20, n_directions=3)
    assert result.passed and result.difference < 1e-7, str(result)
    assert result.verdict.endswith("every block matches.")
    assert set(result.per_parameter) == set(params)
    for k in params:  # the caller's arrays are untouched
        np.testing.assert_array_equal(params[k], before[k])


def test_full_check_compares_every_coordinate_with_grad_fn(course):
    cost_fn, grad_fn = course
    params = initialize()
    result = nr.gradcheck_fn(cost_fn, grad_fn, params)
    g = grad_fn(params)
    assert result.n_checked == result.n_parameters == sum(v.size for v in params.values())
    np.testing.assert_array_equal(
        result.backprop, np.concatenate([g["d" + k].ravel() for k in params])
    )
    i = np.ravel_multi_index((2, 1), params["W1"].shape)
    plus = {**params, "W1": params["W1"].copy()}
    plus["W1"][2, 1] += 1e-7
    minus = {**params, "W1": params["W1"].copy()}
    minus["W1"][2, 1] -= 1e-7
    expected = (cost_fn(plus) - cost_fn(minus)) / 2e-7
    assert result.approx[i] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    "bug,block", [("doubled dW2", "W2"), ("4/m in db1", "b1")], ids=["doubled-dW", "4-over-m-db"]
)
@pytest.mark.parametrize("mode", ["full", "sample", "directional"])
def test_the_classic_bugs_are_found_and_located(course, bug, block, mode):
    cost_fn, grad_fn = course
    result = nr.gradcheck_fn(
        cost_fn, lambda p: grad_fn(p, bug), initialize(), mode=mode, n_samples=20, n_directions=3
    )
    assert not result.passed and result.status == "bug"
    assert result.disagreeing == [block]
    assert f"d{block} disagrees; everything else matches." in result.verdict
    if mode == "full":
        expected = 1 / 3 if block == "W2" else 3 / 5  # |1−2|/(1+2) and |1−4|/(1+4)
        assert result.per_parameter[block] == pytest.approx(expected, rel=1e-6)
    assert result.worst[0].name == block
    assert any("black box" in n for n in result.notes)


def test_result_is_json_serializable(course):
    cost_fn, grad_fn = course
    data = json.loads(json.dumps(nr.gradcheck_fn(cost_fn, grad_fn, initialize()).to_dict()))
    assert data["passed"] and data["worst"][0]["index"] is not None


def test_float32_parameters_are_checked_in_float64(course):
    cost_fn, grad_fn = course
    params = {k: v.astype(np.float32) for k, v in initialize().items()}
    seen = []

    def spy(p):
        seen.append({v.dtype for v in p.values()})
        return cost_fn(p)

    assert nr.gradcheck_fn(spy, grad_fn, params).passed
    assert all(s == {np.dtype(np.float64)} for s in seen)


@pytest.mark.parametrize(
    "grads,error,match",
    [
        (lambda g: {k: v for k, v in g.items() if k != "db2"}, ValueError, "no 'db2'"),
        (lambda g: {**g, "db1": g["db1"].ravel()}, ValueError, r"shape \(5,\).*\(5, 1\)"),
        (lambda g: [g], TypeError, "grad_fn must return a dict"),
        (lambda g: {**g, "dW3": g["dW3"] * np.nan}, ValueError, "NaN"),
    ],
)
def test_bad_gradients_are_named(course, grads, error, match):
    cost_fn, grad_fn = course
    with pytest.raises(error, match=match):
        nr.gradcheck_fn(cost_fn, lambda p: grads(grad_fn(p)), initialize())


def test_bad_cost_and_parameters_are_named(course):
    cost_fn, grad_fn = course
    params = initialize()
    with pytest.raises(ValueError, match="one number"):
        nr.gradcheck_fn(lambda p: np.ones(3), grad_fn, params)
    with pytest.raises(ValueError, match="returned nan"):
        nr.gradcheck_fn(lambda p: float("nan"), grad_fn, params)
    with pytest.raises(TypeError, match="callables"):
        nr.gradcheck_fn(1.0, grad_fn, params)
    with pytest.raises(TypeError, match="non-empty dict"):
        nr.gradcheck_fn(cost_fn, grad_fn, [params["W1"]])
    with pytest.raises(ValueError, match=r"parameters\['W1'\]"):
        nr.gradcheck_fn(cost_fn, grad_fn, {**params, "W1": params["W1"] * np.inf})
    with pytest.raises(ValueError, match="mode"):
        nr.gradcheck_fn(cost_fn, grad_fn, params, mode="quick")


def test_a_cost_that_blows_up_at_a_perturbed_point_names_it(course):
    cost_fn, grad_fn = course
    params = initialize()

    def fragile(p):
        return float("inf") if p["W2"][1, 2] > params["W2"][1, 2] else cost_fn(p)

    with pytest.raises(ValueError, match=r"returned inf at θ \+ ε at W2\(1, 2\)"):
        nr.gradcheck_fn(fragile, grad_fn, params)
