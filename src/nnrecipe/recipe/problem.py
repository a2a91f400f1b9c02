"""The framing of a problem: what the user passed, turned once into what the recipe trains on.

:func:`frame` is the first step of :func:`nnrecipe.improve` and :func:`nnrecipe.tune`; after
it nothing goes back into :mod:`nnrecipe.data` to decide anything again:

    X (array (m, n_x) or DataFrame), y (labels of any kind, real values, or None: a column)
      → split into train/dev/test (the auto rule; stratified for classes; a table's
        preprocessing fitted on its training rows; text labels → 0..k−1)
      → the task (:func:`nnrecipe.data.targets.task`: classes or regression, how many
        classes) and the metric, with the reason
      → a regression target standardized, z = (y − μ_y)/σ_y (training rows' μ_y, σ_y)
      → images or a table, the folds of cross-validation, the networks' dtype
      → :class:`Problem`: the three sets as arrays, the :class:`~nnrecipe.data.encoding.Encoding`
        the chosen network will carry (preprocessor, class names, target scaling), and the
        notes (the library returns them; the command line prints them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .._checks import check_features, check_name, check_positive
from ..data.encoding import Encoding
from ..data.split import split
from ..data.targets import text_labels
from . import metrics, regression

CV_BELOW = 500  # dev sets under this many rows: decide by k-fold cross-validation
CV_RARE = 100  # ... or (balanced error) under this many rows of the rarest class
FOLDS = 5
# train+dev holding this many input values (rows × inputs) or more: networks in float32, whose
# epochs are shorter (MNIST's starting network: 0.34 s instead of 0.70 s), so a budget trains
# more of them
FLOAT32_VALUES = 250_000


# what :meth:`Problem.finish` gives a result (improve's and tune's), saved in its result.json
FRAMED = ("classes", "preprocessing", "class_errors")


def framed(result) -> dict:
    """``{name: value}`` of :data:`FRAMED` in ``result``, for its JSON."""
    return {name: getattr(result, name) for name in FRAMED}


@dataclass
class Problem:
    """The user's data, framed once (see the module docstring).

    ``split``: the split as made (its rule and sizes; y as the user gave it, encoded);
    ``sets``: (train, dev, test), each ``(X, y)`` with X encoded and y the class indices or
    z-scores; ``output``, ``units``: the output layer; ``metric`` and ``metric_why``;
    ``images``: the image shape or None; ``table``: X was a DataFrame; ``folds``: k of the
    cross-validation (1: hold-out); ``dtype`` of the networks; ``encoding``: what the chosen
    network carries; ``notes``: the first of the recipe's notes; ``hints``: notes that
    follow the recipe's own; ``preprocessing``: the lines about a table's target and columns."""

    split: object
    sets: tuple
    output: str
    units: int
    metric: str
    metric_why: str
    images: tuple | None
    table: bool
    folds: int
    dtype: str
    encoding: Encoding
    notes: list[str] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    preprocessing: list[str] | None = None
    scaling: str = "standard"  # the inputs' scaling: "standard" or "robust" (images: none)

    @property
    def standardize(self) -> bool:
        """Whether the networks standardize their inputs: not image pixels (already on one
        scale; per-pixel z-scores blow up rarely-lit border pixels), not a table (its
        preprocessing has standardized its numbers)."""
        return self.images is None and not self.table

    def finish(self, result, measured=None, measured_on: str | None = None) -> None:
        """Give ``result.network`` the encoding, and ``result`` the split, the classes, the
        preprocessing lines, the dev set's per-class errors and (a regression) the test
        scores in y's own units.

        ``measured``: ``(true, predicted)`` class indices of the rows the dev value came
        from (the chosen run's own dev predictions, out of fold with k-fold), and
        ``measured_on`` where they come from; without them the network predicts the dev
        set, and ``measured_on`` says so."""
        net, enc, dev = result.network, self.encoding, self.sets[1]
        if net is not None:
            if enc.classes is not None:  # predicted as indices: before the network has names
                from ..data.labels import class_errors  # pandas: imported for class names

                if measured is None:
                    measured = (dev[1], net.predict(dev[0]))
                    measured_on = f"the dev set ({len(dev[0])} rows), by the returned network"
                result.class_errors = class_errors(*measured, enc.classes)
                result.class_errors["measured_on"] = measured_on
            parts = (enc.preprocessor, enc.classes, enc.target_scaling)
            net.encoding = enc if any(part is not None for part in parts) else None
        result.classes = enc.classes
        if self.preprocessing is not None:
            result.preprocessing = self.preprocessing
        scores = getattr(result, "test_scores", None)
        if enc.target_scaling is not None and scores:  # RMSE, MAE and R² in y's units
            result.test_units = regression.in_units(scores, self.sets[2][1], enc.target_scaling)


def frame(
    X,
    y=None,
    *,
    target=None,
    dev=None,
    test=None,
    seed: int = 0,
    metric: str = "auto",
    images=None,
    cv="auto",
    dtype: str = "auto",
    caller: str = "improve",
    scaling: str = "standard",
) -> Problem:
    """Frame (X, y) once (see the module docstring); ``caller`` names the function in
    messages.

    ``X``: array (m, n_x) or DataFrame; ``y``: labels of any kind or real values (with a
    DataFrame, None takes the ``target`` column); ``dev``, ``test``: sets of your own
    (``test=False``: a given ``dev`` leaves all of an array X, y to train on and the test
    set empty, as :func:`nnrecipe.tune` does); ``seed``, ``metric``, ``images``, ``cv``,
    ``dtype``: as in :func:`nnrecipe.improve`; ``scaling``: the inputs' scaling, "standard"
    (z-scores) or "robust" (median/IQR, smooth clipping), of a table's numbers in its
    preprocessing, of an array's columns in each network (images: none). Raises
    ValueError/TypeError naming the argument."""
    metric = check_name(metric, ("auto", *metrics.METRICS), "metric")
    scaling = check_name(scaling, ("standard", "robust"), "scaling")
    if isinstance(X, str | Path):  # a file: read as `nnrecipe improve --dataset FILE` reads it
        from ..data.tables import as_table

        X = as_table(X)
    made, encoding, table, named = _split(X, y, target, dev, test, seed, images, caller,
                                           scaling)  # fmt: skip
    sets = tuple(made)
    output, units, metric, why = regression.task(sets, metric, named)
    if output == "linear" and table is None:
        *sets, encoding.target_scaling = regression.standardized(*sets)
    # in its own dtype: the standardizer streams it (a float64 copy doubled large float32 data)
    Xtr = check_features(sets[0][0], "X", finite=False)
    n_dev = len(sets[1][0])
    shape = images_shape(images, Xtr.shape[1])
    rare = None
    if metric == "balanced_error":
        rare = int(np.unique(metrics.labels_of(sets[1][1]), return_counts=True)[1].min())
    k = folds(cv, n_dev, rare)
    if k > 1 and len(Xtr) + n_dev < 2 * k:  # a fold would hold out nothing
        raise ValueError(
            f"X has {len(Xtr) + n_dev + len(sets[2][0])} rows: too few for {caller}, whose "
            f"{k}-fold cross-validation needs at least {2 * k} rows besides the test set; "
            "pass more rows"
        )
    dtype, dtype_why = network_dtype(dtype, len(Xtr) + n_dev, Xtr.shape[1])
    problem = Problem(
        made, (*sets,), output, units, metric, why, shape, table is not None,
        k, dtype, encoding,
        notes=[f"metric: {why}", *regression.units(metric, encoding.target_scaling),
               *([dtype_why] if dtype_why else [])],
        preprocessing=None if table is None else table.notes() + table.preprocessor.summary(),
        scaling=scaling,
    )  # fmt: skip
    if problem.standardize and looks_like_images(Xtr):
        problem.hints.append(
            "these columns could be square image pixels; they were treated as a table "
            "(standardized): pass images=(H, W) / --images HxW if they are pixels"
        )
    return problem


def _split(X, y, target, dev, test, seed, images, caller, scaling="standard"):
    """``(split, encoding, table, named)``: the split of a DataFrame (its preprocessing
    fitted on the training rows; ``table`` its :class:`~nnrecipe.data.tables.TableSplit`)
    or of an array (text labels encoded as 0..k−1; ``named``: labels had names)."""
    from ..data.preprocess import is_frame

    no_test, test = test is False, None if test is False else test
    if is_frame(X):
        from ..data.tables import split_table

        if images is not None and images is not False:
            raise ValueError("images= is for pixel arrays; a DataFrame is a table")
        done = split_table(X, y, target=target, seed=seed, dev=dev, test=test, scaling=scaling)
        encoding = Encoding(done.preprocessor, done.target.classes, done.scaling)
        return done.parts, encoding, done, True
    if y is None:
        raise TypeError(f"{caller} needs y (the labels) unless X is a pandas DataFrame")
    encoding, named = Encoding(), False
    if text_labels(y):  # "cat"/"dog": learned as 0..k−1, predicted as the names
        from ..data.labels import encode_pair, encode_target

        coded = encode_target(y)
        y, encoding.classes, named = coded.y, coded.classes, True
        dev, test = encode_pair(dev, coded.classes, "dev"), encode_pair(test, coded.classes, "test")
    if no_test and dev is not None:  # all of X, y trains; the test set is empty
        if not isinstance(dev, tuple | list) or len(dev) != 2:
            raise TypeError("dev must be a tuple (X_dev, y_dev), or None to split X, y")
        X, y = np.asarray(X), np.asarray(y)
        made = ((X, y), (np.asarray(dev[0]), np.asarray(dev[1])), (X[:0], y[:0]))
        return made, encoding, None, named
    made = split(X, y, seed=seed, dev=dev, test=test)
    return made, encoding, None, named


def images_shape(images, n_x: int):
    """``None`` (a table) or the image shape from ``images``: True (square grey), (H, W),
    (H, W, C) or "HxW[xC]"; the product must be the number of columns."""
    if images is None or images is False:
        return None
    if images is True:
        side = int(round(n_x**0.5))
        shape = (side, side)
    else:
        shape = tuple(int(v) for v in (images.lower().split("x") if isinstance(images, str)
                                       else images))  # fmt: skip
    if len(shape) not in (2, 3) or int(np.prod(shape)) != n_x:
        raise ValueError(
            f"images={images!r} must be True, (H, W) or (H, W, C) with H·W·C = {n_x}, the "
            "number of columns"
        )
    return shape


def folds(cv, n_dev: int, rare: int | None = None) -> int:
    """k for ``cv``: "auto" → 5 when dev has under 500 rows, or (balanced error) under 100
    rows of its rarest class; else 1 (hold-out)."""
    if cv == "auto":
        return FOLDS if n_dev < CV_BELOW or (rare is not None and rare < CV_RARE) else 1
    if cv is False or cv is None:
        return 1
    return 1 if cv == 1 else check_positive(cv, "cv", integer=True)


def network_dtype(dtype: str, m: int, n_x: int) -> tuple[str, str | None]:
    """``(dtype, note)`` of the networks: "auto" takes float32 when the m rows of train+dev
    hold at least :data:`FLOAT32_VALUES` input values (m × n_x), float64 (and no note)
    below."""
    dtype = check_name(dtype, ("auto", "float32", "float64"), "dtype")
    if dtype != "auto":
        return dtype, f"networks in {dtype} (asked for)"
    if m * n_x >= FLOAT32_VALUES:
        return "float32", (
            f"networks in float32: {m:,} rows × {n_x} inputs, where float64 trains fewer "
            "epochs a minute (dtype='float64' / --dtype float64 to keep it)"
        )
    return "float64", None


def looks_like_images(X: np.ndarray) -> bool:
    """Square grey images: n_x = side² with side >= 8 and nonnegative pixel values.

    Only a hint (for messages): :func:`nnrecipe.improve` no longer treats data as images on
    this guess; pass ``images=`` (or ``--images HxW``) or use a dataset that knows."""
    side = math.isqrt(X.shape[1])
    return side >= 8 and side * side == X.shape[1] and float(X.min()) >= 0
