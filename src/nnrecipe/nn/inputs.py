"""A network's inputs: X checked, cast to the network's dtype and standardized, copied at most once.

For prediction and evaluation (:func:`prepare`) X is an array in memory: one copy when its
dtype or layout must change, standardized in place; none when it already is a C-ordered array
of the network's dtype and nothing is to be standardized. For training (:func:`prepare_training`)
X may also be a ``numpy.memmap`` or an ``.npy`` path: the rows are then made a batch at a time
(:class:`nnrecipe.data.rows.Rows`), so a memmap is never loaded whole and no standardized copy
of the training set is ever made.
"""

from __future__ import annotations

import os

import numpy as np

from .._checks import as_features, check_features
from ..data.normalize import Standardizer, column_moments
from ..data.rows import Rows, open_npy


def prepare(X, n_x: int, dtype, standardizer: Standardizer | None, name: str = "X") -> np.ndarray:
    """X as a C-ordered (m, n_x) array of ``dtype``, standardized by a fitted ``standardizer``."""
    arr = as_features(X, name, n_x, dtype)
    if standardizer is not None and standardizer.fitted:
        # a copy made by the check (dtype or layout) is ours: standardize it in place;
        # the caller's array, or what it may share memory with, is never written
        owned = isinstance(X, list | tuple) or (
            isinstance(X, np.ndarray) and not np.may_share_memory(arr, X)
        )
        arr = standardizer.transform(arr, out=arr if owned else None)
    return arr


def prepare_inference(
    X, n_x: int, dtype, standardizer: Standardizer | None, name: str = "X"
) -> np.ndarray | Rows:
    """Inputs to predict or measure on, with no copy of an array: as :func:`prepare`, except
    that an array which would have to be copied (another dtype or layout, or standardized)
    is read a chunk of rows at a time (:class:`nnrecipe.data.rows.Rows`, the same numbers),
    so predicting on a large X takes one chunk of memory, not a second X."""
    if not isinstance(X, np.ndarray):
        return prepare(X, n_x, dtype, standardizer, name)
    st = standardizer if standardizer is not None and standardizer.fitted else None
    if st is None and X.dtype == dtype and X.flags.c_contiguous:
        return as_features(X, name, n_x, dtype)  # used as it is
    return Rows(check_features(X, name, n_x), dtype, st)


def prepare_training(
    X, n_x: int, dtype, standardizer: Standardizer | None, name: str = "X"
) -> np.ndarray | Rows:
    """The training inputs, with at most one copy of X in memory.

    ``X`` may be an array (or nested list), a ``numpy.memmap`` or the path of an ``.npy``
    file (opened as a memmap); a table is encoded by the caller first. An unfitted
    ``standardizer`` is fitted here in one streaming pass. Returns an array (as
    :func:`prepare`) when X is in memory and nothing is to be standardized, else
    :class:`nnrecipe.data.rows.Rows`, which gives the same numbers as the eager copy a batch
    or a slice at a time. Both have ``len``, ``take(idx, axis=0, out=...)`` and row slices,
    what ``train.loop.fit`` and ``Network.measure`` use.
    """
    if isinstance(X, str | os.PathLike):
        X = open_npy(X, name)
    st = standardizer
    on_disk = isinstance(X, np.memmap)
    if st is None and not (on_disk and X.dtype != dtype):
        return as_features(X, name, n_x, dtype)  # no copy if already in dtype
    X = check_features(X, name, n_x)
    if isinstance(st, Standardizer) and not st.fitted:
        st.set_moments(*column_moments(Rows(X, dtype)), name=name)
    elif st is not None and not st.fitted:  # robust scaling: column blocks in X's dtype
        st.fit(X)
    return Rows(X, dtype, st)


def for_network_training(net, X, name: str = "X") -> np.ndarray | Rows:
    """``net``'s training inputs (:func:`prepare_training`; a list or a table is prepared by
    ``net.prepare_inputs`` first): fits an unfitted scaling, then an unfitted embedding's
    bins on the scaled rows."""
    prepared = not isinstance(X, np.ndarray | str | os.PathLike)  # a list, or a table
    st = net.standardizer
    if prepared:
        X = net.prepare_inputs(X, name)  # (standardized already when fitted)
    if not prepared or not (st is None or st.fitted):
        X = prepare_training(X, net.layer_sizes[0], net.dtype, st, name)
    if net.embedding is not None and not net.embedding.fitted:
        net.embedding.fit(X)
    return X
