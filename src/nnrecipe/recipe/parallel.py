"""Independent training runs in parallel worker processes: joblib, one BLAS thread each.

    results = run_all(task, items, n_jobs=None, deadline=None)

calls ``task(item, at)`` once per item and returns the results **in the items' order**,
never in the order they finish, so anything that depends on a run's place (its seed, its
step in the trail) is the same whatever ``n_jobs`` is. ``at`` is the shared wall-clock
``deadline`` (a ``time.time()`` value, or one per item) turned into this process's
``time.perf_counter()`` clock, the clock of the training loop's deadline callback, so a
worker stops training at the deadline keeping its best weights, as an in-process run does.

* ``n_jobs``: None or −1 → every core (or, inside ``joblib.parallel_config(backend="dask")``
  with a ``dask.distributed`` client, every worker of the cluster); 1 → in this process, no
  pool. Workers come from joblib's active backend: loky (the one scikit-learn uses) unless
  the caller chose another, which is how runs reach a Dask cluster unchanged.
* One BLAS thread per run (``threadpoolctl``), in workers and in process alike: k runs on k
  cores do not fight over threads, and a run's floating-point sums never depend on how many
  threads BLAS had, so results are bit-identical whatever ``n_jobs`` is.
* Memory: arrays larger than ``max_nbytes`` inside the arguments (the training rows a
  trainer holds) are written once to a temporary file that every worker memory-maps
  read-only (joblib's memmapping), not copied into each worker; joblib deletes the file when
  the call ends.
* Workers die with their parent: loky ends them on Ctrl-C and on errors, and each worker
  watches its parent process, exiting within a second when it is gone (SIGKILL included),
  even in the middle of a run; loky's resource tracker then removes the memory-mapped files.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence

from threadpoolctl import threadpool_limits

from .._checks import check_positive

WATCH_SECONDS = 0.5  # how often a worker checks that its parent is alive
_watching = False


def check_n_jobs(n_jobs) -> int:
    """``n_jobs`` as joblib takes it: −1 for every core (``None`` too), else an integer ≥ 1."""
    if n_jobs is None or (n_jobs == -1 and not isinstance(n_jobs, bool)):
        return -1
    return check_positive(n_jobs, "n_jobs", integer=True)


def workers(n_jobs) -> int:
    """How many runs go at once with ``n_jobs``: joblib's count for the active backend (every
    core for −1 with loky; the cluster's workers with Dask)."""
    from joblib import effective_n_jobs

    return max(1, int(effective_n_jobs(check_n_jobs(n_jobs))))


def run_all(
    task: Callable,
    items: Iterable,
    *,
    n_jobs: int | None = None,
    deadline: float | Sequence[float | None] | None = None,
    max_nbytes: str | int | None = "1M",
    stop: Callable | None = None,
    order: Sequence[int] | None = None,
) -> list:
    """``[task(item, at) for item in items]``, computed by ``n_jobs`` workers (see the
    module docstring); ``deadline`` is one ``time.time()`` value for all, or one per item.
    In process, ``stop(result)`` true ends the list at that result (a run that Ctrl-C cut
    short: the runs after it are not started); in workers, Ctrl-C raises KeyboardInterrupt
    here and loky ends the workers. ``order`` (a permutation of the items' indices, e.g.
    :func:`longest_first`) is the order workers start them in, one item per dispatch;
    the results come back in the items' order all the same (in process it is ignored)."""
    items = list(items)
    n_jobs = check_n_jobs(n_jobs)
    ends = list(deadline) if isinstance(deadline, Sequence) else [deadline] * len(items)
    if len(ends) != len(items):
        raise ValueError(f"deadline has {len(ends)} values for {len(items)} items; one each")
    if n_jobs == 1 or len(items) <= 1:
        results = []
        for item, end in zip(items, ends, strict=True):
            results.append(_work(task, item, end, False))
            if stop is not None and stop(results[-1]):
                break
        return results
    from joblib import Parallel, delayed

    order = list(range(len(items))) if order is None else [int(i) for i in order]
    if sorted(order) != list(range(len(items))):
        raise ValueError(f"order must be a permutation of 0..{len(items) - 1}; got {order}")
    # batch_size=1: joblib's automatic batching groups quick items with the next ones, and a
    # long run batched behind them leaves the other worker idle at the end
    parallel = Parallel(n_jobs=n_jobs if n_jobs == -1 else min(n_jobs, len(items)),
                        max_nbytes=max_nbytes, batch_size=1)  # fmt: skip
    done = parallel(delayed(_work)(task, items[i], ends[i], True) for i in order)
    results = [None] * len(items)
    for i, result in zip(order, done, strict=True):
        results[i] = result
    return results


def longest_first(costs: Sequence[float]) -> list[int]:
    """The items' indices by decreasing expected cost (ties: in their order): started in
    that order, k workers finish a list of unequal runs sooner (the longest-processing-time
    rule, within 4/3 of the best schedule), where in the items' order a long run started
    last keeps one worker busy while the others wait."""
    return sorted(range(len(costs)), key=lambda i: -costs[i])


def background(fn: Callable, *args) -> Callable:
    """Start ``fn(*args)`` in a thread of this process (a daemon: it never holds the
    process open) and return ``result()``, which waits for it and returns its value or
    raises its exception. For work that runs here while workers train (scikit-learn's
    fits release the GIL): the parent's core would otherwise wait on them."""
    box: dict = {}

    def target():
        try:
            box["value"] = fn(*args)
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target, name="nnrecipe-background", daemon=True)
    thread.start()

    def result():
        thread.join()
        if "error" in box:
            raise box["error"]
        return box["value"]

    return result


def _work(task: Callable, item, deadline: float | None, worker: bool):
    """One run: one BLAS thread, the wall-clock deadline on this process's clock."""
    if worker:
        _watch_parent()
    at = None if deadline is None else time.perf_counter() + (deadline - time.time())
    with threadpool_limits(limits=1):
        return task(item, at)


def _watch_parent() -> None:
    """Start (once per worker process) a thread that ends the process when its parent dies:
    an orphan is re-parented, so ``os.getppid()`` changes."""
    global _watching
    if _watching:
        return
    _watching, parent = True, os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(WATCH_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="nnrecipe-parent-watch", daemon=True).start()
