"""Input standardization fitted on the training set only.

    μ = (1/m) Σ_i x_i,    σ² = (1/m) Σ_i (x_i - μ)²,    x̃ = (x - μ) / σ

with σ = 1 for constant features (not a tiny ε, which would blow a feature that is constant
in training but varies later up to huge values). Fit on training data only; transforming
dev and test with the training statistics avoids leaking them into the model.

Memory grows with the data, not with copies of it: ``fit`` reads X once, a block of rows at
a time, in X's own dtype, into float64 accumulators per column (the block's mean and sum of
squared deviations, merged by Chan et al.'s pairwise update), and ``transform`` writes
``(x - μ) / σ`` block by block into one output, which may be X itself. Neither makes a
float64 or full-size temporary, so a float32 array or a ``numpy.memmap`` larger than memory
can be standardized.
"""

from __future__ import annotations

import numpy as np

from .._checks import as_features, check_scalable

# Rows per block: a block's float64 temporary takes about this many bytes (enough for NumPy
# to run at full speed, small enough to stay in cache).
BLOCK_BYTES = 2**20


def block_rows(n_features: int, itemsize: int = 8) -> int:
    """Rows of ``n_features`` values of ``itemsize`` bytes that fit in :data:`BLOCK_BYTES`."""
    return max(1, BLOCK_BYTES // (itemsize * max(n_features, 1)))


def column_moments(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """μ and σ² (the 1/m variance) of each column of ``X`` (m, n), in float64, in one pass.

    Block b of m_b rows gives μ_b and M_b = Σ (x - μ_b)²; blocks merge as (Chan et al.)

        δ = μ_b − μ,   μ ← μ + δ·m_b/(m + m_b),   M ← M + M_b + δ²·m·m_b/(m + m_b)

    so the accumulators are float64 per column, never per element, and σ² = M/m.
    """
    with np.errstate(over="ignore", invalid="ignore"):  # the caller checks the result
        return _column_moments(X)


def _column_moments(X) -> tuple[np.ndarray, np.ndarray]:
    m_total, n = X.shape
    rows = block_rows(n)
    count, mean, m2 = 0, np.zeros(n), np.zeros(n)
    tmp = np.empty((min(rows, m_total), n))
    for s in range(0, m_total, rows):
        block = X[s : s + rows]
        d = tmp[: len(block)]
        d[...] = block  # the block in float64
        mean_b = d.mean(axis=0)
        d -= mean_b
        d *= d
        m2_b = d.sum(axis=0)
        m_b = len(block)
        delta = mean_b - mean
        total = count + m_b
        mean += delta * (m_b / total)
        m2 += m2_b + delta * delta * (count * m_b / total)
        count = total
    return mean, m2 / count


class Standardizer:
    """Zero mean, unit variance per feature. Attributes ``mean_``, ``var_``, ``scale_``."""

    def __init__(self):
        self.mean_ = self.var_ = self.scale_ = None

    @property
    def fitted(self) -> bool:
        return self.mean_ is not None

    def fit(self, X) -> Standardizer:
        """μ, σ² and σ of each column of X (m, n_x), read in one streaming pass in X's dtype
        (a float32 array or a ``numpy.memmap`` is never copied whole)."""
        dtype = getattr(X, "dtype", None)
        dtype = dtype if dtype in (np.float32, np.float64) else np.float64
        return self.set_moments(*column_moments(as_features(X, "X", dtype=dtype)))

    def set_moments(self, mean, var, name: str = "X") -> Standardizer:
        """Set μ and σ² (per feature, e.g. from :func:`column_moments` of rows made a block
        at a time); σ = √σ², or 1 for a constant feature. A μ or σ² that is not finite
        (values too large for float64) raises ValueError naming the column of ``name``."""
        mean, var = np.array(mean, dtype=np.float64), np.array(var, dtype=np.float64)
        if mean.ndim != 1 or var.shape != mean.shape:
            raise ValueError(
                f"mean and var must be 1-D of one length, got shapes {mean.shape} and {var.shape}"
            )
        check_scalable(mean, var, name)
        self.mean_, self.var_ = mean, var
        scale = np.sqrt(self.var_)
        # relative threshold: a feature is constant when its spread is round-off of its size
        constant = scale <= 1e-12 * np.maximum(np.abs(self.mean_), 1.0)
        scale[constant] = 1.0
        self.scale_ = scale
        return self

    def _check(self, X, name: str) -> np.ndarray:
        if not self.fitted:
            raise ValueError("this Standardizer is not fitted yet; call fit(X_train) first")
        X = np.asarray(X)
        dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.float64
        return as_features(X, name, len(self.mean_), dtype)

    def transform(self, X, out: np.ndarray | None = None) -> np.ndarray:
        """(X - μ) / σ, in X's float dtype (float64 for other inputs), shape (m, n_x).

        Computed a block of rows at a time into ``out``: a new array when None, or an array
        of X's shape and float dtype (``out=X`` standardizes X in place, with no copy).
        """
        source = X
        X = self._check(X, "X")
        if out is None:
            # X converted to float by the check is already a private copy: reuse it
            owned = isinstance(source, np.ndarray) and not np.may_share_memory(X, source)
            out = X if owned else np.empty_like(X)
        elif not isinstance(out, np.ndarray) or out.shape != X.shape or out.dtype != X.dtype:
            raise ValueError(
                f"out must be a {X.dtype} array of shape {X.shape} (X's shape and float "
                f"dtype), got {getattr(out, 'dtype', type(out).__name__)} "
                f"{getattr(out, 'shape', '')}; pass out=None for a new array"
            )
        mean, scale = self.mean_.astype(X.dtype), self.scale_.astype(X.dtype)
        rows = block_rows(X.shape[1], X.dtype.itemsize)
        for s in range(0, len(X), rows):
            block = out[s : s + rows]
            np.subtract(X[s : s + rows], mean, out=block)
            np.divide(block, scale, out=block)
        return out

    def fit_transform(self, X) -> np.ndarray:
        return self.fit(X).transform(X)

    def inverse_transform(self, X) -> np.ndarray:
        X = self._check(X, "X")
        return X * self.scale_.astype(X.dtype) + self.mean_.astype(X.dtype)

    def copy(self) -> Standardizer:
        new = Standardizer()
        if self.fitted:
            new.mean_, new.var_, new.scale_ = (
                self.mean_.copy(),
                self.var_.copy(),
                self.scale_.copy(),
            )
        return new

    def __repr__(self) -> str:
        return f"Standardizer(n_features={len(self.mean_)})" if self.fitted else "Standardizer()"
