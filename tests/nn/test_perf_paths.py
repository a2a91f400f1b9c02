"""The optimized training path computes exactly what the textbook path computes.

``fit`` runs every step through a preallocated :class:`nnrecipe.nn.workspace.Workspace` and a
pass-fused Adam; inference runs in chunks. Each test here compares one of these against a
straightforward reference (fresh arrays, the textbook formula, finite differences), in
float64 and float32.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

import nnrecipe as nr
from nnrecipe.nn import activations, dropout, inference, losses
from nnrecipe.nn._fast import row_max, row_sum
from nnrecipe.train import fused, optimizers

DTYPES = ["float64", "float32"]
TOL = {"float64": 1e-12, "float32": 1e-5}

# (sizes, hidden, output, l2, l1, keep_prob): every branch of forward/backward
CASES = {
    "relu-softmax-l2-dropout": ([5, 7, 6, 4], "relu", "softmax", 0.3, 0.0, [0.8, 0.6]),
    "tanh-sigmoid-l1-dropout": ([5, 6, 3], "tanh", "sigmoid", 0.0, 0.2, 0.7),
    "sigmoid-linear-both": ([4, 6, 5, 2], "sigmoid", "linear", 0.1, 0.05, 1.0),
    "leaky-sigmoid-2out": ([3, 8, 2], "leaky_relu", "sigmoid", 0.0, 0.0, 0.9),
}


def _data(sizes, output, m, dtype, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, sizes[0])).astype(dtype)
    if output == "softmax":
        y = rng.integers(0, sizes[-1], m)
    elif output == "sigmoid":
        y = rng.integers(0, 2, (m, sizes[-1])) if sizes[-1] > 1 else rng.integers(0, 2, m)
    else:
        y = rng.standard_normal((m, sizes[-1])).astype(dtype)
    return X, y


def _net(case, dtype, seed=1):
    sizes, hidden, output, l2, l1, keep = CASES[case]
    return nr.Network(
        sizes, hidden=hidden, output=output, l2=l2, l1=l1, keep_prob=keep, dtype=dtype, seed=seed
    )


def _workspace(net, rows):
    return net.workspace(rows)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("m", [9, 6])  # the full workspace, and a smaller last batch in it
def test_buffered_step_equals_fresh_step(case, dtype, m):
    net = _net(case, dtype)
    X, y = _data(net.layer_sizes, net.output, 9, dtype)
    X, Y = net.prepare_inputs(X[:m]), net.prepare_targets(y[:m], m)

    J_ref = net.loss_and_gradient(X, Y, True, np.random.default_rng(5))
    grad_ref = net.dtheta.copy()
    caches_ref = [
        (layer.Z.copy(), layer.A.copy(), None if layer.D is None else layer.D.copy())
        for layer in net.layers
    ]

    net.dtheta[...] = np.nan  # every entry must be rewritten by the buffered step
    buffers = _workspace(net, rows=9).views(m)
    J = net.loss_and_gradient(X, Y, True, np.random.default_rng(5), buffers)

    assert isinstance(J, float)
    np.testing.assert_allclose(J, J_ref, rtol=TOL[dtype])
    np.testing.assert_allclose(net.dtheta, grad_ref, rtol=TOL[dtype], atol=TOL[dtype])
    assert net.dtheta.dtype == np.dtype(dtype)
    for layer, buf, (Z, A, D) in zip(net.layers, buffers, caches_ref, strict=True):
        assert layer.Z is buf.Z or np.shares_memory(layer.Z, buf.Z)  # really in the workspace
        np.testing.assert_allclose(layer.Z, Z, rtol=TOL[dtype])
        np.testing.assert_allclose(layer.A, A, rtol=TOL[dtype])
        if D is None:
            assert layer.D is None
        else:
            assert layer.D.dtype == bool
            np.testing.assert_array_equal(layer.D, D)


@pytest.mark.parametrize("case", sorted(CASES))
def test_buffered_gradient_matches_finite_differences(case):
    """Backprop through the workspace against central differences of J, in float64 (random
    biases: with zero ones, an example whose units below are all dropped puts Z exactly on
    ReLU's kink, where central differences average the two one-sided slopes)."""
    net = _net(case, "float64")
    params = net.get_parameters()
    bias_rng = np.random.default_rng(4)
    for key in [k for k in params if k.startswith("b")]:
        params[key] = bias_rng.normal(0.0, 0.5, params[key].shape)
    net.set_parameters(params)
    X, y = _data(net.layer_sizes, net.output, 8, "float64", seed=2)
    X, Y = net.prepare_inputs(X), net.prepare_targets(y, 8)
    buffers = _workspace(net, rows=8).views(8)
    net.loss_and_gradient(X, Y, True, np.random.default_rng(3), buffers)
    grad = net.dtheta.copy()

    theta, eps = net.get_vector(), 1e-7
    numeric = np.empty_like(theta)
    for i in range(theta.size):
        values = []
        for sign in (1.0, -1.0):
            shifted = theta.copy()
            shifted[i] += sign * eps
            net.set_vector(shifted)
            # the same seed replays the same dropout masks
            values.append(net.compute_cost(X, Y, True, np.random.default_rng(3), buffers))
        numeric[i] = (values[0] - values[1]) / (2 * eps)
    net.set_vector(theta)
    diff = np.linalg.norm(grad - numeric) / (np.linalg.norm(grad) + np.linalg.norm(numeric))
    assert diff < 1e-7


def _textbook_adam(state, theta, g, lr, t, b1=0.9, b2=0.999, eps=1e-8):
    state["v"] = b1 * state["v"] + (1 - b1) * g
    state["s"] = b2 * state["s"] + (1 - b2) * g**2
    v_hat = state["v"] / (1 - b1**t)
    s_hat = state["s"] / (1 - b2**t)
    return theta - lr * v_hat / (np.sqrt(s_hat) + eps)


@pytest.fixture(params=["numpy", "numba"])
def adam_path(request):
    """Adam's ``fused`` argument for each implementation (Numba only where installed)."""
    if request.param == "numba":
        pytest.importorskip("numba")
        if fused.adam_kernel() is None:
            pytest.skip("the Numba kernel is switched off (NNRECIPE_NUMBA=0)")
        return True
    return False


@pytest.mark.parametrize("dtype", DTYPES)
def test_adam_matches_textbook_formula(dtype, adam_path):
    rng = np.random.default_rng(0)
    theta = rng.standard_normal(50).astype(dtype)
    ref = theta.astype(np.float64)
    state = {"v": np.zeros(50), "s": np.zeros(50)}
    opt = optimizers.Adam(learning_rate=0.01, fused=adam_path)
    params = {"theta": theta}
    opt.init(params)
    for t in range(1, 30):
        g = (rng.standard_normal(50) * 10.0 ** rng.integers(-4, 2)).astype(dtype)
        opt.update(params, {"dtheta": g})
        ref = _textbook_adam(state, ref, g.astype(np.float64), 0.01, t)
    assert theta.dtype == np.dtype(dtype) and opt.v["theta"].dtype == np.dtype(dtype)
    np.testing.assert_allclose(theta, ref, rtol=TOL[dtype], atol=TOL[dtype])
    np.testing.assert_allclose(opt.v["theta"], state["v"], rtol=1e-4, atol=TOL[dtype])
    np.testing.assert_allclose(opt.s["theta"], state["s"], rtol=1e-4, atol=TOL[dtype] ** 2)


def test_fused_loop_is_the_numpy_update():
    """The kernel's plain-Python source (what Numba compiles) against the NumPy passes."""
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal(40) for _ in range(2)] + [np.zeros(40), np.zeros(40)]
    theta, g, u, r = (a.copy() for a in arrays)
    opt = optimizers.Adam(learning_rate=0.05, fused=False)
    params = {"theta": arrays[0]}
    opt.init(params)
    for t in range(1, 6):
        opt.update(params, {"dtheta": g})
        # u = v/(1-β₁), r = s/(1-β₂): the (1-β) factors move into step and ε'
        root = np.sqrt((1 - 0.999**t) / 0.001)
        fused.adam_loop(theta, g, u, r, 0.9, 0.999, 0.05 * 0.1 * root / (1 - 0.9**t), 1e-8 * root)
    np.testing.assert_allclose(theta, params["theta"], rtol=1e-13)
    np.testing.assert_allclose(r, opt.r["theta"], rtol=1e-13)
    np.testing.assert_allclose(0.001 * r, opt.s["theta"], rtol=1e-13)


