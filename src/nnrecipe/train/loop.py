"""The one training loop: mini-batches, optimizer steps, history, callbacks, safe stops.

Each epoch: shuffle the training rows with the run's generator, cut mini-batches of
``batch_size`` (the last one may be smaller), and for each batch compute J and dθ in
training mode (dropout on), then step the optimizer. At the end of every
``evaluate_every``-th epoch (and of the last), measure the training set (or a fixed subsample
of ``train_sample`` rows) and the dev set in inference mode and let the callbacks see the
history.

Nothing the user made is lost: J becoming NaN/inf stops training with the last good
weights (those at the end of the previous epoch); Ctrl-C stops cleanly with the best
weights so far; early stopping restores the best epoch's weights.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Sequence

import numpy as np

from .._checks import as_rng, check_flag, check_name, check_nonneg, check_positive
from .._html import LiveDisplay
from ..data.augment import in_raw_space
from ..nn.network import Network
from . import monitoring, optimizers
from .callbacks import BestEpoch, Callback, EarlyStopping, History, check_callbacks

DIVERGED = (
    "the cost J became {value} at epoch {epoch}, mini-batch {batch}; training stopped and the "
    "network keeps the weights of the last good epoch. Usual causes: a learning rate that is "
    "too large (try 10x smaller), unnormalized inputs (standardize them), or a 'random' init "
    "with a large scale."
)


def _check_dev(network: Network, dev):
    if dev is None:
        return None
    if not isinstance(dev, tuple | list) or len(dev) != 2:
        raise TypeError("dev must be a tuple (X_dev, y_dev)")
    # read a chunk at a time when standardized or cast: no copy of the dev set either
    X_dev = network.prepare_inference_inputs(dev[0], "dev[0] (X_dev)")
    Y_dev = network.prepare_targets(dev[1], len(X_dev), "dev[1] (y_dev)")
    return X_dev, Y_dev


def fit(
    network: Network,
    X,
    y,
    dev: tuple | None = None,
    optimizer="adam",
    learning_rate: float | None = None,
    batch_size: int | None = None,
    epochs: int = 100,
    early_stopping: EarlyStopping | None = None,
    callbacks: Sequence[Callback] = (),
    decay_rate: float = 0.0,
    decay_interval: int = 1,
    augment: Callable | None = None,
    seed: int | np.random.Generator | None = None,
    verbose: bool = False,
    monitor_gradients=False,
    decay_timing: str = "before_epoch",
    evaluate_every: int = 1,
    train_sample: int | None = None,
) -> History:
    """Train ``network`` on (X, y) and return its :class:`History`.

    Parameters
    ----------
    X : array (m, n_x), numpy.memmap, or path of an .npy file;  y : labels (m,) or (m, n_y)
        A memmap or ``.npy`` file is read a mini-batch at a time, never loaded whole; with a
        Standardizer, rows are standardized a batch at a time, so no standardized copy of X
        is made (:meth:`Network.prepare_training_inputs`).
    dev : (X_dev, y_dev), optional
        Measured every epoch in inference mode; early stopping monitors it.
    optimizer : {"gd", "sgd", "momentum", "rmsprop", "adam"} or an Optimizer
        ``gd`` is batch gradient descent (the whole training set per step).
    learning_rate : float, optional
        α₀; defaults to the optimizer's own (0.01 for gd/sgd/momentum, 0.001 for rmsprop/adam).
    batch_size : int, optional
        Mini-batch size (default 64; the whole set for ``gd``).
    epochs : int
    early_stopping : EarlyStopping, optional
    callbacks : sequence of Callback
    decay_rate, decay_interval : learning-rate decay α₀ / (1 + decay_rate·⌊epoch/interval⌋)
    decay_timing : {"before_epoch", "after_epoch"}
        ``before_epoch``: epoch e trains with the rate of e. ``after_epoch``: the rate is
        updated at the end of each epoch, as the course's model does, so epoch e trains with
        the rate of e - 1 (epoch 0 with α₀); see :func:`nnrecipe.train.optimizers.decayed_rate`.
    augment : callable (X_batch, rng) -> X_batch, optional
        Applied to each training mini-batch only, never to dev or test data (e.g. an
        :mod:`nnrecipe.augment` transform). With a Standardizer it sees un-standardized rows.
    seed : int or Generator, optional
        Shuffling and dropout; defaults to continuing the network's own generator.
    verbose : bool
        Print one line per epoch.
    monitor_gradients : bool or GradientMonitor
        Record per-layer ‖dW[l]‖ and std(A[l]) each epoch into the History and warn, naming
        the layer, when they vanish or explode across depth (:mod:`nnrecipe.train.monitoring`).
    evaluate_every : int
        Epochs between history measurements (the inference-mode train and dev loss and
        error; the last epoch is always measured). Callbacks, early stopping included, see
        the measured epochs only, so ``patience`` counts measurements. Measuring costs about
        one forward pass over the training and dev sets: with many epochs on small batches
        it can take as long as training itself.
    train_sample : int, optional
        Measure the training loss and error on a fixed random subsample of at most this many
        rows (drawn once per ``fit``, from a generator of its own, so the run's shuffling and
        dropout are unchanged); ``History.train_rows`` says how many. None: every row.
        A few thousand rows give the training error to about ±1 point, which is all the
        bias/variance diagnosis needs.
    """
    callbacks = check_callbacks(callbacks)
    verbose = check_flag(verbose, "verbose")
    live = LiveDisplay() if verbose else None
    opt = optimizers.get(optimizer, learning_rate)
    epochs = check_positive(epochs, "epochs", integer=True)
    decay_rate = check_nonneg(decay_rate, "decay_rate")
    decay_interval = check_positive(decay_interval, "decay_interval", integer=True)
    decay_timing = check_name(decay_timing, optimizers.DECAY_TIMINGS, "decay_timing")
    evaluate_every = check_positive(evaluate_every, "evaluate_every", integer=True)
    if train_sample is not None:
        train_sample = check_positive(train_sample, "train_sample", integer=True)
    if opt.name == "gd" and batch_size is not None:
        raise ValueError(
            "optimizer='gd' is batch gradient descent over the whole training set; "
            "use optimizer='sgd' with batch_size for mini-batches"
        )
    if early_stopping is not None and not isinstance(early_stopping, EarlyStopping):
        raise TypeError("early_stopping must be an nnrecipe.EarlyStopping instance")
    if augment is not None and not callable(augment):
        raise TypeError("augment must be a callable (X_batch, rng) -> X_batch")
    grad_monitor = monitoring.monitor(monitor_gradients)
    # fits the standardizer on first use; rows are standardized a batch at a time (no copy)
    X = network.prepare_training_inputs(X)
    if augment is not None and network.standardizer is not None:
        augment = in_raw_space(augment, network.standardizer)  # augment pixels, not z-scores
    Y = network.prepare_targets(y, len(X))
    m = len(X)
    batch_size = (
        m
        if opt.name == "gd"
        else check_positive(64 if batch_size is None else batch_size, "batch_size", True)
    )
    batch_size = min(batch_size, m)
    dev_set = _check_dev(network, dev)
    if early_stopping is not None and early_stopping.monitor.startswith("dev") and dev_set is None:
        raise ValueError(
            f"early_stopping monitors {early_stopping.monitor!r} but no dev set was given; "
            "pass dev=(X_dev, y_dev) or EarlyStopping(monitor='train_loss')"
        )
    rng = network.rng if seed is None else as_rng(seed, "seed")
    hooks = ([early_stopping] if early_stopping is not None else []) + callbacks

    history = History(evaluate_every=evaluate_every)
    X_eval, Y_eval = _train_subsample(X, Y, train_sample)
    history.train_rows = len(X_eval)
    theta = network.theta
    params, grads = {"theta": theta}, {"theta": network.dtheta}
    opt.init(params)
    lr0 = opt.learning_rate
    last_good = theta.copy()
    best_theta = None
    # one best-epoch rule: early stopping's own tracker when given (so the weights restored
    # are those of the epoch it chose), else the dev loss's strict minimum
    monitor = (
        early_stopping.monitor
        if early_stopping is not None
        else ("dev_loss" if dev_set is not None else None)
    )
    tracker = early_stopping.tracker if early_stopping is not None else BestEpoch()
    for hook in hooks:
        hook.on_train_begin(network, history)
    start = time.perf_counter()
    # gather each mini-batch with np.take into preallocated row-major buffers, and let every
    # step write its activations and gradients into one workspace (see nnrecipe.nn.workspace)
    Xb_full = np.empty((batch_size,) + X.shape[1:], dtype=X.dtype)
    Yb_full = np.empty((batch_size,) + Y.shape[1:], dtype=Y.dtype)
    workspace = network.workspace(batch_size)
    try:
        for epoch in range(epochs):
            opt.learning_rate = optimizers.decayed_rate(
                lr0, epoch, decay_rate, decay_interval, decay_timing
            )
            order = rng.permutation(m)
            costs = []
            measured = (epoch + 1) % evaluate_every == 0 or epoch + 1 == epochs
            for b, s in enumerate(range(0, m, batch_size)):
                idx = order[s : s + batch_size]
                Xb, Yb = Xb_full[: len(idx)], Yb_full[: len(idx)]
                # idx is a permutation slice, always in range: mode="clip" skips the bounds
                # check that makes NumPy buffer `out` (a copy per batch) in the default mode
                X.take(idx, axis=0, out=Xb, mode="clip")
                Y.take(idx, axis=0, out=Yb, mode="clip")
                Xin = augment(Xb, rng) if augment is not None else Xb
                J = network.loss_and_gradient(Xin, Yb, True, rng, workspace.views(len(Xin)))
                if grad_monitor is not None and b == 0 and measured:
                    grad_monitor(network, history)
                if not math.isfinite(J):
                    theta[...] = last_good
                    history.stop_reason = "diverged"
                    history.message = DIVERGED.format(value=J, epoch=epoch, batch=b)
                    warnings.warn(history.message, RuntimeWarning, stacklevel=3)
                    return history
                opt.update(params, grads)
                costs.append(J)
            network.clear_cache()
            history.iteration_cost.extend(costs)
            if measured:
                lr = opt.learning_rate
                _record(network, history, epoch, costs, lr, X_eval, Y_eval, dev_set, start)
            if not np.all(np.isfinite(theta)):
                theta[...] = last_good
                history.stop_reason = "diverged"
                history.message = DIVERGED.format(
                    value="non-finite weights", epoch=epoch, batch="-"
                )
                warnings.warn(history.message, RuntimeWarning, stacklevel=3)
                return history
            last_good[...] = theta
            if not measured:
                continue
            if verbose:  # in a notebook: one line that updates, not a line per epoch
                live.lines([_line(history)]) if live.active else print(_line(history))
            stop = False
            for hook in hooks:  # early stopping, when given, updates the tracker here
                stop = bool(hook.on_epoch_end(network, history)) or stop
            if early_stopping is None and monitor is not None:
                tracker.update(getattr(history, monitor)[-1], epoch)
            if tracker.epoch == epoch:
                history.best_epoch = epoch
                if best_theta is None:
                    best_theta = theta.copy()
                else:
                    best_theta[...] = theta
            if stop:
                history.stop_reason = "early_stopping"
                break
    except KeyboardInterrupt:
        network.clear_cache()
        _drop_partial_epoch(history, -(-m // batch_size), evaluate_every == 1)
        history.stop_reason = "interrupted"
        history.message = "training interrupted (Ctrl-C); the network keeps the best weights so far"
        theta[...] = best_theta if best_theta is not None else last_good
        warnings.warn(history.message, RuntimeWarning, stacklevel=3)
        return history
    if early_stopping is not None and early_stopping.restore_best and best_theta is not None:
        theta[...] = best_theta
    for hook in hooks:
        hook.on_train_end(network, history)
    return history


def _drop_partial_epoch(history: History, batches_per_epoch: int, every_epoch: bool) -> None:
    """Ctrl-C can land while an epoch is being recorded; keep complete epochs only, so every
    per-epoch list has one entry per measured epoch (``time`` is recorded last) and, when
    every epoch is measured, ``iteration_cost`` covers exactly those epochs."""
    n = len(history.time)
    for key, values in vars(history).items():
        if key == "iteration_cost":
            if every_epoch:
                del values[n * batches_per_epoch :]
        elif isinstance(values, list):
            del values[n:]


def _train_subsample(X, Y, train_sample: int | None):
    """The rows the training loss and error are measured on: all of them, or a fixed sorted
    random subsample of ``train_sample`` rows (its own seeded generator: the run's draws are
    untouched)."""
    m = len(X)
    if train_sample is None or train_sample >= m:
        return X, Y
    rows = np.sort(np.random.default_rng(m).choice(m, size=train_sample, replace=False))
    return X[rows], Y[rows]


def _record(network: Network, history, epoch, costs, lr, X, Y, dev_set, start) -> None:
    history.epoch.append(epoch)
    history.cost.append(float(np.mean(costs)))
    loss, error = network.measure(X, Y)
    history.train_loss.append(loss)
    history.train_error.append(error)
    if dev_set is not None:
        loss, error = network.measure(*dev_set)
        history.dev_loss.append(loss)
        history.dev_error.append(error)
    history.learning_rate.append(lr)
    history.time.append(time.perf_counter() - start)


def _line(history: History) -> str:
    parts = [
        f"epoch {history.epoch[-1] + 1:4d}",
        f"J {history.cost[-1]:.4f}",
        f"train error {history.train_error[-1]:.4f}",
    ]
    if history.dev_error:
        parts.append(f"dev error {history.dev_error[-1]:.4f}")
    return "  ".join(parts)
