"""Labels of any kind as class indices, and the per-class view of the errors.

Classification targets (text, booleans, whole numbers that need not be 0..k−1) become
``y = index of the label in classes`` with ``classes`` the sorted distinct labels; a numeric
target is taken as classes when all its values are whole numbers and they are not a
quantity by the task rule (:func:`nnrecipe.data.targets.is_quantity`: at most
``MAX_CLASSES`` distinct values), else as a regression target.
"""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .preprocess import clean
from .targets import is_quantity

FEW_VALUES = 10


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
        if np.all(x == np.round(x)) and not is_quantity(len(distinct)):
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


def describe_target(target: Target) -> list[str]:
    """The lines printed about the target: its name, the task, and the class balance."""
    lines = [f"target {target.name!r}: {target.task}"]
    if target.classes is not None:
        lines.append(f"class balance: {balance(target)}")
    return lines + target.notes


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


def encode_pair(part, classes, name: str):
    """``(X, labels)`` → ``(X, indices)`` with the given classes (None passes through)."""
    if part is None:
        return None
    if not isinstance(part, tuple | list) or len(part) != 2:
        raise TypeError(f"{name} must be a pair ({name}_X, {name}_y)")
    return part[0], label_indices(classes, part[1], f"{name}[1]")
