"""Finite numbers too large for float64 arithmetic (issue 27, items 1 and 3): data whose
scaling overflows is refused before training, naming the column; a prediction or an
evaluation is never a silent NaN."""

import warnings

import numpy as np
import pandas as pd
import pytest

import nnrecipe as nr
from nnrecipe.data.preprocess import Preprocessor
from nnrecipe.data.targets import target_scaling


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    return X, (X[:, 0] > 0).astype(int)


def huge(X, column=1, scale=1e160):
    X = X.copy()
    X[:, column] *= scale
    return X


def test_fit_refuses_a_column_whose_variance_overflows(data):
    X, y = data
    net = nr.Network([3, 4, 1], standardize=True, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no raw NumPy overflow warning on the way
        with pytest.raises(ValueError, match=r"^X column 1 cannot be standardized"):
            net.fit(huge(X), y, epochs=2)
    assert not net.standardizer.fitted  # refused before anything was learned


def test_an_unstandardized_network_refuses_values_that_overflow(data):
    X, y = data
    largest = np.abs(huge(X, 2)).max()
    with pytest.raises(ValueError) as info:
        nr.Network([3, 4, 1], seed=0).fit(huge(X, 2), y, epochs=2)
    assert str(info.value).startswith(f"X column 2 holds values as large as {largest:.3g}:")


def test_values_below_the_overflow_still_train(data):
    X, y = data
    nets = [nr.Network([3, 4, 1], standardize=True, seed=0) for _ in range(2)]
    nets[0].fit(huge(X, 1, 1e140), y, epochs=30, seed=0)  # σ² ≈ 1e280: finite, accepted
    nets[1].fit(X, y, epochs=30, seed=0)
    # the z-scores are the same numbers (up to rounding), so is what the network learned
    np.testing.assert_allclose(
        nets[0].predict_proba(huge(X, 1, 1e140)), nets[1].predict_proba(X), rtol=1e-6
    )


def test_improve_refuses_a_target_that_cannot_be_standardized_before_training(data):
    X, y = data
    with pytest.raises(ValueError, match="^y cannot be standardized"):
        nr.improve(X[:, 1:], X[:, 0] * 1e200, minutes=0.05, n_jobs=1)


def test_improve_scales_a_huge_column_robustly_and_predicts_finite_values(data):
    """improve's start scales by median and IQR (issue 24): (x − median)/IQR of a column near
    1e160 is an ordinary number, so it trains, and its predictions are finite."""
    X, y = data
    result = nr.improve(huge(X), y, minutes=0.05, budget=1, n_jobs=1, seed=0)
    assert np.isfinite(result.network.predict_proba(huge(X))).all()
    assert result.train_error < 0.5


def test_a_table_names_its_column_and_its_target():
    rng = np.random.default_rng(1)  # 150 distinct values: a regression target, not classes
    df = pd.DataFrame({"a": rng.normal(size=150), "big": rng.normal(size=150) * 1e200})
    with pytest.raises(ValueError, match="^the table's column 'big' cannot be standardized"):
        Preprocessor().fit(df)
    with pytest.raises(ValueError, match="^the target 'price' cannot be standardized"):
        target_scaling(df["big"].to_numpy(), "the target 'price'")
    df["price"] = df["big"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="^the target 'price' cannot be standardized"):
            nr.improve(df.drop(columns="big"), target="price", minutes=0.05)


def test_predict_and_evaluate_never_return_nan(data):
    X, y = data
    net = nr.Network([3, 8, 8, 3], output="softmax", standardize=True, seed=0)
    net.fit(X, y, epochs=5)
    far = X.copy()
    far[5], far[7] = 1.7e308, -1.7e308  # finite, but the first layer overflows
    for call in (net.predict, net.predict_proba, lambda X: net.evaluate(X, y)):
        with pytest.raises(ValueError, match=r"NaN or inf for [12] of 120 rows \(first: row 5\)"):
            call(far)
    assert np.isfinite(net.predict_proba(X)).all()  # ordinary rows are untouched


def test_a_prediction_in_the_targets_units_never_overflows_silently(data):
    X, _ = data
    net = nr.Network([3, 4, 1], output="linear", standardize=True, seed=0)
    net.fit(X, X[:, 0], epochs=3, seed=0)
    net.target_scaling = (0.0, 1e300)  # σ_y of a target near 1e300: finite, as loaded
    assert np.isfinite(net.predict(X)).all()
    far = X.copy()
    far[3] = 1e200  # z-scores far out: ẑ·σ_y overflows
    with pytest.raises(ValueError, match=r"NaN or inf for 1 of 120 rows \(first: row 3\)"):
        net.predict(far)
