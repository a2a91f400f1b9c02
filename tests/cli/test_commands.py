"""The commands end to end on small data: train, compare, diagnose, datasets, reports.

The reports are opened in headless Chromium (Debian's ``chromium``), which is installed by
the ``chromium`` fixture when missing and the tests run as root, else those tests skip.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import nnrecipe as nr
from nnrecipe.cli import main

pytest.importorskip("matplotlib")


def run_json(capsys, args):
    code = main([*args, "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


@pytest.fixture(scope="module")
def classic(tmp_path_factory):
    """`nnrecipe compare` with no arguments (only --json and --out): the classic experiment."""
    out = tmp_path_factory.mktemp("compare")
    code = main(["compare", "--json", "--out", str(out)])
    assert code == 0
    return out, json.loads((out / "result.json").read_text())


@pytest.fixture(scope="module")
def train_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("train")
    args = ["train", "--epochs", "40", "--early-stopping", "5", "--json", "--out", str(out)]
    assert main(args) == 0
    return out, json.loads((out / "result.json").read_text())


# ------------------------------------------------------------------------------ compare
def test_classic_compare_regularization_closes_the_gap(classic):
    out, result = classic
    rows = {r["setting"]: r for r in result["results"]}
    assert list(rows) == ["none", "l2", "dropout"]
    assert result["layers"] == [2, 20, 3, 1]
    assert (result["n_train"], result["n_dev"], result["n_test"]) == (200, 200, 200)
    none, l2, dropout = rows["none"], rows["l2"], rows["dropout"]
    assert none["train_error"] < 0.03  # the unregularized network overfits the small set
    assert l2["gap"] < none["gap"] and dropout["gap"] < none["gap"]
    assert l2["train_error"] > none["train_error"]  # regularization trades training fit...
    assert l2["weight_norm"] < 0.5 * none["weight_norm"]  # ...by shrinking the weights
    for r in rows.values():
        assert r["gap"] == pytest.approx(r["test_error"] - r["train_error"])
        assert r["epochs"] == 2000 and r["diagnosis"]["case"]


def test_compare_writes_models_report_and_config(classic):
    out, result = classic
    assert {p.name for p in (out / "models").iterdir()} == {"none.npz", "l2.npz", "dropout.npz"}
    net = nr.load(out / "models" / "l2.npz")
    assert net.l2 == 0.7 and net.keep_prob == [1.0, 1.0]
    assert nr.load(out / "models" / "dropout.npz").keep_prob == [0.86, 0.86]
    for png in ("cost", "errors", "boundary", "weights"):
        assert (out / f"{png}.png").stat().st_size > 1000
    assert result["report"] == str(out / "report.html")
    assert "histories" in result and len(result["histories"]["none"]["iteration_cost"]) == 2000


def test_compare_init_zeros_stuck_at_chance(capsys, tmp_path):
    args = ["compare", "--init", "--epochs", "300", "--no-report", "--out", str(tmp_path)]
    result = run_json(capsys, args)
    rows = {r["setting"]: r for r in result["results"]}
    assert list(rows) == ["zeros", "random×10", "he"]
    assert 0.4 <= rows["zeros"]["test_error"] <= 0.6  # symmetry never broken: a coin flip
    assert rows["he"]["test_error"] < 0.05
    assert rows["random×10"]["test_error"] > rows["he"]["test_error"] + 0.05
    assert any("symmetry" in w for w in rows["zeros"]["warnings"])


def test_compare_settings_on_other_data(capsys, tmp_path):
    args = [
        "compare",
        "--dataset",
        "circles",
        "--n",
        "300",
        "--epochs",
        "20",
        "--no-report",
        "--settings",
        "none,l1,early_stopping",
        "--l1",
        "0.5",
        "--patience",
        "2",
        "--out",
        str(tmp_path),
    ]
    rows = {r["setting"]: r for r in run_json(capsys, args)["results"]}
    assert list(rows) == ["none", "l1", "early_stopping"]
    assert rows["l1"]["weight_norm"] < rows["none"]["weight_norm"]
    assert rows["early_stopping"]["epochs"] <= 20


# ------------------------------------------------------------------------------ train
def test_train_saves_everything_and_the_model_reproduces_the_errors(train_run):
    out, result = train_run
    for name in (
        "model.npz",
        "config.toml",
        "result.json",
        "report.html",
        "cost.png",
        "errors.png",
        "boundary.png",
        "weights.png",
    ):
        assert (out / name).is_file(), name
    net = nr.load(out / "model.npz")
    X, y = nr.datasets.moons(n=1000, seed=0)
    parts = nr.split(X, y, seed=0)
    assert net.evaluate(*parts.dev)["error"] == pytest.approx(result["dev_error"])
    assert net.evaluate(*parts.test)["error"] == pytest.approx(result["test_error"])
    assert result["diagnosis"]["case"] in (
        "good_fit",
        "high_bias",
        "high_variance",
        "high_bias_high_variance",
    )


def test_the_stored_config_repeats_the_run(train_run, capsys, tmp_path):
    out, first = train_run
    again = run_json(
        capsys,
        ["train", "--config", str(out / "config.toml"), "--no-report", "--out", str(tmp_path)],
    )
    for key in ("train_error", "dev_error", "test_error", "epochs", "best_epoch"):
        assert again[key] == first[key], key


def test_config_file_and_flag_override(capsys, tmp_path):
    exp = tmp_path / "exp.toml"
    exp.write_text('dataset = "circles"\nn = 300\nlayers = [6]\nepochs = 8\nl2 = 0.2\n')
    result = run_json(
        capsys,
        [
            "train",
            "--config",
            str(exp),
            "--epochs",
            "3",
            "--no-report",
            "--out",
            str(tmp_path / "run"),
        ],
    )
    assert result["dataset"] == "circles" and result["layers"] == [2, 6, 1]
    assert result["epochs"] == 3 and result["config"]["l2"] == 0.2
    stored = (tmp_path / "run" / "config.toml").read_text()
    assert "epochs = 3" in stored and "l2 = 0.2" in stored


def test_train_on_a_csv_file_with_float32(capsys, tmp_path):
    X, y = nr.datasets.moons(n=200, seed=3)
    rows = "\n".join(f"{a},{b},{'yes' if t else 'no'}" for (a, b), t in zip(X, y, strict=True))
    (tmp_path / "d.csv").write_text("x1,x2,label\n" + rows + "\n")
    result = run_json(
        capsys,
        [
            "train",
            "--dataset",
            str(tmp_path / "d.csv"),
            "--target",
            "label",
            "--epochs",
            "5",
            "--float32",
            "--no-report",
            "--out",
            str(tmp_path / "run"),
        ],
    )
    assert result["dataset"] == "d.csv" and result["layers"] == [2, 20, 3, 1]
    assert nr.load(tmp_path / "run" / "model.npz").dtype == np.float32


def test_train_regression_from_csv(capsys, tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    y = X @ [1.0, 2.0, -1.0] + 0.1 * rng.normal(size=300)
    data = np.column_stack([X, y])
    np.savetxt(tmp_path / "r.csv", data, delimiter=",", header="a,b,c,t", comments="")
    args = [
        "train",
        "--dataset",
        str(tmp_path / "r.csv"),
        "--target",
        "t",
        "--epochs",
        "50",
        "--no-report",
        "--out",
        str(tmp_path / "run"),
    ]
    result = run_json(capsys, args)
    assert result["task"] == "regression" and result["diagnosis"] is None
    assert result["layers"] == [3, 20, 3, 1] and result["test_error"] < 0.1  # mean squared error
    assert main(args[:-1] + [str(tmp_path / "run2")]) == 0
    assert "MSE" in capsys.readouterr().out


def test_train_table_output(capsys, tmp_path):
    assert main(["train", "--epochs", "3", "--no-report", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "train" in out and "dev" in out and "test" in out and str(tmp_path) in out


def test_ctrl_c_keeps_best_weights_and_still_writes_the_report(tmp_path):
    out = tmp_path / "run"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "nnrecipe.cli",
            "train",
            "--epochs",
            "1000000",
            "--n",
            "300",
            "--out",
            str(out),
            "--json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + 60
    # a run writes into a staging directory beside --out, swapped into place at the end
    staged = out.parent.glob(f".{out.name}.partial-*/config.toml")
    while not (any(staged) or (out / "config.toml").exists()) and time.monotonic() < deadline:
        staged = out.parent.glob(f".{out.name}.partial-*/config.toml")
        time.sleep(0.05)
    time.sleep(1.0)  # well inside the training loop
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    result = json.loads(stdout)
    assert result["stop_reason"] == "interrupted" and result["epochs"] > 1
    assert "Ctrl-C" in result["message"] and "Traceback" not in stderr
    saved = json.loads((out / "result.json").read_text())["history"]
    best = int(np.argmin(saved["dev_loss"]))
    assert saved["best_epoch"] == best
    assert result["dev_loss"] == pytest.approx(saved["dev_loss"][best])  # the best weights
    assert (out / "report.html").is_file() and (out / "model.npz").is_file()


def test_interrupt_while_recording_an_epoch_keeps_complete_epochs(monkeypatch):
    X, y = nr.datasets.moons(n=200, seed=0)
    net = nr.Network([2, 8, 1], seed=0)
    calls = {"n": 0}
    evaluate = net.measure

    def interrupt_on_fourth_call(*args):  # epoch 2's dev evaluation: train already recorded
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt
        return evaluate(*args)

    monkeypatch.setattr(net, "measure", interrupt_on_fourth_call)
    with pytest.warns(RuntimeWarning, match="interrupted"):
        history = net.fit(X[:150], y[:150], dev=(X[150:], y[150:]), epochs=5, batch_size=50)
    assert history.stop_reason == "interrupted"
    lengths = {k: len(v) for k, v in vars(history).items() if isinstance(v, list) and v}
    assert lengths.pop("iteration_cost") == 3  # one epoch of three mini-batches
    assert set(lengths.values()) == {1}


# ------------------------------------------------------------------------------ diagnose
@pytest.mark.parametrize(
    "train,dev,baseline,case",
    [
        ("0.01", "0.15", "0.0", "high_variance"),
        ("0.15", "0.16", "0.0", "high_bias"),
        ("0.15", "0.30", "0.0", "high_bias_high_variance"),
        ("0.01", "0.015", "0.0", "good_fit"),
        ("0.15", "0.16", "0.15", "good_fit"),
    ],
)
def test_diagnose_from_rates(capsys, train, dev, baseline, case):
    result = run_json(
        capsys, ["diagnose", "--train-error", train, "--dev-error", dev, "--baseline", baseline]
    )
    assert result["case"] == case and result["next_steps"]


def test_diagnose_a_saved_run(capsys, train_run):
    out, first = train_run
    result = run_json(capsys, ["diagnose", "--model", str(out)])
    assert result["avoidable_bias"] == pytest.approx(first["train_error"])
    assert result["variance"] == pytest.approx(first["dev_error"] - first["train_error"])
    assert main(["diagnose", "--model", str(out)]) == 0
    assert "variance" in capsys.readouterr().out.lower()


def test_diagnose_a_compare_model_replays_its_run(capsys, classic):
    out, first = classic
    l2 = next(r for r in first["results"] if r["setting"] == "l2")
    result = run_json(capsys, ["diagnose", "--model", str(out / "models" / "l2.npz")])
    assert (result["n_train"], result["n_dev"]) == (200, 200)  # the classic split, replayed
    assert result["dev_error"] == l2["dev_error"] and result["train_error"] == l2["train_error"]
    assert main(["diagnose", "--model", str(out)]) == 2
    assert "a compare run's are in its models/" in capsys.readouterr().err


def test_diagnose_a_model_file_needs_data_without_its_run(capsys, tmp_path, train_run):
    shutil.copy(train_run[0] / "model.npz", tmp_path / "m.npz")
    assert main(["diagnose", "--model", str(tmp_path / "m.npz")]) == 2
    assert "--data" in capsys.readouterr().err
    result = run_json(capsys, ["diagnose", "--model", str(tmp_path / "m.npz"), "--data", "moons"])
    assert result["source"] == "model" and 0 <= result["variance"] + 1


# ------------------------------------------------------------------------------ datasets
def test_datasets_lists_builtins_and_the_mnist_cache(capsys):
    result = run_json(capsys, ["datasets"])
    names = {d["name"] for d in result["datasets"]}
    assert {
        "moons",
        "circles",
        "spiral",
        "flower",
        "blobs",
        "digits",
        "breast_cancer",
        "mnist",
    } <= names
    moons = next(d for d in result["datasets"] if d["name"] == "moons")
    assert (moons["examples"], moons["features"], moons["classes"]) == (1000, 2, 2)
    assert result["mnist"]["cache"].endswith("mnist")
    assert main(["datasets"]) == 0 and "MNIST cache" in capsys.readouterr().out


# ------------------------------------------------------------------------------ Chromium
def _install_chromium() -> str | None:
    if shutil.which("apt-get") is None or not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "chromium is not installed and installing it needs root and apt-get"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        subprocess.run(
            ["apt-get", "update", "-qq"], env=env, timeout=300, check=True, capture_output=True
        )
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "chromium"],
            env=env,
            timeout=600,
            check=True,
            capture_output=True,
        )
    except (subprocess.SubprocessError, OSError) as exc:
        return f"installing chromium with apt-get failed: {exc}"
    return None


@pytest.fixture(scope="session")
def chromium():
    """The path of Debian's chromium; installed with apt-get when missing (as root)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        reason = _install_chromium()
        found = shutil.which("chromium")
        if found is None:
            pytest.skip(reason or "chromium could not be installed")
    return found


