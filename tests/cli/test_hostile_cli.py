"""The command line against hostile files and moments (issue 27): what the user made is
never overwritten, an interrupt after training keeps the model, and every refusal names
the file, the column or the option, in a line of bounded length."""

import errno
import gzip
import io
import json
import os
import time
import zipfile

import numpy as np
import pandas as pd
import pytest

import nnrecipe as nr
from nnrecipe.cli import main

TRAIN = ["train", "--epochs", "5", "--no-report", "--no-progress"]


def write_table(path, m=120, seed=0, **extra):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, 3))
    df = pd.DataFrame(X, columns=["f0", "f1", "f2"])
    df["label"] = np.where(X[:, 0] + X[:, 1] > 0, "yes", "no")
    for name, values in extra.items():
        df[name] = values
    df.to_csv(path, index=False)
    return df


@pytest.fixture
def model_run(tmp_path):
    write_table(tmp_path / "train.csv")
    assert (
        main([*TRAIN, "--dataset", str(tmp_path / "train.csv"), "--out", str(tmp_path / "r")]) == 0
    )
    return tmp_path / "r"


def error_line(capsys) -> str:
    return capsys.readouterr().err.strip().splitlines()[-1]


# ----------------------------------------------------------------- predict --out
@pytest.mark.parametrize("link", ["same", "symlink", "hardlink"])
def test_predict_never_writes_over_its_own_data(model_run, tmp_path, capsys, link):
    data = tmp_path / "new.csv"
    data.write_text("f0,f1,f2\n00001,0.330,2\n1,2,3\n")
    out = {"same": data, "symlink": tmp_path / "s.csv", "hardlink": tmp_path / "h.csv"}[link]
    if link == "symlink":
        out.symlink_to(data)
    elif link == "hardlink":
        os.link(data, out)
    before = data.read_bytes()
    assert main(["predict", "--model", str(model_run), "--data", str(data), "--out", str(out)]) == 2
    assert "is the --data file" in error_line(capsys)
    assert data.read_bytes() == before  # 00001 and 0.330 as the user wrote them


def test_predict_out_a_directory_is_named(model_run, tmp_path, capsys):
    write_table(tmp_path / "new.csv")
    args = ["predict", "--model", str(model_run), "--data", str(tmp_path / "new.csv")]
    assert main([*args, "--out", str(tmp_path)]) == 2
    line = error_line(capsys)
    assert f"--out {str(tmp_path)!r} is a directory" in line and ".tmp" not in line


def test_predict_refuses_decimal_commas(model_run, tmp_path, capsys):
    df = write_table(tmp_path / "plain.csv", seed=1)
    (tmp_path / "comma.csv").write_text(df.to_csv(index=False, sep=";", decimal=","))
    args = ["predict", "--model", str(model_run), "--data", str(tmp_path / "comma.csv")]
    assert main([*args, "--out", str(tmp_path / "p.csv")]) == 2
    line = error_line(capsys)
    assert "column 'f0' holds numbers in the model" in line and "decimal comma" in line
    assert not (tmp_path / "p.csv").exists()


def test_a_full_disk_names_the_file(model_run, tmp_path, capsys, monkeypatch):
    write_table(tmp_path / "new.csv")

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("nnrecipe._files.os.fsync", full)
    out = tmp_path / "p.csv"
    args = ["predict", "--model", str(model_run), "--data", str(tmp_path / "new.csv")]
    assert main([*args, "--out", str(out)]) == 1
    assert error_line(capsys).endswith(f"No space left on device ({out})")
    assert list(tmp_path.glob(".p.csv*")) == []  # no temporary file left


# ----------------------------------------------------------------- Ctrl-C in the report
def interrupt(*args, **kwargs):
    raise KeyboardInterrupt


