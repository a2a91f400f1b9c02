"""One step of each optimizer against hand-computed numbers, and convergence on a quadratic."""

import numpy as np
import pytest

from nnrecipe.train import optimizers

THETA = np.array([1.0, -2.0])
G = np.array([0.5, -0.1])


def step(name, **kwargs):
    opt = optimizers.get(name) if not kwargs else optimizers.REGISTRY[name](**kwargs)
    params = {"W": THETA.copy()}
    opt.init(params)
    opt.update(params, {"dW": G.copy()})
    return params["W"], opt


def test_gradient_descent_step():
    theta, _ = step("gd", learning_rate=0.1)
    np.testing.assert_allclose(theta, [1.0 - 0.05, -2.0 + 0.01], rtol=1e-15)


def test_momentum_step():
    theta, opt = step("momentum", learning_rate=0.1, beta=0.9)
    v = 0.1 * G  # v = 0.9·0 + 0.1·g
    np.testing.assert_allclose(opt.v["W"], v, rtol=1e-15)
    np.testing.assert_allclose(theta, THETA - 0.1 * v, rtol=1e-15)


def test_rmsprop_step():
    theta, _ = step("rmsprop", learning_rate=0.01, beta2=0.999)
    s = 0.001 * G**2
    np.testing.assert_allclose(theta, THETA - 0.01 * G / (np.sqrt(s) + 1e-8), rtol=1e-12)


def test_adam_first_step_is_bias_corrected():
    theta, opt = step("adam", learning_rate=0.01)
    # v̂ = g and ŝ = g², so the first step is α·g/(|g| + ε) ≈ α·sign(g)
    np.testing.assert_allclose(theta, THETA - 0.01 * G / (np.abs(G) + 1e-8), rtol=1e-12)
    assert opt.t == 1


def test_adam_scalars_fold_the_bias_corrections_and_the_one_minus_betas():
    opt = optimizers.Adam(learning_rate=0.1)
    with pytest.raises(ValueError, match="update"):
        opt.scalars()
    opt.t = 2
    step, eps = opt.scalars()
    # step = α (1-β₁) √(c₂/(1-β₂)) / c₁, ε' = ε √(c₂/(1-β₂)), with c = 1 - βᵗ
    root = np.sqrt((1 - 0.999**2) / 0.001)
    assert step == pytest.approx(0.1 * 0.1 * root / (1 - 0.9**2), rel=1e-15)
    assert eps == pytest.approx(1e-8 * root, rel=1e-15)
    assert type(step) is float and type(eps) is float  # never NumPy float64 scalars


@pytest.mark.parametrize("b2", [0.999, 0.95])
def test_adam_two_steps_by_hand(b2):
    opt = optimizers.Adam(learning_rate=0.1, beta2=b2)
    params = {"W": np.array([2.0])}
    opt.init(params)
    g1, g2 = 1.0, -3.0
    opt.update(params, {"dW": np.array([g1])})
    opt.update(params, {"dW": np.array([g2])})
    v = 0.9 * (0.1 * g1) + 0.1 * g2
    s = b2 * ((1 - b2) * g1**2) + (1 - b2) * g2**2
    v_hat, s_hat = v / (1 - 0.9**2), s / (1 - b2**2)
    first = 0.1 * g1 / (abs(g1) + 1e-8)
    np.testing.assert_allclose(
        params["W"], [2.0 - first - 0.1 * v_hat / (np.sqrt(s_hat) + 1e-8)], rtol=1e-12
    )


@pytest.mark.parametrize(
    "name,lr,steps",
    [
        ("gd", 0.1, 300),
        ("sgd", 0.1, 300),
        ("momentum", 0.1, 500),
        ("rmsprop", 0.01, 2000),
        ("adam", 0.05, 2000),
    ],
)
def test_each_optimizer_reaches_the_minimum_of_a_quadratic(name, lr, steps):
    """f(θ) = ½ (θ - c)ᵀ H (θ - c) with an ill-conditioned diagonal H; minimum at c."""
    H = np.array([1.0, 10.0])
    c = np.array([3.0, -1.0])
    opt = optimizers.REGISTRY[name](learning_rate=lr)
    params = {"theta": np.zeros(2)}
    opt.init(params)
    for _ in range(steps):
        opt.update(params, {"dtheta": H * (params["theta"] - c)})
    np.testing.assert_allclose(params["theta"], c, atol=1e-3)


def test_learning_rate_decay_schedule():
    assert optimizers.decayed_rate(0.1, epoch=0, decay_rate=1.0) == 0.1
    assert optimizers.decayed_rate(0.1, epoch=3, decay_rate=1.0) == pytest.approx(0.025)
    assert optimizers.decayed_rate(0.1, epoch=9, decay_rate=1.0, decay_interval=5) == 0.05


def test_unknown_optimizer_lists_valid_names():
    with pytest.raises(ValueError, match="adam"):
        optimizers.get("adamw")


def test_adam_moments_can_be_set_and_corrected_moments_read():
    opt = optimizers.Adam(learning_rate=0.01, fused=False)
    params = {"W": THETA.copy()}
    opt.init(params)
    v0, s0 = np.array([0.2, -0.3]), np.array([0.01, 0.04])
    opt.v, opt.s, opt.t = {"dW": v0}, {"W": s0}, 4  # the course's "dW" keys, or the names
    np.testing.assert_allclose(opt.v["W"], v0, rtol=1e-15)
    opt.update(params, {"dW": G.copy()})  # step t = 5
    v = 0.9 * v0 + 0.1 * G
    s = 0.999 * s0 + 0.001 * G**2
    np.testing.assert_allclose(opt.v["W"], v, rtol=1e-14)
    np.testing.assert_allclose(opt.s["W"], s, rtol=1e-14)
    np.testing.assert_allclose(opt.v_corrected["W"], v / (1 - 0.9**5), rtol=1e-14)
    np.testing.assert_allclose(opt.s_corrected["W"], s / (1 - 0.999**5), rtol=1e-14)
    expected = THETA - 0.01 * (v / (1 - 0.9**5)) / (np.sqrt(s / (1 - 0.999**5)) + 1e-8)
    np.testing.assert_allclose(params["W"], expected, rtol=1e-13)
    with pytest.raises(ValueError, match="has shape"):
        opt.v = {"W": np.zeros(3)}
    with pytest.raises(ValueError, match="has no entry"):
        opt.s = {}
    fresh = optimizers.Adam()
    fresh.init(params)
    with pytest.raises(ValueError, match="t >= 1"):
        _ = fresh.v_corrected


def test_decay_timing_after_epoch_is_one_epoch_later():
    before = [optimizers.decayed_rate(1.0, e, 0.5) for e in range(4)]
    after = [optimizers.decayed_rate(1.0, e, 0.5, timing="after_epoch") for e in range(4)]
    assert before == [1.0, 1 / 1.5, 1 / 2.0, 1 / 2.5]
    assert after == [1.0, 1.0, 1 / 1.5, 1 / 2.0]


def test_a_step_at_a_given_rate_leaves_the_optimizers_own_rate():
    opt = optimizers.SGD(learning_rate=0.1)
    params = {"W": THETA.copy()}
    opt.init(params)
    opt.update(params, {"dW": G.copy()}, learning_rate=0.5)
    np.testing.assert_allclose(params["W"], THETA - 0.5 * G, rtol=1e-15)
    assert opt.learning_rate == 0.1
