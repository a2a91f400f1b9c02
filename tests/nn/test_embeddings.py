"""Numeric embeddings: finite differences, torch autograd, hand values, bins, files, float32."""

import pickle

import numpy as np
import pytest
from conftest import finite_difference, flat_gradients, relative_difference

import nnrecipe as nr
from nnrecipe.nn import embeddings


def random_network(kind, rng, sizes=(3, 5, 2), output="softmax", **kwargs):
    net = nr.Network(list(sizes), hidden="tanh", output=output, embeddings=kind, seed=1, **kwargs)
    # random biases (and phases) keep every pre-activation away from a kink
    params = net.get_parameters()
    params.update({k: rng.normal(size=v.shape) for k, v in params.items() if k[0] in "bE"})
    if kind == "periodic":
        params["E_freq"] = rng.normal(scale=0.5, size=params["E_freq"].shape)
    net.set_parameters(params)
    return net


@pytest.mark.parametrize("kind", ["periodic", "piecewise"])
@pytest.mark.parametrize(("output", "k"), [("softmax", 3), ("sigmoid", 1), ("linear", 2)])
def test_backprop_matches_finite_differences_over_every_parameter(kind, output, k, rng):
    X = rng.normal(size=(7, 3))
    Y = rng.integers(0, k, 7) if output == "softmax" else rng.normal(size=(7, k))
    Y = (Y > 0).astype(float) if output == "sigmoid" else Y
    net = random_network(kind, rng, (3, 4, k), output, l2=0.2)
    if kind == "piecewise":
        net.fit(rng.normal(size=(50, 3)), Y[:1].repeat(50, axis=0), epochs=1, optimizer="gd")
    backprop = flat_gradients(net, net.gradients(X, Y))
    assert relative_difference(finite_difference(net, X, Y), backprop) < 1e-7
    # the public check too (its exact evaluator: J whole, so a larger ε beats rounding)
    result = nr.gradcheck(net, X, Y, epsilon=1e-5)
    assert result.passed and set(result.per_parameter) == set(net.parameter_shapes())


def test_periodic_parameters_are_named_blocks_of_theta(rng):
    net = nr.Network([4, 6, 1], embeddings="periodic", seed=0)
    k, d = embeddings.FREQUENCIES, embeddings.DIMENSIONS
    shapes = net.parameter_shapes()
    assert list(shapes)[:4] == ["E_freq", "E_phase", "E_W", "E_b"]
    assert shapes["E_W"] == (4, k, d) and shapes["W1"] == (6, 4 * (1 + d))
    assert net.n_parameters == sum(int(np.prod(s)) for s in shapes.values())
    views = net.parameter_views()
    assert np.shares_memory(views["E_freq"], net.theta)
    theta = rng.normal(size=net.n_parameters)
    net.set_vector(theta)
    np.testing.assert_array_equal(net.get_parameters()["E_phase"], views["E_phase"])
    assert "dE_W" in net.gradients(rng.normal(size=(5, 4)), [0, 1, 0, 1, 1])
    # initialization: frequencies N(0, σ²), phases in (−π, π)
    big = nr.Network([200, 3, 1], embeddings="periodic", seed=0).get_parameters()
    assert np.std(big["E_freq"]) == pytest.approx(embeddings.SIGMA, rel=0.05)
    assert np.abs(big["E_phase"]).max() <= np.pi


def test_periodic_forward_by_hand(rng):
    net = nr.Network([2, 3, 1], embeddings="periodic", seed=0)
    X = rng.normal(size=(4, 2))
    p = net.get_parameters()
    out = net.embedding.forward(X).reshape(4, 2, -1)
    np.testing.assert_array_equal(out[:, :, 0], X)
    j, i = 1, 2  # feature 1 of example 2: cos(2π F_j x + P_j) @ L_j + c_j
    expected = np.cos(2 * np.pi * p["E_freq"][j] * X[i, j] + p["E_phase"][j]) @ p["E_W"][j]
    np.testing.assert_allclose(out[i, j, 1:], expected + p["E_b"][j], rtol=1e-12)


