"""nr.improve done as a careful practitioner would (issue 14): the noise guard, the auto
metric and baseline, images only when told, the whole time budget, refit on train+dev and
the one test evaluation, Ctrl-C."""

import numpy as np
import pytest

import nnrecipe as nr
from nnrecipe.recipe import baseline as recipe_baseline
from nnrecipe.recipe import knobs, metrics
from nnrecipe.recipe.knobs import Config
from nnrecipe.recipe.loop import Recipe
from nnrecipe.recipe.runs import Run, Trainer
from nnrecipe.recipe.start import data_config


# ------------------------------------------------------------------ metrics, noise guard
def test_per_example_values_average_to_the_metric_and_balanced_error_weighs_classes():
    y = np.array([0, 0, 0, 0, 0, 0, 0, 0, 1, 1])
    proba = np.eye(2)[[0, 0, 0, 0, 0, 0, 0, 1, 0, 1]]  # one of 8 zeros wrong, one of 2 ones
    assert metrics.score("error", y, proba) == pytest.approx(0.2)
    assert metrics.score("balanced_error", y, proba) == pytest.approx((1 / 8 + 1 / 2) / 2)
    p = np.array([[0.9], [0.2]])  # a sigmoid unit: P(class 1)
    assert metrics.per_example("log_loss", [1, 0], p) == pytest.approx(-np.log([0.9, 0.8]))


def test_a_drop_smaller_than_the_paired_standard_error_is_not_an_improvement():
    old = np.zeros(400)
    old[:40] = 1  # 10 % error on 400 dev rows
    one_fewer = old.copy()
    one_fewer[0] = 0
    assert not metrics.better(one_fewer, old)  # 0.25 points: below what 400 rows resolve
    many_fewer = old.copy()
    many_fewer[:20] = 0
    mean, se = metrics.paired_difference(many_fewer, old)
    assert mean == pytest.approx(-0.05) and se == pytest.approx(np.sqrt(0.05 * 0.95 / 399))
    assert metrics.better(many_fewer, old)
    # the resolution of one dev value: SE = sqrt(p(1 − p)/(m − 1)) for an error rate
    assert metrics.resolution(old) == pytest.approx(np.std(old, ddof=1) / 20)


class StubTrainer:
    """Runs whose dev values are scripted per λ: λ = 0.1 lowers the dev error by one row in
    200 (within the noise), λ = 1 by 30 rows (beyond it)."""

    folds, metric, images, deadline = 1, "error", None, None

    def __init__(self):
        X = np.random.default_rng(0).normal(size=(300, 3))
        self.train, self.dev = (X[:100], np.zeros(100)), (X[100:], np.zeros(200))
        self.pooled = (X, np.zeros(300))

    def __call__(self, config):
        values = np.zeros(200)
        wrong = {0.1: 39, 1.0: 10}.get(config.l2, 40)
        values[:wrong] = 1
        return Run(config, None, nr.History(), 0.0, values.mean(), 0.01, values, [5])


def test_the_recipe_keeps_only_changes_beyond_the_dev_resolution():
    recipe = Recipe(StubTrainer(), Config(), user_baseline=0.0,
                    thresholds={"bias_threshold": 0.02, "variance_threshold": 0.02},
                    budget=None, seconds=60, seed=0, progress=False, learning_curve=False,
                    notes=[])  # fmt: skip
    recipe.measure(Config(), "start", "start", "start", "measure first")
    how, dirs = knobs.directions("l2", recipe.current.config, False)
    assert how == "grid" and [c.l2 for c in dirs[0]] == list(knobs.L2_GRID)
    assert recipe.search_knob("variance", "l2", how, dirs)
    by_l2 = {s.config["l2"]: s for s in recipe.steps[1:]}
    assert by_l2[0.1].dev_after < by_l2[0.1].dev_before  # lower, yet within the noise
    assert by_l2[1.0].kept and recipe.current.config.l2 == 1.0
    assert not any(s.kept for s in recipe.steps[1:] if s.config["l2"] != 1.0)
    assert by_l2[1.0].resolution == pytest.approx(np.sqrt(0.15 * 0.85 / 199), rel=1e-3)
    # refined around the best: the geometric means with its grid neighbours 0.1 and 10
    assert {0.316, 3.16} <= set(by_l2)


