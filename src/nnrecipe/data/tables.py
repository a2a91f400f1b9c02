"""Tables as they come: reading them with pandas, choosing the target, and the
train/dev/test split with the preprocessing fitted on the training rows only (the labels are
encoded by :mod:`nnrecipe.data.labels`)."""

from __future__ import annotations

import bz2
import csv
import gzip
import lzma
import numbers
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .._checks import shorten, shorten_list
from .excel import is_excel, read_excel
from .files import Dataset, is_number
from .labels import (  # noqa: F401  (re-exported: the table API in one place)
    Target,
    balance,
    class_errors,
    describe_target,
    encode_target,
    label_indices,
)
from .preprocess import MISSING, Preprocessor, clean, is_frame
from .split import Split, split
from .targets import target_scaling

TARGET_NAMES = ("target", "label", "class", "y")
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".pq")
COMPRESSED = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
READ = (
    "tables (.csv, .tsv, .txt, also compressed as .gz, .bz2 or .xz; .parquet; Excel .xlsx "
    "with openpyxl) and .npz files holding X and y"
)


def _open_text(path: Path):
    """The text of a table file, read through its compression (.gz, .bz2, .xz), as pandas
    reads it: the separator and the header are guessed from the text, not the bytes."""
    opener = COMPRESSED.get(path.suffix.lower(), open)
    return opener(path, "rt", encoding="utf-8-sig", errors="replace")


def check_data_file(path: Path) -> None:
    """Refuse, naming what it is and what is read, a path that is not a table file: none, a
    directory, a NumPy ``.npy`` array, a zip archive (``.npz``, ``.xlsx``)."""
    if path.is_dir():
        raise ValueError(f"data path {str(path)!r} is a directory; give a data file ({READ})")
    if not path.is_file():
        raise ValueError(f"data file {str(path)!r} does not exist")
    with open(path, "rb") as f:
        start = f.read(8)
    if start.startswith(b"\x93NUMPY"):
        raise ValueError(
            f"{str(path)!r} is a NumPy .npy array, not a table; nnrecipe reads {READ}: save "
            "it with numpy.savez(path, X=X, y=y), or pass the arrays to the Python API"
        )
    zipped = start.startswith(b"PK\x03\x04") and path.suffix.lower() != ".zip"
    if zipped and not is_excel(path):  # (a workbook is read, or named as one, by read_table)
        raise ValueError(
            f"{str(path)!r} is a zip archive (.npz, .xlsx?), not a table; nnrecipe reads {READ}"
        )


def _first_rows(path: Path, sep: str | None):
    """The first two non-empty rows and the separator: ``sep``, else a comma unless the first
    line has none and a tab, semicolon, bar or spaces split it (``\\s+`` for spaces)."""
    with _open_text(path) as f:
        lines = [line.rstrip("\r\n") for line, _ in zip(f, range(50), strict=False)]
    lines = [line for line in lines if line.strip()]
    if not lines:
        return None, None, sep
    if sep is None:
        sep = ","
        if "," not in lines[0]:
            sep = next((c for c in ("\t", ";", "|") if c in lines[0]), None)
            sep = sep or (r"\s+" if len(lines[0].split()) > 1 else ",")
    if sep == r"\s+":
        rows = [line.split() for line in lines[:2]]
    else:
        rows = list(csv.reader(lines[:2], delimiter=sep))
    return rows[0], rows[1] if len(rows) > 1 else None, sep


def _looks_like_header(first: list[str], second: list[str] | None) -> bool:
    """A header line: no cell is a number, or a cell is text where the next line's is a
    number (``age`` above ``39``); a line of data mixes codes and numbers like the next."""
    numbers = [is_number(c) for c in first]
    if not any(numbers):
        return True
    if second is None or len(second) != len(first):
        return not all(numbers)
    return any(not n and is_number(c) for n, c in zip(numbers, second, strict=True))


