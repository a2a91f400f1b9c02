"""Data losses L(A, Y), averaged over the m examples, computed stably from the logits Z.

=========================  =================================================  ==============
name (default for output)  L = (1/m) Σ_i ℓ_i                                  fused dZ_L
=========================  =================================================  ==============
binary_crossentropy        ℓ = -Σ_k [y log a + (1-y) log(1-a)], a = σ(z)       (A - Y) / m
  (sigmoid)                computed as max(z,0) - z y + log(1 + e^{-|z|})
categorical_crossentropy   ℓ = -Σ_k y_k log softmax(z)_k                      (A - Y) / m
  (softmax)                computed as logsumexp(z) - Σ_k y_k z_k
mean_squared_error         ℓ = ½ Σ_k (a_k - y_k)²                             (A - Y) / m
  (linear)
=========================  =================================================  ==============

Computing from Z means no log(0) and no overflow for large |Z|. The fused gradient is
the one DESIGN.md names: the output activation's derivative cancels against the loss's.
Mean squared error may also follow another elementwise output (tanh, sigmoid): then
dA = (A - Y)/m and the activation's own g' is applied.

``targets(y, n_out, dtype)`` validates labels and returns Y of shape ``(m, n_out)``.

Label smoothing (``label_smoothing=ε`` in [0, 1), cross-entropy losses only) trains on

    softmax (K classes):  Ỹ = (1 − ε) Y + ε/K        sigmoid (each unit):  Ỹ = (1 − ε) Y + ε/2

instead of Y: the cost J that training minimizes is L(A, Ỹ) and its fused gradient is
dZ_L = (A − Ỹ)/m. A confident wrong label then costs less, and the logits stop growing once
A reaches Ỹ (Müller et al. 2019; RealMLP's ablation: −1.8 % relative error). Only training
sees Ỹ: the data loss reported in the history, ``evaluate``, log-loss scoring and every
error use the unsmoothed Y (:func:`smooth`, :func:`check_smoothing`).
"""

from __future__ import annotations

import numpy as np

from .._checks import as_array, check_name, layout_hint
from ._fast import row_max, row_sum


def _as_array(y, name: str) -> np.ndarray:
    arr = as_array(y, name)
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)
    ):
        raise TypeError(
            f"{name} must hold numbers, got dtype {arr.dtype}; encode labels as integers 0..k-1 "
            "(nnrecipe.sklearn.NNClassifier accepts any labels)"
        )
    if arr.size == 0:
        raise ValueError(f"{name} is empty; it needs one label per example")
    if arr.ndim not in (1, 2):
        raise ValueError(f"{name} must have shape (m,) or (m, k), got {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or inf; drop or fix those labels")
    return arr


def _as_columns(y, n_out: int, name: str) -> np.ndarray:
    """Targets as (m, n_out): one column per output unit, (m,) accepted for one unit."""
    arr = _as_array(y, name)
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    if arr.shape[1] != n_out:
        raise ValueError(
            f"{name} has shape {np.shape(y)} but the output layer has {n_out} units; pass "
            f"targets of shape (m,) for one unit or (m, {n_out}) for {n_out} units"
            + layout_hint(None, np.shape(y), n_out)
        )
    return arr


class Loss:
    name = "base"
    output = "linear"  # the output activation this loss is fused with
    classification = True

    def targets(self, y, n_out: int, dtype, name: str = "y") -> np.ndarray:
        raise NotImplementedError

    def value(self, Z: np.ndarray, A: np.ndarray, Y: np.ndarray) -> float:
        raise NotImplementedError

    def decide(self, A: np.ndarray) -> np.ndarray:
        """What ``predict`` of a network returns for its outputs A (m, n_y): the decision,
        (m,) for one output column."""
        pred = self.predict(A)
        return pred.ravel() if pred.ndim == 2 and pred.shape[1] == 1 else pred

    def error(self, A: np.ndarray, Y: np.ndarray) -> float:
        """Classification error: the fraction of examples predicted wrongly."""
        return float(np.mean(np.any(self.predict(A) != self.labels(Y), axis=-1)))

    def __repr__(self) -> str:
        return self.name


