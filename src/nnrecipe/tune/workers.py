"""Workers of a hyperparameter study: each runs trials until the study has its target.

A worker loops: fail the trials of dead workers, count the finished trials (COMPLETE or
PRUNED) and the RUNNING ones, and

* stop when ``finished >= target`` or the deadline has passed;
* wait when ``finished + running >= target`` (the last trials are taken; if their worker
  dies, its trial is failed and this worker runs a replacement);
* otherwise run one trial with ``study.optimize(objective, n_trials=1)``, which also keeps
  the trial's heartbeat on database storages.

So any number of workers, in local processes or on other machines, share one study and
together finish exactly ``target`` trials (two workers taking the last slot at the same
instant may add one); a killed worker loses only the trial it was running.

A local worker watches its parent: when the parent is gone (``kill -9`` of ``nnrecipe
tune`` cannot pass a signal on), the worker stops as on Ctrl-C, within about
``POLL_SECONDS``: its running trial ends, nothing new starts, and the study stays
consistent and resumable (a trial left RUNNING is failed by the next run).
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from dataclasses import dataclass, field

from . import storage as tuning_storage

POLL_SECONDS = 0.5
ORPHANED = threading.Event()  # set in a worker whose parent process is gone
INTERRUPTED = threading.Event()  # set in a worker once SIGINT (Ctrl-C, or orphaned) arrived


def from_interrupt(exc: BaseException) -> bool:
    """Whether ``exc`` comes of the user's interrupt: a KeyboardInterrupt, an error raised
    while one was being handled (Optuna 5.1's ``_run_trial`` raises UnboundLocalError from
    its ``finally`` when Ctrl-C lands inside its own bookkeeping; the KeyboardInterrupt is
    that error's ``__context__``), or any error in a worker after SIGINT reached it."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, KeyboardInterrupt):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return INTERRUPTED.is_set()


def _on_sigint(signum, frame):
    """A worker's SIGINT handler: remember the interrupt, then raise as Python does."""
    INTERRUPTED.set()
    raise KeyboardInterrupt


@dataclass
class Job:
    """Everything a worker needs; plain data, so it crosses a process boundary."""

    storage: str | None
    study_name: str
    heartbeat: int
    target: int
    deadline: float | None
    sampler_seed: int | None
    settings: dict
    data: tuple = field(repr=False)


def counts(study) -> dict[str, int]:
    from optuna.trial import TrialState

    states = [t.state for t in study.get_trials(deepcopy=False)]
    return {s.name: sum(1 for x in states if x == s) for s in TrialState}


def fail_dead_workers(study, storage_obj) -> list[int]:
    """Fail RUNNING trials of workers on this host whose process no longer exists, and (on
    database storages) trials whose heartbeat went silent."""
    from optuna.trial import TrialState

    host = socket.gethostname() + ":"
    dead = set()
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        tag = t.user_attrs.get("worker", "")
        if tag.startswith(host) and not _alive(int(tag.rsplit(":", 1)[1])):
            dead.add(tag)
    failed = tuning_storage.fail_trials_of(study, storage_obj, dead) if dead else []
    tuning_storage.fail_stale_trials(study)
    return failed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def make_study(job: Job, storage_obj):
    import optuna

    settings = job.settings
    sampler = optuna.samplers.TPESampler(
        seed=job.sampler_seed,
        constant_liar=True,  # running trials count as "bad so far": workers spread out
        n_startup_trials=min(10, max(3, job.target // 3)),
    )
    if settings["prune"]:
        pruner = optuna.pruners.MedianPruner(
            n_startup_trials=5, n_warmup_steps=min(10, settings["epochs"] // 5)
        )
    else:
        pruner = optuna.pruners.NopPruner()
    return optuna.load_study(
        study_name=job.study_name, storage=storage_obj, sampler=sampler, pruner=pruner
    )


def run_trials(job: Job, storage_obj, objective, on_trial=None) -> str:
    """Run trials of ``job``'s study in this process until it is done; return why it stopped:
    ``"completed"`` (target reached) or ``"timeout"``."""
    study = make_study(job, storage_obj)
    while True:
        if ORPHANED.is_set():
            return "interrupted"
        if job.deadline is not None and time.time() >= job.deadline:
            return "timeout"
        fail_dead_workers(study, storage_obj)
        c = counts(study)
        finished = c["COMPLETE"] + c["PRUNED"]
        if finished >= job.target:
            return "completed"
        if finished + c["RUNNING"] >= job.target:
            time.sleep(POLL_SECONDS)
            continue
        study.optimize(lambda trial: objective(trial, job), n_trials=1, catch=())
        if on_trial is not None:
            on_trial(study)


def _limit_blas_threads(n_workers: int) -> None:
    """Share the cores among the workers instead of each BLAS using all of them."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(max(1, (os.cpu_count() or 1) // n_workers))


def watch_parent(parent: int, poll: float = POLL_SECONDS) -> threading.Thread:
    """Interrupt this process (SIGINT, as Ctrl-C) once ``parent`` is no longer its parent,
    and set :data:`ORPHANED` so no further trial starts."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll)
        ORPHANED.set()
        os.kill(os.getpid(), signal.SIGINT)

    thread = threading.Thread(target=watch, name="nnrecipe-parent-watch", daemon=True)
    thread.start()
    return thread


def _worker_entry(job: Job, objective, n_workers: int, errors, parent: int) -> None:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    _limit_blas_threads(n_workers)
    signal.signal(signal.SIGINT, _on_sigint)
    try:
        watch_parent(parent)
        run_trials(job, tuning_storage.open_storage(job.storage, job.heartbeat), objective)
    except BaseException as exc:
        if from_interrupt(exc):  # whatever a library raised on the way out: an interrupt
            raise SystemExit(130) from None
        errors.put(f"{type(exc).__name__}: {exc}")
        raise


def run_pool(job: Job, n_workers: int, objective, monitor, storage_obj) -> str:
    """Start ``n_workers`` local worker processes on ``job`` and watch them until they end.

    Returns ``"completed"``, ``"timeout"`` or ``"interrupted"`` (Ctrl-C); raises RuntimeError
    with the worker's message when a worker fails with an error.
    """
    import multiprocessing as mp
    import multiprocessing.connection

    # fork shares the data without copying it; elsewhere the job is sent to each process
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    errors = ctx.SimpleQueue()
    study = make_study(job, storage_obj)
    procs = [
        ctx.Process(
            target=_worker_entry,
            args=(with_worker_seed(job, i), objective, n_workers, errors, os.getpid()),
            name=f"nnrecipe-tune-{i}",
            daemon=True,
        )
        for i in range(n_workers)
    ]
    for p in procs:
        p.start()
    reason = "completed"
    try:
        while any(p.is_alive() for p in procs):
            mp.connection.wait([p.sentinel for p in procs if p.is_alive()], POLL_SECONDS)
            _fail_exited(study, storage_obj, procs)
            monitor.update(study)
    except KeyboardInterrupt:
        reason = "interrupted"
        for p in procs:
            if p.is_alive():
                os.kill(p.pid, signal.SIGINT)
        for p in procs:
            p.join(10)
            if p.is_alive():
                p.terminate()
                p.join()
    _fail_exited(study, storage_obj, procs)
    monitor.update(study)
    if not errors.empty() and reason != "interrupted":  # after Ctrl-C: still an interrupt
        raise RuntimeError(f"a tuning worker failed: {errors.get()}")
    if reason == "completed" and job.deadline is not None and time.time() >= job.deadline:
        c = counts(study)
        if c["COMPLETE"] + c["PRUNED"] < job.target:
            reason = "timeout"
    return reason


def with_worker_seed(job: Job, index: int) -> Job:
    import dataclasses

    import numpy as np

    seed = job.sampler_seed if job.sampler_seed is not None else 0
    # distinct per worker, or every worker would propose the same first points
    sub = int(np.random.SeedSequence([seed, index, os.getpid()]).generate_state(1)[0])
    return dataclasses.replace(job, sampler_seed=sub)


def _fail_exited(study, storage_obj, procs) -> None:
    host = socket.gethostname()
    gone = {f"{host}:{p.pid}" for p in procs if p.exitcode not in (None, 0)}
    if gone:
        tuning_storage.fail_trials_of(study, storage_obj, gone)
