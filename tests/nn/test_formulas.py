"""The formulas by value: losses, penalties, dropout, initializers, activations."""

import warnings

import numpy as np
import pytest

import nnrecipe as nr
from nnrecipe.nn import _fast, activations, dropout, initializers, losses, regularizers


def test_l2_and_l1_terms_by_hand():
    W1 = np.array([[1.0, -2.0], [0.5, 0.0]])
    W2 = np.array([[3.0, -1.0]])
    # ‖W1‖² = 1 + 4 + 0.25 = 5.25, ‖W2‖² = 10; Σ|W| = 3.5 + 4 = 7.5; m = 5
    assert regularizers.penalty([W1, W2], m=5, l2=0.7) == pytest.approx(0.7 / 10 * 15.25)
    assert regularizers.penalty([W1, W2], m=5, l1=0.2) == pytest.approx(0.2 / 5 * 7.5)
    dW = np.zeros_like(W1)
    regularizers.add_gradient(W1, dW, m=5, l1=1.0)
    np.testing.assert_array_equal(dW, np.array([[0.2, -0.2], [0.2, 0.0]]))  # sign(0) = 0


def test_cost_is_data_loss_plus_penalty_with_biases_unpenalized():
    net = nr.Network([2, 2, 1], output="sigmoid", l2=1.0, seed=0)
    net.set_parameters(
        {"W1": [[1.0, 0.0], [0.0, 1.0]], "b1": [[5.0], [5.0]], "W2": [[1.0, -1.0]], "b2": [0.0]}
    )
    X, y = np.array([[0.0, 0.0], [1.0, 2.0]]), np.array([1, 0])
    # z2 = relu(x + 5)·[1, -1] = x1 - x2 → z = [0, -1]
    z = np.array([0.0, -1.0])
    a = 1 / (1 + np.exp(-z))
    data = -np.mean(y * np.log(a) + (1 - y) * np.log(1 - a))
    penalty = 1.0 / (2 * 2) * (2 + 2)  # ‖W1‖² = 2, ‖W2‖² = 2; biases (5, 5) not counted
    assert net.cost(X, y) == pytest.approx(data + penalty, rel=1e-12)
    assert net.evaluate(X, y)["loss"] == pytest.approx(data, rel=1e-12)


def test_categorical_cross_entropy_and_mse_by_hand():
    Z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    Y = np.array([[0, 0, 1], [1, 0, 0]], dtype=float)
    A = activations.softmax(Z)
    expected = -np.mean(np.log(A[[0, 1], [2, 0]]))
    cce = losses.get("categorical_crossentropy")
    assert cce.value(Z, A, Y) == pytest.approx(expected, rel=1e-14)
    mse = losses.get("mse")
    A2, Y2 = np.array([[1.0], [3.0]]), np.array([[0.0], [1.0]])
    assert mse.value(A2, A2, Y2) == pytest.approx(0.5 * (1 + 4) / 2)


@pytest.mark.parametrize("z", [800.0, -800.0, 1e5])
def test_losses_are_stable_for_huge_logits(z):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Z = np.array([[z]])
        A = activations.sigmoid(Z)
        bce = losses.get("binary_crossentropy")
        right = bce.value(Z, A, np.array([[1.0 if z > 0 else 0.0]]))
        wrong = bce.value(Z, A, np.array([[0.0 if z > 0 else 1.0]]))
        assert right == pytest.approx(0.0, abs=1e-300)
        assert wrong == pytest.approx(abs(z))  # -log σ(-|z|) ≈ |z|, not inf
        Zs = np.array([[z, 0.0, -z]])
        value = losses.get("cce").value(Zs, activations.softmax(Zs), np.array([[0.0, 0, 1]]))
        # logsumexp(z, 0, -z) - (-z) = |z| + z up to e^{-|z|}
        assert value == pytest.approx(abs(z) + z, rel=1e-12, abs=1e-300)


@pytest.mark.parametrize(
    "name,z,value,slope",
    [
        ("relu", [-2.0, 3.0], [0.0, 3.0], [0.0, 1.0]),
        ("leaky_relu", [-2.0, 3.0], [-0.02, 3.0], [0.01, 1.0]),
        ("tanh", [0.5], [np.tanh(0.5)], [1 - np.tanh(0.5) ** 2]),
        (
            "sigmoid",
            [0.0, 2.0],
            [0.5, 1 / (1 + np.exp(-2))],
            [0.25, np.exp(-2) / (1 + np.exp(-2)) ** 2],
        ),
        ("linear", [-1.5], [-1.5], [1.0]),
    ],
)
def test_activations_and_derivatives_by_value(name, z, value, slope):
    act = activations.get(name)
    Z = np.array([z])
    A = act.forward(Z)
    np.testing.assert_allclose(A, [value], rtol=1e-14)
    np.testing.assert_allclose(act.backward(np.ones_like(Z), Z, A), [slope], rtol=1e-12)


def test_dropout_zero_fraction_and_inverted_scaling(rng):
    A = np.ones((400, 500))
    D = dropout.draw_mask(A.shape, 0.8, rng)
    assert D.dtype == np.bool_
    out = dropout.apply_mask(A.copy(), D, 0.8)
    assert np.mean(out == 0) == pytest.approx(0.2, abs=0.005)
    assert set(np.unique(out)) == {0.0, 1.25}
    assert out.mean() == pytest.approx(1.0, abs=0.01)  # expected activation unchanged


def test_dropout_threshold_by_hand():
    # K/2³² < p  ⇔  K ≤ ⌈p·2³²⌉ - 1
    assert _fast.keep_threshold(0.5) == 2**31 - 1
    assert _fast.keep_threshold(0.25) == 2**30 - 1
    assert _fast.keep_threshold(1.0) == 2**32 - 1
    assert _fast.keep_threshold(0.8) == 3435973836  # ⌈0.8·2³²⌉ = ⌈3435973836.8⌉


