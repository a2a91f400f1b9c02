"""``nnrecipe.Network``: the network of :mod:`nnrecipe.nn.network`, plus the workflow around it.

:class:`nnrecipe.nn.network.Network` is the math (forward, cost, backward, parameters, the
step API). The class users build adds what sits above the math in the layering:

* :meth:`Network.fit` runs the one training loop, :func:`nnrecipe.train.loop.fit`;
* :meth:`Network.diagnose` measures avoidable bias and variance (:mod:`nnrecipe.diagnosis`);
* :meth:`Network.save` and :func:`load` write and read model files (:mod:`nnrecipe.io`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from . import io
from .data.normalize import Standardizer
from .diagnosis import Diagnosis, diagnose_network
from .nn import network
from .train import loop
from .train.callbacks import Callback, EarlyStopping, History
from .train.monitoring import GradientMonitor
from .train.optimizers import Optimizer


class Network(network.Network):
    __doc__ = network.Network.__doc__

    def fit(
        self,
        X,
        y,
        dev: tuple | None = None,
        optimizer: str | Optimizer = "adam",
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
        monitor_gradients: bool | GradientMonitor = False,
    ) -> History:
        """Train on (X, y) and return the :class:`History`; every argument is that of
        :func:`nnrecipe.train.loop.fit`, which documents them."""
        return loop.fit(
            self,
            X,
            y,
            dev=dev,
            optimizer=optimizer,
            learning_rate=learning_rate,
            batch_size=batch_size,
            epochs=epochs,
            early_stopping=early_stopping,
            callbacks=callbacks,
            decay_rate=decay_rate,
            decay_interval=decay_interval,
            augment=augment,
            seed=seed,
            verbose=verbose,
            monitor_gradients=monitor_gradients,
        )

    def diagnose(self, train, dev, baseline_error: float = 0.0, **kwargs) -> Diagnosis:
        """Bias/variance diagnosis from inference-mode errors (no dropout, no penalty) on
        ``train`` and ``dev``, each an ``(X, y)`` pair; see :func:`nnrecipe.diagnose`."""
        return diagnose_network(self, train, dev, baseline_error, **kwargs)

    def save(self, path) -> Path:
        """Save as .npz (no pickle) with JSON metadata; the write is atomic."""
        return io.save(self, path)


def load(path) -> Network:
    """Load a network saved by :meth:`Network.save`. Raises ValueError naming the file when it
    is missing, damaged or not an nnrecipe model; loading runs no code from the file."""
    config, parameters, stats = io.read(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # init='zeros' in the config is not a new choice
            net = Network(**config)
        net.set_parameters(parameters)
    except (TypeError, ValueError, KeyError) as exc:
        raise ValueError(f"{str(path)!r} holds an inconsistent nnrecipe model: {exc}") from None
    if stats is not None:
        st = Standardizer()
        st.mean_, st.var_, st.scale_ = stats["mean"], stats["var"], stats["scale"]
        net.standardizer = st
    return net
