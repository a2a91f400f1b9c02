"""Zeros that mean "missing": the habit of tables that have no empty cell for a value not
measured (a blood pressure, a BMI or an insulin level of 0 in the Pima diabetes table).

A numeric column is *zero-coded* when, on the rows it is judged on,

    0 occurs in between 0.1 % and 50 % of the rows,
    every other value is positive,
    0 lies more than 2.5 standard deviations below the mean of the non-zero values:
        mean(x | x ≠ 0) > 2.5 · std(x | x ≠ 0), and
    0 is isolated: the smallest non-zero value x₁ is more than twice the step from it to
    the next distinct value x₂ away from 0:  x₁ > 2 · (x₂ − x₁).

The last condition keeps a zero at the bottom of a run of small whole numbers (0, 1, 2, …:
counts, or the 0–15 statistics of the letter-recognition table) a value: the step from 0 to
1 is the column's own step. A blood pressure of 0 next to values from 24 up (24, 30, …) is
isolated and flagged.

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

from .normalize import block_rows

MIN_SHARE, MAX_SHARE = 0.001, 0.5
SPREAD = 2.5  # 0 at least this many standard deviations below the non-zero mean
GAP = 2.0  # x₁ > GAP · (x₂ − x₁): 0 isolated below the column's two smallest non-zero values


def zero_coded(x, min_share: float = MIN_SHARE, max_share: float = MAX_SHARE) -> bool:
    """Whether the column ``x`` (m,) is zero-coded (the rule of the module docstring);
    missing cells (NaN) are left out of the count."""
    column = np.asarray(x, dtype=np.float64).reshape(-1, 1)
    return zero_coded_columns(column, min_share, max_share) == [0]


def zero_coded_columns(X, min_share: float = MIN_SHARE, max_share: float = MAX_SHARE):
    """The indices of the zero-coded columns of ``X`` (m, n).

    X is read once, a block of rows at a time (a float64 copy of the block only, so a large
    float32 array is never doubled): per column, the counts of values, zeros and negatives,
    and the mean and the sum of squared deviations of the non-zero values, merged across
    blocks as :func:`nnrecipe.data.normalize.column_moments` merges its blocks.
    """
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (m, n), got shape {X.shape}")
    n = X.shape[1]
    counted, zeros, negative = np.zeros(n), np.zeros(n), np.zeros(n)
    count, mean, m2 = np.zeros(n), np.zeros(n), np.zeros(n)
    low1, low2 = np.full(n, np.inf), np.full(n, np.inf)  # the two smallest distinct x > 0
    # inf in a column (or values whose squares overflow) makes its statistics NaN or inf,
    # which no comparison passes: not coded (the standardization names such a column)
    with np.errstate(invalid="ignore", over="ignore"):
        rows = block_rows(n)
        for s in range(0, len(X), rows):
            block = np.asarray(X[s : s + rows], dtype=np.float64)
            valid, zero = ~np.isnan(block), block == 0
            counted += valid.sum(axis=0)
            zeros += zero.sum(axis=0)
            negative += (block < 0).sum(axis=0)
            rest = valid & ~zero
            n_b = rest.sum(axis=0)
            mean_b = _ratio(np.where(rest, block, 0.0).sum(axis=0), n_b)
            deviation = np.where(rest, block - mean_b, 0.0)
            total = count + n_b
            delta, share_b = mean_b - mean, _ratio(n_b, total)
            mean += delta * share_b
            m2 += (deviation * deviation).sum(axis=0) + delta * delta * count * share_b
            count = total
            low1, low2 = _two_smallest(np.vstack([low1, low2, *_two_smallest(
                np.where(rest & (block > 0), block, np.inf))]))  # fmt: skip
        share = _ratio(zeros, counted)
        std = np.sqrt(_ratio(m2, count))
        coded = (
            (counted > 0)
            & (min_share <= share)
            & (share <= max_share)
            & (negative == 0)
            & (count > 1)
            & (mean > SPREAD * std)
            & (std > 0)
            & (low1 > GAP * (low2 - low1))
        )
    return [int(j) for j in np.flatnonzero(coded)]


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a / b where b > 0, else 0."""
    return np.divide(a, b, out=np.zeros(np.shape(a)), where=b > 0)


def _two_smallest(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The smallest and the second smallest distinct value of each column (inf if none)."""
    first = values.min(axis=0)
    return first, np.where(values > first, values, np.inf).min(axis=0)
