"""``nnrecipe.Network``: the network of :mod:`nnrecipe.nn.network`, plus the workflow around it.

:class:`nnrecipe.nn.network.Network` is the math (forward, cost, backward, parameters, the
step API). The class users build adds what sits above the math in the layering:

* :meth:`Network.fit` runs the one training loop, :func:`nnrecipe.train.loop.fit`;
* :meth:`Network.diagnose` measures avoidable bias and variance (:mod:`nnrecipe.diagnosis`);
* :meth:`Network.save` and :func:`load` write and read model files (:mod:`nnrecipe.io`);
* tables and labels of any kind: a fitted table preprocessing turns a raw DataFrame into the
  network's inputs, class names map text labels to 0..k-1 and back, and a regression target
  is learned in z-scores and predicted in its own units.

The table and label modules of :mod:`nnrecipe.data` need pandas, whose import (about 0.5 s)
waits until a table or a text label is met: ``import nnrecipe`` stays light.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from . import _html, io
from ._checks import shorten_list
from .data.encoding import Encoding
from .data.normalize import Standardizer, block_rows
from .data.targets import text_labels
from .diagnosis import Diagnosis, diagnose_network
from .ensemble import Ensemble
from .nn import inference, network
from .train import loop
from .train.callbacks import Callback, EarlyStopping, History
from .train.monitoring import GradientMonitor
from .train.optimizers import Optimizer

ATTRIBUTES = """
    Attributes
    ----------
    encoding : nnrecipe.data.encoding.Encoding or None
        How the user's data map to the network's arrays, in one object (set by ``fit`` on a
        DataFrame or text labels, by ``improve``/``tune``/the CLI and by ``load``):
    preprocessor : nnrecipe.data.preprocess.Preprocessor or None
        ``encoding.preprocessor``: the table preprocessing fitted on the first ``fit`` on a
        pandas DataFrame; every method then takes raw DataFrames, and a NumPy array is taken
        as already encoded.
    classes : list or None
        ``encoding.classes``: original labels of the classes (set when ``fit`` gets text
        labels, or by the table entry points); ``predict`` returns them, and
        ``fit``/``evaluate`` take them as ``y``.
    target_scaling : (float, float) or None
        ``encoding.target_scaling``: μ_y and σ_y of a regression target (training rows; set
        for tables and by ``improve``): the network learns ``(y − μ_y) / σ_y``, ``predict``
        returns ``μ_y + σ_y · ŷ`` and ``fit``/``evaluate`` take ``y`` in its own units (their
        error is the mean squared error of the standardized target: 1 is as good as always
        predicting the training mean).
