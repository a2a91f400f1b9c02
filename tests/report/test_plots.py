"""Plots and the HTML report, without the command line."""

import base64
import re
import subprocess
import sys

import numpy as np
import pytest

import nnrecipe as nr

pytest.importorskip("matplotlib")
from nnrecipe.report import html as report  # noqa: E402
from nnrecipe.report import plots

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def runs():
    """Two small fitted networks on moons: none and L1 (which zeroes weights)."""
    X, y = nr.datasets.moons(n=300, noise=0.25, seed=0)
    train, dev = (X[:200], y[:200]), (X[200:], y[200:])
    out = {}
    for label, l1 in (("none", 0.0), ("L1", 2.0)):
        net = nr.Network([2, 12, 4, 1], l1=l1, standardize=True, seed=1)
        history = net.fit(
            *train,
            dev=dev,
            epochs=60,
            batch_size=50,
            seed=0,
            early_stopping=nr.EarlyStopping(patience=5),
        )
        out[label] = (net, history)
    return out, train


def visible_axes(fig):
    return [ax for ax in fig.axes if ax.get_visible()]


def test_cost_per_iteration_plots_every_mini_batch(runs):
    histories = {k: h for k, (_, h) in runs[0].items()}
    fig = plots.cost_per_iteration(histories)
    ax = fig.axes[0]
    lengths = sorted(len(line.get_xdata()) for line in ax.get_lines())
    # per run: the faint per-iteration line and the epoch means
    expected = sorted(
        [len(h.iteration_cost) for h in histories.values()]
        + [len(h.cost) for h in histories.values()]
    )
    assert lengths == expected
    assert plots.to_png(fig).startswith(PNG)


def test_error_curves_mark_the_best_epoch(runs):
    histories = {k: h for k, (_, h) in runs[0].items()}
    fig = plots.error_curves(histories)
    assert len(visible_axes(fig)) == 2
    for ax, history in zip(visible_axes(fig), histories.values(), strict=True):
        best = [line for line in ax.get_lines() if line.get_label().startswith(("best", "early"))]
        assert len(best) == 1
        assert best[0].get_xdata()[0] == history.best_epoch + 1
        assert best[0].get_ydata()[0] == history.dev_error[history.best_epoch]
        if history.stop_reason == "early_stopping":
            assert best[0].get_label().startswith("early stop")


def test_decision_boundaries_side_by_side(runs):
    nets = {k: n for k, (n, _) in runs[0].items()}
    X, y = runs[1]
    fig = plots.decision_boundaries(nets, X, y, steps=50)
    assert len(visible_axes(fig)) == 2
    with pytest.raises(ValueError, match="2-D inputs"):
        plots.decision_boundaries(nets, np.zeros((5, 3)), np.zeros(5))


def test_decision_boundaries_for_softmax():
    X, y = nr.datasets.moons(n=200, seed=2)
    net = nr.Network([2, 8, 2], output="softmax", seed=0)
    net.fit(X, y, epochs=5)
    assert plots.to_png(plots.decision_boundaries({"softmax": net}, X, y, steps=30)).startswith(PNG)


def test_weight_histograms_state_norm_and_zero_fraction(runs):
    nets = {k: n for k, (n, _) in runs[0].items()}
    fig = plots.weight_histograms(nets, zero_tol=1e-2)
    assert len(visible_axes(fig)) == 2 * 3  # rows = runs, columns = layers
    l1_w1 = nets["L1"].weights[0].ravel()
    text = [t.get_text() for t in fig.axes[3].texts][0]  # row 2 (L1), column 1 (W1)
    assert f"‖W‖={np.linalg.norm(l1_w1):.3g}" in text
    assert f"{np.mean(np.abs(l1_w1) < 1e-2):.0%}" in text


def test_gradient_norms_none_without_monitoring(runs):
    histories = {k: h for k, (_, h) in runs[0].items()}
    assert plots.gradient_norms(histories, key="no_such_field") is None


def test_report_is_self_contained(tmp_path, runs):
    (net, history), train = runs[0]["none"], runs[1]
    result = {
        "epochs": len(history),
        "train_error": 0.1,
        "dev_error": 0.2,
        "test_error": 0.25,
        "train_loss": 0.3,
        "dev_loss": 0.4,
        "test_loss": 0.5,
    }
    page = report.train_report(
        tmp_path,
        "run <script>alert(1)</script>",
        net,
        history,
        result,
        boundary=train,
        config_text="epochs = 60",
        warnings=["a <b>warning</b>"],
    )
    text = page.read_text(encoding="utf-8")
    assert "<script>" not in text and "&lt;script&gt;" in text  # text is escaped
    sources = re.findall(r'<img src="([^"]+)"', text)
    assert len(sources) >= 4
    assert all(s.startswith("data:image/png;base64,") for s in sources)
    assert not re.search(r"(href|src)=\"(?!data:)", text)  # nothing external
    embedded = {base64.b64decode(s.split(",", 1)[1]) for s in sources}
    files = {p.read_bytes() for p in tmp_path.glob("*.png")}
    assert embedded == files and all(png.startswith(PNG) for png in files)
    assert "25.00%" in text and "epochs = 60" in text


def test_missing_matplotlib_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ModuleNotFoundError, match=r"pip install matplotlib"):
        plots.cost_per_iteration({})


def test_importing_nnrecipe_and_plots_does_not_import_matplotlib():
    code = (
        "import sys, nnrecipe, nnrecipe.report.plots, nnrecipe.report.html, "
        "nnrecipe.recipe.experiments; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('matplotlib', 'rich', 'sklearn')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_runs_that_coincide_stay_visible_and_notes_sit_above_the_bars(runs):
    fitted, _ = runs
    networks = {label: net for label, (net, _) in fitted.items()}
    fig = plots.cost_per_iteration({label: h for label, (_, h) in fitted.items()})
    styles = [
        line.get_linestyle() for line in fig.axes[0].get_lines() if line.get_label()[0] != "_"
    ]
    assert len(set(styles)) == len(styles) == len(fitted)  # one dash pattern per run
    fig = plots.weight_histograms(networks)
    for ax in visible_axes(fig):
        tallest = max(patch.get_path().vertices[:, 1].max() for patch in ax.patches)
        assert ax.get_ylim()[1] >= 1.45 * tallest  # the ‖W‖ note has the top third


def test_the_error_plot_marks_the_best_epoch_when_only_some_epochs_were_measured():
    X, y = nr.datasets.moons(n=300, noise=0.2, seed=0)
    net = nr.Network([2, 8, 1], seed=0)
    history = net.fit(X[:200], y[:200], dev=(X[200:], y[200:]), epochs=9, evaluate_every=4)
    fig = plots.error_curves({"": history})
    marker = [line for line in fig.axes[0].get_lines() if line.get_marker() == "o"][0]
    best = history.epoch.index(history.best_epoch)
    assert marker.get_xdata()[0] == history.best_epoch + 1
    assert marker.get_ydata()[0] == history.dev_error[best]