# ------------------------------------------------------------------ metric, baseline, data
def test_auto_metric_is_balanced_error_on_imbalanced_labels_and_says_so():
    y = np.r_[np.zeros(970), np.ones(30)]
    assert metrics.auto_metric(y)[0] == "balanced_error"
    assert metrics.auto_metric(np.arange(26).repeat(40))[0] == "error"  # 26 even classes
    X = np.random.default_rng(0).normal(size=(1000, 4))
    X[:, 0] += 2.5 * y
    r = nr.improve(X, y, budget=1, cv=1, seed=0)
    assert r.metric == "balanced_error" and r.diagnosis.metric == "balanced_error"
    assert any("balanced error" in n for n in r.notes)
    proba = r.network.predict_proba(r.split.test[0])
    assert r.test_error == pytest.approx(metrics.score("balanced_error", r.split.test[1], proba))
    # the balanced decision predicts the rare class far more than its 3 % share
    assert r.network.predict(X).mean() > 0.03


def test_auto_baseline_lands_near_a_known_bayes_error():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 3000)
    X = rng.normal(size=(3000, 5))
    X[:, 0] += 2 * 1.2816 * y  # two unit Gaussians: Bayes error Φ(−1.2816) = 10 %
    r = nr.improve(X, y, budget=1, seed=0, refit=False)
    assert r.baseline_source.startswith("auto")
    assert r.diagnosis.baseline_source == r.baseline_source
    assert abs(r.baseline_error - 0.10) < 0.035
    given = nr.improve(X, y, budget=1, seed=0, refit=False, baseline_error=0.05)
    assert given.baseline_error == 0.05 and given.baseline_source.startswith("given")


def test_a_table_is_never_taken_for_images_unless_told():
    X, y = nr.datasets.moons(n=300, seed=0)
    table = np.abs(np.random.default_rng(0).normal(size=(300, 62)))
    table = np.hstack([X - X.min(axis=0), table])  # 64 non-negative columns, a perfect square
    r = nr.improve(table, y, budget=1, cv=1, seed=0)
    assert not r.images and r.network.standardizer is not None
    assert any("could be square image pixels" in n for n in r.notes)
    told = nr.improve(table, y, budget=1, cv=1, seed=0, images="8x8")
    assert told.images and told.network.standardizer is None
    with pytest.raises(ValueError, match="images"):
        nr.improve(table, y, budget=1, images=(7, 7))


def test_zeros_where_zero_is_implausible_are_flagged_as_missing():
    rng = np.random.default_rng(0)
    X = np.c_[rng.normal(120, 15, 500), rng.normal(0, 1, 500), rng.poisson(3, 500)]
    X[:20, 0] = 0  # a blood pressure of 0: missing
    assert recipe_baseline.zero_coded_columns(X) == [0]


def test_dark_pixels_are_not_flagged_as_missing_values():
    X, y = nr.datasets.moons(n=300, seed=0)
    rng = np.random.default_rng(0)
    pixels = rng.uniform(0.5, 1.0, size=(300, 16))
    pixels[:30, 5] = 0  # an unlit pixel: 0 far below the column's other values
    pixels[:, :2] = (X - X.min(axis=0)) / np.ptp(X, axis=0)
    flagged = "hold zeros isolated far below"
    table = nr.improve(pixels, y, budget=1, cv=1, seed=0, refit=False)
    assert any(flagged in n and "[5]" in n for n in table.notes)
    images = nr.improve(pixels, y, budget=1, cv=1, seed=0, refit=False, images="4x4")
    assert not any(flagged in n for n in images.notes)


def test_the_start_is_sized_from_the_data():
    assert data_config(500, 8, 2) == {"hidden": (64,), "batch_size": 32}
    assert data_config(8000, 784, 10) == {"hidden": (256, 256), "batch_size": 64}
    assert data_config(3000, 16, 26)["hidden"] == (128, 128)


