"""Validation curves of a hyperparameter search (Matplotlib, imported only when drawn).

:func:`validation_curves`: dev error against each searched hyperparameter of ``tune`` (log
x-axis for λ, α and the width), pruned trials at the dev error they were stopped at.
"""

from __future__ import annotations

from .._figures import HEIGHT, WIDTH, figure
from . import space as search_space


def validation_curves(result):
    """Dev error against each hyperparameter a :class:`~nnrecipe.tune.result.TuneResult`
    searched (all of them when none was searched)."""
    space = result.settings["space"]
    names = search_space.searched(space) or list(space)
    fig, axes = figure(len(names), sharey=True, width=0.8 * WIDTH * len(names))
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
