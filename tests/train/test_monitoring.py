"""fit(monitor_gradients=True): per-layer gradient norms and activation spread across depth.

A 50-layer ReLU network of width n with weights N(0, s²) multiplies the forward signal by
g = s·sqrt(n/2) per layer. He initialization (s = sqrt(2/n)) keeps g = 1; 1.5x or 0.5x
He's standard deviation gives g = 1.5 (1.5^48 ~ 3e8: explodes) or 0.5 (0.5^48 ~ 4e-15:
vanishes). Note that the literal N(0,1)·0.5 is *not* small for width 32: g = 0.5·4 = 2.
"""

import warnings

import numpy as np
import pytest

import nnrecipe as nr
from nnrecipe.train.monitoring import GradientMonitor, problems

WIDTH, DEPTH = 32, 50
HE_STD = np.sqrt(2 / WIDTH)


def deep_fit(init, epochs=1):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(256, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    net = nr.Network([2] + [WIDTH] * (DEPTH - 1) + [1], hidden="relu", init=init, seed=1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = net.fit(X, y, epochs=epochs, batch_size=256, monitor_gradients=True)
    return history, [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]


def spread_orders(history):
    hidden = np.asarray(history.activation_std[0][:-1])
    return np.log10(hidden[-1] / hidden[0])


@pytest.mark.parametrize(
    "init, expected",
    [
        (("random", 1.5), "explode"),  # N(0, 1)·1.5
        (("random", 1.5 * HE_STD), "explode"),
        (("random", 0.5 * HE_STD), "vanish"),
        ("he", None),
    ],
)
def test_fifty_layers_explode_vanish_or_stay_stable(init, expected):
    history, messages = deep_fit(init)
    norms = np.asarray(history.gradient_norms[0])
    assert len(history.gradient_norms) == 1 and norms.shape == (DEPTH,)
    assert len(history.activation_std[0]) == DEPTH
    orders = spread_orders(history)
    if expected is None:  # He: no warning, signal within an order or two over 49 layers
        assert messages == [] and abs(orders) < 2
        assert 1e-5 < norms.min() and norms.max() < 1
    elif expected == "explode":
        assert orders > 6 and norms.min() > 1e3
        assert any(m.startswith("activations explode across depth: std(A[") for m in messages)
    else:
        assert orders < -6 and norms.max() < 1e-10
        assert any(m.startswith("activations vanish across depth: std(A[") for m in messages)


def test_the_warning_names_the_first_layer_out_of_range():
    spread = [1.0, 10.0, 100.0, 2e3, 5e4, 1.0]  # hidden layers 1-5, then the output
    ((kind, layer, message),) = problems([1.0] * 6, spread, orders=3)
    assert kind == "activations_explode" and layer == 4 and "std(A[4]) = 2e+03" in message


def test_gradients_vanishing_toward_the_input_name_the_layer_nearest_the_output():
    norms = [1e-9, 1e-7, 1e-5, 1e-3, 1e-1, 1.0]
    found = problems(norms, [1.0] * 6, orders=3)
    assert [(k, layer) for k, layer, _ in found] == [("gradients_vanish", 3)]
    assert "layers 1..3 learn almost nothing" in found[0][2]


def test_sigmoid_hidden_layers_vanish_across_depth_in_a_real_network():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(128, 4)), rng.integers(0, 2, 128)
    net = nr.Network([4] + [16] * 12 + [1], hidden="sigmoid", init="xavier", seed=0)
    with pytest.warns(RuntimeWarning, match=r"gradients vanish across depth: \|\|dW\[\d+\]\|\|"):
        h = net.fit(X, y, epochs=1, monitor_gradients=True)
    assert h.gradient_norms[0][0] < 1e-3 * h.gradient_norms[0][-1]


def test_monitoring_is_off_by_default_and_recorded_each_epoch():
    X, y = nr.datasets.moons(n=100, seed=0)
    net = nr.Network([2, 8, 8, 1], seed=0)
    assert net.fit(X, y, epochs=3).gradient_norms == []
    h = nr.Network([2, 8, 8, 1], seed=0).fit(X, y, epochs=3, monitor_gradients=GradientMonitor(2))
    assert len(h.gradient_norms) == len(h.activation_std) == 3
    assert all(len(v) == 3 for v in h.gradient_norms)
    with pytest.raises(
        TypeError, match="monitor_gradients must be True, False or a GradientMonitor"
    ):
        net.fit(X, y, epochs=1, monitor_gradients="yes")
    with pytest.raises(ValueError, match="orders"):
        GradientMonitor(orders=0)
