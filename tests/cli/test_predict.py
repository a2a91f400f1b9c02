"""A raw table through `nnrecipe train`, `improve`, `tune` and `predict`."""

import json

import numpy as np
import pandas as pd
import pytest

import nnrecipe as nr
from nnrecipe.cli import main


def run_json(capsys, args):
    code = main([*args, "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out), captured.err


@pytest.fixture
def table(tmp_path):
    """A census-like CSV: ids, names, text with '?' and leading spaces, empty cells, booleans
    and string labels; plus new rows without the label and with an unseen category."""
    rng = np.random.default_rng(0)
    m = 240
    age = rng.normal(40, 12, m).round()
    work = rng.choice(["Private", "State-gov", "Self-emp"], m)
    lines = ["id,age,workclass,member,hours,name,income"]
    for i in range(m):
        hours = "" if rng.random() < 0.1 else f"{rng.normal(40, 5):.1f}"
        cell = "?" if i % 17 == 0 else work[i]
        label = ">50K" if age[i] > 45 or work[i] == "Self-emp" else "<=50K"
        lines.append(f"{i},{age[i]:.0f}, {cell},{rng.random() < 0.5},{hours},Person {i}, {label}")
    (tmp_path / "train.csv").write_text("\n".join(lines) + "\n")
    new = pd.read_csv(tmp_path / "train.csv", skipinitialspace=True).head(12)
    new = new.drop(columns="income")
    new.loc[0, "workclass"] = "Never-worked"  # a category unseen in training
    new.to_csv(tmp_path / "new.csv", index=False)
    return tmp_path


def test_train_then_predict_gives_the_original_labels(table, capsys):
    result, err = run_json(
        capsys,
        [
            "train",
            "--dataset",
            str(table / "train.csv"),
            "--target",
            "income",
            "--epochs",
            "40",
            "--no-report",
            "--out",
            str(table / "run"),
        ],
    )
    assert "target 'income': classification with 2 classes" in err and "class balance" in err
    assert "name: dropped, ID-like" in err and "id: dropped, ID-like" in err
    assert result["classes"] == ["<=50K", ">50K"] and result["preprocessing"]
    assert set(result["class_errors"]["per_class"]) == {"<=50K", ">50K"}
    assert "balanced_error" in result["class_errors"]
    summary, err = run_json(
        capsys,
        [
            "predict",
            "--model",
            str(table / "run"),
            "--data",
            str(table / "new.csv"),
            "--out",
            str(table / "p.csv"),
            "--proba",
        ],
    )
    assert summary["n"] == 12
    out = pd.read_csv(table / "p.csv")
    assert list(out.columns[-3:]) == ["prediction", "proba_<=50K", "proba_>50K"]
    assert set(out["prediction"]) <= {"<=50K", ">50K"}
    np.testing.assert_allclose(out["proba_<=50K"] + out["proba_>50K"], 1.0)
    net = nr.load(table / "run" / "model.npz")
    expected = net.predict(pd.read_csv(table / "new.csv"))
    np.testing.assert_array_equal(out["prediction"].to_numpy(), expected)


def test_predict_names_a_missing_column_and_ignores_extra_ones(table, capsys):
    args = ["train", "--dataset", str(table / "train.csv"), "--target", "income"]
    assert main([*args, "--epochs", "2", "--no-report", "--out", str(table / "run")]) == 0
    capsys.readouterr()
    pd.read_csv(table / "new.csv").drop(columns="age").to_csv(table / "bad.csv", index=False)
    code = main(["predict", "--model", str(table / "run"), "--data", str(table / "bad.csv")])
    err = capsys.readouterr().err
    assert code == 2 and "lacks the column(s) ['age']" in err
    out = table / "p.csv"
    code = main(
        [
            "predict",
            "--model",
            str(table / "run"),
            "--data",
            str(table / "train.csv"),
            "--out",
            str(out),
        ]
    )
    assert code == 0 and "ignored: ['income']" in capsys.readouterr().err
    assert len(pd.read_csv(out)) == 240


def test_improve_and_tune_on_the_raw_table_then_predict(table, capsys):
    result, _ = run_json(
        capsys,
        [
            "improve",
            "--dataset",
            str(table / "train.csv"),
            "--target",
            "income",
            "--budget",
            "1",
            "--epochs",
            "10",
            "--no-report",
            "--no-learning-curve",
            "--out",
            str(table / "imp"),
        ],
    )
    assert result["classes"] == ["<=50K", ">50K"] and result["class_errors"] is not None
    pytest.importorskip("optuna")
    result, _ = run_json(
        capsys,
        [
            "tune",
            "--dataset",
            str(table / "train.csv"),
            "--target",
            "income",
            "--trials",
            "1",
            "--epochs",
            "3",
            "--workers",
            "1",
            "--no-report",
            "--out",
            str(table / "tune"),
        ],
    )
    assert result["classes"] == ["<=50K", ">50K"]
    for run in ("imp", "tune"):
        summary, _ = run_json(
            capsys,
            [
                "predict",
                "--model",
                str(table / run),
                "--data",
                str(table / "new.csv"),
                "--out",
                str(table / f"{run}.csv"),
            ],
        )
        assert set(summary["counts"]) <= {"<=50K", ">50K"}


def test_without_target_a_column_called_label_is_used_else_the_columns_are_listed(tmp_path, capsys):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 2))
    df = pd.DataFrame({"label": np.where(X[:, 0] > 0, "a", "b"), "u": X[:, 0], "v": X[:, 1]})
    df.to_csv(tmp_path / "first.csv", index=False)
    args = ["train", "--dataset", str(tmp_path / "first.csv"), "--epochs", "2", "--no-report"]
    result, err = run_json(capsys, [*args, "--out", str(tmp_path / "run")])
    assert "target 'label'" in err and result["layers"][0] == 2
    df.rename(columns={"label": "kind"}).to_csv(tmp_path / "none.csv", index=False)
    args[2] = str(tmp_path / "none.csv")
    assert main(args) == 2
    assert "the columns are ['kind', 'u', 'v']" in capsys.readouterr().err


def test_a_uci_data_file_is_read_as_a_table(tmp_path, capsys):
    rng = np.random.default_rng(2)
    rows = [
        f"{rng.choice(['A11', 'A12'])} {rng.integers(4, 72)} {rng.integers(250, 9000)} "
        f"{rng.choice([1, 2])}"
        for _ in range(80)
    ]
    (tmp_path / "german.data").write_text("\n".join(rows) + "\n")
    args = ["train", "--dataset", str(tmp_path / "german.data"), "--target", "3"]
    result, err = run_json(capsys, [*args, "--epochs", "2", "--no-report", "--out", str(tmp_path)])
    assert "target '3': classification with 2 classes" in err and result["classes"] == [1, 2]


def test_diagnose_a_table_model_shows_the_per_class_errors(table, capsys):
    args = ["train", "--dataset", str(table / "train.csv"), "--target", "income"]
    trained, _ = run_json(
        capsys, [*args, "--epochs", "5", "--no-report", "--out", str(table / "r")]
    )
    result, _ = run_json(capsys, ["diagnose", "--model", str(table / "r")])
    assert result["dev_error"] == pytest.approx(trained["dev_error"])
    assert result["class_errors"]["per_class"] == pytest.approx(
        trained["class_errors"]["per_class"]
    )
