"""Learning-rate schedules: hand-computed rates, the rate each epoch's steps really used, an
optimizer object left as it was, and one-line errors for bad arguments."""

import math

import numpy as np
import pytest

import nnrecipe as nr
from nnrecipe.train import optimizers
from nnrecipe.train.schedules import Schedule, decayed_rate


def test_cosine_by_hand_at_the_start_the_middle_and_the_last_epoch():
    s = Schedule(0.1, epochs=10, schedule="cosine")
    assert s.rate(0) == 0.1  # ½(1 + cos 0) = 1
    assert s.rate(5) == pytest.approx(0.05, rel=1e-15)  # t = T/2: ½(1 + cos π/2)
    assert s.rate(9) == pytest.approx(0.1 * 0.5 * (1 + math.cos(0.9 * math.pi)), rel=1e-15)
    assert 0 < s.rate(9) < 0.0025  # ≈ α₀π²/(4T²) = 0.00247, never 0
    rates = s.rates()
    assert rates.shape == (10,) and np.all(np.diff(rates) < 0)


def test_warmup_ramps_linearly_then_the_schedule_starts_from_the_full_rate():
    s = Schedule(0.3, epochs=12, schedule="cosine", warmup=2)
    # warm-up: α₀(e+1)/(k+1) = 0.1, 0.2; then cosine over T = 10 epochs from α₀
    np.testing.assert_allclose(s.rates()[:3], [0.1, 0.2, 0.3], rtol=1e-15)
    assert s.rate(2 + 5) == pytest.approx(0.15, rel=1e-15)  # t = T/2
    flat = Schedule(0.3, epochs=5, warmup=2)  # no schedule: constant α₀ after the ramp
    np.testing.assert_allclose(flat.rates(), [0.1, 0.2, 0.3, 0.3, 0.3], rtol=1e-15)


@pytest.mark.parametrize("timing", ["before_epoch", "after_epoch"])
def test_no_schedule_is_the_course_decay_exactly(timing):
    s = Schedule(0.2, 9, decay_rate=0.5, decay_interval=2, decay_timing=timing)
    assert [s.rate(e) for e in range(9)] == [decayed_rate(0.2, e, 0.5, 2, timing) for e in range(9)]
    # with a warm-up, the decay counts its epochs from the end of the ramp
    w = Schedule(0.2, 9, warmup=3, decay_rate=0.5, decay_interval=2, decay_timing=timing)
    assert [w.rate(e) for e in range(3, 9)] == [s.rate(e) for e in range(6)]


def _reference_sgd(sizes, X, y, rates, batch_size, seed):
    """The loop written out by hand with the network's public step API: each epoch a fresh
    permutation, then θ ← θ − α_e dθ on every mini-batch."""
    net = nr.Network(sizes, seed=0)
    Y = net.prepare_targets(y, len(X))
    rng, m = np.random.default_rng(seed), len(X)
    workspace = net.workspace(batch_size)
    for lr in rates:
        order = rng.permutation(m)
        for s in range(0, m, batch_size):
            idx = order[s : s + batch_size]
            Xb, Yb = np.ascontiguousarray(X[idx]), np.ascontiguousarray(Y[idx])
            net.loss_and_gradient(Xb, Yb, True, rng, workspace.views(len(idx)))
            net.theta[...] -= lr * net.dtheta
    return net.get_vector()


@pytest.mark.parametrize(
    "options",
    [
        {},  # schedule=None: today's behaviour, the constant α₀
        {"decay_rate": 0.5, "decay_interval": 2},  # the course's decay
        {"schedule": "cosine", "warmup": 2},
    ],
)
def test_every_step_of_an_epoch_uses_that_epochs_rate(options):
    X, y = nr.datasets.moons(n=200, noise=0.2, seed=0)
    sizes, epochs = [2, 8, 1], 7
    net = nr.Network(sizes, seed=0)
    history = net.fit(X, y, optimizer="sgd", learning_rate=0.5, batch_size=32,
                      epochs=epochs, seed=5, **options)  # fmt: skip
    rates = Schedule(0.5, epochs, **options).rates()
    assert history.learning_rate == rates.tolist()
    expected = _reference_sgd(sizes, X, y, rates.tolist(), 32, seed=5)
    np.testing.assert_array_equal(net.get_vector(), expected)  # bit for bit


def test_history_records_the_rate_of_each_measured_epoch():
    X, y = nr.datasets.moons(n=100, seed=0)
    plain = nr.Network([2, 4, 1], seed=0).fit(X, y, learning_rate=0.01, epochs=3)
    assert plain.learning_rate == [0.01, 0.01, 0.01]
    every = nr.Network([2, 4, 1], seed=0).fit(
        X, y, learning_rate=0.01, epochs=7, schedule="cosine", warmup=1, evaluate_every=3
    )
    rates = Schedule(0.01, 7, "cosine", warmup=1).rates()
    assert every.epoch == [2, 5, 6] and every.learning_rate == rates[[2, 5, 6]].tolist()
    assert every.to_dict()["learning_rate"] == every.learning_rate


