"""Do two sets look drawn from the same distribution? A classifier tries to tell them apart.

Label the rows of A with t = 0 and the rows of B with t = 1, standardize with the pooled
mean and spread, and fit an L2-regularized logistic regression

    p(t = 1 | x) = σ(w·φ(x) + b),   φ(x) = [z, z² − 1],   z = (x − μ)/σ

(the squares let a linear model see changes of spread as well as of mean) on k − 1 folds,
scoring the held-out fold. The score is the cross-validated ROC AUC, computed from ranks
(the Mann-Whitney statistic, ties counted half):

    AUC = (R_B − n_B(n_B + 1)/2) / (n_A n_B),   R_B = sum of the ranks of B's scores

AUC ≈ 0.5 when the classifier cannot do better than chance (same distribution); AUC → 1
when the sets are easy to tell apart. Under the null hypothesis the AUC has standard
deviation σ₀ = √((n_A + n_B + 1) / (12 n_A n_B)); the sets are called different when
AUC ≥ 0.5 + max(0.05, 3σ₀), i.e. when the difference is both significant and not tiny.

The features that differ most are ranked by max(|d_j|, |ln(σ_B,j/σ_A,j)|), where d_j is the
standardized mean difference

    d_j = (mean_B,j − mean_A,j) / √((var_A,j + var_B,j)/2)

and σ_B,j/σ_A,j the ratio of spreads (a shift of the mean or a change of scale).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .._checks import as_features, as_rng, check_positive
from .strata import stratified_order


def roc_auc(scores, labels) -> float:
    """ROC AUC of ``scores`` for binary ``labels`` (1 = positive) by the rank formula."""
    scores = np.asarray(scores, dtype=np.float64).ravel()
    labels = np.asarray(labels).ravel().astype(bool)
    n_pos, n_neg = int(labels.sum()), int((~labels).sum())
    if n_pos == 0 or n_neg == 0:
        raise ValueError("roc_auc needs both positive and negative labels")
    _, inverse, counts = np.unique(scores, return_inverse=True, return_counts=True)
    # average rank of each distinct score (1-based): ties share the mean of their ranks
    avg_rank = np.cumsum(counts) - (counts - 1) / 2.0
    rank_sum = avg_rank[inverse.ravel()][labels].sum()
    return float((rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


class FeatureDifference(NamedTuple):
    """One feature's shift from A to B: standardized mean difference and variance ratio."""

    index: int
    name: str
    smd: float
    variance_ratio: float


class DistributionCheck:
    """The result of :func:`check_same_distribution`.

    Attributes: ``auc`` (mean cross-validated AUC), ``same`` (bool), ``threshold``,
    ``p_value`` (one-sided, normal approximation of AUC under the null), ``fold_aucs``,
    ``features`` (every feature as a :class:`FeatureDifference`, most shifted first),
    ``n_a``, ``n_b`` (the examples used).
    """

    def __init__(self, auc, threshold, p_value, fold_aucs, features, n_a, n_b):
        self.auc, self.threshold, self.p_value = auc, threshold, p_value
        self.same = bool(auc < threshold)
        self.fold_aucs, self.features, self.n_a, self.n_b = fold_aucs, features, n_a, n_b

    @property
    def verdict(self) -> str:
        if self.same:
            return "same distribution (the classifier cannot tell the sets apart)"
        return "different distributions (a classifier tells the sets apart)"

    def summary(self, top: int = 3) -> str:
        shown = ", ".join(f"{f.name} (d={f.smd:+.2f})" for f in self.features[:top])
        return f"AUC {self.auc:.3f} vs threshold {self.threshold:.3f}; most shifted: {shown}"

    def to_dict(self) -> dict:
        return {
            "auc": self.auc,
            "same": self.same,
            "threshold": self.threshold,
            "p_value": self.p_value,
            "fold_aucs": list(self.fold_aucs),
            "n_a": self.n_a,
            "n_b": self.n_b,
            "features": [f._asdict() for f in self.features],
        }

    def __str__(self) -> str:
        lines = [
            f"{self.verdict}: AUC {self.auc:.3f} (threshold {self.threshold:.3f}, "
            f"p = {self.p_value:.2g}, {self.n_a} vs {self.n_b} examples)",
            "features that differ most (standardized mean difference, variance ratio):",
        ]
        lines += [
            f"  {f.name:>12}  d = {f.smd:+.3f}  var ratio = {f.variance_ratio:.3g}"
            for f in self.features[:5]
        ]
        return "\n".join(lines)

    def __rich__(self):
        from rich.table import Table

        table = Table(title=f"{self.verdict}\nAUC {self.auc:.3f} (threshold {self.threshold:.3f})")
        for col in ("feature", "mean difference d", "variance ratio"):
            table.add_column(col, justify="right")
        for f in self.features[:5]:
            table.add_row(str(f.name), f"{f.smd:+.3f}", f"{f.variance_ratio:.3g}")
        return table

    def __repr__(self) -> str:
        return f"DistributionCheck(auc={self.auc:.3f}, same={self.same})"


