"""The loop of :func:`nnrecipe.improve`: measure, diagnose, search one knob, keep or undo.

Decisions are noise-aware: a knob's best value replaces the current configuration only when
its per-example dev values beat the current ones by more than one standard error of the
paired difference (:func:`nnrecipe.recipe.metrics.better`). The clock is the budget: the search
stops ``reserve`` seconds before the end, time kept for the refit on train+dev (and a
learning curve when variance is high and the curve is cheap); a run that would start in the
last moments is not started, and a run in progress stops at the search deadline with its
best weights.
"""

from __future__ import annotations

import time

import numpy as np

from ..diagnosis import Diagnosis, diagnose
from . import averaging, knobs, metrics, parallel
from .baseline import auto_baseline, reference, zero_coded_columns
from .progress import Printer
from .result import Step
from .search import Sampler

# a walk stops after this many values in a row that do not beat the best so far; a network
# that got worse when shrunk rarely gets better shrunk further ("shrink": one miss)
WALKS = {"walk": 2, "shrink": 1}
# the search after the knobs proposes this many configurations at a time, trained at once
# and told in order: the same trail whatever n_jobs is, and two cores busy on a small table
SEARCH_BATCH = 2


class Stop(Exception):
    """Ends the search; ``args[0]`` is the stop reason."""


def _reason(d: Diagnosis) -> str:
    def show(value, digits=2):  # a percentage, or a plain number for mse/mae
        return metrics.show(value, d.metric, digits)

    bias = (
        f"avoidable bias {show(d.avoidable_bias)} (train {show(d.train_error)} − baseline "
        f"{show(d.baseline_error)}) > {show(d.bias_threshold, 1)}"
    )
    variance = (
        f"variance {show(d.variance)} (dev {show(d.dev_error)} − train "
        f"{show(d.train_error)}) > {show(d.variance_threshold, 1)}"
    )
    if d.case == "high_bias":
        return f"high bias: {bias}"
    if d.case == "high_variance":
        return f"high variance: {variance}"
    if d.case == "good_fit":
        return "good fit by the thresholds, time left: regularization may still lower dev"
    return f"high bias and high variance, bias first: {bias}; {variance}"


