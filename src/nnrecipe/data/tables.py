"""Tables as they come: reading them with pandas, choosing the target, encoding the labels,
and the train/dev/test split with the preprocessing fitted on the training rows only.

Labels: classification targets of any kind (text, booleans, whole numbers that need not be
0..k−1) become class indices ``y = index of the label in classes`` with ``classes`` the sorted
distinct labels; a numeric target is taken as classes when all its values are whole numbers
and there are at most ``MAX_CLASSES`` of them, else as a regression target.
"""

from __future__ import annotations

import csv
import numbers
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .preprocess import MISSING, Preprocessor, clean, is_frame

TARGET_NAMES = ("target", "label", "class", "y")
MAX_CLASSES = 100
FEW_VALUES = 10
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".pq")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _first_rows(path: Path, sep: str | None):
    """The first two non-empty rows and the separator: ``sep``, else a comma unless the first
    line has none and a tab, semicolon, bar or spaces split it (``\\s+`` for spaces)."""
    with open(path, encoding="utf-8-sig", errors="replace") as f:
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
    numbers = [_is_number(c) for c in first]
    if not any(numbers):
        return True
    if second is None or len(second) != len(first):
        return not all(numbers)
    return any(not n and _is_number(c) for n, c in zip(numbers, second, strict=True))


def read_table(path, delimiter: str | None = None) -> pd.DataFrame:
    """A CSV/TSV (header detected) or Parquet file as a cleaned DataFrame: text stripped,
    ``?``, ``NA``, empty cells and the like as missing, number columns as numbers."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"data file {str(path)!r} does not exist")
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise ImportError(
                f"reading the Parquet file {str(path)!r} needs pyarrow: pip install pyarrow "
                "(or save the table as CSV)"
            ) from None
        return clean(pd.read_parquet(path))
    first, second, sep = _first_rows(path, delimiter or ("\t" if suffix == ".tsv" else None))
    if first is None:
        raise ValueError(f"{str(path)!r} is empty")
    header = 0 if _looks_like_header(first, second) else None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)  # rows longer than the header
            frame = pd.read_csv(
                path,
                sep=sep,
                header=header,
                index_col=False,
                skipinitialspace=True,
                na_values=list(MISSING),
                encoding="utf-8-sig",
                low_memory=False,
            )
    except (pd.errors.ParserError, pd.errors.ParserWarning, UnicodeDecodeError) as exc:
        raise ValueError(
            f"{str(path)!r} is not a readable table: {' '.join(str(exc).split())}"
        ) from None
    if len(frame) == 0:
        raise ValueError(f"{str(path)!r} has a header but no data lines")
    return clean(frame)


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
            f"with --target (target=...): the columns are {columns}"
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
    raise ValueError(f"target={target!r} is not a column of the table; its columns are {columns}")


@dataclass
class Target:
    """Encoded labels: ``y`` (class indices, or the numbers of a regression), ``classes``
    (original labels, None for regression), and the notes printed about them."""

    name: str
    y: np.ndarray
    classes: list | None
    notes: list[str] = field(default_factory=list)

    @property
    def task(self) -> str:
        if self.classes is None:
            return "regression"
        return f"classification with {len(self.classes)} classes"


def _plain(v):
    return v.item() if isinstance(v, np.generic) else v


def encode_target(values, name: str = "y") -> Target:
    """Labels of any kind → :class:`Target` (see the module docstring for the rule)."""
    s = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values).ravel())
    s = clean(s.to_frame("y"))["y"]
    if s.isna().any():
        raise ValueError(f"the target {name!r} has {int(s.isna().sum())} empty cells")
    notes = []
    if pd.api.types.is_bool_dtype(s):
        classes = [False, True]
    elif pd.api.types.is_numeric_dtype(s):
        x = s.to_numpy(dtype=np.float64)
        distinct = np.unique(x)
        if np.all(x == np.round(x)) and len(distinct) <= MAX_CLASSES:
            classes = [int(v) for v in distinct]
            if len(classes) > FEW_VALUES:
                notes.append(
                    f"the target {name!r} holds {len(classes)} distinct whole numbers, taken as "
                    "classes; if it is a quantity, a regression would suit it better"
                )
        else:
            if len(distinct) <= FEW_VALUES:
                warnings.warn(
                    f"the target {name!r} has only {len(distinct)} distinct values "
                    f"{distinct.tolist()}: they look like classes, but a regression is trained",
                    UserWarning,
                    stacklevel=2,
                )
            return Target(name, x, None, notes)
    else:
        classes = sorted({str(v) for v in s})
    if len(classes) < 2:
        raise ValueError(f"the target {name!r} has a single class {classes}; nothing to learn")
    y = label_indices(classes, s.to_numpy(), name)
    return Target(name, y, [_plain(c) for c in classes], notes)


def label_indices(classes, labels, name: str = "y") -> np.ndarray:
    """Original labels → indices into ``classes``; ValueError naming unknown labels."""
    labels = np.asarray(labels.to_numpy() if isinstance(labels, pd.Series) else labels)
    lookup = {_key(c): i for i, c in enumerate(classes)}
    flat = labels.ravel()
    try:
        return np.array([lookup[_key(v)] for v in flat], dtype=np.int64)
    except KeyError:
        unknown = sorted({str(v) for v in flat if _key(v) not in lookup})[:5]
        raise ValueError(
            f"{name} holds labels {unknown} that are not among the model's classes {list(classes)}"
        ) from None


def _key(v):
    v = _plain(v)
    if isinstance(v, bool):
        return ("b", v)
    if isinstance(v, numbers.Number) and float(v).is_integer():
        return ("n", int(v))
    return ("s", str(v).strip())


def balance(target: Target) -> str:
    """``"no 70.0% (140), yes 30.0% (60)"``: each class's share (the ten largest)."""
    counts = np.bincount(target.y, minlength=len(target.classes))
    order = np.argsort(-counts, kind="stable")[:10]
    text = ", ".join(
        f"{target.classes[i]} {counts[i] / counts.sum():.1%} ({counts[i]})" for i in order
    )
    return text + (f", … {len(counts) - 10} more" if len(counts) > 10 else "")


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


