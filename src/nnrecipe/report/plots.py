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

from .._figures import HEIGHT, WIDTH, colors, figure, to_png
from ..train.callbacks import History
from ..train.plots import cost_per_iteration, error_curves

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
