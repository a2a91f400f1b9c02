"""Built-in datasets: generated 2-D sets for seeing decision boundaries, and real data.

Every generator returns ``(X, y)`` with ``X`` of shape (n, 2) and integer labels ``y`` of
shape (n,), and takes ``n``, ``noise`` and ``seed``: moons, circles, spiral, flower (the
course's planar "flower") and blobs (where ``noise`` is the fraction of labels flipped, so
the best achievable error, the Bayes error, is known: a baseline for :func:`nnrecipe.diagnose`).

Real data: :func:`digits` and :func:`breast_cancer` (scikit-learn's bundled sets, when it is
installed), :func:`mnist` (downloaded, md5-verified and cached, or read from a local copy),
and :func:`load` for your own CSV or ``.npz`` files.
"""

from __future__ import annotations

import numbers

import numpy as np

from .._checks import as_rng, check_nonneg, check_positive
from .files import Dataset
from .mnist import mnist
from .reader import load

__all__ = [
    "BUILTIN",
    "Dataset",
    "blobs",
    "breast_cancer",
    "circles",
    "digits",
    "flower",
    "get",
    "load",
    "mnist",
    "moons",
    "spiral",
]


def _check(n, noise, seed):
    return check_positive(n, "n", integer=True), check_nonneg(noise, "noise"), as_rng(seed, "seed")


