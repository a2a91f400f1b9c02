"""Where a command's results go: the run directory, JSON, the terminal, warnings."""

from __future__ import annotations

import contextlib
import json
import math
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from ..._files import atomic_write
from ..._version import __version__
from .. import config


def run_directory(out) -> Path:
    """``out``, or a new ``runs/<timestamp>`` (``-2``, ``-3``… when taken), created.

    The commands that write a run use :class:`~nnrecipe.cli.commands.rundir.RunDirectory`
    instead (locked, staged, replaced whole); this stays for callers that write in place."""
    if out is None:
        base = Path("runs") / time.strftime("%Y%m%d-%H%M%S")
        path, i = base, 2
        while path.exists():
            path, i = base.with_name(f"{base.name}-{i}"), i + 1
    else:
        path = Path(out)
        if path.exists() and not path.is_dir():
            raise ValueError(f"--out {str(path)!r} is a file; give a directory for the run")
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_text(path: Path, text: str) -> Path:
    data = text.encode("utf-8")
    return atomic_write(path, lambda f: f.write(data))


def write_config(directory: Path, command: str, options: dict, shown: Path | None = None) -> str:
    """Store the resolved options as ``config.toml`` (reusable with ``--config``); ``shown``
    is the directory the text names (the run's final place when ``directory`` stages it)."""
    text = config.to_toml(
        {**options, "out": None},  # a repeat of the run gets a directory of its own
        config.header(command, __version__, (shown or directory) / "config.toml"),
    )
    write_text(directory / "config.toml", text)
    return text


