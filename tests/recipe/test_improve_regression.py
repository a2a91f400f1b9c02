"""`nr.improve` on real-valued targets: the recipe in z-units of a standardized target
(mse 1 = predicting the mean), the chosen network predicting in the target's own units."""

import json

import numpy as np
import pytest

import nnrecipe as nr
from nnrecipe.cli import main
from nnrecipe.recipe import baseline, learning_curves, metrics
from nnrecipe.recipe.runs import Trainer
from nnrecipe.recipe.stopping import DevPatience

NOISE = 0.3
# y = sin(3·x0) + x1² + ε, x uniform on [−1, 1]², ε ~ N(0, 0.3²):
# Var sin(3x) = 1/2 − sin(6)/12, Var x² = 1/5 − 1/9, so the noise is this share of Var y,
# the mse (in z-units) of the best possible predictor
NOISE_SHARE = NOISE**2 / (0.5 - np.sin(6) / 12 + 1 / 5 - 1 / 9 + NOISE**2)  # 0.128


def regression(m: int, seed: int = 0):
    """(X, y) with y in its own units: 10·(sin(3x0) + x1² + ε) + 50."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(m, 2))
    y = np.sin(3 * X[:, 0]) + X[:, 1] ** 2 + NOISE * rng.normal(size=m)
    return X, 10 * y + 50


@pytest.fixture(scope="module")
def mse_run():
    X, y = regression(1000)
    return nr.improve(X, y, budget=3, minutes=0.5, cv=1, seed=0)


def test_improve_reaches_the_noise_share_in_z_units(mse_run):
    r = mse_run
    assert r.metric == "mse" and set(r.test_scores) == {"mse", "mae"}
    assert r.test_error == r.test_scores["mse"]
    # near the Bayes mse (0.128 of the variance), far below predicting the mean (1)
    assert NOISE_SHARE - 0.04 < r.dev_error < NOISE_SHARE + 0.06
    assert NOISE_SHARE - 0.04 < r.test_error < NOISE_SHARE + 0.06
    assert r.steps[0].train_after < 1.0 and len(r.steps) == 3
    # metric auto → mse, and the notes say what the numbers mean
    assert r.notes[0] == "metric: regression targets: mean squared error"
    assert any("1 = predicting the mean" in n for n in r.notes)
    assert any("1 = predicting the mean" in n for n in r.diagnosis.notes)


def test_the_chosen_network_predicts_in_the_targets_own_units(mse_run):
    r = mse_run
    (Xtr, ytr), _, (Xte, yte) = r.split  # the split keeps y in its own units
    mean, sd = ytr.mean(), ytr.std()
    assert r.network.target_scaling == pytest.approx((mean, sd), rel=1e-12)
    assert 40 < mean < 60 and 5 < sd < 12
    z = r.network.predict_proba(Xte)[:, 0]  # the network's own output: z-units
    pred = r.network.predict(Xte)
    np.testing.assert_allclose(pred, mean + sd * z, rtol=1e-12)
    # the test mse in z-units is the mse in y's units over σ_y²
    assert np.mean((pred - yte) ** 2) / sd**2 == pytest.approx(r.test_error, rel=1e-9)
    assert np.mean(np.abs(pred - yte)) / sd == pytest.approx(r.test_scores["mae"], rel=1e-9)


def test_regression_values_print_as_numbers_not_percentages(mse_run):
    r = mse_run
    assert "%" not in r.message.replace("2 %", "") and f"{r.diagnosis.variance:.4g}" in r.message
    assert "%" not in str(r.diagnosis).split("next steps")[0]
    rows = [row for row in r.table().columns[4].cells]
    assert rows[0] == f"{r.steps[0].dev_after:.4g}" and "%" not in "".join(rows)
    data = json.loads(json.dumps(r.to_dict()))
    assert data["metric"] == "mse" and data["test_scores"]["mse"] == r.test_error


def test_the_auto_baseline_is_a_gradient_boosting_regressor_near_the_noise_share():
    pytest.importorskip("sklearn")
    X, y = regression(1000, seed=1)
    z = (y - y[:600].mean()) / y[:600].std()
    trainer = Trainer((X[:600], z[:600]), (X[600:], z[600:]), None, "linear", 1, None, 0, "mse")
    value, values, where = baseline.reference(trainer)
    assert abs(value - NOISE_SHARE) < 0.06 and values.shape == (400,)
    assert value == pytest.approx(np.mean(values)) and "HistGradientBoosting" in where
    trainer.metric = "mae"  # the absolute-error loss, scored by mae
    mae = baseline.reference(trainer)[0]
    assert abs(mae - NOISE * np.sqrt(2 / np.pi) / np.sqrt(NOISE**2 / NOISE_SHARE)) < 0.05


def test_small_data_decides_by_unstratified_folds_against_a_given_baseline():
    X, y = regression(400, seed=4)
    r = nr.improve(X, y, baseline_error=0.13, budget=1, minutes=0.3)
    assert r.folds == 5 and r.baseline_error == 0.13  # in z-units, as given
    # high variance: a learning curve in mse (the network's own error on the z-target)
    curve = r.learning_curve
    assert r.diagnosis.high_variance and curve.metric == "mse" and curve.sizes[-1] == 240
    assert " mse per doubling" in curve.verdict and all(0 < v < 0.5 for v in curve.dev_errors)
    assert r.diagnosis.baseline_source.startswith("given")
    assert r.diagnosis.avoidable_bias == pytest.approx(r.train_error - 0.13)
    assert NOISE_SHARE - 0.05 < r.dev_error < NOISE_SHARE + 0.1  # out of fold, 320 rows
    with pytest.raises(ValueError, match="baseline_error"):
        nr.improve(X, y, baseline_error=-0.1)
    # the reference scores every pooled row out of fold
    pytest.importorskip("sklearn")
    z = (y - y.mean()) / y.std()
    t = Trainer((X[:300], z[:300]), (X[300:], z[300:]), None, "linear", 1, None, 0, "mse", 5)
    assert np.bincount(t.fold_of).tolist() == [80] * 5
    value, values, where = baseline.reference(t)
    assert values.shape == (400,) and "5-fold" in where and abs(value - NOISE_SHARE) < 0.08


def test_a_regression_diagnosis_accepts_values_above_one_and_shows_numbers():
    d = nr.diagnose(1.4, 1.2, 0.1, metric="mse")  # worse than predicting the mean
    assert d.case == "high_bias" and d.avoidable_bias == pytest.approx(1.3)
    assert "variance -0.2" in d.notes[-1] and "%" not in str(d).split("next steps")[0]
    with pytest.raises(ValueError, match="error rate"):
        nr.diagnose(1.4, 1.2, 0.1)  # as error rates they are out of range


def test_early_stopping_on_mae_scores_the_dev_predictions():
    X, y = regression(200)
    net = nr.Network([2, 8, 1], output="linear", seed=0)
    history = net.fit(X[:150], (y[:150] - 50) / 10, epochs=3, dev=(X[150:], (y[150:] - 50) / 10))
    dev = (X[150:], (y[150:] - 50) / 10)
    by_hand = np.mean(np.abs(net.predict(dev[0]) - dev[1]))
    assert DevPatience("mae", 5, dev).value(net, history) == pytest.approx(by_hand, rel=1e-12)
    # mse: the history's dev error, the mean squared error itself (the dev loss is half)
    mse = np.mean((net.predict(dev[0]) - dev[1]) ** 2)
    assert DevPatience("mse", 5, dev).value(net, history) == pytest.approx(mse, rel=1e-9)
    assert history.dev_loss[-1] == pytest.approx(mse / 2, rel=1e-9)


def test_mae_is_the_metric_when_asked():
    X, y = regression(600, seed=2)
    r = nr.improve(X, y, metric="mae", budget=1, minutes=0.3, cv=1, learning_curve=False)
    assert r.metric == "mae" and r.test_error == r.test_scores["mae"]
    assert r.notes[0] == "metric: metric mae, as asked"
    assert any("mae in units of the target's standard deviation" in n for n in r.notes)
    # a network predicting the mean of a normal target scores about 0.8; the noise ≈ 0.29
    assert 0.2 < r.dev_error < 0.45 and r.diagnosis.metric == "mae"


@pytest.mark.parametrize(
    "y_kind, metric, match",
    [
        ("real", "error", "metric='error' does not suit real-valued"),
        ("real", "log_loss", "metric='log_loss' does not suit real-valued"),
        ("labels", "mse", "metric='mse' does not suit class labels"),
        ("real", "r2", "metric='r2' is not known"),
        ("names", "mae", "metric='mae' does not suit class labels"),
    ],
)
def test_a_metric_of_the_other_task_is_named(y_kind, metric, match):
    X, y = regression(200)
    if y_kind == "labels":
        y = (y > 50).astype(int)
    if y_kind == "names":  # 3 named classes: encoded 0, 1, 2, but never a regression
        y = np.array(["low", "mid", "high"])[np.digitize(y, [45, 55])]
    with pytest.raises(ValueError, match=match):
        nr.improve(X, y, metric=metric, budget=1)


def test_whole_numbers_asked_as_a_regression_are_one():
    X, y = regression(300)
    counts = np.round(y).astype(int)  # 30..70: would be 71 classes
    r = nr.improve(X, counts, metric="mae", budget=1, minutes=0.2, cv=1, learning_curve=False)
    assert r.network.layer_sizes[-1] == 1 and r.metric == "mae"
    assert "learned as a regression" in r.notes[0] and 0.1 < r.dev_error < 0.5
    assert np.issubdtype(r.network.predict(X[:5]).dtype, np.floating)
    data = r.to_dict()
    assert data["task"] == "regression"
    assert data["target_scaling"] == pytest.approx(
        [counts[r.split.indices["train"]].mean(), counts[r.split.indices["train"]].std()]
    )


def test_over_a_hundred_whole_numbers_are_a_regression_by_default():
    X, y = regression(300)
    cents = np.round(10 * y)  # whole numbers, about 250 distinct: a quantity, not classes
    r = nr.improve(X, cents, budget=1, minutes=0.2, cv=1, learning_curve=False)
    assert r.metric == "mse" and r.network.layer_sizes[-1] == 1
    assert "distinct whole numbers (over 100), learned as a regression" in r.notes[0]
    # 100 distinct values or fewer stay classes, as before
    few = np.repeat(np.arange(5), 60)
    assert nr.improve(X, few, budget=1, minutes=0.1, cv=1).network.layer_sizes[-1] == 5


def test_several_real_valued_columns_are_refused_naming_y():
    X, y = regression(200)
    with pytest.raises(ValueError, match="y has 2 real-valued columns"):
        nr.improve(X, np.column_stack([y, -y]), budget=1)


def test_a_regression_learning_curve_shows_numbers():
    curve = learning_curves.LearningCurve([100, 200, 400], [0.05, 0.08, 0.1],
                                          [0.4, 0.3, 0.2], 0.005)  # fmt: skip
    assert "points" in curve.verdict  # classification: percentage points
    curve.metric = "mse"
    assert "+0.1 mse per doubling" in curve.verdict and "gap is 0.1 mse" in curve.verdict
    assert curve._rows()[0] == ("100", "0.05", "0.4", "0.35")
    assert metrics.show(0.125, "mse") == "0.125" and metrics.show(0.125, "error") == "12.50%"


# ------------------------------------------------------------------ tables and the CLI
def frame(m: int, seed: int = 0):
    pd = pytest.importorskip("pandas")
    X, y = regression(m, seed)
    rng = np.random.default_rng(seed + 10)
    kind = rng.choice(["a", "b"], size=m)
    price = y + np.where(kind == "b", 5.0, 0.0)  # a categorical column that matters
    return pd.DataFrame({"x0": X[:, 0], "x1": X[:, 1], "kind": kind, "price": price})


def test_a_dataframe_with_a_real_valued_target_end_to_end(tmp_path):
    df = frame(800)
    r = nr.improve(df, target="price", budget=1, minutes=0.3, cv=1, learning_curve=False)
    assert r.metric == "mse" and r.classes is None and r.test_error < 0.3
    net = r.network
    y_train = df["price"].to_numpy()[r.split.indices["train"]]
    assert net.target_scaling == pytest.approx((y_train.mean(), y_train.std()), rel=1e-12)
    paths = r.save(tmp_path / "run")
    loaded = nr.load(paths["model"])
    assert loaded.target_scaling == net.target_scaling
    raw = df.drop(columns=["price"]).iloc[r.split.indices["test"]].reset_index(drop=True)
    pred = loaded.predict(raw)  # raw table rows in, the price out
    np.testing.assert_allclose(pred, net.predict(raw), rtol=1e-12)
    truth = df["price"].to_numpy()[r.split.indices["test"]]
    mean, sd = net.target_scaling
    assert np.mean((pred - truth) ** 2) / sd**2 == pytest.approx(r.test_error, rel=1e-9)
    assert json.loads(paths["result"].read_text())["metric"] == "mse"


def test_the_cli_improves_a_regression_csv_and_writes_its_report(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    df = frame(600, seed=3)
    df.to_csv(tmp_path / "houses.csv", index=False)
    args = ["improve", "--dataset", str(tmp_path / "houses.csv"), "--target", "price"]
    args += ["--budget", "2", "--minutes", "0.3", "--cv", "1", "--no-learning-curve"]
    assert main([*args, "--json", "--out", str(tmp_path / "run")]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["metric"] == "mse" and set(result["test_scores"]) == {"mse", "mae"}
    assert result["test_error"] < 0.35 and len(result["steps"]) == 2
    run = tmp_path / "run"
    html = (run / "report.html").read_text()
    assert f"{result['test_error']:.4g}" in html and not (run / "boundary.png").exists()
    raw = df.drop(columns=["price"])
    pred = nr.load(run / "model.npz").predict(raw)
    assert abs(np.mean(pred) - df["price"].mean()) < 1.0  # the price's own units
    # the terminal: plain numbers, the metric named
    assert main([*args, "--budget", "1", "--out", str(tmp_path / "run2"), "--no-report"]) == 0
    text = " ".join(capsys.readouterr().out.split())  # the terminal wraps lines
    assert "metric mse" in text and "1 = predicting the mean" in text
    # a classification metric on a real-valued target: one line naming metric
    code = main([*args, "--metric", "error", "--out", str(tmp_path / "run3")])
    err = capsys.readouterr().err
    assert code == 2 and err.splitlines()[-1].startswith("nnrecipe improve: error: metric='error'")
    assert err.splitlines()[0] == "target 'price': regression"  # what the task was read as