class Recipe:
    def __init__(self, trainer, config, *, user_baseline, thresholds, budget, seconds, seed,
                 progress, learning_curve, notes, ensemble: int = 1):  # fmt: skip
        self.trainer, self.start_config, self.seed = trainer, config, seed
        self.user_baseline, self.thresholds, self.budget = user_baseline, thresholds, budget
        self.started = time.perf_counter()
        self.end = self.started + seconds
        self.learning_curve, self.notes = learning_curve, list(notes)
        self.ensemble = ensemble  # networks averaged at the end (1: one network)
        self.printer = Printer(progress)
        # configurations trained at once: as many as there are workers (one: in process)
        n_jobs = getattr(trainer, "n_jobs", 1)
        self.width = 1 if n_jobs == 1 else parallel.workers(n_jobs)
        self.steps: list[Step] = []
        self.current = self.diag = self.ref = None
        self.stop, self.curve = None, None
        if trainer.folds > 1:
            self.notes.append(
                f"small dev set ({len(trainer.dev[0])} rows, or few of the rarest class): "
                f"decisions by {trainer.folds}-fold cross-validation on train+dev "
                f"({len(trainer.pooled[0])} rows)"
            )
        if trainer.metric == "balanced_error":
            self.notes.append(
                "balanced error: each network's output biases are shifted by −log(class "
                "share), so it predicts argmax p(c|x)/π_c, the balanced-error decision"
            )
        # pixels are dark (0) in plenty of images: the check is for tables
        zeros = [] if trainer.images else zero_coded_columns(trainer.pooled[0])
        if zeros:
            self.notes.append(
                f"columns {zeros} hold zeros isolated far below their other values, as a "
                "missing-value code would be: if they are missing values, impute them, or pass "
                "the table as a DataFrame (its preprocessing reads such zeros as missing)"
            )

    # ------------------------------------------------------------------ clock, baseline
    def refit_seconds(self) -> float:
        """The refit's expected time: seconds per epoch of the chosen run × its epoch count
        × (rows of train+dev / rows the run trained on)."""
        run, t = self.current, self.trainer
        if run is None:
            return 0.0
        per_epoch = run.history.time[-1] / len(run.history) if len(run.history) else run.seconds
        n_fit = len(t.train[0]) if t.folds <= 1 else len(t.pooled[0]) * (t.folds - 1) / t.folds
        return per_epoch * float(np.median(run.best_epochs)) * len(t.pooled[0]) / n_fit

    def curve_seconds(self) -> float:
        """A learning curve's expected time (25, 50 and 100 % of the training set)."""
        return 1.75 * self.current.seconds / max(1, self.trainer.folds)

    def reserve(self) -> float:
        """Seconds kept for the refit (1.5 times its expected time: a busy machine) and, when
        variance is high and it costs at most a tenth of the budget, a learning curve; none
        when even the refit no longer fits. A dearer curve gets only what the search and the
        refit leave: it advises, while the search and the refit make the model."""
        refit = self.refit_seconds()
        if time.perf_counter() + refit > self.end:
            return 0.0  # no time left for a refit: the search may use it all
        seconds = 1.5 * refit + averaging.seconds(self, self.ensemble, refit > 0)
        if (self.learning_curve and self.diag is not None and self.diag.high_variance
                and self.curve_seconds() <= 0.1 * (self.end - self.started)):  # fmt: skip
            seconds += self.curve_seconds()
        return seconds

    def search_end(self) -> float:
        return self.end - self.reserve()

    def baseline(self) -> tuple[float, str]:
        if self.user_baseline is not None:
            return float(self.user_baseline), "given (human-level / Bayes error)"
        return auto_baseline(self.ref)

    def diagnose(self, run, **kwargs) -> Diagnosis:
        base, source = self.baseline()
        d = diagnose(run.train_error, run.dev_error, base, **self.thresholds,
                     metric=self.trainer.metric, **kwargs)  # fmt: skip
        d.resolution, d.baseline_source = run.resolution, source
        return d

    def nothing_to_gain(self) -> bool:
        """A dev value of 0, or a good fit whose dev value is within two standard errors of
        a baseline the user gave."""
        run = self.current
        if run.dev_error == 0:
            return True
        return (
            self.user_baseline is not None
            and self.diag.case == "good_fit"
            and run.dev_error - self.user_baseline <= 2 * run.resolution
        )

    # ------------------------------------------------------------------ one run
    def measure(self, config, knob, kind, change, reason):
        run = self.train([config], change)[0]
        return self.record(run, config, knob, kind, change, reason)

    def train(self, configs, change):
        """Runs of ``configs``, trained at once (in parallel when the trainer has workers);
        Stop before any when the budget or the time is spent."""
        if self.budget is not None and len(self.steps) >= self.budget:
            raise Stop("budget")
        end = self.search_end()
        typical = self.current.seconds if self.current is not None else 0.0
        if self.steps and end - time.perf_counter() < 0.25 * typical:
            raise Stop("time")
        share = 0.75 if self.trainer.folds > 1 else 0.4  # the start leaves time for a refit
        first = self.started + share * (self.end - self.started)
        self.trainer.deadline = end if self.steps else first
        ahead = f" (+{len(configs) - 1} more at once)" if len(configs) > 1 else ""
        with self.printer.training(len(self.steps), change + ahead):
            return self.trainer.many(configs) if len(configs) > 1 else [self.trainer(configs[0])]

    def ahead(self, configs, changes):
        """``run_of(i, wanted)``: the run of ``configs[i]``, trained with the next wanted ones
        (``wanted``: their indices, from i on) ``width`` at a time; runs a walk then skips
        are dropped unrecorded, so the trail is the same whatever the width."""
        done: dict[int, object] = {}

        def run_of(i, wanted):
            if i not in done:
                if self.budget is not None:  # never more runs than the budget has left
                    wanted = wanted[: max(1, self.budget - len(self.steps))]
                batch = wanted[: self.width]
                done.update(zip(batch, self.train([configs[k] for k in batch], changes[i]),
                                strict=False))  # fmt: skip
            return done.pop(i)

        return run_of

    def record(self, run, config, knob, kind, change, reason):
        before = self.current
        cut = run.interrupted  # Ctrl-C: recorded as interrupted, never kept (but the start)
        diff, se = (None, None) if before is None or cut else metrics.paired_difference(
            run.values, before.values)  # fmt: skip
        step = Step(
            number=len(self.steps), knob=knob, kind=kind, change=change, reason=reason,
            train_before=None if before is None else before.train_error,
            dev_before=None if before is None else before.dev_error,
            train_after=run.train_error, dev_after=run.dev_error, seconds=run.seconds,
            kept=before is None, config=config.to_dict(),
            epochs=int(round(float(np.median(run.best_epochs)))), resolution=se,
            epochs_trained=run.epochs_trained, interrupted=cut,
        )  # fmt: skip
        self.steps.append(step)
        if before is None:
            self.current = run
            self.diag = self.diagnose(run)
        self.printer.step(step, self.diag)
        if cut:  # the best so far stays; the cut-short run is in the trail, not chosen
            raise KeyboardInterrupt
        return run, step

    def keep(self, run, step) -> bool:
        """Keep ``run`` if it beats the current one by more than the dev set resolves."""
        if not metrics.better(run.values, self.current.values):
            return False
        step.kept, self.current = True, run
        self.diag = self.diagnose(run)
        return True

    # ------------------------------------------------------------------ the loop
    def run(self) -> None:
        try:
            start = ("start", "start", f"starting network: {self.start_config.describe()}",
                     "measure first")  # fmt: skip
            cut, ref = False, None
            if self.user_baseline is None:  # first: the start's diagnosis already uses it
                # a quarter of the budget at most, and never the time kept for the refit
                share = time.perf_counter() + 0.25 * (self.end - self.started)
                args = (self.trainer, self.seed, min(share, self.search_end()))
                if self.width > 1:  # here, in a thread, while the workers train the start
                    ref = parallel.background(reference, *args)
                else:
                    try:
                        self.ref = reference(*args)
                    except KeyboardInterrupt:  # the start still runs: a model to save
                        self.ref, cut = "it was interrupted (Ctrl-C)", True
            run = self.train([self.start_config], start[2])[0]
            if ref is not None:
                self.ref = ref()
            if isinstance(self.ref, str):
                self.notes.append(f"no HistGradientBoosting reference: {self.ref}")
            self.record(run, self.start_config, *start)
            if cut:
                raise KeyboardInterrupt
            self.walk_knobs()
            self.refine()
        except Stop as stop:
            self.stop = stop.args[0]
        except KeyboardInterrupt:
            self.stop = "interrupted"

    def walk_knobs(self) -> None:
        tried: set[str] = set()
        while True:
            if self.nothing_to_gain():
                raise Stop("good_fit")
            kinds = ["bias", "variance"] if self.diag.high_bias else ["variance", "bias"]
            pick = None
            for kind in kinds:
                for name in knobs.BIAS if kind == "bias" else knobs.VARIANCE:
                    how, dirs = knobs.directions(name, self.current.config, self.trainer.images)
                    if name not in tried and any(dirs):
                        pick = (kind, name, how, dirs)
                        break
                if pick:
                    break
            if pick is None:
                return
            kind, name, how, dirs = pick
            tried.add(name)
            if self.search_knob(kind, name, how, dirs):
                tried = {name}

    def search_knob(self, kind, name, how, dirs) -> bool:
        before, reason = self.current, _reason(self.diag)
        best, tried = (before, None), [before.config]

        def measure(run, config, change):
            nonlocal best
            run, step = self.record(run, config, name, kind, change, reason)
            tried.append(config)
            if run.dev_error < best[0].dev_error:
                best = (run, step)
                return True
            return False

        def changes(configs, suffix=""):
            return [knobs.describe_change(before.config, c) + suffix for c in configs]

        try:
            flat = [(d, c) for d, direction in enumerate(dirs) for c in direction]
            run_of = self.ahead([c for _, c in flat], changes([c for _, c in flat]))
            ended: set[int] = set()  # directions whose walk has ended
            misses = dict.fromkeys(range(len(dirs)), 0)
            for i, (d, config) in enumerate(flat):
                if d in ended:
                    continue
                wanted = [k for k in range(i, len(flat)) if flat[k][0] not in ended]
                if measure(run_of(i, wanted), config, changes([config])[0]):
                    misses[d] = 0
                elif how in WALKS:
                    misses[d] += 1
                    if misses[d] == WALKS[how]:
                        ended.add(d)
            if best[1] is not None:
                more = knobs.refinements(name, best[0].config, tried)
                run_of = self.ahead(more, changes(more, " (refine)"))
                for i, config in enumerate(more):
                    measure(run_of(i, list(range(i, len(more)))), config,
                            changes([config], " (refine)")[0])  # fmt: skip
        finally:  # the budget may end the knob's search: its best so far still counts
            kept = best[1] is not None and self.keep(*best)
        return kept

    def refine(self) -> None:
        sampler = Sampler(self.current.config, self.current.dev_error, self.seed)
        reason = f"every knob tried, time left: {sampler.name}"
        self.notes.append(f"after the knobs, the time left went to a search: {sampler.name}")
        while True:
            if self.nothing_to_gain():
                raise Stop("good_fit")
            left = SEARCH_BATCH if self.budget is None else self.budget - len(self.steps)
            configs = [sampler.ask() for _ in range(max(1, min(SEARCH_BATCH, left)))]
            change = knobs.describe_change(self.current.config, configs[0])
            for config, run in zip(configs, self.train(configs, change), strict=False):
                change = knobs.describe_change(self.current.config, config)
                run, step = self.record(run, config, "search", "refine", change, reason)
                self.keep(run, step)
                sampler.tell(run.dev_error, self.current.config)
