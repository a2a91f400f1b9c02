"""What the commands advise: a diverging run gets the learning rate, zeros get the warning the
README promises, in the terminal and in the report."""

import json

import pytest

from nnrecipe.cli import main


def test_train_with_a_huge_learning_rate_advises_a_smaller_one(capsys, tmp_path):
    code = main(["train", "--learning-rate", "1e9", "--epochs", "30", "--out", str(tmp_path)])
    captured = capsys.readouterr()
    assert code == 0
    assert "diagnosis: optimization" in captured.out and "cost curve" in captured.out
    assert "learning rate that is too large" in captured.err  # the monitor's warning too
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["diagnosis"]["case"] == "optimization"
    assert result["diagnosis"]["next_steps"][0].startswith("the cost diverged")
    assert "lower the learning rate first" in result["diagnosis"]["next_steps"][0]


def test_compare_init_shows_the_zeros_warning_and_init_advice(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    code = main(["compare", "--init", "--epochs", "20", "--out", str(tmp_path)])
    captured = capsys.readouterr()
    assert code == 0
    assert "warning: zeros: init='zeros' does not break symmetry" in captured.err
    assert "zeros: the cost stayed flat" in " ".join(captured.out.split())
    assert "does not break symmetry" in (tmp_path / "report.html").read_text()
    result = json.loads((tmp_path / "result.json").read_text())
    assert any(w.startswith("zeros: init='zeros'") for w in result["warnings"])


def test_the_best_epoch_is_counted_from_1_in_the_terminal_and_result_json(capsys, tmp_path):
    args = ["train", "--epochs", "40", "--early-stopping", "5", "--no-report"]
    assert main([*args, "--out", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    saved = json.loads((tmp_path / "result.json").read_text())
    assert saved["best_epoch"] == saved["history"]["best_epoch"] + 1  # History: Python's index
    assert f"best epoch {saved['best_epoch']})" in text
