"""The basic recipe, automated: fix bias first, then variance, one knob at a time.

    split (auto rule) and standardize once (statistics of the training set)
    train the starting network; diagnose from inference-mode errors:
        avoidable bias = train error − baseline,   variance = dev error − train error
    repeat while the budget lasts and the fit is not good:
        high bias (alone or with high variance) → turn the next bias knob
        high variance                            → turn the next variance knob
        retrain with that one change (same split, same seed: the change explains the effect)
        keep the change if the dev error went down, else undo it and try the next knob
    when variance remains, a learning curve says whether more data is the best next step;
    the test set is evaluated once, at the end, on the chosen network.

The knobs are in :mod:`nnrecipe.recipe.knobs`; every step (what changed, why, train/dev error
before and after, time, kept or undone) is in :class:`nnrecipe.recipe.result.ImproveResult`.
"""

from __future__ import annotations

import time

import numpy as np

from .._checks import check_flag, check_name, check_positive
from ..data.normalize import Standardizer
from ..data.split import split
from ..data.targets import output_layer, text_labels
from ..diagnosis import Diagnosis, diagnose
from ..train import optimizers
from . import knobs
from .learning_curves import learning_curve as make_curve
from .progress import Printer
from .result import ImproveResult, Step
from .runs import Trainer, looks_like_images, start_config

LEARNING_CURVE_SIZES = (0.25, 0.5, 1.0)


def _step(number, knob, kind, change, reason, before, run) -> Step:
    """The record of one run; kept when the dev error went down (the start is always kept)."""
    return Step(
        number=number,
        knob=knob,
        kind=kind,
        change=change,
        reason=reason,
        train_before=None if before is None else before.train_error,
        dev_before=None if before is None else before.dev_error,
        train_after=run.train_error,
        dev_after=run.dev_error,
        seconds=run.seconds,
        kept=before is None or run.dev_error < before.dev_error,
        config=run.config.to_dict(),
        epochs=len(run.history),
    )


def _reason(d: Diagnosis) -> str:
    bias = (
        f"avoidable bias {d.avoidable_bias:.1%} (train {d.train_error:.1%} − baseline "
        f"{d.baseline_error:.1%}) > {d.bias_threshold:.1%}"
    )
    variance = (
        f"variance {d.variance:.1%} (dev {d.dev_error:.1%} − train "
        f"{d.train_error:.1%}) > {d.variance_threshold:.1%}"
    )
    if d.case == "high_bias":
        return f"high bias: {bias}"
    if d.case == "high_variance":
        return f"high variance: {variance}"
    return f"high bias and high variance, bias first: {bias}; {variance}"


