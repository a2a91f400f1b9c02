"""Validation curves from a search: dev error against each searched hyperparameter.

One panel per hyperparameter, log x-axis where it is searched on a log scale; complete
trials as dots, pruned trials (at the dev error they had when stopped) as open circles,
the best trial as a star. Matplotlib is imported here only (no pyplot).
"""

from __future__ import annotations

from pathlib import Path

from . import search_space
from .io import atomic_write


def validation_curves(result, path) -> Path:
    """Draw ``result``'s trials into a PNG at ``path`` and return the path."""
    from matplotlib.figure import Figure  # no pyplot: no global state, no GUI backend

    names = search_space.searched(result.settings["space"]) or list(result.settings["space"])
    fig = Figure(figsize=(3.2 * len(names), 3.0))
    axes = fig.subplots(1, len(names), squeeze=False, sharey=True)
    done = [r for r in result.trials if r["state"] == "COMPLETE"]
    pruned = [
        r for r in result.trials if r["state"] == "PRUNED" and r["last_dev_error"] is not None
    ]
    for ax, name in zip(axes[0], names, strict=True):
        ax.scatter(
            [r["params"][name] for r in done],
            [r["dev_error"] for r in done],
            s=18,
            color="tab:blue",
            label="complete",
        )
        if pruned:
            ax.scatter(
                [r["params"][name] for r in pruned],
                [r["last_dev_error"] for r in pruned],
                s=18,
                facecolors="none",
                edgecolors="tab:gray",
                label="pruned",
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
        ax.set_xlabel(name)
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("dev error")
    axes[0][0].legend(fontsize=7)
    fig.suptitle(f"study {result.study_name}: dev error per hyperparameter")
    fig.tight_layout()
    return atomic_write(path, lambda f: fig.savefig(f, format="png", dpi=100))