def test_numba_can_be_switched_off(monkeypatch):
    monkeypatch.setenv("NNRECIPE_NUMBA", "0")
    monkeypatch.setattr(fused, "_compiled", {})
    assert fused.adam_kernel() is None
    with pytest.raises(ImportError, match="pip install numba"):
        optimizers.Adam(fused=True).init({"theta": np.zeros(3)})
    with pytest.raises(TypeError, match="fused must be"):
        optimizers.Adam(fused="yes")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", ["relu-softmax-l2-dropout", "sigmoid-linear-both"])
def test_fit_matches_a_reference_loop(case, dtype, adam_path):
    """``fit`` (workspace, np.take batches, fused Adam) against a plain loop over the public
    ``gradients`` and the textbook Adam, with the same shuffles and dropout masks."""
    X, y = _data(CASES[case][0], CASES[case][2], 50, dtype, seed=4)
    net = _net(case, dtype)
    ref_net = net.copy()
    adam = optimizers.Adam(learning_rate=0.01, fused=adam_path)
    history = net.fit(X, y, optimizer=adam, batch_size=16, epochs=3, seed=7)

    rng = np.random.default_rng(7)
    theta = ref_net.get_vector().astype(np.float64)
    state = {"v": np.zeros_like(theta), "s": np.zeros_like(theta)}
    t, costs = 0, []
    for _ in range(3):
        order = rng.permutation(len(X))
        for s in range(0, len(X), 16):
            idx = order[s : s + 16]
            # J and dθ draw the same dropout masks: J from a copy of the generator's state
            costs.append(ref_net.cost(X[idx], y[idx], training=True, rng=copy.deepcopy(rng)))
            grads = ref_net.gradients(X[idx], y[idx], training=True, rng=rng)
            g = np.concatenate([grads["d" + k].ravel() for k in ref_net.parameter_shapes()])
            t += 1
            theta = _textbook_adam(state, theta, g.astype(np.float64), 0.01, t)
            ref_net.set_vector(theta.astype(dtype))
    tol = 1e-9 if dtype == "float64" else 2e-4
    np.testing.assert_allclose(net.get_vector(), ref_net.get_vector(), rtol=tol, atol=tol)
    np.testing.assert_allclose(history.iteration_cost, costs, rtol=tol)
    assert net.get_vector().dtype == np.dtype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", sorted(CASES))
