"""The baseline of :func:`nnrecipe.improve`: an estimate of the reachable error, and where
it came from.

Avoidable bias is measured from the baseline (avoidable bias = train − baseline). A user
who knows the human-level error passes it and it wins. Otherwise (``"auto"``) the baseline is

    baseline = a strong non-neural reference model's dev (or cross-validated) value

never the diagnosed network's own dev value (avoidable bias would be ≤ 0 by construction).

The reference is scikit-learn's ``HistGradientBoostingClassifier`` (class weights balanced
when the metric is balanced error; at most ``MAX_ROWS`` training rows) or, for a regression
(mse, mae: on the standardized target, the recipe's z-units), its
``HistGradientBoostingRegressor`` (squared or absolute error loss), fitted on the
training set and scored on dev, or scored out of fold by the same k-fold split the recipe
decides with on small data. Where there is no reference (log loss under k-fold, several
target columns, no time left, a fit scikit-learn refused) the baseline is 0, and the source
says why. The reference lives inside the recipe's budget: it boosts a few iterations at a
time and stops at its deadline, and folds it has no time for are left out. It is fitted with
one OpenMP thread: on a busy machine HistGradientBoosting's threads wait for each other (a
480-row spiral: 6-24 s with the default threads, 0.6 s with one).
"""

from __future__ import annotations

import importlib.util
import sys
import time

import numpy as np

from .._checks import shorten
from ..data.zeros import zero_coded_columns
from . import metrics

__all__ = ["auto_baseline", "reference", "zero_coded_columns"]

MAX_ROWS = 20_000  # reference model: fitted on at most this many rows
MAX_CELLS = 2e6  # rows × features × classes above which the reference fits a subsample
# (26 classes of 16 features: 4,800 rows, about 7 s on one core)
IMPORT_SECONDS = 2.0  # importing scikit-learn's ensembles (and SciPy), cold, about
STEP_ITERATIONS = 10  # boosting iterations between two looks at the clock (fewer with classes)
CHUNK_ROWS = 16_384  # the reference predicts this many rows at a time


def _float64(X) -> np.ndarray:
    return np.asarray(X, dtype=np.float64)


def _in_chunks(predict, X) -> np.ndarray:
    """``predict`` over the rows of X a chunk at a time: scikit-learn converts its input to
    float64, and a float64 copy of a large float32 dev set is more than the reference needs."""
    parts = [predict(_float64(X[s : s + CHUNK_ROWS])) for s in range(0, len(X), CHUNK_ROWS)]
    return np.concatenate(parts)


def _subsample(seed: int, cap: int, *arrays):
    """At most ``cap`` rows of each array (the same rows), drawn before any conversion."""
    if len(arrays[0]) <= cap:
        return arrays
    keep = np.random.default_rng(seed).permutation(len(arrays[0]))[:cap]
    return tuple(a[keep] for a in arrays)


