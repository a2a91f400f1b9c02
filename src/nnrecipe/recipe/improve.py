"""The basic recipe, automated: fix bias first, then variance, one knob at a time.

    split (auto rule) and standardize once (statistics of the rows trained on)
    train a starting network sized from the data, with early stopping on the dev loss
    diagnose from inference-mode values of the metric:
        avoidable bias = train − baseline,   variance = dev − train
    while time remains and something may be gained:
        high bias (alone or with high variance) → search the next bias knob
        high variance (or a good fit)           → search the next variance knob
        each knob is searched over a range (recipe_search) and its best value refined;
        the best is kept only when it beats the current dev value by more than the dev
        set resolves (paired standard error; k-fold cross-validation on small data)
    every knob tried and time left → search around the best configuration (Optuna TPE)
    refit the chosen configuration on train+dev (its early-stopping epoch count);
    the test set is evaluated once, at the end, on the chosen network.

The knob ranges are in :mod:`nnrecipe.recipe.search`, the runs in :mod:`nnrecipe.recipe.runs`,
the loop in :mod:`nnrecipe.recipe.loop`, the baseline in :mod:`nnrecipe.recipe.baseline` and the
metrics in :mod:`nnrecipe.recipe.metrics`; every step (what changed, why, the values before and
after, the resolution, time, kept or undone) is in :class:`nnrecipe.recipe.result.ImproveResult`.
A pandas DataFrame is preprocessed on its training rows (:mod:`nnrecipe.data.preprocess`) and
text labels become classes: the chosen network predicts original labels from raw tables.

Real-valued targets make it a regression (metric mse or mae): the target is standardized on
the training rows, z = (y − μ_y)/σ_y, and every value of the recipe (diagnosis, thresholds,
baseline, trail, test) is in these z-units (mse 1 = predicting the training mean; 0.2 means
R² ≈ 0.8); the chosen network carries μ_y, σ_y (``target_scaling``) and predicts in y's units
(:mod:`nnrecipe.recipe.regression`).
"""

from __future__ import annotations

import time

import numpy as np

from .._checks import check_features, check_flag, check_name, check_positive
from ..data.normalize import Standardizer
from ..data.split import split
from ..data.targets import text_labels
from ..diagnosis import Diagnosis, diagnose
from ..train import optimizers
from . import averaging, metrics, regression
from .loop import Recipe
from .result import ImproveResult, Step
from .runs import Trainer, looks_like_images, start_config

LEARNING_CURVE_SIZES = (0.25, 0.5, 1.0)
CV_BELOW = 500  # dev sets under this many rows: decide by k-fold cross-validation
CV_RARE = 100  # ... or (balanced error) under this many rows of the rarest class
FOLDS = 5
# train+dev holding this many input values (rows × inputs) or more: networks in float32, whose
# epochs are shorter (MNIST's starting network: 0.34 s instead of 0.70 s), so a budget trains
# more of them
FLOAT32_VALUES = 250_000
__all__ = ["improve", "default_minutes", "Step", "Diagnosis", "looks_like_images"]


def default_minutes(m: int, n_x: int) -> float:
    """The default time budget: 0.5 minute + 1 minute per 200,000 input values (rows ×
    columns), at most 10 minutes (1,000 × 2 spiral points: 0.5; 10,000 MNIST digits: 10)."""
    return float(min(10.0, 0.5 + m * n_x / 200_000))


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