def test_periodic_gradients_match_torch_autograd(rng):
    torch = pytest.importorskip("torch")
    X, labels = rng.normal(size=(6, 3)), rng.integers(0, 3, 6)
    net = random_network("periodic", rng, (3, 4, 3), l2=0.1)
    grads = net.gradients(X, labels)
    p = {k: torch.tensor(v, requires_grad=True) for k, v in net.get_parameters().items()}
    x = torch.tensor(X)
    U = 2 * torch.pi * x[:, :, None] * p["E_freq"][None] + p["E_phase"][None]  # (m, n, k)
    E = torch.einsum("mjk,jkd->mjd", torch.cos(U), p["E_W"]) + p["E_b"][None]
    A0 = torch.cat([x[:, :, None], E], dim=2).reshape(6, -1)
    A1 = torch.tanh(A0 @ p["W1"].T + p["b1"])
    Z2 = A1 @ p["W2"].T + p["b2"]
    J = torch.nn.functional.cross_entropy(Z2, torch.tensor(labels))
    J = J + 0.1 / (2 * 6) * sum((p[w] ** 2).sum() for w in ("W1", "W2"))
    J.backward()
    assert float(J.detach()) == pytest.approx(net.cost(X, labels), rel=1e-12)
    for key, tensor in p.items():
        np.testing.assert_allclose(grads["d" + key], tensor.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_piecewise_bins_by_hand_and_fitted_on_training_rows_only(rng):
    X = np.arange(17.0)[:, None] * [1.0, 0.0]  # column 0: 0..16; column 1 constant
    y = rng.integers(0, 2, 17)
    net = nr.Network([2, 3, 1], embeddings="piecewise", seed=0)
    net.fit(X, y, dev=(X * 100 + 5, y), epochs=1)  # dev rows never move the bins
    edges = net.embedding.edges_
    np.testing.assert_array_equal(edges[0], np.arange(17.0))  # the quantiles t/16 of 0..16
    np.testing.assert_array_equal(edges[1], np.zeros(17))
    code = net.embedding.forward(np.array([[2.5, 3.0], [-1.0, 0.0], [99.0, 0.0]])).reshape(3, 2, -1)
    np.testing.assert_array_equal(code[0, 0], [2.5, 1, 1, 0.5] + [0] * 13)  # x, then bins
    np.testing.assert_array_equal(code[1, 0], [-1.0] + [0] * 16)
    np.testing.assert_array_equal(code[2, 0], [99.0] + [1] * 16)
    np.testing.assert_array_equal(code[:, 1, 1:], 0)  # empty bins of a constant column: 0
    net.fit(X * 7, y, epochs=1)  # a second fit keeps the first fit's bins
    np.testing.assert_array_equal(net.embedding.edges_, edges)


def test_piecewise_bins_are_fitted_on_the_scaled_rows(rng):
    X, y = rng.normal(size=(300, 2)) * 50 + 10, rng.integers(0, 2, 300)
    net = nr.Network([2, 3, 1], embeddings="piecewise", standardize="robust", seed=0)
    net.fit(X, y, epochs=1)
    scaled = net.standardizer.transform(X)
    q = np.quantile(scaled, np.linspace(0, 1, embeddings.BINS + 1), axis=0).T
    np.testing.assert_allclose(net.embedding.edges_, q, rtol=1e-12)


def test_piecewise_before_fit_is_refused():
    net = nr.Network([2, 3, 1], embeddings="piecewise", seed=0)
    with pytest.raises(ValueError, match="no bins yet: fit the network first"):
        net.predict(np.zeros((2, 2)))


@pytest.mark.parametrize("kind", ["periodic", "piecewise"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_save_load_pickle_and_copy_predict_identically(kind, dtype, rng, tmp_path):
    X, y = rng.normal(size=(120, 3)), rng.integers(0, 3, 120)
    net = nr.Network([3, 8, 3], output="softmax", embeddings=kind, dtype=dtype, seed=0)
    net.fit(X, y, epochs=3, batch_size=32)
    expected = net.predict_proba(X)
    assert expected.dtype == dtype and net.theta.dtype == dtype
    assert net.embedding.forward(X.astype(dtype)).dtype == dtype
    loaded = nr.load(net.save(tmp_path / "net"))
    assert loaded.config()["embeddings"] == kind
    for other in (loaded, pickle.loads(pickle.dumps(net)), net.copy()):
        np.testing.assert_array_equal(other.predict_proba(X), expected)
    np.testing.assert_allclose(net.copy("float64").predict_proba(X), expected, rtol=1e-4)


def test_damaged_bins_in_a_file_are_refused(rng, tmp_path):
    net = nr.Network([2, 3, 1], embeddings="piecewise", seed=0)
    net.fit(rng.normal(size=(40, 2)), rng.integers(0, 2, 40), epochs=1)
    path = net.save(tmp_path / "net")
    with np.load(path) as f:
        arrays = dict(f)
    arrays["embedding_edges"] = arrays["embedding_edges"][:, ::-1].copy()
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ValueError, match="bad.npz.*edges must be finite and nondecreasing"):
        nr.load(tmp_path / "bad.npz")


def test_forward_with_cache_and_backward_cover_the_embedding(rng):
    X, labels = rng.normal(size=(5, 3)), rng.integers(0, 2, 5)
    net = random_network("periodic", rng)
    A, cache = net.forward_with_cache(X)
    assert cache[0]["A_prev"].shape == (5, net.input_width)
    grads = net.backward(cache, labels)
    for key, value in net.gradients(X, labels).items():
        np.testing.assert_allclose(grads[key], value, rtol=1e-12)
    del cache[0]["X"]
    with pytest.raises(ValueError, match="cache\\[0\\] needs 'X'"):
        net.backward(cache, labels)


def test_embeddings_train_better_than_plain_on_a_wiggly_target(rng):
    X = rng.uniform(-2, 2, size=(600, 2))
    y = (np.sin(4 * X[:, 0]) > 0).astype(int)  # eight stripes: hard for a small plain MLP
    errors = {}
    for kind in (None, "periodic", "piecewise"):
        net = nr.Network([2, 16, 1], embeddings=kind, standardize=True, seed=0)
        net.fit(X[:400], y[:400], epochs=60, learning_rate=0.01, seed=0)
        errors[kind] = net.evaluate(X[400:], y[400:])["error"]
    assert errors["periodic"] < errors[None] - 0.1
    assert errors["piecewise"] < errors[None] - 0.1


@pytest.mark.parametrize("value", ["fourier", "Periodic", True, 1])
def test_unknown_embeddings_name_the_argument(value):
    with pytest.raises(ValueError, match=r"embeddings=.*'periodic'.*'piecewise'"):
        nr.Network([2, 3, 1], embeddings=value)


def test_image_augmentation_refuses_embeddings(rng):
    net = nr.Network([16, 3, 1], embeddings="periodic", seed=0)
    with pytest.raises(ValueError, match=r"embeddings='periodic' is for tables.*augment="):
        net.fit(rng.random((10, 16)), rng.integers(0, 2, 10), epochs=1, augment=lambda b, r: b)


@pytest.mark.parametrize("kind", ["periodic", "piecewise"])
def test_inference_in_chunks_gives_the_one_pass_numbers(kind, rng):
    from nnrecipe.nn import inference

    X, y = rng.normal(size=(50, 3)), rng.integers(0, 2, 50)
    net = nr.Network([3, 4, 1], embeddings=kind, standardize=True, seed=0)
    net.fit(X, y, epochs=1)
    Xp = net.prepare_inputs(X)
    whole, chunked = inference.outputs(net, Xp, batch=50), inference.outputs(net, Xp, batch=7)
    np.testing.assert_allclose(chunked[1], whole[1], rtol=1e-14)


def test_bins_of_many_rows_come_from_evenly_spaced_rows(monkeypatch, rng):
    monkeypatch.setattr(embeddings, "SAMPLE_ROWS", 101)
    X = rng.normal(size=(1000, 2))
    piecewise = embeddings.Piecewise(2).fit(X)
    idx = np.linspace(0, 999, 101).round().astype(int)
    q = np.quantile(X[idx], np.linspace(0, 1, embeddings.BINS + 1), axis=0).T
    np.testing.assert_array_equal(piecewise.edges_, q)
