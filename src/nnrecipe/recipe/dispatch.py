"""How a :class:`~nnrecipe.recipe.runs.Trainer` spreads its trainings over worker processes.

One training is one fold of one configuration (hold-out: the configuration), run by
``Trainer.piece``; :meth:`Dispatch.many` hands every training of a batch of configurations
to :func:`nnrecipe.recipe.parallel.run_all` at once, so two workers are busy even when a
single configuration has fewer folds than workers. Two rules make the batch finish soon and
the same whatever ``n_jobs`` is:

* order: workers start the folds that took the most epochs last time first
  (:func:`nnrecipe.recipe.parallel.longest_first`, the longest-processing-time rule); the
  results come back in the items' order, and each training's seed is its place;
* deadlines: the time left to the trainer's ``deadline`` is shared in equal slices by the
  waves of ``workers`` trainings at a time (:meth:`Dispatch._deadlines`), so a late wave
  still gets its share and every worker stops at the budget with its best weights.

The refits of an ensemble's members (:meth:`Dispatch.refits`) go the same way.
"""

from __future__ import annotations

import time

from . import parallel


class Dispatch:
    """The parallel half of :class:`~nnrecipe.recipe.runs.Trainer` (a mixin: it uses the
    trainer's ``piece``, ``_run``, ``refit``, ``folds``, ``n_jobs``, ``deadline`` and
    ``fold_epochs``)."""

    def many(self, configs, seeds=None, epochs=None) -> list:
        """A :class:`~nnrecipe.recipe.runs.Run` of each configuration (with ``seeds``: each
        its own seed), their trainings (k folds each with cross-validation) spread over
        ``n_jobs`` worker processes (:mod:`nnrecipe.recipe.parallel`): the same runs
        whatever ``n_jobs`` is. With ``epochs`` (one count per fold; hold-out: one), every
        training runs exactly that many epochs, without early stopping (``Run.short`` when
        the deadline cut one). Ctrl-C in process ends the list at the run it cut short
        (recorded as interrupted)."""
        seeds = [self.seed] * len(configs) if seeds is None else list(seeds)
        folds = list(range(self.folds)) if self.folds > 1 else [None]
        fixed = [None] * len(folds) if epochs is None else [int(e) for e in epochs]
        items = [(c, j, s, e) for c, s in zip(configs, seeds, strict=True)
                 for j, e in zip(folds, fixed, strict=True)]  # fmt: skip
        # workers start the folds that took the most epochs last time first (a fold's rows
        # make it long or short whatever the configuration); the deadlines go by that order.
        # In process (one job) the items run in their order, as their deadlines do
        costs = [self.fold_epochs.get(j, 0) if self.n_jobs != 1 else 0 for _, j, _, _ in items]
        order = parallel.longest_first(costs)
        ends = [None] * len(items)
        for i, end in zip(order, self._deadlines(len(items)), strict=True):
            ends[i] = end
        start = time.perf_counter()
        pieces = parallel.run_all(
            self.piece,
            items,
            n_jobs=self.n_jobs,
            deadline=ends,
            stop=lambda piece: piece[1].stop_reason == "interrupted",
            order=order,
        )
        took: dict = {}  # each fold's most epochs over the configurations
        for (_, j, _, _), piece in zip(items, pieces, strict=False):
            took[j] = max(took.get(j, 0), len(piece[1]))
        self.fold_epochs.update(took)
        seconds = (time.perf_counter() - start) / max(1, len(configs))
        runs = []
        for i, config in enumerate(configs):
            own = pieces[i * len(folds) : (i + 1) * len(folds)]
            if own:
                runs.append(self._run(config, own, seconds))
                runs[-1].short = epochs is not None and (
                    len(own) < len(folds)
                    or any(len(p[1]) < e for p, e in zip(own, fixed, strict=False))
                )
        return runs

    def _deadlines(self, n: int) -> list[float | None]:
        """Wall-clock deadlines of n trainings: the time left to ``deadline`` shared in
        equal slices by the waves of ``workers`` trainings at a time (one worker: as many
        slices as trainings)."""
        if self.deadline is None:
            return [None] * n
        workers = parallel.workers(self.n_jobs)
        waves = -(-n // workers)
        left = max(0.0, self.deadline - time.perf_counter())
        now = time.time()
        return [now + left * (i // workers + 1) / waves for i in range(n)]

    def refits(self, config, epochs: int, seeds) -> list | None:
        """:meth:`refit` once per seed, over ``n_jobs`` workers; None when the deadline or
        Ctrl-C cut one short."""
        done = parallel.run_all(
            self._refit,
            [(config, epochs, s) for s in seeds],
            n_jobs=self.n_jobs,
            deadline=self._deadlines(len(seeds)),
            stop=lambda refit: refit[1].stop_reason == "interrupted",
        )
        if len(done) < len(seeds) or any(
            len(h) < epochs or h.stop_reason == "interrupted" for _, h in done
        ):
            return None
        return [net for net, _ in done]

    def _refit(self, item, at):
        saved, self.deadline = self.deadline, at
        try:
            return self.refit(*item)
        finally:
            self.deadline = saved
