"""Hyperparameter search on the dev set (Optuna's TPE sampler, median pruning).

The objective of a trial is the dev error, measured in inference mode, of the network its
hyperparameters build (see :mod:`nnrecipe.tune.space`), trained on the training set with
early stopping on the dev loss (the best epoch's weights are kept):

    minimize over θ ∈ space:  dev_error(train(θ))

Each epoch the trial reports its dev error; the median pruner stops a trial whose dev error
is worse than the median of earlier trials at the same epoch. The test set is never seen.
Trials run in local worker processes sharing one Optuna storage, or on any number of
machines sharing a database (:mod:`nnrecipe.tune.workers`, :mod:`nnrecipe.tune.storage`).
"""

from __future__ import annotations

import os
import tempfile
import time
import warnings
from contextlib import contextmanager

from .._checks import check_flag, check_positive
from ..model import Network
from ..recipe import start
from ..recipe.problem import frame
from ..train.callbacks import Callback, EarlyStopping
from . import space as search_space
from . import storage as tuning_storage
from . import workers as tuning_workers
from .progress import Monitor
from .result import TuneResult
from .settings import settings_for


class _ReportToTrial(Callback):
    """Report each epoch's dev error to the Optuna trial; stop training when it says prune."""

    def __init__(self, trial):
        self.trial = trial
        self.pruned_at = None

    def on_epoch_end(self, network, history):
        epoch = history.epoch[-1]
        self.trial.report(history.dev_error[-1], epoch)
        if self.trial.should_prune():
            self.pruned_at = epoch
            return True
        return None


def train_config(params: dict, settings: dict, data: tuple, seed: int, callbacks=()):
    """Build and train the network of one point ``params``; returns (network, history)."""
    X_train, y_train, X_dev, y_dev = data
    sizes = search_space.layer_sizes(params, X_train.shape[1], settings["n_out"])
    net = Network(
        sizes,
        hidden="relu",
        output=settings["output"],
        l2=params["l2"],
        keep_prob=params["keep_prob"],
        standardize=settings.get("standardize", True),  # studies before it: z-scores
        seed=seed,
    )
    history = net.fit(
        X_train,
        y_train,
        dev=(X_dev, y_dev),
        optimizer=settings["optimizer"],
        learning_rate=params["learning_rate"],
        batch_size=None if settings["optimizer"] == "gd" else settings["batch_size"],
        epochs=settings["epochs"],
        early_stopping=EarlyStopping(patience=settings["patience"])
        if settings["patience"]
        else None,
        callbacks=callbacks,
        seed=seed,
    )
    return net, history


def objective(trial, job) -> float:
    """One trial: train the drawn network, return its dev error (raise TrialPruned if pruned)."""
    import optuna

    settings = job.settings
    params = search_space.suggest(trial, settings["space"])
    seed = settings["seed"] + trial.number  # the trial can be replayed exactly
    trial.set_user_attr("worker", tuning_storage.worker_tag())
    trial.set_user_attr("params", params)
    trial.set_user_attr("seed", seed)
    report = _ReportToTrial(trial)
    began = time.perf_counter()
    net, history = train_config(params, settings, job.data, seed, [report])
    if history.stop_reason == "interrupted":  # fit caught Ctrl-C: the trial did not finish
        raise KeyboardInterrupt
    trial.set_user_attr("epochs", len(history))
    trial.set_user_attr("seconds", time.perf_counter() - began)
    if report.pruned_at is not None:
        raise optuna.TrialPruned(
            f"dev error {history.dev_error[-1]:.4f} at epoch "
            f"{report.pruned_at} is worse than the median of earlier trials"
        )
    X_train, y_train, X_dev, y_dev = job.data
    trial.set_user_attr("train_error", net.evaluate(X_train, y_train)["error"])
    trial.set_user_attr("stop_reason", history.stop_reason)
    return float(net.evaluate(X_dev, y_dev)["error"])


