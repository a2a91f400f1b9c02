"""A fully connected (dense) layer with its cache for backpropagation.

Forward, with rows as examples (A_prev is (m, n_{l-1}), W is (n_l, n_{l-1}), b is (n_l,)):

    Z = A_prev @ W.T + b,    A = g(Z),    A ← A * D / keep_prob   (training, hidden layers)

Backward, given dZ = dJ/dZ of shape (m, n_l):

    dW = dZ.T @ A_prev,    db = Σ_i dZ_i,    dA_prev = dZ @ W

and, for the layer below, ``activation_gradient`` turns dA into dZ: first the dropout mask
(dA ← dA * D / keep_prob), then the activation's derivative (dZ = dA * g'(Z)).
The 1/m of the cost is already inside dZ (the loss's fused gradient carries it).

``W``, ``b``, ``dW`` and ``db`` are views into the network's flat parameter and gradient
buffers, so writing them in place updates the whole network at once.
"""

from __future__ import annotations

import numpy as np

from . import dropout
from .activations import Activation


class Dense:
    def __init__(
        self,
        W: np.ndarray,
        b: np.ndarray,
        dW: np.ndarray,
        db: np.ndarray,
        activation: Activation,
        keep_prob: float = 1.0,
    ):
        self.W, self.b, self.dW, self.db = W, b, dW, db
        self.activation = activation
        self.keep_prob = keep_prob
        self.A_prev = self.Z = self.A = self.D = None

    def forward(
        self, A_prev: np.ndarray, training: bool = False, rng: np.random.Generator | None = None
    ) -> np.ndarray:
        Z = A_prev @ self.W.T
        Z += self.b
        A = self.activation.forward(Z)
        self.A_prev, self.Z, self.A, self.D = A_prev, Z, A, None
        if training and self.keep_prob < 1.0:
            self.D = dropout.draw_mask(A.shape, self.keep_prob, rng, A.dtype)
            A = dropout.apply_mask(A.copy(), self.D, self.keep_prob)
        return A

    def backward(self, dZ: np.ndarray, need_dA_prev: bool = True) -> np.ndarray | None:
        np.matmul(dZ.T, self.A_prev, out=self.dW)
        np.sum(dZ, axis=0, out=self.db)
        return dZ @ self.W if need_dA_prev else None

    def activation_gradient(self, dA: np.ndarray) -> np.ndarray:
        if self.D is not None:
            dropout.apply_mask(dA, self.D, self.keep_prob)
        return self.activation.backward(dA, self.Z, self.A)

    def clear(self) -> None:
        """Drop the cache (it holds a mini-batch's activations)."""
        self.A_prev = self.Z = self.A = self.D = None
