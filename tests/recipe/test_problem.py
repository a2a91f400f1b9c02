"""The framing of a problem (recipe/problem.py), the one task rule (data/targets.task) and the
one encoding object a network carries (data/encoding.Encoding)."""

import numpy as np
import pandas as pd
import pytest

import nnrecipe as nr
from nnrecipe.cli.commands.common import _classes
from nnrecipe.data.encoding import Encoding
from nnrecipe.data.labels import encode_target
from nnrecipe.data.targets import MAX_CLASSES, is_quantity, task
from nnrecipe.recipe.problem import frame


# ------------------------------------------------------------------ the task rule
@pytest.mark.parametrize(
    "y, kwargs, expected",
    [
        (np.array([0, 1, 1, 0]), {}, ("sigmoid", 1, 0)),
        (np.array([0, 1, 4, 2]), {}, ("softmax", 5, 0)),
        (np.eye(3)[[0, 1, 2, 1]], {}, ("softmax", 3, 0)),
        (np.array([0.5, 1.5, 2.0]), {}, ("linear", 1, 0)),
        (np.arange(MAX_CLASSES + 1), {}, ("linear", 1, MAX_CLASSES + 1)),  # a quantity
        (np.arange(MAX_CLASSES), {}, ("softmax", MAX_CLASSES, 0)),
        (np.array([0, 1, 4, 2]), {"regression": True}, ("linear", 1, 4)),  # mse asked
        (np.arange(150), {"regression": False}, ("softmax", 150, 0)),  # error asked
        (np.arange(150), {"named": True}, ("softmax", 150, 0)),  # labels with names
    ],
)
def test_the_task_rule_decides_classes_or_regression_and_how_many(y, kwargs, expected):
    found = task(y, **kwargs)
    assert (found.output, found.units, found.distinct) == expected
    assert found.classification == (expected[0] != "linear")


def test_the_task_rule_counts_distinct_values_over_every_set():
    train = np.arange(60)
    dev = np.arange(60, 120)  # 120 distinct values in all: a quantity, though train has 60
    assert task(train).output == "softmax"
    assert task(train, labels=[train, dev]).output == "linear"


def test_every_caller_draws_the_same_line_at_max_classes():
    few, many = np.arange(MAX_CLASSES) * 1.0, np.arange(MAX_CLASSES + 1) * 1.0
    assert not is_quantity(MAX_CLASSES) and is_quantity(MAX_CLASSES + 1)
    # a table's target (data/labels) and the command line's arrays (cli/commands/common)
    assert encode_target(few).classes is not None and encode_target(many).classes is None
    assert _classes(few, "auto") and not _classes(many, "auto")
    assert not _classes(few, "mse") and _classes(many, "error")
    assert _classes(np.array([True, False]), "auto") and not _classes(few + 0.5, "auto")


# ------------------------------------------------------------------ the encoding
def test_the_encoding_maps_labels_and_values_both_ways():
    enc = Encoding(classes=["cat", "dog"])
    np.testing.assert_array_equal(enc.targets(["dog", "cat", "dog"]), [1, 0, 1])
    np.testing.assert_array_equal(enc.outputs(np.array([1, 0])), ["dog", "cat"])
    scaled = Encoding(target_scaling=(10.0, 2.0))
    np.testing.assert_allclose(scaled.targets([12.0, 9.0]), [1.0, -0.5])  # (y − μ)/σ
    np.testing.assert_allclose(scaled.outputs(np.array([[1.0], [-0.5]])), [[12.0], [9.0]])
    with pytest.raises(ValueError, match="no fitted table preprocessing"):
        Encoding().inputs(pd.DataFrame({"a": [1.0]}))


def test_a_network_carries_its_encoding_as_one_attribute(tmp_path):
    net = nr.Network([2, 3, 1], seed=0)
    assert net.encoding is None and net.classes is None
    net.classes = ["no", "yes"]  # the parts read and write the one object
    assert net.encoding == Encoding(classes=["no", "yes"])
    net.target_scaling = None
    twin = net.copy()
    twin.classes.append("maybe")
    assert net.classes == ["no", "yes"]  # a copy owns its encoding
    loaded = nr.load(net.save(tmp_path / "m.npz"))
    assert loaded.encoding == Encoding(classes=["no", "yes"])
    assert nr.load(nr.Network([2, 1], seed=0).save(tmp_path / "plain.npz")).encoding is None