def tune(
    X,
    y=None,
    dev=None,
    *,
    target=None,
    space: dict | None = None,
    trials: int = 20,
    timeout: float | None = None,
    workers: int | None = None,
    storage=None,
    study_name: str | None = None,
    resume: bool = False,
    epochs: int | None = None,
    batch_size: int | None = None,
    optimizer: str | None = None,
    patience: int | None = None,
    prune: bool | None = None,
    heartbeat: int = 60,
    refit: bool = True,
    seed: int = 0,
    progress: bool = False,
    source: dict | None = None,
) -> TuneResult:
    """Search λ, keep_prob, the learning rate, width and depth for the lowest dev error.

    Parameters
    ----------
    X, y : training data (m, n_x) and labels; with ``dev=None`` they are split by the auto
        rule first and the test part is set aside unseen. ``X`` may be a pandas DataFrame
        (then always split, and preprocessed with statistics of its training rows only; the
        refit network carries the preprocessing and the class names).
    target : str, optional
        With a DataFrame and no ``y``: the label column (default: the one called target,
        label, class or y).
    dev : (X_dev, y_dev), optional
    space : dict, optional
        Ranges or fixed values (:func:`nnrecipe.tune.space.check_space`).
    trials : int
        The number of finished trials (complete or pruned) the study should reach; failed
        trials (a worker killed mid-trial) do not count and are replaced.
    timeout : float, optional
        Seconds after which no new trial starts.
    workers : int, optional
        Local worker processes (default: up to 4, one per core); 1 runs in this process.
    storage : str, optional
        ``postgresql://...``, ``sqlite:///...`` or a journal file path shared by all workers,
        so machines can join the study (``resume=True``) and runs can be continued.
    study_name, resume :
        ``resume=True`` continues (or joins) an existing study and reuses its settings.
    epochs, batch_size, optimizer, patience, prune :
        Training of each trial (defaults 100, 64, "adam", 10, True); ``patience`` is the
        early stopping on the dev loss (0 turns it off).
    heartbeat : int
        Seconds between heartbeats of running trials on database storages; a trial silent
        for twice that long (its worker died) is marked failed.
    refit : bool
        Retrain the best finished trial's configuration (same seed, so the same network) into
        ``.network``; after Ctrl-C too (``stop_reason == "interrupted"``), so nothing finished
        is lost. A second Ctrl-C during that retraining leaves ``.network`` None.
    seed : int
        Split, sampler and training seeds (trial *n* trains with ``seed + n``).
    progress : bool
        Show live progress in the terminal.
    source : dict, optional
        Where the data came from (the CLI passes its ``dataset``, ``n``, ``noise``, ``seed``,
        ``target`` and ``split`` options), stored with a new study so that a resume can load
        the same data (:func:`stored_source`) and an error can name the original dataset.

    Notes
    -----
    Every trial's inputs are scaled as :func:`nnrecipe.improve` scales them (robust
    median/IQR with smooth clipping: an array's in each network, a table's in its
    preprocessing), stored with the study as ``settings["scaling"]``; a study stored before
    that resumes with the z-scores it was created with.
    """
    try:
        with warnings.catch_warnings():  # Optuna's tqdm asks a notebook for ipywidgets
            warnings.simplefilter("ignore")
            import optuna
    except ImportError:
        raise ImportError(
            "nnrecipe tune needs Optuna: pip install optuna (in the nnrecipe checkout: "
            "pip install -e '.[tune]')"
        ) from None
    trials = check_positive(trials, "trials", integer=True)
    timeout = None if timeout is None else check_positive(timeout, "timeout")
    workers = check_positive(
        min(4, os.cpu_count() or 1) if workers is None else workers, "workers", integer=True
    )
    heartbeat = check_positive(heartbeat, "heartbeat", integer=True)
    storage = tuning_storage.check_storage(storage)
    resume = check_flag(resume, "resume")
    refit = check_flag(refit, "refit")
    progress = check_flag(progress, "progress")
    # improve's input scaling (robust for tables and arrays); a study resumed from before the
    # scaling was stored keeps the z-scores it was created with (the same data, the same runs)
    stored = stored_settings(storage, study_name) if resume else None
    scaling = start.scaling(None) if stored is None else stored.get("scaling", "standard")
    problem = frame(X, y, target=target, dev=dev, test=False, seed=seed, caller="tune",
                    scaling=scaling)  # fmt: skip
    (X_train, y_train), (X_dev, y_dev) = problem.sets[:2]
    data = (X_train, y_train, X_dev, y_dev)
    given = {
        "epochs": epochs,
        "batch_size": batch_size,
        "optimizer": optimizer,
        "patience": patience,
        "prune": prune,
    }
    with _shared(storage, workers) as path, _quiet(optuna):
        storage_obj = tuning_storage.open_storage(path, heartbeat)
        study = _open_study(optuna, storage_obj, study_name, resume)
        settings = _settings(study, resume, given, data, space, problem, seed, source)
        deadline = None if timeout is None else time.time() + timeout
        job = tuning_workers.Job(
            path, study.study_name, heartbeat, trials, deadline, settings["seed"], settings, data
        )
        if workers == 1 and resume:  # a joining worker must not repeat the first one's draws
            job = tuning_workers.with_worker_seed(job, 0)
        reason = _run(job, workers, storage_obj, Monitor(trials, progress))
        tuning_workers.fail_dead_workers(study, storage_obj)
        result = TuneResult.from_study(study, settings, storage, reason)
    if refit and result.best_params is not None:
        _refit(result, settings, data)
    problem.finish(result)
    return result


