"""Turning a table into network inputs, with every statistic fitted on the training rows only.

For each column of the training table (the course's μ/σ rule, applied to every step):

* numeric ``x``: missing cells get the training median, ``x̃ = median`` where ``x`` is missing,
  plus an indicator column ``1[x missing]`` when training had missing cells; zeros count as
  missing cells in a column whose training zeros code "not measured"
  (:mod:`nnrecipe.data.zeros`: a blood pressure of 0), unless ``zeros_as_missing=False``; then
  ``z = (x̃ − μ) / σ`` with μ, σ² the training mean and variance of ``x̃`` (σ = 1 when constant),
  or with ``scaling="robust"`` μ the median, σ the IQR (:mod:`nnrecipe.data.robust_scale`;
  σ = 1 when constant) and then ``z ← z / √(1 + (z/3)²)``;
* text, boolean and declared categorical columns: one-hot, ``e_c = 1[x = c]`` for the categories
  ``c`` seen at least ``min_count`` times in training (at most ``max_categories``, the most
  frequent), a missing cell counting as the category ``"(missing)"``. The other categories,
  and any category first seen at prediction time, share one ``<other>`` slot (all zeros when
  training had no rare category, so the unseen value adds nothing);
* dropped, with the reason: all empty, constant, ID-like (every value distinct, or text with
  more distinct values than half its rows, or whole numbers counting up by one).

The fitted state is plain JSON (:meth:`Preprocessor.to_dict`) plus three float arrays
(:meth:`Preprocessor.arrays`), so a model file can hold it and loading runs no code.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .._checks import check_scalable, shorten_list
from .number_format import check_numbers, format_hint
from .robust_scale import robust_statistics, smooth_clip
from .zeros import zero_coded

# cells that mean "no value" in the tables people publish (adult census, house prices, ...)
MISSING = ("", "?", "NA", "N/A", "n/a", "NaN", "nan", "null", "NULL", "None", "none")
MISSING_CATEGORY = "(missing)"
SCALINGS = ("standard", "robust")  # of numeric columns: z-scores, or median/IQR + smooth clip
OTHER = "<other>"
ID_MIN_VALUES = 20  # a column needs this many distinct values before it can look like an ID
ID_NAME = r"(?i:(^|[_\s-])id)$|[a-z]ID$|[a-z]Id$"  # id, user_id, PassengerId, CustomerID


def is_frame(X) -> bool:
    """Whether ``X`` is a pandas DataFrame (checked without importing pandas elsewhere)."""
    return isinstance(X, pd.DataFrame)


def clean(frame: pd.DataFrame) -> pd.DataFrame:
    """Column names as stripped strings; text cells stripped, missing tokens as NA, and text
    columns whose every value is a number turned into numbers."""
    frame = frame.copy()
    frame.columns = [str(c).strip() for c in frame.columns]
    duplicated = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
    if duplicated:
        raise ValueError(
            f"the table has duplicated column names {shorten_list(duplicated)}; rename them"
        )
    for name in frame.columns:
        s = frame[name]
        if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            continue
        if isinstance(s.dtype, pd.CategoricalDtype):
            continue
        s = s.map(lambda v: v.strip() if isinstance(v, str) else v, na_action="ignore")
        s = s.mask(s.isin(MISSING)).astype(object)
        present = s.dropna()
        numbers = pd.to_numeric(present, errors="coerce")
        if len(present) and numbers.notna().all() and not present.map(type).eq(bool).any():
            s = pd.to_numeric(s, errors="coerce")
        frame[name] = s
    return frame


def as_text(s: pd.Series) -> np.ndarray:
    """Category values as strings: whole numbers without ``.0`` (``1`` and ``1.0`` are one
    category), missing cells as ``"(missing)"``."""

    def text(v):
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            return MISSING_CATEGORY
        if isinstance(v, float | np.floating) and float(v).is_integer():
            return str(int(v))
        return str(v).strip()

    return np.array([text(v) for v in s.astype(object)], dtype=object)


def _numbers(s: pd.Series) -> np.ndarray:
    x = np.array(pd.to_numeric(s, errors="coerce"), dtype=np.float64)  # a copy: NA → NaN
    x[~np.isfinite(x)] = np.nan
    return x


class Preprocessor:
    """Fitted table → matrix transformation (see the module docstring for the formulas).

    Parameters
    ----------
    categorical : list of str, optional
        Columns to one-hot encode even when they hold numbers (codes like 1, 2, 3).
    max_categories : int
        One-hot columns per categorical column at most (the most frequent categories).
    min_count : int
        Categories seen fewer times in training go to the shared ``<other>`` slot.
    zeros_as_missing : bool
        Treat the zeros of zero-coded numeric columns as missing cells (default True).
    scaling : {"standard", "robust"}
        How numeric columns are scaled: z-scores, or median/IQR with smooth clipping.
    """

    def __init__(self, categorical=None, max_categories: int = 30, min_count: int = 5,
                 zeros_as_missing: bool = True, scaling: str = "standard"):  # fmt: skip
        if scaling not in SCALINGS:
            raise ValueError(f"scaling={scaling!r} must be one of {list(SCALINGS)}")
        self.scaling = scaling
        self.categorical = [str(c) for c in (categorical or [])]
        self.max_categories, self.min_count = int(max_categories), int(min_count)
        self.zeros_as_missing = bool(zeros_as_missing)
        self.columns_: list[dict] | None = None
        self.median_ = self.mean_ = self.scale_ = None

    @property
    def fitted(self) -> bool:
        return self.columns_ is not None

    # ----------------------------------------------------------------- fitting
    def _kind(self, name: str, s: pd.Series) -> tuple[str, str]:
        present = s.dropna()
        distinct = present.nunique()
        if len(present) == 0:
            return "dropped", "all empty"
        if distinct <= 1 and len(present) == len(s):
            return "dropped", "constant"
        declared = name in self.categorical or isinstance(s.dtype, pd.CategoricalDtype)
        if pd.api.types.is_bool_dtype(s) or declared:
            return "categorical", ""
        if pd.api.types.is_numeric_dtype(s):
            x = np.sort(present.to_numpy(dtype=np.float64))
            whole = np.all(x == np.round(x))
            if whole and distinct == len(present) >= ID_MIN_VALUES:
                if np.all(np.diff(x) == 1) or re.search(ID_NAME, name):
                    return "dropped", "ID-like (a distinct whole number per row)"
            return "numeric", ""
        hint = format_hint(present)
        if hint:
            return "dropped", hint
        if distinct == len(present) >= ID_MIN_VALUES:
            return "dropped", "ID-like (every value distinct)"
        if distinct >= ID_MIN_VALUES and distinct > 0.5 * len(present):
            return "dropped", f"near-unique text ({distinct} distinct values in {len(present)})"
        return "categorical", ""

    def fit(self, frame: pd.DataFrame) -> Preprocessor:
        """Learn every statistic from ``frame``, the training rows (features only)."""
        if not is_frame(frame):
            raise TypeError(
                f"Preprocessor.fit needs a pandas DataFrame, got {type(frame).__name__}"
            )
        if len(frame) == 0:
            raise ValueError("the training table has no rows")
        frame = clean(frame)
        columns, median, mean, scale = [], [], [], []
        for name in frame.columns:
            s = frame[name]
            kind, reason = self._kind(name, s)
            if kind == "numeric":
                x = _numbers(s)
                zeros = self.zeros_as_missing and zero_coded(x)
                n_zeros = int(np.sum(x == 0)) if zeros else 0
                if zeros:
                    x[x == 0] = np.nan
                missing = np.isnan(x)
                med = float(np.median(x[~missing]))
                filled = np.where(missing, med, x)
                with np.errstate(over="ignore", invalid="ignore"):  # checked next
                    mu, sd = float(filled.mean()), float(filled.std())
                check_scalable(np.array([mu]), np.array([sd]), "the table's", [name])
                sd = 1.0 if sd <= 1e-12 * max(abs(mu), 1.0) else sd
                if self.scaling == "robust":  # median and IQR (factor 0: constant, σ = 1)
                    center, factor = robust_statistics(filled[:, None])
                    mu, sd = float(center[0]), 1.0 / float(factor[0]) if factor[0] else 1.0
                columns.append(
                    {
                        "name": name,
                        "kind": kind,
                        "indicator": bool(missing.any()),
                        "n_missing": int(missing.sum()),
                        "zeros_missing": bool(zeros),
                        "n_zeros": n_zeros,
                    }
                )
                median.append(med), mean.append(mu), scale.append(sd)
            elif kind == "categorical":
                values, counts = np.unique(as_text(s), return_counts=True)
                order = sorted(zip(-counts, values, strict=True))
                kept = [str(v) for c, v in order if -c >= self.min_count][: self.max_categories]
                other = len(kept) < len(values)
                if not kept or (len(kept) == 1 and not other):
                    columns.append(
                        {
                            "name": name,
                            "kind": "dropped",
                            "reason": f"too few rows per category ({len(values)} categories)",
                        }
                    )
                    continue
                columns.append(
                    {
                        "name": name,
                        "kind": kind,
                        "categories": sorted(kept),
                        "other": other,
                        "n_rare": len(values) - len(kept),
                    }
                )
            else:
                columns.append({"name": name, "kind": "dropped", "reason": reason})
        self.columns_ = columns
        self.median_, self.mean_, self.scale_ = (
            np.array(v, dtype=np.float64) for v in (median, mean, scale)
        )
        if self.n_outputs == 0:
            raise ValueError(
                "no column of the table is usable as an input: " + "; ".join(self.summary())
            )
        return self

    # ----------------------------------------------------------------- applying
    @property
    def input_columns(self) -> list[str]:
        """The columns a table must have at prediction time (the dropped ones are not needed)."""
        return [c["name"] for c in self._check() if c["kind"] != "dropped"]

    @property
    def feature_names(self) -> list[str]:
        """The names of the encoded inputs, in order (``age``, ``age_missing``, ``sex=F``, ...)."""
        names = []
        for c in self._check():
            if c["kind"] == "numeric":
                names += [c["name"]] + ([f"{c['name']}_missing"] if c["indicator"] else [])
            elif c["kind"] == "categorical":
                names += [f"{c['name']}={v}" for v in c["categories"]]
                names += [f"{c['name']}={OTHER}"] if c["other"] else []
        return names

    @property
    def n_outputs(self) -> int:
        """The width of the encoded table: the network's ``layer_sizes[0]``."""
        return len(self.feature_names)

    def _check(self) -> list[dict]:
        if self.columns_ is None:
            raise ValueError("this Preprocessor is not fitted yet; call fit(training_table) first")
        return self.columns_

    def missing_columns(self, frame: pd.DataFrame) -> list[str]:
        have = {str(c).strip() for c in frame.columns}
        return [c for c in self.input_columns if c not in have]

    def extra_columns(self, frame: pd.DataFrame) -> list[str]:
        known = {c["name"] for c in self._check()}
        return [str(c).strip() for c in frame.columns if str(c).strip() not in known]

    def transform(self, frame: pd.DataFrame, dtype=np.float64) -> np.ndarray:
        """The encoded inputs (m, n_outputs), with the training statistics only. Columns the
        fit did not know are ignored; a missing input column raises ValueError naming it."""
        if not is_frame(frame):
            raise TypeError(
                f"the preprocessing needs a pandas DataFrame, got {type(frame).__name__}"
            )
        missing = self.missing_columns(frame)
        if missing:
            raise ValueError(
                f"the table lacks the column(s) {shorten_list(missing)} that the model was "
                f"trained on; it needs {shorten_list(self.input_columns)}"
            )
        frame = clean(frame[[c for c in frame.columns if str(c).strip() in self.input_columns]])
        blocks, i = [], 0
        for c in self.columns_:
            if c["kind"] == "numeric":
                check_numbers(frame[c["name"]], c["name"])
                x = _numbers(frame[c["name"]])
                if c.get("zeros_missing"):
                    x[x == 0] = np.nan
                missing_cells = np.isnan(x)
                z = (np.where(missing_cells, self.median_[i], x) - self.mean_[i]) / self.scale_[i]
                z = smooth_clip(z, out=z) if self.scaling == "robust" else z
                blocks.append(z[:, None])
                if c["indicator"]:
                    blocks.append(missing_cells[:, None].astype(np.float64))
                i += 1
            elif c["kind"] == "categorical":
                text = as_text(frame[c["name"]])
                cats = np.array(c["categories"], dtype=object)
                onehot = (text[:, None] == cats[None, :]).astype(np.float64)
                blocks.append(onehot)
                if c["other"]:
                    blocks.append(1.0 - onehot.sum(axis=1, keepdims=True))
        return np.hstack(blocks).astype(dtype, copy=False)

    def fit_transform(self, frame: pd.DataFrame) -> np.ndarray:
        return self.fit(frame).transform(frame)

    # ----------------------------------------------------------------- reporting, storing
    def summary(self) -> list[str]:
        """One line per column: what it became (and why, when dropped)."""
        lines, i = [], 0
        for c in self._check():
            if c["kind"] == "numeric":
                mu, sd = self.mean_[i], self.scale_[i]
                text = f"{c['name']}: numeric, standardized (μ {mu:.4g}, σ {sd:.4g})"
                if self.scaling == "robust":
                    text = f"{c['name']}: numeric, robust-scaled (median {mu:.4g}, IQR {sd:.4g})"
                if c["indicator"]:
                    text += (
                        f"; {c['n_missing']} missing → median {self.median_[i]:.4g} "
                        f"+ indicator {c['name']}_missing"
                    )
                if c.get("zeros_missing"):
                    text += (
                        f" ({c['n_zeros']} zeros read as missing: 0 sits isolated far below "
                        "the other values, as a missing-value code does; the indicator keeps "
                        "them apart)"
                    )
                i += 1
            elif c["kind"] == "categorical":
                text = f"{c['name']}: one-hot, {len(c['categories'])} categories"
                if c["other"]:
                    text += f" + {OTHER} ({c['n_rare']} rare categories, and unseen ones)"
            else:
                text = f"{c['name']}: dropped, {c['reason']}"
            lines.append(text)
        return lines

    def describe(self) -> str:
        """``"14 columns → 104 inputs: 6 numeric, 7 one-hot, 1 dropped"``."""
        kinds = [c["kind"] for c in self._check()]
        return (
            f"{len(kinds)} columns → {self.n_outputs} inputs: {kinds.count('numeric')} numeric, "
            f"{kinds.count('categorical')} one-hot, {kinds.count('dropped')} dropped"
        )

    def to_dict(self) -> dict:
        """The JSON part of the fitted state (the numbers are in :meth:`arrays`)."""
        return {
            "columns": self._check(),
            "max_categories": self.max_categories,
            "min_count": self.min_count,
            "categorical": self.categorical,
            "zeros_as_missing": self.zeros_as_missing,
            "scaling": self.scaling,
        }

    def arrays(self) -> dict[str, np.ndarray]:
        """Median, μ and σ of the numeric columns, in the order they appear in ``columns``."""
        self._check()
        return {"median": self.median_, "mean": self.mean_, "scale": self.scale_}

    @classmethod
    def from_dict(cls, meta: dict, arrays: dict) -> Preprocessor:
        new = cls(meta.get("categorical"), meta["max_categories"], meta["min_count"],
                  meta.get("zeros_as_missing", True), meta.get("scaling", "standard"))  # fmt: skip
        new.columns_ = [dict(c) for c in meta["columns"]]
        new.median_, new.mean_, new.scale_ = (
            np.asarray(arrays[k], dtype=np.float64) for k in ("median", "mean", "scale")
        )
        n_numeric = sum(c["kind"] == "numeric" for c in new.columns_)
        if any(len(a) != n_numeric for a in (new.median_, new.mean_, new.scale_)):
            raise ValueError("the stored preprocessing has statistics for the wrong column count")
        return new

    def copy(self) -> Preprocessor:
        return (
            Preprocessor.from_dict(self.to_dict(), self.arrays())
            if self.fitted
            else Preprocessor(
                self.categorical,
                self.max_categories,
                self.min_count,
                self.zeros_as_missing,
                self.scaling,
            )  # fmt: skip
        )

    def __repr__(self) -> str:
        return f"Preprocessor({self.describe()})" if self.fitted else "Preprocessor()"