def test_chunked_inference_equals_one_pass_and_returns_fresh_arrays(case, dtype, monkeypatch):
    net = _net(case, dtype)
    X, y = _data(net.layer_sizes, net.output, 600, dtype, seed=3)
    A_one = net.forward(X)  # one pass over all 600 rows
    monkeypatch.setattr(inference, "INFERENCE_CHUNK_BYTES", 1)  # chunks of 256 rows
    A = net.predict_proba(X)  # 256 + 256 + 88 rows
    np.testing.assert_allclose(A, A_one, rtol=TOL[dtype], atol=TOL[dtype])
    assert A.dtype == np.dtype(dtype)
    A2 = net.predict_proba(X)
    np.testing.assert_array_equal(A2, A)
    assert not np.shares_memory(A, A2) and not np.shares_memory(A, A_one)
    assert all(layer.Z is None and layer.A is None for layer in net.layers)  # caches cleared
    loss, error = net.measure(net.prepare_inputs(X), net.prepare_targets(y, 600))
    assert error == pytest.approx(net.evaluate(X, y)["error"])


def test_public_methods_return_fresh_arrays():
    net = _net("relu-softmax-l2-dropout", "float64")
    X, y = _data(net.layer_sizes, "softmax", 12, "float64")
    A1 = net.forward(X)
    A2 = net.forward(X[::-1])
    assert not np.shares_memory(A1, A2)
    g1 = net.gradients(X, y)
    g2 = net.gradients(X[:6], y[:6])
    assert not np.shares_memory(g1["dW1"], g2["dW1"])
    assert not np.allclose(g1["dW1"], g2["dW1"])


def test_preallocated_dropout_draws_the_same_stream():
    D = np.empty((4, 5), bool)
    into = dropout.draw_mask((4, 5), 0.6, np.random.default_rng(9), out=D)
    fresh = dropout.draw_mask((4, 5), 0.6, np.random.default_rng(9))
    assert into is D
    np.testing.assert_array_equal(into, fresh)