def _fit_by(model, X, y, deadline: float | None, k: int = 1) -> bool:
    """Fit a HistGradientBoosting ``model`` a few boosting iterations at a time (warm start)
    until it stops early, reaches ``max_iter``, or the clock passes ``deadline``: a fit never
    runs past the deadline by more than one round (a round has about ``k`` trees per
    iteration: k classes). True when the deadline cut it."""
    full = model.max_iter
    step = max(1, STEP_ITERATIONS // max(k, 1))  # a round costs about k trees per iteration
    model.set_params(warm_start=True)
    done = 0
    while True:
        done = min(done + step, full)
        model.set_params(max_iter=done)
        model.fit(X, y)
        if model.n_iter_ < done or done >= full:
            return False
        if deadline is not None and time.perf_counter() >= deadline:
            return True


def _early_stopping(y, k: int) -> bool:
    """Whether the classifier's stratified 10 % validation split can be drawn: at least one
    row per class in each part and two rows of every class (else it fits max_iter rounds,
    bounded by the deadline)."""
    n = len(y)
    held = int(np.ceil(0.1 * n))
    counts = np.unique(y, return_counts=True)[1]
    return held >= k and n - held >= k and counts.min() >= 2


def reference(trainer, seed: int = 0, deadline: float | None = None):
    """``(value, per-example values, description)`` of the reference model on the trainer's
    dev set (out of fold with k-fold), or a string saying why there is none (no
    scikit-learn, no time left before ``deadline``, a fit scikit-learn refused).

    ``deadline`` (a ``time.perf_counter()`` value) bounds it: each fit stops its boosting
    at the deadline (:func:`_fit_by`), and folds not started by then are left out (the value
    is then the mean over the folds done, and the description says so)."""
    if importlib.util.find_spec("sklearn") is None:
        return "scikit-learn is not installed"
    left = np.inf if deadline is None else deadline - time.perf_counter()
    if left <= 0:
        return "the budget left no time for it"
    if "sklearn.ensemble" not in sys.modules and left < IMPORT_SECONDS:
        return (
            f"the budget left no time for it (importing scikit-learn takes ~{IMPORT_SECONDS:g} s)"
        )
    from threadpoolctl import threadpool_limits  # scikit-learn's own dependency

    try:
        with threadpool_limits(1, user_api="openmp"):  # see the module docstring
            if trainer.output == "linear":
                return _regressor(trainer, seed, deadline)
            return _classifier(trainer, seed, deadline)
    except ValueError as exc:  # scikit-learn refused the data (too few rows per class, ...)
        return f"scikit-learn could not fit it ({shorten(' '.join(str(exc).split()), 160)})"


def _out_of_fold(trainer, deadline, value_of):
    """Per-example values over the folds (``value_of(train_rows, held_rows)`` for each) done
    before ``deadline``, the rows they cover, and the description of where they come from."""
    X, y = trainer.pooled
    values = np.full(len(X), np.nan)
    done = 0
    for j in range(trainer.folds):
        if j and deadline is not None and time.perf_counter() >= deadline:
            break
        held = trainer.fold_of == j
        values[held] = value_of(~held, held)
        done += 1
    covered = ~np.isnan(values)
    where = f"{trainer.folds}-fold cross-validation on train+dev"
    if done < trainer.folds:
        where += f" ({done} of {trainer.folds} folds: the budget ended it)"
    return values, covered, where


def _classifier(trainer, seed, deadline):
    from sklearn.ensemble import HistGradientBoostingClassifier

    if trainer.output == "sigmoid" and trainer.n_out > 1:
        return f"it takes one label per row, and y has {trainer.n_out} label columns"
    metric = trainer.metric
    k = max(trainer.n_out, 2)

    def fitted(X, y):
        X, y = np.asarray(X), metrics.labels_of(y)
        cap = int(min(MAX_ROWS, MAX_CELLS / (X.shape[1] * k)))
        # a subsample keeps the reference quick on wide, many-class data
        X, y = _subsample(seed, max(cap, 500), X, y)
        clf = HistGradientBoostingClassifier(
            max_iter=100,
            early_stopping=_early_stopping(y, k),
            random_state=seed,
            class_weight="balanced" if metric == "balanced_error" else None,
        )
        _fit_by(clf, _float64(X), y, deadline, k)
        return clf

    def proba(clf, X):
        p = np.zeros((len(X), k))
        p[:, clf.classes_.astype(int)] = _in_chunks(clf.predict_proba, X)
        return p

    if trainer.folds > 1:
        if metric == "log_loss":  # one more pass for probabilities is not worth it here
            return "the metric log_loss has none under cross-validation"
        X, y = trainer.pooled

        def fold(train, held):
            clf = fitted(X[train], y[train])
            return metrics.per_example("error", y[held], proba(clf, X[held]))

        values, covered, where = _out_of_fold(trainer, deadline, fold)
        values, y = values[covered], y[covered]
        if metric == "balanced_error":
            values = metrics.balance(y, values > 0)
    else:
        clf = fitted(*trainer.train)
        values = metrics.per_example(metric, trainer.dev[1], proba(clf, trainer.dev[0]))
        where = "the dev set (fitted on the training set)"
    value = float(values.mean())
    return value, values, f"HistGradientBoosting reference: {value:.4g} on {where}"


def _regressor(trainer, seed, deadline):
    """The regression reference: HistGradientBoostingRegressor on the standardized target
    (one target column only), its loss the metric's (squared or absolute error)."""
    from sklearn.ensemble import HistGradientBoostingRegressor

    if np.asarray(trainer.train[1]).ndim == 2 and np.asarray(trainer.train[1]).shape[1] > 1:
        return "it takes one target column"
    metric = trainer.metric
    loss = "absolute_error" if metric == "mae" else "squared_error"

    def predicted(train, X):
        Xt, yt = _subsample(seed, MAX_ROWS, np.asarray(train[0]), np.asarray(train[1]))
        model = HistGradientBoostingRegressor(
            loss=loss, max_iter=200, early_stopping=len(Xt) >= 20, random_state=seed
        )
        _fit_by(model, _float64(Xt), _float64(yt).ravel(), deadline)
        return _in_chunks(model.predict, X)

    if trainer.folds > 1:
        X, y = trainer.pooled

        def fold(train, held):
            return metrics.per_example(metric, y[held], predicted((X[train], y[train]), X[held]))

        values, covered, where = _out_of_fold(trainer, deadline, fold)
        values = values[covered]
    else:
        values = metrics.per_example(
            metric, trainer.dev[1], predicted(trainer.train, trainer.dev[0])
        )
        where = "the dev set (fitted on the training set)"
    value = float(values.mean())
    return value, values, f"HistGradientBoosting reference: {metric} {value:.4g} on {where}"


def auto_baseline(ref) -> tuple[float, str]:
    """``(baseline, source)`` from the reference ``ref`` (:func:`reference`'s result), never
    from the network being diagnosed: a baseline taken from the network's own best dev value
    makes avoidable bias ≤ 0 by construction. Without a reference the baseline is 0 (the
    course's default when nothing better is known), and the source says why."""
    if ref is None or isinstance(ref, str):
        why = ref or "none for this metric"
        return 0.0, (
            f"auto: 0, no reference model: {why} (pass baseline_error= / --baseline "
            "with human-level error if you know it)"
        )
    return ref[0], (
        f"auto: {ref[2]}, a model outside the network diagnosed (an estimate of the "
        "reachable error; pass baseline_error= / --baseline with human-level error if "
        "you know it)"
    )
