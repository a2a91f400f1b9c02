"""The progress bar at 80 columns: no figure is cut short with an ellipsis."""

import io

from rich.console import Console

import nnrecipe as nr
from nnrecipe.train.progress import ProgressBar


def test_the_training_bar_keeps_every_figure_at_80_columns():
    out = io.StringIO()
    console = Console(file=out, width=80, force_terminal=True, color_system=None)
    X, y = nr.datasets.moons(n=200, noise=0.2, seed=0)
    net = nr.Network([2, 8, 1], seed=0)
    with ProgressBar(1000, "training", console=console) as bar:
        net.fit(X[:150], y[:150], dev=(X[150:], y[150:]), epochs=3, callbacks=[bar])
    text = out.getvalue()
    assert "…" not in text and "3/1000" in text and "left" in text and "dev error" in text


def test_the_bar_counts_epochs_not_measurements():
    out = io.StringIO()
    console = Console(file=out, width=100, force_terminal=True, color_system=None)
    X, y = nr.datasets.moons(n=200, noise=0.2, seed=0)
    with ProgressBar(6, "training", console=console) as bar:
        nr.Network([2, 8, 1], seed=0).fit(X, y, epochs=6, evaluate_every=3, callbacks=[bar])
    assert "6/6" in out.getvalue() and "2/6" not in out.getvalue()
