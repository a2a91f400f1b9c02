"""Built-in datasets: generated 2-D sets for seeing decision boundaries.

Every generator returns ``(X, y)`` with ``X`` of shape (n, 2) and integer labels ``y`` of
shape (n,), and takes ``n``, ``noise`` and ``seed``.
"""

from __future__ import annotations

import numpy as np

from .._checks import as_rng, check_nonneg, check_positive


def _check(n, noise, seed):
    return check_positive(n, "n", integer=True), check_nonneg(noise, "noise"), as_rng(seed, "seed")


def moons(n: int = 500, noise: float = 0.2, seed=0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (class 0 on top, class 1 below, shifted)."""
    n, noise, rng = _check(n, noise, seed)
    n0 = (n + 1) // 2
    t0 = np.linspace(0, np.pi, n0)
    t1 = np.linspace(0, np.pi, n - n0)
    X = np.concatenate([
        np.column_stack([np.cos(t0), np.sin(t0)]),
        np.column_stack([1 - np.cos(t1), 0.5 - np.sin(t1)]),
    ])
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
    X = np.concatenate([
        np.column_stack([np.cos(t0), np.sin(t0)]),
        factor * np.column_stack([np.cos(t1), np.sin(t1)]),
    ])
    y = np.concatenate([np.zeros(n0, np.int64), np.ones(n - n0, np.int64)])
    X += rng.normal(scale=noise, size=X.shape)
    perm = rng.permutation(n)
    return X[perm], y[perm]


BUILTIN = {"moons": moons, "circles": circles}


def get(name: str, **kwargs):
    """A built-in dataset by name."""
    if name not in BUILTIN:
        raise ValueError(f"dataset {name!r} is not built in; choose one of {sorted(BUILTIN)}")
    return BUILTIN[name](**kwargs)
