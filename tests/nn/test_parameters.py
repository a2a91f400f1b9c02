"""θ as one flat vector with views: layout, all-or-nothing writes, pickling."""

import pickle

import numpy as np
import pytest

import nnrecipe as nr
from nnrecipe.nn.parameters import FlatParameters


def test_theta_lays_the_parameters_end_to_end_and_views_write_through():
    p = FlatParameters({"W1": (2, 3), "b1": (2,), "W2": (1, 2), "b2": (1,)}, np.float64)
    assert p.theta.size == 6 + 2 + 2 + 1
    p.set({"W1": np.arange(6).reshape(2, 3), "b1": [[6], [7]], "W2": [[8, 9]], "b2": [10]})
    np.testing.assert_array_equal(p.theta, np.arange(11))  # W1, b1, W2, b2 in C order
    W, b, dW, db = p.layer(2)
    W[0, 1] = -1.0
    dW[...] = 5.0
    assert p.theta[9] == -1.0 and p.grad[8:10].tolist() == [5.0, 5.0]


def test_a_bad_entry_writes_nothing():
    p = FlatParameters({"W1": (2, 2), "b1": (2,)}, np.float32)
    with pytest.raises(ValueError, match=r"parameters\['b1'\] contains NaN"):
        p.set({"W1": np.ones((2, 2)), "b1": [1.0, np.nan]})
    assert not p.theta.any()
    with pytest.raises(ValueError, match="theta has shape"):
        p.set_vector(np.zeros(5))


def test_a_pickled_network_trains_its_own_theta():
    net = nr.Network([3, 4, 1], seed=0)
    twin = pickle.loads(pickle.dumps(net))
    np.testing.assert_array_equal(twin.get_vector(), net.get_vector())
    twin.layers[0].W[0, 0] = 123.0
    assert twin.theta[0] == 123.0 and net.theta[0] != 123.0
