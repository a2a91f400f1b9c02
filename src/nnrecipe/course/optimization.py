"""The Optimization assignment: mini-batches, momentum, Adam and learning-rate decay over the
course's ``{"W1": ..., "b1": ...}`` dicts, each one step of the library's optimizer
(:mod:`nnrecipe.train.optimizers`) on copies of your arrays (yours are never changed):

    gd        θ ← θ − α dθ
    momentum  v ← β v + (1−β) dθ;   θ ← θ − α v
    adam      v ← β₁ v + (1−β₁) dθ;  s ← β₂ s + (1−β₂) dθ²;  v̂ = v/(1−β₁ᵗ);  ŝ = s/(1−β₂ᵗ);
              θ ← θ − α v̂ / (√ŝ + ε)
    decay     α = α₀ / (1 + decay_rate · epoch)   or   α₀ / (1 + decay_rate · ⌊epoch / T⌋)

v and s are keyed ``dW1``, ``db1``, ... as in the course.
"""

from __future__ import annotations

import numpy as np

from ..data.batches import mini_batches
from ..train.optimizers import Adam, GradientDescent, Momentum, decayed_rate
from . import _layout, initialization, training


def _copies(parameters) -> dict[str, np.ndarray]:
    _layout.n_layers(parameters)
    return {k: np.array(v, dtype=np.float64) for k, v in parameters.items()}


def _moments(parameters, given, name: str) -> dict[str, np.ndarray]:
    if not isinstance(given, dict):
        raise TypeError(
            f"{name} must be a dict with keys dW1, db1, ..., got {type(given).__name__}"
        )
    missing = sorted("d" + k for k in parameters if "d" + k not in given)
    if missing:
        raise ValueError(f"{name} has no {missing}; it needs one entry d<name> per parameter")
    return {k: given["d" + k] for k in parameters}


def update_parameters_with_gd(parameters, grads, learning_rate) -> dict[str, np.ndarray]:
    """θ ← θ − α dθ for every W[l], b[l]: one :class:`GradientDescent` step."""
    params = _copies(parameters)
    opt = GradientDescent(learning_rate)
    opt.init(params)
    opt.update(params, grads)
    return params


def random_mini_batches(X, Y, mini_batch_size=64, seed=0) -> list[tuple[np.ndarray, np.ndarray]]:
    """[(mini_batch_X (n_x, B), mini_batch_Y (1, B)), ...]: the columns shuffled as
    ``np.random.seed(seed); np.random.permutation(m)`` does, then cut in order (the last batch
    holds m mod B): :func:`nnrecipe.data.batches.mini_batches` with ``RandomState(seed)``."""
    X, Y = np.asarray(X), np.asarray(Y)
    Y = Y.reshape(-1, X.shape[1])
    batches = mini_batches(X.T, Y.T, mini_batch_size, np.random.RandomState(seed))
    return [(Xb.T, Yb.T) for Xb, Yb in batches]


def initialize_velocity(parameters) -> dict[str, np.ndarray]:
    """v = 0, keyed dW1, db1, ... with each parameter's shape."""
    return {"d" + k: np.zeros_like(v, dtype=np.float64) for k, v in _copies(parameters).items()}


def update_parameters_with_momentum(parameters, grads, v, beta, learning_rate):
    """(parameters, v) after one :class:`Momentum` step from the velocity ``v``."""
    params = _copies(parameters)
    opt = Momentum(learning_rate, beta)
    opt.init(params)
    for k, arr in _moments(params, v, "v").items():
        opt.v[k][...] = arr
    opt.update(params, grads)
    return params, {"d" + k: arr.copy() for k, arr in opt.v.items()}


def initialize_adam(parameters) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """(v, s) = (0, 0), keyed dW1, db1, ..."""
    return initialize_velocity(parameters), initialize_velocity(parameters)


def update_parameters_with_adam(
    parameters, grads, v, s, t, learning_rate=0.01, beta1=0.9, beta2=0.999, epsilon=1e-8
):
    """(parameters, v, s, v_corrected, s_corrected) after Adam's step number ``t`` from the
    moments ``v``, ``s``: :class:`Adam` with ``v``, ``s`` set and t − 1 steps behind it."""
    params = _copies(parameters)
    opt = Adam(learning_rate, beta1, beta2, epsilon, fused=False)
    opt.init(params)
    opt.v, opt.s = _moments(params, v, "v"), _moments(params, s, "s")
    if isinstance(t, bool) or not isinstance(t, int | np.integer) or t < 1:
        raise ValueError(f"t is Adam's step number, an integer >= 1; got {t!r}")
    opt.t = int(t) - 1
    opt.update(params, grads)

    def keyed(d):
        return {"d" + k: arr for k, arr in d.items()}

    return params, keyed(opt.v), keyed(opt.s), keyed(opt.v_corrected), keyed(opt.s_corrected)


def update_lr(learning_rate0, epoch_num, decay_rate) -> float:
    """α = α₀ / (1 + decay_rate · epoch_num): :func:`decayed_rate` with interval 1."""
    return decayed_rate(learning_rate0, epoch_num, decay_rate, 1)


def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000) -> float:
    """α = α₀ / (1 + decay_rate · ⌊epoch_num / time_interval⌋): :func:`decayed_rate`."""
    return decayed_rate(learning_rate0, epoch_num, decay_rate, time_interval)


def model(
    X,
    Y,
    layers_dims,
    optimizer,
    learning_rate=0.0007,
    mini_batch_size=64,
    beta=0.9,
    beta1=0.9,
    beta2=0.999,
    epsilon=1e-8,
    num_epochs=5000,
    print_cost=True,
    decay=None,
    decay_rate=1,
):
    """The assignment's model: He weights (seed 3), mini-batches reshuffled every epoch with
    seeds 11, 12, ..., and ``optimizer`` "gd", "momentum" or "adam"; ``decay`` (e.g.
    :func:`update_lr`, :func:`schedule_lr_decay`) sets α after each epoch. Returns the
    parameters (:func:`nnrecipe.course.training.mini_batch_descent`)."""
    optimizers = {
        "gd": lambda: GradientDescent(learning_rate),
        "momentum": lambda: Momentum(learning_rate, beta),
        "adam": lambda: Adam(learning_rate, beta1, beta2, epsilon, fused=False),
    }
    if optimizer not in optimizers:
        raise ValueError(f"optimizer={optimizer!r}; valid names are {list(optimizers)}")
    start = initialization.initialize(layers_dims, "he", 3)
    params, _ = training.mini_batch_descent(
        start, X, Y, optimizers[optimizer](), mini_batch_size, num_epochs,
        decay=decay, decay_rate=decay_rate, print_cost=print_cost,
    )  # fmt: skip
    return params