def improve(
    X,
    y=None,
    *,
    target=None,
    baseline_error: float | str = "auto",
    network=None,
    budget: int | None = None,
    minutes: float | None = None,
    seed: int = 0,
    epochs: int | None = None,
    learning_rate: float | None = None,
    batch_size: int | None = None,
    optimizer: str = "adam",
    images=None,
    metric: str = "auto",
    bias_threshold: float = 0.02,
    variance_threshold: float = 0.02,
    learning_curve: bool = True,
    refit: bool = True,
    cv: int | str | bool = "auto",
    dev=None,
    test=None,
    progress: bool = False,
    dtype: str = "auto",
    n_jobs: int | None = None,
    ensemble: bool = True,
    ensemble_size: int | None = None,
) -> ImproveResult:
    """Run the basic recipe on (X, y) and return every step and the chosen network.

    Parameters
    ----------
    X : array (m, n_x) or pandas DataFrame;  y : class labels (m,) of any kind, or real values
        The whole data set: split by the auto rule (unless ``dev``/``test`` are given). A
        DataFrame is preprocessed (:mod:`nnrecipe.data.preprocess`) with statistics of the
        training rows only; the chosen network carries that preprocessing and the class
        names, so it predicts original labels from raw DataFrames. Real-valued targets (one
        column) are a regression: learned and scored as z = (y − μ_y)/σ_y (μ_y, σ_y of the
        training rows), predicted in y's own units by the chosen network.
    target : str, optional
        With a DataFrame and no ``y``: the label column (default: the one called target,
        label, class or y).
    baseline_error : float in [0, 1] (or >= 0 for mse/mae, in z-units) or "auto"
        Human-level or Bayes error, if you know it: it wins. ``"auto"`` (default) estimates
        the reachable error as the smaller of the best dev value reached and a
        HistGradientBoosting reference's (:mod:`nnrecipe.recipe.baseline`); the diagnosis
        says where the number came from.
    network : Network, list of int or None
        The starting hidden sizes (or a Network); default sized from the data (64 to 256
        units, 1 or 2 layers, see :func:`nnrecipe.recipe.runs.data_config`).
    budget : int, optional
        A cap on the training runs (configurations measured), only when given.
    minutes : float, optional
        The time budget, final refit included: the recipe uses it all unless it can show
        nothing is left to gain (dev value within its resolution of a given baseline).
        Default :func:`default_minutes`: 0.5 minute + 1 per 200,000 input values, ≤ 10.
    seed : int
        Split, initialization, shuffling and dropout: the same for every run.
    epochs : int, optional
        The most epochs a run may take (default 1000); runs stop earlier by early stopping
        (patience 20 epochs on the dev loss, best weights restored).
    learning_rate, batch_size, optimizer :
        The start (learning rate: the optimizer's own, 0.001 for Adam; batch sized from m).
    images : bool, (H, W), (H, W, C) or "HxW[xC]", optional
        Rows are image pixels: not standardized, and augmentation becomes a variance knob
        (square grey images). Never guessed: a table is never silently treated as pixels.
    metric : "auto", "error", "balanced_error", "log_loss" (classes), "mse" or "mae" (regression)
        What diagnosis and decisions use; "auto" takes balanced error when the rarest class
        is under 10 % of the rows, plain error otherwise, and mse for a regression. A metric
        of the other task is a ValueError, except that mse or mae on an array y of whole
        numbers 0..k (k ≥ 2: counts, prices) makes it a regression, as "auto" does when
        they hold over 100 distinct values (as for a table's target).
    bias_threshold, variance_threshold : float
        What counts as high avoidable bias and high variance (see :func:`nnrecipe.diagnose`);
        for mse in units of the target's variance (0.02: 2 % of it).
    learning_curve : bool
        When variance remains at the end, train on 25/50/100 % of the training set to see
        whether more data would help (if the budget leaves time for it).
    refit : bool
        Train the chosen configuration on train+dev (for its early-stopping epoch count)
        before the one test evaluation (default True; the report states it).
    cv : "auto", int or False
        k-fold cross-validation on train+dev for the decisions; "auto": 5 folds when the
        dev set has under 500 rows (or, with balanced error, under 100 of its rarest class).
    dev, test : (X, y), optional
        Sets of your own (see :func:`nnrecipe.split`).
    progress : bool
        Print each step as it finishes.
    dtype : "auto", "float32" or "float64"
        The networks' float type. "auto": float32 when train+dev hold at least 250,000
        input values (rows × inputs), where it trains more epochs a minute (2 × on
        MNIST), float64 below (:func:`network_dtype`); the notes say when float32 was used.
    n_jobs : int, optional
        Worker processes for independent runs (the folds of a cross-validated decision, the
        values of one knob): default every core, 1 in this process (:mod:`.parallel`). One
        BLAS thread per run, so seeded results are identical whatever ``n_jobs`` is; inside
        ``joblib.parallel_config(backend="dask")`` the runs go to your Dask cluster.
    ensemble : bool;  ensemble_size : int, optional
        End with an :class:`nnrecipe.Ensemble` of ``ensemble_size`` (default 5) networks of the
        chosen configuration (seeds seed … seed + size − 1, refit on train+dev) when averaging
        them beats one network on dev (out of fold) by more than the dev set resolves
        (:mod:`.averaging`); the trail shows it as a step, kept or undone.
    """
    clock = time.perf_counter()  # the budget counts the framing (split, encoding) too
    from ..data.labels import class_errors, encode_pair, encode_target
    from ..data.tables import Target, attach_table, is_frame, split_table

    learning_curve = check_flag(learning_curve, "learning_curve")
    progress = check_flag(progress, "progress")
    refit = check_flag(refit, "refit")
    ensemble = check_flag(ensemble, "ensemble")
    if ensemble_size is None:
        ensemble_size = averaging.SIZE  # 5
    ensemble_size = check_positive(ensemble_size, "ensemble_size", integer=True)
    budget = None if budget is None else check_positive(budget, "budget", integer=True)
    epochs = None if epochs is None else check_positive(epochs, "epochs", integer=True)
    if batch_size is not None:
        batch_size = check_positive(batch_size, "batch_size", integer=True)
    optimizer = check_name(optimizer, tuple(optimizers.REGISTRY), "optimizer")
    learning_rate = optimizers.get(optimizer, learning_rate).learning_rate
    minutes = None if minutes is None else check_positive(minutes, "minutes")
    user_baseline = None if baseline_error == "auto" else baseline_error
    metric_name = check_name(metric, ("auto", *metrics.METRICS), "metric")
    table = classes = None
    if is_frame(X):
        table = split_table(X, y, target=target, seed=seed, dev=dev, test=test)
        parts = table.parts
        if images is not None and images is not False:
            raise ValueError("images= is for pixel arrays; a DataFrame is a table")
    else:
        if y is None:
            raise TypeError("improve needs y (the labels) unless X is a pandas DataFrame")
        if text_labels(y):  # "cat"/"dog": learned as 0..k−1, predicted as the names
            named = encode_target(y)
            y, classes = named.y, named.classes
            dev, test = encode_pair(dev, classes, "dev"), encode_pair(test, classes, "test")
        parts = split(X, y, seed=seed, dev=dev, test=test)
    train, dev_set, test_set = parts
    named = table is not None or classes is not None  # labels with names: always classes
    output, n_out, metric_name, metric_why = regression.task(parts, metric_name, named)
    # validates the rates and thresholds before any training (it raises naming them)
    diagnose(0.0, 0.0, user_baseline or 0.0, bias_threshold, variance_threshold,
             metric=metric_name)  # fmt: skip
    scaling = None if table is None else table.scaling  # a table's target: z-scores already
    if output == "linear" and table is None:
        train, dev_set, test_set, scaling = regression.standardized(train, dev_set, test_set)
    # in its own dtype: the standardizer streams it (a float64 copy doubled large float32 data)
    Xtr = check_features(train[0], "X", finite=False)
    shape = images_shape(images, Xtr.shape[1])
    rare = None
    if metric_name == "balanced_error":
        rare = int(np.unique(metrics.labels_of(dev_set[1]), return_counts=True)[1].min())
    folds = _folds(cv, len(dev_set[0]), rare)
    if folds > 1 and len(Xtr) + len(dev_set[0]) < 2 * folds:  # a fold would hold out nothing
        raise ValueError(
            f"X has {len(Xtr) + len(dev_set[0]) + len(test_set[0])} rows: too few for improve, "
            f"whose {folds}-fold cross-validation needs at least {2 * folds} rows besides the "
            "test set; pass more rows"
        )
    m_fit = len(Xtr) + (len(dev_set[0]) if folds > 1 else 0)
    config = start_config(
        network, epochs, learning_rate, batch_size, optimizer, Xtr.shape[1], n_out, m=m_fit
    )
    if minutes is None:
        minutes = default_minutes(len(Xtr) + len(dev_set[0]), Xtr.shape[1])
    standardizer = None
    # image pixels are already on one scale (per-pixel z-scores would blow up rarely-lit
    # border pixels); a table's preprocessing has standardized its numbers already
    if shape is None and table is None:  # (k-fold: each fold fits its own, see Trainer)
        standardizer = Standardizer().fit(Xtr)
    dtype, dtype_why = network_dtype(dtype, len(Xtr) + len(dev_set[0]), Xtr.shape[1])
    trainer = Trainer(train, dev_set, standardizer, output, n_out, shape, seed,
                      metric_name, folds, dtype=dtype, n_jobs=n_jobs)  # fmt: skip
    recipe = Recipe(
        trainer,
        config,
        user_baseline=user_baseline,
        thresholds={"bias_threshold": bias_threshold, "variance_threshold": variance_threshold},
        budget=budget,
        seconds=max(60 * minutes - (time.perf_counter() - clock), 0.01 * 60 * minutes),
        seed=seed,
        progress=progress,
        learning_curve=learning_curve,
        notes=[
            f"metric: {metric_why}",
            *regression.units(metric_name, scaling),
            *([dtype_why] if dtype_why else []),
        ],
        ensemble=ensemble_size if ensemble else 1,
    )
    if table is not None and not isinstance(y, Target):  # the CLI prints these itself
        print("\n".join(table.notes()))  # the target, the task, the class balance
    if shape is None and table is None and looks_like_images(Xtr):
        recipe.notes.append(
            "these columns could be square image pixels; they were treated as a table "
            "(standardized): pass images=(H, W) / --images HxW if they are pixels"
        )
    recipe.run()
    result = recipe.finish(refit, test_set, LEARNING_CURVE_SIZES)
    result.split, result.images = parts, shape is not None
    if table is not None:
        attach_table(result, table, dev_set)
    elif classes is not None:
        predicted = result.network.predict(dev_set[0])
        result.class_errors = class_errors(dev_set[1], predicted, classes)
        result.network.classes = result.classes = classes
    elif scaling is not None:  # predictions in y's own units
        result.network.target_scaling = scaling
    recipe.printer.finish(result)
    return result


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


def _folds(cv, n_dev: int, rare: int | None = None) -> int:
    """k for ``cv``: "auto" → 5 when dev has under 500 rows, or (balanced error) under 100
    rows of its rarest class; else 1 (hold-out)."""
    if cv == "auto":
        return FOLDS if n_dev < CV_BELOW or (rare is not None and rare < CV_RARE) else 1
    if cv is False or cv is None:
        return 1
    return 1 if cv == 1 else check_positive(cv, "cv", integer=True)
