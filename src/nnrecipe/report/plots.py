"""Pictures of what each technique does, drawn with Matplotlib (the ``plots`` extra).

Every function takes one run or several runs side by side, as ``{label: History}`` or
``{label: Network}`` dicts, and returns a :class:`matplotlib.figure.Figure`:

* :func:`cost_per_iteration`: J per mini-batch, the regularized cost gradient descent lowers;
* :func:`error_curves`: train vs dev error per epoch, the best (early-stopping) epoch marked;
* :func:`decision_boundaries`: P(y = 1 | x), or the predicted class, over the plane (2-D data);
* :func:`weight_histograms`: the weights of each layer (L2 shrinks them, L1 sets many to 0);
* :func:`gradient_norms`: ‖dW[l]‖ per layer and epoch (vanishing/exploding gradients).

Figures are built with the object API (``Figure`` + the Agg canvas), never ``pyplot``: no GUI
backend is touched and no global figure state is kept, so drawing works on a headless server.
Matplotlib is imported inside the functions, never when nnrecipe is imported.
"""

from __future__ import annotations

import numpy as np

from .._figures import HEIGHT, WIDTH, colors, figure, percent_axis, to_png
from ..train.callbacks import History

__all__ = [
    "HEIGHT",
    "WIDTH",
    "cost_per_iteration",
    "decision_boundaries",
    "error_curves",
    "gradient_norms",
    "to_png",
    "weight_histograms",
]


def cost_per_iteration(histories: dict[str, History]):
    """J per iteration (one mini-batch step) for each run, on one axis.

    A log scale is used when J spans more than two orders of magnitude (a large random
    initialization starts with J in the thousands).
    """
    fig, axes = figure(width=WIDTH * (1.6 if len(histories) > 1 else 1.2))
    ax = axes[0, 0]
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
    return fig


def error_curves(histories: dict[str, History], percent: bool = False):
    """Train and dev error per epoch, one panel per run, the best epoch marked; with
    ``percent`` the y axis reads in % (error rates, as the tables show them).

    The best epoch is the one whose weights ``fit`` keeps when early stopping (or Ctrl-C)
    restores the best weights: the early-stopping point.
    """
    fig, axes = figure(min(len(histories), 3), -(-len(histories) // 3), sharey=True)
    flat = axes.ravel()
    for ax, (label, history) in zip(flat, histories.items(), strict=False):
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
    for ax in flat[len(histories) :]:
        ax.set_visible(False)
    return fig


def _grid(X: np.ndarray, steps: int):
    pad = 0.1 * (X.max(axis=0) - X.min(axis=0)) + 1e-9
    lo, hi = X.min(axis=0) - pad, X.max(axis=0) + pad
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], steps), np.linspace(lo[1], hi[1], steps))
    return xx, yy, np.column_stack([xx.ravel(), yy.ravel()])


def decision_boundaries(networks: dict, X, y, titles: dict | None = None, steps: int = 200):
    """The decision regions of each network over the plane of 2-D inputs, with (X, y) on top.

    Binary sigmoid outputs show P(y = 1 | x) as shading and the 0.5 contour; softmax outputs
    show the predicted class. All networks are evaluated on one ``steps × steps`` grid in a
    single vectorized pass each.
    """
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"decision boundaries need 2-D inputs, got X of shape {X.shape}")
    y = np.asarray(y).ravel()
    xx, yy, grid = _grid(X, steps)
    fig, axes = figure(min(len(networks), 3), -(-len(networks) // 3))
    flat = axes.ravel()
    for ax, (label, net) in zip(flat, networks.items(), strict=False):
        proba = net.predict_proba(grid)
        if proba.shape[1] == 1:
            p = proba[:, 0].reshape(xx.shape)
            ax.contourf(xx, yy, p, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.55)
            ax.contour(xx, yy, p, levels=[0.5], colors="k", linewidths=1)
        else:
            k = proba.shape[1]
            ax.contourf(
                xx,
                yy,
                proba.argmax(axis=1).reshape(xx.shape),
                levels=np.arange(k + 1) - 0.5,
                cmap="tab10",
                vmin=-0.5,
                vmax=9.5,
                alpha=0.35,
            )
        ax.scatter(
            X[:, 0],
            X[:, 1],
            c=y,
            cmap="RdBu_r" if y.max() <= 1 else "tab10",
            vmin=0 if y.max() <= 1 else -0.5,
            vmax=1 if y.max() <= 1 else 9.5,
            s=9,
            edgecolors="k",
            linewidths=0.3,
        )
        ax.set(title=(titles or {}).get(label, label), xlabel="x₁", ylabel="x₂")
    for ax in flat[len(networks) :]:
        ax.set_visible(False)
    return fig


def weight_histograms(networks: dict, zero_tol: float = 1e-3, bins: int = 40):
    """Histograms of W[l] for every layer (columns) of every network (rows).

    Each column shares its x range across the rows, so L2's shrinking and L1's spike at 0 are
    seen against the unregularized weights; each panel states ‖W[l]‖_F and the fraction of
    weights with |w| < ``zero_tol``.
    """
    nets = list(networks.items())
    n_layers = max(net.n_layers for _, net in nets)
    fig, axes = figure(n_layers, len(nets))
    for col in range(n_layers):
        layer_weights = [net.weights[col].ravel() for _, net in nets if col < net.n_layers]
        limit = max(float(np.abs(w).max()) for w in layer_weights) or 1.0
        edges = np.linspace(-limit, limit, bins + 1)
        for row, (label, net) in enumerate(nets):
            ax = axes[row, col]
            if col >= net.n_layers:
                ax.set_visible(False)
                continue
            w = net.weights[col].ravel()
            counts, _, _ = ax.hist(
                w, bins=edges, color=colors(len(nets))[row], alpha=0.85, histtype="stepfilled"
            )
            ax.set_ylim(0, 1.5 * max(float(counts.max()), 1.0))  # room for the note above
            zero = float(np.mean(np.abs(w) < zero_tol))
            ax.set_title(f"{label}: W{col + 1}" if label else f"W{col + 1}", fontsize=9)
            ax.text(
                0.02,
                0.97,
                f"‖W‖={np.linalg.norm(w):.3g}\n|w|<{zero_tol:g}: {zero:.0%}",
                transform=ax.transAxes,
                va="top",
                fontsize=8,
                bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none", "pad": 1},
            )
            ax.tick_params(labelsize=7)
    return fig


def gradient_norms(histories: dict[str, History], key: str = "gradient_norms"):
    """‖dW[l]‖ per epoch for each layer, one panel per run (log scale); ``None`` when no run
    recorded gradients (``fit(..., monitor_gradients=True)``)."""
    runs = {label: h for label, h in histories.items() if getattr(h, key, None)}
    if not runs:
        return None
    fig, axes = figure(min(len(runs), 3), -(-len(runs) // 3), sharey=True)
    flat = axes.ravel()
    for ax, (label, history) in zip(flat, runs.items(), strict=False):
        norms = np.asarray(getattr(history, key), dtype=float)  # (epochs, layers)
        epochs = np.arange(1, len(norms) + 1)
        for layer, color in zip(range(norms.shape[1]), colors(norms.shape[1]), strict=True):
            ax.plot(epochs, norms[:, layer], color=color, lw=1.1, label=f"dW{layer + 1}")
        if np.all(norms[np.isfinite(norms)] > 0):
            ax.set_yscale("log")
        ax.set(title=label, xlabel="epoch", ylabel="gradient norm ‖dW[l]‖")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, ncol=2)
    for ax in flat[len(runs) :]:
        ax.set_visible(False)
    return fig
