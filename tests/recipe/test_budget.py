"""``minutes`` is a limit (issue 27, item 4): the HistGradientBoosting reference, the folds,
the refit and the learning curve all live inside it, and what does not fit is skipped with a
note; and the reference never crashes the recipe (item 6)."""

import time

import numpy as np
import pytest

import nnrecipe as nr
from nnrecipe.recipe import baseline
from nnrecipe.recipe.runs import Trainer

pytest.importorskip("sklearn.ensemble")  # imported: the deadlines below bound the boosting

# improve's own slack past the budget: one boosting round, one epoch, the test prediction and
# the result, on a loaded 2-core machine (on main, 19 s for the 3 s budget: the reference)
SLACK = 5.0


def wide(m=400, n=200, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, n))
    # a linear rule over a few columns: trees need all their 100 rounds to draw it
    return X, (X[:, :5] @ np.array([1.0, 0.8, 0.6, 0.4, 0.2]) > 0).astype(int)


def test_improve_on_a_wide_table_keeps_to_its_minutes():
    X, y = wide(m=1500)
    start = time.perf_counter()
    result = nr.improve(X, y, minutes=0.05, seed=0)
    wall = time.perf_counter() - start
    assert wall <= 0.05 * 60 + SLACK, (wall, result.notes)
    assert result.seconds <= 0.05 * 60 + SLACK
    assert len(result.steps) >= 1 and np.isfinite(result.test_error)
    said = " ".join(result.notes) + result.baseline_source
    # whatever was skipped is said: here the reference has no time after the 5-fold start
    assert "no time" in said or "the budget ended it" in said


def trainer(X, y, folds=5):
    (Xt, yt), (Xd, yd), _ = nr.split(X, y, seed=0)
    return Trainer((Xt, yt), (Xd, yd), None, "sigmoid", 1, None, 0, "error", folds)


def test_the_reference_stops_at_its_deadline():
    X, y = wide()
    t = trainer(X, y)
    assert baseline.reference(t, deadline=time.perf_counter() - 1) == (
        "the budget left no time for it"
    )
    start = time.perf_counter()
    value, values, where = baseline.reference(t, deadline=start + 0.3)
    wall = time.perf_counter() - start
    assert wall < 0.3 + SLACK  # unbounded: 5 full fits, 13 s on this table
    assert "of 5 folds: the budget ended it" in where
    assert 0 <= value <= 1 and len(values) < len(t.pooled[0])  # the folds done only


def test_a_boosting_round_at_a_time_gives_the_same_model_as_one_fit():
    from sklearn.ensemble import HistGradientBoostingClassifier

    X, y = wide(m=300, n=5)
    one = HistGradientBoostingClassifier(max_iter=40, early_stopping=False, random_state=0)
    rounds = HistGradientBoostingClassifier(max_iter=40, early_stopping=False, random_state=0)
    one.fit(X, y)
    assert baseline._fit_by(rounds, X, y, deadline=None, k=2) is False
    assert rounds.n_iter_ == one.n_iter_ == 40
    np.testing.assert_allclose(rounds.predict_proba(X), one.predict_proba(X))


def test_a_reference_scikit_learn_cannot_fit_is_skipped_with_its_reason():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(24, 3))
    result = nr.improve(X, np.zeros((24, 2)), minutes=0.1, budget=1, seed=0)
    assert "no reference model: it takes one label per row" in result.baseline_source
    # 30 classes of 10 rows: early stopping's stratified split cannot be drawn
    X = rng.normal(size=(300, 4))
    result = nr.improve(X, np.repeat(np.arange(30), 10), minutes=0.15, budget=1, seed=0)
    assert "HistGradientBoosting reference" in result.baseline_source
    value, source = baseline.auto_baseline("it was interrupted (Ctrl-C)")
    assert value == 0.0 and "no reference model: it was interrupted (Ctrl-C)" in source


def test_tiny_data_is_refused_by_name():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5, 3))
    with pytest.raises(ValueError, match="^X has 5 rows: too few for improve"):
        nr.improve(X, np.array([0, 1, 0, 1, 0]), minutes=0.05)
    with pytest.raises(ValueError, match=r"^X has no columns \(shape \(\d+, 0\)\)"):
        nr.improve(np.zeros((24, 0)), np.arange(24) % 2, minutes=0.05)