def test_workspace_allocates_in_the_network_dtype_and_rejects_oversized_batches():
    net = _net("relu-softmax-l2-dropout", "float32")
    ws = _workspace(net, rows=8)
    for buf in ws.views(8):
        assert buf.Z.dtype == buf.A.dtype == np.float32
    assert ws.views(8)[0].D.dtype == bool and ws.views(8)[-1].D is None
    assert ws.views(3)[0].Z.shape == (3, 7) and ws.views(3) is ws.views(3)
    with pytest.raises(ValueError, match="cannot hold a batch of 9"):
        ws.views(9)


@pytest.mark.parametrize("dtype", DTYPES)
def test_categorical_crossentropy_value_is_exact_and_stable(dtype):
    """The fused-sum form equals -Σ y log softmax(z) / m, for one-hot and soft targets, with
    logits far beyond exp's range, and keeps a float32 loss near 0 accurate."""
    loss = losses.get("categorical_crossentropy")
    rng = np.random.default_rng(0)
    Z = rng.standard_normal((7, 4)) * 3
    Z[0] = [1000.0, -1000.0, 0.0, 999.0]  # naive exp overflows
    Y = np.eye(4)[rng.integers(0, 4, 7)]
    Y[1] = [0.25, 0.25, 0.5, 0.0]  # a soft target
    log_softmax = Z - Z.max(axis=1, keepdims=True)
    log_softmax -= np.log(np.exp(log_softmax).sum(axis=1, keepdims=True))
    expected = -(Y * log_softmax).sum() / 7
    got = loss.value(Z.astype(dtype), None, Y.astype(dtype))
    np.testing.assert_allclose(got, expected, rtol=1e-12 if dtype == "float64" else 1e-6)

    # confident and right, ℓ_i = log(1 + e^-13 + e^-12) ≈ 8.4e-6: what is left is log(1 + x)'s
    # own rounding (float32: ~1e-7 / 8.4e-6); computing lse_i - y·z_i would lose about 10%
    Z = np.tile([[20.0, 7.0, 8.0]], (4000, 1))
    Y = np.tile([[1.0, 0.0, 0.0]], (4000, 1))
    exact = np.log1p(np.exp(-13.0) + np.exp(-12.0))
    got = loss.value(Z.astype(dtype), None, Y.astype(dtype))
    np.testing.assert_allclose(got, exact, rtol=1e-9 if dtype == "float64" else 1e-2)


@pytest.mark.parametrize("dtype", DTYPES)
def test_row_max_and_row_sum_equal_numpys_reductions(dtype):
    rng = np.random.default_rng(0)
    Z = rng.standard_normal((50, 10)).astype(dtype) * 30
    Z[3] = 7.0  # ties
    Z[4, 2] = np.inf
    Z[5, 6] = np.nan
    expected = Z.max(axis=1, keepdims=True)
    np.testing.assert_array_equal(row_max(Z), expected)  # exact, NaN and inf included
    E = np.abs(Z[6:])
    np.testing.assert_allclose(row_sum(E), E.sum(axis=1, keepdims=True), rtol=TOL[dtype])
    A = activations.softmax(Z[6:])
    np.testing.assert_allclose(A.sum(axis=1), 1.0, rtol=TOL[dtype])
    assert A.dtype == np.dtype(dtype)


@pytest.mark.parametrize("keep_prob", [0.8, 0.6])
def test_dropout_mask_as_numbers_equals_the_boolean_mask(keep_prob):
    """The step multiplies by M = D / keep_prob (made once in forward, reused by backward);
    the gradients equal, to the last bit, backprop with the boolean D applied as
    dA * D / keep_prob (a cache handed to ``Network.backward`` carries D only)."""
    net = nr.Network(
        [6, 9, 7, 3], output="softmax", keep_prob=keep_prob, l2=0.2, dtype="float32", seed=3
    )
    X, y = _data(net.layer_sizes, "softmax", 11, "float32", seed=4)
    X, Y = net.prepare_inputs(X), net.prepare_targets(y, 11)
    net.loss_and_gradient(X, Y, True, np.random.default_rng(5), net.workspace(11).views(11))
    fast = net.dtheta.copy()
    for layer in net.layers[:-1]:
        assert layer.M.dtype == np.float32
        np.testing.assert_array_equal(layer.M, layer.D * np.float32(1.0 / keep_prob))
    assert net.layers[-1].M is None  # never on the output layer
    _, cache = net.forward_with_cache(X, training=True, rng=np.random.default_rng(5))
    grads = net.backward(cache, Y)
    readable = np.concatenate([grads["d" + k].ravel() for k in net.parameter_views()])
    np.testing.assert_array_equal(fast, readable)
