"""Input standardization fitted on the training set only.

    μ = (1/m) Σ_i x_i,    σ² = (1/m) Σ_i (x_i - μ)²,    x̃ = (x - μ) / σ

with σ = 1 for constant features (not a tiny ε, which would blow a feature that is constant
in training but varies later up to huge values). Fit on training data only; transforming
dev and test with the training statistics avoids leaking them into the model.
"""

from __future__ import annotations

import numpy as np

from .._checks import as_features


class Standardizer:
    """Zero mean, unit variance per feature. Attributes ``mean_``, ``var_``, ``scale_``."""

    def __init__(self):
        self.mean_ = self.var_ = self.scale_ = None

    @property
    def fitted(self) -> bool:
        return self.mean_ is not None

    def fit(self, X) -> Standardizer:
        X = as_features(X, "X")
        self.mean_ = X.mean(axis=0)
        self.var_ = X.var(axis=0)
        scale = np.sqrt(self.var_)
        # relative threshold: a feature is constant when its spread is round-off of its size
        constant = scale <= 1e-12 * np.maximum(np.abs(self.mean_), 1.0)
        scale[constant] = 1.0
        self.scale_ = scale
        return self

    def _check(self, X, name: str) -> np.ndarray:
        if not self.fitted:
            raise ValueError("this Standardizer is not fitted yet; call fit(X_train) first")
        X = np.asarray(X)
        dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.float64
        return as_features(X, name, len(self.mean_), dtype)

    def transform(self, X) -> np.ndarray:
        """(X - μ) / σ, in X's float dtype."""
        X = self._check(X, "X")
        return (X - self.mean_.astype(X.dtype)) / self.scale_.astype(X.dtype)

    def fit_transform(self, X) -> np.ndarray:
        return self.fit(X).transform(X)

    def inverse_transform(self, X) -> np.ndarray:
        X = self._check(X, "X")
        return X * self.scale_.astype(X.dtype) + self.mean_.astype(X.dtype)

    def copy(self) -> Standardizer:
        new = Standardizer()
        if self.fitted:
            new.mean_, new.var_, new.scale_ = (
                self.mean_.copy(),
                self.var_.copy(),
                self.scale_.copy(),
            )
        return new

    def __repr__(self) -> str:
        return f"Standardizer(n_features={len(self.mean_)})" if self.fitted else "Standardizer()"
