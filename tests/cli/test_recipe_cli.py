"""`nnrecipe improve` and `nnrecipe tune` end to end on small data: JSON, files, reports,
resume, TOML configuration and one-line errors."""

import json

import numpy as np
import pytest
from test_commands import chromium, rendered_images, run_json  # noqa: F401  (a fixture, helpers)

import nnrecipe as nr
from nnrecipe.cli import main

pytest.importorskip("matplotlib")

IMPROVE = ["improve", "--n", "400", "--layers", "2", "--budget", "4", "--epochs", "60", "--cv", "1"]
IMPROVE += ["--no-refit"]  # the saved model is the one measured on dev
TUNE = ["tune", "--n", "300", "--epochs", "10", "--width-range", "4:16", "--depth-range", "1"]


@pytest.fixture(scope="module")
def improve_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("improve")
    assert main([*IMPROVE, "--json", "--out", str(out)]) == 0
    return out, json.loads((out / "result.json").read_text())


@pytest.fixture(scope="module")
def tune_run(tmp_path_factory):
    pytest.importorskip("optuna")
    out = tmp_path_factory.mktemp("tune")
    assert main([*TUNE, "--trials", "3", "--workers", "1", "--json", "--out", str(out)]) == 0
    return out, json.loads((out / "result.json").read_text())


def test_improve_saves_the_chosen_model_every_step_and_a_report(improve_run):
    out, result = improve_run
    assert result["command"] == "improve" and result["dataset"] == "spiral"
    steps = result["steps"]
    assert 2 <= len(steps) <= 4 and steps[0]["knob"] == "start"
    assert steps[0]["config"]["hidden"] == [2] and steps[1]["kind"] == "bias"
    assert result["train_error"] < steps[0]["train_after"]  # the recipe grew the network
    net = nr.load(out / "model.npz")
    assert net.layer_sizes == result["layer_sizes"]
    X, y = nr.datasets.spiral(n=400, seed=0)
    (Xt, yt), (Xd, yd), _ = nr.split(X, y, seed=0)
    assert net.evaluate(Xd, yd)["error"] == result["dev_error"]  # raw inputs in, same network
    assert {"report.html", "steps.png", "errors.png", "boundary.png"} <= {
        p.name for p in out.iterdir()
    }
    assert "budget = 4" in (out / "config.toml").read_text()


def test_improve_terminal_output_shows_the_trail(capsys, tmp_path):
    assert main([*IMPROVE, "--budget", "2", "--out", str(tmp_path), "--no-report"]) == 0
    text = " ".join(capsys.readouterr().out.split())  # Rich wraps at the terminal's width
    assert "nnrecipe improve" in text and "wider" in text and "hidden [2]" in text
    assert "(the chosen run)" in text and "(the test set: once, at the end;" in text
    assert not (tmp_path / "report.html").exists()


def test_improve_dtype_flag_sets_the_saved_networks_float_type(tmp_path):
    args = ["improve", "--n", "300", "--budget", "1", "--epochs", "3", "--no-report"]
    assert main([*args, "--dtype", "float32", "--json", "--out", str(tmp_path)]) == 0
    assert nr.load(tmp_path / "model.npz").dtype == np.float32
    notes = json.loads((tmp_path / "result.json").read_text())["notes"]
    assert "networks in float32 (asked for)" in notes


