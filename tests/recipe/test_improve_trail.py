"""The trail of nr.improve as people read it (issue 15): an interrupted step stays in the
trail, epoch counts are the ones trained, advice accounts for what was tried, a clean stop
line, and a report whose table and chart are laid out to be read."""

import itertools
import json

import numpy as np
import pytest

import nnrecipe as nr
from nnrecipe.diagnosis import diagnose
from nnrecipe.recipe.knobs import Config
from nnrecipe.recipe.result import ImproveResult, Step


def _interrupt_second_run(monkeypatch, epochs=3):
    fit, calls = nr.Network.fit, []

    def fit_then_ctrl_c(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # step 1: Ctrl-C after `epochs` epochs
            history = fit(self, *args, **{**kwargs, "epochs": epochs})
            history.stop_reason = "interrupted"
            return history
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(nr.Network, "fit", fit_then_ctrl_c)


@pytest.fixture(scope="module")
def interrupted():
    mp = pytest.MonkeyPatch()
    _interrupt_second_run(mp)
    X, y = nr.datasets.moons(n=300, noise=0.3, seed=0)
    try:
        # n_jobs=1: the patched fit runs in this process only, not in worker processes
        yield nr.improve(X, y, epochs=40, cv=1, seed=0, baseline_error=0.0, network=[2], n_jobs=1)
    finally:
        mp.undo()


def test_an_interrupted_step_stays_in_the_trail_marked_and_not_kept(interrupted, tmp_path):
    r = interrupted
    assert r.stop_reason == "interrupted" and len(r.steps) == 2
    cut = r.steps[1]
    assert cut.interrupted and not cut.kept and cut.verdict == "interrupted"
    assert cut.epochs_trained == 3 and 1 <= cut.epochs <= 3  # epochs trained, 1-based best
    assert 0 <= cut.dev_after <= 1  # what it measured, on its best weights so far
    assert r.steps[0].epochs_trained == len(r.history)  # the start: the epochs it trained
    assert r.dev_error == r.steps[0].dev_after  # the chosen network is the start's
    r.save(tmp_path)
    steps = json.loads((tmp_path / "result.json").read_text())["steps"]
    assert steps[1]["interrupted"] is True and steps[1]["epochs_trained"] == 3
    assert "step 1 interrupted, not finished" in r.message
    from rich.console import Console

    console = Console(width=200, record=True)
    console.print(r.table())
    text = console.export_text()
    assert "interrupted" in text and "verdict" in text and "epochs" in text


def test_the_stop_line_is_a_clean_sentence(interrupted):
    message = interrupted.message
    assert message.startswith("Interrupted (Ctrl-C). The chosen network has ")
    assert "((" not in message and "stopped (" not in message and "_" not in message


def test_the_start_describes_its_epoch_ceiling_not_a_count_it_did_not_train():
    text = Config(epochs=200, early_stopping=20).describe()
    assert "at most 200 epochs" in text
    assert "at most" not in Config(epochs=200, early_stopping=None).describe()


def _step(number, knob, kind, kept, dev):
    return Step(number=number, knob=knob, kind=kind, change=f"{knob} change", reason="r",
                train_before=None if number == 0 else 0.3, dev_before=None if number == 0
                else 0.32, train_after=0.3, dev_after=dev, seconds=1.0, kept=kept, config={},
                epochs=10, epochs_trained=30)  # fmt: skip


def _result(steps):
    d = diagnose(0.30, 0.32, 0.0)  # high bias: "train a bigger network" first
    return ImproveResult(
        steps=steps, config=Config(), network=None, history=None, diagnosis=d,
        train_error=0.3, dev_error=0.32, test_error=0.33, baseline_error=0.0,
        stop_reason="time", split=None,
    )  # fmt: skip


def test_advice_does_not_repeat_a_bigger_network_the_trail_tried_and_undid():
    tried = _result([_step(0, "start", "start", True, 0.32), _step(1, "wider", "bias", False,
                     0.33), _step(2, "deeper", "bias", False, 0.32)])  # fmt: skip
    first = tried.advice[0]
    assert not first.startswith("train a bigger network")
    assert "wider" in first and "deeper" in first and "another architecture" in first
    assert "tune the learning rate" in first  # not tried yet
    assert tried.diagnosis.next_steps[0] == first  # report and result.json say the same
    # untried, or kept: the plain advice stays
    fresh = _result([_step(0, "start", "start", True, 0.32)])
    assert fresh.advice[0].startswith("train a bigger network")
    grown = _result([_step(0, "start", "start", True, 0.32), _step(1, "wider", "bias", True,
                     0.2), _step(2, "deeper", "bias", False, 0.21)])  # fmt: skip
    assert grown.advice[0].startswith("train a bigger network")


def test_report_trail_table_aligns_text_left_and_names_every_column(interrupted, tmp_path):
    pytest.importorskip("matplotlib")
    from nnrecipe.report.recipe import improve_report

    page = improve_report(interrupted, tmp_path).read_text()
    trail = page[page.index("The trail") :]
    trail = trail[: trail.index("</table>")]
    assert "<th></th>" not in trail and '<th class="text">verdict</th>' in trail
    assert '<td class="text">' in trail and '<td class="num">3</td>' in trail
    assert "th.text, td.text { text-align: left; }" in page
    assert "trained " in page and "at most 40 epochs" in page


def test_steps_chart_labels_do_not_overlap_and_the_legend_is_outside(interrupted):
    pytest.importorskip("matplotlib")
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from nnrecipe.recipe.plots import recipe_steps

    steps = [_step(0, "start", "start", True, 0.3)] + [
        _step(i, k, "bias", False, 0.31 + 0.01 * i)
        for i, k in enumerate(["learning_rate", "learning_rate", "optimizer", "deeper"], 1)
    ]
    result = _result(steps)
    fig = recipe_steps(result)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    ax = fig.axes[0]
    boxes = [t.get_window_extent(renderer) for t in ax.get_xticklabels()]
    for a, b in itertools.pairwise(boxes):
        assert not a.overlaps(b), (a, b)
    legend = ax.get_legend().get_window_extent(renderer)
    axes_box = ax.get_window_extent(renderer)
    assert legend.x0 >= axes_box.x1  # outside the axes: it covers no marker
    assert np.isfinite(legend.width)