def moons(n: int = 500, noise: float = 0.2, seed=0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (class 0 on top, class 1 below, shifted)."""
    n, noise, rng = _check(n, noise, seed)
    n0 = (n + 1) // 2
    t0 = np.linspace(0, np.pi, n0)
    t1 = np.linspace(0, np.pi, n - n0)
    X = np.concatenate(
        [
            np.column_stack([np.cos(t0), np.sin(t0)]),
            np.column_stack([1 - np.cos(t1), 0.5 - np.sin(t1)]),
        ]
    )
    y = np.concatenate([np.zeros(n0, np.int64), np.ones(n - n0, np.int64)])
    X += rng.normal(scale=noise, size=X.shape)
    perm = rng.permutation(n)
    return X[perm], y[perm]


def circles(n: int = 500, noise: float = 0.05, seed=0, factor: float = 0.5):
    """A small circle (class 1) inside a large one (class 0)."""
    n, noise, rng = _check(n, noise, seed)
    n0 = (n + 1) // 2
    t0 = np.linspace(0, 2 * np.pi, n0, endpoint=False)
    t1 = np.linspace(0, 2 * np.pi, n - n0, endpoint=False)
    X = np.concatenate(
        [
            np.column_stack([np.cos(t0), np.sin(t0)]),
            factor * np.column_stack([np.cos(t1), np.sin(t1)]),
        ]
    )
    y = np.concatenate([np.zeros(n0, np.int64), np.ones(n - n0, np.int64)])
    X += rng.normal(scale=noise, size=X.shape)
    perm = rng.permutation(n)
    return X[perm], y[perm]


def spiral(n: int = 500, noise: float = 0.05, seed=0, classes: int = 2, turns: float = 1.0):
    """``classes`` interleaved spiral arms: arm c is r(cos θ, sin θ) with r ∈ [0.05, 1] and
    θ = 2π(c/classes + turns·r); ``noise`` is the std of the Gaussian added to each coordinate."""
    n, noise, rng = _check(n, noise, seed)
    k = check_positive(classes, "classes", integer=True)
    y = np.arange(n) % k
    r = np.empty(n)
    for c in range(k):  # one linspace per arm (k is small), not per example
        r[y == c] = np.linspace(0.05, 1.0, int(np.sum(y == c)))
    theta = 2 * np.pi * (y / k + check_nonneg(turns, "turns") * r)
    X = r[:, None] * np.column_stack([np.cos(theta), np.sin(theta)])
    X += rng.normal(scale=noise, size=X.shape)
    perm = rng.permutation(n)
    return X[perm], y[perm].astype(np.int64)


def flower(n: int = 400, noise: float = 0.2, seed=0, petals: int = 4):
    """The course's planar "flower": r = 4 sin(petals·t) (+ noise) at angle t, points
    (r sin t, r cos t); class 0 takes t ∈ [0, π], class 1 t ∈ [π, 2π] (+ noise on t),
    so the two classes fill alternating petals. Not linearly separable."""
    n, noise, rng = _check(n, noise, seed)
    petals = check_positive(petals, "petals", integer=True)
    n0 = (n + 1) // 2
    y = np.concatenate([np.zeros(n0, np.int64), np.ones(n - n0, np.int64)])
    t = np.concatenate([np.linspace(0, np.pi, n0), np.linspace(np.pi, 2 * np.pi, n - n0)])
    t += rng.normal(scale=noise, size=n)
    r = 4 * np.sin(petals * t) + rng.normal(scale=noise, size=n)
    X = np.column_stack([r * np.sin(t), r * np.cos(t)])
    perm = rng.permutation(n)
    return X[perm], y[perm]


def blobs(
    n: int = 500, noise: float = 0.1, seed=0, centers=3, spread: float = 1.0, distance: float = 4.0
):
    """Gaussian blobs with label noise.

    ``centers`` is a number of classes k (centers evenly on a circle of radius ``distance``)
    or an array (k, d) of centers; each point is its center + ``spread``·N(0, I). Then
    exactly round(noise·n) labels, chosen at random, are changed to another class, so the
    Bayes error is about ``noise`` when the blobs are well apart.
    """
    n, noise, rng = _check(n, noise, seed)
    if noise > 1:
        raise ValueError(f"noise={noise!r} is the fraction of labels flipped; it must be in [0, 1]")
    if isinstance(centers, numbers.Integral) and not isinstance(centers, bool):
        k = check_positive(centers, "centers", integer=True)
        angle = 2 * np.pi * np.arange(k) / k
        C = distance * np.column_stack([np.cos(angle), np.sin(angle)])
    else:
        C = np.asarray(centers, dtype=np.float64)
        if C.ndim != 2 or len(C) < 1:
            raise ValueError(f"centers must be an int or an array (k, d), got shape {C.shape}")
        k = len(C)
    if k < 2 and noise > 0:
        raise ValueError("label noise needs at least 2 classes (centers >= 2)")
    y = np.arange(n) % k
    X = C[y] + check_nonneg(spread, "spread") * rng.normal(size=(n, C.shape[1]))
    flip = rng.choice(n, int(round(noise * n)), replace=False)
    y[flip] = (y[flip] + rng.integers(1, max(k, 2), size=len(flip))) % k
    perm = rng.permutation(n)
    return X[perm], y[perm].astype(np.int64)


def _sklearn_datasets():
    try:
        from sklearn import datasets as skd
    except ImportError:
        raise ImportError(
            "this dataset comes bundled with scikit-learn; install it with "
            "pip install scikit-learn (in the nnrecipe checkout: pip install -e '.[sklearn]')"
        ) from None
    return skd


def digits(scale: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 8×8 handwritten digits: X (1797, 64), y in 0..9. With ``scale`` the
    pixels (0..16) are divided by 16 into [0, 1]."""
    data = _sklearn_datasets().load_digits()
    X = data.data.astype(np.float64)
    return (X / 16.0 if scale else X), data.target.astype(np.int64)


def breast_cancer() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's Wisconsin breast-cancer set: X (569, 30) raw measurements (standardize
    them), y = 0 malignant, 1 benign."""
    data = _sklearn_datasets().load_breast_cancer()
    return data.data.astype(np.float64), data.target.astype(np.int64)


BUILTIN = {"moons": moons, "circles": circles, "spiral": spiral, "flower": flower, "blobs": blobs}


def get(name: str, **kwargs):
    """A built-in dataset by name."""
    if name not in BUILTIN:
        raise ValueError(f"dataset {name!r} is not built in; choose one of {sorted(BUILTIN)}")
    return BUILTIN[name](**kwargs)
