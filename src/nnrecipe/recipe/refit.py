"""The chosen configuration refit on train+dev before the one test evaluation.

The refit trains for the chosen run's early-stopping epoch count (the median over its folds
with k-fold), on every row the decisions were measured on, with no dev set left to stop it.
It happens only when the budget leaves time for it (:meth:`Recipe.refit_seconds`) and runs
to the end; a refit that the deadline or Ctrl-C cuts short is thrown away and the chosen
run's own network is kept. The notes say which happened.
"""

from __future__ import annotations

import time

import numpy as np


def refit_chosen(recipe, run):
    """``(network, refitted)``: ``run``'s configuration refit on train+dev, or ``run``'s own
    network (``refitted`` False) when there is no time or the refit was cut short."""
    if time.perf_counter() + recipe.refit_seconds() > recipe.end:
        recipe.notes.append("not refit: the budget left no time for it")
        return run.network, False
    trainer = recipe.trainer
    epochs = int(round(float(np.median(run.best_epochs))))
    trainer.deadline = recipe.end
    with recipe.printer.training(None, f"refit on train+dev, {epochs} epochs"):
        net, history = trainer.refit(run.config, epochs)
    if len(history) < epochs:
        recipe.notes.append(
            f"not refit: the budget ended the refit after {len(history)} of {epochs} "
            "epochs, so the network is the chosen run's"
        )
        return run.network, False
    if history.stop_reason == "interrupted":
        return run.network, False
    recipe.notes.append(
        f"the chosen configuration was refit on train+dev ({len(trainer.pooled[0])} rows) "
        f"for {epochs} epochs (its early-stopping epoch count"
        + (", the median over its folds" if trainer.folds > 1 else "")
        + "); train and dev values are those of the run chosen"
    )
    return net, True