def jsonable(obj):
    """Plain JSON types; NaN and inf become None (JSON has neither)."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, Path):
        return str(obj)
    return obj


def write_json(path: Path, obj) -> Path:
    return write_text(path, json.dumps(jsonable(obj)) + "\n")


def print_json(obj) -> None:
    print(json.dumps(jsonable(obj)))


def save_result(
    command: str,
    dataset: str,
    result,
    out: Path,
    options: dict,
    warned,
    model,
    report,
    as_json,
    run_dir=None,
) -> int:
    """Write a recipe run's ``result.json`` (printed too with ``--json``); return the exit code,
    130 when the run was interrupted. With ``run_dir`` (a staged
    :class:`~nnrecipe.cli.commands.rundir.RunDirectory`), paths name the run's final place
    and the run is put in place before anything is printed."""
    summary = {
        "command": command,
        "dataset": dataset,
        **result.to_dict(),
        "warnings": warned,
        "out": out,
        "model": model,
        "report": report,
        "config": options,
    }
    if run_dir is not None:
        summary = run_dir.public(summary)
    write_json(out / "result.json", summary)
    if run_dir is not None:
        commit_run(run_dir)
    if as_json:
        print_json(summary)
    return 130 if result.stop_reason == "interrupted" else 0


# columns a narrow terminal may leave out, least useful first (they stay in result.json)
LOW_VALUE_COLUMNS = ("time", "s", "seconds", "epochs", "zeros", "worker", "examples", "‖W‖")
# columns of sentences: kept at least this wide (low-value columns go first), so that a
# narrow terminal never wraps them one word a line
WIDE_COLUMNS = {"change": 26, "description": 26}


def console():
    """A Rich console whose tables never cut a figure short (see :func:`fit_table`)."""
    from rich.console import Console

    class _Console(Console):
        def print(self, *objects, **kwargs):
            super().print(*(fit_table(o, self) for o in objects), **kwargs)

    return _Console(highlight=False)


def _least_width(table) -> int:
    """The narrowest the table can be with every word whole: the columns' longest words,
    their padding and the vertical rules."""
    _, right, _, left = table.padding
    rules = (len(table.columns) - 1 + 2 * table.show_edge) if table.box else 0
    return sum(c.min_width + left + right for c in table.columns) + rules


def fit_table(renderable, console):
    """Let a table fit ``console.width`` without truncating a cell (``14.5…``): every column
    may wrap at spaces (folding only a single word longer than the width), and while the
    table cannot fit even so, the least useful column (:data:`LOW_VALUE_COLUMNS`) is left out
    and the caption says so. Groups and objects with ``__rich__`` are searched for tables."""
    from rich.cells import cell_len
    from rich.console import Group
    from rich.table import Table

    if hasattr(renderable, "__rich__") and not isinstance(renderable, Table | str):
        renderable = renderable.__rich__()
    if isinstance(renderable, Group):
        renderable._renderables = [fit_table(r, console) for r in renderable.renderables]
        return renderable
    if not isinstance(renderable, Table):
        return renderable
    for column in renderable.columns:
        words = [w for cell in [column.header, *column.cells] for w in str(cell).split()]
        column.min_width = max((cell_len(w) for w in words), default=1)
        cells = [cell_len(str(cell)) for cell in column.cells]
        wide = WIDE_COLUMNS.get(str(column.header).strip())
        if wide and cells:
            column.min_width = max(column.min_width, min(wide, max(cells)))
        column.no_wrap, column.overflow = False, "fold"
    dropped = []
    while _least_width(renderable) > console.width:
        names = [str(c.header).strip() for c in renderable.columns]
        low = [n for n in LOW_VALUE_COLUMNS if n in names]
        if not low:
            break
        renderable.columns.pop(names.index(low[0]))
        dropped.append(low[0])
    if dropped:
        note = f"({', '.join(dropped)} left out to fit {console.width} columns)"
        renderable.caption = f"{renderable.caption} {note}" if renderable.caption else note
    return renderable


def note(message: str) -> None:
    """One line on standard error (warnings and notes never mix with --json output)."""
    print(" ".join(message.split()), file=sys.stderr)


@contextlib.contextmanager
def captured_warnings():
    """Collect warnings as messages (printed once each by the command, not as tracebacks)."""
    messages: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield messages
    messages.extend(dict.fromkeys(" ".join(str(w.message).split()) for w in caught))


@contextlib.contextmanager
def interruptible(what: str, skipped: list[str]):
    """Run a block that only adds to a run whose model is saved (the report, its plots): a
    Ctrl-C there ends the block, and ``what`` joins ``skipped``, so the command still puts the
    run in place, says what was not written (:func:`say_skipped`) and exits 130."""
    try:
        yield
    except KeyboardInterrupt:
        skipped.append(what)


REPORT = "the report (report.html and its plots)"


def draw_report(draw, skipped: list[str]):
    """What ``draw()`` returns (a command's report: its path), or None when none was written:
    a Ctrl-C while it draws adds :data:`REPORT` to ``skipped`` (:func:`interruptible`: the run
    is kept and the command exits 130), and a missing Matplotlib is a note."""
    with interruptible(REPORT, skipped):
        try:
            return draw()
        except ModuleNotFoundError as exc:  # matplotlib missing: keep the run, skip the report
            note(f"note: report skipped: {exc}")
    return None


def say_skipped(skipped: list[str], final) -> int:
    """Tell the user what a Ctrl-C left out of the run in ``final``; the exit code (130 when
    something was, else 0)."""
    if not skipped:
        return 0
    note(
        f"interrupted (Ctrl-C): the model and the other files written so far are saved in "
        f"{final}/; not written: {', '.join(skipped)}"
    )
    return 130


def show_progress(options: dict) -> bool:
    return bool(options.get("progress", True)) and sys.stderr.isatty()


def percent(value) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{value:.2%}"


def class_error_line(errors: dict, part: str) -> str:
    """``dev error 12.0%, balanced 20.5%; per class: no 5.0%, yes 36.0%``."""
    per_class = ", ".join(f"{c} {percent(e)}" for c, e in list(errors["per_class"].items())[:10])
    where = f"; measured on {errors['measured_on']}" if errors.get("measured_on") else ""
    return (
        f"{part} error {percent(errors['error'])}, balanced {percent(errors['balanced_error'])}"
        f" (the mean of the per-class errors: {per_class}){where}"
    )


def commit_run(run_dir) -> None:
    """Put the staged run in place of ``--out`` and say when it replaced an earlier run."""
    run_dir.commit()
    if run_dir.note():
        note(run_dir.note())