def csv_options(path: Path, delimiter: str | None = None) -> dict:
    """``pandas.read_csv`` arguments for a text table: the separator sniffed (tab for .tsv),
    the header line detected, leading spaces skipped, ``?``/``NA``/empty cells missing."""
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    tsv = ".tsv" in suffixes  # also data.tsv.gz
    first, second, sep = _first_rows(path, delimiter or ("\t" if tsv else None))
    if first is None:
        raise ValueError(f"{str(path)!r} is empty")
    header = _looks_like_header(first, second)
    twice = sorted(c for c, k in Counter(c.strip() for c in first).items() if k > 1)
    if header and twice:  # pandas would rename the second one "name.1" without a word
        raise ValueError(
            f"{str(path)!r} has duplicated column names {shorten_list(twice)}; rename them"
        )
    return {
        "sep": sep,
        "header": 0 if header else None,
        "index_col": False,
        "skipinitialspace": True,
        "na_values": list(MISSING),
        "encoding": "utf-8-sig",
    }


def read_table(path, delimiter: str | None = None) -> pd.DataFrame:
    """A CSV/TSV (header detected) or Parquet file as a cleaned DataFrame: text stripped,
    ``?``, ``NA``, empty cells and the like as missing, number columns as numbers."""
    path = Path(path)
    check_data_file(path)
    suffix = path.suffix.lower()
    if is_excel(path):  # before any text decoding: a workbook is not UTF-8 text
        return clean(read_excel(path))
    if suffix in (".parquet", ".pq"):
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise ImportError(
                f"reading the Parquet file {str(path)!r} needs pyarrow: pip install pyarrow "
                "(or save the table as CSV)"
            ) from None
        return clean(pd.read_parquet(path))
    options = csv_options(path, delimiter)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)  # rows longer than the header
            frame = pd.read_csv(path, **options, low_memory=False)
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{str(path)!r} is not UTF-8 text ({exc.reason} at byte {exc.start}); save it "
            "as UTF-8 (e.g. iconv -f latin1 -t utf-8)"
        ) from None
    except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        raise ValueError(
            f"{str(path)!r} is not a readable table: {' '.join(str(exc).split())}"
        ) from None
    if len(frame) == 0:
        raise ValueError(f"{str(path)!r} has a header but no data lines")
    return clean(frame)


def as_table(X):
    """``X``, or the table read from it when it is a file path (:func:`read_table`: the one
    reader of ``nnrecipe improve --dataset FILE``)."""
    return read_table(X) if isinstance(X, str | Path) else X


def table_dataset(path, target=None, delimiter: str | None = None) -> Dataset:
    """A table file as ``(X, y)``: X the feature columns as read by :func:`read_table` (a
    DataFrame: text, missing cells and all, for the preprocessing fitted on training rows),
    y the target as written (class labels, or numbers for a regression), a Series named after
    its column. ``target``: a
    column name or index; default the column called target/label/class/y, else the last."""
    frame = read_table(path, delimiter)
    if target is None and not any(str(c).lower() in TARGET_NAMES for c in frame.columns):
        target = len(frame.columns) - 1
    features, tgt = features_and_target(frame, target=target)
    y = tgt.y if tgt.classes is None else np.asarray(tgt.classes, dtype=object)[tgt.y]
    y = pd.Series(y, name=tgt.name)  # named: improve(X, y) says which column it learns
    return Dataset(features, y, [str(c) for c in features.columns], tgt.name, tgt.classes)


def choose_target(columns, target=None) -> str:
    """The target column: ``target`` (a name, or an index), else the one called target,
    label, class or y (any case); else ValueError listing the columns."""
    columns = [str(c) for c in columns]
    if target is None:
        lower = {c.lower(): c for c in columns}
        for name in TARGET_NAMES:
            if name in lower:
                return lower[name]
        raise ValueError(
            f"which column is the target? None is called {', '.join(TARGET_NAMES)}; name it "
            f"with --target (target=...): the columns are {shorten_list(columns)}"
        )
    if isinstance(target, numbers.Integral) and not isinstance(target, bool):
        if not -len(columns) <= target < len(columns):
            raise ValueError(
                f"target={target} is out of range: the table has {len(columns)} columns"
            )
        return columns[int(target)]
    if str(target) in columns:
        return str(target)
    if isinstance(target, str) and target.lstrip("-").isdigit():
        return choose_target(columns, int(target))
    raise ValueError(
        f"target={shorten(target)} is not a column of the table; its columns are "
        f"{shorten_list(columns)}"
    )


