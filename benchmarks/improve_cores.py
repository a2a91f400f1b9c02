"""Where ``improve``'s second core idles: per-phase wall and CPU seconds, and how often two of
its processes could run, for ``n_jobs`` = 1 and 2 (issue 25).

    OMP_NUM_THREADS=1 python benchmarks/improve_cores.py --datasets cancer --minutes 0.5 \
        --jobs 1,2,1,2

For each value of ``--jobs`` in turn (alternate them: other work on the machine changes from
minute to minute): the runs recorded a minute, the configurations trained (runs trained
ahead and dropped by a walk that ended are the difference), the CPU seconds of the parent and
its workers against 2 × the wall time (the idle core-seconds), per phase (the reference
model, the start run, the batches of the search, the end: refit and ensemble), and the share
of the time in which 0, 1, 2 or 3 of this run's processes were runnable (sampled every 20 ms
from ``/proc``: a process waiting for a core counts, so the share says what the recipe asked
for, whatever the machine's load gave it). The load average is printed with each line:
speed-ups need idle cores, the shares do not.
"""

from __future__ import annotations

import argparse
import collections
import os
import threading
import time

import psutil
from improve_quality import load
from sklearn.model_selection import train_test_split

import nnrecipe as nr
from nnrecipe.recipe import loop

ME = psutil.Process()


def cpu_seconds() -> float:
    """User + system seconds of this process and its workers so far."""
    total = 0.0
    for p in [ME, *ME.children(recursive=True)]:
        try:
            t = p.cpu_times()
        except psutil.Error:
            continue
        total += t.user + t.system
    return total


class Marks:
    """(label, wall, CPU) at the starts of improve's phases: the start (reference model and
    start run: side by side when n_jobs > 1), the search, the end (refit, ensemble)."""

    def __init__(self):
        self.marks, self.batches, self.trained = [], 0, 0

    def mark(self, label):
        if not self.marks or self.marks[-1][0] != label:
            self.marks.append((label, time.perf_counter(), cpu_seconds()))

    def phases(self, wall_end, cpu_end):
        ends = [*self.marks[1:], (None, wall_end, cpu_end)]
        return [(m[0], e[1] - m[1], e[2] - m[2]) for m, e in zip(self.marks, ends, strict=True)]

    def install(self):
        def around(name, before, after=None):
            inner = getattr(loop.Recipe, name)

            def wrapped(recipe, *args, **kwargs):
                before(recipe, args)
                out = inner(recipe, *args, **kwargs)
                if after is not None:
                    after(recipe, out)
                return out

            setattr(loop.Recipe, name, wrapped)

        def trained(recipe, runs):  # runs trained (a Stop before training trains none)
            self.batches += 1
            self.trained += len(runs)

        around("run", lambda recipe, args: self.mark("start: reference model, start run"))
        around("record", lambda recipe, args: recipe.steps and self.mark("search"))
        around("train", lambda recipe, args: None, trained)
        around("finish", lambda recipe, args: self.mark("end: refit, ensemble"))


def runnable(stop: threading.Event, counts: collections.Counter) -> None:
    """Count, every 20 ms, this run's processes that are running or waiting for a core."""
    while not stop.is_set():
        n = 0
        for p in [ME, *ME.children(recursive=True)]:
            try:
                if p.status() == psutil.STATUS_RUNNING and "resource_tracker" not in str(
                    p.cmdline()
                ):
                    n += 1
            except psutil.Error:
                continue
        counts[min(n, 3)] += 1
        time.sleep(0.02)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="cancer,medical")
    parser.add_argument("--minutes", type=float, default=0.5)
    parser.add_argument("--jobs", default="1,2,1,2")
    args = parser.parse_args()
    marks = Marks()
    marks.install()
    for name in args.datasets.split(","):
        X, y, images, _ = load(name)
        if isinstance(y, str):
            y = X.pop(y).to_numpy()
        Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
        for jobs in [int(j) for j in args.jobs.split(",")]:
            marks.__init__()
            counts, stop = collections.Counter(), threading.Event()
            threading.Thread(target=runnable, args=(stop, counts), daemon=True).start()
            start, cpu = time.perf_counter(), cpu_seconds()
            r = nr.improve(Xtr, ytr, minutes=args.minutes, test=(Xte, yte), images=images,
                           n_jobs=jobs)  # fmt: skip
            phases = marks.phases(time.perf_counter(), cpu_seconds())
            wall, cpu = time.perf_counter() - start, cpu_seconds() - cpu
            stop.set()
            recorded = sum(s.knob != "ensemble" for s in r.steps)
            share = {k: f"{v / sum(counts.values()):.0%}" for k, v in sorted(counts.items())}
            print(f"{name} n_jobs={jobs}: {60 * recorded / wall:.1f} runs/min ({recorded} "
                  f"recorded, {marks.trained} trained in {marks.batches} batches) in "
                  f"{wall:.1f} s, CPU {cpu:.1f} s (idle core-s {2 * wall - cpu:.1f}), test "
                  f"{r.test_error:.2%}, load "
                  f"{os.getloadavg()[0]:.1f}; runnable 0/1/2/3: {share}")  # fmt: skip
            for label, w, c in phases:
                print(
                    f"    {label:36s} wall {w:6.2f} s  CPU {c:6.2f} s  idle core-s {2 * w - c:6.2f}"
                )


if __name__ == "__main__":
    main()
