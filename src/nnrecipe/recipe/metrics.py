"""Metrics of the recipe, as per-example values so that two models can be compared pairwise.

Each metric is the mean of a per-example value ``v_i`` over the m examples scored:

* ``error``           v_i = [ŷ_i ≠ y_i]                         (misclassified fraction)
* ``balanced_error``  v_i = [ŷ_i ≠ y_i] · m / (K · m_{y_i})      so that mean(v) = (1/K) Σ_k err_k,
                      the mean of the K per-class error rates (m_k: examples of class k)
* ``log_loss``        v_i = −log p_i(y_i)   (p clipped to [1e-15, 1])
* ``mse``, ``mae``    v_i = ‖ŷ_i − y_i‖² / n_y,  ‖ŷ_i − y_i‖₁ / n_y   (regression; ``improve``
                      scores the standardized target z = (y − μ_y)/σ_y, so mse 1 is as good
                      as predicting the training mean, and mse 0.2 means R² ≈ 0.8)

The *resolution* of a comparison on the same examples is the standard error of the paired
difference d_i = v_i(new) − v_i(old):  SE = std(d, ddof=1) / √m. A change is an improvement
only when mean(d) < −z·SE (z = 1 by default): a smaller drop is within what the examples
can resolve. For one model alone, SE = std(v, ddof=1) / √m (with at least one error counted,
so a perfect score still has a resolution of about 1/m).
"""

from __future__ import annotations

import numpy as np

from ..diagnosis import show as show  # values as text: percentages, or plain numbers

CLASSIFICATION = ("error", "balanced_error", "log_loss")
REGRESSION = ("mse", "mae")
METRICS = CLASSIFICATION + REGRESSION
RATES = ("error", "balanced_error")  # values in [0, 1]
RARE_CLASS = 0.10  # auto: balanced error when the rarest class is under 10 % of the rows


def labels_of(y) -> np.ndarray:
    """Class indices (m,) from labels (m,), a one-column (m, 1) or one-hot (m, K) array."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        return y.argmax(axis=1)
    return y.reshape(len(y))


def auto_metric(y, classification: bool = True) -> tuple[str, str]:
    """``(metric, why)``: balanced error when the rarest class has under 10 % of the rows
    and under half of an even share 1/K (so 26 balanced classes of 3.8 % each stay on plain
    error), plain error otherwise; mse for regression."""
    if not classification:
        return "mse", "regression targets: mean squared error"
    _, counts = np.unique(labels_of(y), return_counts=True)
    share = counts.min() / counts.sum()
    if share < RARE_CLASS and share < 0.5 / len(counts):
        return "balanced_error", (
            f"the rarest class is {share:.1%} of the rows (< {RARE_CLASS:.0%}): balanced "
            "error (the mean of the per-class error rates), so that always predicting the "
            "majority class does not look good"
        )
    return "error", f"the rarest class is {share:.1%} of the rows: plain error rate"


def check_metric(metric, classification: bool) -> str:
    """``metric`` if it suits the task ("auto" included), else a ValueError naming it: the
    classification metrics need class labels, mse and mae real-valued targets."""
    if not isinstance(metric, str) or metric not in ("auto", *METRICS):
        raise ValueError(
            f"metric={metric!r} is not known; pass auto or one of {', '.join(METRICS)}"
        )
    fits = CLASSIFICATION if classification else REGRESSION
    if metric != "auto" and metric not in fits:
        task, kind = (
            ("class labels", "a classification")
            if classification
            else ("real-valued (regression) targets", "a regression")
        )
        raise ValueError(
            f"metric={metric!r} does not suit {task}: pass auto or {kind} metric "
            f"({', '.join(fits)})"
        )
    return metric


def per_example(metric: str, y, proba: np.ndarray, classes=None) -> np.ndarray:
    """The per-example values ``v`` (m,) of ``metric`` whose mean is the metric.

    ``proba`` is the network's output: (m, K) softmax probabilities, (m, 1) sigmoid
    probabilities of class 1, or (m, n_y) regression values. ``classes`` (the label of each
    column) defaults to 0..K−1.
    """
    proba = np.asarray(proba, dtype=np.float64)
    if proba.ndim == 1:
        proba = proba[:, None]
    if metric in REGRESSION:
        diff = proba - np.asarray(y, dtype=np.float64).reshape(proba.shape)
        return (diff**2).mean(axis=1) if metric == "mse" else np.abs(diff).mean(axis=1)
    if proba.shape[1] == 1:  # sigmoid: P(class 1)
        proba = np.hstack([1.0 - proba, proba])
    truth = labels_of(y)
    if classes is not None:
        truth = np.searchsorted(np.asarray(classes), truth)
    truth = truth.astype(np.intp)
    if metric == "log_loss":
        p = proba[np.arange(len(truth)), truth]
        return -np.log(np.clip(p, 1e-15, 1.0))
    wrong = (proba.argmax(axis=1) != truth).astype(np.float64)
    if metric == "error":
        return wrong
    if metric == "balanced_error":
        return balance(truth, wrong)
    raise ValueError(f"metric={metric!r} is not known; pass one of {', '.join(METRICS)}")


def balance(y, wrong) -> np.ndarray:
    """Balanced-error values v_i = [wrong_i] · m / (K · m_{y_i}) from a wrong/right mask."""
    truth = labels_of(y)
    present, inverse, counts = np.unique(truth, return_inverse=True, return_counts=True)
    return np.asarray(wrong, dtype=np.float64) * len(truth) / (len(present) * counts[inverse])


def score(metric: str, y, proba, classes=None) -> float:
    """The metric: the mean of :func:`per_example`."""
    return float(per_example(metric, y, proba, classes).mean())


def resolution(values: np.ndarray) -> float:
    """Standard error of a mean of per-example values, SE = std(v, ddof=1)/√m; a perfect
    score counts one error (so it is never 0 for a rate)."""
    v = np.asarray(values, dtype=np.float64)
    m = len(v)
    if m < 2:
        return float("inf")
    se = float(v.std(ddof=1) / np.sqrt(m))
    return max(se, 1.0 / m) if np.all(v >= 0) and se == 0 else se


def paired_difference(new: np.ndarray, old: np.ndarray) -> tuple[float, float]:
    """``(mean(d), SE(d))`` of d = new − old on the same examples."""
    d = np.asarray(new, dtype=np.float64) - np.asarray(old, dtype=np.float64)
    if len(d) < 2:
        return float(d.mean()), float("inf")
    return float(d.mean()), float(d.std(ddof=1) / np.sqrt(len(d)))


def better(new: np.ndarray, old: np.ndarray, z: float = 1.0) -> bool:
    """True when ``new`` beats ``old`` by more than the examples resolve: mean(d) < −z·SE(d)."""
    mean, se = paired_difference(new, old)
    return mean < 0 and mean < -z * se