PROBE = """<script>
window.addEventListener("load", function () {
  var seen = Array.from(document.images).map(function (img) {
    return {alt: img.alt, complete: img.complete, width: img.naturalWidth};
  });
  var out = document.createElement("pre");
  out.id = "probe";
  out.textContent = "PROBE" + "START" + JSON.stringify(seen) + "PROBE" + "END";
  document.body.appendChild(out);
});
</script>"""
BROKEN = '<img alt="control: a broken image" src="data:image/png;base64,AAAA">'


def rendered_images(chromium, page: Path, tmp_path: Path) -> list[dict]:
    """Load ``page`` (plus a broken control image) in headless Chromium; each <img>'s state."""
    probe = tmp_path / "probe.html"
    html = page.read_text(encoding="utf-8")
    probe.write_text(html.replace("</body>", BROKEN + PROBE + "</body>"), encoding="utf-8")
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--virtual-time-budget=10000",
    ]
    done = subprocess.run(
        [chromium, *flags, "--dump-dom", probe.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    found = re.search(r"PROBESTART(.*?)PROBEEND", done.stdout, re.S)
    assert found, f"chromium printed no probe result: {done.stderr[-2000:]}"
    return json.loads(found.group(1))


@pytest.mark.parametrize("which", ["compare", "train"])
def test_reports_render_every_image_in_chromium(chromium, classic, train_run, tmp_path, which):
    out = (classic if which == "compare" else train_run)[0]
    page = out / "report.html"
    images = rendered_images(chromium, page, tmp_path)
    *report_images, control = images
    assert control["alt"].startswith("control") and control["width"] == 0  # the check can fail
    assert len(report_images) == page.read_text().count("<img ") >= 4
    for img in report_images:
        assert img["complete"] and img["width"] > 0, img["alt"]


# ------------------------------------------------------------------------------ progress
def test_progress_bar_shows_epoch_cost_and_dev_error():
    import io

    from rich.console import Console

    from nnrecipe.progress import ProgressBar

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=150)
    X, y = nr.datasets.moons(n=200, seed=0)
    net = nr.Network([2, 8, 1], seed=0)
    bar = ProgressBar(7, "moons", console=console)
    history = net.fit(X[:150], y[:150], dev=(X[150:], y[150:]), epochs=7, callbacks=[bar])
    text = buffer.getvalue()
    assert "7/7" in text and f"J {history.cost[-1]:.4g}" in text
    assert f"dev error {history.dev_error[-1]:.2%}" in text
    assert bar._progress is None  # stopped at the end of fit
