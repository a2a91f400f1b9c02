"""Classes or regression, and how many classes: the one task rule of the package.

Every caller (the framing of :func:`nnrecipe.improve` and :func:`nnrecipe.tune`, the label
encoding of tables, the command line) asks :func:`task`. For targets ``y`` of shape (m,) or
(m, k):

* labels in {0, 1} (shape (m,) or (m, k) multi-label) → sigmoid with 1 (or k) units,
* (m, k) one-hot rows → softmax with k units,
* whole numbers 0..k−1 of shape (m,) with k > 2 → softmax with k units, unless they are a
  quantity: more than :data:`MAX_CLASSES` distinct values, or a regression asked for;
* anything else (real values) → linear regression units.

Labels that were names (text, or a table's classes) are always classes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import as_array, check_scalable

MAX_CLASSES = 100  # more distinct whole numbers than this: a quantity, not classes


@dataclass(frozen=True)
class Task:
    """The answer of :func:`task`: the output activation ("sigmoid", "softmax" or "linear"),
    its units, and (for whole numbers read as a quantity) how many distinct values they hold."""

    output: str
    units: int
    distinct: int = 0

    @property
    def classification(self) -> bool:
        return self.output != "linear"


def is_quantity(distinct: int, regression: bool | None = None) -> bool:
    """Whether whole numbers with ``distinct`` values are a quantity (regression) rather than
    classes: ``regression`` when asked (True/False), else more than :data:`MAX_CLASSES`."""
    return distinct > MAX_CLASSES if regression is None else bool(regression)


def task(y, *, named: bool = False, regression: bool | None = None, labels=None) -> Task:
    """Classes or regression, and how many classes, for targets ``y`` (m,) or (m, k).

    ``named``: the labels were encoded from names (0..k−1 of text labels, a table's
    classes): always classes. ``regression``: True (a regression metric was asked for) or
    False (a classification metric) decides whole numbers 0..k−1; None (default) applies
    the :data:`MAX_CLASSES` rule to the distinct values of ``labels`` (default ``y``: pass
    every set's labels, train, dev and test, to count them all)."""
    output, units = output_layer(y)
    whole = output == "softmax" and not named and np.ndim(y) == 1
    if not whole:
        return Task(output, units)
    distinct = len(np.unique(y if labels is None else np.concatenate(list(labels))))
    if is_quantity(distinct, regression):
        return Task("linear", 1, distinct)
    return Task(output, units)


def output_layer(y) -> tuple[str, int]:
    """``(output activation, units)`` for targets ``y`` of shape (m,) or (m, k)."""
    y = as_array(y, "y")
    if y.ndim not in (1, 2) or y.size == 0:
        raise ValueError(f"y must have shape (m,) or (m, k) with m > 0, got {y.shape}")
    if not (np.issubdtype(y.dtype, np.number) or np.issubdtype(y.dtype, np.bool_)):
        raise TypeError(f"y must hold numbers (labels 0..k-1 or real targets), got {y.dtype}")
    k = 1 if y.ndim == 1 else y.shape[1]
    whole = bool(np.all(np.isfinite(y))) and bool(np.all(y == np.round(y)))
    if whole and y.min() >= 0 and y.max() <= 1:
        if k > 1 and np.all(y.sum(axis=1) == 1):
            return "softmax", k
        return "sigmoid", k
    if whole and y.ndim == 1 and y.min() >= 0:
        return "softmax", int(y.max()) + 1
    return "linear", k


def target_scaling(y, name: str = "y") -> tuple[float, float]:
    """``(μ_y, σ_y)`` of regression targets ``y`` (the training rows): the network learns
    z = (y − μ_y)/σ_y and predicts μ_y + σ_y·ẑ. A constant target gets σ_y = 1 (not a
    division by ~0); a μ_y or σ_y that overflows float64 raises ValueError naming ``name``."""
    y = np.asarray(y, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):  # checked next
        mean, sd = float(y.mean()), float(y.std())
    check_scalable(mean, sd, name)
    return mean, sd if sd > 1e-12 * max(abs(mean), 1) else 1.0


def text_labels(y) -> bool:
    """Whether ``y`` holds labels that are not numbers (text or objects): they need classes."""
    dtype = getattr(y, "dtype", None)
    if not isinstance(dtype, np.dtype):
        if dtype is not None:  # a pandas dtype: str, string, category, nullable numbers
            return str(dtype) in ("str", "string", "category", "object")
        dtype = as_array(y, "y").dtype
    return dtype.kind in "OUS"