def improve(
    X,
    y=None,
    *,
    target=None,
    baseline_error: float = 0.0,
    network=None,
    budget: int = 12,
    minutes: float | None = None,
    seed: int = 0,
    epochs: int = 100,
    learning_rate: float | None = None,
    batch_size: int = 64,
    optimizer: str = "adam",
    images: bool | None = None,
    bias_threshold: float = 0.02,
    variance_threshold: float = 0.02,
    learning_curve: bool = True,
    dev=None,
    test=None,
    progress: bool = False,
) -> ImproveResult:
    """Run the basic recipe on (X, y) and return every step and the chosen network.

    Parameters
    ----------
    X : array (m, n_x) or pandas DataFrame;  y : class labels (m,) of any kind
        The whole data set: split by the auto rule (unless ``dev``/``test`` are given). A
        DataFrame is preprocessed (:mod:`nnrecipe.data.preprocess`) with statistics of the
        training rows only; the chosen network carries that preprocessing and the class
        names, so it predicts original labels from raw DataFrames.
    target : str, optional
        With a DataFrame and no ``y``: the label column (default: the one called target,
        label, class or y).
    baseline_error : float in [0, 1]
        Human-level or Bayes error estimate; avoidable bias is measured from it.
    network : Network, list of int or None
        The starting network (its hidden sizes, activation, λ and keep_prob), or hidden
        sizes; default one hidden layer of 16 ReLU units.
    budget : int
        Training runs in all, the first one included.
    minutes : float, optional
        Wall-clock budget: no new run starts after it.
    seed : int
        Split, initialization, shuffling and dropout: the same for every run.
    epochs, learning_rate, batch_size, optimizer :
        Training of the starting configuration (the bias knobs change them); the learning
        rate defaults to the optimizer's own (0.001 for Adam).
    images : bool, optional
        Whether augmentation is a variance knob; default: square grey images are detected.
    bias_threshold, variance_threshold : float
        What counts as high avoidable bias and high variance (see :func:`nnrecipe.diagnose`).
    learning_curve : bool
        When variance remains at the end, train on 25/50/100 % of the training set to see
        whether more data would help.
    dev, test : (X, y), optional
        Sets of your own (see :func:`nnrecipe.split`).
    progress : bool
        Print each step as it finishes.
    """
    from ..data.labels import class_errors, encode_pair, encode_target
    from ..data.tables import Target, attach_table, is_frame, split_table

    budget = check_positive(budget, "budget", integer=True)
    learning_curve = check_flag(learning_curve, "learning_curve")
    progress = check_flag(progress, "progress")
    if images is not None:
        images = check_flag(images, "images")
    epochs = check_positive(epochs, "epochs", integer=True)
    batch_size = check_positive(batch_size, "batch_size", integer=True)
    optimizer = check_name(optimizer, tuple(optimizers.REGISTRY), "optimizer")
    learning_rate = optimizers.get(optimizer, learning_rate).learning_rate
    minutes = None if minutes is None else check_positive(minutes, "minutes")
    # validates the rates and thresholds before any training (it raises naming them)
    diagnose(0.0, 0.0, baseline_error, bias_threshold, variance_threshold)
    table = classes = None
    if is_frame(X):
        table = split_table(X, y, target=target, seed=seed, dev=dev, test=test)
        parts = table.parts
    else:
        if y is None:
            raise TypeError("improve needs y (the labels) unless X is a pandas DataFrame")
        if text_labels(y):  # "cat"/"dog": learned as 0..k−1, predicted as the names
            named = encode_target(y)
            y, classes = named.y, named.classes
            dev, test = encode_pair(dev, classes, "dev"), encode_pair(test, classes, "test")
        parts = split(X, y, seed=seed, dev=dev, test=test)
    train, dev_set, test_set = parts
    output, n_out = output_layer(train[1])
    if output == "linear":
        raise ValueError(
            "improve needs class labels (its diagnosis compares error rates); "
            "y looks like real-valued regression targets"
        )
    Xtr = np.asarray(train[0], dtype=np.float64)
    config = start_config(
        network, epochs, learning_rate, batch_size, optimizer, Xtr.shape[1], n_out
    )
    if table is not None:
        images = False  # the preprocessing standardized the numbers; one-hot stays 0/1
    images = looks_like_images(Xtr) if images is None else bool(images)
    # image pixels are already on one scale; per-pixel z-scores would blow up rarely-lit
    # border pixels (σ ≈ 0) and make shifted images meaningless
    standardizer = None if images or table is not None else Standardizer().fit(Xtr)
    trainer = Trainer(train, dev_set, standardizer, output, n_out, images, seed)
    thresholds = {"bias_threshold": bias_threshold, "variance_threshold": variance_threshold}
    printer = Printer(progress)
    if table is not None and not isinstance(y, Target):  # the CLI prints these itself
        print("\n".join(table.notes()))  # the target, the task, the class balance
    started = time.perf_counter()

    current = trainer(config)
    diag = diagnose(current.train_error, current.dev_error, baseline_error, **thresholds)
    start = ("start", "start", f"starting network: {config.describe()}", "measure first")
    steps = [_step(0, *start, None, current)]
    printer.step(steps[-1], diag)
    tried: set[str] = set()
    stop = "interrupted" if current.history.stop_reason == "interrupted" else None
    while stop is None:
        if diag.case == "good_fit":
            stop = "good_fit"
        elif len(steps) >= budget:
            stop = "budget"
        elif minutes is not None and time.perf_counter() - started >= 60 * minutes:
            stop = "time"
        if stop is not None:
            break
        # bias first; a high-variance fit whose bias knobs are spent moves on to variance
        kinds = (["bias"] if diag.high_bias else []) + (["variance"] if diag.high_variance else [])
        pick = None
        for kind in kinds:
            turned = knobs.next_knob(current.config, kind, tried, images)
            if turned is not None:
                pick = (kind, *turned)
                break
        if pick is None:
            stop = "no_knob_left"
            break
        kind, name, new_config, change = pick
        with printer.training(len(steps), change):
            run = trainer(new_config)
        if run.history.stop_reason == "interrupted":  # Ctrl-C: keep what was measured so far
            stop = "interrupted"
            break
        steps.append(_step(len(steps), name, kind, change, _reason(diag), current, run))
        if steps[-1].kept:
            current, tried = run, set()
            diag = diagnose(current.train_error, current.dev_error, baseline_error, **thresholds)
        else:
            tried.add(name)
        printer.step(steps[-1], diag)

    curve = None
    if learning_curve and diag.high_variance and stop != "interrupted":
        with printer.training(None, "learning curve of the chosen network"):
            curve = make_curve(
                lambda: trainer.network(current.config),
                *train,
                sizes=LEARNING_CURVE_SIZES,
                dev=dev_set,
                **trainer.fit_kwargs(current.config),
            )
        diag = diagnose(
            current.train_error,
            current.dev_error,
            baseline_error,
            learning_curve=curve,
            **thresholds,
        )
    test_error = current.network.evaluate(*test_set)["error"]  # once, on the chosen network
    result = ImproveResult(
        steps=steps,
        config=current.config,
        network=current.network,
        history=current.history,
        diagnosis=diag,
        train_error=current.train_error,
        dev_error=current.dev_error,
        test_error=test_error,
        baseline_error=baseline_error,
        stop_reason=stop,
        split=parts,
        learning_curve=curve,
        seconds=time.perf_counter() - started,
        images=images,
    )
    if table is not None:
        attach_table(result, table, dev_set)
    elif classes is not None:
        predicted = result.network.predict(dev_set[0])
        result.class_errors = class_errors(dev_set[1], predicted, classes)
        result.network.classes = result.classes = classes
    printer.finish(result)
    return result
