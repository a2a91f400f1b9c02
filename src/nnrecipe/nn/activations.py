"""Activation functions g and their derivatives g'.

Each activation maps pre-activations ``Z`` (shape ``(m, n_l)``) to ``A = g(Z)`` and turns the
upstream gradient into ``dZ = dA * g'(Z)`` (elementwise; softmax is only used fused with
categorical cross-entropy, see :mod:`nnrecipe.nn.losses`).

=============  =================================  ==================================
name           g(z)                               g'(z)
=============  =================================  ==================================
relu           max(0, z)                          1 if z > 0 else 0
leaky_relu     z if z > 0 else α z (α = 0.01)     1 if z > 0 else α
tanh           tanh(z)                            1 - tanh(z)²
sigmoid        1 / (1 + e^{-z})                   σ(z) (1 - σ(z))
softmax        e^{z_k} / Σ_j e^{z_j} (per row)    (fused with the loss)
linear         z                                  1
=============  =================================  ==================================

``forward`` writes into ``out`` when given so the training loop can reuse buffers;
``backward(dA, Z, A)`` receives the activation's own output ``A = g(Z)`` (before dropout) and may
overwrite ``dA``.
"""

from __future__ import annotations

import numpy as np

from .._checks import check_name
from ._fast import maximum_zero, row_max, row_sum

LEAKY_SLOPE = 0.01


def sigmoid(Z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """σ(z) = 1/(1+e^{-z}) computed as (1 + tanh(z/2))/2: no overflow for any |z|."""
    out = np.multiply(Z, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1.0
    out *= 0.5
    return out


def sigmoid_exp(Z: np.ndarray) -> np.ndarray:
    """σ(z) = 1/(1+e^{-z}) evaluated as written: the course's form (a new array).

    :func:`sigmoid`, which the layers use, agrees with it to rounding and never overflows;
    this form (e^{-z} overflows to inf for z < -709, giving σ = 0 with a warning) is for
    reproducing the course's numbers to the last bit, which matters where finite differences
    at ε = 1e-7 magnify rounding (gradient checking).
    """
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-np.asarray(Z, dtype=np.float64)))


def softmax(Z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Row-wise softmax; subtracting the row maximum keeps e^z finite."""
    out = np.subtract(Z, row_max(Z), out=out)
    np.exp(out, out=out)
    out /= row_sum(out)
    return out


class Activation:
    name = "base"

    def forward(self, Z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dA: np.ndarray, Z: np.ndarray, A: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        return self.name


class ReLU(Activation):
    name = "relu"

    def forward(self, Z, out=None):
        return maximum_zero(Z, out)  # A = np.maximum(Z, 0), with a SIMD loop

    def backward(self, dA, Z, A):
        # a boolean mask keeps the dtype: float32 stays float32
        return np.multiply(dA, Z > 0, out=dA)


class LeakyReLU(Activation):
    name = "leaky_relu"

    def __init__(self, alpha: float = LEAKY_SLOPE):
        self.alpha = alpha

    def forward(self, Z, out=None):
        out = np.multiply(Z, self.alpha, out=out)
        return np.maximum(Z, out, out=out)

    def backward(self, dA, Z, A):
        dA[Z <= 0] *= self.alpha
        return dA


class Tanh(Activation):
    name = "tanh"

    def forward(self, Z, out=None):
        return np.tanh(Z, out=out)

    def backward(self, dA, Z, A):
        return np.multiply(dA, 1.0 - A * A, out=dA)


class Sigmoid(Activation):
    name = "sigmoid"

    def forward(self, Z, out=None):
        return sigmoid(Z, out=out)

    def backward(self, dA, Z, A):
        return np.multiply(dA, A * (1.0 - A), out=dA)


class Softmax(Activation):
    name = "softmax"

    def forward(self, Z, out=None):
        return softmax(Z, out=out)

    def backward(self, dA, Z, A):
        # full Jacobian-vector product: dZ = A * (dA - Σ_k dA_k A_k)
        s = (dA * A).sum(axis=1, keepdims=True)
        dA -= s
        return np.multiply(dA, A, out=dA)


class Linear(Activation):
    name = "linear"

    def forward(self, Z, out=None):
        if out is None:
            return Z
        np.copyto(out, Z)
        return out

    def backward(self, dA, Z, A):
        return dA


REGISTRY: dict[str, type[Activation]] = {
    cls.name: cls for cls in (ReLU, LeakyReLU, Tanh, Sigmoid, Softmax, Linear)
}
HIDDEN = ("relu", "leaky_relu", "tanh", "sigmoid", "linear")
RELU_FAMILY = ("relu", "leaky_relu")


def get(name: str | Activation, argument: str = "activation") -> Activation:
    """Look up an activation by name (lists the valid names on error)."""
    if isinstance(name, Activation):
        return name
    return REGISTRY[check_name(name, tuple(REGISTRY), argument)]()


def hidden_name(name: str | Activation, argument: str = "hidden") -> str:
    """The name of a valid hidden activation: softmax is only fused with the output's loss,
    so it is neither accepted nor listed among the valid names here."""
    hidden = tuple(n for n in REGISTRY if n != "softmax")
    key = name.name if isinstance(name, Activation) else name
    if isinstance(key, str) and key.lower() == "softmax":
        raise ValueError(
            f"{argument}='softmax' is only supported on the output layer; valid hidden "
            f"activations are {sorted(hidden)}"
        )
    if isinstance(name, Activation):
        return name.name
    return check_name(key, hidden, argument)
