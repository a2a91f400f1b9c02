"""Stratification: class codes of the labels, and orders that keep the classes in proportion.

A stratified order of m rows with class counts n_c puts the j-th row (in random order) of
class c at the key (j + u_c) / n_c, u_c ~ U[0, 1): sorted by key, every prefix of the order
holds each class in proportion n_c / m (to within one row), so any cut into train, dev and
test, or any k-fold, is stratified.
"""

from __future__ import annotations

import numpy as np


def class_codes(y, stratify=True) -> np.ndarray | None:
    """Integer class codes to stratify on, or None when ``y`` is not a set of class labels.

    Labels are classes when they are integers, booleans, strings, integral floats, or one-hot
    rows; continuous (regression) targets and multi-label rows give None (shuffle only).
    """
    if stratify is False or stratify is None:
        return None
    target = y if stratify is True else np.asarray(stratify)
    if target is None:
        return None
    target = np.asarray(target)
    if target.ndim == 2 and target.shape[1] == 1:
        target = target[:, 0]
    if target.ndim == 2:
        onehot = np.isin(target, (0, 1)).all() and np.all(target.sum(axis=1) == 1)
        return target.argmax(axis=1) if onehot else None
    if target.ndim != 1:
        return None
    if np.issubdtype(target.dtype, np.floating) and not np.all(target == np.round(target)):
        return None
    return np.unique(target, return_inverse=True)[1].ravel()


def stratified_order(codes: np.ndarray | None, m: int, rng: np.random.Generator) -> np.ndarray:
    """A random order of ``range(m)`` in which every prefix holds each class in proportion."""
    if codes is None:
        return rng.permutation(m)
    perm = rng.permutation(m)
    grouped = perm[np.argsort(codes[perm], kind="stable")]  # by class, random within a class
    c = codes[grouped]
    counts = np.bincount(c)
    starts = np.cumsum(counts) - counts
    rank = np.arange(m) - starts[c]
    key = (rank + rng.random(len(counts))[c]) / counts[c]
    return grouped[np.argsort(key, kind="stable")]