class BinaryCrossEntropy(Loss):
    name = "binary_crossentropy"
    output = "sigmoid"

    def targets(self, y, n_out, dtype, name="y"):
        arr = _as_columns(y, n_out, name)
        if arr.min() < 0 or arr.max() > 1:
            raise ValueError(
                f"{name} holds values in [{arr.min()}, {arr.max()}] but a sigmoid output needs "
                "labels in {0, 1}; for k classes use output='softmax'"
            )
        return np.ascontiguousarray(arr, dtype=dtype)

    def value(self, Z, A, Y):
        ell = np.maximum(Z, 0) - Z * Y + np.log1p(np.exp(-np.abs(Z)))
        return float(ell.sum() / len(Z))

    def predict(self, A):
        return (A > 0.5).astype(np.int64)

    def labels(self, Y):
        return (Y > 0.5).astype(np.int64)


class CategoricalCrossEntropy(Loss):
    name = "categorical_crossentropy"
    output = "softmax"

    def targets(self, y, n_out, dtype, name="y"):
        arr = _as_array(y, name)
        if arr.ndim == 2 and arr.shape[1] == 1:
            arr = arr.ravel()
        if arr.ndim == 1:
            if not np.all(arr == np.round(arr)):
                raise ValueError(f"{name} must hold integer class labels 0..{n_out - 1}")
            if arr.min() < 0 or arr.max() >= n_out:
                raise ValueError(
                    f"{name} holds labels in [{arr.min()}, {arr.max()}] but the softmax output "
                    f"has {n_out} units, so labels must be in 0..{n_out - 1}; widen the output "
                    "layer or re-encode the labels"
                )
            Y = np.zeros((len(arr), n_out), dtype=dtype)
            Y[np.arange(len(arr)), arr.astype(np.intp)] = 1
            return Y
        if arr.shape[1] != n_out:
            raise ValueError(
                f"{name} is one-hot with {arr.shape[1]} columns but the softmax output has "
                f"{n_out} units"
            )
        if arr.min() < 0 or not np.allclose(arr.sum(axis=1), 1.0):
            raise ValueError(
                f"{name} given as (m, {n_out}) must be one-hot (or probability) rows summing to 1"
            )
        return np.ascontiguousarray(arr, dtype=dtype)

    def value(self, Z, A, Y):
        # ℓ_i = log Σ_k e^{z_ik - max_i} - Σ_k y_ik (z_ik - max_i), as rows of Y sum to 1.
        # Both terms are >= 0, so summing each over the batch cancels nothing, even in float32
        # with confident predictions (lse - y·z would subtract two large, nearly equal sums).
        shifted = Z - row_max(Z)
        pulled = np.vdot(Y, shifted)
        np.exp(shifted, out=shifted)
        return float((np.log(row_sum(shifted)).sum() - pulled) / len(Z))

    def predict(self, A):
        return A.argmax(axis=1)

    def labels(self, Y):
        return Y.argmax(axis=1)

    def error(self, A, Y):
        return float(np.mean(self.predict(A) != self.labels(Y)))


class MeanSquaredError(Loss):
    name = "mean_squared_error"
    output = "linear"
    classification = False

    def targets(self, y, n_out, dtype, name="y"):
        return np.ascontiguousarray(_as_columns(y, n_out, name), dtype=dtype)

    def value(self, Z, A, Y):
        diff = A - Y
        return float(0.5 * np.einsum("ij,ij->", diff, diff) / len(A))

    def predict(self, A):
        return A

    def error(self, A, Y):
        """Regression error: the mean squared error over all outputs."""
        return float(np.mean((A - Y) ** 2))


