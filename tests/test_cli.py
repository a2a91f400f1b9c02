"""The minimal `nnrecipe train` command."""

import json
import subprocess
import sys

import pytest

from nnrecipe.cli import main


def test_train_json_reports_three_errors(capsys):
    assert main(["train", "--epochs", "100", "--json", "--seed", "1"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["layers"] == [2, 20, 3, 1]
    assert set(out) >= {"train_error", "dev_error", "test_error"}
    assert out["test_error"] <= 0.06


def test_train_flags_reach_the_network(capsys):
    args = [
        "train",
        "--epochs",
        "5",
        "--json",
        "--layers",
        "8",
        "--l2",
        "0.5",
        "--l1",
        "0.1",
        "--keep-prob",
        "0.8",
        "--init",
        "xavier",
    ]
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["layers"] == [2, 8, 1]


@pytest.mark.parametrize(
    "flag,value", [("--keep-prob", "1.5"), ("--init", "kaiming"), ("--l2", "-1")]
)
def test_bad_flags_give_one_line_errors(capsys, flag, value):
    assert main(["train", "--epochs", "1", flag, value]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("nnrecipe train: error:") and "\n" not in err
    assert "Traceback" not in err


def test_console_script_help():
    out = subprocess.run(
        [sys.executable, "-m", "nnrecipe.cli", "train", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "--keep-prob" in out and "--json" in out
