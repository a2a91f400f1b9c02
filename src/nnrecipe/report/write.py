"""``nnrecipe.write_report(result, directory)``: the HTML report of a result from Python,
the one ``nnrecipe improve`` / ``nnrecipe tune`` write (``report.html`` and its PNGs)."""

from __future__ import annotations

from pathlib import Path

from ..recipe.result import ImproveResult
from ..tune.result import TuneResult
from .recipe import improve_report
from .tune import tune_report


def write_report(result, directory, title: str | None = None) -> Path:
    """Write ``report.html`` (and its PNGs) for ``result`` into ``directory`` (created if
    needed); returns the page's path. ``result``: what :func:`nnrecipe.improve` or
    :func:`nnrecipe.tune` returned. Pair it with ``result.save(directory)`` (model.npz and
    result.json) to keep the whole run."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if isinstance(result, ImproveResult):
        return improve_report(result, directory, title or "nnrecipe improve")
    if isinstance(result, TuneResult):
        return tune_report(result, directory, title or "nnrecipe tune")
    raise TypeError(
        f"result must be what nnrecipe.improve or nnrecipe.tune returned, got "
        f"{type(result).__name__}"
    )
