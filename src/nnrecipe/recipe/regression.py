"""What :func:`nnrecipe.improve` does with real-valued targets: the task and the metric, the
standardized target, and the notes that say what its values mean.

A regression is learned and scored on the standardized target

    z = (y − μ_y) / σ_y        (μ_y, σ_y: mean and standard deviation of the training rows)

so every value of the recipe is in z-units: mse is a share of the target's variance (1 =
predicting the training mean; 0.2 ⇔ R² ≈ 0.8) and mae a share of its standard deviation.
The chosen network carries (μ_y, σ_y) as its ``target_scaling`` and predicts μ_y + σ_y·ẑ,
in y's own units.

Classes or regression is decided by the one task rule, :func:`nnrecipe.data.targets.task`: an
array of whole numbers ≥ 0 reads as class labels; it is a regression of its values when mse
or mae is asked for, or (metric "auto") when it holds over ``MAX_CLASSES`` (100) distinct
values, the rule a table's target follows.
"""

from __future__ import annotations

import numpy as np

from ..data.targets import MAX_CLASSES, target_scaling
from ..data.targets import task as target_task
from . import metrics


def task(parts, metric: str, named: bool) -> tuple[str, int, str, str]:
    """``(output activation, units, metric, why)`` for the split ``parts`` (train, dev,
    test) and the asked ``metric`` ("auto" or a name); ValueError naming ``metric`` when it
    does not suit the targets. ``named``: the labels were encoded from names (text labels,
    a table's classes), so whole numbers are classes whatever the metric."""
    asked = None if metric == "auto" else metric in metrics.REGRESSION
    found = target_task(parts[0][1], named=named, regression=asked, labels=[p[1] for p in parts])
    output, n_out, distinct = found.output, found.units, found.distinct
    counts = distinct > 0  # whole numbers learned as a regression
    metric = metrics.check_metric(metric, output != "linear")
    if metric == "auto":
        metric, why = metrics.auto_metric(parts[0][1], output != "linear")
        if counts:
            why += (
                f": y holds {distinct} distinct whole numbers (over {MAX_CLASSES}), learned "
                "as a regression; pass metric='error' to learn them as classes"
            )
    else:
        why = f"metric {metric}, as asked"
        if counts:
            why += ": y holds whole numbers, learned as a regression, not as classes"
    return output, n_out, metric, why


def standardized(train, dev, test):
    """The three (X, y) sets with y → z = (y − μ_y)/σ_y (μ_y, σ_y: the training rows'), and
    ``(μ_y, σ_y)``; one target column only (the model's target scaling is one pair)."""
    y = np.asarray(train[1], dtype=np.float64)
    if y.ndim == 2 and y.shape[1] > 1:
        raise ValueError(
            f"y has {y.shape[1]} real-valued columns: improve handles one regression target; "
            "pass y of shape (m,) (one column), or class labels"
        )
    mean, sd = target_scaling(y)
    parts = [(X, (np.asarray(t, dtype=np.float64) - mean) / sd) for X, t in (train, dev, test)]
    return (*parts, (mean, sd))


def units(metric: str, scaling) -> list[str]:
    """The notes that say what a regression's values mean (none for classes)."""
    if scaling is None:
        return []
    mean, sd = scaling
    what = {
        "mse": "mse in units of the target's variance (z-units): 1 = predicting the mean, "
        "0.2 ⇔ R² ≈ 0.8; the bias and variance thresholds are shares of the variance "
        "(0.02 = 2 %)",
        "mae": "mae in units of the target's standard deviation (z-units): about 0.8 = "
        "predicting the mean of a normal target",
    }[metric]
    return [
        f"{what}; the target was standardized on the training rows (μ = {mean:.6g}, "
        f"σ = {sd:.6g}) and the chosen network predicts in its own units"
    ]


def in_units(scores: dict, z_test, scaling) -> dict:
    """The test scores in y's own units, from the z-unit ``scores`` (mse, mae) and the test
    targets ``z_test`` (z-units), with (μ_y, σ_y) = ``scaling``:

        RMSE = σ_y · √mse_z,   MAE = σ_y · mae_z,   R² = 1 − mse_z / Var(z_test)

    (R² against the test set's own mean: 0 = predicting it, 1 = exact)."""
    sd = float(scaling[1])
    z = np.asarray(z_test, dtype=np.float64).ravel()
    spread = float(np.mean((z - z.mean()) ** 2))
    r2 = 1.0 - scores["mse"] / spread if spread > 0 else float("nan")
    return {"rmse": sd * float(np.sqrt(scores["mse"])), "mae": sd * scores["mae"], "r2": r2}
