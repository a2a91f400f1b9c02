"""nnrecipe in a notebook (issue 26): results show as HTML tables with the CLI's numbers,
plot() returns Matplotlib figures without pyplot state, and progress is one display that
updates in place. Fast: the notebooks in examples/ run in tests/test_examples.py."""

from __future__ import annotations

import numpy as np
import pytest

import nnrecipe as nr
from nnrecipe import _html

pytest.importorskip("matplotlib")


@pytest.fixture(scope="module")
def improved():
    X, y = nr.datasets.moons(n=300, noise=0.3, seed=0)
    return nr.improve(X, y, budget=2, cv=1, seed=0, epochs=40, minutes=1)


def test_results_show_as_html_with_the_clis_numbers(improved):
    r = improved
    page = r._repr_html_()
    for row in r._rows():
        assert all(cell in page for cell in row[:2]) and row[4] in page
    assert "chosen network: layers" in page and r.baseline_source.split(":")[0] in page
    assert f"diagnosis: {r.diagnosis.case}" in page and "write_report" in page
    d = r.diagnosis._repr_html_()
    assert f"{100 * r.diagnosis.variance:.2f}%" in d and r.diagnosis.next_steps[0] in d
    assert "avoidable bias" in repr(r.diagnosis) and len(repr(r.diagnosis)) < 200
    net = r.network._repr_html_()
    assert "<table>" in net and "parameters" in net and str(r.network.layer_sizes[1]) in net
    h = r.history._repr_html_()
    assert "best" in h and f"{r.history.dev_error[-1]:.2%}" in h


def test_gradcheck_and_tune_results_show_as_html():
    X, y = nr.datasets.moons(n=40, seed=0)
    g = nr.gradcheck(nr.Network([2, 3, 1], seed=0), X, y)
    page = g._repr_html_()
    assert g.verdict in page.replace("&#x27;", "'") and "difference" in page
    pytest.importorskip("optuna")
    t = nr.tune(X, y, trials=2, workers=1, epochs=5, seed=0)
    page = t._repr_html_()
    assert f"chosen: trial {t.best_trial}" in page and "<table>" in page


def test_plots_are_figures_without_pyplot_state(improved):
    from matplotlib import pyplot
    from matplotlib.figure import Figure

    before = pyplot.get_fignums()
    figures = [improved.plot(), improved.history.plot(), improved.diagnosis.plot()]
    assert all(isinstance(f, Figure) for f in figures) and pyplot.get_fignums() == before
    steps = figures[0].axes[0]
    assert len(steps.get_xticklabels()) == len(improved.steps)
    bars = figures[2].axes[0]
    assert [round(p.get_height(), 12) for p in bars.patches] == [
        round(v, 12) for v in (improved.baseline_error, improved.train_error, improved.dev_error)
    ]


class _Handle:
    def __init__(self, log):
        self.log = log

    def update(self, obj):
        self.log.append(("update", obj.data))


@pytest.fixture
def notebook(monkeypatch):
    """A pretend notebook: _html sees a kernel, IPython.display records what is shown."""
    import IPython.display

    log = []

    def display(obj, display_id=None):
        log.append(("display", obj.data))
        return _Handle(log)

    monkeypatch.setattr(_html, "in_notebook", lambda: True)
    monkeypatch.setattr(IPython.display, "display", display)
    return log


def test_progress_in_a_notebook_is_one_display_that_updates(notebook, capsys):
    X, y = nr.datasets.moons(n=200, noise=0.3, seed=1)
    r = nr.improve(X, y, budget=2, cv=1, seed=0, epochs=20, progress=True, minutes=1)
    kinds = [k for k, _ in notebook]
    assert kinds.count("display") == 1 and kinds.count("update") >= 3
    assert r.message.split(".")[0] in notebook[-1][1]  # the last update: the whole run
    assert "step 1" in notebook[-1][1] and "training" not in notebook[-1][1]
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""  # no wall of lines, no widget warning
    notebook.clear()
    nr.Network([2, 4, 1], seed=0).fit(X, y, epochs=15, verbose=True)
    kinds = [k for k, _ in notebook]
    assert kinds.count("display") == 1 and kinds.count("update") == 14
    assert "epoch" in notebook[-1][1].lower() and capsys.readouterr().out == ""


def test_tune_progress_in_a_notebook_is_one_line_that_updates(notebook, capsys):
    pytest.importorskip("optuna")
    X, y = nr.datasets.moons(n=60, seed=0)
    nr.tune(X, y, trials=2, workers=1, epochs=5, seed=0, progress=True)
    kinds = [k for k, _ in notebook]
    assert kinds.count("display") == 1 and "2/2 trials" in notebook[-1][1]
    assert capsys.readouterr().err == ""


def test_outside_a_notebook_verbose_still_prints_a_line_per_epoch(capsys):
    X, y = nr.datasets.moons(n=60, seed=0)
    nr.Network([2, 4, 1], seed=0).fit(X, y, epochs=3, verbose=True)
    assert len(capsys.readouterr().out.strip().splitlines()) == 3


def test_write_report_from_python(improved, tmp_path):
    page = nr.write_report(improved, tmp_path / "run")
    assert page.name == "report.html" and (tmp_path / "run" / "steps.png").exists()
    with pytest.raises(TypeError, match="what nnrecipe.improve or nnrecipe.tune returned"):
        nr.write_report(np.zeros(3), tmp_path)
