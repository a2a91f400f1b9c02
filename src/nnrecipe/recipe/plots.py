"""Pictures of the automated recipe (Matplotlib, imported only when a picture is drawn).

* :func:`recipe_steps`: train and dev error after every step of ``improve``, kept steps
  joined by a line (the path the recipe took), undone steps as open markers, the baseline
  error dashed: the trail at a glance;
* :func:`learning_curve`: train and dev error against the training-set size.
"""

from __future__ import annotations

import numpy as np

from .._figures import WIDTH, figure, percent_axis
from ..train.plots import draw_errors


def recipe_steps(result):
    """Errors per step of an :class:`~nnrecipe.recipe.result.ImproveResult`."""
    fig, axes = figure(width=max(WIDTH * 1.4, 0.55 * len(result.steps) + 2.5))
    draw_steps(axes[0, 0], result)
    return fig


def overview(result):
    """``result.plot()``: the steps (left) and the learning curve when one was measured,
    else the chosen run's train and dev error per epoch (right)."""
    fig, axes = figure(2, width=max(WIDTH * 2.4, 0.55 * len(result.steps) + 6.5))
    draw_steps(axes[0, 0], result)
    if result.learning_curve is not None:
        draw_learning_curve(axes[0, 1], result.learning_curve)
    elif result.history is not None:
        draw_errors(axes[0, 1], result.history, "the chosen run",
                    percent=result.metric not in ("mse", "mae"))  # fmt: skip
    return fig


def draw_steps(ax, result) -> None:
    """:func:`recipe_steps`'s picture, drawn into ``ax``."""
    steps = result.steps
    x = np.arange(len(steps))
    kept = [s.number for s in steps if s.kept]
    for key, color, label in (
        ("train_after", "tab:blue", "train"),
        ("dev_after", "tab:orange", "dev"),
    ):
        values = np.array([getattr(s, key) for s in steps])
        # the kept path: each undone step returns to the last kept state
        path = [values[kept[np.searchsorted(kept, i, side="right") - 1]] for i in x]
        ax.step(x, path, where="post", color=color, lw=1.4, label=f"{label} error (kept)")
        undone = [s.number for s in steps if not s.kept]
        ax.plot(kept, values[kept], "o", color=color)
        ax.plot(
            undone,
            values[undone],
            "o",
            mfc="none",
            color=color,
            label=f"{label} error (undone)" if undone else None,
        )
    ax.axhline(result.baseline_error, color="gray", ls="--", lw=1, label="baseline error")
    cut = [s.number for s in steps if s.interrupted]
    if cut:
        ax.plot(cut, [steps[i].dev_after for i in cut], "x", color="tab:red", ms=8,
                label="interrupted (not finished)")  # fmt: skip
    # knob names rotated so long ones (learning_rate) never overlap their neighbours
    labels = [f"{s.number} {s.knob}" + (" (cut)" if s.interrupted else "") for s in steps]
    ax.set_xticks(x, labels, fontsize=7, rotation=45, ha="right", rotation_mode="anchor")
    regression = result.metric in ("mse", "mae")
    ylabel = f"{result.metric} (standardized target)" if regression else "error (inference mode)"
    ax.set(ylabel=ylabel, title="Errors after each step of the recipe")
    if not regression:  # in %, as the tables beside it
        percent_axis(ax)
    ax.grid(alpha=0.3)
    # outside the axes, to the right: the legend never covers a marker
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)


def learning_curve(curve):
    """Train and dev error against the number of training examples (log x)."""
    fig, axes = figure(width=WIDTH * 1.2)
    draw_learning_curve(axes[0, 0], curve)
    return fig


def draw_learning_curve(ax, curve) -> None:
    """:func:`learning_curve`'s picture, drawn into ``ax``."""
    ax.plot(curve.sizes, curve.train_errors, "o-", color="tab:blue", label="train error")
    ax.plot(curve.sizes, curve.dev_errors, "o-", color="tab:orange", label="dev error")
    ax.set_xscale("log")
    ax.set(xlabel="training examples", ylabel="error", title="Learning curve")
    if getattr(curve, "metric", "error") not in ("mse", "mae"):
        percent_axis(ax)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
