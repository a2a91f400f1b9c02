"""What NNClassifier and NNRegressor share: parameter checks, building and training a network.

scikit-learn's contract: ``__init__`` only stores its arguments; ``fit`` validates them and the
data, builds a *fresh* :class:`nnrecipe.Network` ``[n_features_in_, *hidden_layer_sizes, n_y]``
and trains it with the one training loop (:func:`nnrecipe.train.loop.fit`); ``partial_fit``
continues the same network for one epoch, optimizer state included. Early stopping monitors
the dev loss of ``dev=(X_dev, y_dev)``, or of a held-out ``validation_fraction`` of the
training set when no dev set is given, and restores the best epoch's weights.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import numbers
from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.model_selection import train_test_split
from sklearn.utils.validation import check_is_fitted, validate_data

from .._checks import as_dtype, check_keep_prob, check_nonneg, check_positive, per_layer
from ..data.encoding import Encoding
from ..model import Network
from ..nn import activations, initializers
from ..train import optimizers
from ..train.callbacks import EarlyStopping, History
from ._seed import resolve_seed


class _Resume(optimizers.Optimizer):
    """An optimizer whose state survives successive runs of the training loop.

    The loop calls ``init`` at the start of every run; only the first one is passed on, so
    each ``partial_fit`` epoch continues Adam's moments and step count t instead of
    restarting them (a restart makes the first step ≈ α·sign(g) for every weight).
    """

    def __init__(self, inner: optimizers.Optimizer):
        self.inner, self.name, self.started = inner, inner.name, False

    @property
    def learning_rate(self) -> float:
        return self.inner.learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self.inner.learning_rate = value

    def init(self, params):
        if not self.started:
            self.inner.init(params)
            self.started = True

    def update(self, params, grads):
        self.inner.update(params, grads)

    def __repr__(self) -> str:
        return repr(self.inner)


def _check_bool(value, name: str) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def _check_activation(value, name: str) -> str:
    act = activations.get(value, name).name
    if act == "softmax":
        raise ValueError(f"{name}='softmax' is only used on the output layer; use relu or tanh")
    return act


def _check_sizes(sizes) -> tuple[int, ...]:
    if isinstance(sizes, numbers.Integral) and not isinstance(sizes, bool):
        sizes = (sizes,)
    if isinstance(sizes, str) or not isinstance(sizes, Sequence | np.ndarray):
        raise TypeError(
            f"hidden_layer_sizes must be a tuple like (100,) or (64, 32), got {sizes!r}"
        )
    for i, n in enumerate(sizes):
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
            raise ValueError(f"hidden_layer_sizes[{i}]={n!r} must be a positive integer")
    return tuple(int(n) for n in sizes)


def _extend(history: History, new: History) -> None:
    """Append one run's History to the estimator's (``partial_fit``), renumbering epochs."""
    offset = len(history)
    for f in dataclasses.fields(History):
        values = getattr(new, f.name)
        if isinstance(values, list):
            getattr(history, f.name).extend(e + offset if f.name == "epoch" else e for e in values)
    if new.best_epoch is not None:
        history.best_epoch = new.best_epoch + offset
    history.stop_reason, history.message = new.stop_reason, new.message


class BaseNN(BaseEstimator):
    """The shared machinery; the public subclasses define the targets."""

    # ------------------------------------------------------------ subclass hooks
    def _validate_xy(self, X, y, reset: bool):
        raise NotImplementedError

    def _setup_targets(self, y, classes) -> tuple[str, int]:
        """Fit-time target facts; returns (output activation, output units)."""
        raise NotImplementedError

    def _encode(self, y, name: str = "y") -> np.ndarray:
        raise NotImplementedError

    def _check_y(self, y, name: str):
        raise NotImplementedError

    _output = None  # the regressor's output activation parameter
    _stratify = False

    # ------------------------------------------------------------ checks
    def _check_params(self) -> dict:
        """Validate every constructor argument; return the checked values."""
        sizes = _check_sizes(self.hidden_layer_sizes)
        n_hidden = len(sizes)
        opt = self.optimizer
        opt = copy.deepcopy(opt) if isinstance(opt, optimizers.Optimizer) else opt
        opt = optimizers.get(opt, self.learning_rate)
        if self.batch_size is not None:
            check_positive(self.batch_size, "batch_size", integer=True)
            if opt.name == "gd":
                raise ValueError(
                    "optimizer='gd' is batch gradient descent over the whole training set; "
                    "leave batch_size=None or use optimizer='sgd' for mini-batches"
                )
        check_positive(self.epochs, "epochs", integer=True)
        pat = self.patience
        if isinstance(pat, bool) or not isinstance(pat, numbers.Integral) or pat < 0:
            raise ValueError(f"patience={pat!r} must be an integer >= 0")
        vf = self.validation_fraction
        if isinstance(vf, bool) or not isinstance(vf, numbers.Real) or not 0 < vf < 1:
            raise ValueError(f"validation_fraction={vf!r} must be a number in (0, 1), e.g. 0.1")
        seed = resolve_seed(self.seed, getattr(self, "random_state", None))
        _check_bool(self.early_stopping, "early_stopping")
        initializers.parse(self.init)
        return {
            "seed": seed,
            "sizes": sizes,
            "hidden": per_layer(self.activation, n_hidden, "activation", _check_activation),
            "init": self.init,
            "l2": check_nonneg(self.l2, "l2"),
            "l1": check_nonneg(self.l1, "l1"),
            "keep_prob": per_layer(self.keep_prob, n_hidden, "keep_prob", check_keep_prob),
            "dtype": as_dtype(self.dtype),
            "standardize": _check_bool(self.standardize, "standardize"),
            "optimizer": opt,
            "early": EarlyStopping(
                "dev_loss", int(self.patience), check_nonneg(self.min_delta, "min_delta")
            )
            if self.early_stopping
            else None,
        }

    def _table(self, X, fit: bool):
        """A DataFrame with text, boolean or empty cells goes through the table preprocessing
        (:mod:`nnrecipe.data.preprocess`), fitted here on the training rows of ``fit`` and
        kept in ``encoding_`` (:class:`nnrecipe.data.encoding.Encoding`, which ``network_``
        carries too, so a saved ``network_`` takes raw tables); numeric tables and arrays
        pass unchanged."""
        from ..data.preprocess import Preprocessor, is_frame

        if not is_frame(X):
            return X
        if fit:
            numeric = all(k in "iuf" for k in X.dtypes.map(lambda d: d.kind))
            if numeric and not X.isna().to_numpy().any():
                return X
            self.encoding_ = Encoding(Preprocessor().fit(X))
        encoding = getattr(self, "encoding_", None)
        return X if encoding is None else encoding.inputs(X)

    @property
    def preprocessor_(self):
        """The table preprocessing fitted by ``fit`` (``encoding_.preprocessor``)."""
        if not hasattr(self, "encoding_"):
            raise AttributeError("preprocessor_: no table preprocessing was fitted")
        return self.encoding_.preprocessor

    def _check_dev(self, dev, dtype):
        """Validate and encode ``dev=(X_dev, y_dev)`` against the fitted facts."""
        if dev is None:
            return None
        if not isinstance(dev, tuple | list) or len(dev) != 2:
            raise TypeError(f"dev must be a tuple (X_dev, y_dev), got {type(dev).__name__}")
        try:
            X_dev = validate_data(self, self._table(dev[0], False), reset=False, dtype=dtype)
        except ValueError as exc:
            raise ValueError(f"dev[0] (X_dev): {exc}") from exc
        y_dev = self._encode(self._check_y(dev[1], "dev[1] (y_dev)"), "dev[1] (y_dev)")
        if len(y_dev) != len(X_dev):
            raise ValueError(
                f"dev[0] (X_dev) has {len(X_dev)} examples but dev[1] (y_dev) has {len(y_dev)}"
            )
        return X_dev, y_dev

    def _holdout(self, X, Y, seed):
        """Hold out ``validation_fraction`` of the training set as the early-stopping dev set."""
        m = len(X)
        if m < 2:
            raise ValueError(
                f"early_stopping=True holds out part of the training set, but X has {m} sample; "
                "pass dev=(X_dev, y_dev) or set early_stopping=False"
            )
        n_dev = min(max(1, math.ceil(self.validation_fraction * m)), m - 1)
        try:  # stratified when every class can be split, else a plain random split
            parts = train_test_split(
                X,
                Y,
                test_size=n_dev,
                random_state=seed,
                stratify=Y if self._stratify else None,
            )
        except ValueError:
            parts = train_test_split(X, Y, test_size=n_dev, random_state=seed)
        X_train, X_dev, Y_train, Y_dev = parts
        return X_train, Y_train, (X_dev, Y_dev)

    # ------------------------------------------------------------ training
    def _new_network(self, p: dict, output: str, n_out: int) -> Network:
        loss = None if self._output is None else "mean_squared_error"
        return Network(
            [self.n_features_in_, *p["sizes"], n_out],
            hidden=p["hidden"],
            output=output,
            loss=loss,
            init=p["init"],
            l2=p["l2"],
            l1=p["l1"],
            keep_prob=p["keep_prob"],
            dtype=p["dtype"],
            standardize=p["standardize"],
            seed=p["seed"],
        )

    def _run(self, network, optimizer, X, Y, dev_set, epochs, early) -> History:
        return network.fit(
            X,
            Y,
            dev=dev_set,
            optimizer=optimizer,
            batch_size=self.batch_size,
            epochs=epochs,
            early_stopping=early,
            verbose=_check_bool(self.verbose, "verbose"),
        )

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "network_")

    def _forget(self) -> None:
        """Drop what a previous fit learned, so a fit that fails midway leaves no stale mix."""
        for key in [k for k in vars(self) if k.endswith("_") and not k.startswith("__")]:
            delattr(self, key)
        for key in ("_coder", "_optimizer", "_y_ndim"):
            self.__dict__.pop(key, None)

    def _fit(self, X, y, dev=None):
        p = self._check_params()
        self._forget()
        X = self._table(X, fit=True)
        X, y = self._validate_xy(X, y, reset=True)
        output, n_out = self._setup_targets(y, None)
        Y = self._encode(y)
        dev_set = self._check_dev(dev, p["dtype"])
        if p["early"] is not None and dev_set is None:
            X, Y, dev_set = self._holdout(X, Y, p["seed"])
        network = self._new_network(p, output, n_out)
        network.encoding = getattr(self, "encoding_", None)
        optimizer = _Resume(p["optimizer"])
        history = self._run(network, optimizer, X, Y, dev_set, self.epochs, p["early"])
        self.network_, self._optimizer, self.history_ = network, optimizer, history
        self._set_curves()
        return self

    def _partial_fit(self, X, y, classes=None, dev=None):
        first = not hasattr(self, "network_")
        if not first and not isinstance(self.network_, Network):
            raise TypeError(
                f"network_ is {type(self.network_).__name__}, not one network: partial_fit "
                "continues training one network (an Ensemble only predicts); call fit to "
                "train a new one"
            )
        p = self._check_params()
        X = self._table(X, fit=first)
        X, y = self._validate_xy(X, y, reset=first)
        if first:
            output, n_out = self._setup_targets(y, classes)
        Y = self._encode(y)
        dev_set = self._check_dev(dev, p["dtype"])
        if first:
            self.network_ = self._new_network(p, output, n_out)
            self.network_.encoding = getattr(self, "encoding_", None)
            self._optimizer, self.history_ = _Resume(p["optimizer"]), History()
        _extend(self.history_, self._run(self.network_, self._optimizer, X, Y, dev_set, 1, None))
        self._set_curves()
        return self

    def _set_curves(self) -> None:
        self.loss_curve_ = list(self.history_.cost)
        self.n_iter_ = len(self.history_)

    def _activations(self, X) -> np.ndarray:
        """The network's inference-mode output A[L], shape (m, n_y)."""
        check_is_fitted(self)
        X = validate_data(self, self._table(X, False), reset=False, dtype=self.network_.dtype)
        return self.network_.predict_proba(X)
