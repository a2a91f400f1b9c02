"""One table reader for Python and the shell (issue 26): nr.datasets.load and nr.improve
read a CSV with text columns as `nnrecipe improve --dataset` does; an Excel workbook is
named as one; course-layout hints; a table model given an array names its columns."""

import sys

import numpy as np
import pandas as pd
import pytest

import nnrecipe as nr


@pytest.fixture
def credit(tmp_path):
    rng = np.random.default_rng(0)
    m = 200
    checking = rng.choice(["A11", "A12", "A13"], m)
    amount = rng.gamma(2.0, 1500.0, m).round()
    credit = np.where((checking == "A11") | (amount > 4000), "bad", "good")
    frame = pd.DataFrame({"checking": checking, "amount": amount, "credit": credit})
    frame.loc[3, "amount"] = np.nan  # an empty cell: the table reader imputes it
    path = tmp_path / "train.csv"
    frame.to_csv(path, index=False)
    return path, frame


def test_load_reads_text_columns_as_a_table(credit):
    path, frame = credit
    X, y = nr.datasets.load(path, target="credit")
    assert isinstance(X, pd.DataFrame) and list(X.columns) == ["checking", "amount"]
    assert list(y[:5]) == list(frame["credit"][:5]) and len(X) == len(y) == 200
    data = nr.datasets.load(path)  # the last column by default, as for number-only files
    assert data.target == "credit" and data.classes == ["bad", "good"]
    # numbers only: still the float64 array it always was
    numeric = path.with_name("n.csv")
    frame[["amount", "credit"]].assign(credit=lambda f: (f.credit == "bad").astype(int)).fillna(
        0
    ).to_csv(numeric, index=False)
    X2, y2 = nr.datasets.load(numeric)
    assert isinstance(X2, np.ndarray) and X2.dtype == np.float64


def test_improve_takes_a_table_file(credit):
    path, _ = credit
    r = nr.improve(str(path), target="credit", budget=1, minutes=0.3, epochs=20)
    assert r.classes == ["bad", "good"] and r.network.preprocessor is not None
    X, _ = nr.datasets.load(path, target="credit")
    assert set(r.network.predict(X)) <= {"bad", "good"}


def test_a_table_model_given_an_array_names_its_columns(credit):
    path, _ = credit
    X, y = nr.datasets.load(path, target="credit")
    r = nr.improve(X, y, budget=1, minutes=0.3, epochs=20)
    columns = r"trained on a table.*DataFrame.*\['checking', 'amount'\]"
    with pytest.raises(ValueError, match=columns):
        r.network.predict(X.assign(checking=0).to_numpy(dtype=float))


def test_an_excel_workbook_is_named_as_one(credit, monkeypatch):
    pytest.importorskip("openpyxl")
    path, frame = credit
    book = path.with_suffix(".xlsx")
    frame.to_excel(book, index=False)
    X, y = nr.datasets.load(book, target="credit")
    assert list(X.columns) == ["checking", "amount"] and len(y) == 200
    disguised = path.with_name("book.csv")  # a workbook saved under a .csv name
    disguised.write_bytes(book.read_bytes())
    assert len(nr.datasets.load(disguised, target="credit")[0]) == 200
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # as on a machine without it
    with pytest.raises(ImportError, match="is an Excel workbook.*pip install openpyxl.*CSV"):
        nr.datasets.load(book, target="credit")
    from nnrecipe.data.tables import read_table

    with pytest.raises(ImportError, match="Excel workbook") as error:
        read_table(disguised)
    assert "not UTF-8 text" not in str(error.value) and "iconv" not in str(error.value)


@pytest.mark.parametrize(
    "call, hint",
    [
        (lambda X, y: nr.Network([2, 4, 1]).fit(X, y.reshape(1, -1), epochs=1), "y.ravel()"),
        (lambda X, y: nr.Network([2, 4, 3]).fit(X, np.eye(3)[y].T, epochs=1), "pass Y.T"),
        (lambda X, y: nr.improve(X.T, y, budget=1), "pass X.T"),
        (lambda X, y: nr.improve(X, y.reshape(1, -1), budget=1), "y.ravel()"),
        (lambda X, y: nr.improve(X.T, y.reshape(1, -1), budget=1), "X.T and y.ravel()"),
    ],
)
def test_course_layout_hints(call, hint):
    X, y = nr.datasets.moons(n=60, seed=0)
    with pytest.raises(ValueError, match="course's") as error:
        call(X, y.astype(int))
    assert hint in str(error.value)


def test_the_command_reads_a_workbook_or_says_what_it_is(credit, capsys, monkeypatch, tmp_path):
    pytest.importorskip("openpyxl")
    from nnrecipe.cli import main

    path, frame = credit
    book = path.with_suffix(".xlsx")
    frame.to_excel(book, index=False)
    args = ["train", "--dataset", str(book), "--target", "credit", "--epochs", "2"]
    assert main([*args, "--no-report", "--out", str(tmp_path / "r")]) == 0
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    assert main([*args, "--no-report", "--out", str(tmp_path / "s")]) != 0
    err = capsys.readouterr().err
    assert "is an Excel workbook" in err and "iconv" not in err
