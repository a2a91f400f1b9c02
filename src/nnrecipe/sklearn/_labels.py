"""Labels of any kind ↔ the output layer of a network: the classifier's label coder.

With k = len(classes_) and the network's output activations A of shape (m, n_y):

==========  ==========================  =====  ==========================================
kind        y                           n_y    predict / predict_proba
==========  ==========================  =====  ==========================================
binary      (m,) two labels             1      classes_[A > 0.5] / [1 - A, A]  (sigmoid)
multiclass  (m,) k > 2 labels           k      classes_[argmax A] / A          (softmax)
multilabel  (m, k) 0/1 indicator        k      (A > 0.5) / A                   (k sigmoids)
==========  ==========================  =====  ==========================================

Labels may be strings, booleans or any integers (non-contiguous too): the network is trained
on their positions in the sorted ``classes_`` (0..k-1), never on the labels themselves.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils.multiclass import check_classification_targets, type_of_target, unique_labels


class LabelCoder:
    """Maps labels to network targets and network outputs back to labels.

    Parameters
    ----------
    y : array of shape (m,) or (m, k)
        Training labels (already validated for finiteness by scikit-learn).
    classes : array-like, optional
        All the classes (``partial_fit``'s ``classes=``); default: those found in ``y``.
    """

    def __init__(self, y: np.ndarray, classes=None):
        check_classification_targets(y)
        self.kind = type_of_target(y)
        if self.kind == "multilabel-indicator":
            self.kind = "multilabel"
            self.classes_ = np.arange(y.shape[1])
            self.label_dtype = y.dtype
        elif self.kind in ("binary", "multiclass"):
            self.classes_ = unique_labels(y) if classes is None else unique_labels(classes)
            self.kind = "binary" if len(self.classes_) <= 2 else "multiclass"
        else:
            raise ValueError(
                f"y is {self.kind}: several columns of class labels are not supported; pass "
                "labels of shape (m,) or a 0/1 indicator matrix (m, k) for multilabel targets"
            )
        if len(self.classes_) < 2:
            raise ValueError(
                f"y contains only one class ({self.classes_[0]!r}); a classifier needs at "
                "least 2 classes to learn from"
            )

    @property
    def n_outputs(self) -> int:
        """Units of the output layer."""
        return 1 if self.kind == "binary" else len(self.classes_)

    @property
    def output(self) -> str:
        """The output activation."""
        return "softmax" if self.kind == "multiclass" else "sigmoid"

    def encode(self, y: np.ndarray, name: str = "y") -> np.ndarray:
        """Network targets: class positions (m,) in 0..k-1, or the (m, k) indicator matrix."""
        if self.kind == "multilabel":
            if y.ndim != 2 or y.shape[1] != len(self.classes_):
                raise ValueError(
                    f"{name} has shape {y.shape} but the classifier was fitted on a multilabel "
                    f"indicator matrix with {len(self.classes_)} columns"
                )
            if not np.isin(y, (0, 1)).all():
                raise ValueError(f"{name} must be a 0/1 indicator matrix for multilabel targets")
            return y
        if y.ndim != 1:
            raise ValueError(
                f"{name} has shape {y.shape} but the classifier was fitted on labels of shape (m,)"
            )
        check_classification_targets(y)
        unseen = ~np.isin(y, self.classes_)
        if unseen.any():
            raise ValueError(
                f"{name} holds labels {np.unique(y[unseen])[:10].tolist()} that are not among the "
                f"classes {self.classes_.tolist()}; pass every class to the first partial_fit "
                "call with classes=..."
            )
        return np.searchsorted(self.classes_, y)

    def predict(self, A: np.ndarray) -> np.ndarray:
        """Labels from output activations A (m, n_y)."""
        if self.kind == "multilabel":
            return (A > 0.5).astype(self.label_dtype)
        if self.kind == "binary":
            return self.classes_[(A[:, 0] > 0.5).astype(np.intp)]
        return self.classes_[A.argmax(axis=1)]

    def proba(self, A: np.ndarray) -> np.ndarray:
        """Class probabilities (m, k): one column per entry of ``classes_``."""
        if self.kind == "binary":
            return np.hstack([1.0 - A, A])
        return A
