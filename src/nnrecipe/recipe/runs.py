"""One training run of the basic recipe: a configuration trained and measured the same way.

Every run of :func:`nnrecipe.improve` uses the same data, the same input standardizer
(fitted once on the rows it trains on, so no statistic of a row it is measured on leaks
into training; with k-fold, one per fold; none for images, whose pixels are already on one
scale) and the same seed, so the only difference between two runs is the knob turned.

A run trains with early stopping (:class:`~nnrecipe.recipe.stopping.DevPatience`: until
neither the dev loss nor the recipe's metric on dev has improved for
``config.early_stopping`` epochs; the weights of the best epoch by (dev metric, dev loss)
are restored), so "train longer" always means "until the dev stops improving" and no run is
cut short by a fixed epoch count
(``config.epochs`` is only a ceiling). It is measured one of two ways:

* hold-out: train on the training set, measure the metric on the dev set;
* k-fold cross-validation (small data): split train+dev into k folds; fold j trains on the
  other k−1 folds (early stopping on fold j) and predicts fold j. The out-of-fold
  predictions give one per-example value for every row of train+dev, so the dev metric and
  its resolution rest on all of them rather than on a few hundred dev rows.

Either way the run keeps the per-example values (``Run.values``) that the noise guard
compares pairwise (:func:`nnrecipe.recipe.metrics.better`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..data import augment as aug
from ..data.robust_scale import scaling_name
from ..model import Network
from ..train.callbacks import History
from ..train.optimizers import Adam
from . import knobs, metrics, parallel
from .dispatch import Dispatch
from .stopping import Deadline, DevPatience


@dataclass
class Run:
    config: knobs.Config
    network: Network
    history: History
    train_error: float  # the metric on the rows trained on (mean over folds with CV)
    dev_error: float  # the metric on dev (out-of-fold with CV)
    seconds: float  # its share of the wall time of the runs trained with it
    values: np.ndarray = field(default=None, repr=False)  # per-example dev values
    best_epochs: list[int] = field(default_factory=list)  # epochs to the best dev loss

    epochs_trained: int | None = None  # epochs actually trained (the most over the folds)
    # the class each measured row was given (dev rows; out of fold with CV; −1: not measured,
    # a fold Ctrl-C cut): what the per-class errors are counted from; None for a regression
    predicted: np.ndarray | None = field(default=None, repr=False)
    networks: list = field(default_factory=list, repr=False)  # every fold's (hold-out: one)
    proba: np.ndarray = field(default=None, repr=False)  # dev (out-of-fold) outputs
    short: bool = False  # a fixed epoch count that the deadline cut short (never complete)

    @property
    def interrupted(self) -> bool:
        return self.history.stop_reason == "interrupted"

    @property
    def resolution(self) -> float:
        return metrics.resolution(self.values)


class Trainer(Dispatch):
    """Trains a configuration on fixed data with a fixed standardizer and seed.

    ``folds`` > 1 measures by k-fold cross-validation on train+dev (see the module
    docstring); ``deadline`` (a ``time.perf_counter()`` value) stops any training past it.
    """

    def __init__(self, train, dev, standardizer, output, n_out, images, seed, metric="error",
                 folds: int = 1, deadline: float | None = None,
                 dtype: str = "float64", n_jobs: int | None = 1):  # fmt: skip
        self.train, self.dev, self.standardizer = train, dev, standardizer
        self.dtype, self.n_jobs = dtype, parallel.check_n_jobs(n_jobs)
        self.output, self.n_out, self.images, self.seed = output, n_out, images, seed
        self.metric, self.folds, self.deadline = metric, folds, deadline
        self.fold_epochs: dict = {}  # fold → epochs its last trainings took (dispatch order)
        self.pooled = (
            np.concatenate([np.asarray(train[0]), np.asarray(dev[0])]),
            np.concatenate([np.asarray(train[1]), np.asarray(dev[1])]),
        )
        if folds > 1:
            rng = np.random.default_rng(seed)
            labels = metrics.labels_of(self.pooled[1]) if output != "linear" else None
            order = rng.permutation(len(self.pooled[0]))
            if labels is not None:  # stratified: deal each class's rows round the folds
                order = order[np.argsort(labels[order], kind="stable")]
            self.fold_of = np.empty(len(order), dtype=np.intp)
            self.fold_of[order] = np.arange(len(order)) % folds
            # fold j's standardizer: the statistics of the rows fold j trains on only
            self.fold_standardizers = [
                None if standardizer is None
                else type(standardizer)().fit(self.pooled[0][self.fold_of != j])
                for j in range(folds)
            ]  # fmt: skip

    def network(self, config: knobs.Config, standardizer=None, seed=None) -> Network:
        standardizer = standardizer or self.standardizer
        sizes = [self.train[0].shape[1], *config.hidden, self.n_out]
        net = Network(
            sizes,
            hidden=config.activation,
            output=self.output,
            l2=config.l2,
            keep_prob=config.keep_prob,
            standardize=scaling_name(standardizer),
            dtype=self.dtype,
            seed=self.seed if seed is None else seed,
            embeddings=config.embeddings,
            label_smoothing=config.label_smoothing,
        )
        if standardizer is not None:
            net.standardizer = standardizer.copy()  # normalized once, for every run
        return net

    def prior(self, y) -> np.ndarray:
        """π (K,): each class's share of the labels ``y`` (at least one row counted)."""
        k = max(self.n_out, 2)
        counts = np.bincount(metrics.labels_of(y).astype(np.intp), minlength=k)
        return np.maximum(counts, 1) / counts.sum()

    def fit_kwargs(self, config: knobs.Config, epochs: int | None = None, dev=None,
                   train_y=None, seed=None) -> dict:  # fmt: skip
        augment = None
        if config.augment:
            shape = self.images if isinstance(self.images, tuple) else None
            side = min(shape[:2]) if shape else math.isqrt(self.train[0].shape[1])
            # up to 2 pixels of shift on 28×28 digits; none on 8×8, where 1 pixel is too much
            shift, rotate = side // 14, aug.Rotate(max_degrees=10.0)
            augment = (
                aug.Compose(aug.Shift(max_shift=shift), rotate, image_shape=shape)
                if shift
                else aug.Compose(rotate, image_shape=shape)
            )
        balanced = train_y is not None and self.metric == "balanced_error"
        prior = self.prior(train_y) if balanced else None  # only balanced error uses it
        stop = (
            DevPatience(self.metric, config.early_stopping, dev, prior)
            if config.early_stopping
            else None
        )
        optimizer = config.optimizer
        if optimizer == "adam" and config.beta2 != 0.999:
            optimizer = Adam(config.learning_rate, beta2=config.beta2)
        return {
            "optimizer": optimizer,
            "learning_rate": config.learning_rate,
            "batch_size": None if config.optimizer == "gd" else config.batch_size,
            "epochs": config.epochs if epochs is None else epochs,
            "early_stopping": None if epochs is not None else stop,
            "callbacks": [Deadline(self.deadline)],
            "augment": augment,
            "seed": self.seed if seed is None else seed,
            "schedule": config.schedule,
        }

    def values(self, net: Network, X, y) -> np.ndarray:
        return metrics.per_example(self.metric, y, net.predict_proba(X))

    def guess(self, proba: np.ndarray) -> np.ndarray | None:
        """The class of each row of outputs ``proba`` (argmax; a sigmoid: p > 0.5; −1 where
        a row was not measured, NaN), None for a regression."""
        if self.output == "linear":
            return None
        proba = np.asarray(proba)
        guess = (proba[:, 0] > 0.5) if proba.shape[1] == 1 else proba.argmax(axis=1)
        guess = guess.astype(np.intp)
        guess[np.isnan(proba).any(axis=1)] = -1
        return guess

    def dev_labels(self, run: Run) -> tuple[np.ndarray, np.ndarray]:
        """``(true class, predicted class)`` of the rows ``run``'s dev value was measured on:
        the dev set (hold-out) or every row of train+dev out of fold (k-fold), never a row the
        predicting network trained on; rows of a fold Ctrl-C cut are left out."""
        truth = metrics.labels_of(self.dev[1] if self.folds <= 1 else self.pooled[1])
        done = run.predicted >= 0
        return truth[done], run.predicted[done]

    def measured_on(self) -> str:
        """Where :meth:`dev_labels` come from, in words."""
        if self.folds <= 1:
            return f"the dev set ({len(self.dev[0])} rows), by the chosen run's network"
        return (
            f"out-of-fold predictions of the chosen run's {self.folds}-fold cross-validation "
            f"({len(self.pooled[0])} rows of train+dev, each predicted by the fold that did "
            "not train on it)"
        )

    def dev_values(self, proba: np.ndarray) -> np.ndarray:
        """The per-example dev values of dev (out-of-fold) outputs ``proba``: what
        :meth:`__call__` measures, for outputs of any model (an ensemble's mean)."""
        y = self.dev[1] if self.folds <= 1 else self.pooled[1]
        values = metrics.per_example(self.metric, y, proba)
        if self.folds > 1 and self.metric == "balanced_error":  # weights of the pooled set
            values = metrics.balance(y, values > 0)
        return values

    def balance(self, net: Network, y) -> Network:
        """With balanced error, shift the output biases by −log π_c (π_c: class c's share
        of the training labels ``y``): the network then predicts argmax_c p(c|x)/π_c, the
        decision that minimizes balanced error when p is calibrated (a sigmoid unit: the
        bias shifts by −log(π₁/π₀)). Training itself is untouched."""
        if self.metric != "balanced_error":
            return net
        prior = self.prior(y)
        b = net.layers[-1].b
        b -= np.log(prior[1] / prior[0]) if self.n_out == 1 else np.log(prior)
        return net

    def piece(self, item, at: float | None):
        """One training of ``item`` = (config, fold or None, seed, fixed epochs or None) with
        deadline ``at``: the network, its history, the train value, the dev outputs and the
        best epoch count (fixed epochs: no early stopping, that count)."""
        config, j, seed, fixed = item
        saved, self.deadline = self.deadline, at
        try:
            if j is None:
                train, dev, standardizer = self.train, self.dev, None
            else:
                held, (X, y) = self.fold_of == j, self.pooled
                train, dev = (X[~held], y[~held]), (X[held], y[held])
                standardizer = self.fold_standardizers[j]
            net = self.network(config, standardizer, seed)
            if fixed is None:
                kwargs = self.fit_kwargs(config, dev=dev, train_y=train[1], seed=seed)
                history = net.fit(*train, dev=dev, **kwargs)
            else:  # the dev rows play no part in its training, not even its epoch count
                history = net.fit(*train, **self.fit_kwargs(config, epochs=fixed, seed=seed))
        finally:
            self.deadline = saved
        self.balance(net, train[1])
        best = history.best_epoch if history.best_epoch is not None else len(history) - 1
        train_score = float(self.values(net, *train).mean())
        return net, history, train_score, net.predict_proba(dev[0]), best + 1

    def __call__(self, config: knobs.Config) -> Run:
        return self.many([config])[0]

    def _run(self, config, pieces, seconds: float) -> Run:
        """A :class:`Run` from its trainings (hold-out: one; k-fold: the folds done)."""
        nets = [p[0] for p in pieces]
        cut = next((p for p in pieces if p[1].stop_reason == "interrupted"), pieces[0])
        epochs = max(len(p[1]) for p in pieces)
        if self.folds <= 1:
            net, history, train_score, proba, best = pieces[0]
            values = self.dev_values(proba)
            return Run(config, net, history, train_score, float(values.mean()), seconds,
                       values, [best], epochs, self.guess(proba), nets, proba)  # fmt: skip
        proba = np.full((len(self.pooled[0]), self.n_out), np.nan)
        done = np.zeros(len(proba), dtype=bool)
        for j, p in enumerate(pieces):
            held = self.fold_of == j
            proba[held], done[held] = p[3], True
        values = self.dev_values(proba) if done.all() else self._partial(proba, done)
        return Run(config, cut[0], cut[1], float(np.mean([p[2] for p in pieces])),
                   float(values.mean()), seconds, values, [p[4] for p in pieces], epochs,
                   self.guess(proba), nets, proba)  # fmt: skip

    def _partial(self, proba, done) -> np.ndarray:
        """Ctrl-C: the values of the folds done."""
        y = self.pooled[1][done]
        values = metrics.per_example(self.metric, y, proba[done])
        return metrics.balance(y, values > 0) if self.metric == "balanced_error" else values

    def refit(self, config: knobs.Config, epochs: int, seed=None) -> tuple[Network, History]:
        """The chosen configuration trained on train+dev for ``epochs`` (no dev set left to
        stop on), its standardizer fitted on those rows."""
        standardizer = None
        if self.standardizer is not None:
            standardizer = type(self.standardizer)().fit(self.pooled[0])  # streamed, X's dtype
        net = self.network(config, standardizer, seed)
        kwargs = self.fit_kwargs(config, epochs=max(1, epochs), seed=seed)
        history = net.fit(*self.pooled, **kwargs)
        return self.balance(net, self.pooled[1]), history
