"""The basic recipe, automated: `nr.improve` on the issue's three acceptance scenarios,
the knobs, the recorded trail, the budget and bad input."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
from conftest import MNIST_DIR

import nnrecipe as nr
from nnrecipe.recipe import knobs

needs_mnist = pytest.mark.skipif(not MNIST_DIR.is_dir(), reason="the MNIST test set is absent")


# ------------------------------------------------------------------ knobs
def _values(name, c, images=False):
    how, dirs = knobs.directions(name, c, images)
    return how, [[x.to_dict()[knobs.FIELD.get(name, name)] for x in d] for d in dirs]


def test_each_knob_lists_the_values_the_search_walks_and_stops_at_its_cap():
    c = knobs.Config(hidden=(4,), epochs=50, max_epochs=100, learning_rate=0.01)
    assert _values("wider", c) == ("walk", [[[8], [16], [32]]])
    assert _values("wider", c.replace(hidden=(300,))) == ("walk", [[[600], [1024], [1024]]])
    assert _values("wider", c.replace(hidden=(knobs.MAX_WIDTH,)))[1] == [[]]
    assert _values("deeper", c) == ("walk", [[[4, 4], [4, 4, 4]]])
    assert _values("deeper", c.replace(hidden=(4,) * 3))[1] == [[[4] * knobs.MAX_DEPTH]]
    assert not any(knobs.directions("deeper", c.replace(hidden=(4,) * 4), False)[1])
    # longer: the epoch ceiling (up to max_epochs) and the patience (up to 80) together
    how, dirs = knobs.directions("longer", c.replace(early_stopping=30), False)
    assert how == "walk" and [(x.epochs, x.early_stopping) for x in dirs[0]] == [
        (100, 60),
        (100, knobs.MAX_PATIENCE),
    ]
    assert knobs.directions("longer", c.replace(epochs=100), False)[1] == [[]]
    how, (up, down) = _values("learning_rate", c.replace(learning_rate=0.05))
    assert (
        how == "walk"
        and up == [pytest.approx(0.15)]
        and down
        == [
            pytest.approx(0.05 / 3),
            pytest.approx(0.05 / 9),
        ]
    )  # α×9 = 0.45 is above the 0.3 cap
    assert _values("optimizer", c.replace(optimizer="sgd")) == ("once", [["adam"]])
    assert _values("optimizer", c) == ("once", [])
    assert _values("augment", c, images=True) == ("once", [[True]])
    assert (
        _values("augment", c, images=False)
        == ("once", [])
        == _values("augment", c.replace(augment=True), images=True)
    )
    assert _values("l2", c.replace(l2=0.1)) == ("grid", [[1e-3, 1e-2, 1.0, 10.0]])
    assert _values("dropout", c) == ("grid", [list(knobs.KEEP_GRID)])
    smaller = knobs.directions("smaller", c.replace(hidden=(64, 64)), False)
    assert smaller[0] == "shrink" and [[x.hidden for x in d] for d in smaller[1]] == [
        [(64,)],
        [(32, 32), (16, 16)],
    ]
    with pytest.raises(ValueError, match="not one of"):
        knobs.directions("early_stopping", c, False)


def test_every_listed_configuration_changes_its_knob_only():
    c = knobs.Config(hidden=(16, 16), optimizer="sgd", early_stopping=20)
    for name in knobs.BIAS + knobs.VARIANCE:
        for d in knobs.directions(name, c, True)[1]:
            for x in d:
                changed = {k for k, v in x.to_dict().items() if v != c.to_dict()[k]}
                allowed = {"longer": {"epochs", "early_stopping"}, "smaller": {"hidden"},
                           "optimizer": {"optimizer"}, "augment": {"augment"}}  # fmt: skip
                field = allowed[name] if name in allowed else {knobs.FIELD[name]}
                assert changed and changed <= field, name


def test_the_walk_order_is_the_order_the_loop_tries_the_knobs():
    assert knobs.BIAS == ("wider", "embeddings", "deeper", "longer", "learning_rate", "optimizer")
    assert knobs.VARIANCE == ("augment", "smaller", "l2", "dropout")
    # the docstring's table lists them in that order
    rows = [ln.split("``")[1] for ln in knobs.__doc__.splitlines() if ln.startswith("``")]
    assert tuple(rows) == knobs.BIAS + knobs.VARIANCE
    from nnrecipe.recipe import search

    assert search.MAX_DEPTH is knobs.MAX_DEPTH and search.MAX_WIDTH is knobs.MAX_WIDTH


# ------------------------------------------------------------------ acceptance scenarios
@pytest.fixture(scope="module")
def spiral_run():
    X, y = nr.datasets.spiral(n=600, noise=0.05, seed=0, classes=3)
    # hold-out decisions (cv=1) and no refit keep it quick and the network the one measured
    return nr.improve(X, y, network=[2], budget=8, cv=1, seed=0, baseline_error=0.0, refit=False)


def test_far_too_small_network_on_spiral_is_grown_until_train_error_nears_baseline(spiral_run):
    r = spiral_run
    start = r.steps[0]
    assert start.train_after > 0.3  # [2, 2, 3]: far too small, high bias
    assert r.steps[1].kind == "bias"
    # each searched over a range: [2] → [16], then piecewise embeddings (issue 24's knob,
    # tried before depth: 3.3 % dev against 5.8 % for [16]) or [16, 16, 16]
    grown = [s for s in r.kept if s.knob in ("wider", "embeddings", "deeper")]
    assert len(grown) >= 2
    assert r.train_error < 0.05 and r.dev_error < 0.05  # from 52 % and 46 %
    assert r.dev_error < start.dev_after / 5
    assert sum(r.network.layer_sizes[1:-1]) > 2 * 4


def test_the_trail_records_every_step_and_undoes_what_does_not_help(spiral_run):
    r = spiral_run
    assert len(r.steps) <= 10 and r.steps[0].knob == "start"
    state = (r.steps[0].train_after, r.steps[0].dev_after)
    knob, pending = None, None
    for s in r.steps[1:]:
        if s.knob != knob or s.knob == "search":  # a knob's search starts from the kept state
            state, pending, knob = pending or state, None, s.knob
        assert (s.train_before, s.dev_before) == state
        if s.kept:  # kept only when the dev error fell by more than the dev set resolves
            assert s.dev_after < s.dev_before - s.resolution
            pending = (s.train_after, s.dev_after)
        assert s.reason.startswith("high ") and s.change and s.seconds > 0
    state = pending or state
    assert (r.train_error, r.dev_error) == state
    assert r.config.to_dict() == [s for s in r.steps if s.kept][-1].config
    # the chosen network is the one measured: its errors are those of the last kept step
    train, dev = r.split.train, r.split.dev
    assert r.network.evaluate(*train)["error"] == r.train_error
    assert r.network.evaluate(*dev)["error"] == r.dev_error


@needs_mnist
def test_large_network_on_a_few_hundred_digits_gets_regularization_that_lowers_dev_error():
    X, y = nr.datasets.mnist("test", path=MNIST_DIR)
    (Xt, yt), dev, test = nr.split(X, y, ratios=(500, 1000, 8500), seed=0)
    r = nr.improve(
        Xt,
        yt,
        dev=dev,
        test=test,
        network=[256, 256],
        budget=2,
        epochs=30,
        seed=0,
        learning_curve=False,
        images=(28, 28),  # never guessed: the data must say it holds images
        baseline_error=0.0,
    )
    start = r.steps[0]
    assert start.train_after < 0.01 and start.dev_after > 0.1  # memorized: high variance
    assert r.steps[1].kind == "variance" and r.images
    assert r.kept and all(s.kind == "variance" for s in r.kept)
    assert r.dev_error < start.dev_after - 0.02
    assert r.diagnosis.variance < start.dev_after - start.train_after


def test_already_good_fit_stops_after_one_run_and_says_so(monkeypatch):
    X, y = nr.datasets.moons(n=600, noise=0.1, seed=0)
    test_calls = []

    def spy(self, X_):
        test_calls.append(X_ is test[0])
        return predict_proba(self, X_)

    predict_proba = nr.Network.predict_proba
    parts = nr.split(X, y, seed=0)
    test = parts.test
    monkeypatch.setattr(nr.Network, "predict_proba", spy)
    r = nr.improve(
        *parts.train, dev=parts.dev, test=test, network=[32, 32], budget=8, baseline_error=0.0
    )
    assert r.stop_reason == "good_fit" and len(r.steps) == 1
    assert r.message.startswith("already a good fit")
    assert r.diagnosis.case == "good_fit" and r.learning_curve is None
    assert sum(test_calls) == 1 and test_calls[-1]  # the test set: once, at the end
    assert r.test_error <= 0.03


# ------------------------------------------------------------------ budget, output, input
def test_budget_counts_runs_and_the_run_is_reproducible():
    X, y = nr.datasets.spiral(n=300, noise=0.05, seed=1, classes=2)
    a = nr.improve(X, y, network=[2], budget=3, epochs=20, seed=3, cv=1)
    b = nr.improve(X, y, network=[2], budget=3, epochs=20, seed=3, cv=1)
    assert len(a.steps) == 3 and a.stop_reason == "budget"
    assert [s.to_dict() | {"seconds": 0} for s in a.steps] == [
        s.to_dict() | {"seconds": 0} for s in b.steps
    ]
    assert a.test_error == b.test_error
    t = nr.improve(X, y, network=[2], budget=50, epochs=20, minutes=1e-6, cv=1)
    assert t.stop_reason == "time" and len(t.steps) == 1


def test_variance_left_at_the_end_gets_a_learning_curve_and_more_data_advice(spiral_run):
    r = spiral_run
    if r.diagnosis.high_variance:
        assert r.learning_curve is not None
        assert list(r.learning_curve.sizes) == [90, 180, 360]
        if r.learning_curve.more_data_helps:
            assert r.advice[0].startswith("more data is the best next step")
    else:
        assert r.learning_curve is None


def test_save_writes_the_chosen_model_and_the_trail(spiral_run, tmp_path):
    paths = spiral_run.save(tmp_path / "run")
    net = nr.load(paths["model"])
    X, y = spiral_run.split.test
    assert np.array_equal(net.predict(X), spiral_run.network.predict(X))  # raw inputs in
    data = json.loads(paths["result"].read_text())
    assert len(data["steps"]) == len(spiral_run.steps)
    assert data["test_error"] == spiral_run.test_error
    assert data["layer_sizes"] == spiral_run.network.layer_sizes


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"budget": 0}, ValueError, "budget"),
        ({"baseline_error": 1.5}, ValueError, "baseline_error"),
        ({"network": "big"}, TypeError, "network"),
        ({"network": nr.Network([3, 4, 1])}, ValueError, "2 inputs"),
        ({"optimizer": "adamw"}, ValueError, "optimizer"),
        ({"dtype": "float16"}, ValueError, "dtype"),
        ({"y": np.linspace(0, 1, 200), "metric": "error"}, ValueError, "metric='error'"),
    ],
)
def test_bad_input_is_named(kwargs, error, match):
    X, y = nr.datasets.moons(n=200, seed=0)
    y = kwargs.pop("y", y)
    with pytest.raises(error, match=match):
        nr.improve(X, y, **kwargs)


@pytest.mark.parametrize(
    "dtype, m, n_x, chosen",
    [
        ("auto", 1_000, 2, "float64"),  # the spiral: small data
        ("auto", 1_437, 64, "float64"),  # digits: 92k values
        ("auto", 8_000, 784, "float32"),  # MNIST t10k: 6.3M values
        ("auto", 25_000, 10, "float32"),  # exactly 250k values
        ("float64", 8_000, 784, "float64"),  # asked for: kept
        ("float32", 100, 2, "float32"),
    ],
)
def test_networks_are_float32_on_large_data_unless_asked(dtype, m, n_x, chosen):
    from nnrecipe.recipe.problem import network_dtype

    assert network_dtype(dtype, m, n_x)[0] == chosen


def test_the_chosen_dtype_is_the_networks_and_the_notes_say_why():
    X, y = nr.datasets.moons(n=300, seed=0)
    result = nr.improve(X, y, budget=1, epochs=2, dtype="float32")
    assert result.network.dtype == np.float32 and result.network.theta.dtype == np.float32
    assert any("float32 (asked for)" in note for note in result.notes)
    assert nr.improve(X, y, budget=1, epochs=2).network.dtype == np.float64  # small: auto


def test_readme_examples_of_improve_and_tune_run(tmp_path, monkeypatch):
    pytest.importorskip("optuna")
    pytest.importorskip("matplotlib")
    text = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = text[text.index("## The basic recipe, automated: `nnrecipe improve`") :]
    found = re.findall(r"(<!-- readme-test: skip[^\n]*\n)?```python\n(.*?)```", section, re.S)
    blocks = [code for skip, code in found if not skip]  # a skipped block needs a cluster
    assert len(blocks) == 2
    monkeypatch.chdir(tmp_path)  # the examples write runs/spiral and curves.png
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)
    assert namespace["result"].best_value <= 0.1  # the tune example ran last
    assert (tmp_path / "runs" / "spiral" / "model.npz").exists()
    assert (tmp_path / "curves.png").stat().st_size > 1000