def test_improve_refuses_a_classification_metric_on_regression_data(capsys, tmp_path):
    path = tmp_path / "reg.npz"
    np.savez(path, X=np.random.default_rng(0).normal(size=(50, 3)), y=np.linspace(0, 1, 50))
    args = ["improve", "--dataset", str(path), "--target", "y", "--metric", "balanced_error"]
    code = main([*args, "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "metric='balanced_error' does not suit" in err


def test_improve_runs_a_regression_from_an_npz_file(capsys, tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    y = 100 + 20 * (X @ [1.0, -0.5, 0.0]) + rng.normal(size=300)  # noise: 1/501 of Var y
    np.savez(tmp_path / "reg.npz", X=X, y=y)
    args = ["improve", "--dataset", str(tmp_path / "reg.npz"), "--target", "y", "--budget", "1"]
    result = run_json(capsys, [*args, "--cv", "1", "--no-report", "--out", str(tmp_path / "r")])
    assert result["metric"] == "mse" and result["test_error"] < 0.05  # z-units
    net = nr.load(tmp_path / "r" / "model.npz")
    assert np.mean((net.predict(X) - y) ** 2) < 0.05 * y.var()  # in y's own units
    assert result["task"] == "regression" and result["target_scaling"][1] > 15
    # whole numbers (read as classes by default) with --metric mae: a regression of the values
    np.savez(tmp_path / "counts.npz", X=X, y=np.round(y).astype(int))
    args[2] = str(tmp_path / "counts.npz")
    more = run_json(capsys, [*args, "--metric", "mae", "--cv", "1", "--no-report",
                             "--out", str(tmp_path / "c")])  # fmt: skip
    assert more["metric"] == "mae" and more["task"] == "regression" and more["test_error"] < 0.2
    assert abs(more["target_scaling"][0] - np.round(y).mean()) < 3  # the values, not indices


def test_tune_saves_the_best_model_trials_curves_and_a_resumable_study(tune_run, capsys):
    pytest.importorskip("optuna")
    out, result = tune_run
    assert result["counts"]["COMPLETE"] + result["counts"]["PRUNED"] == 3
    assert result["best_layer_sizes"][1] <= 16 and len(result["best_layer_sizes"]) == 3
    assert result["settings"]["space"]["depth"] == 1  # fixed from the command line
    assert (out / "model.npz").exists() and (out / "validation_curves.png").exists()
    assert result["storage"] == str(out / "study.journal")
    net = nr.load(out / "model.npz")
    assert net.layer_sizes == result["best_layer_sizes"]
    # --resume continues the study in its storage with its own settings: 2 more trials
    more = run_json(
        capsys,
        ["tune", "--n", "300", "--trials", "5", "--workers", "1", "--storage",
         result["storage"], "--resume", "--out", str(out / "more"), "--no-report"],
    )  # fmt: skip
    assert more["study_name"] == result["study_name"]
    assert more["trials"][:3] == result["trials"] and len(more["trials"]) == 5
    assert more["settings"]["epochs"] == 10


def test_tune_reads_ranges_from_a_toml_file(capsys, tmp_path):
    pytest.importorskip("optuna")
    cfg = tmp_path / "search.toml"
    cfg.write_text(
        "[tune]\nn = 300\nepochs = 5\nl2_range = [0.001, 0.1]\nwidth_range = 8\n"
        "depth_range = 1\ntrials = 2\nworkers = 1\nreport = false\n"
    )
    result = run_json(capsys, ["tune", "--config", str(cfg), "--out", str(tmp_path / "run")])
    space = result["settings"]["space"]
    assert space["l2"] == [0.001, 0.1] and space["width"] == 8 and space["depth"] == 1
    assert all(0.001 <= t["params"]["l2"] <= 0.1 for t in result["trials"])


# ------------------------------------------------ the run directory of improve/tune, read back
@pytest.mark.parametrize("where", ["directory", "model.npz"])
def test_diagnose_replays_an_improve_run(improve_run, capsys, where):
    out, result = improve_run
    model = out if where == "directory" else out / "model.npz"
    found = run_json(capsys, ["diagnose", "--model", str(model)])
    assert found["dataset"] == "spiral" and found["n_dev"] == result["split"]["sizes"][1]
    assert found["dev_error"] == result["dev_error"]  # the run's own split and dev rows
    assert result["baseline_error"] is not None and result["metric"] == "error"
    assert found["baseline_error"] == result["baseline_error"]  # the run's auto estimate
    assert found["baseline_source"].startswith("the run's automatic estimate")


def test_diagnose_replays_a_tune_run(tune_run, capsys):
    pytest.importorskip("optuna")
    out, result = tune_run
    found = run_json(capsys, ["diagnose", "--model", str(out)])
    assert found["dev_error"] == result["network_dev_error"] and found["baseline_error"] == 0.0


@pytest.mark.parametrize("command", ["train", "compare", "tune"])
def test_another_commands_config_is_one_line_naming_it(improve_run, capsys, tmp_path, command):
    path = improve_run[0] / "config.toml"
    assert main([command, "--config", str(path), "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"nnrecipe {command}: error: config file" in err
    assert f"repeat that run with `nnrecipe improve --config {path}`" in err


@pytest.mark.parametrize(
    "args, message",
    [
        (["tune", "--resume"], "--resume needs --storage"),
        (["tune", "--l2-range", "0:1"], "log scale"),
        (["tune", "--depth-range", "1:2:3"], "LOW:HIGH"),
        (["tune", "--storage", "ftp://x/y"], "unknown scheme"),
        (["improve", "--budget", "0"], "budget"),
        (["improve", "--dtype", "float16"], "dtype"),
    ],
)
def test_bad_flags_give_one_line_errors(capsys, tmp_path, args, message):
    if args[0] == "tune":
        pytest.importorskip("optuna")
    code = main([*args, "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and message in err, err


def test_help_lists_improve_and_tune(capsys):
    assert main(["--help"]) == 0
    text = capsys.readouterr().out
    assert "improve" in text and "tune" in text
    assert main(["tune", "--help"]) == 0
    assert "--width-range LOW:HIGH" in capsys.readouterr().out


@pytest.mark.parametrize("which", ["improve", "tune"])
def test_reports_render_every_image_in_chromium(chromium, improve_run, tune_run, tmp_path, which):  # noqa: F811
    out = (improve_run if which == "improve" else tune_run)[0]
    page = out / "report.html"
    *images, control = rendered_images(chromium, page, tmp_path)
    assert control["width"] == 0  # the broken control image: the check can fail
    assert len(images) == page.read_text().count("<img ") >= (4 if which == "improve" else 1)
    for img in images:
        assert img["complete"] and img["width"] > 0, img["alt"]


def test_tune_resume_hint_works_as_printed_the_study_keeps_its_data(tune_run, capsys):
    """The printed hint (--storage, --study-name, --resume) without --dataset/--n: the study
    stores where its data came from and loads them again."""
    pytest.importorskip("optuna")
    out, result = tune_run
    more = run_json(
        capsys,
        ["tune", "--storage", result["storage"], "--study-name", result["study_name"],
         "--resume", "--trials", "6", "--workers", "1", "--out", str(out / "hint"),
         "--no-report"],
    )  # fmt: skip
    assert len(more["trials"]) == 6 and more["trials"][:3] == result["trials"]
    assert more["settings"]["source"]["n"] == 300
    # other data are refused with the original dataset named
    code = main(
        ["tune", "--storage", result["storage"], "--resume", "--dataset", "circles", "--n",
         "300", "--out", str(out / "other"), "--no-report"]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "data differ" in err and "dataset 'moons', n=300" in err


def test_interrupted_tune_saves_the_best_finished_trial_and_says_so(capsys, tmp_path, monkeypatch):
    pytest.importorskip("optuna")
    from nnrecipe.tune import study as tuning

    real = tuning.objective

    def objective(trial, job):  # Ctrl-C during the third trial
        if trial.number == 2:
            raise KeyboardInterrupt
        return real(trial, job)

    monkeypatch.setattr(tuning, "objective", objective)
    code = main([*TUNE, "--trials", "10", "--workers", "1", "--no-prune", "--out", str(tmp_path)])
    text = capsys.readouterr().out
    assert code == 130
    assert "interrupted (Ctrl-C) after 2 finished trials" in text and "model.npz" in text
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["stop_reason"] == "interrupted" and result["model"] is not None
    net = nr.load(tmp_path / "model.npz")
    assert net.layer_sizes == result["best_layer_sizes"]
    assert result["network_dev_error"] == result["best_dev_error"]  # the trial, replayed
    assert "Interrupted (Ctrl-C) after 2 finished trials" in (tmp_path / "report.html").read_text()


def test_ctrl_c_on_a_worker_pool_keeps_the_best_finished_trial(tmp_path):
    """A real SIGINT to `nnrecipe tune --workers 2`: exit 130, the best finished trial
    retrained (the very network it measured) and saved, the report says so."""
    pytest.importorskip("optuna")
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    out = tmp_path / "run"
    args = ["tune", "--n", "600", "--epochs", "300", "--early-stopping", "0", "--no-prune"]
    args += ["--trials", "200", "--workers", "2", "--out", str(out)]
    src = str(Path(__file__).resolve().parents[2] / "src")
    proc = subprocess.Popen(
        [sys.executable, "-m", "nnrecipe.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": src, "OMP_NUM_THREADS": "1"},
    )
    deadline = time.monotonic() + 120

    # a run writes into a staging directory beside --out, swapped into place at the end
    def started():
        return any(tmp_path.glob(".run.partial-*/config.toml")) or (out / "config.toml").exists()

    while not started() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(8.0)  # a few trials finish (each about a second), the rest are running
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 130, stderr
    assert "interrupted (Ctrl-C) after" in " ".join(stdout.split())
    result = json.loads((out / "result.json").read_text())
    assert result["stop_reason"] == "interrupted" and result["counts"]["COMPLETE"] < 200
    # no early stopping, no pruning: a complete trial ran all 300 epochs (an interrupted one
    # is failed, not counted with the weights it had when Ctrl-C came)
    assert all(t["epochs"] == 300 for t in result["trials"] if t["state"] == "COMPLETE")
    if result["best_trial"] is not None:  # at least one trial finished before the signal
        assert nr.load(out / "model.npz").layer_sizes == result["best_layer_sizes"]
        assert result["network_dev_error"] == result["best_dev_error"]
    assert "Interrupted (Ctrl-C)" in (out / "report.html").read_text()
