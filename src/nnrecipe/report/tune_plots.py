"""Pictures of the automated recipe and of a hyperparameter search (Matplotlib, lazily).

* :func:`recipe_steps`: train and dev error after every step of ``improve``, kept steps
  joined by a line (the path the recipe took), undone steps as open markers, the baseline
  error dashed: the trail at a glance;
* :func:`learning_curve`: train and dev error against the training-set size;
* :func:`validation_curves`: dev error against each searched hyperparameter of ``tune``
  (log x-axis for λ, α and the width), pruned trials at the dev error they were stopped at.

Built like :mod:`nnrecipe.report.plots`: object API, no ``pyplot``, Matplotlib imported here only.
"""

from __future__ import annotations

import numpy as np

from ..tune import space as search_space
from .plots import HEIGHT, WIDTH, _figure


def recipe_steps(result):
    """Errors per step of an :class:`~nnrecipe.recipe.result.ImproveResult`."""
    steps = result.steps
    fig, axes = _figure(width=max(WIDTH * 1.4, 0.55 * len(steps) + 2.5))
    ax = axes[0, 0]
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
    ax.set_xticks(x, [f"{s.number}\n{s.knob}" for s in steps], fontsize=7)
    ax.set(ylabel="error (inference mode)", title="Errors after each step of the recipe")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    return fig


def learning_curve(curve):
    """Train and dev error against the number of training examples (log x)."""
    fig, axes = _figure(width=WIDTH * 1.2)
    ax = axes[0, 0]
    ax.plot(curve.sizes, curve.train_errors, "o-", color="tab:blue", label="train error")
    ax.plot(curve.sizes, curve.dev_errors, "o-", color="tab:orange", label="dev error")
    ax.set_xscale("log")
    ax.set(xlabel="training examples", ylabel="error", title="Learning curve")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def validation_curves(result):
    """Dev error against each hyperparameter a :class:`~nnrecipe.tune.result.TuneResult`
    searched (all of them when none was searched)."""
    space = result.settings["space"]
    names = search_space.searched(space) or list(space)
    fig, axes = _figure(len(names), sharey=True, width=0.8 * WIDTH * len(names))
    done = [r for r in result.trials if r["state"] == "COMPLETE"]
    pruned = [
        r for r in result.trials if r["state"] == "PRUNED" and r["last_dev_error"] is not None
    ]
    for ax, name in zip(axes[0], names, strict=True):
        ax.scatter(
            [r["params"][name] for r in done],
            [r["dev_error"] for r in done],
            s=16,
            color="tab:blue",
            label="complete",
        )
        if pruned:
            ax.scatter(
                [r["params"][name] for r in pruned],
                [r["last_dev_error"] for r in pruned],
                s=16,
                facecolors="none",
                edgecolors="tab:gray",
                label="pruned (when stopped)",
            )
        if result.best_params is not None:
            ax.scatter(
                [result.best_params[name]],
                [result.best_value],
                marker="*",
                s=140,
                color="tab:red",
                label="best",
                zorder=3,
            )
        if search_space.is_log(name):
            ax.set_xscale("log")
        if search_space.PARAMETERS[name][2]:  # whole numbers: plain integer ticks
            from matplotlib.ticker import LogLocator, MaxNLocator, NullFormatter, ScalarFormatter

            log = search_space.is_log(name)
            ax.xaxis.set_major_locator(LogLocator(base=2) if log else MaxNLocator(integer=True))
            ax.xaxis.set_major_formatter(ScalarFormatter())
            ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set(xlabel=name, title=f"dev error vs {name}")
        ax.grid(alpha=0.3)
    axes[0, 0].set_ylabel("dev error")
    axes[0, 0].legend(fontsize=7)
    fig.set_size_inches(max(fig.get_size_inches()[0], WIDTH), HEIGHT)
    return fig