# ------------------------------------------------------------------ budget, refit, Ctrl-C
def test_the_time_budget_is_used_when_the_knobs_run_out():
    X, y = nr.datasets.moons(n=300, noise=0.3, seed=0)
    r = nr.improve(X, y, minutes=0.08, epochs=15, cv=1, seed=0, learning_curve=False)
    assert r.stop_reason == "time"
    assert 0.9 * 4.8 <= r.seconds <= 1.1 * 4.8  # the 4.8 s asked for, within ±10 %
    assert any(s.knob == "search" and s.kind == "refine" for s in r.steps)
    assert {"l2", "dropout", "wider"} <= {s.knob for s in r.steps}  # every knob first
    assert any(n.startswith("after the knobs, the time left went to a search") for n in r.notes)


def test_the_choice_is_refit_on_train_and_dev_and_tested_once(monkeypatch):
    X, y = nr.datasets.moons(n=400, noise=0.3, seed=0)
    parts = nr.split(X, y, seed=0)
    test, calls = parts.test, []
    predict_proba = nr.Network.predict_proba

    def spy(self, X_):
        calls.append(X_ is test[0])
        return predict_proba(self, X_)

    monkeypatch.setattr(nr.Network, "predict_proba", spy)
    r = nr.improve(*parts.train, dev=parts.dev, test=test, budget=3, cv=1, seed=0)
    assert r.refit and sum(calls) == 1 and calls[-1]  # the test set: once, at the end
    pooled = np.concatenate([parts.train[0], parts.dev[0]])
    # the start scales robustly (issue 24): the median of train+dev, fitted on both
    assert np.allclose(r.network.standardizer.median_, np.median(pooled, axis=0))
    assert r.test_error == pytest.approx(np.mean(r.network.predict(test[0]) != test[1]))
    assert any("refit on train+dev (320 rows)" in n for n in r.notes)


def test_ctrl_c_keeps_the_best_so_far_and_a_complete_trail(monkeypatch):
    X, y = nr.datasets.moons(n=300, noise=0.3, seed=0)
    calls = []
    real = Trainer.__call__

    def interrupting(self, config):
        calls.append(config)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(self, config)

    monkeypatch.setattr(Trainer, "__call__", interrupting)
    r = nr.improve(X, y, epochs=10, cv=1, seed=0, n_jobs=1)  # the patch is in this process
    assert r.stop_reason == "interrupted" and len(r.steps) == 2 and not r.refit
    assert r.network is not None and 0 <= r.test_error <= 1
    assert r.to_dict()["steps"][1]["knob"] == r.steps[1].knob


# ------------------------------------------------------------------ tune's guard
def test_tune_picks_the_simplest_trial_within_one_standard_error_of_the_lowest():
    from nnrecipe.tune.result import TuneResult

    def trial(number, dev_error, width, depth):
        params = {"width": width, "depth": depth}
        return {"number": number, "state": "COMPLETE", "dev_error": dev_error, "params": params}

    settings = {"n_dev": 120, "n_features": 10, "n_out": 2}
    trials = [trial(0, 0.20, 16, 1), trial(1, 0.15, 256, 3), trial(2, 0.17, 32, 1)]
    result = TuneResult("s", None, trials, settings, "done")
    # SE = √(0.15 · 0.85 / 120) = 3.3 points: trials 1 (0.15) and 2 (0.17) are within it
    assert result._guarded(trials)["number"] == 2
    assert "one-standard-error rule" in result.selection
    big_dev = TuneResult("s", None, trials, {**settings, "n_dev": 100_000}, "done")
    assert big_dev._guarded(trials)["number"] == 1  # a large dev set resolves 2 points


def test_ctrl_c_in_the_first_run_keeps_its_best_weights(monkeypatch):
    X, y = nr.datasets.moons(n=300, noise=0.3, seed=0)
    fit = nr.Network.fit

    def interrupted_fit(self, *args, **kwargs):
        history = fit(self, *args, **{**kwargs, "epochs": 3})
        history.stop_reason = "interrupted"
        return history

    monkeypatch.setattr(nr.Network, "fit", interrupted_fit)
    r = nr.improve(X, y, cv=1, seed=0)
    assert r.stop_reason == "interrupted" and len(r.steps) == 1 and not r.refit
    assert r.network is not None and r.steps[0].epochs <= 3
