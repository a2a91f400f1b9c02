"""The one training loop: mini-batches, optimizer steps, history, callbacks, safe stops.

Each epoch: shuffle the training rows with the run's generator, cut mini-batches of
``batch_size`` (the last one may be smaller), and for each batch compute J and dθ in
training mode (dropout on), then step the optimizer. At the end of every
``evaluate_every``-th epoch (and of the last), measure the training set (or a fixed subsample
of ``train_sample`` rows) and the dev set in inference mode and let the callbacks see the
history.

Each epoch trains at the rate its schedule gives (:mod:`nnrecipe.train.schedules`), handed to
the optimizer's step: an optimizer object passed in keeps its own ``learning_rate``.

Nothing the user made is lost: J or the weights becoming NaN/inf stops training with the last
good weights (those at the end of the previous epoch); Ctrl-C stops cleanly with the best
weights so far; the best epoch's weights are kept by the callback that tracks them
(:class:`~nnrecipe.train.callbacks.BestWeights`: early stopping, or the dev loss's minimum)
and early stopping restores them at the end.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Sequence

import numpy as np

from .._checks import as_rng, check_flag, check_positive
from .._html import LiveDisplay
from ..data.augment import in_raw_space
from ..nn.network import Network
from . import monitoring, optimizers, schedules
from .batches import Batches
from .callbacks import BestWeights, Callback, EarlyStopping, History, check_callbacks

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
    schedule: str | None = None,
    warmup: int = 0,
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
        ``gd`` is batch gradient descent (the whole training set per step). An instance
        (e.g. ``Adam(beta2=0.95)``) keeps its own ``learning_rate``: the loop hands each
        step its scheduled rate and never writes a rate into the object.
    learning_rate : float, optional
        α₀; defaults to the optimizer's own (0.01 for gd/sgd/momentum, 0.001 for rmsprop/adam).
        With an Optimizer instance it is this fit's α₀; the instance's own rate is unchanged.
    batch_size : int, optional
        Mini-batch size (default 64; the whole set for ``gd``).
    epochs : int
    early_stopping : EarlyStopping, optional
    callbacks : sequence of Callback
    schedule : {None, "cosine"}
        The learning rate of each epoch (:mod:`nnrecipe.train.schedules`, per epoch, fitted to
        ``epochs``). None: α₀, or the course's decay when ``decay_rate`` > 0 (exactly as
        before schedules existed). ``"cosine"``: α₀ · ½(1 + cos(π t/T)) over the T epochs
        after the warm-up; refused together with ``decay_rate`` > 0.
    warmup : int
        k epochs of linear warm-up first, α₀ · (e + 1)/(k + 1) at epoch e < k; 0 ≤ k < epochs.
        ``History.learning_rate`` records the rate each measured epoch used.
    decay_rate, decay_interval : learning-rate decay α₀ / (1 + decay_rate·⌊epoch/interval⌋)
    decay_timing : {"before_epoch", "after_epoch"}
        ``before_epoch``: epoch e trains with the rate of e. ``after_epoch``: the rate is
        updated at the end of each epoch, as the course's model does, so epoch e trains with
        the rate of e - 1 (epoch 0 with α₀); see :func:`nnrecipe.train.schedules.decayed_rate`.
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
    opt = optimizers.get(optimizer)
    rates = schedules.Schedule(
        opt.learning_rate if learning_rate is None else learning_rate,
        *(epochs, schedule, warmup, decay_rate, decay_interval, decay_timing),
    )
    callbacks = check_callbacks(callbacks)
    verbose, evaluate_every, train_sample = _check_options(
        opt, batch_size, early_stopping, augment, verbose, evaluate_every, train_sample
    )
    grad_monitor = monitoring.monitor(monitor_gradients)
    live = LiveDisplay() if verbose else None  # a notebook: one line updated in place
    X, Y, dev_set, augment = _prepare_data(network, X, y, dev, augment)
    batches = Batches(network, X, Y, len(X) if opt.name == "gd" else batch_size)
    keeper = _best_weights(early_stopping, dev_set)
    rng = network.rng if seed is None else as_rng(seed, "seed")
    hooks = ([keeper] if keeper is not None else []) + callbacks

    history = History(evaluate_every=evaluate_every)
    X_eval, Y_eval = _train_subsample(X, Y, train_sample)
    history.train_rows = len(X_eval)
    theta = network.theta
    params, grads = {"theta": theta}, {"theta": network.dtheta}
    opt.init(params)
    step = optimizers.stepper(opt, params, grads)
    last_good = theta.copy()
    for hook in hooks:
        hook.on_train_begin(network, history)
    start = time.perf_counter()
    try:
        for epoch in range(rates.epochs):
            measured = (epoch + 1) % evaluate_every == 0 or epoch + 1 == rates.epochs
            monitor = grad_monitor if measured else None
            lr = rates.rate(epoch)
            costs = _train_epoch(network, batches, step, lr, augment, rng, monitor, history)
            network.clear_cache()
            history.iteration_cost.extend(costs)
            if measured:
                _record(network, history, epoch, costs, lr, X_eval, Y_eval, dev_set, start)
            if not np.all(np.isfinite(theta)):
                raise _Diverged("non-finite weights", "-")
            last_good[...] = theta
            if not measured:
                continue
            if verbose:
                live.lines([_line(history)]) if live.active else print(_line(history))
            if _end_of_epoch(network, history, hooks, keeper, epoch):
                history.stop_reason = "early_stopping"
                break
    except _Diverged as diverged:  # the one divergence rule: back to the last good epoch
        theta[...] = last_good
        history.stop_reason = "diverged"
        history.message = DIVERGED.format(value=diverged.value, epoch=epoch, batch=diverged.batch)
        warnings.warn(history.message, RuntimeWarning, stacklevel=3)
        return history
    except KeyboardInterrupt:
        network.clear_cache()
        _drop_partial_epoch(history, len(batches), evaluate_every == 1)
        history.stop_reason = "interrupted"
        history.message = "training interrupted (Ctrl-C); the network keeps the best weights so far"
        if keeper is None or not keeper.restore(theta):
            theta[...] = last_good
        warnings.warn(history.message, RuntimeWarning, stacklevel=3)
        return history
    for hook in hooks:  # early stopping restores its best weights first (restore_best)
        hook.on_train_end(network, history)
    return history


class _Diverged(Exception):
    """J (at mini-batch ``batch``) or the weights (batch "-") became non-finite."""

    def __init__(self, value, batch):
        super().__init__(value, batch)
        self.value, self.batch = value, batch


def _check_options(opt, batch_size, early_stopping, augment, verbose, every, train_sample):
    """fit's arguments that the schedule, the data and the callbacks do not check."""
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
    every = check_positive(every, "evaluate_every", integer=True)
    return check_flag(verbose, "verbose"), every, train_sample


