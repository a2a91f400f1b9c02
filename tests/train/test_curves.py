"""A diverging, oscillating or flat cost curve is an optimization problem: the diagnosis says
so and puts the learning rate first, not a bigger network."""

import warnings

import numpy as np
import pytest

import nnrecipe as nr
from nnrecipe.train.callbacks import History
from nnrecipe.train.curves import cost_trouble


def scripted(costs, first=None, stop="completed"):
    h = History(cost=list(costs), iteration_cost=[costs[0] if first is None else first])
    h.stop_reason = stop
    return h


@pytest.mark.parametrize(
    "costs, first, kind",
    [
        ([0.7, 0.5, 0.4, 0.3, 0.25, 0.2], None, None),  # a healthy descent
        ([5.0, 3.0, 9.0, 40.0], 0.69, "diverging"),  # ended above J₀ = 0.69
        ([1e27, 1e8, 6e7, 4e7], 0.69, "diverging"),  # learning rate 1e9: J 0.69 → 4e7
        ([0.6, 0.4, 0.3, 0.6, 0.2, 0.55, 0.25, 0.6, 0.2], 0.7, "oscillating"),
        ([0.693, 0.693, 0.693, 0.693, 0.693, 0.693], 0.693, "flat"),
        ([0.7, 0.5, 0.3, 0.31, 0.3, 0.31, 0.3, 0.31], 0.7, None),  # converged, small wiggle
    ],
)
def test_the_cost_curve_is_read_by_its_rules(costs, first, kind):
    trouble = cost_trouble(scripted(costs, first))
    assert (trouble and trouble.kind) == kind
    assert cost_trouble(scripted([0.7, 0.6], stop="diverged")).kind == "diverging"


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "momentum"])
def test_a_huge_learning_rate_is_diagnosed_as_optimization_not_bias(moons_split, optimizer):
    train, dev, _ = moons_split
    net = nr.Network([2, 20, 3, 1], standardize=True, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        history = net.fit(*train, dev=dev, optimizer=optimizer, learning_rate=1e9, epochs=30)
    report = net.diagnose(train, dev, history=history)
    assert report.train_error > 0.3 and report.high_bias
    assert report.case == "optimization" and report.cost_curve == "diverging"
    assert "lower the learning rate first" in report.next_steps[0]
    assert "bigger network" not in report.next_steps[0]
    # a diverged run: no bias step is advice (issue 26: step 2 said "train a bigger network")
    assert not any("bigger network" in step for step in report.next_steps)
    assert "diagnose bias and variance anew" in report.next_steps[-1]
    # without the history: the plain bias/variance reading, as before
    assert net.diagnose(train, dev).case == "high_bias"


def test_a_healthy_run_keeps_the_bias_variance_reading(moons_split):
    train, dev, _ = moons_split
    net = nr.Network([2, 3, 1], seed=0)
    history = net.fit(*train, dev=dev, learning_rate=0.01, epochs=40)
    report = net.diagnose(train, dev, history=history)
    assert report.case != "optimization" and report.cost_curve is None


def test_zero_initialization_is_read_as_nothing_learned(moons_split):
    train, dev, _ = moons_split
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = nr.Network([2, 8, 1], init="zeros", seed=0)
        history = net.fit(*train, dev=dev, learning_rate=0.01, epochs=20)
    report = net.diagnose(train, dev, history=history)
    assert report.case == "optimization" and report.cost_curve == "flat"
    assert "init='zeros'" in report.next_steps[0]


def test_a_problem_made_by_the_updates_blames_the_learning_rate(moons_split):
    train, _, _ = moons_split
    net = nr.Network([2, 20, 3, 1], standardize=True, seed=0)
    with pytest.warns(RuntimeWarning) as caught:
        net.fit(*train, learning_rate=1e9, epochs=5, monitor_gradients=True)
    messages = [str(w.message) for w in caught if "across depth" in str(w.message)]
    assert messages and all("learning rate that is too large" in m for m in messages)
    assert np.isfinite(net.theta).all()
