"""The Regularization assignment: L2 and dropout on LINEAR → RELU → LINEAR → RELU → LINEAR →
SIGMOID, in the course's layout (X (n_x, m), b (n, 1), the course's cache tuples).

    J = -(1/m) Σ [y log a + (1-y) log(1-a)] + (λ/2m) Σ_l ‖W[l]‖_F²,    dW[l] += (λ/m) W[l]

    D[l] = (U < keep_prob),  A[l] ← A[l] * D[l] / keep_prob,   dA[l] ← dA[l] * D[l] / keep_prob

U is drawn as the course draws it: ``np.random.rand(n_l, m)`` for each hidden layer in turn
after ``np.random.seed(seed)`` (a local ``RandomState``), so the masks are the notebook's.
The cost is :func:`nnrecipe.nn.losses.cross_entropy_from_probabilities` plus
:func:`nnrecipe.nn.regularizers.penalty`; forward and backward are
:meth:`Network.forward_with_cache` and :meth:`Network.backward` (masks given).
"""

from __future__ import annotations

import numpy as np

from ..nn import losses, regularizers
from . import _layout, initialization, training


def initialize_parameters(layer_dims, seed: int = 3) -> dict[str, np.ndarray]:
    """W[l] = randn(n_l, n_{l-1}) · √(1/n_{l-1}) (the course's Xavier), b[l] = 0 (n_l, 1),
    drawn after ``seed``: ``initializers.initialize(..., "xavier", RandomState(seed))``.

    The course divides by √n_{l-1}; multiplying by √(1/n_{l-1}) can differ in the last bit.
    """
    return initialization.initialize(layer_dims, "xavier", seed)


def compute_cost(a3, Y) -> np.float64:
    """-(1/m) Σ [y log a + (1-y) log(1-a)] for a3, Y (1, m):
    :func:`nnrecipe.nn.losses.cross_entropy_from_probabilities`."""
    # np.float64 as the course's own cost (its tests check ``.shape == ()``)
    return np.float64(losses.cross_entropy_from_probabilities(np.asarray(a3).T, np.asarray(Y).T))


def compute_cost_with_regularization(A3, Y, parameters, lambd) -> np.float64:
    """J = cross-entropy(A3, Y) + (λ/2m) Σ_l ‖W[l]‖_F² for A3, Y (1, m): the library's
    :func:`~nnrecipe.nn.losses.cross_entropy_from_probabilities` and
    :func:`~nnrecipe.nn.regularizers.penalty`."""
    L = _layout.n_layers(parameters)
    weights = [np.asarray(parameters[f"W{i}"], dtype=np.float64) for i in range(1, L + 1)]
    m = np.shape(Y)[1]
    return compute_cost(A3, Y) + np.float64(regularizers.penalty(weights, m, l2=float(lambd)))


def forward_propagation(X, parameters) -> tuple[np.ndarray, tuple]:
    """A3 (1, m) and the cache (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3), no dropout."""
    return _layout.forward(X, parameters)


def backward_propagation_with_regularization(X, Y, cache, lambd) -> dict[str, np.ndarray]:
    """Gradients with the L2 term dW[l] += (λ/m) W[l], for a cache of
    :func:`forward_propagation`: :meth:`Network.backward` with ``l2=lambd``. Keys dZ3, dW3,
    db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1 (dZ, dA without the 1/m, as the course)."""
    return _layout.backward(X, Y, cache, lambd=float(lambd))


def dropout_masks(layers_dims, m: int, keep_prob: float, seed: int = 1) -> list[np.ndarray]:
    """The course's masks D[l] = (rand(n_l, m) < keep_prob) as 0/1 ints, one per hidden layer
    of ``layers_dims`` in order, drawn after ``np.random.seed(seed)`` (a local RandomState)."""
    rng = np.random.RandomState(seed)
    return [(rng.rand(int(n), m) < keep_prob).astype(int) for n in layers_dims[1:-1]]


def forward_propagation_with_dropout(X, parameters, keep_prob=0.5, seed: int = 1):
    """A3 (1, m) and the cache (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) with
    inverted dropout on the hidden layers; the masks are :func:`dropout_masks` (``seed`` 1, as
    the notebook's function seeds itself), applied by :meth:`Network.forward_with_cache`."""
    L = _layout.n_layers(parameters)
    dims = [np.shape(parameters["W1"])[1]] + [
        np.shape(parameters[f"W{i}"])[0] for i in range(1, L + 1)
    ]
    masks = dropout_masks(dims, np.shape(X)[1], keep_prob, seed)
    return _layout.forward(X, parameters, keep_prob=keep_prob, masks=masks)


def backward_propagation_with_dropout(X, Y, cache, keep_prob) -> dict[str, np.ndarray]:
    """Gradients through the masks of a cache of :func:`forward_propagation_with_dropout`
    (dA[l] ← dA[l] * D[l] / keep_prob): :meth:`Network.backward` with those masks."""
    return _layout.backward(X, Y, cache, keep_prob=keep_prob)


def model(X, Y, learning_rate=0.3, num_iterations=30000, print_cost=True, lambd=0, keep_prob=1):
    """The assignment's model: [n_x, 20, 3, 1] from :func:`initialize_parameters`, full-batch
    gradient descent with L2 ``lambd`` or dropout ``keep_prob`` (the course's masks, drawn after
    seed 1 and the same at every iteration, as its dropout forward reseeds itself); returns
    the parameters (:func:`nnrecipe.course.training.gradient_descent`)."""
    dims = [np.shape(X)[0], 20, 3, 1]
    masks = dropout_masks(dims, np.shape(X)[1], keep_prob) if keep_prob < 1 else None
    params, _ = training.gradient_descent(
        initialize_parameters(dims), X, Y, learning_rate, num_iterations,
        lambd=lambd, keep_prob=keep_prob, masks=masks, print_cost=print_cost,
    )  # fmt: skip
    return params