# ------------------------------------------------------------------ the framing
def _table(n=120, seed=0):
    rng = np.random.default_rng(seed)
    frame_ = pd.DataFrame(
        {
            "size": rng.normal(0, 1, n),
            "colour": rng.choice(["red", "blue"], n),
            "target": rng.choice(["yes", "no"], n),
        }
    )
    frame_.loc[:19, "size"] = np.nan  # missing in train rows too: an indicator column
    return frame_


def test_a_table_is_framed_once_with_its_encoding_and_its_notes():
    problem = frame(_table(), seed=0)
    enc = problem.encoding
    assert enc.classes == ["no", "yes"] and enc.target_scaling is None
    assert problem.table and not problem.standardize and problem.images is None
    (Xtr, ytr), (Xdev, _), (Xte, _) = problem.sets
    # size, size_missing, colour one-hot (2): the width the preprocessor encodes to
    assert Xtr.shape[1] == Xdev.shape[1] == Xte.shape[1] == enc.preprocessor.n_outputs == 4
    assert len(Xtr) + len(Xdev) + len(Xte) == 120 and set(np.unique(ytr)) == {0, 1}
    assert (problem.output, problem.units, problem.metric) == ("sigmoid", 1, "error")
    assert problem.notes[0].startswith("metric: ") and problem.folds == 5  # dev < 500 rows
    assert problem.preprocessing[0] == "target 'target': classification with 2 classes"


def test_a_regression_target_is_standardized_on_the_training_rows():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 3))
    y = 50 + 10 * X[:, 0] + rng.normal(size=200)
    problem = frame(X, y, seed=0)
    assert (problem.output, problem.units, problem.metric) == ("linear", 1, "mse")
    parts = problem.split  # as split: y in its own units
    mean, sd = problem.encoding.target_scaling
    assert mean == pytest.approx(parts[0][1].mean()) and sd == pytest.approx(parts[0][1].std())
    for (_, z), (_, y_part) in zip(problem.sets, parts, strict=True):
        np.testing.assert_allclose(z, (y_part - mean) / sd)
    assert any("standardized on the training rows" in note for note in problem.notes)


def test_tune_framing_trains_on_all_of_x_when_dev_is_given():
    X, y = nr.datasets.moons(n=100, seed=0)
    named = np.array(["left", "right"])[y]
    problem = frame(X, named, dev=(X[:20], named[:20]), test=False, caller="tune")
    (Xtr, ytr), (Xdev, ydev), (Xte, _) = problem.sets
    assert len(Xtr) == 100 and len(Xdev) == 20 and len(Xte) == 0
    np.testing.assert_array_equal(ytr, y) and np.testing.assert_array_equal(ydev, y[:20])
    assert problem.encoding.classes == ["left", "right"]
    with pytest.raises(TypeError, match="tune needs y"):
        frame(X, None, caller="tune")


def test_improve_prints_nothing_and_returns_the_table_notes(capsys):
    result = nr.improve(_table(), budget=1, epochs=2, learning_curve=False, seed=0)
    assert capsys.readouterr().out == ""  # the library returns notes; only the CLI prints
    assert result.preprocessing[:2] == [
        "target 'target': classification with 2 classes",
        result.preprocessing[1],
    ] and result.preprocessing[1].startswith("class balance: ")
    assert result.network.encoding.preprocessor is not None
    assert result.network.encoding.classes == result.classes == ["no", "yes"]
    assert set(result.network.predict(_table(10, seed=5))) <= {"no", "yes"}


def test_tune_starts_from_the_same_framing_and_hands_over_the_encoding(capsys):
    pytest.importorskip("optuna")
    X, y = nr.datasets.moons(n=200, seed=0)
    named = np.array(["left", "right"])[y]
    result = nr.tune(X, named, dev=(X[:40], named[:40]), trials=1, epochs=2, workers=1, seed=0)
    assert capsys.readouterr().out == ""
    assert result.classes == result.network.encoding.classes == ["left", "right"]
    assert set(result.network.predict(X[:10])) <= {"left", "right"}
    assert set(result.class_errors["per_class"]) == {"left", "right"}


def test_an_estimator_network_carries_the_table_encoding(tmp_path):
    pytest.importorskip("sklearn")
    from nnrecipe.sklearn import NNClassifier

    table = _table()
    X, y = table.drop(columns="target"), table["target"]
    clf = NNClassifier(hidden_layer_sizes=(4,), epochs=3, seed=0).fit(X, y)
    assert clf.network_.encoding is clf.encoding_ and clf.preprocessor_.n_outputs == 4
    saved = nr.load(clf.network_.save(tmp_path / "clf.npz"))  # takes the raw table
    np.testing.assert_allclose(saved.predict_proba(X), clf.predict_proba(X)[:, 1:])