def _settings(study, resume, given, data, space, problem, seed, source) -> dict:
    """The study's settings: the stored ones when resuming (checked against ``given``), else
    new ones, stored with the study (the seed, the data's ``source``)."""
    stored = study.user_attrs.get("nnrecipe") if resume else None
    settings = settings_for(given, stored, data, space, (problem.output, problem.units))
    if stored is None:
        settings["seed"] = seed
        # inputs: the framing's scaling, in a table's preprocessing or in each network
        settings["scaling"] = problem.scaling
        robust = "robust" if problem.scaling == "robust" else True  # Network(standardize=)
        settings["standardize"] = robust if problem.standardize else False
        if source is not None:
            settings["source"] = dict(source)
        study.set_user_attr("nnrecipe", settings)
    return settings


def _run(job, workers: int, storage_obj, monitor: Monitor) -> str:
    """Run the trials in this process (``workers == 1``) or a pool; the stop reason."""
    try:
        if workers == 1:
            return tuning_workers.run_trials(job, storage_obj, objective, monitor.update)
        return tuning_workers.run_pool(job, workers, objective, monitor, storage_obj)
    except BaseException as exc:  # Optuna may turn Ctrl-C into another error
        if not tuning_workers.from_interrupt(exc):
            raise
        return "interrupted"
    finally:
        monitor.close()


def _refit(result: TuneResult, settings: dict, data: tuple) -> None:
    """Retrain the best finished trial (its seed: the same network) into ``result.network``;
    after Ctrl-C too, and a second Ctrl-C during it leaves ``.network`` None."""
    try:  # after Ctrl-C too: the best finished trial is not lost
        net, history = train_config(result.best_params, settings, data, result.best_seed)
    except KeyboardInterrupt:
        net, history = None, None
    if history is None or history.stop_reason == "interrupted":  # a second Ctrl-C
        net, result.stop_reason = None, "interrupted"
    if net is not None:
        result.network = net
        result.network_dev_error = float(net.evaluate(data[2], data[3])["error"])


def stored_source(storage, study_name: str | None = None) -> dict | None:
    """The data source a study was created with (``source=`` of :func:`tune`), or None.

    ``study_name=None`` takes the storage's only study. Lets ``nnrecipe tune --resume`` load
    the study's own dataset without ``--dataset`` being repeated."""
    return (stored_settings(storage, study_name) or {}).get("source")


def stored_settings(storage, study_name: str | None = None) -> dict | None:
    """The settings a study was stored with (None: no such study, or no storage)."""
    import optuna

    storage = tuning_storage.check_storage(storage)
    if storage is None:
        return None
    with _quiet(optuna):
        storage_obj = tuning_storage.open_storage(storage)
        names = optuna.get_all_study_names(storage_obj)
        if study_name is None and len(names) == 1:
            study_name = names[0]
        if study_name not in names:
            return None
        study = optuna.load_study(study_name=study_name, storage=storage_obj)
        return study.user_attrs.get("nnrecipe") or None


@contextmanager
def _shared(storage: str | None, workers: int):
    """The storage path; several processes with none given share a temporary journal file."""
    if storage is not None or workers == 1:
        yield storage
        return
    with tempfile.TemporaryDirectory(prefix="nnrecipe-tune-") as tmp:
        yield os.path.join(tmp, "study.journal")


@contextmanager
def _quiet(optuna):
    """Optuna logs every trial, and a failed one with its traceback; our progress display
    replaces the first, and the error itself reaches the caller (``catch=()``)."""
    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    try:
        yield
    finally:
        optuna.logging.set_verbosity(verbosity)


def _open_study(optuna, storage_obj, study_name: str | None, resume: bool):
    names = optuna.get_all_study_names(storage_obj)
    if resume:
        if study_name is None and len(names) == 1:
            study_name = names[0]
        if study_name not in names:
            raise ValueError(
                f"resume=True but the storage holds no study {study_name!r}; it holds {names}"
            )
    else:
        if study_name is not None and not isinstance(study_name, str):
            raise TypeError(f"study_name must be a string, got {study_name!r}")
        study_name = study_name or time.strftime("nnrecipe-%Y%m%d-%H%M%S")
        if study_name in names:
            raise ValueError(
                f"study {study_name!r} already exists in this storage; pass "
                "resume=True (--resume) to continue it, or another study_name"
            )
        optuna.create_study(study_name=study_name, storage=storage_obj, direction="minimize")
    return optuna.load_study(study_name=study_name, storage=storage_obj)
