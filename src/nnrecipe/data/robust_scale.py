"""Robust scaling with smooth clipping, fitted on the training rows only (RealMLP's inputs).

For each feature j, with q_p the p-quantile of the training column (NumPy's linear rule):

    s_j = q_0.75 − q_0.25                     (the IQR)
    s_j = (max − min) / 2   when the IQR is 0  (a column mostly one value)
    f_j = 1 / s_j,  or 0 when the column is constant (it then maps to 0)

    z = f_j · (x − q_0.5),      x̃ = z / √(1 + (z/3)²)

The median and the IQR ignore outliers, and the smooth clip keeps x̃ in (−3, 3) while
leaving |z| ≲ 1 almost unchanged (x̃ = z − z³/18 + ...), so a heavy-tailed feature cannot
push a first-layer unit to huge values. Holzmüller et al. (2024, RealMLP, Table B.1) report
−2 % relative error for classification and −9 % for regression against plain
standardization. It is for numeric table columns and arrays: pixels are on one scale
already and their quantiles are mostly 0 (a network refuses it together with ``augment=``).

Memory: :meth:`RobustScaler.fit` reads X a block of columns at a time (about 4 MiB), each
block copied once in X's float dtype (float32 stays float32; integers become float64) and
partitioned in place, so a large float32 X is never copied whole, nor in float64.
:meth:`RobustScaler.transform` writes a block of rows at a time into one output, which may
be X itself.
"""

from __future__ import annotations

import numpy as np

from .._checks import as_features, check_features
from .normalize import BLOCK_BYTES, Standardizer, block_rows

CLIP = 3.0  # x̃ = z / √(1 + (z/CLIP)²) stays in (−CLIP, CLIP)
QUANTILES = (0.25, 0.5, 0.75)


