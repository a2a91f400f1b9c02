"""Controlled experiments: the same network, the same split, one setting changed at a time.

Every setting starts from the same initial weights (the same ``seed``, except where the
initialization itself is the setting) and sees the same mini-batches, so a difference in the
table is the technique's doing. For each setting the result records, in inference mode:

    gap       = test error − train error   (how far the fit fails to carry over)
    variance  = dev error − train error    (what the bias/variance diagnosis calls variance)
    ‖W‖       = sqrt(Σ_l ‖W[l]‖_F²)        (biases excluded)
    zeros     = fraction of weights with |w| < zero_tol

The classic experiment (:func:`regularization_settings` with the defaults) trains a
[2, 20, 3, 1] network without regularization, with L2 (λ = 0.7) and with dropout
(keep_prob = 0.86): regularization gives up a little training error to close the gap.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..diagnosis import diagnose
from ..model import Network
from ..train.callbacks import EarlyStopping, History

ZERO_TOL = 1e-3
REGULARIZATION = ("none", "l2", "l1", "dropout", "early_stopping", "augment")


@dataclass
class Setting:
    """One arm of an experiment: ``network`` and ``fit`` hold keyword overrides."""

    name: str
    label: str
    network: dict = field(default_factory=dict)
    fit: dict = field(default_factory=dict)


def regularization_settings(
    names=("none", "l2", "dropout"),
    l2: float = 0.7,
    l1: float = 0.1,
    keep_prob: float = 0.86,
    patience: int = 20,
    augment: Callable | None = None,
) -> list[Setting]:
    """Settings named ``none``, ``l2``, ``l1``, ``dropout``, ``early_stopping``, ``augment``."""
    make = {
        "none": lambda: Setting("none", "none"),
        "l2": lambda: Setting("l2", f"L2 λ={l2:g}", {"l2": l2}),
        "l1": lambda: Setting("l1", f"L1 λ₁={l1:g}", {"l1": l1}),
        "dropout": lambda: Setting(
            "dropout", f"dropout kp={keep_prob:g}", {"keep_prob": keep_prob}
        ),
        "early_stopping": lambda: Setting(
            "early_stopping",
            f"early stopping (patience {patience})",
            fit={"early_stopping": patience},
        ),
        "augment": lambda: Setting("augment", "augmentation", fit={"augment": augment}),
    }
    settings = []
    for name in names:
        if name not in make:
            raise ValueError(f"setting {name!r} is not known; valid settings are {list(make)}")
        if name == "augment" and augment is None:
            raise ValueError("the augment setting needs an augmentation (image data only)")
        settings.append(make[name]())
    return settings


def init_label(init) -> str:
    if isinstance(init, tuple | list):
        return f"{init[0]}×{init[1]:g}"
    return str(init)


def init_settings(inits=("zeros", ("random", 10.0), "he")) -> list[Setting]:
    """One setting per initialization (``("random", 10.0)`` is N(0, 1)·10, the classic
    too-large init)."""
    return [Setting(init_label(i), init_label(i), {"init": i}) for i in inits]


@dataclass
class Result:
    """What one setting measured (errors in inference mode)."""

    name: str
    label: str
    network: Network
    history: History
    train_error: float
    dev_error: float
    test_error: float
    weight_norm: float
    zero_fraction: float
    time: float
    diagnosis: object = None
    warnings: list[str] = field(default_factory=list)

    @property
    def gap(self) -> float:
        return self.test_error - self.train_error

    @property
    def variance(self) -> float:
        return self.dev_error - self.train_error

    def to_dict(self) -> dict:
        return {
            "setting": self.name,
            "label": self.label,
            "train_error": self.train_error,
            "dev_error": self.dev_error,
            "test_error": self.test_error,
            "gap": self.gap,
            "variance": self.variance,
            "weight_norm": self.weight_norm,
            "zero_fraction": self.zero_fraction,
            "epochs": len(self.history),
            # counted from 1, as people count epochs (History.best_epoch is 0-based)
            "best_epoch": None if self.history.best_epoch is None else self.history.best_epoch + 1,
            "stop_reason": self.history.stop_reason,
            "time": self.time,
            "warnings": self.warnings,
            "diagnosis": None if self.diagnosis is None else self.diagnosis.to_dict(),
        }


@dataclass
class Comparison:
    """The results of :func:`compare`, in the order of the settings."""

    results: list[Result]
    zero_tol: float = ZERO_TOL

    def __getitem__(self, name: str) -> Result:
        for r in self.results:
            if r.name == name:
                return r
        raise KeyError(f"no setting {name!r}; settings are {[r.name for r in self.results]}")

    def to_dict(self) -> dict:
        return {"zero_tol": self.zero_tol, "results": [r.to_dict() for r in self.results]}


def weight_stats(network: Network, zero_tol: float = ZERO_TOL) -> tuple[float, float]:
    """(sqrt(Σ_l ‖W[l]‖_F²), fraction of weights with |w| < zero_tol); biases excluded."""
    w = np.concatenate([W.ravel() for W in network.weights])
    return float(np.sqrt(np.dot(w, w))), float(np.mean(np.abs(w) < zero_tol))


def compare(
    settings: list[Setting],
    split,
    layer_sizes,
    network: dict | None = None,
    fit: dict | None = None,
    seed: int = 0,
    baseline_error: float | None = 0.0,
    zero_tol: float = ZERO_TOL,
    callbacks: Callable | None = None,
) -> Comparison:
    """Train ``Network(layer_sizes, **network, **setting.network)`` on ``split.train`` for
    each setting with ``fit(**fit, **setting.fit)`` and measure it on train, dev and test.

    Parameters
    ----------
    settings : list of Setting
    split : ((X_train, y_train), (X_dev, y_dev), (X_test, y_test))
    layer_sizes : list of int
    network, fit : dict
        Keyword arguments shared by every setting (a setting's own ones win). A setting's
        ``early_stopping`` may be a patience (int): it becomes ``EarlyStopping(patience)``.
    seed : int
        The same seed for every setting: the same initial weights and mini-batches.
    baseline_error : float or None
        Baseline of the bias/variance diagnosis of each setting (None: no diagnosis).
    callbacks : callable(Setting) -> list of Callback, optional
        Per-setting callbacks, e.g. a progress bar.
    """
    if not settings:
        raise ValueError("settings is empty; give at least one Setting to compare")
    (X_train, y_train), dev, (X_test, y_test) = split
    results = []
    for setting in settings:
        net_kwargs = {**(network or {}), **setting.network}
        fit_kwargs = {**(fit or {}), **setting.fit}
        if isinstance(fit_kwargs.get("early_stopping"), int):
            fit_kwargs["early_stopping"] = EarlyStopping(patience=fit_kwargs["early_stopping"])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            net = Network(layer_sizes, seed=seed, **net_kwargs)
            hooks = list(callbacks(setting)) if callbacks is not None else []
            start = time.perf_counter()
            try:
                history = net.fit(
                    X_train, y_train, dev=tuple(dev), seed=seed, callbacks=hooks, **fit_kwargs
                )
            finally:
                for hook in hooks:
                    getattr(hook, "close", lambda: None)()
            elapsed = time.perf_counter() - start
        errors = [
            net.evaluate(X, y)["error"] for X, y in ((X_train, y_train), dev, (X_test, y_test))
        ]
        norm, zeros = weight_stats(net, zero_tol)
        diagnosis = None
        if baseline_error is not None and net.loss.classification:
            diagnosis = diagnose(errors[0], errors[1], baseline_error, history=history)
        results.append(
            Result(
                setting.name,
                setting.label,
                net,
                history,
                *errors,
                norm,
                zeros,
                elapsed,
                diagnosis,
                list(dict.fromkeys(str(w.message) for w in caught)),
            )
        )
        if history.stop_reason == "interrupted":
            break  # Ctrl-C: keep what was measured, run no further settings
    return Comparison(results, zero_tol)
