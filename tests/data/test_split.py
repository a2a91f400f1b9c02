"""nr.split: the auto rule's sizes, explicit ratios and counts, stratification, bad input."""

import numpy as np
import pytest

import nnrecipe as nr
from nnrecipe.data.split import auto_fraction, split_sizes


@pytest.mark.parametrize(
    "m, expected",
    [
        (1_000, (600, 200, 200)),
        (100_000, (60_000, 20_000, 20_000)),
        (1_000_000, (980_000, 10_000, 10_000)),
        (100_000_000, (99_500_000, 250_000, 250_000)),
    ],
)
def test_auto_sizes_at_the_anchor_points(m, expected):
    assert split_sizes(m)[0] == expected


@pytest.mark.parametrize("m", [1_000, 100_000, 1_000_000])
def test_auto_split_of_an_index_array(m):
    """Splitting np.arange(m) gives the rule's sizes and a partition of the indices."""
    s = nr.split(np.arange(m, dtype=np.int32), seed=1)
    (train, _), (dev, _), (test, _) = s
    assert (len(train), len(dev), len(test)) == split_sizes(m)[0] == s.sizes
    joined = np.concatenate([train, dev, test])
    assert np.array_equal(np.sort(joined), np.arange(m))
    assert train.dtype == np.int32  # rows are taken, never converted
    assert s.rule.startswith("auto")


@pytest.mark.slow
def test_auto_split_of_100_million_indices():
    s = nr.split(np.arange(100_000_000, dtype=np.int32), seed=0)
    assert s.sizes == (99_500_000, 250_000, 250_000)


def test_auto_rule_interpolates_smoothly_and_monotonically():
    m = np.logspace(3, 9, 400)
    f = np.array([auto_fraction(int(v)) for v in m])
    assert np.all(np.diff(f) <= 1e-15)  # the dev fraction never grows with m
    assert np.max(np.abs(np.diff(np.log10(f)))) < 0.03  # no jumps between anchors
    assert auto_fraction(300_000) == pytest.approx(
        10 ** np.interp(np.log10(3e5), [5, 6], [np.log10(0.2), -2])
    )


def test_sorted_labels_never_give_a_one_class_dev_set():
    X = np.arange(1000).reshape(-1, 1).astype(float)
    y = (np.arange(1000) >= 900).astype(int)  # sorted: 90% class 0 then 10% class 1
    (Xt, yt), (Xd, yd), (Xs, ys) = nr.split(X, y, seed=3)
    # stratified: each split holds exactly the class shares of the whole set
    assert np.bincount(yt).tolist() == [540, 60]
    assert np.bincount(yd).tolist() == [180, 20]
    assert np.bincount(ys).tolist() == [180, 20]
    assert np.array_equal(Xd[:, 0] >= 900, yd == 1)  # rows keep their own labels


def test_stratified_with_many_uneven_classes_keeps_every_share_within_one():
    rng = np.random.default_rng(0)
    y = rng.choice(7, size=5003, p=[0.4, 0.2, 0.15, 0.1, 0.1, 0.04, 0.01])
    s = nr.split(np.zeros((len(y), 1)), y, ratios=(0.7, 0.2, 0.1), seed=0)
    whole = np.bincount(y, minlength=7) / len(y)
    for (_, part), n in zip(s, s.sizes, strict=True):
        assert np.all(np.abs(np.bincount(part, minlength=7) - whole * n) <= 1.0)


def test_one_hot_labels_are_stratified_and_regression_is_only_shuffled():
    y = np.repeat(np.eye(3), [50, 30, 20], axis=0)
    (_, yt), (_, yd), _ = nr.split(np.zeros((100, 2)), y, ratios=(0.6, 0.2, 0.2))
    assert yd.sum(axis=0).tolist() == [10, 6, 4]
    r = np.linspace(0, 1, 100)
    s = nr.split(r[:, None], r, ratios=(0.6, 0.2, 0.2))
    assert not s.stratified and s.sizes == (60, 20, 20)


def test_seeded_and_reproducible():
    X = np.arange(500)
    a, b, c = nr.split(X, seed=7), nr.split(X, seed=7), nr.split(X, seed=8)
    assert np.array_equal(a.dev[0], b.dev[0]) and not np.array_equal(a.dev[0], c.dev[0])


