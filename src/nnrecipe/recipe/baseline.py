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
decides with on small data. Where the metric has no reference (log loss under k-fold, several
target columns) the baseline is 0, and the source says so.
"""

from __future__ import annotations

import numpy as np

from ..data.zeros import zero_coded_columns
from . import metrics

__all__ = ["auto_baseline", "reference", "zero_coded_columns"]

MAX_ROWS = 20_000  # reference model: fitted on at most this many rows
MAX_CELLS = 2e6  # rows × features × classes above which the reference fits a subsample
# (26 classes of 16 features: 4,800 rows, about 7 s on one core)
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


def reference(trainer, seed: int = 0) -> tuple[float, np.ndarray, str] | None:
    """``(value, per-example values, description)`` of the reference model on the trainer's
    dev set (out of fold with k-fold), or None without scikit-learn.

    Fitted with one OpenMP thread: on a busy machine HistGradientBoosting's threads wait for
    each other (a 480-row spiral: 6-24 s with the default threads, 0.6 s with one), and the
    reference's time comes out of improve's budget."""
    try:
        import sklearn.ensemble  # noqa: F401  (a core dependency; None if it is missing)
        from threadpoolctl import threadpool_limits  # scikit-learn's own dependency
    except ImportError:
        return None
    with threadpool_limits(1, user_api="openmp"):
        if trainer.output == "linear":
            return _regressor(trainer, seed)
        return _classifier(trainer, seed)


def _classifier(trainer, seed: int) -> tuple[float, np.ndarray, str] | None:
    """The classification reference: HistGradientBoostingClassifier (class weights balanced
    for balanced error)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    metric = trainer.metric

    def model():
        return HistGradientBoostingClassifier(
            max_iter=100,
            early_stopping=True,
            random_state=seed,
            class_weight="balanced" if metric == "balanced_error" else None,
        )

    def fitted(X, y):
        X, y = np.asarray(X), metrics.labels_of(y)
        k = max(int(y.max()) + 1, 2)
        cap = int(min(MAX_ROWS, MAX_CELLS / (X.shape[1] * k)))
        # a subsample keeps the reference quick on wide, many-class data
        X, y = _subsample(seed, max(cap, 500), X, y)
        return model().fit(_float64(X), y)

    def proba(clf, X, k):
        p = np.zeros((len(X), k))
        p[:, clf.classes_.astype(int)] = _in_chunks(clf.predict_proba, X)
        return p

    k = max(trainer.n_out, 2)
    if trainer.folds > 1:
        X, y = trainer.pooled
        values = np.zeros(len(X))
        for j in range(trainer.folds):
            held = trainer.fold_of == j
            clf = fitted(X[~held], y[~held])
            values[held] = metrics.per_example("error", y[held], proba(clf, X[held], k))
        if metric == "balanced_error":
            values = metrics.balance(y, values > 0)
        elif metric == "log_loss":  # one more pass for probabilities is not worth it here
            return None
        where = f"{trainer.folds}-fold cross-validation on train+dev"
    else:
        clf = fitted(*trainer.train)
        values = metrics.per_example(metric, trainer.dev[1], proba(clf, trainer.dev[0], k))
        where = "the dev set (fitted on the training set)"
    value = float(values.mean())
    return value, values, f"HistGradientBoosting reference: {value:.4g} on {where}"


def _regressor(trainer, seed: int) -> tuple[float, np.ndarray, str] | None:
    """The regression reference: HistGradientBoostingRegressor on the standardized target
    (one target column only), its loss the metric's (squared or absolute error)."""
    from sklearn.ensemble import HistGradientBoostingRegressor

    if np.asarray(trainer.train[1]).ndim == 2 and np.asarray(trainer.train[1]).shape[1] > 1:
        return None
    metric = trainer.metric
    loss = "absolute_error" if metric == "mae" else "squared_error"

    def predicted(train, X):
        Xt, yt = _subsample(seed, MAX_ROWS, np.asarray(train[0]), np.asarray(train[1]))
        model = HistGradientBoostingRegressor(
            loss=loss, max_iter=200, early_stopping=True, random_state=seed
        )
        model.fit(_float64(Xt), _float64(yt).ravel())
        return _in_chunks(model.predict, X)

    if trainer.folds > 1:
        X, y = trainer.pooled
        values = np.zeros(len(X))
        for j in range(trainer.folds):
            held = trainer.fold_of == j
            values[held] = metrics.per_example(
                metric, y[held], predicted((X[~held], y[~held]), X[held])
            )
        where = f"{trainer.folds}-fold cross-validation on train+dev"
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
    course's default when nothing better is known), and the source says so."""
    if ref is None:
        return 0.0, (
            "auto: 0, no reference model for this metric (pass baseline_error= / --baseline "
            "with human-level error if you know it)"
        )
    return ref[0], (
        f"auto: {ref[2]}, a model outside the network diagnosed (an estimate of the "
        "reachable error; pass baseline_error= / --baseline with human-level error if "
        "you know it)"
    )
