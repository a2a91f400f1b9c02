"""mini_batches: one permutation, cut in order, the last batch m mod B."""

import numpy as np
import pytest

from nnrecipe.data.batches import mini_batches


def test_batches_are_one_permutation_cut_in_order():
    X = np.arange(20).reshape(10, 2)
    y = np.arange(10)
    batches = mini_batches(X, y, 4, np.random.default_rng(5))
    assert [len(b[0]) for b in batches] == [4, 4, 2]
    order = np.random.default_rng(5).permutation(10)
    assert np.array_equal(np.concatenate([b[1] for b in batches]), order)
    assert np.array_equal(np.concatenate([b[0] for b in batches]), X[order])


def test_legacy_random_state_draws_the_courses_permutation():
    y = np.arange(7)
    batches = mini_batches(y[:, None], y, 3, np.random.RandomState(0))
    assert np.array_equal(
        np.concatenate([b[1] for b in batches]), np.random.RandomState(0).permutation(7)
    )
    assert len(mini_batches(y[:, None], y, 7, 0)) == 1


def test_bad_input():
    with pytest.raises(ValueError, match="one label per row"):
        mini_batches(np.zeros((3, 2)), np.zeros(4), 2)
    with pytest.raises(ValueError, match="batch_size"):
        mini_batches(np.zeros((3, 2)), np.zeros(3), 0)
