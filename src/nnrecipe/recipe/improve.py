"""The basic recipe, automated: fix bias first, then variance, one knob at a time.

    frame the problem once (recipe/problem.frame): split (auto rule), task and metric,
    encoding (table preprocessing, class names, target scaling) fitted on training rows
    train a starting network sized from the data, with early stopping on the dev loss
    diagnose from inference-mode values of the metric:
        avoidable bias = train − baseline,   variance = dev − train
    while time remains and something may be gained:
        high bias (alone or with high variance) → search the next bias knob
        high variance (or a good fit)           → search the next variance knob
        each knob is searched over its values (recipe/knobs) and its best value refined;
        the best is kept only when it beats the current dev value by more than the dev
        set resolves (paired standard error; k-fold cross-validation on small data)
    every knob tried and time left → search around the best configuration (Optuna TPE)
    refit the chosen configuration on train+dev (its early-stopping epoch count);
    the test set is evaluated once, at the end, on the chosen network.

The framing is :func:`nnrecipe.recipe.problem.frame`, the knobs in the order they are walked
are in :mod:`nnrecipe.recipe.knobs`, the search after them in :mod:`nnrecipe.recipe.search`, the
runs in :mod:`nnrecipe.recipe.runs`, the loop in :mod:`nnrecipe.recipe.loop`, the baseline in
:mod:`nnrecipe.recipe.baseline` and the metrics in :mod:`nnrecipe.recipe.metrics`; every step
(what changed, why, the values before and after, the resolution, time, kept or undone) is in
:class:`nnrecipe.recipe.result.ImproveResult`. A pandas DataFrame is preprocessed on its
training rows (:mod:`nnrecipe.data.preprocess`) and text labels become classes: the chosen
network carries the :class:`~nnrecipe.data.encoding.Encoding` and predicts original labels
from raw tables. Nothing is printed: the notes are returned (``result.notes``,
``result.preprocessing``).

Real-valued targets make it a regression (metric mse or mae): the target is standardized on
the training rows, z = (y − μ_y)/σ_y, and every value of the recipe (diagnosis, thresholds,
baseline, trail, test) is in these z-units (mse 1 = predicting the training mean; 0.2 means
R² ≈ 0.8); the chosen network carries μ_y, σ_y (``encoding.target_scaling``) and predicts
in y's units (:mod:`nnrecipe.recipe.regression`).
"""

from __future__ import annotations

import time

from .._checks import check_flag, check_name, check_positive
from ..data.robust_scale import scaler_for
from ..diagnosis import Diagnosis, diagnose
from ..train import optimizers
from . import averaging, ending, start
from .loop import Recipe
from .problem import Problem, frame, looks_like_images
from .result import ImproveResult, Step
from .runs import Trainer
from .start import start_config

LEARNING_CURVE_SIZES = (0.25, 0.5, 1.0)
__all__ = ["improve", "default_minutes", "Step", "Diagnosis", "looks_like_images"]


def default_minutes(m: int, n_x: int) -> float:
    """The default time budget: 0.5 minute + 1 minute per 200,000 input values (rows ×
    columns), at most 10 minutes (1,000 × 2 spiral points: 0.5; 10,000 MNIST digits: 10)."""
    return float(min(10.0, 0.5 + m * n_x / 200_000))


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
    X : array (m, n_x), pandas DataFrame or a table file's path (.csv, .tsv, .xlsx, .parquet);
        y : class labels (m,) of any kind, or real values
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
        the reachable error from outside the network diagnosed: a HistGradientBoosting
        reference's dev (or cross-validated) value (:mod:`nnrecipe.recipe.baseline`); the
        diagnosis says where the number came from.
    network : Network, list of int or None
        The starting hidden sizes (or a Network); default sized from the data (64 to 256
        units, 1 or 2 layers, see :func:`nnrecipe.recipe.start.data_config`).
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
    problem = frame(X, y, target=target, dev=dev, test=test, seed=seed, metric=metric,
                    images=images, cv=cv, dtype=dtype, scaling=start.scaling(images))  # fmt: skip
    # validates the rates and thresholds before any training (it raises naming them)
    diagnose(0.0, 0.0, user_baseline or 0.0, bias_threshold, variance_threshold,
             metric=problem.metric)  # fmt: skip
    config, minutes = _start(problem, network, epochs, learning_rate, batch_size, optimizer,
                             minutes)  # fmt: skip
    recipe = Recipe(
        _trainer(problem, seed, n_jobs),
        config,
        user_baseline=user_baseline,
        thresholds={"bias_threshold": bias_threshold, "variance_threshold": variance_threshold},
        budget=budget,
        seconds=max(60 * minutes - (time.perf_counter() - clock), 0.01 * 60 * minutes),
        seed=seed,
        progress=progress,
        learning_curve=learning_curve,
        notes=problem.notes,
        ensemble=ensemble_size if ensemble else 1,
    )
    recipe.notes.extend(problem.hints)
    recipe.run()
    result = ending.finish(recipe, refit, problem.sets[2], LEARNING_CURVE_SIZES)
    result.split, result.images = problem.split, problem.images is not None
    # per-class errors: the chosen run's own dev predictions (out of fold with k-fold), the
    # ones its dev value came from, never the refit network's (it trained on the dev rows)
    trainer = recipe.trainer
    measured = None if problem.output == "linear" else trainer.dev_labels(recipe.current)
    problem.finish(result, measured, trainer.measured_on())
    recipe.printer.finish(result)
    return result


def _start(problem: Problem, network, epochs, learning_rate, batch_size, optimizer, minutes):
    """The starting configuration (sized from the rows a run trains on: train, or train+dev
    with cross-validation) and the time budget in minutes (:func:`default_minutes`)."""
    (Xtr, _), dev = problem.sets[0], problem.sets[1]
    m_fit = len(Xtr) + (len(dev[0]) if problem.folds > 1 else 0)
    config = start_config(
        network,
        epochs,
        learning_rate,
        batch_size,
        optimizer,
        Xtr.shape[1],
        problem.units,
        m=m_fit,
    )
    config = config.replace(**start.techniques(problem))  # robust scaling, label smoothing
    if minutes is None:
        minutes = default_minutes(len(Xtr) + len(dev[0]), Xtr.shape[1])
    return config, minutes


def _trainer(problem: Problem, seed: int, n_jobs: int | None = 1) -> Trainer:
    """The runs' trainer: the problem's sets, output, metric, folds and dtype, and one
    standardizer of the training rows (k-fold: each fold fits its own, see Trainer)."""
    (Xtr, _), dev = problem.sets[0], problem.sets[1]
    scaler = scaler_for("robust" if problem.scaling == "robust" else True)
    standardizer = scaler.fit(Xtr) if problem.standardize else None
    return Trainer(problem.sets[0], dev, standardizer, problem.output, problem.units,
                   problem.images, seed, problem.metric, problem.folds,
                   dtype=problem.dtype, n_jobs=n_jobs)  # fmt: skip
