"""The course's training loops, run by the library's step API and optimizers.

Full batch (the Initialization and Regularization models), for i = 0 .. num_iterations - 1:

    J = cost(forward(X)),  grads = backward(),  θ ← θ - α dθ        (J printed every 1000)

Mini-batches (the Optimization model), for epoch i = 0 .. num_epochs - 1, with seed = 10 + i + 1:

    for each (X_t, Y_t) in random_mini_batches(X, Y, B, seed): one optimizer step, t ← t + 1
    α ← decay(α₀, i, decay_rate)                                   (after the epoch)

Each step is :meth:`nnrecipe.nn.network.Network.loss_and_gradient` (cross-entropy from the
logits, L2 term and dropout masks included) and one update of an optimizer of
:mod:`nnrecipe.train.optimizers` over the flat θ. The course's printed costs are its own
formula on A; the numbers here agree with them to rounding.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..data.batches import mini_batches
from ..train.optimizers import GradientDescent, Optimizer
from . import _layout


def gradient_descent(
    parameters,
    X,
    Y,
    learning_rate: float,
    num_iterations: int,
    lambd: float = 0.0,
    keep_prob: float = 1.0,
    masks=None,
    print_cost: bool = False,
) -> tuple[dict[str, np.ndarray], list[float]]:
    """Full-batch gradient descent from ``parameters`` on X (n_x, m), Y (1, m).

    ``lambd`` is the L2 λ; ``masks`` (one (n_l, m) array per hidden layer, with ``keep_prob``)
    are the dropout masks used at every iteration, as the course's dropout model does (it
    reseeds before each forward pass). Returns (parameters, the costs of every 1000th step).
    """
    net = _layout.network(parameters, lambd=lambd, keep_prob=keep_prob)
    Xr = net.prepare_inputs(np.asarray(X).T)
    Yr = net.prepare_targets(np.asarray(Y).T, len(Xr))
    lib_masks = None if masks is None else [np.asarray(D).T.astype(bool) for D in masks]
    opt = GradientDescent(learning_rate)
    params, grads = {"theta": net.theta}, {"theta": net.dtheta}
    opt.init(params)
    buffers = net.workspace(len(Xr)).views(len(Xr))
    costs = []
    for i in range(num_iterations):
        J = net.loss_and_gradient(Xr, Yr, True, None, buffers, lib_masks)
        opt.update(params, grads)
        if i % 1000 == 0:
            costs.append(J)
            if print_cost:
                print(f"Cost after iteration {i}: {J}")
    net.clear_cache()
    return _layout.as_parameters(net), costs


def mini_batch_descent(
    parameters,
    X,
    Y,
    optimizer: Optimizer,
    mini_batch_size: int = 64,
    num_epochs: int = 5000,
    seed: int = 10,
    decay: Callable | None = None,
    decay_rate: float = 1.0,
    print_cost: bool = False,
) -> tuple[dict[str, np.ndarray], list[float]]:
    """The Optimization assignment's model loop: every epoch reshuffles with
    ``RandomState(seed)``, seed = 11, 12, ... (:func:`nnrecipe.data.batches.mini_batches`);
    ``decay(α₀, epoch, decay_rate)`` sets the rate after each epoch. Returns (parameters, the
    mean cost per example of every 1000th epoch)."""
    net = _layout.network(parameters)
    Xr = net.prepare_inputs(np.asarray(X).T)
    Yr = net.prepare_targets(np.asarray(Y).T, len(Xr))
    m = len(Xr)
    params, grads = {"theta": net.theta}, {"theta": net.dtheta}
    optimizer.init(params)
    lr0 = optimizer.learning_rate
    workspace = net.workspace(min(mini_batch_size, m))
    costs = []
    for i in range(num_epochs):
        seed += 1
        cost_total = 0.0
        for Xb, Yb in mini_batches(Xr, Yr, mini_batch_size, np.random.RandomState(seed)):
            J = net.loss_and_gradient(Xb, Yb, True, None, workspace.views(len(Xb)))
            cost_total += J * len(Xb)  # the course sums the cost over the batch
            optimizer.update(params, grads)
        if decay is not None:
            optimizer.learning_rate = decay(lr0, i, decay_rate)
        if i % 1000 == 0:
            costs.append(cost_total / m)
            if print_cost:
                print(f"Cost after epoch {i}: {cost_total / m}")
    net.clear_cache()
    return _layout.as_parameters(net), costs


def accuracy(X, Y, parameters) -> float:
    """The fraction of examples (columns of X) with (A[L] > 0.5) == Y, in inference mode."""
    net = _layout.network(parameters)
    return float(net.evaluate(np.asarray(X).T, np.asarray(Y).T)["accuracy"])
