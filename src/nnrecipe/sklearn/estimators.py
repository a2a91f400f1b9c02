"""scikit-learn estimators: ``NNClassifier`` and ``NNRegressor`` (needs scikit-learn:
``pip install scikit-learn``).

Each wraps an L-layer :class:`nnrecipe.Network` ``[n_features, *hidden_layer_sizes, n_y]``
trained to minimize the course's regularized cost

    J = (1/m) Σ_i ℓ(A[L]_i, Y_i) + (λ/2m) Σ_l ‖W[l]‖_F² + (λ₁/m) Σ_l Σ |W[l]|

with ℓ the cross-entropy (classifier: sigmoid for two classes or multilabel, softmax for
more) or ½‖a - y‖² (regressor). λ = ``l2`` equals ``MLPClassifier``'s ``alpha``. Beyond
``MLPClassifier`` they offer inverted dropout (``keep_prob`` per hidden layer), L1, the
choice of initialization, a user-supplied dev set (``fit(X, y, dev=(X_dev, y_dev))``) and
early stopping on the dev loss that restores the best epoch's weights; ``network_`` is a
plain :class:`nnrecipe.Network`, so gradient checking and the bias/variance tools apply.

>>> from nnrecipe.sklearn import NNClassifier
>>> from sklearn.pipeline import make_pipeline
>>> from sklearn.preprocessing import StandardScaler
>>> model = make_pipeline(StandardScaler(), NNClassifier((32,), keep_prob=0.8, seed=0))
"""

from __future__ import annotations

try:
    from sklearn.base import ClassifierMixin, RegressorMixin
    from sklearn.utils.validation import check_array, column_or_1d, validate_data
except ImportError as exc:  # scikit-learn is an optional extra
    raise ImportError(
        "nnrecipe.sklearn needs scikit-learn; install it with: pip install scikit-learn "
        "(in the nnrecipe checkout: pip install -e '.[sklearn]')"
    ) from exc

from collections.abc import Sequence

import numpy as np

from .._checks import as_dtype
from ..nn import activations
from ._base import BaseNN
from ._labels import LabelCoder

__all__ = ["NNClassifier", "NNRegressor"]


def _is_multilabel(y) -> bool:
    """y given as a matrix with several columns (the multilabel indicator form)."""
    shape = np.shape(y) if hasattr(y, "shape") else np.asarray(y).shape
    return y is not None and len(shape) == 2 and shape[1] > 1


_PARAMETERS = """
    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(100,)
        Units of each hidden layer; ``()`` gives a linear model (logistic/linear regression).
    activation : str or list of str, default="relu"
        Hidden activation(s): relu, leaky_relu, tanh, sigmoid, linear; one per hidden layer or
        one for all.
    init : str or ("random", scale), default="auto"
        zeros, random, xavier (Var = 1/n_in), glorot (Var = 2/(n_in+n_out)), he (Var =
        2/n_in), auto (He for the ReLU family, Xavier otherwise).
    l2 : float, default=0.0
        λ of the penalty (λ/2m) Σ‖W‖² (= scikit-learn's ``alpha``; biases are not penalized).
    l1 : float, default=0.0
        λ₁ of the penalty (λ₁/m) Σ|W|.
    keep_prob : float or list of float, default=1.0
        Inverted-dropout keep probability per hidden layer, in (0, 1]; 1 turns dropout off.
    optimizer : {"adam", "rmsprop", "momentum", "sgd", "gd"} or Optimizer, default="adam"
    learning_rate : float, optional
        α; None takes the optimizer's default (0.001 for adam/rmsprop, 0.01 otherwise).
    batch_size : int, optional
        Mini-batch size; None means 64 (the whole training set for ``gd``).
    epochs : int, default=200
        Passes over the training set (``partial_fit`` runs one per call).
    early_stopping : bool, default=False
        Stop when the dev loss has not improved by more than ``min_delta`` for ``patience``
        epochs and restore the best epoch's weights. The dev set is ``fit``'s ``dev`` or, if
        none is given, a held-out ``validation_fraction`` of the training set.
    patience : int, default=10
    min_delta : float, default=0.0
    validation_fraction : float, default=0.1
        Used only with ``early_stopping`` and no ``dev`` (stratified for classifiers).
    standardize : bool, default=False
        Standardize inputs with statistics of the training set inside the network (the
        scikit-learn way is ``make_pipeline(StandardScaler(), ...)``).
    seed : int, optional
        Seeds initialization, shuffling, dropout and the validation split; an int makes every
        ``fit`` reproducible. An alias of ``random_state``, used when that is None.
    dtype : {"float64", "float32"}, default="float64"
        Precision of the network; inputs are converted to it.
    verbose : bool, default=False
        Print one line per epoch.
    random_state : int, numpy RandomState or Generator, optional
        scikit-learn's name for ``seed`` (what ``GridSearchCV``, ``check_estimator`` and
        ``set_random_state`` set): an int makes every ``fit`` reproducible; a RandomState or
        Generator gives each ``fit`` one fresh draw of it as the seed; None (with ``seed``
        None) draws fresh randomness every fit."""

