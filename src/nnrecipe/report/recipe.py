"""The HTML report of ``nnrecipe improve`` (built on :mod:`.html`).

The improve report shows the trail: the result, every step (knob, change, why, train and
dev error before and after, time, kept or undone) as a table and as a chart of errors per
step, then the chosen network: its diagnosis and next steps, its cost and error curves, the
learning curve when one was measured, and the decision boundary for 2-D data.
"""

from __future__ import annotations

from pathlib import Path

from ..diagnosis import REGRESSION, show
from ..recipe import plots as recipe_plots
from . import plots
from .html import Report, _pct, add_diagnosis, add_table_data


def improve_report(
    result, directory, title: str = "nnrecipe improve", config_text: str = ""
) -> Path:
    """Write ``report.html`` and its PNGs for an ImproveResult into ``directory``."""
    report = Report(title, result.message)
    report.heading("Result")
    regression = result.metric in REGRESSION

    def value(v):  # a percentage, or a plain number for mse/mae (z-units)
        return show(v, result.metric) if regression else _pct(v)

    report.table(
        ["set", "examples", result.metric if regression else "error"],
        [
            [name, f"{n:,}", value(err)]
            for name, n, err in zip(
                ("train", "dev", "test"),
                result.split.sizes,
                (result.train_error, result.dev_error, result.test_error),
                strict=True,
            )
        ],
    )
    report.paragraph(
        f"Chosen network: layers {result.network.layer_sizes}; "
        f"{result.config.describe()}; {result.epochs_text}. The test set was evaluated once, "
        "on it."
    )
    if result.units_line:
        report.paragraph(result.units_line[:1].upper() + result.units_line[1:] + ".")
    report.paragraph(f"Split: {result.split.rule}")
    report.paragraph(
        f"Metric: {result.metric}; baseline: {result.baseline_source or 'given'}; "
        f"the test set was evaluated once, on the chosen network"
        + (" refit on train+dev." if result.refit else ".")
    )
    for note in result.notes:
        report.paragraph(f"Note: {note}")
    report.heading("The trail")
    report.table(
        ["step", "knob", "change", "why", "train", "dev", "epochs", "seconds", "verdict"],
        [
            [
                s.number,
                s.knob,
                s.change,
                _why(result.steps, i),
                _arrow(s.train_before, s.train_after, value),
                _arrow(s.dev_before, s.dev_after, value),
                "" if s.epochs_trained is None else s.epochs_trained,
                f"{s.seconds:.1f}",
                s.verdict,
            ]
            for i, s in enumerate(result.steps)
        ],
        numeric=("step", "train", "dev", "epochs", "seconds"),
    )
    report.figure(
        "steps",
        recipe_plots.recipe_steps(result),
        "Train and dev error after each step: the line follows the kept changes; "
        "open markers are steps that did not lower the dev error by more than the dev set "
        "resolves and were undone.",
    )
    add_diagnosis(report, result.diagnosis, "the chosen network", value, steps=result.advice)
    add_table_data(report, result.classes, result.class_errors, result.preprocessing)
    report.heading("The chosen network's training")
    history = {"": result.history}
    report.figure(
        "cost",
        plots.cost_per_iteration(history),
        "Cost J per iteration (regularized, training mode).",
    )
    report.figure(
        "errors",
        plots.error_curves(history, percent=not regression),
        "Train and dev error per epoch (inference mode)"
        + ("; for a regression the mse of the standardized target." if regression else "."),
    )
    if result.learning_curve is not None:
        report.figure(
            "learning_curve",
            recipe_plots.learning_curve(result.learning_curve),
            result.learning_curve.verdict,
        )
    X, y = result.split.train
    if X.shape[1] == 2 and not regression:
        report.figure(
            "boundary",
            plots.decision_boundaries({"": result.network}, X, y),
            "Decision boundary of the chosen network with the training examples.",
        )
    return report.write(directory)


def _arrow(before, after, value=_pct) -> str:
    return value(after) if before is None else f"{value(before)} → {value(after)}"


def _why(steps, i: int) -> str:
    """The step's reason, or "as above" when the step before gave the same one (a knob's
    search: one diagnosis, several values)."""
    if i > 0 and steps[i].reason == steps[i - 1].reason:
        return "as above"
    return steps[i].reason