@pytest.mark.parametrize("bit_generator", [np.random.PCG64, np.random.MT19937, np.random.Philox])
def test_dropout_mask_is_u_below_keep_prob(bit_generator):
    """D is U < keep_prob for U = K/2³², K = 2¹⁶ K_hi + K_lo: the high halves decide all but the
    ties, whatever bit generator draws them (MT19937's raw outputs hold 32 bits, so it takes
    the general path)."""
    shape, keep_prob = (301, 399), 0.3  # an odd count uses part of the last 64-bit draw
    t_hi = _fast.keep_threshold(keep_prob) >> 16
    D = dropout.draw_mask(shape, keep_prob, np.random.Generator(bit_generator(5)))
    k_hi = _fast.uniform_uint16(np.random.Generator(bit_generator(5)), shape)
    assert k_hi.dtype == np.uint16 and k_hi.shape == shape
    assert D[k_hi < t_hi].all() and not D[k_hi > t_hi].any()
    # every one of the 16 bits is a fair coin (a broken split of the 64-bit draws shows here)
    bits = (k_hi.reshape(-1, 1) >> np.arange(16, dtype=np.uint16)) & 1
    assert np.all(np.abs(bits.mean(axis=0) - 0.5) < 0.01)
    assert D.mean() == pytest.approx(keep_prob, abs=4 * np.sqrt(0.21 / D.size))


def test_dropout_ties_are_decided_by_the_low_bits():
    # keep_prob = (40000 + 1/2)/2¹⁶: T = 40000·2¹⁶ + 2¹⁵ - 1, so a unit whose high half is
    # 40000 is kept exactly when its low half is below 2¹⁵
    keep_prob, shape = 40000.5 / 2**16, (1000, 1000)
    assert divmod(_fast.keep_threshold(keep_prob), 2**16) == (40000, 2**15 - 1)
    D = dropout.draw_mask(shape, keep_prob, np.random.default_rng(2))
    replay = np.random.default_rng(2)
    k_hi = _fast.uniform_uint16(replay, shape)
    ties = np.flatnonzero(k_hi == 40000)
    k_lo = _fast.uniform_uint16(replay, ties.shape)
    assert ties.size >= 5  # about 10^6 / 65536 ≈ 15 expected
    np.testing.assert_array_equal(D.flat[ties], k_lo < 2**15)
    # the whole mask is U < keep_prob for U = K/2³² (K's low half matters only at the ties)
    K = k_hi.astype(np.uint64) << 16
    K.flat[ties] += k_lo
    np.testing.assert_array_equal(D, K / 2**32 < keep_prob)


def test_dropout_is_off_in_predict_and_never_on_input_or_output(rng):
    X = rng.normal(size=(50, 3))
    net = nr.Network([3, 10, 1], keep_prob=0.5, seed=0)
    np.testing.assert_array_equal(net.forward(X), net.forward(X))
    out = net.forward(X, training=True, rng=1)
    assert np.all((out > 0) & (out < 1))  # the output layer is never dropped


def test_keep_prob_one_draws_no_random_numbers(rng):
    X, y = rng.normal(size=(30, 3)), rng.integers(0, 2, 30)
    gen = np.random.default_rng(5)
    before = gen.bit_generator.state
    net = nr.Network([3, 4, 1], keep_prob=1.0, seed=0)
    net.forward(X, training=True, rng=gen)
    net.gradients(X, y, training=True, rng=gen)
    assert gen.bit_generator.state == before


@pytest.mark.parametrize(
    "init,expected_var",
    [("xavier", 1 / 400), ("glorot", 2 / (400 + 300)), ("he", 2 / 400), ("random", 0.01**2)],
)
def test_initializer_variances_on_large_draws(init, expected_var):
    net = nr.Network([400, 300, 1], init=init, seed=0)
    W1 = net.get_parameters()["W1"]
    assert W1.mean() == pytest.approx(0.0, abs=4 * np.sqrt(expected_var / W1.size))
    assert W1.var() == pytest.approx(expected_var, rel=0.02)  # 120,000 draws: ±0.8% sd
    assert np.all(net.get_parameters()["b1"] == 0)


def test_random_init_takes_a_scale_and_auto_follows_the_activation():
    W = nr.Network([400, 300, 1], init=("random", 10.0), seed=0).get_parameters()["W1"]
    assert W.std() == pytest.approx(10.0, rel=0.02)
    assert initializers.resolve("auto", ["relu", "leaky_relu"]) == "he"
    assert initializers.resolve("auto", ["tanh"]) == "xavier"


def test_zeros_init_warns_about_symmetry():
    with pytest.warns(UserWarning, match="symmetry"):
        net = nr.Network([3, 4, 1], init="zeros")
    assert not net.get_vector().any()


def test_standardizer_uses_training_statistics_and_unit_scale_for_constants():
    X = np.array([[1.0, 5.0], [3.0, 5.0], [5.0, 5.0]])
    st = nr.Standardizer().fit(X)
    np.testing.assert_allclose(st.mean_, [3.0, 5.0])
    np.testing.assert_allclose(st.var_, [8 / 3, 0.0])
    np.testing.assert_allclose(st.scale_, [np.sqrt(8 / 3), 1.0])
    out = st.transform(np.array([[3.0, 7.0]]))
    np.testing.assert_allclose(out, [[0.0, 2.0]])  # constant feature: shifted, not blown up
    np.testing.assert_allclose(st.inverse_transform(out), [[3.0, 7.0]])
