"""The data and settings of a hyperparameter study, checked once and stored with it.

A study stores (as the Optuna user attribute ``nnrecipe``) the search space, how each trial
trains (epochs, batch size, optimizer, early-stopping patience, pruning), the output layer,
the seed, a fingerprint of the data (SHA-256 over the train and dev arrays) and, from the
command line, the data's source (dataset, n, noise, target, split, seed). A worker that
joins or resumes the study reuses these settings and must bring the same data (same
fingerprint), so every trial of a study is measured the same way on the same dev set.
"""

from __future__ import annotations

import numpy as np

from .._checks import check_name, check_positive
from ..data.targets import task as target_task
from ..train import optimizers
from . import space as search_space

DEFAULTS = {"epochs": 100, "batch_size": 64, "optimizer": "adam", "patience": 10, "prune": True}


def fingerprint(*arrays) -> str:
    """SHA-256 of the data, so workers and resumed runs can check they train on the same sets."""
    import hashlib

    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(a, dtype=np.float64)
        h.update(str(a.shape).encode())
        h.update(a.tobytes())
    return h.hexdigest()[:16]


def describe_source(source: dict) -> str:
    """``dataset 'digits', n=300, seed 0`` from a stored data source."""
    parts = [f"dataset {source.get('dataset')!r}"]
    parts += [f"{k}={source[k]!r}" for k in ("n", "noise", "target", "split") if source.get(k)]
    if source.get("seed") is not None:
        parts.append(f"seed {source['seed']}")
    return ", ".join(parts)


def settings_for(given: dict, stored: dict | None, data: tuple, space, task=None) -> dict:
    """The study's settings: stored ones when resuming (checked against what was passed).
    ``task``: ``(output activation, units)`` of the framed problem (default: the task rule,
    :func:`nnrecipe.data.targets.task`, on the training labels)."""
    X_train, y_train = data[0], data[1]
    if task is None:
        found = target_task(y_train)
        task = found.output, found.units
    output, n_out = task
    fresh = {k: (DEFAULTS[k] if v is None else v) for k, v in given.items()}
    fresh.update(
        space=search_space.check_space(space),
        output=output,
        n_out=n_out,
        n_features=int(X_train.shape[1]),
        n_train=len(X_train),
        n_dev=len(data[2]),
        data=fingerprint(*data),
    )
    fresh["optimizer"] = check_name(fresh["optimizer"], tuple(optimizers.REGISTRY), "optimizer")
    if not isinstance(fresh["prune"], bool):
        raise TypeError(f"prune must be True or False, got {fresh['prune']!r}")
    check_positive(fresh["epochs"], "epochs", integer=True)
    check_positive(fresh["batch_size"], "batch_size", integer=True)
    if (
        isinstance(fresh["patience"], bool)
        or not isinstance(fresh["patience"], int)
        or (fresh["patience"] < 0)
    ):
        raise ValueError(f"patience={fresh['patience']!r} must be an integer >= 0 (0: off)")
    if stored is None:
        return fresh
    if stored["data"] != fresh["data"]:
        source = stored.get("source")
        origin = f" ({describe_source(source)})" if source else ""
        raise ValueError(
            f"the data differ from those the study was created with{origin} (fingerprint "
            f"{stored['data']}, now {fresh['data']}); use the same dataset, split seed and "
            "options, or a new study"
        )
    passed = {k: v for k, v in given.items() if v is not None}
    if space is not None:
        passed["space"] = fresh["space"]
    stored_space = search_space.check_space(stored["space"])
    for key, value in passed.items():
        old = stored_space if key == "space" else stored[key]
        if value != old:
            raise ValueError(
                f"the study was created with {key}={old!r}, not {value!r}; leave "
                f"{key} out when resuming, or start a new study"
            )
    return {**stored, "space": stored_space}
