"""fit(evaluate_every=k, train_sample=N): fewer, cheaper history measurements, same training."""

import numpy as np
import pytest

import nnrecipe as nr
from nnrecipe.train import loop


def _net():
    return nr.Network([2, 16, 1], keep_prob=0.9, seed=0)


def test_every_kth_epoch_and_the_last_are_measured_training_is_unchanged(moons_split):
    (X, y), dev, _ = moons_split
    full, sparse = _net(), _net()
    h1 = full.fit(X, y, dev=dev, epochs=10, batch_size=64, learning_rate=0.01)
    h3 = sparse.fit(X, y, dev=dev, epochs=10, batch_size=64, learning_rate=0.01, evaluate_every=3)
    assert h3.epoch == [2, 5, 8, 9] and h3.evaluate_every == 3  # 0-based; the last always
    assert all(len(getattr(h3, k)) == 4 for k in ("cost", "train_error", "dev_loss", "time"))
    assert len(h3.iteration_cost) == len(h1.iteration_cost) == 10 * -(-len(X) // 64)
    np.testing.assert_array_equal(full.theta, sparse.theta)  # measuring changes nothing
    for i, e in enumerate(h3.epoch):
        assert h3.dev_loss[i] == h1.dev_loss[e] and h3.train_error[i] == h1.train_error[e]
        assert h3.cost[i] == h1.cost[e]


def test_measurements_are_what_cost_the_time(moons_split, monkeypatch):
    (X, y), dev, _ = moons_split
    net = _net()
    calls = []
    real = net.measure
    monkeypatch.setattr(net, "measure", lambda *a: calls.append(len(a[0])) or real(*a))
    net.fit(X, y, dev=dev, epochs=30, evaluate_every=10)
    assert calls == [len(X), len(dev[0])] * 3  # 3 measurements of train and dev, not 30


def test_train_error_on_a_fixed_subsample_is_stated_and_honest(moons_split):
    (X, y), dev, _ = moons_split
    whole, sampled = _net(), _net()
    hw = whole.fit(X, y, dev=dev, epochs=20, learning_rate=0.01)
    hs = sampled.fit(X, y, dev=dev, epochs=20, learning_rate=0.01, train_sample=100)
    assert hw.train_rows == len(X) and hs.train_rows == 100 < len(X)
    np.testing.assert_array_equal(whole.theta, sampled.theta)  # same draws, same training
    Xs, ys = loop._train_subsample(X, y, 100)
    assert len(np.unique(Xs, axis=0)) == 100  # 100 distinct rows, fixed for the run
    assert hs.train_error[-1] == sampled.evaluate(Xs, ys)["error"]
    assert abs(hs.train_error[-1] - hw.train_error[-1]) < 0.08  # a sample, not another number
    assert hs.dev_error == hw.dev_error  # the dev set is always measured whole
    # a sample as large as the set is the set
    assert _net().fit(X, y, epochs=1, train_sample=10**6).train_rows == len(X)


@pytest.mark.parametrize("kwargs", [{"evaluate_every": 0}, {"train_sample": 0}])
def test_bad_values_are_named(moons_split, kwargs):
    (X, y), _, _ = moons_split
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        _net().fit(X, y, epochs=2, **kwargs)
