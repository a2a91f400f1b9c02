"""Label smoothing: the smoothed loss by hand, its fused gradient, torch, reported losses."""

import numpy as np
import pytest
from conftest import finite_difference, flat_gradients, relative_difference

import nnrecipe as nr


def one_layer(output, k, eps, rng, n_x=3):
    net = nr.Network([n_x, k], output=output, label_smoothing=eps, seed=0)
    net.set_vector(rng.normal(size=net.n_parameters))
    return net


def test_softmax_loss_and_gradient_by_hand(rng):
    eps, K, m = 0.1, 3, 4
    net = one_layer("softmax", K, eps, rng)
    X, labels = rng.normal(size=(m, 3)), np.array([0, 2, 1, 2])
    Z = X @ net.get_parameters()["W1"].T + net.get_parameters()["b1"]
    A = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    Y = np.full((m, K), eps / K)
    Y[np.arange(m), labels] += 1 - eps  # 0.9333... on the label, 0.0333... elsewhere
    assert Y[0].tolist() == pytest.approx([1 - eps + eps / 3, eps / 3, eps / 3])
    J = -np.sum(Y * np.log(A)) / m
    assert net.cost(X, labels) == pytest.approx(J, rel=1e-13)
    dZ = net.gradients(X, labels, intermediates=True)["dZ1"]
    np.testing.assert_allclose(dZ, (A - Y) / m, rtol=1e-12, atol=1e-15)
    # what is reported is the unsmoothed loss: −(1/m) Σ log a_label
    plain = -np.mean(np.log(A[np.arange(m), labels]))
    assert net.evaluate(X, labels)["loss"] == pytest.approx(plain, rel=1e-13)


def test_sigmoid_targets_move_halfway_by_eps_over_two(rng):
    eps, m = 0.2, 5
    net = one_layer("sigmoid", 2, eps, rng)  # two independent sigmoid units
    X, Y = rng.normal(size=(m, 3)), rng.integers(0, 2, (m, 2))
    Z = X @ net.get_parameters()["W1"].T + net.get_parameters()["b1"]
    A = 1 / (1 + np.exp(-Z))
    S = (1 - eps) * Y + eps / 2  # 0 → 0.1, 1 → 0.9
    J = -np.sum(S * np.log(A) + (1 - S) * np.log(1 - A)) / m
    assert net.cost(X, Y) == pytest.approx(J, rel=1e-13)
    dZ = net.gradients(X, Y, intermediates=True)["dZ1"]
    np.testing.assert_allclose(dZ, (A - S) / m, rtol=1e-12, atol=1e-15)
    plain = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
    assert net.evaluate(X, Y)["loss"] == pytest.approx(plain, rel=1e-12)


@pytest.mark.parametrize(("output", "k"), [("softmax", 4), ("sigmoid", 1), ("sigmoid", 3)])
def test_backprop_matches_finite_differences(output, k, rng):
    X = rng.normal(size=(8, 3))
    Y = rng.integers(0, k, 8) if output == "softmax" else rng.integers(0, 2, (8, k))
    net = nr.Network([3, 5, k], hidden="tanh", output=output, label_smoothing=0.15, seed=0)
    net.set_vector(rng.normal(size=net.n_parameters))
    backprop = flat_gradients(net, net.gradients(X, Y))
    assert relative_difference(finite_difference(net, X, Y), backprop) < 1e-7
    assert nr.gradcheck(net, X, Y).passed


def test_smoothed_cost_matches_torch(rng):
    torch = pytest.importorskip("torch")
    net = one_layer("softmax", 5, 0.1, rng, n_x=4)
    X, labels = rng.normal(size=(6, 4)), rng.integers(0, 5, 6)
    p = {k: torch.tensor(v, requires_grad=True) for k, v in net.get_parameters().items()}
    Z = torch.tensor(X) @ p["W1"].T + p["b1"]
    J = torch.nn.functional.cross_entropy(Z, torch.tensor(labels), label_smoothing=0.1)
    J.backward()
    assert net.cost(X, labels) == pytest.approx(float(J.detach()), rel=1e-13)
    grads = net.gradients(X, labels)
    np.testing.assert_allclose(grads["dW1"], p["W1"].grad.numpy(), rtol=1e-11)
    np.testing.assert_allclose(grads["db1"], p["b1"].grad.numpy(), rtol=1e-11)


def test_history_reports_unsmoothed_losses_and_float32_is_kept(rng):
    X, y = rng.normal(size=(60, 3)), rng.integers(0, 3, 60)
    nets = [
        nr.Network([3, 3], output="softmax", label_smoothing=eps, dtype="float32", seed=0)
        for eps in (0.0, 0.3)
    ]
    smoothed = nets[1]
    history = smoothed.fit(X, y, epochs=2, seed=0)
    nets[0].set_vector(smoothed.get_vector())
    assert history.train_loss[-1] == pytest.approx(nets[0].evaluate(X, y)["loss"], rel=1e-5)
    assert smoothed.predict_proba(X).dtype == np.float32
    assert smoothed.evaluate(X, y)["loss"] < smoothed.cost(X, y)  # J is smoothed, loss is not


def test_smoothing_survives_save_load_and_copy(rng, tmp_path):
    net = nr.Network([3, 4, 2], output="softmax", label_smoothing=0.1, seed=0)
    net.fit(rng.normal(size=(30, 3)), rng.integers(0, 2, 30), epochs=2)
    loaded = nr.load(net.save(tmp_path / "smooth"))
    assert loaded.label_smoothing == 0.1 and net.copy().label_smoothing == 0.1
    X = rng.normal(size=(5, 3))
    assert loaded.cost(X, [0, 1, 1, 0, 1]) == net.cost(X, [0, 1, 1, 0, 1])


@pytest.mark.parametrize("eps", [1.0, -0.1, 1.5, float("nan")])
def test_eps_outside_zero_one_names_the_argument(eps):
    with pytest.raises(ValueError, match=r"label_smoothing=.* must be in \[0, 1\)"):
        nr.Network([2, 2], output="softmax", label_smoothing=eps)


def test_regression_refuses_smoothing_and_non_numbers_are_type_errors():
    with pytest.raises(ValueError, match="cross-entropy losses only.*mean_squared_error"):
        nr.Network([2, 1], output="linear", label_smoothing=0.1)
    assert nr.Network([2, 1], output="linear", label_smoothing=0).label_smoothing == 0
    for bad in (True, "0.1", None):
        with pytest.raises(TypeError, match="label_smoothing must be a number"):
            nr.Network([2, 1], label_smoothing=bad)
