"""One training run of the basic recipe: a configuration trained on the fixed split.

Every run of :func:`nnrecipe.improve` uses the same train/dev split, the same input
standardizer (fitted once on the training set; none for image pixels, which are already on
one scale) and the same seed, so the only difference between two runs is the knob turned.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .._checks import check_positive
from ..data import augment as aug
from ..model import Network
from ..train.callbacks import EarlyStopping, History
from . import knobs


@dataclass
class Run:
    config: knobs.Config
    network: Network
    history: History
    train_error: float
    dev_error: float
    seconds: float


class Trainer:
    """Trains a configuration on the fixed split, with the fixed standardizer and seed."""

    def __init__(self, train, dev, standardizer, output, n_out, images, seed):
        self.train, self.dev, self.standardizer = train, dev, standardizer
        self.output, self.n_out, self.images, self.seed = output, n_out, images, seed

    def network(self, config: knobs.Config) -> Network:
        sizes = [self.train[0].shape[1], *config.hidden, self.n_out]
        net = Network(
            sizes,
            hidden=config.activation,
            output=self.output,
            l2=config.l2,
            keep_prob=config.keep_prob,
            standardize=self.standardizer is not None,
            seed=self.seed,
        )
        if self.standardizer is not None:
            net.standardizer = self.standardizer.copy()  # normalized once, for every run
        return net

    def fit_kwargs(self, config: knobs.Config) -> dict:
        augment = None
        if config.augment:
            # up to 2 pixels of shift on 28×28 digits; none on 8×8, where 1 pixel is too much
            shift = math.isqrt(self.train[0].shape[1]) // 14
            rotate = aug.Rotate(max_degrees=10.0)
            augment = aug.Compose(aug.Shift(max_shift=shift), rotate) if shift else rotate
        stop = EarlyStopping(patience=config.early_stopping) if config.early_stopping else None
        return {
            "optimizer": config.optimizer,
            "learning_rate": config.learning_rate,
            "batch_size": None if config.optimizer == "gd" else config.batch_size,
            "epochs": config.epochs,
            "early_stopping": stop,
            "augment": augment,
            "seed": self.seed,
        }

    def __call__(self, config: knobs.Config) -> Run:
        start = time.perf_counter()
        net = self.network(config)
        history = net.fit(*self.train, dev=self.dev, **self.fit_kwargs(config))
        train_error = net.evaluate(*self.train)["error"]
        dev_error = net.evaluate(*self.dev)["error"]
        return Run(config, net, history, train_error, dev_error, time.perf_counter() - start)


def start_config(network, epochs, learning_rate, batch_size, optimizer, n_x, n_out):
    base = knobs.Config(
        epochs=epochs,
        max_epochs=max(epochs, 8 * epochs),
        learning_rate=learning_rate,
        batch_size=batch_size,
        optimizer=optimizer,
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
    """Square grey images: n_x = side² with side >= 8 and nonnegative pixel values."""
    side = math.isqrt(X.shape[1])
    return side >= 8 and side * side == X.shape[1] and float(X.min()) >= 0
