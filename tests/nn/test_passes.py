"""Forward and backward through an explicit cache, given dropout masks, and the gradients'
intermediates dZ, dA: checked against the formulas and against finite differences."""

import numpy as np
import pytest
from conftest import flat_gradients, relative_difference

from nnrecipe.nn import activations, losses
from nnrecipe.nn.network import Network


def _net(keep_prob=1.0, l2=0.0):
    net = Network([3, 4, 2, 1], hidden="relu", output="sigmoid", l2=l2, keep_prob=keep_prob, seed=0)
    rng = np.random.default_rng(1)
    net.set_vector(rng.standard_normal(net.n_parameters))  # random biases: no ReLU kinks at 0
    X = rng.standard_normal((6, 3))
    y = (rng.random(6) < 0.5).astype(float)
    masks = [rng.random((6, 4)) < keep_prob, rng.random((6, 2)) < keep_prob]
    return net, X, y, masks


def test_intermediates_follow_the_chain_rule():
    net, X, y, _ = _net()
    g = net.gradients(X, y, intermediates=True)
    A, cache = net.forward_with_cache(X)
    P = net.get_parameters()
    np.testing.assert_allclose(g["dZ3"], (A - y[:, None]) / 6, rtol=1e-14)  # fused output
    for layer in (1, 2):
        # dA[l] = dZ[l+1] @ W[l+1];  dZ[l] = dA[l] * relu'(Z[l]);  dW[l] = dZ[l].T @ A[l-1]
        np.testing.assert_allclose(g[f"dA{layer}"], g[f"dZ{layer + 1}"] @ P[f"W{layer + 1}"])
        Z = cache[layer - 1]["Z"]
        np.testing.assert_allclose(g[f"dZ{layer}"], g[f"dA{layer}"] * (Z > 0))
    for layer in (1, 2, 3):
        A_prev = cache[layer - 1]["A_prev"]
        np.testing.assert_allclose(g[f"dW{layer}"], g[f"dZ{layer}"].T @ A_prev, rtol=1e-12)
        np.testing.assert_allclose(g[f"db{layer}"], g[f"dZ{layer}"].sum(axis=0), rtol=1e-12)
    assert set(net.gradients(X, y)) == {"dW1", "db1", "dW2", "db2", "dW3", "db3"}


def test_given_masks_are_the_forward_and_match_finite_differences():
    net, X, y, masks = _net(keep_prob=0.6, l2=0.3)
    A, cache = net.forward_with_cache(X, training=True, masks=masks)
    P = net.get_parameters()
    A1 = np.maximum(X @ P["W1"].T + P["b1"], 0)
    np.testing.assert_allclose(cache[0]["A"], A1, rtol=1e-14)
    np.testing.assert_allclose(cache[1]["A_prev"], A1 * masks[0] / 0.6, rtol=1e-14)
    assert np.array_equal(cache[0]["D"], masks[0]) and cache[2]["D"] is None
    # the gradient with these masks is the derivative of J with these masks
    g = net.gradients(X, y, training=True, masks=masks)
    Y = y[:, None]
    theta, approx = net.get_vector(), []
    for i in range(theta.size):
        J = []
        for step in (1e-6, -1e-6):
            t = theta.copy()
            t[i] += step
            net.set_vector(t)
            J.append(net.compute_cost(X, Y, training=True, masks=masks))
        approx.append((J[0] - J[1]) / 2e-6)
    net.set_vector(theta)
    assert relative_difference(np.array(approx), flat_gradients(net, g)) < 1e-8


def test_backward_from_a_given_cache_is_backpropagation():
    net, X, y, masks = _net(keep_prob=0.6)
    _, cache = net.forward_with_cache(X, training=True, masks=masks)
    from_cache = net.backward(cache, y, intermediates=True)
    direct = net.gradients(X, y, training=True, masks=masks, intermediates=True)
    assert set(from_cache) == set(direct)
    for key in direct:
        np.testing.assert_array_equal(from_cache[key], direct[key], err_msg=key)
    # A of a hidden layer may be left out: it is g(Z)
    for entry in cache[:-1]:
        entry.pop("A")
    assert np.array_equal(net.backward(cache, y)["dW1"], direct["dW1"])


def test_masks_and_cache_bad_input():
    net, X, y, masks = _net(keep_prob=0.6)
    with pytest.raises(ValueError, match=r"masks\[1\] has shape"):
        net.gradients(X, y, training=True, masks=[masks[0], masks[1][:3]])
    with pytest.raises(ValueError, match="training mode only"):
        net.forward_with_cache(X, masks=masks)
    with pytest.raises(ValueError, match="one .* per hidden layer"):
        net.forward_with_cache(X, training=True, masks=masks[:1])
    _, cache = net.forward_with_cache(X)
    with pytest.raises(ValueError, match="list of 3 dicts"):
        net.backward(cache[:2], y)
    cache[1]["Z"] = cache[1]["Z"][:, :1]
    with pytest.raises(ValueError, match=r"cache\[1\]\['Z'\] has shape"):
        net.backward(cache, y)


def test_cross_entropy_from_probabilities_and_textbook_sigmoid():
    A = np.array([[0.5], [1.0], [0.2]])
    Y = np.array([[1.0], [1.0], [0.0]])
    # (log 2 + 0 (0·log 0 = 0) + -log 0.8) / 3
    expected = (np.log(2.0) - np.log(0.8)) / 3
    assert losses.cross_entropy_from_probabilities(A, Y) == pytest.approx(expected, rel=1e-15)
    Z = np.linspace(-30, 30, 61)
    np.testing.assert_allclose(
        activations.sigmoid_exp(Z), activations.sigmoid(Z), rtol=0, atol=1e-15
    )
    assert activations.sigmoid_exp(np.array([-800.0]))[0] == 0.0
    with pytest.raises(ValueError, match="both be"):
        losses.cross_entropy_from_probabilities(A, Y[:2])
