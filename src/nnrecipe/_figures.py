"""Matplotlib figures without ``pyplot``: a figure of a standard size, its PNG bytes, colors.

The object API (``Figure`` + the Agg canvas) touches no GUI backend and keeps no global
figure state, so drawing works on a headless server. Matplotlib (the ``plots`` extra) is
imported inside the functions, never when nnrecipe is imported.
"""

from __future__ import annotations

import io

WIDTH, HEIGHT, DPI = 4.2, 3.2, 100


def require_matplotlib():
    """The matplotlib module, or ModuleNotFoundError saying how to install it."""
    try:
        import matplotlib
    except ModuleNotFoundError:
        raise ModuleNotFoundError(
            "drawing plots needs matplotlib: pip install matplotlib"
        ) from None
    return matplotlib


def figure(ncols: int = 1, nrows: int = 1, sharey: bool = False, width: float | None = None):
    """A (Figure, axes) pair: ``nrows`` × ``ncols`` panels of the standard size (axes 2-D)."""
    require_matplotlib()
    from matplotlib.figure import Figure

    size = (width or WIDTH * ncols, HEIGHT * nrows)
    fig = Figure(figsize=size, dpi=DPI, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, sharey=sharey)
    return fig, axes


def percent_axis(ax) -> None:
    """Show the y axis's fractions as percentages (0.006 → 0.6%), as the tables do."""
    from matplotlib.ticker import PercentFormatter

    ax.yaxis.set_major_formatter(PercentFormatter(1.0))


def to_png(fig) -> bytes:
    """The figure as PNG bytes (Agg renderer)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def colors(n: int) -> list:
    """n colors of the tab10 cycle."""
    from matplotlib import colormaps

    cmap = colormaps["tab10"]
    return [cmap(i % 10) for i in range(n)]


def bias_variance(baseline: float, train: float, dev: float, percent: bool = True, title=""):
    """Bars of the baseline, train and dev error, with the two gaps the diagnosis reads off
    them drawn as arrows: avoidable bias = train − baseline, variance = dev − train."""
    fig, axes = figure(width=WIDTH * 1.2)
    ax = axes[0, 0]
    values = [baseline, train, dev]
    ax.bar([0, 1, 2], values, color=["0.7", "tab:blue", "tab:orange"], width=0.55)
    ax.set_xticks([0, 1, 2], ["baseline", "train", "dev"])
    for x, (low, high), name in ((1, (baseline, train), "avoidable bias"),
                                 (2, (train, dev), "variance")):  # fmt: skip
        ax.annotate("", xy=(x - 0.38, high), xytext=(x - 0.38, low),
                    arrowprops={"arrowstyle": "<->", "color": "tab:red"})  # fmt: skip
        gap = high - low
        shown = f"{gap:+.1%}" if percent else f"{gap:+.4g}"
        ax.text(x - 0.42, (low + high) / 2, f"{name}\n{shown}", ha="right", va="center",
                fontsize=7, color="tab:red")  # fmt: skip
    ax.set(ylabel="error", title=title or "Bias and variance")
    if percent:
        percent_axis(ax)
    ax.grid(alpha=0.3, axis="y")
    return fig
