"""The last step of :func:`nnrecipe.improve`: average k networks of the chosen configuration
when that beats one network by more than the dev set resolves.

The chosen configuration is trained k − 1 more times, with seeds s + 1, ..., s + k − 1 (a
member's seed is its place, never the order runs finish), on exactly the rows of the chosen
run (hold-out: the training set; k-fold: each fold's rows), each for the epoch count the
chosen run's early stopping found (per fold), with no early stopping: no member picks its
epoch on the rows it is measured on. Its dev (out-of-fold) outputs and theirs are averaged
example by example,

    P_i = (1/k) Σ_j A⁽ʲ⁾_i,

and the per-example values v_i of the metric on P are compared with one network's, pairwise,
by the rule of every other decision (:func:`nnrecipe.recipe.metrics.better`: mean(v_ens −
v_one) < −SE); without a refit it must also be no worse than the chosen network on those
rows (:func:`keeps`). One network's value of example i is the mean of its k networks' values
(1/k) Σ_j v⁽ʲ⁾_i: the expected value of a network of this configuration, which is what the
refit without an ensemble would be. Not the chosen seed's alone: that one won the search and
picked its epochs on these rows, so its dev value is biased low (on the medical stand-in,
23.9 % for the chosen seed against 25.9 % for the mean of five seeds when the other seeds
also stopped early on these rows). Kept, the model becomes an :class:`nnrecipe.Ensemble` of k
networks: the chosen network refit on train+dev (member 0), as many of the other seeds refit
on train+dev as fit in the time left, and the rest as measured; with no refit, the k measured
networks (k-fold: each seed's fold-1 network). The trail shows it as a step ("ensemble of 5: dev
3.9 % → 3.1 %"), kept or undone; a member the deadline cut short leaves the one network
(no step); Ctrl-C during it keeps the single network.
"""

from __future__ import annotations

import time

import numpy as np

from ..ensemble import Ensemble
from . import metrics
from .result import Step

SIZE = 5  # RealMLP's paper: 5 averaged networks cut its error 6-9 % relative (Table B.4)
SHARE = 0.25  # the most of the budget the search leaves for the ensemble


def member_seconds(run) -> float:
    """A member's expected training time on one worker: the chosen run's seconds per epoch
    (its history) × Σ_j b_j, the epochs it keeps over its folds (b_j: fold j's best; the run
    itself trained a patience's epochs past each, and measured dev every epoch)."""
    h = run.history
    per_epoch = h.time[-1] / len(h) if len(h) and h.time else run.seconds
    return per_epoch * float(sum(run.best_epochs))


