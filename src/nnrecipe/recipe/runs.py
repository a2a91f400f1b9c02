"""One training run of the basic recipe: a configuration trained and measured the same way.

Every run of :func:`nnrecipe.improve` uses the same data, the same input standardizer
(fitted once on the rows it trains on, so no statistic of a row it is measured on leaks
into training; with k-fold, one per fold; none for images, whose pixels are already on one
scale) and the same seed, so the only difference between two runs is the knob turned.

A run trains with early stopping (:class:`DevPatience`: until neither the dev loss nor the
recipe's metric on dev has improved for ``config.early_stopping`` epochs; the weights of the
best epoch by (dev metric, dev loss) are restored), so "train longer" always
means "until the dev stops improving" and no run is cut short by a fixed epoch count
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
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .._checks import check_positive
from ..data import augment as aug
from ..data.robust_scale import scaling_name
from ..model import Network
from ..train.callbacks import Callback, EarlyStopping, History
from ..train.optimizers import Adam
from . import knobs, metrics

PATIENCE = 20  # epochs without a better dev loss before a run stops (best weights restored)
MAX_EPOCHS = 1000


@dataclass
class Run:
    config: knobs.Config
    network: Network
    history: History
    train_error: float  # the metric on the rows trained on (mean over folds with CV)
    dev_error: float  # the metric on dev (out-of-fold with CV)
    seconds: float
    values: np.ndarray = field(default=None, repr=False)  # per-example dev values
    best_epochs: list[int] = field(default_factory=list)  # epochs to the best dev loss

    epochs_trained: int | None = None  # epochs actually trained (the most over the folds)
    # the class each measured row was given (dev rows; out of fold with CV; −1: not measured,
    # a fold Ctrl-C cut): what the per-class errors are counted from; None for a regression
    predicted: np.ndarray | None = field(default=None, repr=False)

    @property
    def interrupted(self) -> bool:
        return self.history.stop_reason == "interrupted"

    @property
    def resolution(self) -> float:
        return metrics.resolution(self.values)


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


class Trainer:
    """Trains a configuration on fixed data with a fixed standardizer and seed.

    ``folds`` > 1 measures by k-fold cross-validation on train+dev (see the module
    docstring); ``deadline`` (a ``time.perf_counter()`` value) stops any training past it.
    """

    def __init__(self, train, dev, standardizer, output, n_out, images, seed, metric="error",
                 folds: int = 1, deadline: float | None = None,
                 dtype: str = "float64"):  # fmt: skip
        self.train, self.dev, self.standardizer = train, dev, standardizer
        self.dtype = dtype
        self.output, self.n_out, self.images, self.seed = output, n_out, images, seed
        self.metric, self.folds, self.deadline = metric, folds, deadline
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

    def network(self, config: knobs.Config, standardizer=None) -> Network:
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
            seed=self.seed,
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
                   train_y=None) -> dict:  # fmt: skip
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
            "seed": self.seed,
            "schedule": config.schedule,
        }

    def values(self, net: Network, X, y) -> np.ndarray:
        return metrics.per_example(self.metric, y, net.predict_proba(X))

    def measured(self, net: Network, X, y) -> tuple[np.ndarray, np.ndarray | None]:
        """``(per-example values, predicted classes)`` of ``net`` on (X, y): one pass; the
        classes are argmax of the output (None for a regression)."""
        proba = net.predict_proba(X)
        values = metrics.per_example(self.metric, y, proba)
        if self.output == "linear":
            return values, None
        proba = np.asarray(proba)
        guess = (proba[:, 0] > 0.5) if proba.shape[1] == 1 else proba.argmax(axis=1)
        return values, guess.astype(np.intp)

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

    def _one(self, config, train, dev, standardizer=None):
        net = self.network(config, standardizer)
        history = net.fit(*train, dev=dev, **self.fit_kwargs(config, dev=dev, train_y=train[1]))
        self.balance(net, train[1])
        best = history.best_epoch if history.best_epoch is not None else len(history) - 1
        train_score = float(self.values(net, *train).mean())
        return net, history, train_score, self.measured(net, *dev), best + 1

    def __call__(self, config: knobs.Config) -> Run:
        start = time.perf_counter()
        if self.folds <= 1:
            net, history, train_score, (values, guess), best = self._one(
                config, self.train, self.dev
            )
            return Run(config, net, history, train_score, float(values.mean()),
                       time.perf_counter() - start, values, [best], len(history),
                       guess)  # fmt: skip
        X, y = self.pooled
        values = np.zeros(len(X))
        guess = None if self.output == "linear" else np.full(len(X), -1, dtype=np.intp)
        train_scores, bests, first, trained = [], [], None, 0
        done = np.zeros(len(X), dtype=bool)
        deadline = self.deadline
        for j in range(self.folds):
            held = self.fold_of == j
            if deadline is not None:  # each fold gets an equal share of the time left
                now = time.perf_counter()
                self.deadline = now + max(0.0, deadline - now) / (self.folds - j)
            net, history, score, (v, g), best = self._one(
                config, (X[~held], y[~held]), (X[held], y[held]), self.fold_standardizers[j]
            )
            first = first or (net, history)
            values[held], done[held] = v, True
            if guess is not None:
                guess[held] = g
            trained = max(trained, len(history))
            train_scores.append(score)
            bests.append(best)
            if history.stop_reason == "interrupted":
                first = (net, history)
                break
        self.deadline = deadline
        y, values = (y, values) if done.all() else (y[done], values[done])  # Ctrl-C: folds done
        if self.metric == "balanced_error":  # per-class weights of the whole pooled set
            values = metrics.balance(y, values > 0)
        return Run(config, first[0], first[1], float(np.mean(train_scores)),
                   float(values.mean()), time.perf_counter() - start, values, bests,
                   trained, guess)  # fmt: skip

    def refit(self, config: knobs.Config, epochs: int) -> tuple[Network, History]:
        """The chosen configuration trained on train+dev for ``epochs`` (no dev set left to
        stop on), its standardizer fitted on those rows."""
        standardizer = None
        if self.standardizer is not None:
            standardizer = type(self.standardizer)().fit(self.pooled[0])  # streamed, X's dtype
        net = self.network(config, standardizer)
        history = net.fit(*self.pooled, **self.fit_kwargs(config, epochs=max(1, epochs)))
        return self.balance(net, self.pooled[1]), history


def data_config(m: int, n_x: int, n_out: int) -> dict:
    """A starting network sized from the data: m rows, n_x inputs, n_out outputs.

    width = 64 below 1,000 rows, 128 below 5,000, else 256, and at least the power of two
    ≥ n_out·4 (up to 512); two hidden layers from 2,000 rows, one below; batch 32 below
    2,000 rows, 64 below 20,000, else 128; Adam, α = 0.001, early stopping with patience 20.
    """
    width = 64 if m < 1000 else 128 if m < 5000 else 256
    width = min(512, max(width, 2 ** math.ceil(math.log2(max(4 * n_out, 2)))))
    depth = 2 if m >= 2000 else 1
    batch = 32 if m < 2000 else 64 if m < 20000 else 128
    return {"hidden": (width,) * depth, "batch_size": batch}


def start_config(network, epochs, learning_rate, batch_size, optimizer, n_x, n_out, m=None):
    """The first configuration: the user's choices where given, else sized from the data
    (:func:`data_config`, when ``m`` is given) or the old default of 16 units."""
    sized = data_config(m, n_x, n_out) if m is not None else {}
    base = knobs.Config(
        epochs=MAX_EPOCHS if epochs is None else epochs,
        max_epochs=MAX_EPOCHS if epochs is None else max(epochs, 8 * epochs),
        learning_rate=learning_rate,
        batch_size=batch_size or sized.get("batch_size", 64),
        optimizer=optimizer,
        hidden=sized.get("hidden", (16,)),
        early_stopping=PATIENCE if m is not None else None,
    )
    if network is None:
        return base
    if isinstance(network, Network):
        if network.layer_sizes[0] != n_x or network.layer_sizes[-1] != n_out:
            raise ValueError(
                f"network has layer sizes {network.layer_sizes} but the data need {n_x} inputs "
                f"and {n_out} outputs; pass hidden sizes only (e.g. network=[8]) instead"
            )
        if len(set(network.hidden)) > 1 or len(set(network.keep_prob)) > 1:
            raise ValueError("network must use one hidden activation and one keep_prob")
        return base.replace(
            hidden=tuple(network.layer_sizes[1:-1]),
            activation=network.hidden[0],
            l2=network.l2,
            keep_prob=network.keep_prob[0],
        )
    if isinstance(network, Sequence) and not isinstance(network, str) and len(network) > 0:
        hidden = tuple(
            check_positive(n, f"network[{i}]", integer=True) for i, n in enumerate(network)
        )
        return base.replace(hidden=hidden)
    raise TypeError(
        f"network must be a Network, a list of hidden sizes like [8], or None; got {network!r}"
    )


def looks_like_images(X: np.ndarray) -> bool:
    """Square grey images: n_x = side² with side >= 8 and nonnegative pixel values.

    Only a hint (for messages): :func:`nnrecipe.improve` no longer treats data as images on
    this guess; pass ``images=`` (or ``--images HxW``) or use a dataset that knows."""
    side = math.isqrt(X.shape[1])
    return side >= 8 and side * side == X.shape[1] and float(X.min()) >= 0
