"""The Initialization assignment: W[l] (n_l, n_{l-1}) drawn as the course draws it, b[l] = 0.

==============================  ===========================================================
function                        W[l] =
==============================  ===========================================================
initialize_parameters_zeros     0 (symmetry is never broken: train and test accuracy 0.5)
initialize_parameters_random    randn(n_l, n_{l-1}) · 10          (after np.random.seed(3))
initialize_parameters_he        randn(n_l, n_{l-1}) · √(2/n_{l-1}) (after np.random.seed(3))
==============================  ===========================================================

The draws go through a local ``np.random.RandomState(seed)`` (never the global state), layer
by layer in the course's order, into :func:`nnrecipe.nn.initializers.initialize`, the
library's own initializer (a ``RandomState`` draws ``standard_normal(shape)`` exactly as
``np.random.randn`` does after ``np.random.seed``). Biases are (n_l, 1) columns.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..nn import initializers, losses
from . import _layout, training


def initialize(layers_dims, name: str, seed: int | None, scale: float = 0.01) -> dict:
    """Course-layout parameters for ``layers_dims`` by the library rule ``name``, drawn from
    ``RandomState(seed)`` (:func:`nnrecipe.nn.initializers.initialize`)."""
    sizes = [int(n) for n in layers_dims]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"layers_dims must be at least two sizes >= 1, got {layers_dims!r}")
    weights = [np.empty((sizes[i], sizes[i - 1])) for i in range(1, len(sizes))]
    biases = [np.empty((sizes[i], 1)) for i in range(1, len(sizes))]
    rng = np.random.RandomState(seed)
    with warnings.catch_warnings():  # zeros warns in the library; here it is the lesson
        warnings.simplefilter("ignore")
        initializers.initialize(weights, biases, name, rng, scale)
    out = {}
    for i, (W, b) in enumerate(zip(weights, biases, strict=True), start=1):
        out[f"W{i}"], out[f"b{i}"] = W, b
    return out


def initialize_parameters_zeros(layers_dims) -> dict[str, np.ndarray]:
    """W[l] = 0 (n_l, n_{l-1}), b[l] = 0 (n_l, 1): ``initializers.initialize(..., "zeros")``."""
    return initialize(layers_dims, "zeros", None)


def initialize_parameters_random(layers_dims, seed: int = 3) -> dict[str, np.ndarray]:
    """W[l] = randn(n_l, n_{l-1}) · 10, b[l] = 0 (n_l, 1), drawn after ``seed`` as the course
    does: ``initializers.initialize(..., "random", RandomState(seed), scale=10)``."""
    return initialize(layers_dims, "random", seed, 10.0)


def initialize_parameters_he(layers_dims, seed: int = 3) -> dict[str, np.ndarray]:
    """W[l] = randn(n_l, n_{l-1}) · √(2/n_{l-1}), b[l] = 0 (n_l, 1), drawn after ``seed``:
    ``initializers.initialize(..., "he", RandomState(seed))``."""
    return initialize(layers_dims, "he", seed)


def forward_propagation(X, parameters) -> tuple[np.ndarray, tuple]:
    """A3 (1, m) and the cache (Z1, A1, W1, b1, ..., Z3, A3, W3, b3) for X (n_x, m):
    LINEAR → RELU → ... → LINEAR → SIGMOID by :meth:`Network.forward_with_cache`."""
    return _layout.forward(X, parameters)


def backward_propagation(X, Y, cache) -> dict[str, np.ndarray]:
    """The gradients (dZ, dW, db per layer; dA of the hidden layers) of the cross-entropy for
    a cache of :func:`forward_propagation`: :meth:`Network.backward`."""
    return _layout.backward(X, Y, cache)


def compute_loss(a3, Y) -> np.float64:
    """J = -(1/m) Σ [y log a + (1-y) log(1-a)] for a3, Y (1, m), 0 · log 0 = 0:
    :func:`nnrecipe.nn.losses.cross_entropy_from_probabilities`."""
    return np.float64(losses.cross_entropy_from_probabilities(np.asarray(a3).T, np.asarray(Y).T))


def predict(X, y, parameters, print_accuracy: bool = True) -> np.ndarray:
    """p (1, m) = 1 where A3 > 0.5, else 0; prints "Accuracy: ..." (the mean of p == y)."""
    a3, _ = forward_propagation(X, parameters)
    p = (a3 > 0.5).astype(int)
    if print_accuracy:
        print("Accuracy: " + str(np.mean(p[0, :] == np.asarray(y)[0, :])))
    return p


INITIALIZERS = {
    "zeros": initialize_parameters_zeros,
    "random": initialize_parameters_random,
    "he": initialize_parameters_he,
}


def model(X, Y, learning_rate=0.01, num_iterations=15000, print_cost=True, initialization="he"):
    """The assignment's model: [n_x, 10, 5, 1] from ``initialization`` (zeros, random, he),
    full-batch gradient descent (:func:`nnrecipe.course.training.gradient_descent`); returns
    the parameters."""
    if initialization not in INITIALIZERS:
        raise ValueError(f"initialization={initialization!r}; valid names are {list(INITIALIZERS)}")
    start = INITIALIZERS[initialization]([np.shape(X)[0], 10, 5, 1])
    params, _ = training.gradient_descent(
        start, X, Y, learning_rate, num_iterations, print_cost=print_cost
    )
    return params
