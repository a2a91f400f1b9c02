"""Training history and callbacks: early stopping on a monitored dev quantity.

Early stopping (monitor ``dev_loss`` by default): an epoch *improves* when
``value < best - min_delta``; after ``patience`` epochs in a row without improvement
training stops. Whether or not it fires, ``fit`` ends with the network holding the
weights of the best epoch (the most reported early-stopping bug of other libraries is
keeping the last weights instead).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .. import _html
from .._checks import check_flag, check_name, check_nonneg
from ..nn.network import Network
from .plots import history_figure

MONITORS = ("dev_loss", "dev_error", "train_loss", "train_error", "cost")


@dataclass
class History:
    """What ``fit`` measured, one entry per epoch (``iteration_cost``: one per mini-batch).

    ``cost`` is the regularized J in training mode (dropout on) averaged over the epoch's
    mini-batches; ``train_loss``/``train_error`` and ``dev_loss``/``dev_error`` are measured
    in inference mode (no dropout, no penalty) at the end of each epoch.
    ``gradient_norms``/``activation_std`` (``fit(monitor_gradients=True)`` only): per epoch,
    one list of ‖dW[l]‖ and one of std(A[l]) for l = 1..L (see :mod:`nnrecipe.train.monitoring`).

    With ``fit(evaluate_every=k)`` the per-epoch lists hold the measured epochs only (every
    k-th and the last; ``epoch`` says which, 0-based); ``iteration_cost`` still holds every
    mini-batch. ``train_rows`` is the number of training rows the train loss and error were
    measured on: all m, or a fixed subsample with ``fit(train_sample=N)`` when m > N.
    """

    epoch: list[int] = field(default_factory=list)
    cost: list[float] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    train_error: list[float] = field(default_factory=list)
    dev_loss: list[float] = field(default_factory=list)
    dev_error: list[float] = field(default_factory=list)
    learning_rate: list[float] = field(default_factory=list)
    time: list[float] = field(default_factory=list)
    iteration_cost: list[float] = field(default_factory=list)
    gradient_norms: list[list[float]] = field(default_factory=list)
    activation_std: list[list[float]] = field(default_factory=list)
    best_epoch: int | None = None
    evaluate_every: int = 1
    train_rows: int | None = None
    stop_reason: str = "completed"
    message: str = ""

    def __len__(self) -> int:
        return len(self.epoch)

    def last(self, key: str) -> float | None:
        values = getattr(self, key)
        return values[-1] if values else None

    def to_dict(self) -> dict:
        return {k: (list(v) if isinstance(v, list) else v) for k, v in self.__dict__.items()}

    def __repr__(self) -> str:
        return (
            f"History(epochs={len(self)}, best_epoch={self.best_epoch}, "
            f"stop_reason={self.stop_reason!r})"
        )

    def _rows(self) -> list[list[str]]:
        """First, best and last measured epoch: J, train and dev loss and error."""
        picks = {"first": 0, "last": len(self) - 1}
        if self.best_epoch in self.epoch:
            picks["best"] = self.epoch.index(self.best_epoch)
        rows = []
        for name, i in sorted(picks.items(), key=lambda kv: kv[1]):
            dev = [f"{self.dev_loss[i]:.4g}", f"{self.dev_error[i]:.2%}"] if self.dev_error else []
            train = [f"{self.cost[i]:.4g}", f"{self.train_loss[i]:.4g}"]
            rows.append([name, self.epoch[i] + 1, *train, f"{self.train_error[i]:.2%}", *dev])
        return rows

    def _repr_html_(self) -> str:
        """The run in a notebook: epochs, stop reason and the first/best/last epochs."""
        heads = ["", "epoch", "J", "train loss", "train error"]
        heads += ["dev loss", "dev error"] if self.dev_error else []
        title = f"History: {len(self)} epochs measured, stopped: {self.stop_reason}"
        if not len(self):
            return _html.paragraph(title)
        return _html.block(
            _html.table(heads, self._rows(), title=title, numeric=heads[1:]),
            _html.paragraph(self.message) if self.message else "",
        )

    def plot(self, percent: bool = True):
        """A Matplotlib figure (no pyplot state): cost J per iteration and the train/dev
        error per epoch with the best epoch marked, as the reports draw them."""
        return _html.figure(history_figure(self, percent=percent))


class Callback:
    """Hooks the training loop calls; ``on_epoch_end`` returns True to stop training."""

    def on_train_begin(self, network: Network, history: History) -> None:
        pass

    def on_epoch_end(self, network: Network, history: History) -> bool | None:
        return None

    def on_train_end(self, network: Network, history: History) -> None:
        pass


def check_callbacks(callbacks) -> list[Callback]:
    """``fit``'s ``callbacks`` as a list: None, one Callback, or a sequence of objects with
    the three hooks; anything else is a TypeError naming the culprit."""
    if callbacks is None:
        return []
    if isinstance(callbacks, Callback):
        return [callbacks]
    if isinstance(callbacks, str | bytes) or not isinstance(callbacks, Sequence):
        raise TypeError(f"callbacks must be a list of nnrecipe Callback objects, got {callbacks!r}")
    for i, hook in enumerate(callbacks):
        if not all(
            callable(getattr(hook, m, None))
            for m in ("on_train_begin", "on_epoch_end", "on_train_end")
        ):
            raise TypeError(
                f"callbacks[{i}]={hook!r} is not a callback: subclass "
                "nnrecipe.train.callbacks.Callback (methods on_train_begin, on_epoch_end, "
                "on_train_end)"
            )
    return list(callbacks)


class BestEpoch:
    """The best epoch of a monitored quantity, by early stopping's rule: epoch e improves on
    the best so far when ``value < best - min_delta`` (NaN never improves).

    The training loop keeps the best weights by this one tracker: EarlyStopping's own when
    it is given, so the weights restored are those of the epoch early stopping chose.
    """

    def __init__(self, min_delta: float = 0.0):
        self.min_delta = check_nonneg(min_delta, "min_delta")
        self.reset()

    def reset(self) -> None:
        self.best = math.inf
        self.epoch: int | None = None

    def update(self, value: float, epoch: int) -> bool:
        """Feed one epoch's value; True when it is the new best."""
        if value < self.best - self.min_delta:
            self.best, self.epoch = value, epoch
            return True
        return False


