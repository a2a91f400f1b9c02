"""A pickled or deep-copied Network keeps its layers' weights as views into θ."""

import copy
import pickle

import numpy as np
import pytest

import nnrecipe as nr


@pytest.mark.parametrize("clone", [lambda n: pickle.loads(pickle.dumps(n)), copy.deepcopy])
def test_copy_keeps_parameters_linked_and_trains_like_the_original(clone, moons_split):
    (X, y), _, _ = moons_split
    net = nr.Network([2, 8, 1], keep_prob=0.9, standardize=True, seed=0)
    net.fit(X, y, epochs=2)
    twin = clone(net)
    for layer in twin.layers:
        assert np.shares_memory(layer.W, twin.theta) and np.shares_memory(layer.dW, twin.dtheta)
    np.testing.assert_array_equal(twin.predict_proba(X), net.predict_proba(X))
    # the generator state travels too: further training is bit-identical
    net.fit(X, y, epochs=2)
    twin.fit(X, y, epochs=2)
    np.testing.assert_array_equal(twin.get_vector(), net.get_vector())