"""


def _part(name: str) -> property:
    """One part of :attr:`Network.encoding`, read and written through it."""

    def get(self):
        return None if self.encoding is None else getattr(self.encoding, name)

    def set_(self, value) -> None:
        if self.encoding is None:
            self.encoding = Encoding()
        setattr(self.encoding, name, value)

    return property(get, set_, doc=f"``encoding.{name}`` (None without it).")


class Network(network.Network):
    __doc__ = network.Network.__doc__.rstrip() + "\n" + ATTRIBUTES

    # a class-level default (the constructor is the math's, unchanged); fit, improve, tune,
    # the CLI and load set it per instance, and networks pickled before tables existed
    # come back with it too
    encoding: Encoding | None = None
    preprocessor = _part("preprocessor")
    classes = _part("classes")
    target_scaling = _part("target_scaling")

    def prepare_inputs(self, X, name: str = "X") -> np.ndarray:
        if type(X).__name__ == "DataFrame":
            X = (self.encoding or Encoding()).inputs(X, name)  # raises without a preprocessor
        elif self.preprocessor is not None and np.ndim(X) == 2:
            self._check_encoded(X, name)
        return super().prepare_inputs(X, name)

    def prepare_inference_inputs(self, X, name: str = "X"):
        if self.preprocessor is not None and isinstance(X, np.ndarray) and X.ndim == 2:
            self._check_encoded(X, name)
        return super().prepare_inference_inputs(X, name)

    def _check_encoded(self, X, name: str) -> None:
        """An array for a network trained on a table must be the encoded table (its width is
        the input layer's); anything else is the raw columns, which need their names."""
        if np.shape(X)[1] != self.layer_sizes[0]:
            columns = self.preprocessor.input_columns
            raise ValueError(
                f"{name} is an array of {np.shape(X)[1]} columns, but this model was trained "
                f"on a table: pass a pandas DataFrame (or a CSV file read with "
                f"nnrecipe.datasets.load) with its {len(columns)} columns {columns}; an "
                "array has no column names to match them by"
            )

    def _repr_html_(self) -> str:
        """The layers (units, activation, parameters) and what the network carries."""
        return _html.network(self)

    def prepare_targets(self, y, m: int, name: str = "y") -> np.ndarray:
        if self.encoding is not None:
            y = self.encoding.targets(y, name)
        return super().prepare_targets(y, m, name)

    def predict(self, X) -> np.ndarray:
        return self.decide(self.predict_proba(X))

    predict.__doc__ = network.Network.predict.__doc__ + (
        "\n        With ``classes``, the original labels; with ``target_scaling``, the "
        "target's own units."
    )

    def decide(self, A: np.ndarray) -> np.ndarray:
        """:meth:`predict`'s answer for output activations A (m, n_y): the loss's decision
        (:meth:`~nnrecipe.nn.losses.Loss.decide`) through the encoding: original labels, or
        the target's units (an :class:`~nnrecipe.ensemble.Ensemble` decides on its mean so)."""
        pred = self.loss.decide(A)
        if self.encoding is None:
            return pred
        values = self.encoding.outputs(pred)
        return values if self.target_scaling is None else inference.check_rows(values)

    def fit(
        self,
        X,
        y,
        dev: tuple | None = None,
        optimizer: str | Optimizer = "adam",
        learning_rate: float | None = None,
        batch_size: int | None = None,
        epochs: int = 100,
        early_stopping: EarlyStopping | None = None,
        callbacks: Sequence[Callback] = (),
        decay_rate: float = 0.0,
        decay_interval: int = 1,
        augment: Callable | None = None,
        seed: int | np.random.Generator | None = None,
        verbose: bool = False,
        monitor_gradients: bool | GradientMonitor = False,
        decay_timing: str = "before_epoch",
        evaluate_every: int = 1,
        train_sample: int | None = None,
        schedule: str | None = None,
        warmup: int = 0,
    ) -> History:
        """Train on (X, y) and return the :class:`History`; every argument is that of
        :func:`nnrecipe.train.loop.fit`, which documents them (``schedule="cosine"``,
        ``warmup=k``: :mod:`nnrecipe.train.schedules`).

        ``X`` may be a pandas DataFrame: the first such fit fits the table preprocessing
        (:class:`nnrecipe.data.preprocess.Preprocessor`) on these training rows only, and
        ``layer_sizes[0]`` must be the encoded width. Text labels are mapped to 0..k−1 and
        kept in ``classes``."""
        options = dict(locals())  # every argument but the data goes to the loop unchanged
        del options["self"], options["X"], options["y"]
        _check_tabular(self, augment)
        if y is None:
            raise TypeError("fit needs y, the labels or target values of X's rows; got None")
        if type(X).__name__ == "DataFrame" and self.preprocessor is None:
            self._fit_preprocessor(X)
        if self.standardizer is None and type(X).__name__ != "DataFrame":
            _warn_unscaled(X)
        if self.classes is None and text_labels(y):
            from .data.labels import encode_target

            self.classes = encode_target(y).classes
        return loop.fit(self, X, y, **options)

    def _fit_preprocessor(self, X) -> None:
        from .data.preprocess import Preprocessor

        pre = Preprocessor().fit(X)
        if pre.n_outputs != self.layer_sizes[0]:
            raise ValueError(
                f"the table X encodes to {pre.n_outputs} inputs ({pre.describe()}) but this "
                f"network has layer_sizes[0] = {self.layer_sizes[0]}; build it with "
                f"{pre.n_outputs} inputs, or let nnrecipe.improve(df, target=...) or "
                "nnrecipe.tune size the network for you"
            )
        self.preprocessor = pre

    def copy(self, dtype=None) -> Network:
        net = super().copy(dtype)
        net.encoding = None if self.encoding is None else self.encoding.copy()
        return net

    copy.__doc__ = network.Network.copy.__doc__

    def diagnose(self, train, dev, baseline_error: float = 0.0, **kwargs) -> Diagnosis:
        """Bias/variance diagnosis from inference-mode errors (no dropout, no penalty) on
        ``train`` and ``dev``, each an ``(X, y)`` pair; see :func:`nnrecipe.diagnose`."""
        return diagnose_network(self, train, dev, baseline_error, **kwargs)

    def save(self, path) -> Path:
        """Save as .npz (no pickle) with JSON metadata; the write is atomic."""
        return io.save(self, path)


def _check_tabular(net, augment) -> None:
    """Robust scaling and embeddings are for table columns: ``augment=`` means image pixels
    (their quantiles are mostly 0 and a shifted pixel is not a new value of a feature)."""
    if augment is None:
        return
    for name, value in (("standardize", getattr(net.standardizer, "name", None)),
                        ("embeddings", net.embeddings)):  # fmt: skip
        if value is not None:
            raise ValueError(
                f"{name}={value!r} is for tables, but fit got augment= (image data); build "
                f"the network with {name}={'True' if name == 'standardize' else 'None'} "
                "for images"
            )


OVERFLOW = 1e150  # |x| above this: Z·Z, the cost's squares and Adam's g² overflow float64
UNSCALED = 1e4  # |x| above this, unstandardized: the first layer's Z is in the thousands


def _warn_unscaled(X) -> None:
    """Warn when raw inputs are far from unit scale and the network does not standardize;
    refuse them (ValueError naming the column) when they would overflow float64."""
    try:
        arr = np.asarray(X)
    except (TypeError, ValueError):
        return  # the training loop names the problem
    if arr.size == 0 or arr.ndim < 2 or arr.dtype.kind not in "iuf":
        return  # (not rows of features: the training loop names the problem)
    largest = _largest_magnitude(arr)
    if largest > OVERFLOW:
        column = int(np.nanargmax(np.nanmax(np.abs(arr.reshape(len(arr), -1)), axis=0)))
        raise ValueError(
            f"X column {column} holds values as large as {largest:.3g}: in a network that "
            "does not standardize its inputs, its products and squares overflow float64 (NaN "
            "weights); rescale that column (divide by a power of ten) before training"
        )
    if largest > UNSCALED:
        warnings.warn(
            f"X holds values as large as {largest:.3g} and this network does not "
            "standardize its inputs: training will be slow or diverge (the cost can stay "
            "near |x|·|W|); build it with standardize=True, or standardize X "
            "(nnrecipe.Standardizer, fitted on the training rows)",
            UserWarning,
            stacklevel=3,
        )


def _largest_magnitude(arr: np.ndarray) -> float:
    """max |x| over the values of ``arr`` that are not NaN (0 when all are), read a block of
    rows at a time: no |X| or isnan(X) the size of the data (X may be most of memory)."""
    rows = arr.reshape(len(arr), -1) if arr.ndim else arr.reshape(1, 1)
    largest = 0.0
    step = block_rows(rows.shape[1], rows.itemsize)
    for s in range(0, len(rows), step):
        block = rows[s : s + step]
        # fmax/fmin skip NaN; a block of NaN only gives NaN, which compares False below
        for value in (np.fmax.reduce(block, axis=None), np.fmin.reduce(block, axis=None)):
            value = abs(float(value))
            if value > largest:
                largest = value
    return largest


def _preprocessor(saved, n_inputs: int):
    from .data.preprocess import Preprocessor

    meta, arrays = saved
    columns = meta["columns"]
    if not isinstance(columns, list) or not all(
        isinstance(c, dict)
        and isinstance(c.get("name"), str | int)
        and not isinstance(c.get("name"), bool)
        and c.get("kind") in ("numeric", "categorical", "dropped")
        and (c["kind"] != "categorical" or all(isinstance(v, str) for v in c["categories"]))
        for c in columns
    ):
        raise ValueError("the table preprocessing's columns are damaged")
    pre = Preprocessor.from_dict(meta, arrays)
    counts = Counter(str(c["name"]) for c in columns)
    twice = sorted(n for n, k in counts.items() if k > 1)
    if twice:
        raise ValueError(f"the table preprocessing names the column(s) {shorten_list(twice)} twice")
    if pre.n_outputs != n_inputs:
        raise ValueError(
            f"the table preprocessing encodes {pre.n_outputs} inputs but the network takes "
            f"{n_inputs}"
        )
    if not (np.isfinite(pre.mean_).all() and np.isfinite(pre.median_).all()) or not (
        np.isfinite(pre.scale_).all() and (pre.scale_ > 0).all()
    ):
        raise ValueError("the table preprocessing's statistics are not finite with σ > 0")
    return pre


def _classes(classes, net: Network) -> list:
    n_out = net.layer_sizes[-1]
    expected = n_out if net.loss.name == "categorical_crossentropy" else 2 if n_out == 1 else 0
    if (
        not isinstance(classes, list)
        or not all(isinstance(c, str | int | float) for c in classes)
        or len(set(classes)) != len(classes)
        or len(classes) != expected
    ):
        raise ValueError(
            f"classes must be {expected or 'no'} distinct labels for this network's output, "
            f"got {str(classes)[:80]}"
        )
    return list(classes)


def _target_scaling(values) -> tuple[float, float]:
    if (
        not isinstance(values, list)
        or len(values) != 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
        or not np.isfinite(values).all()
        or values[1] <= 0
    ):
        raise ValueError(f"target_scaling must be [μ_y, σ_y] with σ_y > 0, got {values!r}")
    return float(values[0]), float(values[1])


def load(path) -> Network | Ensemble:
    """Load a model saved by :meth:`Network.save` (a :class:`Network`) or
    :meth:`Ensemble.save` (an :class:`~nnrecipe.ensemble.Ensemble`). Raises ValueError naming
    the file (and the member, for an ensemble) when it is missing, damaged or not an nnrecipe
    model; loading runs no code from the file.

    A file made to hurt is refused before it costs anything: only a regular file is opened
    (a FIFO would hang), array headers are checked against the metadata and this machine's
    memory before any data is read (:func:`nnrecipe.io.read`), and the standardizer's
    statistics, the class names, the target scaling and the table preprocessing are
    validated, so a loaded network predicts numbers or the file is refused."""
    saved = io.read(path)
    name = repr(str(path))
    if saved.members:
        members = [_network(m, f"{name} member {i}") for i, m in enumerate(saved.members)]
        try:
            model = Ensemble(members)
        except ValueError as exc:
            raise ValueError(f"{name} holds an inconsistent nnrecipe ensemble: {exc}") from None
    else:
        model = _network(saved, name)
    parts = (saved.preprocessor, saved.classes, saved.target_scaling)
    if any(part is not None for part in parts):
        try:
            model.encoding = Encoding(
                None if parts[0] is None else _preprocessor(parts[0], model.layer_sizes[0]),
                None if parts[1] is None else _classes(parts[1], model),
                None if parts[2] is None else _target_scaling(parts[2]),
            )
        except (TypeError, ValueError, KeyError, AttributeError, IndexError) as exc:
            raise ValueError(f"{name} holds an inconsistent nnrecipe model: {exc}") from None
    return model


def _network(saved: io.ModelFile, name: str) -> Network:
    """One network built from what its file holds (``name`` says where, in errors)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # init='zeros' in the config is not a new choice
            net = Network(**saved.config)
        net.set_parameters(saved.parameters)
        if saved.robust is not None:  # (a robust network's unfitted scaler, else refused)
            net.standardizer.set_statistics(saved.robust["median"], saved.robust["factor"])
        if saved.embedding is not None:
            net.embedding.set_state(saved.embedding)  # checked: finite, nondecreasing
    except (TypeError, ValueError, KeyError, AttributeError, IndexError) as exc:
        # the metadata is JSON anyone can edit: whatever breaks building from it is named
        raise ValueError(f"{name} holds an inconsistent nnrecipe model: {exc}") from None
    if saved.standardizer is not None:
        st = Standardizer()
        stats = saved.standardizer
        st.mean_, st.var_, st.scale_ = stats["mean"], stats["var"], stats["scale"]
        net.standardizer = st
    return net