def test_explicit_ratios_and_counts():
    X, y = np.arange(1000), np.arange(1000) % 2
    assert nr.split(X, y, ratios=(0.8, 0.1, 0.1)).sizes == (800, 100, 100)
    assert nr.split(X, y, ratios=(None, 50, 150)).sizes == (800, 50, 150)
    assert nr.split(X, y, ratios=(700, 200, 100)).sizes == (700, 200, 100)
    assert nr.split(X, y, ratios={"train": 0.5, "dev": 0.25, "test": 0.25}).sizes == (500, 250, 250)
    s = nr.split(X, y, ratios=(0.8, 0.1, 0.1))
    assert s.rule == "ratios: 80/10/10"
    assert np.array_equal(X[s.indices["dev"]], s.dev[0])


def test_result_unpacks_and_has_attributes():
    X, y = nr.datasets.moons(n=100, seed=0)
    s = nr.split(X, y)
    (Xt, yt), (Xd, yd), (Xs, ys) = s
    assert s.train[0] is Xt and s.dev[1] is yd and s.test[0] is Xs
    assert len(s) == 3 and s[1] is s.dev
    assert np.array_equal(X[s.indices["test"]], Xs)
    assert "Split(train=60, dev=20, test=20" in repr(s)


@pytest.mark.parametrize(
    "m, ratios, match",
    [
        (2, "auto", "dev split would be empty"),
        (10, (0.9, 0.1, 0.0), "test split would be empty"),
        (1000, (60, 20, 20), "add up to 100 but there are 1000"),
        (100, (0.5, 0.2, 0.2), "must add up to 1"),
        (100, "big", "not known"),
        (100, (0.5, 0.5), "three values"),
        (100, (None, None, 0.2), "at most one value as None"),
        (100, (0.8, -0.1, 0.3), "numbers >= 0"),
    ],
)
def test_bad_ratios_raise_a_clear_error(m, ratios, match):
    with pytest.raises(ValueError, match=match):
        nr.split(np.arange(m), ratios=ratios)


def test_bad_data_raises_a_clear_error():
    with pytest.raises(ValueError, match="X has 10 examples but y has 9"):
        nr.split(np.zeros((10, 2)), np.zeros(9))
    with pytest.raises(TypeError, match="X must be an array"):
        nr.split(None)
    with pytest.raises(ValueError, match="train split would be empty"):
        nr.split(np.zeros((0, 3)))


def test_brought_dev_and_test_sets_are_used_and_checked():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(1000, 4)), rng.integers(0, 2, 1000)
    dev = (rng.normal(size=(300, 4)), rng.integers(0, 2, 300))
    test_same = (rng.normal(size=(300, 4)), rng.integers(0, 2, 300))
    s = nr.split(X, y, dev=dev, test=test_same)
    assert s.sizes == (1000, 300, 300) and s.dev[0] is dev[0]
    assert s.indices["dev"] is None and s.distribution.same
    shifted = (test_same[0] + np.array([0.0, 0.8, 0.0, 0.0]), test_same[1])
    with pytest.warns(UserWarning, match="different distributions.*most shifted: 1 "):
        s = nr.split(X, y, dev=dev, test=shifted)
    assert not s.distribution.same
    # only a test set brought: dev is carved from X, training keeps the rest
    s = nr.split(X, y, test=test_same, check_distribution=False)
    assert s.sizes == (800, 200, 300) and s.distribution is None


def test_a_dev_set_with_other_features_is_rejected():
    X, y = np.zeros((100, 4)), np.zeros(100)
    with pytest.raises(ValueError, match=r"dev set has examples of shape \(5,\) but X has \(4,\)"):
        nr.split(
            X, y, dev=(np.zeros((20, 5)), np.zeros(20)), test=(np.zeros((20, 4)), np.zeros(20))
        )
    with pytest.raises(ValueError, match="test set you passed is empty"):
        nr.split(X, y, test=(np.zeros((0, 4)), np.zeros(0)))
    with pytest.raises(TypeError, match="must be a pair"):
        nr.split(X, y, dev=np.zeros((20, 4)))
