"""The Gradient Checking assignment, with the library's checker
(:func:`nnrecipe.gradcheck.function.gradcheck_fn`) doing the work:

    gradapprox_i = (J(θ + ε e_i) − J(θ − ε e_i)) / 2ε,
    difference = ‖grad − gradapprox‖₂ / (‖grad‖₂ + ‖gradapprox‖₂)

first for the one-parameter toy J(θ) = θ x, then for the 3-layer network
LINEAR → RELU → LINEAR → RELU → LINEAR → SIGMOID (X (4, m), b (n, 1)). A difference above
2·10⁻⁷ means a mistake in backward propagation.
"""

from __future__ import annotations

import numpy as np

from ..gradcheck.function import gradcheck_fn
from . import _layout
from .regularization import compute_cost

THRESHOLD = 2e-7


def forward_propagation(x, theta):
    """J(θ) = θ · x, the lesson's one-parameter toy."""
    return theta * x


def backward_propagation(x, theta):
    """dJ/dθ = x."""
    return x


def _report(difference: float, print_msg: bool) -> np.float64:
    if print_msg:
        if difference > THRESHOLD:
            print(
                "\033[93m" + "There is a mistake in the backward propagation! difference = "
                f"{difference}" + "\033[0m"
            )
        else:
            print(
                "\033[92m" + "Your backward propagation works perfectly fine! difference = "
                f"{difference}" + "\033[0m"
            )
    return np.float64(difference)


def gradient_check(x, theta, epsilon=1e-7, print_msg=False) -> np.float64:
    """The difference of (J(θ+ε) − J(θ−ε))/2ε and dJ/dθ = x for J(θ) = θx:
    :func:`gradcheck_fn` over ``{"theta": θ}``."""
    result = gradcheck_fn(
        lambda p: forward_propagation(x, p["theta"]),
        lambda p: {"dtheta": np.asarray(backward_propagation(x, p["theta"]), dtype=float)},
        {"theta": np.asarray(theta, dtype=float)},
        epsilon,
    )
    return _report(result.difference, print_msg)


def forward_propagation_n(X, Y, parameters) -> tuple[float, tuple]:
    """(cost, cache): the cross-entropy J of A3 (1, m) against Y, and the cache
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) of :meth:`Network.forward_with_cache`."""
    A3, cache = _layout.forward(X, parameters)
    return compute_cost(A3, np.asarray(Y).reshape(1, -1)), cache


def backward_propagation_n(X, Y, cache) -> dict[str, np.ndarray]:
    """The correct gradients (the assignment's version has two planted bugs: dW2 twice too big,
    db1 four times): :meth:`Network.backward` through the cache."""
    return _layout.backward(X, np.asarray(Y).reshape(1, -1), cache)


def gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False) -> np.float64:
    """The difference between ``gradients`` (yours: dW1, db1, ...) and two-sided differences of
    :func:`forward_propagation_n`'s cost over every parameter: :func:`gradcheck_fn`."""
    result = gradcheck_fn(
        lambda p: forward_propagation_n(X, Y, p)[0],
        lambda p: gradients,
        parameters,
        epsilon,
    )
    return _report(result.difference, print_msg)


def predict(parameters, X) -> np.ndarray:
    """predictions (1, m), booleans: A2 > 0.5 for the 2-layer network the assignment's public
    tests grade (``predict_test``: the Planar data classification's model),

        A1 = tanh(W1 X + b1),   A2 = σ(W2 A1 + b2),   X (n_x, m), b as (n, 1) columns,

    by the library's forward pass (:meth:`Network.predict_proba` of a tanh/sigmoid network
    holding ``parameters``)."""
    net = _layout.network(parameters, hidden="tanh")
    return net.predict_proba(np.asarray(X, dtype=np.float64).T).T > 0.5
