"""A table larger than memory, written chunk by chunk to ``.npy`` files that ``fit`` trains
from in mini-batches (:mod:`nnrecipe.data.rows`).

    X_i = preprocess(row_i without the target)   → ``X.npy`` (m, n_x) float32
    y_i = row_i's target                          → ``y.npy`` (m,)

The table is read ``chunk_rows`` rows at a time (CSV/TSV with pandas, Parquet with pyarrow),
twice: once to count the rows, once to write them, so only one chunk is ever in memory.
The preprocessing (:class:`nnrecipe.data.preprocess.Preprocessor`) is the one given, fitted
on the training rows; without one it is fitted on the first chunk.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from .._files import atomic_write
from .preprocess import Preprocessor, clean
from .rows import write_npy
from .tables import choose_target, csv_options


def read_chunks(path, chunk_rows: int = 100_000, delimiter: str | None = None) -> Iterator:
    """The table at ``path`` as cleaned DataFrames of up to ``chunk_rows`` rows, in order."""
    path = Path(os.fspath(path))
    if not path.is_file():
        raise ValueError(f"data file {str(path)!r} does not exist")
    if isinstance(chunk_rows, bool) or not isinstance(chunk_rows, int) or chunk_rows < 1:
        raise ValueError(f"chunk_rows={chunk_rows!r} must be a positive integer")
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        try:
            import pyarrow.parquet as pq
        except ImportError:
            raise ImportError(
                f"reading the Parquet file {str(path)!r} needs pyarrow: pip install pyarrow"
            ) from None
        for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk_rows):
            yield clean(batch.to_pandas())
        return
    options = csv_options(path, delimiter)
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)
        reader = pd.read_csv(path, **options, chunksize=chunk_rows)
        with reader:
            for frame in reader:
                yield clean(frame)


def table_to_npy(
    path,
    X_path,
    y_path=None,
    target=None,
    preprocessor: Preprocessor | None = None,
    chunk_rows: int = 100_000,
    dtype="float32",
    delimiter: str | None = None,
) -> Preprocessor:
    """Write the table at ``path`` as ``X_path`` (.npy, the preprocessed features) and, with
    ``y_path``, its numeric target column (rows without a target are skipped), one chunk at
    a time; returns the preprocessing used (give it to the network: ``net.preprocessor``).
    Then ``net.fit(X_path, np.load(y_path))`` trains without loading X."""
    columns = next(read_chunks(path, chunk_rows, delimiter)).columns
    name = choose_target(columns, target) if (y_path is not None or target is not None) else None

    def rows() -> Iterator[tuple[pd.DataFrame, pd.Series | None]]:
        for frame in read_chunks(path, chunk_rows, delimiter):
            if name is None:
                yield frame, None
                continue
            frame = frame[frame[name].notna()]
            y = frame[name]
            if not pd.api.types.is_numeric_dtype(y):
                raise ValueError(
                    f"the target column {name!r} holds text ({y.iloc[0]!r}); table_to_npy "
                    "writes numeric targets: map the labels to numbers first"
                )
            yield frame.drop(columns=[name]), y

    n_rows = sum(len(features) for features, _ in rows())
    if n_rows == 0:
        raise ValueError(f"{str(path)!r} has no rows with a target")
    if preprocessor is None:
        preprocessor = Preprocessor().fit(next(rows())[0])
    targets = []

    def blocks():
        for features, y in rows():
            if y is not None:
                targets.append(y.to_numpy())
            yield preprocessor.transform(features)

    write_npy(X_path, blocks(), n_rows, dtype)
    if y_path is not None:
        y_all = np.concatenate(targets)
        atomic_write(Path(os.fspath(y_path)), lambda f: np.save(f, y_all, allow_pickle=False))
    return preprocessor
