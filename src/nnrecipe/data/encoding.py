"""The encoding of a problem: how the user's data become a network's arrays, and back.

One object, carried by a network as its ``encoding`` attribute and written into its model
file, holds the three maps between what the user passes and what the math sees:

* ``preprocessor``   a raw table (DataFrame, m rows) → X (m, n_x): imputation, one-hot,
                     standardization fitted on the training rows (:mod:`.preprocess`);
* ``classes``        original labels ↔ class indices: y_i = classes.index(label_i), and the
                     prediction k ↦ classes[k];
* ``target_scaling`` (μ_y, σ_y) of a regression target (training rows): the network learns
                     z = (y − μ_y)/σ_y and predicts μ_y + σ_y·ẑ in y's own units.

Each part is None when it does not apply (an array needs no preprocessor, classes 0..k−1
need no names, classes need no scaling). Nothing here imports pandas until a table or a
label is met.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Encoding:
    """``preprocessor``, ``classes`` and ``target_scaling`` of one problem (see the module)."""

    preprocessor: object = None
    classes: list | None = None
    target_scaling: tuple[float, float] | None = None

    def inputs(self, X, name: str = "X"):
        """A DataFrame → the network's inputs (m, n_x); anything else unchanged."""
        if type(X).__name__ != "DataFrame":  # duck-typed: pandas is imported only for tables
            return X
        if self.preprocessor is None:
            raise ValueError(
                f"{name} is a DataFrame but this network has no fitted table preprocessing; "
                "fit it on a DataFrame first (or use nnrecipe.improve/tune), or pass a "
                "NumPy array"
            )
        return self.preprocessor.transform(X)

    def targets(self, y, name: str = "y"):
        """Labels → class indices (with ``classes``); values → z-scores (with scaling)."""
        if self.classes is not None:
            from .labels import label_indices  # pandas: imported when a label is met

            y = label_indices(self.classes, y, name)
        if self.target_scaling is not None:
            mean, scale = self.target_scaling
            y = (np.asarray(y, dtype=np.float64) - mean) / scale
        return y

    def outputs(self, pred: np.ndarray) -> np.ndarray:
        """The network's predictions → the original labels, or values in y's own units."""
        if self.classes is not None and pred.ndim == 1:
            return np.asarray(self.classes)[pred]
        if self.target_scaling is not None:  # far out it may overflow: the caller checks
            with np.errstate(over="ignore", invalid="ignore"):
                return pred * self.target_scaling[1] + self.target_scaling[0]
        return pred

    def copy(self) -> Encoding:
        return Encoding(
            None if self.preprocessor is None else self.preprocessor.copy(),
            None if self.classes is None else list(self.classes),
            self.target_scaling,
        )
