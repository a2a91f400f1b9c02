"""Which output layer fits a set of targets.

* labels in {0, 1} (shape (m,) or (m, k) multi-label) → sigmoid with 1 (or k) units,
* integer labels 0..k-1 with k > 2 → softmax with k units,
* (m, k) one-hot rows → softmax with k units,
* anything else (real values) → linear regression units.
"""

from __future__ import annotations

import numpy as np

from .._checks import as_array, check_scalable


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
