"""Inverted dropout (Srivastava et al. 2014, as taught in the course).

Forward, in training mode only, for a hidden layer's activations A of shape (m, n_l):

    D = (U < keep_prob),  U ~ Uniform[0, 1)  (a boolean mask, same shape as A)
    A = A * D / keep_prob

Backward reuses the same mask: dA = dA * D / keep_prob. Dividing by keep_prob keeps the
expected value of each activation unchanged, so nothing needs rescaling at prediction
time, where dropout is off. Dropout never touches the input or the output layer, and
``keep_prob = 1`` draws no random numbers at all.
"""

from __future__ import annotations

import numpy as np


def draw_mask(shape: tuple[int, ...], keep_prob: float, rng: np.random.Generator, dtype) -> np.ndarray:
    """D = U < keep_prob; drawing U in the network's dtype keeps float32 runs float32."""
    return rng.random(shape, dtype=dtype) < keep_prob


def apply_mask(A: np.ndarray, D: np.ndarray, keep_prob: float) -> np.ndarray:
    """A ← A * D / keep_prob, in place (used forward on A and backward on dA)."""
    np.multiply(A, D, out=A)
    A *= 1.0 / keep_prob
    return A
