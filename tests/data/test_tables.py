"""Tables end to end through the Python API: reading, the target, labels of any kind,
DataFrames in Network.fit / improve / tune, and model files that keep it all."""

import json
import zipfile

import numpy as np
import pandas as pd
import pytest

import nnrecipe as nr
from nnrecipe.data import tables


def mixed(m=240, seed=0):
    """Numeric, text (with '?' and spaces), boolean columns, empty cells, string labels."""
    rng = np.random.default_rng(seed)
    age = rng.normal(40, 12, m).round()
    city = rng.choice(["north", "south", "east"], m)
    df = pd.DataFrame(
        {
            "age": age,
            "city": city,
            "member": rng.random(m) < 0.5,
            "score": np.where(rng.random(m) < 0.15, np.nan, rng.normal(0, 1, m)),
            "Name": [f"Person {i}" for i in range(m)],
        }
    )
    df["label"] = np.where((age > 45) | (city == "north"), "yes", "no")
    df.loc[3, "city"] = "?"
    return df


def test_read_csv_with_question_marks_spaces_and_empty_cells(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("age, workclass,score,income\n39, State-gov,,<=50K\n50, ?,1.5, >50K\n")
    df = tables.read_table(path)
    assert list(df.columns) == ["age", "workclass", "score", "income"]
    assert df["workclass"][0] == "State-gov" and pd.isna(df["workclass"][1])
    assert pd.isna(df["score"][0]) and df["income"].tolist() == ["<=50K", ">50K"]
    (tmp_path / "t.tsv").write_text("a\tb\n1\tx\n2\ty\n")
    assert tables.read_table(tmp_path / "t.tsv")["b"].tolist() == ["x", "y"]
    (tmp_path / "h.csv").write_text("1,2,3\n4,5,6\n")  # no header line: columns 0, 1, 2
    assert list(tables.read_table(tmp_path / "h.csv").columns) == ["0", "1", "2"]


def test_parquet_needs_pyarrow(tmp_path):
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        (tmp_path / "t.parquet").write_bytes(b"PAR1")
        with pytest.raises(ImportError, match="needs pyarrow"):
            tables.read_table(tmp_path / "t.parquet")
    else:
        mixed().to_parquet(tmp_path / "t.parquet")
        assert len(tables.read_table(tmp_path / "t.parquet")) == 240


def test_the_target_is_named_or_found_or_the_columns_are_listed():
    assert tables.choose_target(["a", "Label"]) == "Label"
    assert tables.choose_target(["a", "b"], "a") == "a"
    with pytest.raises(ValueError, match=r"the columns are \['a', 'b'\]"):
        tables.choose_target(["a", "b"])


@pytest.mark.parametrize(
    "labels, classes",
    [
        (["no", "yes", "no"], ["no", "yes"]),
        ([True, False, True], [False, True]),
        ([3, 9, 7, 3], [3, 7, 9]),
    ],
)
def test_labels_of_any_kind_become_indices_with_their_names(labels, classes):
    target = tables.encode_target(pd.Series(labels), "t")
    assert target.classes == classes
    np.testing.assert_array_equal(np.asarray(classes, dtype=object)[target.y], labels)


def test_real_targets_are_a_regression_and_few_values_warn():
    assert tables.encode_target(np.linspace(0, 1, 50)).classes is None
    with pytest.warns(UserWarning, match="look like classes"):
        assert tables.encode_target([0.5, 1.5, 0.5, 2.5]).classes is None
    with pytest.raises(ValueError, match="single class"):
        tables.encode_target(["a", "a"])


def test_preprocessing_is_fitted_on_the_training_rows_only():
    df = mixed()
    done = tables.split_table(df, target="label", seed=0)
    train_rows = df.iloc[done.parts.indices["train"]]
    assert done.preprocessor.mean_[0] == pytest.approx(train_rows["age"].mean())
    assert done.preprocessor.mean_[0] != pytest.approx(df["age"].mean())
    X_train = done.parts[0][0]
    np.testing.assert_allclose(X_train[:, 0].mean(), 0.0, atol=1e-12)


def test_network_fit_on_a_dataframe_with_text_labels():
    df = mixed()
    X, y = df.drop(columns="label"), df["label"]
    with pytest.raises(ValueError, match="encodes to 9 inputs"):
        nr.Network([5, 4, 1], seed=0).fit(X, y, epochs=1)
    net = nr.Network([9, 8, 1], seed=0)
    net.fit(X, y, epochs=60, batch_size=32, learning_rate=0.01)
    assert net.classes == ["no", "yes"] and set(net.predict(X)) <= {"no", "yes"}
    assert net.evaluate(X, y)["error"] < 0.3


def test_save_load_predict_identical_labels_and_no_pickle(tmp_path):
    df = mixed()
    result = nr.improve(df, target="label", budget=1, epochs=20, learning_curve=False)
    net = result.network
    assert result.classes == ["no", "yes"] and result.class_errors["per_class"].keys() == {
        "no",
        "yes",
    }
    net.save(tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz", allow_pickle=False) as data:
        assert all(data[k].dtype != object for k in data.files)
        meta = json.loads(data["__meta__"].tobytes())
    assert meta["classes"] == ["no", "yes"] and "preprocessor" in meta
    assert meta["format_version"] == 2  # an older nnrecipe refuses it instead of mispredicting
    loaded = nr.load(tmp_path / "m.npz")
    new = mixed(50, seed=5).drop(columns="label")
    new.loc[0, "city"] = "a city never seen"
    np.testing.assert_array_equal(loaded.predict(new), net.predict(new))
    assert set(loaded.predict(new)) <= {"no", "yes"}
    np.testing.assert_array_equal(loaded.predict_proba(new), net.predict_proba(new))
    with pytest.raises(ValueError, match=r"lacks the column\(s\) \['age'\]"):
        loaded.predict(new.drop(columns="age"))


def test_old_model_files_without_preprocessing_still_load(tmp_path):
    net = nr.Network([2, 3, 1], seed=0)
    net.save(tmp_path / "old.npz")
    with zipfile.ZipFile(tmp_path / "old.npz") as z:
        assert not any(n.startswith("preprocess_") for n in z.namelist())
    with np.load(tmp_path / "old.npz", allow_pickle=False) as data:
        assert json.loads(data["__meta__"].tobytes())["format_version"] == 1
    loaded = nr.load(tmp_path / "old.npz")
    assert loaded.preprocessor is None and loaded.classes is None
    X = np.random.default_rng(0).normal(size=(4, 2))
    np.testing.assert_array_equal(loaded.predict(X), net.predict(X))


def test_tune_on_a_dataframe_gives_a_network_that_predicts_labels():
    pytest.importorskip("optuna")
    df = mixed()
    result = nr.tune(df, target="label", trials=1, epochs=5, workers=1, patience=0)
    assert result.classes == ["no", "yes"]
    assert set(result.network.predict(df)) <= {"no", "yes"}
    assert any("Name: dropped" in line for line in result.preprocessing)


def test_space_separated_files_without_a_header_line(tmp_path):
    path = tmp_path / "german.data"
    path.write_text("A11 6 A34 1169 1\nA12 48 A32 5951 2\nA14 12 A34 2096 1\n")
    df = tables.read_table(path)
    assert df.shape == (3, 5) and list(df.columns) == ["0", "1", "2", "3", "4"]
    assert df["0"].tolist() == ["A11", "A12", "A14"] and df["1"].dtype.kind in "if"


def test_a_regression_target_is_learned_as_z_scores_and_predicted_in_its_units(tmp_path):
    rng = np.random.default_rng(0)
    m = 300
    df = pd.DataFrame({"area": rng.normal(1500, 400, m), "kind": rng.choice(["a", "b"], m)})
    df["price"] = 100.0 * df["area"] + np.where(df["kind"] == "a", 20000.0, 0.0)
    done = tables.split_table(df, target="price", seed=0)
    y_train = df["price"].to_numpy()[done.parts.indices["train"]]
    assert done.scaling == pytest.approx((y_train.mean(), y_train.std()))
    net = nr.Network([3, 8, 1], output="linear", seed=0)
    net.preprocessor, net.target_scaling = done.preprocessor, done.scaling
    net.fit(df.drop(columns="price"), df["price"], epochs=200, learning_rate=0.01)
    net.save(tmp_path / "r.npz")
    loaded = nr.load(tmp_path / "r.npz")
    predicted = loaded.predict(df)
    np.testing.assert_array_equal(predicted, net.predict(df))
    assert np.sqrt(np.mean((predicted - df["price"]) ** 2)) < 0.1 * df["price"].std()


def test_sklearn_estimators_take_a_raw_dataframe():
    pytest.importorskip("sklearn")
    from nnrecipe.sklearn import NNClassifier

    df = mixed()
    X, y = df.drop(columns="label"), df["label"]
    clf = NNClassifier(hidden_layer_sizes=(8,), epochs=30, seed=0).fit(X.iloc[:200], y[:200])
    assert clf.preprocessor_.n_outputs == clf.n_features_in_ == 9
    assert set(clf.predict(X.iloc[200:])) <= {"no", "yes"}
    assert clf.predict_proba(X.iloc[200:]).shape == (40, 2)


def test_the_readme_table_example_runs():
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    blocks = [b for b in re.findall(r"```python\n(.*?)```", readme, flags=re.S) if "churn" in b]
    assert len(blocks) == 1
    namespace: dict = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)
    assert set(namespace["nr"].load(namespace["path"]).predict(namespace["new"])) <= {"no", "yes"}


def test_improve_and_fit_take_text_labels_with_arrays():
    X, y = nr.datasets.moons(n=300, seed=0)
    names = np.where(y == 1, "dog", "cat")
    result = nr.improve(X, names, budget=1, epochs=5, learning_curve=False)
    assert result.classes == ["cat", "dog"] and set(result.network.predict(X)) <= {"cat", "dog"}
    net = nr.Network([2, 8, 1], seed=0)
    net.fit(X, names, epochs=2)
    assert net.classes == ["cat", "dog"] and net.evaluate(X, names)["error"] <= 1