def wall(recipe, trainings: int, each: float, folds: bool = True) -> float:
    """Wall seconds of ``trainings`` of ``each`` seconds on ``width`` workers: whole
    trainings in waves of ``width`` (hold-out, refits), or, with k-fold (``folds``), their k
    folds spread over the workers."""
    if folds and recipe.trainer.folds > 1:
        return trainings * each / recipe.width
    return -(-trainings // recipe.width) * each


def seconds(recipe, size: int, refit: bool) -> float:
    """Time the search leaves for the ensemble: its k − 1 more runs (:func:`member_seconds`)
    and their refits, ``width`` at a time (:func:`wall`), at most :data:`SHARE` of the
    budget (a smaller ensemble, or none, when they would take more: the search comes
    first)."""
    if size <= 1 or recipe.current is None:
        return 0.0
    needed = wall(recipe, size - 1, member_seconds(recipe.current))
    if refit:
        needed += wall(recipe, size - 1, recipe.refit_seconds(), folds=False)
    return min(needed, SHARE * (recipe.end - recipe.started))


def most(recipe, limit: int, each: float, folds: bool = True) -> int:
    """The most trainings (≤ ``limit``) of ``each`` seconds whose :func:`wall` fits in the
    time left."""
    left, n = recipe.end - time.perf_counter(), 0
    while n < limit and wall(recipe, n + 1, each, folds) <= left:
        n += 1
    return n


def fitting(recipe, size: int) -> int:
    """The most networks (≤ ``size``, the chosen one included) whose runs fit in the time
    left, ``width`` at a time."""
    return 1 + most(recipe, size - 1, member_seconds(recipe.current))


def average(recipe, size: int, network, refitted: bool):
    """``(model, step)``: the Ensemble when it beats ``network`` (else ``network``) and the
    trail's step, or ``(network, None)`` when the budget leaves no time to measure it."""
    run, trainer = recipe.current, recipe.trainer
    size = fitting(recipe, size)
    if size < 2:
        recipe.notes.append("no ensemble: the budget left no time to measure one")
        return network, None
    seeds = [recipe.seed + j for j in range(1, size)]
    trainer.deadline = recipe.end
    change = f"ensemble of {size} (seeds {recipe.seed}–{seeds[-1]}, mean probability)"
    start = time.perf_counter()
    with recipe.printer.training(len(recipe.steps), change):
        runs = trainer.many([run.config] * (size - 1), seeds=seeds, epochs=run.best_epochs)
    if len(runs) < size - 1 or any(r.interrupted for r in runs):
        raise KeyboardInterrupt  # Ctrl-C: the single network stays
    if any(r.short for r in runs):  # a member of fewer epochs would be no fair measure
        recipe.notes.append("no ensemble: the budget ended its networks' training early")
        return network, None
    mean = run.proba.astype(np.float64)
    for other in runs:
        mean += other.proba
    mean /= size
    values = trainer.dev_values(mean)
    # one network of this configuration: the mean over the seeds of each example's value
    # (the chosen seed's own value is biased low: it won the search against other runs)
    single = np.mean([run.values, *(r.values for r in runs)], axis=0)
    kept = keeps(values, single, None if refitted else run.values)
    diff, se = metrics.paired_difference(values, single)
    step = Step(
        number=len(recipe.steps), knob="ensemble", kind="ensemble", change=change,
        reason="averaging networks lowers variance (RealMLP, TabM): kept if it beats one "
        "network (dev before: the mean over its seeds, each trained for the chosen run's "
        "epochs) by more than the dev set resolves",
        train_before=run.train_error, dev_before=float(single.mean()),
        train_after=float(np.mean([run.train_error] + [r.train_error for r in runs])),
        dev_after=float(values.mean()), seconds=time.perf_counter() - start, kept=kept,
        config=run.config.to_dict(), epochs=int(round(float(np.median(run.best_epochs)))),
        resolution=se, epochs_trained=run.epochs_trained,
    )  # fmt: skip
    if not kept:
        return network, step
    return _members(recipe, network, refitted, runs, seeds), step


def keeps(values: np.ndarray, single: np.ndarray, chosen: np.ndarray | None) -> bool:
    """Keep the ensemble (per-example dev values ``values``) when it beats one network of its
    configuration (``single``: each example's value averaged over the seeds, each trained for
    a fixed epoch count) by the rule of every decision. That is what the user otherwise gets
    after a refit (one network, a fixed epoch count). Without a refit (``chosen``: the chosen
    network's values) the alternative is the chosen network itself, stopped at its best dev
    epoch, so the ensemble must also be no worse than it on dev: a cautious test (that value
    is biased low), taken because on a 3,000-row table, hold-out, no refit, two ensembles
    kept by the first test alone were 1 and 3 test rows of 600 worse than the chosen network
    (members at a fixed epoch count were worse than it too)."""
    if not metrics.better(values, single):
        return False
    return chosen is None or float(np.mean(values)) <= float(np.mean(chosen))


def folds_of(recipe, run):
    """Not refit, with k-fold: the mean of the chosen run's k fold networks (each trained on
    (k − 1)/k of train+dev; every row seen by k − 1 of them), the bagged model the
    cross-validation already paid for, rather than fold 1's alone; fold 1's network when a
    fold is missing or was cut short (Ctrl-C)."""
    k = recipe.trainer.folds
    if len(run.networks) < k or run.interrupted:
        recipe.notes.append("not refit: the network is fold 1's of the cross-validation")
        return run.network
    recipe.notes.append(
        f"not refit: the model averages the chosen run's {k} fold networks (each trained on "
        f"{k - 1}/{k} of train+dev; its dev value is theirs, out of fold)"
    )
    return Ensemble(run.networks)


def _members(recipe, network, refitted: bool, runs, seeds) -> Ensemble:
    """The kept ensemble. When the chosen network was refit on train+dev (member 0), as many
    of the other seeds as whole waves of refits fit in the time left are refit too; the
    rest are the measured networks (trained on the training set; k-fold: fold 1's), which
    are networks of the same configuration on fewer rows. No refit: the measured networks
    (k-fold: every fold's network of every seed)."""
    t, run = recipe.trainer, recipe.current
    where = ", each fold 1's of the cross-validation" if t.folds > 1 else ""
    if not refitted:
        if t.folds > 1:
            nets = [*run.networks, *(n for r in runs for n in r.networks)]
            recipe.notes.append(
                f"the model is an ensemble of the {len(nets)} measured networks: "
                f"{len(seeds) + 1} seeds ({recipe.seed}–{seeds[-1]}) × {t.folds} folds"
            )
            return Ensemble(nets)
        recipe.notes.append(
            f"the model is an ensemble of the {len(seeds) + 1} measured networks (seeds "
            f"{recipe.seed}–{seeds[-1]})"
        )
        return Ensemble([run.network, *(r.network for r in runs)])
    n, nets = most(recipe, len(seeds), recipe.refit_seconds(), folds=False), []
    if n:
        epochs = int(round(float(np.median(run.best_epochs))))
        t.deadline = recipe.end
        with recipe.printer.training(None, f"refit {n} more on train+dev"):
            nets = t.refits(run.config, epochs, seeds[:n]) or []  # cut short: none kept
    if len(nets) == len(seeds):
        recipe.notes.append(
            f"the model is an ensemble of {len(seeds) + 1} networks of the chosen "
            f"configuration refit on train+dev with seeds {recipe.seed}–{seeds[-1]}"
        )
    else:
        recipe.notes.append(
            f"the model is an ensemble of {len(seeds) + 1} networks of the chosen "
            f"configuration (seeds {recipe.seed}–{seeds[-1]}): {len(nets) + 1} refit on "
            f"train+dev, {len(seeds) - len(nets)} as measured{where} (the budget left no "
            "time to refit them)"
        )
    return Ensemble([network, *nets, *(r.network for r in runs[len(nets) :])])