def _prepare_data(network: Network, X, y, dev, augment):
    """(X, Y, dev set, augment) as the loop reads them."""
    # fits the standardizer on first use; rows are standardized a batch at a time (no copy)
    X = network.prepare_training_inputs(X)
    if augment is not None and network.standardizer is not None:
        augment = in_raw_space(augment, network.standardizer)  # augment pixels, not z-scores
    Y = network.prepare_targets(y, len(X))
    return X, Y, _check_dev(network, dev), augment


def _best_weights(early_stopping: EarlyStopping | None, dev_set) -> BestWeights | None:
    """Who keeps the best epoch's weights: early stopping when given (the weights restored
    are those of the epoch it chose), else the dev loss's strict minimum (kept for Ctrl-C,
    not restored), else nobody."""
    if early_stopping is None:
        return BestWeights("dev_loss", restore_best=False) if dev_set is not None else None
    early_stopping.check_dev(dev_set is not None)
    return early_stopping


def _train_epoch(network, batches, step, lr, augment, rng, grad_monitor, history) -> list:
    """One pass over the shuffled mini-batches at rate ``lr``: J and dθ in training mode,
    then the optimizer's step; J per batch. ``grad_monitor`` (or None) measures the first
    batch. A non-finite J raises :class:`_Diverged` before its step."""
    costs = []
    for b, Xb, Yb in batches.shuffled(rng):
        Xin = augment(Xb, rng) if augment is not None else Xb
        J = network.loss_and_gradient(Xin, Yb, True, rng, batches.workspace.views(len(Xin)))
        if grad_monitor is not None and b == 0:
            grad_monitor(network, history)
        if not math.isfinite(J):
            raise _Diverged(J, b)
        step(lr)
        costs.append(J)
    return costs


def _end_of_epoch(network, history, hooks, keeper, epoch) -> bool:
    """A measured epoch's callbacks (early stopping, when given, first), then the best
    weights kept by their owner; True when a callback asks to stop."""
    stop = False
    for hook in hooks:
        stop = bool(hook.on_epoch_end(network, history)) or stop
    if keeper is not None and keeper.keep(network.theta, epoch):
        history.best_epoch = epoch
    return stop


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
