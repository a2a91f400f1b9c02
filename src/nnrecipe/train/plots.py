"""Pictures of one training run's History (Matplotlib, imported only when drawing): the
cost J per iteration and the train/dev error per epoch with the best epoch marked.

``draw_cost`` and ``draw_errors`` draw into a given axis; :func:`cost_per_iteration` and
:func:`error_curves` make the report's figures of several runs (:mod:`nnrecipe.report.plots`
re-exports them) and :meth:`History.plot` puts both panels of one run in one figure. No
``pyplot``: no GUI backend, no global figure state (:mod:`nnrecipe._figures`).
"""

from __future__ import annotations

import numpy as np

from .._figures import WIDTH, colors, figure, percent_axis

__all__ = ["cost_per_iteration", "draw_cost", "draw_errors", "error_curves", "history_figure"]


def cost_per_iteration(histories: dict):
    """J per iteration (one mini-batch step) for each run, on one axis.

    A log scale is used when J spans more than two orders of magnitude (a large random
    initialization starts with J in the thousands).
    """
    fig, axes = figure(width=WIDTH * (1.6 if len(histories) > 1 else 1.2))
    draw_cost(axes[0, 0], histories)
    return fig


def draw_cost(ax, histories: dict) -> None:
    """:func:`cost_per_iteration`'s picture, drawn into ``ax``."""
    lows, highs = [], []
    styles = ("-", "--", ":", "-.")  # runs that coincide (L2 under dropout) stay visible
    runs = zip(histories.items(), colors(len(histories)), strict=True)
    for i, ((label, history), color) in enumerate(runs):
        style = styles[i % len(styles)]
        cost = np.asarray(history.iteration_cost, dtype=float)
        cost = cost[np.isfinite(cost)]
        if cost.size == 0:
            continue
        iterations = np.arange(1, cost.size + 1)
        epochs = history.epoch[-1] + 1 if history.epoch else 1  # measured or not
        per_epoch = cost.size // epochs
        if per_epoch > 1 and len(history.cost) > 1:
            # mini-batch J is noisy: draw it faint, with each epoch's mean J on top
            ax.plot(iterations, cost, color=color, lw=0.5, alpha=0.35)
            ax.plot(
                (np.asarray(history.epoch) + 1) * per_epoch,
                history.cost,
                color=color,
                lw=1.4,
                ls=style,
                label=f"{label} (epoch mean)" if label else "epoch mean",
            )
        else:
            ax.plot(iterations, cost, color=color, lw=1.2, ls=style, label=label)
        lows.append(cost.min())
        highs.append(cost.max())
    if lows and min(lows) > 0 and max(highs) / min(lows) > 100:
        ax.set_yscale("log")
    ax.set(
        xlabel="iteration (mini-batch step)",
        ylabel="cost J (regularized, training mode)",
        title="Cost J per iteration",
    )
    if ax.get_legend_handles_labels()[1]:
        ax.legend(fontsize=8)
    ax.grid(alpha=0.3)


def error_curves(histories: dict, percent: bool = False):
    """Train and dev error per epoch, one panel per run, the best epoch marked; with
    ``percent`` the y axis reads in % (error rates, as the tables show them).

    The best epoch is the one whose weights ``fit`` keeps when early stopping (or Ctrl-C)
    restores the best weights: the early-stopping point.
    """
    fig, axes = figure(min(len(histories), 3), -(-len(histories) // 3), sharey=True)
    flat = axes.ravel()
    for ax, (label, history) in zip(flat, histories.items(), strict=False):
        draw_errors(ax, history, label, percent)
    for ax in flat[len(histories) :]:
        ax.set_visible(False)
    return fig


def draw_errors(ax, history, label: str = "", percent: bool = False) -> None:
    """One run's train and dev error per epoch, drawn into ``ax``."""
    epochs = np.asarray(history.epoch) + 1
    ax.plot(epochs, history.train_error, color="tab:blue", lw=1.2, label="train error")
    if history.dev_error:
        ax.plot(epochs, history.dev_error, color="tab:orange", lw=1.2, label="dev error")
    if history.best_epoch in history.epoch and history.dev_error:
        best = history.best_epoch
        at = history.epoch.index(best)  # with fit(evaluate_every=k) not the same as best
        stopped = history.stop_reason == "early_stopping"
        ax.axvline(best + 1, color="tab:red", ls="--", lw=1)
        ax.plot(
            [best + 1],
            [history.dev_error[at]],
            "o",
            color="tab:red",
            label=f"{'early stop, best' if stopped else 'best'} epoch {best + 1}",
        )
    ax.set(title=label, xlabel="epoch", ylabel="error (inference mode)")
    if percent:
        percent_axis(ax)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)


def history_figure(history, percent: bool = True):
    """One run in one figure: the cost per iteration (left), the errors per epoch (right)."""
    fig, axes = figure(2)
    draw_cost(axes[0, 0], {"": history})
    draw_errors(axes[0, 1], history, percent=percent)
    return fig
