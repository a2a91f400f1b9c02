"""The user's own data from CSV and ``.npz`` files, as ``(X, y)``.

CSV: one example per line, an optional header line of column names (detected when a cell
of the first line is not a number). The ``target`` column becomes ``y``, every other column
a feature of ``X`` (float64). Targets that are not numbers (``"cat"``, ``"dog"``) are
encoded as 0..k−1 in sorted order and the names kept in ``.classes``. A cell that is empty
or not a number raises ValueError naming the file, the line and the column.

.npz: arrays ``X`` and ``target`` (default ``"y"``); loaded without pickle.
"""

from __future__ import annotations

import csv
import numbers
import zipfile
from pathlib import Path

import numpy as np


class Dataset(tuple):
    """``(X, y)``, so ``X, y = load(...)`` works, with ``.X``, ``.y``, ``.feature_names``,
    ``.target`` (the target column's name) and ``.classes`` (label names, or None)."""

    def __new__(cls, X, y, feature_names=None, target=None, classes=None):
        self = super().__new__(cls, (X, y))
        self.feature_names, self.target, self.classes = feature_names, target, classes
        return self

    @property
    def X(self) -> np.ndarray:
        return self[0]

    @property
    def y(self) -> np.ndarray:
        return self[1]


def is_number(text: str) -> bool:
    """Whether ``text`` reads as a float (``"1e-3"``, ``" 2 "``, ``"nan"``)."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def _column_index(target, names: list[str], path: Path) -> int:
    n = len(names)
    if target is None:
        return n - 1
    if isinstance(target, numbers.Integral) and not isinstance(target, bool):
        if not -n <= target < n:
            raise ValueError(f"target={target} is out of range: {str(path)!r} has {n} columns")
        return int(target) % n
    if target not in names:
        raise ValueError(
            f"target={target!r} is not a column of {str(path)!r}; its columns are {names}"
        )
    return names.index(target)


class NotNumbers(ValueError):
    """A feature cell that is text or empty: the file is a table for :func:`load`'s pandas
    reader (:func:`nnrecipe.data.tables.table_dataset`), not an array of numbers."""


def _to_float(cells: np.ndarray, path: Path, name: str, first_line: int) -> np.ndarray:
    try:
        return cells.astype(np.float64)
    except ValueError:
        for i, cell in enumerate(cells):  # error path only: find the first bad cell to name it
            if not is_number(cell):
                what = "is empty" if cell.strip() == "" else f"holds {str(cell)!r}, not a number"
                raise NotNumbers(
                    f"{str(path)!r} line {first_line + i}, column {name!r} {what}; fix or drop "
                    "that row (features must be numbers)"
                ) from None
        raise


def load_csv(path, target=None, delimiter: str = ",") -> Dataset:
    """Read a CSV file; ``target`` is a column name, a column index, or None (the last)."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"data file {str(path)!r} does not exist or is not a regular file")
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = [row for row in csv.reader(f, delimiter=delimiter) if row]
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{str(path)!r} is not UTF-8 text ({exc.reason} at byte {exc.start}); save it "
            "as UTF-8 (e.g. iconv -f latin1 -t utf-8)"
        ) from None
    if not rows:
        raise ValueError(f"{str(path)!r} is empty")
    header = not all(is_number(c) for c in rows[0])
    names = [c.strip() for c in rows[0]] if header else [str(j) for j in range(len(rows[0]))]
    body = rows[1:] if header else rows
    if not body:
        raise ValueError(f"{str(path)!r} has a header but no data lines")
    width = len(names)
    for i, row in enumerate(body):
        if len(row) != width:
            raise ValueError(
                f"{str(path)!r} line {i + 1 + header} has {len(row)} columns but the "
                f"{'header' if header else 'first line'} has {width}"
            )
    cells = np.array(body, dtype=str)
    j = _column_index(target, names, path)
    first = 1 + header
    feature_cols = [k for k in range(width) if k != j]
    if not feature_cols:
        raise ValueError(f"{str(path)!r} has only the target column; there are no features")
    X = np.column_stack([_to_float(cells[:, k], path, names[k], first) for k in feature_cols])
    raw = np.char.strip(cells[:, j])
    classes = None
    if all(is_number(c) for c in np.unique(raw)):
        y = raw.astype(np.float64)
        if np.all(y == np.round(y)):
            y = y.astype(np.int64)
    else:
        if (raw == "").any():
            line = int(np.argmax(raw == "")) + first
            raise ValueError(f"{str(path)!r} line {line}: the target {names[j]!r} is empty")
        classes, y = np.unique(raw, return_inverse=True)
        classes, y = classes.tolist(), y.ravel().astype(np.int64)
    return Dataset(X, y, [names[k] for k in feature_cols], names[j], classes)


def load_npz(path, target="y", features="X") -> Dataset:
    """Read arrays ``features`` and ``target`` from an ``.npz`` file (no pickle)."""
    path = Path(path)
    target = "y" if target is None else target
    try:
        with np.load(path, allow_pickle=False) as data:
            keys = list(data.files)
            missing = [k for k in (features, target) if k not in keys]
            if missing:
                raise ValueError(
                    f"{str(path)!r} has no array {missing[0]!r}; its arrays are {keys}: pass "
                    "target= and features= with the right names"
                )
            try:
                X, y = data[features], data[target]
            except ValueError as exc:  # object arrays need pickle, which is never allowed
                raise ValueError(f"{str(path)!r}: {exc}") from None
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ValueError(f"{str(path)!r} is not a readable .npz file: {exc}") from None
    if len(X) != len(y):
        raise ValueError(f"{str(path)!r}: {features!r} has {len(X)} rows but {target!r} {len(y)}")
    return Dataset(X, y, None, target, None)


def load(path, target=None, **kwargs) -> Dataset:
    """Load ``(X, y)`` from a ``.csv`` (or ``.tsv``/``.txt``) or ``.npz`` file.

    Parameters
    ----------
    path : str or Path
    target : str or int, optional
        CSV: the label column (name or index; default the last column). npz: the label
        array's name (default ``"y"``).
    **kwargs : ``delimiter`` for CSV, ``features`` (the X array's name) for npz.

    Number-only files; :func:`nnrecipe.data.reader.load` (``nnrecipe.datasets.load``) reads
    a CSV with text or empty cells, and Excel workbooks, as tables.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"data file {str(path)!r} does not exist")
    suffix = path.suffix.lower()
    if suffix == ".npz":
        return load_npz(path, target, **kwargs)
    if suffix in (".csv", ".tsv", ".txt"):
        if suffix == ".tsv":
            kwargs.setdefault("delimiter", "\t")
        return load_csv(path, target, **kwargs)
    raise ValueError(f"{str(path)!r}: unknown file type {suffix!r}; use .csv, .tsv, .xlsx or .npz")
