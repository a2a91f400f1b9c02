"""The `nnrecipe` command line: parsing, help, one-line errors, the train command's JSON."""

import json
import subprocess
import sys

import pytest

from nnrecipe.cli import build_parser, main

COMMANDS = ["train", "compare", "diagnose", "datasets", "gradcheck"]


def test_train_json_reports_three_errors(capsys, tmp_path):
    args = ["train", "--epochs", "100", "--json", "--seed", "1", "--out", str(tmp_path)]
    assert main([*args, "--no-report"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["layers"] == [2, 20, 3, 1]
    assert set(out) >= {"train_error", "dev_error", "test_error", "diagnosis"}
    assert out["test_error"] <= 0.06


def test_train_flags_reach_the_network(capsys, tmp_path):
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
        "--hidden",
        "tanh",
        "--float32",
        "--no-report",
        "--out",
        str(tmp_path),
    ]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["layers"] == [2, 8, 1]
    config = out["config"]
    assert (config["l2"], config["l1"], config["keep_prob"]) == (0.5, 0.1, 0.8)
    assert (config["init"], config["hidden"], config["float32"]) == ("xavier", "tanh", True)


def test_help_lists_every_command(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in COMMANDS:
        assert command in out


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_seed_and_json(capsys, command):
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert "--seed" in out and "--json" in out and "--debug" in out


@pytest.mark.parametrize(
    "args,needle",
    [
        (["train", "--epochs", "1", "--keep-prob", "1.5"], "keep_prob=1.5"),
        (["train", "--epochs", "1", "--init", "kaiming"], "init='kaiming'"),
        (["train", "--epochs", "1", "--l2", "-1"], "l2=-1.0"),
        (["train", "--epochs", "abc"], "epochs expects an integer"),
        (["train", "--layers", "20,x"], "layers expects an integer"),
        (["train", "--batch-size", "0"], "positive integer or 'full'"),
        (["train", "--dataset", "nope"], "neither a built-in"),
        (["train", "--wat"], "unrecognized arguments: --wat"),
        (["compare", "--settings", "none,magic", "--no-report"], "setting 'magic'"),
        (["diagnose", "--train-error", "0.1"], "give both --train-error and --dev-error"),
        (["diagnose", "--train-error", "15", "--dev-error", "0.2"], "write 15% as 0.15"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_flags_give_one_line_errors(capsys, tmp_path, monkeypatch, args, needle):
    monkeypatch.chdir(tmp_path)  # a run directory made before the error lands here
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("nnrecipe") and "error:" in err and "\n" not in err, err
    assert needle in err and "Traceback" not in err


def test_debug_shows_the_traceback(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match="keep_prob"):
        main(["train", "--epochs", "1", "--keep-prob", "1.5", "--debug"])


def test_flags_left_out_stay_unset_for_the_config_file():
    args = build_parser().parse_args(["train", "--l2", "0.3"])
    assert vars(args)["l2"] == 0.3 and "epochs" not in vars(args) and "seed" not in vars(args)


def test_help_imports_nothing_heavy():
    code = (
        "import sys\nfrom nnrecipe.cli import main\nmain(['train', '--help'])\n"
        "heavy = ('matplotlib', 'rich', 'sklearn', 'pandas', 'optuna', 'nnrecipe.cli.commands')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "--keep-prob" in out.stdout and out.stdout.strip().endswith("[]")


def test_console_script_help():
    out = subprocess.run(
        [sys.executable, "-m", "nnrecipe.cli", "train", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "--keep-prob" in out and "--json" in out and "--config" in out


def test_a_closed_pipe_ends_quietly_like_other_command_line_tools():
    """`nnrecipe gradcheck --json | head`: no "Broken pipe" error, exit 141 (128 + SIGPIPE)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    src = str(Path(__file__).resolve().parents[2] / "src")
    proc = subprocess.Popen(
        [sys.executable, "-m", "nnrecipe.cli", "gradcheck", "--layers", "5,3", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": src},
    )
    proc.stdout.close()  # the reader is gone before the first line is written
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141
    assert "Broken pipe" not in err and "Traceback" not in err and "Exception" not in err
