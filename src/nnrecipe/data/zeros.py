"""Zeros that mean "missing": the habit of tables that have no empty cell for a value not
measured (a blood pressure, a BMI or an insulin level of 0 in the Pima diabetes table).

A numeric column is *zero-coded* when, on the rows it is judged on,

    0 occurs in between 0.1 % and 50 % of the rows,
    every other value is positive, and
    0 lies more than 3 standard deviations below the mean of the non-zero values:
        mean(x | x ≠ 0) > 3 · std(x | x ≠ 0).

Such zeros are not small measurements but gaps; fed to a network as they are they are
outliers many standard deviations from the column's mean. The table preprocessing
(:mod:`nnrecipe.data.preprocess`) treats them as missing cells (median + an indicator);
:func:`nnrecipe.improve` flags them in a plain array, where it cannot.
"""

from __future__ import annotations

import numpy as np

MIN_SHARE, MAX_SHARE = 0.001, 0.5


def zero_coded(x, min_share: float = MIN_SHARE, max_share: float = MAX_SHARE) -> bool:
    """Whether the column ``x`` (m,) is zero-coded (the rule of the module docstring);
    missing cells (NaN) are left out of the count."""
    x = np.asarray(x, dtype=np.float64)
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return False
    zero = x == 0
    share = zero.mean()
    if not min_share <= share <= max_share or np.any(x < 0):
        return False
    rest = x[~zero]
    return bool(len(rest) > 1 and rest.mean() > 3 * rest.std() > 0)


def zero_coded_columns(X, min_share: float = MIN_SHARE, max_share: float = MAX_SHARE):
    """The indices of the zero-coded columns of ``X`` (m, n)."""
    X = np.asarray(X, dtype=np.float64)
    return [j for j in range(X.shape[1]) if zero_coded(X[:, j], min_share, max_share)]
