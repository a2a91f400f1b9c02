"""Training rows made a block at a time: no full-size copy of X, on disk or in memory.

A network's inputs are ``(x - μ) / σ`` in its dtype. Made for the whole training set at
once, they are a second copy of X (in float32, as large as the data); for a ``numpy.memmap``
larger than memory they cannot be made at all. :class:`Rows` keeps the caller's X as it is
and makes only the rows asked for, a mini-batch (``take``) or a slice (``rows[s:e]``, what
inference reads), with the same elementwise operations as the eager form, so training on
``Rows`` gives the same numbers as training on the standardized copy:

    rows[i] = (cast(X[i], dtype) - cast(μ, dtype)) / cast(σ, dtype)

:func:`open_npy` opens an ``.npy`` file as a read-only memmap, and :func:`write_npy` writes
one from blocks of rows (a large table read chunk by chunk), so data larger than memory
reaches ``fit`` without ever being loaded whole.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from .._files import atomic_write
from .normalize import Standardizer


class Rows:
    """X (m, n_x), any numeric dtype, seen as ``dtype`` rows, standardized when given a
    fitted ``standardizer`` (a :class:`Standardizer`, or any scaler with an in-place
    ``apply(block)``: :class:`nnrecipe.data.robust_scale.RobustScaler`). Supports ``len``,
    ``shape``, ``dtype``, ``ndim``, slicing a block of rows (into a reused buffer) and
    ``take(idx, axis=0, out=...)`` like an array.
    """

    def __init__(self, X: np.ndarray, dtype, standardizer: Standardizer | None = None):
        self.X = X
        self.dtype = np.dtype(dtype)
        self.shape = X.shape
        self.ndim = 2
        self._stats = self._buffer = self._scaler = None
        if isinstance(standardizer, Standardizer) and standardizer.fitted:
            self._stats = (
                standardizer.mean_.astype(self.dtype),
                standardizer.scale_.astype(self.dtype),
            )
        elif standardizer is not None and standardizer.fitted:  # another scaling (robust)
            self._scaler = standardizer

    def __len__(self) -> int:
        return self.shape[0]

    def _standardize(self, block: np.ndarray) -> np.ndarray:
        if self._stats is not None:
            np.subtract(block, self._stats[0], out=block)
            np.divide(block, self._stats[1], out=block)
        elif self._scaler is not None:
            self._scaler.apply(block)
        return block

    def __getitem__(self, key) -> np.ndarray:
        """Rows ``key`` (a slice) in one buffer that the next slice reuses, as a workspace
        is reused by the next step: use or copy them before slicing again."""
        if not isinstance(key, slice):
            raise TypeError("Rows are read by slices of rows, e.g. rows[s:e]")
        source = self.X[key]
        if self._buffer is None or len(self._buffer) < len(source):
            self._buffer = None  # freed before the larger one is made
            self._buffer = np.empty(source.shape, self.dtype)
        block = self._buffer[: len(source)]
        block[...] = source
        return self._standardize(block)

    def take(self, idx, axis: int = 0, out: np.ndarray | None = None, mode: str = "raise"):
        """Rows ``idx`` into ``out`` (``(len(idx), n_x)`` of ``dtype``, made when None)."""
        if axis != 0:
            raise ValueError("Rows.take gathers rows: axis must be 0")
        if out is None:
            out = np.empty((len(idx),) + self.shape[1:], self.dtype)
        if self.X.dtype == self.dtype and not isinstance(self.X, np.memmap):
            self.X.take(idx, axis=0, out=out, mode=mode)
        else:
            out[...] = self.X[idx]  # from disk, or cast: one batch at a time
        return self._standardize(out)

    def __repr__(self) -> str:
        kind = "memmap" if isinstance(self.X, np.memmap) else "array"
        std = ", standardized" if self._stats is not None or self._scaler is not None else ""
        return f"Rows({kind} {self.X.dtype} {self.shape} as {self.dtype}{std})"


def open_npy(path, name: str = "X") -> np.memmap:
    """The ``.npy`` file at ``path`` as a read-only ``numpy.memmap`` (nothing is loaded)."""
    path = Path(os.fspath(path))
    if path.suffix != ".npy":
        raise ValueError(
            f"{name}={str(path)!r} is a path but not an .npy file; pass an array, a "
            "numpy.memmap, or the path of an .npy file (nnrecipe.data.rows.write_npy makes one)"
        )
    if not path.is_file():
        raise ValueError(f"{name}={str(path)!r}: no such .npy file")
    try:
        return np.load(path, mmap_mode="r", allow_pickle=False)
    except (ValueError, OSError) as exc:
        raise ValueError(f"{name}={str(path)!r} is not a readable .npy array: {exc}") from None


def write_npy(path, blocks: Iterable, n_rows: int, dtype="float32") -> Path:
    """Write blocks of rows (each ``(k, n_x)``, in order, ``n_rows`` in all) to the ``.npy``
    file ``path``, one block in memory at a time; the file appears whole or not at all
    (:func:`nnrecipe._files.atomic_write`). ``fit(path, y)`` then trains from it."""
    path = Path(os.fspath(path))
    if path.suffix != ".npy":
        raise ValueError(f"path={str(path)!r} must end in .npy")
    dtype = np.dtype(dtype)

    def write(f) -> None:
        row = 0
        for block in blocks:
            block = np.asarray(block)
            if block.ndim != 2:
                raise ValueError(f"each block must be 2-D (k, n_x), got shape {block.shape}")
            if row == 0:
                width = block.shape[1]
                header = {
                    "descr": np.lib.format.dtype_to_descr(dtype),
                    "fortran_order": False,
                    "shape": (n_rows, width),
                }
                np.lib.format.write_array_header_1_0(f, header)
            if row + len(block) > n_rows or block.shape[1] != width:
                raise ValueError(
                    f"a block of shape {block.shape} does not fit at row {row} of "
                    f"({n_rows}, {width})"
                )
            f.write(np.ascontiguousarray(block, dtype=dtype).tobytes())
            row += len(block)
        if row != n_rows:
            raise ValueError(f"the blocks held {row} rows but n_rows={n_rows}")

    return atomic_write(path, write)
