"""Mini-batches: shuffle the examples once, then cut them in order.

With m examples (rows of X), a permutation π drawn from ``rng`` and batch size B:

    batch k = (X[π[kB : (k+1)B]], y[π[kB : (k+1)B]]),   k = 0 .. ⌈m/B⌉ - 1

so there are ⌊m/B⌋ full batches and, when B does not divide m, one last batch of m mod B.
``rng`` may be a ``np.random.Generator`` (the library's runs) or a legacy
``np.random.RandomState`` (``RandomState(seed).permutation(m)`` is what the course draws after
``np.random.seed(seed)``, so :func:`nnrecipe.course.random_mini_batches` gets its very batches).
"""

from __future__ import annotations

import numpy as np

from .._checks import as_rng, check_positive


def mini_batches(X, y, batch_size: int, rng=None) -> list[tuple[np.ndarray, np.ndarray]]:
    """Shuffled mini-batches ``[(X_0, y_0), (X_1, y_1), ...]`` of X (m, ...) and y (m, ...).

    Parameters
    ----------
    X : array (m, n_x);  y : array (m,) or (m, k)
    batch_size : int
        B; the last batch holds the m mod B examples left over (when there are any).
    rng : numpy.random.Generator, numpy.random.RandomState, int or None
        Draws the permutation π = ``rng.permutation(m)`` (an int seeds a Generator).
    """
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError("X and y must be arrays with one row per example")
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} examples but y has {len(y)}; one label per row")
    batch_size = check_positive(batch_size, "batch_size", integer=True)
    if not isinstance(rng, np.random.RandomState):
        rng = as_rng(rng, "rng")
    order = rng.permutation(len(X))
    X, y = X[order], y[order]
    return [(X[s : s + batch_size], y[s : s + batch_size]) for s in range(0, len(X), batch_size)]
