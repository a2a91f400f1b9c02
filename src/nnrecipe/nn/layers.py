"""A fully connected (dense) layer with its cache for backpropagation.

Forward, with rows as examples (A_prev is (m, n_{l-1}), W is (n_l, n_{l-1}), b is (n_l,)):

    Z = A_prev @ W.T + b,    A = g(Z),    A ← A * D / keep_prob   (training, hidden layers)

Backward, given dZ = dJ/dZ of shape (m, n_l):

    dW = dZ.T @ A_prev,    db = Σ_i dZ_i,    dA_prev = dZ @ W

and, for the layer below, ``activation_gradient`` turns dA into dZ: first the dropout mask
(dA ← dA * D / keep_prob), then the activation's derivative (dZ = dA * g'(Z)).
The 1/m of the cost is already inside dZ (the loss's fused gradient carries it).

``W``, ``b``, ``dW`` and ``db`` are views into the network's flat parameter and gradient
buffers, so writing them in place updates the whole network at once. Forward and backward
write Z, A, the dropout mask and dA_prev into the arrays of ``buf`` (the layer's
:class:`nnrecipe.nn.workspace.LayerBuffers`), which the network's workspace owns.
"""

from __future__ import annotations

import numpy as np

from . import dropout
from ._fast import column_sum
from .activations import Activation
from .workspace import LayerBuffers


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
        self.A_prev = self.Z = self.A = self.D = self.M = None

    def forward(
        self,
        A_prev: np.ndarray,
        buf: LayerBuffers,
        training: bool = False,
        rng: np.random.Generator | None = None,
        mask: np.ndarray | None = None,
    ) -> np.ndarray:
        """A = g(A_prev @ W.T + b), then inverted dropout when ``training`` on a hidden layer:
        with the boolean ``mask`` D (m, n_l) when given (a replayed or injected mask), else
        with one drawn from ``rng``."""
        Z = np.matmul(A_prev, self.W.T, out=buf.Z)
        Z += self.b
        A = self.activation.forward(Z, out=buf.A)
        self.A_prev, self.Z, self.A, self.D, self.M = A_prev, Z, A, None, None
        if training and self.keep_prob < 1.0:
            if mask is None:
                self.D = dropout.draw_mask(A.shape, self.keep_prob, rng, out=buf.D)
            else:
                self.D = mask
            # A * D / keep_prob as A * M, M = D / keep_prob (reused by the backward pass), into
            # another array: self.A stays g(Z), which tanh' and sigmoid' are computed from
            self.M = dropout.scaled_mask(self.D, self.keep_prob, out=buf.M)
            A = np.multiply(A, self.M, out=buf.A_drop)
        return A

    def backward(self, dZ: np.ndarray, buf: LayerBuffers, need_dA_prev: bool = True):
        """dW and db into the network's gradient views; dA_prev (or None for the first layer)."""
        np.matmul(dZ.T, self.A_prev, out=self.dW)
        column_sum(dZ, out=self.db)
        return np.matmul(dZ, self.W, out=buf.dA_prev) if need_dA_prev else None

    def activation_gradient(self, dA: np.ndarray) -> np.ndarray:
        if self.M is not None:  # dA ← dA * D / keep_prob, with M = D / keep_prob of forward
            np.multiply(dA, self.M, out=dA)
        elif self.D is not None:  # a mask planted by hand (Network.backward's cache)
            dropout.apply_mask(dA, self.D, self.keep_prob)
        return self.activation.backward(dA, self.Z, self.A)

    def clear(self) -> None:
        """Drop the cache (it holds a mini-batch's activations)."""
        self.A_prev = self.Z = self.A = self.D = self.M = None