@pytest.mark.parametrize("name", ["adam", "sgd"])
def test_an_optimizer_object_keeps_its_own_learning_rate_after_fit(name):
    X, y = nr.datasets.moons(n=200, seed=0)
    opt = optimizers.REGISTRY[name](learning_rate=0.02)
    nr.Network([2, 8, 1], seed=0).fit(X, y, optimizer=opt, epochs=4, decay_rate=1.0)
    assert opt.learning_rate == 0.02  # today's loop left the decayed 0.02/4 here
    nr.Network([2, 8, 1], seed=0).fit(X, y, optimizer=opt, learning_rate=0.5, epochs=1)
    assert opt.learning_rate == 0.02  # fit's learning_rate is this fit's α₀ only
    # so the next fit with the same object trains exactly as one with a fresh object
    again, fresh = nr.Network([2, 8, 1], seed=0), nr.Network([2, 8, 1], seed=0)
    again.fit(X, y, optimizer=opt, epochs=3, schedule="cosine")
    fresh.fit(X, y, optimizer=optimizers.REGISTRY[name](learning_rate=0.02), epochs=3,
              schedule="cosine")  # fmt: skip
    np.testing.assert_array_equal(again.get_vector(), fresh.get_vector())


def test_get_with_a_rate_copies_the_instance_instead_of_changing_it():
    opt = optimizers.Adam(learning_rate=0.01, beta2=0.95)
    other = optimizers.get(opt, 0.1)
    assert (opt.learning_rate, other.learning_rate, other.beta2) == (0.01, 0.1, 0.95)
    assert optimizers.get(opt) is opt


def test_an_optimizer_with_the_two_argument_update_is_lent_the_rate():
    """A subclass written before schedules (update(params, grads) only) still follows the
    schedule, and gets its own rate back."""

    class Plain(optimizers.Optimizer):
        name = "plain"

        def __init__(self):
            super().__init__(0.5)
            self.seen = []

        def update(self, params, grads):
            self.seen.append(self.learning_rate)
            params["theta"] -= self.learning_rate * grads["theta"]

    X, y = nr.datasets.moons(n=64, seed=0)
    opt = Plain()
    nr.Network([2, 4, 1], seed=0).fit(X, y, optimizer=opt, batch_size=32, epochs=4,
                                      schedule="cosine", warmup=1)  # fmt: skip
    rates = Schedule(0.5, 4, "cosine", warmup=1).rates()
    assert opt.seen == np.repeat(rates, 2).tolist() and opt.learning_rate == 0.5


def test_cosine_with_warmup_trains_moons_to_a_low_loss(moons_split):
    (X, y), dev, _ = moons_split
    net = nr.Network([2, 32, 16, 1], hidden="relu", init="he", seed=0)
    history = net.fit(X, y, dev=dev, learning_rate=0.01, epochs=60, schedule="cosine", warmup=5,
                      optimizer=optimizers.Adam(learning_rate=0.01, beta2=0.95))  # fmt: skip
    assert history.train_loss[-1] < 0.1 and history.dev_error[-1] < 0.05
    assert history.learning_rate[4] == 0.01 * 5 / 6 and history.learning_rate[5] == 0.01


def test_float32_is_preserved_with_a_schedule():
    X, y = nr.datasets.moons(n=200, seed=0)
    net = nr.Network([2, 8, 1], dtype="float32", seed=0)
    history = net.fit(X, y, epochs=5, learning_rate=0.01, schedule="cosine", warmup=1)
    assert net.get_vector().dtype == np.float32 and np.isfinite(history.cost[-1])
    assert all(type(lr) is float for lr in history.learning_rate)


@pytest.mark.parametrize(
    "options,error,match",
    [
        ({"schedule": "cosin"}, ValueError, r"schedule='cosin'.*\['cosine'\]"),
        ({"schedule": 3}, TypeError, "schedule must be a string"),
        ({"warmup": -1}, ValueError, r"warmup=-1 .*\[0, 10\)"),
        ({"warmup": 10}, ValueError, r"warmup=10 .*\[0, 10\)"),
        ({"warmup": 1.5}, TypeError, "warmup must be an integer"),
        ({"warmup": True}, TypeError, "warmup must be an integer"),
        ({"schedule": "cosine", "decay_rate": 0.1}, ValueError, "two schedules"),
    ],
)
def test_bad_schedule_arguments_are_one_line_errors(options, error, match):
    X, y = nr.datasets.moons(n=50, seed=0)
    with pytest.raises(error, match=match) as info:
        nr.Network([2, 4, 1], seed=0).fit(X, y, epochs=10, **options)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("beta2", [0, 0.0, 1, 1.5, -0.1])
def test_adam_beta2_outside_the_open_unit_interval_is_refused(beta2):
    with pytest.raises(ValueError, match=r"beta2=.* must be in \(0, 1\)"):
        optimizers.Adam(beta2=beta2)
