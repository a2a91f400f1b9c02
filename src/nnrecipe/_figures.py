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
