"""improve's starting network (issue 24, item 5): robust scaling, and label smoothing for
three classes or more, carried through the trail, the refit, save/load and predict; images
keep the course's path; embeddings are a bias knob; the new start beats the old one on
heavy-tailed inputs."""

import numpy as np
import pandas as pd
import pytest

import nnrecipe as nr
from nnrecipe.data.robust_scale import RobustScaler
from nnrecipe.recipe import knobs, start


def census(m=400, seed=0):
    rng = np.random.default_rng(seed)
    age = rng.integers(17, 80, m).astype(float)
    job = rng.choice(["Sales", "Tech", "Exec", "Other"], m)
    score = 0.05 * (age - 45) + np.where(job == "Exec", 1.5, 0.0) + rng.logistic(0, 0.3, m)
    y = np.array(["low", "mid", "high"])[np.digitize(score, [-0.5, 0.5])]  # three classes
    age[rng.random(m) < 0.05] = np.nan
    return pd.DataFrame({"age": age, "hours": rng.normal(40, 10, m).round(), "job": job,
                         "income": y})  # fmt: skip


def skewed(m, seed):
    """Heavy-tailed (log-normal) inputs, a nonlinear rule, 5 % flipped labels."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, 10))
    X[:, :4] = np.exp(1.5 * X[:, :4])
    logit = np.log(X[:, 0]) * X[:, 4] + np.sin(2 * X[:, 5]) + 0.5 * np.log(X[:, 1]) ** 2 - 0.5
    y = (logit > 0).astype(int)
    return X, np.where(rng.random(m) < 0.05, 1 - y, y)


def roundtrip(net, tmp_path):
    path = tmp_path / "model.npz"
    net.save(path)
    return nr.load(path)


def test_a_table_with_text_columns_starts_robust_and_smoothed_through_refit_and_file(tmp_path):
    table = census()
    r = nr.improve(table, target="income", budget=2, seed=0, baseline_error=0.0)
    first = r.steps[0]
    assert first.config["scaling"] == "robust" and first.config["label_smoothing"] == 0.1
    assert "robust scaling, label smoothing 0.1" in first.change
    assert r.config.label_smoothing == 0.1  # the chosen configuration, refit on train+dev
    net = r.network
    assert net.label_smoothing == 0.1 and net.encoding.preprocessor.scaling == "robust"
    loaded = roundtrip(net, tmp_path)
    assert loaded.label_smoothing == 0.1 and loaded.encoding.preprocessor.scaling == "robust"
    rows = table.drop(columns="income").iloc[:50]
    assert (loaded.predict(rows) == net.predict(rows)).all()
    assert set(net.predict(rows)) <= {"low", "mid", "high"}


def test_a_regression_scales_robustly_without_smoothing(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.lognormal(0, 1, (300, 4))
    y = np.log(X[:, 0]) + 0.5 * X[:, 1] + rng.normal(0, 0.1, 300)
    r = nr.improve(X, y, budget=2, seed=0)
    assert r.steps[0].config["scaling"] == "robust"
    assert r.steps[0].config["label_smoothing"] == 0.0
    net = r.network
    assert isinstance(net.standardizer, RobustScaler)
    pooled = np.concatenate([r.split.train[0], r.split.dev[0]])  # refit: train+dev's median
    assert np.allclose(net.standardizer.median_, np.median(pooled, axis=0))
    loaded = roundtrip(net, tmp_path)
    assert isinstance(loaded.standardizer, RobustScaler)
    assert np.allclose(loaded.predict(X[:20]), net.predict(X[:20]))


def test_two_classes_are_not_smoothed():
    X, y = skewed(300, 4)
    r = nr.improve(X, y, budget=1, cv=1, seed=0, baseline_error=0.0, refit=False)
    assert r.metric == "error" and r.steps[0].config["label_smoothing"] == 0.0
    assert r.network.label_smoothing == 0.0


def test_balanced_error_keeps_calibrated_probabilities():
    X, y = skewed(600, 0)
    y = (X[:, 0] > np.quantile(X[:, 0], 0.94)).astype(int)  # 6 % positives
    r = nr.improve(X, y, budget=1, cv=1, seed=0, baseline_error=0.0)
    assert r.metric == "balanced_error"
    assert r.steps[0].config["label_smoothing"] == 0.0  # p ≥ ε/K would flag every row rare
    assert r.steps[0].config["scaling"] == "robust"


def test_images_keep_the_course_start():
    X, y = nr.datasets.digits()
    r = nr.improve(X[:400], y[:400], images=(8, 8), budget=1, cv=1, seed=0, refit=False)
    config = r.steps[0].config
    assert config["scaling"] == "none" and config["label_smoothing"] == 0.0
    assert config["embeddings"] is None and config["beta2"] == 0.999
    assert r.network.standardizer is None and r.network.embeddings is None
    assert "robust" not in r.steps[0].change
    assert knobs.directions("embeddings", r.config, (8, 8))[1] == []


def test_embeddings_knob_tries_both_kinds_and_the_trail_names_them():
    c = knobs.Config(hidden=(16,))
    how, dirs = knobs.directions("embeddings", c, None)
    assert how == "grid" and [x.embeddings for x in dirs[0]] == ["periodic", "piecewise"]
    assert knobs.describe_change(c, dirs[0][1]) == "embeddings None → piecewise"
    back = knobs.directions("embeddings", dirs[0][1], None)[1][0]
    assert [x.embeddings for x in back] == [None, "periodic"]
    assert "periodic embeddings" in dirs[0][0].describe()


def test_seeded_runs_are_reproducible():
    X, y = skewed(300, 1)
    a, b = (nr.improve(X, y, budget=3, cv=1, seed=3, baseline_error=0.0) for _ in range(2))
    assert [s.dev_after for s in a.steps] == [s.dev_after for s in b.steps]
    assert np.array_equal(a.network.predict_proba(X), b.network.predict_proba(X))


def test_the_new_start_beats_the_old_one_on_heavy_tailed_inputs(monkeypatch):
    """The first run alone (budget 1), seeds 0 and 1 (600 test rows, SE ≈ 1.5 points):
    measured 15.5 % against 23.4 % mean test error (robust scaling does it: z-scores leave
    a log-normal column's bulk in a sliver near its mean)."""

    def first_runs():
        errors = []
        for seed in (0, 1):
            X, y = skewed(3000, seed)
            r = nr.improve(X, y, budget=1, cv=1, refit=False, seed=seed, baseline_error=0.0)
            errors.append(r.test_error)
        return np.mean(errors)

    new = first_runs()
    monkeypatch.setattr(start, "scaling", lambda images: "standard")
    monkeypatch.setattr(start, "techniques", lambda problem: {})
    old = first_runs()
    assert new < 0.19 and new < old - 0.04, (new, old)


@pytest.mark.parametrize("metric", ["log_loss"])
def test_log_loss_scoring_turns_smoothing_off(metric):
    X, y = nr.datasets.spiral(n=300, noise=0.1, seed=0, classes=3)
    r = nr.improve(X, y, budget=1, cv=1, seed=0, metric=metric)
    assert r.steps[0].config["label_smoothing"] == 0.0


def test_a_run_trains_with_the_configurations_beta2_and_schedule():
    from nnrecipe.recipe.runs import Trainer

    X, y = skewed(200, 5)
    trainer = Trainer((X[:150], y[:150]), (X[150:], y[150:]), None, "sigmoid", 1, None, 0)
    config = knobs.Config(hidden=(8,), epochs=6, learning_rate=0.01, beta2=0.95,
                          schedule="cosine", scaling="robust")  # fmt: skip
    kwargs = trainer.fit_kwargs(config)
    assert kwargs["optimizer"].beta2 == 0.95 and kwargs["schedule"] == "cosine"
    assert trainer.fit_kwargs(knobs.Config())["optimizer"] == "adam"  # β₂ 0.999: by name
    run = trainer(config)
    rates = run.history.learning_rate
    assert rates[0] == pytest.approx(0.01) and rates[-1] < rates[1] < rates[0]  # cosine
    assert "β₂=0.95" in config.describe() and "cosine schedule" in config.describe()
