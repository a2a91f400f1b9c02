"""Backpropagation against two-sided finite differences of the regularized cost."""

import numpy as np
import pytest
from conftest import finite_difference, flat_gradients, relative_difference

import nnrecipe as nr

HIDDEN = ["relu", "leaky_relu", "tanh", "sigmoid", "linear"]
OUTPUTS = [  # (output activation, units, loss or None for the default)
    ("sigmoid", 1, None),
    ("sigmoid", 3, None),  # multi-label
    ("softmax", 4, None),
    ("linear", 2, None),
    ("tanh", 2, "mean_squared_error"),  # mean squared error after a non-linear output
]


def make_targets(rng, output, k, m):
    if output == "softmax":
        return rng.integers(0, k, m)
    if output == "sigmoid":
        return rng.integers(0, 2, (m, k))
    return rng.normal(size=(m, k))


def random_network(sizes, hidden, output, loss, rng, **kwargs):
    net = nr.Network(sizes, hidden=hidden, output=output, loss=loss, seed=1, **kwargs)
    # random biases keep every ReLU pre-activation away from its kink at exactly 0
    params = net.get_parameters()
    params.update({k: rng.normal(size=v.shape) for k, v in params.items() if k.startswith("b")})
    net.set_parameters(params)
    return net


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("output,k,loss", OUTPUTS)
def test_backprop_matches_finite_differences_with_l2_l1_and_dropout(hidden, output, k, loss, rng):
    m = 9
    X = rng.normal(size=(m, 5))
    Y = make_targets(rng, output, k, m)
    net = random_network(
        [5, 4, 3, k], hidden, output, loss, rng, l2=0.3, l1=0.2, keep_prob=[0.7, 0.8]
    )
    backprop = flat_gradients(net, net.gradients(X, Y, training=True, rng=5))
    approx = finite_difference(net, X, Y, rng_seed=5)
    assert relative_difference(approx, backprop) < 1e-7


@pytest.mark.parametrize("sizes", [[3, 2], [3, 6, 2], [3, 5, 4, 4, 3, 2]])
@pytest.mark.parametrize("dtype_of_labels", ["integers", "one_hot"])
def test_depths_and_label_forms(sizes, dtype_of_labels, rng):
    X = rng.normal(size=(8, 3))
    labels = rng.integers(0, 2, 8)
    Y = labels if dtype_of_labels == "integers" else np.eye(2)[labels]
    net = random_network(sizes, "tanh", "softmax", None, rng, l2=0.5)
    backprop = flat_gradients(net, net.gradients(X, Y))
    assert relative_difference(finite_difference(net, X, Y), backprop) < 1e-7


def test_gradients_returns_course_names_and_shapes(rng):
    net = nr.Network([4, 3, 1], seed=0)
    grads = net.gradients(rng.normal(size=(5, 4)), rng.integers(0, 2, 5))
    assert list(grads) == ["dW1", "db1", "dW2", "db2"]
    assert grads["dW1"].shape == (3, 4) and grads["db1"].shape == (3,)


def test_regularization_gradient_terms_by_value(rng):
    """dW with penalties minus dW without equals (λ/m)W + (λ₁/m)sign(W) exactly."""
    X, y = rng.normal(size=(6, 3)), rng.integers(0, 2, 6)
    plain = nr.Network([3, 4, 1], seed=2)
    reg = nr.Network([3, 4, 1], seed=2, l2=0.7, l1=0.3)
    g0, g1 = plain.gradients(X, y), reg.gradients(X, y)
    W = reg.get_parameters()["W1"]
    np.testing.assert_allclose(
        g1["dW1"] - g0["dW1"], 0.7 / 6 * W + 0.3 / 6 * np.sign(W), atol=1e-15
    )
    np.testing.assert_array_equal(g1["db1"], g0["db1"])  # biases never penalized


def test_same_rng_gives_same_masks_in_forward_cost_and_gradients(rng):
    X, y = rng.normal(size=(20, 4)), rng.integers(0, 2, 20)
    net = nr.Network([4, 8, 8, 1], keep_prob=0.5, seed=0)
    a1 = net.forward(X, training=True, rng=7)
    a2 = net.forward(X, training=True, rng=7)
    np.testing.assert_array_equal(a1, a2)
    assert not np.array_equal(a1, net.forward(X, training=True, rng=8))
    assert net.cost(X, y, training=True, rng=7) == net.cost(X, y, training=True, rng=7)
    g1, g2 = net.gradients(X, y, training=True, rng=7), net.gradients(X, y, training=True, rng=7)
    np.testing.assert_array_equal(g1["dW1"], g2["dW1"])


def test_float32_gradients_stay_float32_and_agree_with_float64(rng):
    X, y = rng.normal(size=(16, 4)), rng.integers(0, 3, 16)
    net64 = nr.Network([4, 6, 3], output="softmax", l2=0.1, seed=0)
    net32 = net64.copy(dtype="float32")
    g64, g32 = net64.gradients(X, y), net32.gradients(X, y)
    assert all(v.dtype == np.float32 for v in g32.values())
    assert net32.forward(X).dtype == np.float32
    assert relative_difference(flat_gradients(net64, g64), flat_gradients(net64, g32)) < 1e-5