def test_ctrl_c_while_the_train_report_is_drawn_keeps_the_model(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("nnrecipe.cli.commands.train.train_report", interrupt)
    out = tmp_path / "run"
    args = ["train", "--dataset", "moons", "--epochs", "20", "--no-progress", "--out", str(out)]
    assert main(args) == 130
    err = capsys.readouterr().err
    assert "not written: the report (report.html and its plots)" in err
    assert {"model.npz", "result.json", "config.toml", ".nnrecipe-run.json"} <= {
        p.name for p in out.iterdir()
    }
    assert nr.load(out / "model.npz").layer_sizes[0] == 2
    assert json.loads((out / "result.json").read_text())["report"] is None


def test_ctrl_c_while_the_improve_report_is_drawn_keeps_the_model(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("nnrecipe.cli.commands.improve.improve_report", interrupt)
    out = tmp_path / "run"
    args = ["improve", "--dataset", "moons", "--budget", "1", "--epochs", "10", "--out", str(out)]
    assert main([*args, "--no-progress"]) == 130
    assert "not written: the report" in capsys.readouterr().err
    assert (out / "model.npz").is_file() and (out / ".nnrecipe-run.json").is_file()
    assert not (out / "report.html").exists()


def test_ctrl_c_while_the_compare_report_is_drawn_keeps_the_models(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("nnrecipe.cli.commands.compare.compare_report", interrupt)
    out = tmp_path / "run"
    args = ["compare", "--settings", "none,l2", "--epochs", "20", "--no-progress", "--out"]
    assert main([*args, str(out)]) == 130
    err = capsys.readouterr().err
    assert f"saved in {out}/; not written: the report (report.html and its plots)" in err
    assert {"result.json", "config.toml", ".nnrecipe-run.json"} <= {p.name for p in out.iterdir()}
    assert {p.name for p in (out / "models").iterdir()} == {"none.npz", "l2.npz"}
    assert nr.load(out / "models" / "l2.npz").layer_sizes == [2, 20, 3, 1]
    assert json.loads((out / "result.json").read_text())["report"] is None
    assert not (out / "report.html").exists()


def test_ctrl_c_while_the_tune_report_is_drawn_keeps_the_model(tmp_path, capsys, monkeypatch):
    pytest.importorskip("optuna")
    monkeypatch.setattr("nnrecipe.cli.commands.tune.tune_report", interrupt)
    out = tmp_path / "run"
    args = ["tune", "--n", "200", "--epochs", "5", "--depth-range", "1", "--trials", "2"]
    assert main([*args, "--workers", "1", "--no-progress", "--out", str(out)]) == 130
    err = capsys.readouterr().err
    assert f"saved in {out}/; not written: the report (report.html and its plots)" in err
    result = json.loads((out / "result.json").read_text())
    assert result["report"] is None and result["model"] == str(out / "model.npz")
    assert nr.load(out / "model.npz").layer_sizes == result["best_layer_sizes"]
    assert (out / ".nnrecipe-run.json").is_file() and not (out / "report.html").exists()


def test_draw_report_keeps_the_run_without_matplotlib_or_on_ctrl_c(capsys):
    from nnrecipe.cli.commands import output

    def missing():
        raise ModuleNotFoundError("No module named 'matplotlib'")

    skipped = []
    assert output.draw_report(lambda: "report.html", skipped) == "report.html" and not skipped
    assert output.draw_report(missing, skipped) is None and not skipped
    assert "note: report skipped: No module named 'matplotlib'" in capsys.readouterr().err
    assert output.draw_report(interrupt, skipped) is None and skipped == [output.REPORT]


# ----------------------------------------------------------------- data that cannot scale
def test_train_refuses_a_target_or_column_that_overflows(tmp_path, capsys):
    rng = np.random.default_rng(0)
    write_table(tmp_path / "y.csv", m=300)
    df = pd.read_csv(tmp_path / "y.csv")
    df["label"] = rng.normal(size=300) * 1e200  # 300 distinct values: a regression
    df.to_csv(tmp_path / "y.csv", index=False)
    write_table(tmp_path / "x.csv", m=300, big=rng.normal(size=300) * 1e200)
    for name, what in (("y", "the target 'label'"), ("x", "the table's column 'big'")):
        out = tmp_path / f"run-{name}"
        assert main([*TRAIN, "--dataset", str(tmp_path / f"{name}.csv"), "--out", str(out)]) == 2
        assert error_line(capsys).startswith(
            f"nnrecipe train: error: {what} cannot be standardized"
        )
        assert not out.exists()  # refused before any run was made


# ----------------------------------------------------------------- messages
def test_data_paths_that_are_not_tables_are_named(tmp_path, capsys):
    df = write_table(tmp_path / "t.csv")
    with gzip.open(tmp_path / "t.csv.gz", "wt") as f:
        df.to_csv(f, index=False)
    out = tmp_path / "gz"
    assert main([*TRAIN, "--dataset", str(tmp_path / "t.csv.gz"), "--out", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["layers"][0] == 3  # f0, f1, f2: the separator
    np.save(tmp_path / "a.npy", np.zeros((4, 2)))
    (tmp_path / "folder").mkdir()
    (tmp_path / "dup.csv").write_text("a,b,a,label\n1,2,3,0\n4,5,6,1\n")
    write_table(tmp_path / "nolabel.csv", label=np.nan)
    expected = {
        "a.npy": "is a NumPy .npy array, not a table; nnrecipe reads tables (.csv",
        "folder": "is a directory; give a data file",
        "dup.csv": "has duplicated column names ['a']",
        "nolabel.csv": "the target column 'label' has no values: every one of its 120 cells",
    }
    for name, text in expected.items():
        assert main([*TRAIN, "--dataset", str(tmp_path / name), "--out", str(tmp_path / "o")]) == 2
        assert text in error_line(capsys), name


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a = " + "[" * 100_000 + "]" * 100_000, "is nested too deeply to be a config"),
        ('"keep-prob" = 0.5\nkeep_prob = 0.9', "sets the option 'keep_prob' twice"),
        ("epochs = 99999999999999999999", "epochs is too large: an integer of 67 bits"),
    ],
    ids=["deep", "spelled-twice", "beyond-int64"],
)
def test_hostile_config_files(tmp_path, capsys, text, message):
    (tmp_path / "c.toml").write_text('dataset = "moons"\n' + text + "\n")
    args = ["train", "--config", str(tmp_path / "c.toml"), "--out", str(tmp_path / "o")]
    assert main([*args, "--no-report"]) == 2
    assert message in error_line(capsys)


def test_learning_rate_beyond_a_float_names_the_argument():
    with pytest.raises(ValueError, match="^learning_rate is too large for a float"):
        nr.Network([2, 1]).fit(np.zeros((2, 2)), [0, 1], learning_rate=10**400, epochs=1)


# ----------------------------------------------------------------- hostile model files
def rewrite_metadata(src, dst, change):
    with zipfile.ZipFile(src) as z:
        files = {n: z.read(n) for n in z.namelist()}
    if callable(change):
        meta = json.loads(np.load(io.BytesIO(files["__meta__.npy"])).tobytes().decode())
        text = json.dumps(change(meta))
    else:
        text = change
    buffer = io.BytesIO()
    np.save(buffer, np.frombuffer(text.encode(), dtype=np.uint8))
    files["__meta__.npy"] = buffer.getvalue()
    with zipfile.ZipFile(dst, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)


def huge_class(meta):
    meta["classes"][0] = "x" * 5_000_000
    return meta


def long_column(meta):
    meta["preprocessor"]["columns"][0]["name"] = "c" * 10_000_000
    return meta


def twice(meta):
    meta["preprocessor"]["columns"][1]["name"] = meta["preprocessor"]["columns"][0]["name"]
    return meta


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (huge_class, "a string of 5,000,000 characters"),
        (long_column, "a string of 10,000,000 characters"),
        (twice, "names the column(s) ['f0'] twice"),
        ("[" * 100_000 + "]" * 100_000, "its metadata is missing or damaged"),
    ],
    ids=["class-name", "column-name", "column-twice", "deep-json"],
)
def test_hostile_model_files_are_refused_in_a_short_line(
    model_run, tmp_path, capsys, change, message
):
    bad = tmp_path / "bad.npz"
    rewrite_metadata(model_run / "model.npz", bad, change)
    write_table(tmp_path / "new.csv")
    args = ["predict", "--model", str(bad), "--data", str(tmp_path / "new.csv")]
    assert main([*args, "--out", str(tmp_path / "p.csv")]) == 2
    line = error_line(capsys)
    assert message in line and len(line) < 400 and str(bad) in line
    assert not (tmp_path / "p.csv").exists()


# ----------------------------------------------------------------- --minutes
def test_improve_minutes_bound_the_whole_command(tmp_path, capsys):
    """Loading, the recipe and the report: inside the budget, or skipped with a note."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1500, 200))
    df = pd.DataFrame(X, columns=[f"c{j}" for j in range(200)])
    df["label"] = (X[:, :5] @ np.array([1.0, 0.8, 0.6, 0.4, 0.2]) > 0).astype(int)
    df.to_csv(tmp_path / "wide.csv", index=False)
    args = ["improve", "--dataset", str(tmp_path / "wide.csv"), "--minutes", "0.05"]
    start = time.perf_counter()
    assert main([*args, "--no-progress", "--json", "--out", str(tmp_path / "run")]) == 0
    wall = time.perf_counter() - start
    result = json.loads(capsys.readouterr().out)
    assert wall <= 3 + 5.0, (wall, result["notes"])  # the slack of tests/recipe/test_budget.py
    skipped = [n for n in result["notes"] if "no time" in n or "budget" in n]
    assert skipped and (result["report"] is not None or "no report" in " ".join(skipped))


def test_a_failure_inside_a_run_names_the_run_not_its_staging_directory(
    tmp_path, capsys, monkeypatch
):
    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("nnrecipe._files.os.fsync", full)
    out = tmp_path / "run"
    args = ["train", "--dataset", "moons", "--epochs", "2", "--no-report", "--out", str(out)]
    assert main([*args, "--no-progress"]) == 1
    line = error_line(capsys)
    assert line.endswith(f"No space left on device ({out / 'config.toml'})"), line
    assert ".partial-" not in line and not out.exists()
