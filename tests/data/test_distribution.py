"""nr.check_same_distribution: rank AUC, a shifted set detected, a same-distribution one not."""

import numpy as np
import pytest
from conftest import MNIST_DIR

import nnrecipe as nr
from nnrecipe.data.distribution import roc_auc


def test_roc_auc_by_ranks_against_counting_pairs():
    rng = np.random.default_rng(0)
    scores = rng.integers(0, 5, 60).astype(float)  # many ties
    labels = rng.integers(0, 2, 60)
    pos, neg = scores[labels == 1], scores[labels == 0]
    diff = pos[:, None] - neg[None, :]
    by_pairs = ((diff > 0).sum() + 0.5 * (diff == 0).sum()) / diff.size
    assert roc_auc(scores, labels) == pytest.approx(by_pairs, abs=1e-12)
    assert roc_auc([1, 2, 3, 4], [0, 0, 1, 1]) == 1.0
    assert roc_auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) == 0.75
    with pytest.raises(ValueError, match="both positive and negative"):
        roc_auc([1, 2], [1, 1])


def test_same_distribution_is_not_flagged():
    rng = np.random.default_rng(1)
    A, B = rng.normal(size=(800, 6)), rng.normal(size=(600, 6))
    r = nr.check_same_distribution(A, B, seed=0)
    assert r.same and abs(r.auc - 0.5) < 0.05
    assert r.p_value > 0.01 and len(r.fold_aucs) == 5 and (r.n_a, r.n_b) == (800, 600)


@pytest.mark.parametrize("shift", ["mean", "scale"])
def test_a_shifted_set_is_detected_and_the_shifted_feature_named(shift):
    rng = np.random.default_rng(2)
    A, B = rng.normal(size=(800, 6)), rng.normal(size=(800, 6))
    if shift == "mean":
        B[:, 4] += 0.5
    else:
        B[:, 4] *= 1.8
    names = [f"f{j}" for j in range(6)]
    r = nr.check_same_distribution(A, B, feature_names=names)
    assert not r.same and r.auc > r.threshold and r.p_value < 1e-6
    assert r.features[0].name == "f4" and r.features[0].index == 4
    if shift == "mean":
        assert r.features[0].smd == pytest.approx(0.5, abs=0.1)
    else:
        assert r.features[0].variance_ratio == pytest.approx(1.8**2, rel=0.15)
    assert "different distributions" in str(r) and r.to_dict()["same"] is False


def test_constant_features_that_differ_are_ranked_first():
    rng = np.random.default_rng(3)
    A, B = rng.normal(size=(200, 3)), rng.normal(size=(200, 3))
    A[:, 1], B[:, 1] = 0.0, 1.0
    r = nr.check_same_distribution(A, B)
    assert not r.same and r.auc > 0.99 and r.features[0].index == 1


@pytest.mark.skipif(not MNIST_DIR.is_dir(), reason="the MNIST test set is not available")
def test_mnist_dev_and_test_drawn_differently():
    """Same digits: same; test digits shifted off-centre, or only 5-9 against 0-4: different."""
    X, y = nr.datasets.mnist("test", path=MNIST_DIR)
    A, B = X[:400], X[400:800]
    assert nr.check_same_distribution(A, B, quadratic=False).same
    moved = nr.check_same_distribution(A, nr.augment.Shift(3)(B, 0), quadratic=False)
    other_digits = nr.check_same_distribution(X[y < 5][:400], X[y >= 5][:400], quadratic=False)
    assert not moved.same and moved.auc > 0.7
    assert not other_digits.same and other_digits.auc > 0.8


def test_bad_input_raises_a_clear_error():
    A = np.zeros((20, 3))
    with pytest.raises(ValueError, match="A has 3 features but B has 4"):
        nr.check_same_distribution(A, np.zeros((20, 4)))
    with pytest.raises(ValueError, match="B has 3 examples; 5-fold checking needs 5"):
        nr.check_same_distribution(A, np.zeros((3, 3)))
    with pytest.raises(ValueError, match="B contains NaN"):
        nr.check_same_distribution(A, np.full((20, 3), np.nan))
    with pytest.raises(ValueError, match="threshold"):
        nr.check_same_distribution(A, A + 1, threshold=0.3)
