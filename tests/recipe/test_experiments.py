"""Controlled experiments: same split, same start, one setting changed."""

import numpy as np
import pytest

import nnrecipe as nr
from nnrecipe.recipe import experiments


@pytest.fixture(scope="module")
def parts():
    X, y = nr.datasets.moons(n=300, noise=0.3, seed=4)
    return nr.split(X, y, ratios=(100, 100, 100), seed=0)


def test_weight_stats_by_hand():
    net = nr.Network([2, 2, 1], seed=0)
    net.set_parameters(
        {
            "W1": np.array([[3.0, 0.0], [0.0005, -4.0]]),
            "b1": np.array([9.0, 9.0]),
            "W2": np.array([[0.0, 12.0]]),
            "b2": np.array([5.0]),
        }
    )
    norm, zeros = experiments.weight_stats(net, zero_tol=1e-3)
    assert norm == pytest.approx(13.0)  # sqrt(9 + 16 + 144 + 0.0005²); biases excluded
    assert zeros == pytest.approx(3 / 6)


def test_identical_settings_give_identical_results(parts):
    same = [experiments.Setting("a", "a"), experiments.Setting("b", "b")]
    result = experiments.compare(
        same,
        parts,
        [2, 8, 1],
        network={"standardize": True},
        fit={"epochs": 20, "batch_size": 32},
        seed=3,
    )
    a, b = result["a"], result["b"]
    assert np.array_equal(a.network.get_vector(), b.network.get_vector())
    assert a.history.iteration_cost == b.history.iteration_cost
    assert a.diagnosis.case and a.to_dict()["gap"] == pytest.approx(a.test_error - a.train_error)


def test_a_setting_changes_only_its_own_knob(parts):
    settings = experiments.regularization_settings(
        ["none", "l2", "early_stopping"], l2=5.0, patience=3
    )
    fit = {"epochs": 60, "learning_rate": 0.05, "batch_size": 20}
    result = experiments.compare(settings, parts, [2, 16, 1], fit=fit, seed=0)
    assert result["l2"].network.l2 == 5.0 and result["none"].network.l2 == 0.0
    assert result["l2"].weight_norm < result["none"].weight_norm
    assert result["early_stopping"].history.stop_reason == "early_stopping"
    assert len(result["early_stopping"].history) < 60 == len(result["none"].history)
    with pytest.raises(KeyError, match="no setting 'l1'"):
        result["l1"]


def test_init_settings_labels():
    names = [s.name for s in experiments.init_settings(["zeros", ("random", 10.0), "he"])]
    assert names == ["zeros", "random×10", "he"]


def test_bad_settings():
    with pytest.raises(ValueError, match="setting 'magic' is not known"):
        experiments.regularization_settings(["none", "magic"])
    with pytest.raises(ValueError, match="image data only"):
        experiments.regularization_settings(["augment"])
    with pytest.raises(ValueError, match="settings is empty"):
        experiments.compare([], None, [2, 1])