class BestWeights(Callback):
    """The monitoring base: the best epoch of ``monitor`` and a copy of its weights.

    ``on_epoch_end`` feeds the monitored value to :attr:`tracker` (a :class:`BestEpoch`);
    after every measured epoch's callbacks, ``fit`` calls :meth:`keep`, which copies the
    network's weights when that epoch is the best so far. ``fit`` restores them at the end
    (``on_train_end``, when ``restore_best``) and on Ctrl-C. ``fit`` uses one of these on
    ``dev_loss`` when a dev set is given without early stopping, so Ctrl-C keeps the best
    weights so far; :class:`EarlyStopping` is one with patience.

    Parameters
    ----------
    monitor : {"dev_loss", "dev_error", "train_loss", "train_error", "cost"}
    min_delta : float
        The smallest decrease that counts as an improvement.
    restore_best : bool
        Restore the best epoch's weights at the end of ``fit``.
    """

    def __init__(
        self, monitor: str = "dev_loss", min_delta: float = 0.0, restore_best: bool = True
    ):
        self.monitor = check_name(monitor, MONITORS, "monitor")
        self.tracker = BestEpoch(min_delta)
        self.restore_best = check_flag(restore_best, "restore_best")
        self.best_weights = None

    @property
    def min_delta(self) -> float:
        return self.tracker.min_delta

    @property
    def best(self) -> float:
        """The best monitored value so far."""
        return self.tracker.best

    @property
    def best_epoch(self) -> int | None:
        """The epoch of :attr:`best` (0-based), or None before the first improvement."""
        return self.tracker.epoch

    def reset(self) -> None:
        self.tracker.reset()
        self.best_weights = None

    def on_train_begin(self, network, history):
        self.reset()

    def on_epoch_end(self, network, history):
        self.tracker.update(getattr(history, self.monitor)[-1], history.epoch[-1])

    def check_dev(self, has_dev: bool) -> None:
        """A ValueError when the monitored quantity is a dev set's and ``fit`` has none."""
        if self.monitor.startswith("dev") and not has_dev:
            raise ValueError(
                f"early_stopping monitors {self.monitor!r} but no dev set was given; "
                "pass dev=(X_dev, y_dev) or EarlyStopping(monitor='train_loss')"
            )

    def keep(self, weights: np.ndarray, epoch: int) -> bool:
        """Copy ``weights`` (the network's flat θ) into :attr:`best_weights` when ``epoch``
        is the best epoch so far; True when it is."""
        if self.tracker.epoch != epoch:
            return False
        if self.best_weights is None:
            self.best_weights = weights.copy()
        else:
            self.best_weights[...] = weights
        return True

    def restore(self, weights: np.ndarray) -> bool:
        """Write the kept best weights into ``weights`` in place; False when none were kept."""
        if self.best_weights is None:
            return False
        weights[...] = self.best_weights
        return True

    def on_train_end(self, network, history):
        if self.restore_best:
            self.restore(network.theta)


class EarlyStopping(BestWeights):
    """Stop when ``monitor`` has not improved by more than ``min_delta`` for ``patience`` epochs.

    Parameters
    ----------
    monitor : {"dev_loss", "dev_error", "train_loss", "train_error", "cost"}
    patience : int
        Epochs without improvement before stopping (0 stops at the first such epoch).
    min_delta : float
        The smallest decrease that counts as an improvement.
    restore_best : bool
        Restore the best epoch's weights at the end of ``fit`` (default True); they are kept
        in :attr:`best_weights` either way.
    """

    def __init__(
        self,
        monitor: str = "dev_loss",
        patience: int = 10,
        min_delta: float = 0.0,
        restore_best: bool = True,
    ):
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 0:
            raise ValueError(f"patience={patience!r} must be an integer >= 0")
        self.patience = patience
        super().__init__(monitor, min_delta, restore_best)
        self.reset()

    def reset(self) -> None:
        super().reset()
        self.wait = 0
        self.stopped_epoch: int | None = None

    def update(self, value: float, epoch: int) -> bool:
        """Feed one epoch's monitored value; returns True when training should stop."""
        return self.count(self.tracker.update(value, epoch), epoch)

    def count(self, improved: bool, epoch: int) -> bool:
        """The patience rule: an improvement resets the wait, else one more epoch waited;
        True (stop) once ``patience`` epochs in a row went without one."""
        if improved:
            self.wait, self.stopped_epoch = 0, None
            return False
        self.wait += 1
        if self.wait >= max(self.patience, 1):
            self.stopped_epoch = epoch
            return True
        return False

    def on_epoch_end(self, network, history):
        return self.update(getattr(history, self.monitor)[-1], history.epoch[-1])

    def __repr__(self) -> str:
        return (
            f"EarlyStopping(monitor={self.monitor!r}, patience={self.patience}, "
            f"min_delta={self.min_delta})"
        )
