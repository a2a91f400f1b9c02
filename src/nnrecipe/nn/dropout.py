"""Inverted dropout (Srivastava et al. 2014, as taught in the course).

Forward, in training mode only, for a hidden layer's activations A of shape (m, n_l):

    D = (U < keep_prob),  U ~ Uniform[0, 1)  (a boolean mask, same shape as A)
    A = A * D / keep_prob

Backward reuses the same mask: dA = dA * D / keep_prob. Dividing by keep_prob keeps the
expected value of each activation unchanged, so nothing needs rescaling at prediction
time, where dropout is off. Dropout never touches the input or the output layer, and
``keep_prob = 1`` draws no random numbers at all.

The mask is drawn exactly as the formula says, on a finer grid and faster, by
:func:`nnrecipe.nn._fast.uniform_below`. The training step multiplies by the mask as numbers,
M = D / keep_prob (:func:`scaled_mask`, made once per step): A * M and dA * M are then plain
products in A's dtype, where A * D would convert the booleans on every use.
"""

from __future__ import annotations

import numpy as np

from ._fast import uniform_below


def draw_mask(
    shape: tuple[int, ...],
    keep_prob: float,
    rng: np.random.Generator,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """D = U < keep_prob, U ~ Uniform[0, 1), as a boolean array of ``shape`` (into ``out``)."""
    # D = rng.random(shape) < keep_prob, decided on integers (see _fast.uniform_below)
    return uniform_below(keep_prob, shape, rng, out)


def apply_mask(
    A: np.ndarray, D: np.ndarray, keep_prob: float, out: np.ndarray | None = None
) -> np.ndarray:
    """A ← A * D / keep_prob, in place unless ``out`` is given (forward on A, backward on dA).

    D is boolean, so the product keeps A's dtype (float32 stays float32).
    """
    out = np.multiply(A, D, out=A if out is None else out)
    out *= 1.0 / keep_prob
    return out


def scaled_mask(D: np.ndarray, keep_prob: float, out: np.ndarray) -> np.ndarray:
    """M = D / keep_prob as numbers in ``out``'s dtype (0 or 1/keep_prob): A * D / keep_prob
    is then A * M, one product (forward on A, backward on dA)."""
    np.copyto(out, D)  # booleans to 0.0 / 1.0
    out *= 1.0 / keep_prob
    return out
