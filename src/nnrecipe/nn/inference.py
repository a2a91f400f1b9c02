"""Inference in chunks: the output of many rows through one small reused workspace.

A[L] for m rows is computed ``batch`` rows at a time, each chunk through the same inference
workspace (Z and A of every layer), so memory stays bounded by the chunk, not by m; the
results are written into fresh (m, n_y) arrays that the caller owns. The rows themselves
are never copied whole either: an array that must be cast or standardized is read a chunk at
a time (:func:`inputs`).
"""

from __future__ import annotations

import numpy as np

from . import embeddings, regularizers
from . import inputs as prepare

# Inference chunks: the widest activation takes about this many bytes, enough for BLAS to run
# at full speed and little enough to bound memory (benchmarks/train_speed.py: the MNIST network
# is as fast with 0.25 to 4 MiB chunks; peak RSS 83, 87, 95 MiB with 1, 2, 4 MiB).
INFERENCE_CHUNK_BYTES = 2**20


def chunk_rows(layer_sizes, dtype) -> int:
    """Rows per chunk: about ``INFERENCE_CHUNK_BYTES`` for the widest layer, 256 to 8192."""
    widest = max(layer_sizes[1:]) * np.dtype(dtype).itemsize
    return min(max(INFERENCE_CHUNK_BYTES // widest, 256), 8192)


def outputs(net, X, batch: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Inference-mode (Z[L], A[L]) of the prepared rows X as new arrays (m, n_y)."""
    m, n_out = len(X), net.layer_sizes[-1]
    if batch is None:  # the widest of the layers and the embedding's arrays
        widths = [*net.layer_sizes, embeddings.row_width(net.embeddings, net.layer_sizes[0])]
        batch = chunk_rows(widths, net.dtype)
    Z_out = np.empty((m, n_out), net.dtype)
    A_out = np.empty((m, n_out), net.dtype)
    workspace = net.workspace(min(batch, m), training=False)
    for s in range(0, m, batch):
        chunk = X[s : s + batch]
        A_out[s : s + len(chunk)] = net._forward(chunk, False, None, workspace.views(len(chunk)))
        Z_out[s : s + len(chunk)] = net.layers[-1].Z
    net.clear_cache()
    return Z_out, A_out


def finite_outputs(net, X) -> np.ndarray:
    """A[L] of the prepared rows X (m, n_y), as :func:`outputs`; rows whose output is NaN or
    inf (inputs far outside the range trained on overflow float64 on the way, or the weights
    are damaged) raise ValueError naming them: a prediction is never a silent NaN."""
    with np.errstate(over="ignore", invalid="ignore"):  # checked next, row by row
        A = outputs(net, X)[1]
    return check_rows(A)


def check_rows(A: np.ndarray) -> np.ndarray:
    """``A`` (m, ...) unchanged when every value is finite, else ValueError naming the rows
    that are not (how many, the first)."""
    bad = ~np.isfinite(A).reshape(len(A), -1).all(axis=1)
    if bad.any():
        rows = np.flatnonzero(bad)
        which = "that row" if len(rows) == 1 else "those rows"
        raise ValueError(
            f"the network's output is NaN or inf for {len(rows)} of {len(A)} rows (first: row "
            f"{rows[0]}): their inputs are too far from the training data's range for float64 "
            f"(or the weights are not finite); check {which}"
        )
    return A


def inputs(net, X, name: str = "X"):
    """X ready for inference: an array used as it is, or read a chunk of rows at a time when
    it would otherwise be copied (:func:`nnrecipe.nn.inputs.prepare_inference`); anything
    else (a list, a table) as ``net.prepare_inputs`` makes it."""
    if isinstance(X, np.ndarray):
        return prepare.prepare_inference(X, net.layer_sizes[0], net.dtype, net.standardizer, name)
    return net.prepare_inputs(X, name)


def evaluate(net, X, y) -> dict[str, float]:
    """``loss``, ``error``, ``accuracy`` (classification) and ``cost`` (loss + penalty) of
    ``net`` in inference mode on (X, y)."""
    X = inputs(net, X)
    Y = net.prepare_targets(y, len(X))
    with np.errstate(over="ignore", invalid="ignore"):  # checked next
        loss, error = net.measure(X, Y)
    if not (np.isfinite(loss) and np.isfinite(error)):
        finite_outputs(net, X)  # names the rows whose output is not finite
        raise ValueError(
            f"the loss on these rows is {loss} (error {error}): the outputs are finite but too "
            "large for the loss in float64; check the rows and the targets for extreme values"
        )
    result = {"loss": loss, "error": error}
    if net.loss.classification:
        result["accuracy"] = 1.0 - error
    result["cost"] = loss + regularizers.penalty(net.weights, len(X), net.l2, net.l1)
    return result
