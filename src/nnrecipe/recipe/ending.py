"""The end of :func:`nnrecipe.improve`, after the search: the model the user gets.

In order, each only when the budget leaves time for it and no Ctrl-C stopped the search:
the chosen configuration refit on train+dev (:mod:`nnrecipe.recipe.refit`; with k-fold and
no refit, the mean of its fold networks), the ensemble step (:mod:`nnrecipe.recipe.averaging`),
a learning curve when variance is high (its advice comes after the model), and then the test
set, once, on the model returned.
"""

from __future__ import annotations

import time

from . import averaging, metrics
from .learning_curves import learning_curve as make_curve
from .refit import refit_chosen
from .result import ImproveResult


def finish(recipe, refit: bool, test_set, sizes) -> ImproveResult:
    """The :class:`ImproveResult` of a :class:`~nnrecipe.recipe.loop.Recipe` whose search
    has ended: the model (refit, bagged or averaged as the module docstring says), its test
    scores (``test_set``: the rows set aside, used here once) and the trail; ``sizes`` are
    the learning curve's training-set fractions."""
    run, stop = recipe.current, recipe.stop or "time"
    if run is None:  # Ctrl-C before any run was recorded (workers: the start's folds)
        raise KeyboardInterrupt("interrupted before the first network was trained")
    diag = recipe.diagnose(run)
    network, refitted = run.network, False
    if refit and stop != "interrupted":
        network, refitted = refit_chosen(recipe, run)
    if not refitted and recipe.trainer.folds > 1:
        network = averaging.folds_of(recipe, run)
    if recipe.ensemble > 1 and stop != "interrupted":
        try:
            network, step = averaging.average(recipe, recipe.ensemble, network, refitted)
        except KeyboardInterrupt:
            stop = "interrupted"
            recipe.notes.append("no ensemble: Ctrl-C stopped it; the one network is kept")
        else:
            if step is not None:
                recipe.steps.append(step)
                recipe.printer.step(step, diag)
    # the refit first: the model the user gets matters more than the curve's advice
    if recipe.learning_curve and diag.high_variance and stop != "interrupted":
        diag = _curve(recipe, sizes) or diag
    X_test, y_test = test_set
    proba = network.predict_proba(X_test)  # the test set: once, at the end
    regression = recipe.trainer.output == "linear"
    names = metrics.REGRESSION if regression else metrics.CLASSIFICATION
    scores = {m: metrics.score(m, y_test, proba) for m in names}
    diag.notes.extend(recipe.notes)
    return ImproveResult(
        steps=recipe.steps, config=run.config, network=network, history=run.history,
        diagnosis=diag, train_error=run.train_error, dev_error=run.dev_error,
        test_error=scores[recipe.trainer.metric], baseline_error=diag.baseline_error,
        stop_reason=stop, split=None, learning_curve=recipe.curve,
        seconds=time.perf_counter() - recipe.started, metric=recipe.trainer.metric,
        baseline_source=diag.baseline_source, refit=refitted, folds=recipe.trainer.folds,
        test_scores=scores, notes=list(recipe.notes),
    )  # fmt: skip


def _curve(recipe, sizes):
    """The chosen configuration's learning curve and the diagnosis it changes (None when the
    metric or the time left does not allow one: a note says why)."""
    t, run = recipe.trainer, recipe.current
    if t.metric == "mae":  # the curve measures the network's own error, the mse
        recipe.notes.append("no learning curve: it measures mse, and the metric is mae")
        return None
    if time.perf_counter() + recipe.curve_seconds() > recipe.end:
        recipe.notes.append("no learning curve: the budget left no time for it")
        return None
    t.deadline = recipe.end
    with recipe.printer.training(None, "learning curve of the chosen network"):
        recipe.curve = make_curve(lambda: t.network(run.config), *t.train, sizes=sizes,
                                  **t.fit_kwargs(run.config, dev=t.dev, train_y=t.train[1]),
                                  dev=t.dev)  # fmt: skip
    recipe.curve.metric = "mse" if t.output == "linear" else "error"
    return recipe.diagnose(run, learning_curve=recipe.curve)