def features_and_target(X, y=None, target=None) -> tuple[pd.DataFrame, Target]:
    """Split a table into its feature columns and its encoded target. With ``y`` given
    (labels, or a :class:`Target`), ``X`` is all features; else ``target`` (or the rules of
    :func:`choose_target`) names the target column of ``X``. Rows without a target are
    dropped with a note."""
    frame = clean(X)
    notes = []
    if isinstance(y, Target):  # already encoded (the CLI encodes at load time)
        if len(y.y) != len(frame):
            raise ValueError(f"X has {len(frame)} rows but y has {len(y.y)} labels")
        return frame, y
    if y is None:
        name = choose_target(frame.columns, target)
        labels, frame = frame[name], frame.drop(columns=[name])
        empty = labels.isna().to_numpy()
        if empty.all():
            raise ValueError(
                f"the target column {shorten(name)} has no values: every one of its "
                f"{len(empty)} cells is missing; name the target with --target (target=...)"
            )
        if empty.any():
            notes.append(f"{int(empty.sum())} rows without a target value dropped")
            frame, labels = frame[~empty].reset_index(drop=True), labels[~empty]
    else:
        name = str(target or getattr(y, "name", None) or "y")
        labels = y
        if len(labels) != len(frame):
            raise ValueError(f"X has {len(frame)} rows but y has {len(labels)} labels")
    encoded = encode_target(
        labels.reset_index(drop=True) if isinstance(labels, pd.Series) else labels, name
    )
    encoded.notes[:0] = notes
    return frame, encoded


@dataclass
class TableSplit:
    """What a table became: the split of encoded arrays, the preprocessing fitted on its
    training rows, and the target (classes, notes)."""

    parts: object
    preprocessor: Preprocessor
    target: Target
    scaling: tuple[float, float] | None = None  # μ_y, σ_y of a regression target (train rows)

    def notes(self) -> list[str]:
        return describe_target(self.target) + [self.preprocessor.describe()]


def split_table(
    X,
    y=None,
    *,
    target=None,
    ratios="auto",
    seed=0,
    dev=None,
    test=None,
    preprocessor=None,
    scaling: str = "standard",
) -> TableSplit:
    """Split a DataFrame's rows into train/dev/test (stratified for classes), fit the
    preprocessing on the training rows only (unless a fitted ``preprocessor`` is given;
    ``scaling`` its numbers' scaling, "standard" or "robust") and encode all three sets with
    it. ``dev``/``test`` may be ``(DataFrame, labels)`` pairs."""
    frame, tgt = features_and_target(X, y, target)
    brought = {}
    for key, part in (("dev", dev), ("test", test)):
        if part is not None:
            if not isinstance(part, tuple | list) or len(part) != 2 or not is_frame(part[0]):
                raise TypeError(f"{key} must be a pair (DataFrame, labels) when X is a DataFrame")
            labels = part[1]
            y_part = (
                np.asarray(labels, dtype=np.float64)
                if tgt.classes is None
                else label_indices(tgt.classes, labels, f"{key}[1]")
            )
            brought[key] = (clean(part[0]), y_part)
    dummies = {k: (np.arange(len(v[0])), v[1]) for k, v in brought.items()}
    rows = split(
        np.arange(len(frame)),
        tgt.y,
        ratios=ratios,
        stratify=tgt.classes is not None,
        seed=seed,
        check_distribution=False,
        **dummies,
    )
    tables = {}
    for key, (idx_part, y_part) in zip(("train", "dev", "test"), rows, strict=True):
        if key in brought:
            tables[key] = brought[key]
        else:
            tables[key] = (frame.iloc[idx_part].reset_index(drop=True), y_part)
    if preprocessor is None:
        preprocessor = Preprocessor(scaling=scaling).fit(tables["train"][0])
    scaling = None
    if tgt.classes is None:  # regression: z-scores of the target, training rows' μ_y, σ_y
        scaling = target_scaling(tables["train"][1], f"the target {shorten(tgt.name)}")
        tables = {k: (f, (yk - scaling[0]) / scaling[1]) for k, (f, yk) in tables.items()}
    encoded = {k: (preprocessor.transform(f), yk) for k, (f, yk) in tables.items()}
    parts = Split(
        encoded["train"], encoded["dev"], encoded["test"], rows.rule, rows.indices, rows.stratified
    )
    return TableSplit(parts, preprocessor, tgt, scaling)