_ATTRIBUTES = """
    Attributes
    ----------
    network_ : nnrecipe.Network
        The trained network.
    history_ : nnrecipe.History
        Per-epoch cost J, train/dev loss and error (accumulated over ``partial_fit`` calls).
    loss_curve_ : list of float
        J per epoch (``history_.cost``).
    n_iter_ : int
        Epochs run.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` had string column names (a pandas DataFrame)."""


class NNClassifier(ClassifierMixin, BaseNN):
    __doc__ = (
        "A neural-network classifier for labels of any kind (strings, any integers; binary,\n"
        "    multiclass or a multilabel 0/1 indicator matrix), mapped through ``classes_``.\n"
        + _PARAMETERS
        + _ATTRIBUTES
        + "\n    classes_ : ndarray\n"
        "        The class labels; column j of ``predict_proba`` is ``classes_[j]``.\n"
    )

    _stratify = True

    def __init__(
        self,
        hidden_layer_sizes: Sequence[int] = (100,),
        activation: str | Sequence[str] = "relu",
        init="auto",
        l2: float = 0.0,
        l1: float = 0.0,
        keep_prob: float | Sequence[float] = 1.0,
        optimizer="adam",
        learning_rate: float | None = None,
        batch_size: int | None = None,
        epochs: int = 200,
        early_stopping: bool = False,
        patience: int = 10,
        min_delta: float = 0.0,
        validation_fraction: float = 0.1,
        standardize: bool = False,
        seed: int | None = None,
        dtype: str = "float64",
        verbose: bool = False,
        random_state=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.init = init
        self.l2 = l2
        self.l1 = l1
        self.keep_prob = keep_prob
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.early_stopping = early_stopping
        self.patience = patience
        self.min_delta = min_delta
        self.validation_fraction = validation_fraction
        self.standardize = standardize
        self.seed = seed
        self.dtype = dtype
        self.verbose = verbose
        self.random_state = random_state

    def _check_y(self, y, name):
        y = check_array(y, ensure_2d=False, dtype=None, input_name=name)
        if y.ndim == 2 and y.shape[1] == 1:  # a column vector: warn as scikit-learn does
            y = column_or_1d(y, warn=True)
        return y

    def _validate_xy(self, X, y, reset):
        return validate_data(
            self, X, y, reset=reset, dtype=as_dtype(self.dtype), multi_output=_is_multilabel(y)
        )

    def _setup_targets(self, y, classes):
        self._coder = LabelCoder(y, classes)
        self.classes_ = self._coder.classes_
        return self._coder.output, self._coder.n_outputs

    def _encode(self, y, name="y"):
        return self._coder.encode(y, name)

    def fit(self, X, y, dev=None) -> NNClassifier:
        """Train a fresh network on (X, y).

        Parameters
        ----------
        X : array-like of shape (m, n_features)
        y : array-like of shape (m,) (any labels) or (m, k) (0/1 multilabel indicator)
        dev : tuple (X_dev, y_dev), optional
            Measured every epoch (``history_.dev_loss``, ``dev_error``); early stopping
            monitors it. Labels must be among those of ``y``.
        """
        return self._fit(X, y, dev)

    def partial_fit(self, X, y, classes=None, dev=None) -> NNClassifier:
        """One epoch over (X, y), continuing the current network and optimizer state.

        ``classes`` (every label that will ever appear) is required on the first call and
        must not change afterwards; early stopping does not apply.
        """
        if not hasattr(self, "network_"):
            if classes is None and not _is_multilabel(y):
                raise ValueError(
                    "classes must be passed on the first call to partial_fit: every label "
                    "that later batches may hold, e.g. classes=np.unique(y_all)"
                )
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(
                f"classes={np.asarray(classes).tolist()!r} differs from the classes of the first "
                f"partial_fit call, {self.classes_.tolist()!r}"
            )
        return self._partial_fit(X, y, classes, dev)

    def predict(self, X) -> np.ndarray:
        """Labels, shape (m,) (or (m, k) 0/1 for multilabel targets)."""
        A = self._activations(X)
        return self._coder.predict(A)

    def predict_proba(self, X) -> np.ndarray:
        """Probabilities of shape (m, len(classes_)); rows sum to 1 unless multilabel."""
        A = self._activations(X)
        return self._coder.proba(A)

    def predict_log_proba(self, X) -> np.ndarray:
        """log of :meth:`predict_proba` (−inf where a probability underflows to 0)."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class NNRegressor(RegressorMixin, BaseNN):
    __doc__ = (
        "A neural-network regressor for one or several continuous targets (mean squared error).\n"
        + _PARAMETERS
        + '\n    output : str, default="linear"\n'
        "        Output activation: linear, or tanh/sigmoid/relu for bounded targets.\n"
        + _ATTRIBUTES
        + "\n    n_outputs_ : int\n        Number of targets.\n"
    )

    def __init__(
        self,
        hidden_layer_sizes: Sequence[int] = (100,),
        activation: str | Sequence[str] = "relu",
        init="auto",
        l2: float = 0.0,
        l1: float = 0.0,
        keep_prob: float | Sequence[float] = 1.0,
        optimizer="adam",
        learning_rate: float | None = None,
        batch_size: int | None = None,
        epochs: int = 200,
        early_stopping: bool = False,
        patience: int = 10,
        min_delta: float = 0.0,
        validation_fraction: float = 0.1,
        standardize: bool = False,
        seed: int | None = None,
        dtype: str = "float64",
        verbose: bool = False,
        output: str = "linear",
        random_state=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.init = init
        self.l2 = l2
        self.l1 = l1
        self.keep_prob = keep_prob
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.early_stopping = early_stopping
        self.patience = patience
        self.min_delta = min_delta
        self.validation_fraction = validation_fraction
        self.standardize = standardize
        self.seed = seed
        self.dtype = dtype
        self.verbose = verbose
        self.random_state = random_state
        self.output = output

    @property
    def _output(self):
        out = activations.get(self.output, "output").name
        if out == "softmax":
            raise ValueError("output='softmax' is for classification; use NNClassifier")
        return out

    def _check_y(self, y, name):
        y = check_array(y, ensure_2d=False, dtype="numeric", input_name=name)
        if y.ndim == 2 and y.shape[1] == 1 and self._y_ndim == 1:
            y = y.ravel()
        return y

    def _validate_xy(self, X, y, reset):
        return validate_data(
            self,
            X,
            y,
            reset=reset,
            dtype=as_dtype(self.dtype),
            multi_output=True,
            y_numeric=True,
        )

    def _setup_targets(self, y, classes):
        self._y_ndim = y.ndim
        self.n_outputs_ = 1 if y.ndim == 1 else y.shape[1]
        return self._output, self.n_outputs_

    def _encode(self, y, name="y"):
        y = np.asarray(y)
        expected = (self.n_outputs_,) if self._y_ndim == 2 else ()
        if y.shape[1:] != expected:
            raise ValueError(
                f"{name} has shape {y.shape} but the regressor was fitted on targets of shape "
                f"(m, {', '.join(map(str, expected))})"
            )
        return y

    def fit(self, X, y, dev=None) -> NNRegressor:
        """Train a fresh network on (X, y); ``y`` of shape (m,) or (m, n_outputs).

        ``dev=(X_dev, y_dev)`` is measured every epoch and monitored by early stopping.
        """
        return self._fit(X, y, dev)

    def partial_fit(self, X, y, dev=None) -> NNRegressor:
        """One epoch over (X, y), continuing the current network and optimizer state."""
        return self._partial_fit(X, y, None, dev)

    def predict(self, X) -> np.ndarray:
        """Predictions of shape (m,) for a 1-D ``y``, else (m, n_outputs)."""
        A = self._activations(X)
        return A.ravel() if self._y_ndim == 1 else A

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
