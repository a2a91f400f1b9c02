"""Where a hyperparameter study lives, so that many processes and machines can share it.

``storage`` names an Optuna storage:

* a database URL (``postgresql://user@host:5432/db``, ``mysql://...``, ``sqlite:///study.db``):
  an :class:`optuna.storages.RDBStorage` with a *heartbeat*. Every running trial writes a
  heartbeat each ``heartbeat`` seconds; a trial whose last heartbeat is older than
  ``2 * heartbeat`` belongs to a dead worker (killed, machine lost) and is marked FAIL by the
  next worker that starts a trial, so it stops blocking the study and is replaced.
* anything else is a path to a journal file (Optuna's ``JournalFileBackend``): an
  append-only log with file locking, safe for several processes on one machine.

Journal files have no heartbeat; the local worker pool marks the trials of a worker that
died as FAIL itself (:func:`fail_trials_of`), using the ``worker`` tag every trial carries.
"""

from __future__ import annotations

import os
import socket
import warnings
from pathlib import Path

from .._checks import check_positive

DB_SCHEMES = ("postgresql", "postgres", "mysql", "sqlite", "oracle", "mssql")


def worker_tag() -> str:
    """``host:pid``: which worker process runs a trial (kept in the trial's user attributes)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def is_database_url(storage: str) -> bool:
    scheme = storage.split("://", 1)[0].split("+", 1)[0].lower() if "://" in storage else ""
    return scheme in DB_SCHEMES


def check_storage(storage) -> str | None:
    """Validate ``storage`` (None, a database URL or a journal-file path) and return it as text."""
    if storage is None:
        return None
    if isinstance(storage, os.PathLike):
        storage = os.fspath(storage)
    if not isinstance(storage, str) or not storage.strip():
        raise TypeError(
            f"storage must be a database URL (postgresql://..., sqlite:///study.db) or a "
            f"journal file path, got {storage!r}"
        )
    if "://" in storage and not is_database_url(storage):
        raise ValueError(
            f"storage={storage!r} has an unknown scheme; use postgresql://, mysql:// or "
            "sqlite:/// URLs, or a plain file path for a journal file"
        )
    if storage.split("://", 1)[0] in ("postgresql", "postgres"):
        storage = _with_postgres_driver(storage)
    return storage


def _with_postgres_driver(url: str) -> str:
    """Name an installed driver in a bare postgresql:// URL (SQLAlchemy 2.0 defaults to
    psycopg2, 2.1 to psycopg 3; either works)."""
    import importlib.util

    rest = url.split("://", 1)[1]
    for module, dialect in (("psycopg2", "psycopg2"), ("psycopg", "psycopg")):
        if importlib.util.find_spec(module) is not None:
            return f"postgresql+{dialect}://{rest}"
    raise ValueError(
        "a postgresql:// storage needs a PostgreSQL driver: pip install psycopg2-binary "
        "(psycopg2-binary) or psycopg"
    )


def open_storage(storage: str | None, heartbeat: int = 60):
    """An Optuna storage object for ``storage`` (None: in memory, this process only).

    Parameters
    ----------
    storage : str or None
        Database URL or journal file path (see the module docstring).
    heartbeat : int
        Seconds between a running trial's heartbeats (database storages only); a trial
        silent for ``2 * heartbeat`` seconds is failed as stale.
    """
    import optuna

    heartbeat = check_positive(heartbeat, "heartbeat", integer=True)
    if storage is None:
        return optuna.storages.InMemoryStorage()
    if is_database_url(storage):
        engine_kwargs = {"pool_pre_ping": True}
        if storage.startswith("sqlite"):
            # several processes write to one SQLite file: wait for its lock instead of failing
            engine_kwargs["connect_args"] = {"timeout": 60}
        with warnings.catch_warnings():
            # heartbeats are marked experimental in Optuna, and they are what we need
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            return optuna.storages.RDBStorage(
                storage,
                engine_kwargs=engine_kwargs,
                heartbeat_interval=heartbeat,
                grace_period=2 * heartbeat,
            )
    from optuna.storages.journal import JournalFileBackend, JournalFileOpenLock

    path = Path(storage)
    path.parent.mkdir(parents=True, exist_ok=True)
    # the open(O_EXCL) lock works on local disks and NFSv3+, unlike symlink locks on some FSes
    return optuna.storages.JournalStorage(
        JournalFileBackend(str(path), lock_obj=JournalFileOpenLock(str(path)))
    )


def fail_trials_of(study, storage_obj, tags: set[str]) -> list[int]:
    """Mark the RUNNING trials whose ``worker`` tag is in ``tags`` as FAIL (their process died).

    Returns the numbers of the trials it failed. A trial another process finished in the
    meantime is left alone.
    """
    from optuna.exceptions import UpdateFinishedTrialError
    from optuna.trial import TrialState

    failed = []
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        if t.user_attrs.get("worker") in tags:
            try:
                if storage_obj.set_trial_state_values(t._trial_id, state=TrialState.FAIL):
                    failed.append(t.number)
            except UpdateFinishedTrialError:
                pass
    return failed


def fail_stale_trials(study) -> None:
    """Fail trials whose heartbeat went silent (database storages; a no-op for journals)."""
    import optuna

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Optuna marks the function experimental
        optuna.storages.fail_stale_trials(study)
