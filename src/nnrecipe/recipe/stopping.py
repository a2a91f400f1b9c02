"""How one run of :func:`nnrecipe.improve` stops: at the dev set's best (:class:`DevPatience`)
or at the budget's deadline (:class:`Deadline`), whichever comes first."""

from __future__ import annotations

import math
import time

import numpy as np

from ..train.callbacks import Callback, EarlyStopping
from . import metrics

PATIENCE = 20  # epochs without a better dev loss before a run stops (best weights restored)


class DevPatience(EarlyStopping):
    """Early stopping on the recipe's metric, measured on the dev set after every epoch.

    The best epoch is the one with the smallest key (dev metric, dev loss): the metric
    first, the dev loss breaking its ties (a dev error is a count over a few hundred rows,
    so many epochs share the best value; among them the most confident-and-right one, the
    smallest loss, is kept rather than the first). Training stops after ``patience`` epochs
    in which neither the key nor the dev loss improved: the dev loss is smooth early in
    training, the metric keeps falling after the loss of an over-confident network turns up.
    The best epoch's weights are restored at the end of fit.

    ``metric``: "error" (read from the history), "log_loss" (the dev loss itself),
    "balanced_error": the mean per-class error of the decision argmax_c p(c|x)/π_c on
    ``dev`` (π_c: class c's share of the training labels ``prior``), the decision the
    network makes after :meth:`Trainer.balance`; for a regression (linear output) "mse",
    the history's dev error (mean((ŷ − y)²), exactly the metric; the dev loss is half of
    it) or "mae", mean|ŷ − y| computed from the dev predictions.
    """

    def __init__(self, metric: str, patience: int, dev=None, prior=None):
        super().__init__(monitor="dev_loss", patience=patience)
        self.metric, self.dev, self.prior = metric, dev, prior
        if metric == "balanced_error" and (dev is None or prior is None):
            self.metric = "log_loss"  # no labels to balance with: the loss alone

    def reset(self) -> None:
        super().reset()
        self.best_loss, self.best_key = math.inf, (math.inf, math.inf)

    def value(self, network, history) -> float:
        if self.metric in ("error", "mse"):  # regression: the history's error is the mse
            return history.dev_error[-1]
        if self.metric == "mae":
            return metrics.score("mae", self.dev[1], network.predict_proba(self.dev[0]))
        if self.metric == "balanced_error":
            proba = np.asarray(network.predict_proba(self.dev[0]), dtype=np.float64)
            if proba.shape[1] == 1:  # a sigmoid unit: P(class 1)
                proba = np.hstack([1.0 - proba, proba])
            shifted = proba / self.prior[: proba.shape[1]]  # argmax p_c/π_c
            return metrics.score("balanced_error", self.dev[1], shifted)
        return history.dev_loss[-1]

    def on_epoch_end(self, network, history):
        loss, epoch = history.dev_loss[-1], history.epoch[-1]
        key = (self.value(network, history), loss)
        improved = False
        if key < self.best_key:  # NaN compares False: never a best epoch
            self.best_key, improved = key, True
            self.tracker.best, self.tracker.epoch = key[0], epoch
        if loss < self.best_loss:
            self.best_loss, improved = loss, True
        return self.count(improved, epoch)


class Deadline(Callback):
    """Stops training at the end of the epoch in which ``time.perf_counter()`` passes ``at``."""

    def __init__(self, at: float | None):
        self.at = at

    def on_epoch_end(self, network, history):
        return self.at is not None and time.perf_counter() > self.at