def _fit_folds(Phi, t, fold, k, l2, iterations):
    """Logistic regressions for all k folds at once (Nesterov gradient descent); returns
    the out-of-fold score of every row."""
    m, p = Phi.shape
    M = (fold[:, None] != np.arange(k)).astype(Phi.dtype)  # 1 where the row trains fold j
    n_j = M.sum(axis=0)
    # step 1/L with L the gradient's Lipschitz constant: λmax(ΦᵀΦ/m)/4 + λ (power iteration)
    v = np.ones(p) / math.sqrt(p)
    for _ in range(20):
        v = Phi.T @ (Phi @ v) / m
        v /= np.linalg.norm(v) + 1e-300
    lip = float(v @ (Phi.T @ (Phi @ v))) / m / 4 + l2
    step = 1.0 / (1.05 * lip)
    W, b = np.zeros((p, k)), np.zeros(k)
    W_prev, b_prev = W.copy(), b.copy()
    for it in range(iterations):
        mom = it / (it + 3)
        V, c = W + mom * (W - W_prev), b + mom * (b - b_prev)
        P = 0.5 * (1.0 + np.tanh(0.5 * (Phi @ V + c)))
        R = (P - t[:, None]) * M / n_j
        W_prev, b_prev = W, b
        W = V - step * (Phi.T @ R + l2 * V)
        b = c - step * R.sum(axis=0)
    scores = Phi @ W + b
    return scores[np.arange(m), fold]


def check_same_distribution(
    A,
    B,
    folds: int = 5,
    threshold: float | None = None,
    max_samples: int = 2000,
    quadratic: bool = True,
    l2: float = 1e-2,
    iterations: int = 200,
    feature_names=None,
    seed: int | np.random.Generator | None = 0,
) -> DistributionCheck:
    """Tell whether A and B (e.g. dev and test) look drawn from the same distribution.

    Parameters
    ----------
    A, B : arrays (m_A, n_x), (m_B, n_x)
        Rows are examples; both need the same features.
    folds : int
        Cross-validation folds (each set needs at least ``folds`` examples).
    threshold : float, optional
        Call the sets different when AUC ≥ threshold; default 0.5 + max(0.05, 3σ₀).
    max_samples : int
        At most this many rows of each set are used (a random subset), to stay fast.
    quadratic : bool
        Add z² − 1 features so changes of spread are seen too.
    l2, iterations : the classifier's L2 strength and gradient steps.
    feature_names : sequence of str, optional
    seed : int or Generator

    Returns
    -------
    DistributionCheck
        ``.auc``, ``.same``, ``.features`` (most shifted first: by |standardized mean
        difference| or |log ratio of spreads|, whichever is larger).
    """
    A = as_features(A, "A")
    B = as_features(B, "B")
    if A.shape[1] != B.shape[1]:
        raise ValueError(
            f"A has {A.shape[1]} features but B has {B.shape[1]}; both sets need the same "
            "features in the same order"
        )
    folds = check_positive(folds, "folds", integer=True)
    max_samples = check_positive(max_samples, "max_samples", integer=True)
    iterations = check_positive(iterations, "iterations", integer=True)
    if folds < 2:
        raise ValueError(f"folds={folds} must be at least 2")
    for name, X in (("A", A), ("B", B)):
        if len(X) < folds:
            raise ValueError(f"{name} has {len(X)} examples; {folds}-fold checking needs {folds}")
    n_x = A.shape[1]
    names = (
        [str(j) for j in range(n_x)] if feature_names is None else [str(s) for s in feature_names]
    )
    if len(names) != n_x:
        raise ValueError(f"feature_names has {len(names)} names but the sets have {n_x} features")
    rng = as_rng(seed, "seed")
    if len(A) > max_samples:
        A = A[rng.choice(len(A), max_samples, replace=False)]
    if len(B) > max_samples:
        B = B[rng.choice(len(B), max_samples, replace=False)]
    X = np.concatenate([A, B])
    t = np.concatenate([np.zeros(len(A)), np.ones(len(B))])
    mu, sd = X.mean(axis=0), X.std(axis=0)
    sd[sd <= 1e-12 * np.maximum(np.abs(mu), 1.0)] = 1.0  # constant features stay 0
    Z = (X - mu) / sd
    Phi = np.concatenate([Z, Z * Z - 1.0], axis=1) if quadratic else Z
    order = stratified_order(t.astype(np.int64), len(t), rng)
    fold = np.empty(len(t), dtype=np.int64)
    fold[order] = np.arange(len(t)) % folds  # each fold holds A and B in proportion
    scores = _fit_folds(Phi, t, fold, folds, l2, iterations)
    fold_aucs = [roc_auc(scores[fold == j], t[fold == j]) for j in range(folds)]
    auc = float(np.mean(fold_aucs))
    n_a, n_b = len(A), len(B)
    sigma0 = math.sqrt((n_a + n_b + 1) / (12.0 * n_a * n_b))
    if threshold is None:
        threshold = 0.5 + max(0.05, 3 * sigma0)
    elif not 0.5 < float(threshold) <= 1.0:
        raise ValueError(f"threshold={threshold!r} must be an AUC in (0.5, 1]")
    p_value = 0.5 * math.erfc((auc - 0.5) / sigma0 / math.sqrt(2))
    var_a, var_b = A.var(axis=0), B.var(axis=0)
    pooled = np.sqrt((var_a + var_b) / 2)
    diff = B.mean(axis=0) - A.mean(axis=0)
    smd = np.divide(diff, pooled, out=np.zeros(n_x), where=pooled > 0)
    smd[(pooled == 0) & (diff != 0)] = np.sign(diff[(pooled == 0) & (diff != 0)]) * np.inf
    ratio = np.divide(var_b, var_a, out=np.ones(n_x), where=var_a > 0)
    ratio[(var_a == 0) & (var_b > 0)] = np.inf
    with np.errstate(divide="ignore"):
        spread = np.abs(0.5 * np.log(np.where(np.isfinite(ratio), ratio, np.inf)))
    shift = np.maximum(np.abs(smd), np.nan_to_num(spread, nan=0.0))
    features = [
        FeatureDifference(int(j), names[j], float(smd[j]), float(ratio[j]))
        for j in np.argsort(-shift, kind="stable")
    ]
    return DistributionCheck(auc, float(threshold), p_value, fold_aucs, features, n_a, n_b)