def describe_target(target: Target) -> list[str]:
    """The lines printed about the target: its name, the task, and the class balance."""
    lines = [f"target {target.name!r}: {target.task}"]
    if target.classes is not None:
        lines.append(f"class balance: {balance(target)}")
    return lines + target.notes


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
    X, y=None, *, target=None, ratios="auto", seed=0, dev=None, test=None, preprocessor=None
) -> TableSplit:
    """Split a DataFrame's rows into train/dev/test (stratified for classes), fit the
    preprocessing on the training rows only (unless a fitted ``preprocessor`` is given) and
    encode all three sets with it. ``dev``/``test`` may be ``(DataFrame, labels)`` pairs."""
    from .split import Split, split

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
        preprocessor = Preprocessor().fit(tables["train"][0])
    scaling = None
    if tgt.classes is None:  # regression: z-scores of the target, training rows' μ_y, σ_y
        y_train = np.asarray(tables["train"][1], dtype=np.float64)
        sd = float(y_train.std())
        scaling = (float(y_train.mean()), sd if sd > 1e-12 * max(abs(y_train.mean()), 1) else 1.0)
        tables = {k: (f, (yk - scaling[0]) / scaling[1]) for k, (f, yk) in tables.items()}
    encoded = {k: (preprocessor.transform(f), yk) for k, (f, yk) in tables.items()}
    parts = Split(
        encoded["train"], encoded["dev"], encoded["test"], rows.rule, rows.indices, rows.stratified
    )
    return TableSplit(parts, preprocessor, tgt, scaling)


def class_errors(y_true, y_pred, classes) -> dict:
    """Plain, per-class and balanced error of class indices:

        error = (1/m) Σ_i 1[ŷ_i ≠ y_i],   e_c = mean of 1[ŷ_i ≠ y_i] over the rows with y_i = c,
        balanced error = (1/k) Σ_c e_c   (over the classes present)

    A rare class the network never predicts shows as e_c = 1 even when the plain error is low.
    """
    y_true, y_pred = np.asarray(y_true).ravel(), np.asarray(y_pred).ravel()
    wrong = y_true != y_pred
    per_class = {
        str(c): float(wrong[y_true == i].mean())
        for i, c in enumerate(classes)
        if (y_true == i).any()
    }
    return {
        "error": float(wrong.mean()),
        "balanced_error": float(np.mean(list(per_class.values()))),
        "per_class": per_class,
    }


def attach_table(result, table: TableSplit, dev_set) -> None:
    """Give ``result.network`` (trained on ``table``'s encoded arrays, without classes yet)
    the table's preprocessing and class names, so it takes raw DataFrames and predicts the
    original labels; record them, with the dev set's per-class errors, in ``result``."""
    net = result.network
    if net is not None:
        if table.target.classes is not None:
            predicted = net.predict(dev_set[0])
            result.class_errors = class_errors(dev_set[1], predicted, table.target.classes)
        net.preprocessor, net.classes = table.preprocessor, table.target.classes
        net.target_scaling = table.scaling
    result.classes = table.target.classes
    result.preprocessing = table.notes() + table.preprocessor.summary()
