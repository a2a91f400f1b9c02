"""Weight penalties added to the cost J, and their gradients. Biases are never penalized.

=====  ====================================  ==========================
name   added to J                            added to dW[l]
=====  ====================================  ==========================
L2     (λ / 2m) · Σ_l ‖W[l]‖_F²              (λ / m) · W[l]
L1     (λ₁ / m) · Σ_l Σ_ij |W[l]_ij|         (λ₁ / m) · sign(W[l])
=====  ====================================  ==========================

m is the number of examples the cost is computed on (the mini-batch during training).
Conversions: scikit-learn's ``alpha`` equals our λ; Keras' ``l2(c)`` adds c·‖W‖², so
c = λ/(2m); PyTorch's ``weight_decay`` adds wd·W to the gradient, so wd = λ/m.
L2 is also called weight decay because the update W -= α(dW + (λ/m)W) shrinks W by the
factor (1 - αλ/m) every step. L1 drives weights to exactly zero (sparse networks).
"""

from __future__ import annotations

import numpy as np


def penalty(weights: list[np.ndarray], m: int, l2: float = 0.0, l1: float = 0.0) -> float:
    """The regularization term of J for a cost over m examples."""
    total = 0.0
    if l2:
        total += l2 / (2.0 * m) * sum(float(np.vdot(W, W)) for W in weights)
    if l1:
        total += l1 / m * sum(float(np.abs(W).sum()) for W in weights)
    return total


def add_gradient(
    W: np.ndarray,
    dW: np.ndarray,
    m: int,
    l2: float = 0.0,
    l1: float = 0.0,
    scratch: np.ndarray | None = None,
) -> None:
    """Add the penalty's gradient to ``dW`` in place (sign(0) = 0 for L1).

    ``scratch`` (W's shape and dtype) receives the term before it is added, so the hot path
    allocates nothing.
    """
    if l2:
        dW += np.multiply(W, l2 / m, out=scratch)
    if l1:
        term = np.sign(W, out=scratch)
        term *= l1 / m
        dW += term
