"""Zeros that mean "missing": the habit of tables that have no empty cell for a value not
measured (a blood pressure, a BMI or an insulin level of 0 in the Pima diabetes table).

A numeric column is *zero-coded* when, on the rows it is judged on,

    0 occurs in between 0.1 % and 50 % of the rows,
    every other value is positive, and
    0 lies more than 2.5 standard deviations below the mean of the non-zero values:
        mean(x | x ≠ 0) > 2.5 · std(x | x ≠ 0).

Such zeros are not small measurements but gaps; fed to a network as they are they are
outliers many standard deviations from the column's mean. The table preprocessing
(:mod:`nnrecipe.data.preprocess`) treats them as missing cells (median + an indicator);
:func:`nnrecipe.improve` flags them in a plain array, where it cannot.

The rule leans towards flagging: the indicator column keeps "this cell was 0", so a real
zero read as missing loses nothing (0 hours worked is still learnable), while a gap read as
a measurement is an outlier. By the Pima diabetes table's commonly quoted column
statistics (the table is not in this repository, so this was worked out by hand, not run) it
would flag glucose, blood pressure, skin thickness and BMI (zeros in about 0.7-30 % of rows,
mean/std of the rest about 2.8-5.8), not the number of pregnancies (mean/std about 1.4:
zeros are real there), nor insulin (zeros in 49 % of rows, mean/std about 1.3: too spread
to tell). The tests check the rule on synthetic columns shaped like these.
"""

from __future__ import annotations

import numpy as np

MIN_SHARE, MAX_SHARE = 0.001, 0.5
SPREAD = 2.5  # 0 at least this many standard deviations below the non-zero mean


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
    return bool(len(rest) > 1 and rest.mean() > SPREAD * rest.std() > 0)


def zero_coded_columns(X, min_share: float = MIN_SHARE, max_share: float = MAX_SHARE):
    """The indices of the zero-coded columns of ``X`` (m, n)."""
    X = np.asarray(X, dtype=np.float64)
    return [j for j in range(X.shape[1]) if zero_coded(X[:, j], min_share, max_share)]