REGISTRY: dict[str, type[Loss]] = {
    cls.name: cls for cls in (BinaryCrossEntropy, CategoricalCrossEntropy, MeanSquaredError)
}
ALIASES = {
    "bce": "binary_crossentropy",
    "cce": "categorical_crossentropy",
    "mse": "mean_squared_error",
}
DEFAULT_FOR_OUTPUT = {
    "sigmoid": "binary_crossentropy",
    "softmax": "categorical_crossentropy",
    "linear": "mean_squared_error",
    "tanh": "mean_squared_error",
    "relu": "mean_squared_error",
    "leaky_relu": "mean_squared_error",
}


def get(name: str, argument: str = "loss") -> Loss:
    """Look up a loss by name or alias (lists the valid names on error)."""
    if isinstance(name, Loss):
        return name
    key = ALIASES.get(name.lower(), name) if isinstance(name, str) else name
    return REGISTRY[check_name(key, tuple(REGISTRY) + tuple(ALIASES), argument)]()


def for_output(output: str, loss: str | Loss | None, n_out: int) -> Loss:
    """The loss for an output activation: its default when ``loss`` is None, else checked
    to pair with it (mean squared error may follow any output)."""
    if loss is None:
        if output not in DEFAULT_FOR_OUTPUT:
            raise ValueError(f"output={output!r} has no default loss; pass loss=...")
        loss = DEFAULT_FOR_OUTPUT[output]
    loss = get(loss)
    if loss.output != output and loss.name != "mean_squared_error":
        raise ValueError(
            f"loss={loss.name!r} needs output={loss.output!r}, got output={output!r}; pair "
            "sigmoid with binary_crossentropy, softmax with categorical_crossentropy, linear "
            "with mean_squared_error"
        )
    if output == "softmax" and n_out < 2:
        raise ValueError("output='softmax' needs at least 2 output units; use sigmoid for 1")
    return loss


def check_smoothing(epsilon, loss: Loss, name: str = "label_smoothing") -> float:
    """ε as a float in [0, 1), and 0 unless ``loss`` is a cross-entropy."""
    if isinstance(epsilon, bool | np.bool_) or not isinstance(epsilon, int | float | np.number):
        raise TypeError(f"{name} must be a number in [0, 1), got {epsilon!r}")
    epsilon = float(epsilon)
    if not 0.0 <= epsilon < 1.0:
        raise ValueError(
            f"{name}={epsilon!r} must be in [0, 1): 0 trains on the labels as they are, "
            "0.1 is usual (1 would make every target uniform)"
        )
    if epsilon and not loss.classification:
        raise ValueError(
            f"{name}={epsilon!r} applies to the cross-entropy losses only, not to "
            f"loss={loss.name!r} (a regression): leave it at 0"
        )
    return epsilon


def smooth(Y: np.ndarray, epsilon: float, loss: Loss) -> np.ndarray:
    """Ỹ = (1 − ε) Y + ε/K (softmax, K = Y.shape[1]) or (1 − ε) Y + ε/2 (sigmoid), a new
    (m, n_y) array in Y's dtype; Y itself when ε = 0."""
    if not epsilon:
        return Y
    K = Y.shape[1] if loss.output == "softmax" else 2
    out = np.multiply(Y, 1.0 - epsilon)
    out += epsilon / K
    return out


def cross_entropy_from_probabilities(A: np.ndarray, Y: np.ndarray) -> float:
    """Binary cross-entropy from probabilities A (m, k) and labels Y (m, k):

        J = (1/m) Σ_i Σ_k [-y_ik log a_ik - (1 - y_ik) log(1 - a_ik)],   0 · log 0 taken as 0

    the course's ``compute_cost`` (summed with ``np.nansum``, so a saturated a = 1 with y = 1
    costs 0, not NaN). Training computes the same J from the logits instead
    (:class:`BinaryCrossEntropy`), which never takes log 0; this form is for a learner's A.
    """
    A, Y = np.asarray(A, dtype=np.float64), np.asarray(Y, dtype=np.float64)
    if A.shape != Y.shape or A.ndim != 2:
        raise ValueError(f"A and Y must both be (m, k); got {A.shape} and {Y.shape}")
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.multiply(-np.log(A), Y) + np.multiply(-np.log(1 - A), 1 - Y)
    return float(1.0 / len(A) * np.nansum(terms))