def smooth_clip(Z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Z / √(1 + (Z/3)²) elementwise, in Z's dtype (into ``out``, which may be Z).

    Computed as Z / hypot(1, Z/3), which never squares Z: (Z/3)² would overflow to inf for
    |Z| > 5e19 in float32 and turn a huge input into 0 instead of ±3. Infinite Z (an
    overflow of x − median) is first brought to the largest finite value."""
    finite = np.finfo(Z.dtype).max if Z.dtype.kind == "f" else np.finfo(np.float64).max
    Z = np.clip(Z, -finite, finite, out=out)
    t = np.multiply(Z, 1.0 / CLIP)
    np.hypot(1.0, t, out=t)
    return np.divide(Z, t, out=Z)


def robust_statistics(X) -> tuple[np.ndarray, np.ndarray]:
    """(median, factor) of each column of X (m, n), float64 (see the module docstring):
    factor = 1/IQR, 1/(half the range) when the IQR is 0, and 0 for a constant column."""
    X = check_features(X, "X")
    dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.dtype(np.float64)
    m, n = X.shape
    cols = max(1, BLOCK_BYTES * 4 // (dtype.itemsize * m))  # a block of 4 MiB or one column
    stats = np.empty((5, n))  # q25, median, q75, min, max
    for s in range(0, n, cols):
        # one copy per block, in X's float dtype, a column per row: partitioned in place
        block = np.array(X[:, s : s + cols].T, dtype=dtype, order="C")
        stats[3, s : s + cols] = block.min(axis=1)
        stats[4, s : s + cols] = block.max(axis=1)
        stats[:3, s : s + cols] = np.quantile(block, QUANTILES, axis=1, overwrite_input=True)
    spread = stats[2] - stats[0]
    spread = np.where(spread > 0, spread, 0.5 * (stats[4] - stats[3]))
    factor = np.zeros(n)
    np.divide(1.0, spread, out=factor, where=spread > 0)
    return stats[1], factor


class RobustScaler:
    """x̃ = smooth_clip((x − median) · factor) per feature; attributes ``median_``,
    ``factor_`` (float64, shape (n_x,)). The same interface as :class:`Standardizer`
    (``fitted``, ``fit``, ``transform(X, out=None)``, ``copy``), so a network carries either."""

    name = "robust"

    def __init__(self):
        self.median_ = self.factor_ = None
        self._cast: dict = {}

    @property
    def fitted(self) -> bool:
        return self.median_ is not None

    def fit(self, X) -> RobustScaler:
        """Median and factor of each column of X (m, n_x), the training rows only."""
        return self.set_statistics(*robust_statistics(X))

    def set_statistics(self, median, factor) -> RobustScaler:
        """Set the median and factor (finite, factor ≥ 0, one per feature)."""
        median, factor = np.array(median, np.float64), np.array(factor, np.float64)
        if median.ndim != 1 or factor.shape != median.shape:
            raise ValueError(
                f"median and factor must be 1-D of one length, got shapes {median.shape} "
                f"and {factor.shape}"
            )
        if not (np.isfinite(median).all() and np.isfinite(factor).all() and (factor >= 0).all()):
            raise ValueError("the robust scaling's median and factor must be finite, factor >= 0")
        self.median_, self.factor_, self._cast = median, factor, {}
        return self

    def apply(self, block: np.ndarray) -> np.ndarray:
        """Scale and clip a float (k, n_x) ``block`` in place, unchecked (the hot path)."""
        cast = self._cast.get(block.dtype)
        if cast is None:
            cast = self._cast[block.dtype] = (
                self.median_.astype(block.dtype),
                self.factor_.astype(block.dtype),
            )
        np.subtract(block, cast[0], out=block)
        np.multiply(block, cast[1], out=block)
        return smooth_clip(block, out=block)

    def transform(self, X, out: np.ndarray | None = None) -> np.ndarray:
        """x̃ of every row of X (m, n_x), in X's float dtype (float64 for other inputs),
        computed a block of rows at a time into ``out`` (a new array, or X itself)."""
        if not self.fitted:
            raise ValueError("this RobustScaler is not fitted yet; call fit(X_train) first")
        source = np.asarray(X)
        dtype = source.dtype if source.dtype in (np.float32, np.float64) else np.float64
        X = as_features(source, "X", len(self.median_), dtype)
        if out is None:
            out = X if not np.may_share_memory(X, source) else np.empty_like(X)
        elif not isinstance(out, np.ndarray) or out.shape != X.shape or out.dtype != X.dtype:
            raise ValueError(
                f"out must be a {X.dtype} array of shape {X.shape}, got "
                f"{getattr(out, 'dtype', type(out).__name__)} {getattr(out, 'shape', '')}"
            )
        rows = block_rows(X.shape[1], X.dtype.itemsize)
        for s in range(0, len(X), rows):
            block = out[s : s + rows]
            block[...] = X[s : s + rows]
            self.apply(block)
        return out

    def fit_transform(self, X) -> np.ndarray:
        return self.fit(X).transform(X)

    def copy(self) -> RobustScaler:
        new = RobustScaler()
        return new.set_statistics(self.median_, self.factor_) if self.fitted else new

    def __repr__(self) -> str:
        return f"RobustScaler(n_features={len(self.median_)})" if self.fitted else "RobustScaler()"


SCALINGS = (False, True, "robust")


def scaler_for(standardize, name: str = "standardize"):
    """The input scaling a network carries: None (False), a :class:`Standardizer` (True) or
    a :class:`RobustScaler` ("robust"); anything else is a TypeError naming ``name``."""
    if isinstance(standardize, bool | np.bool_):
        return Standardizer() if standardize else None
    if isinstance(standardize, str) and standardize == "robust":
        return RobustScaler()
    raise TypeError(  # as for every on/off argument (a string such as "yes" is refused)
        f"{name}={standardize!r} is not a scaling; use False (none), True (z-scores, "
        "the course's Standardizer) or 'robust' (median/IQR with smooth clipping)"
    )


def scaling_name(scaler) -> bool | str:
    """The ``standardize`` value that makes ``scaler``: False, True or "robust"."""
    return False if scaler is None else getattr(scaler, "name", True)
