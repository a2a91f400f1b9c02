"""Ctrl-C of `nnrecipe tune --workers 2` (issue 26): a terminal's Ctrl-C reaches the whole
process group; a worker that fails *because of* the interrupt (Optuna 5.1's `_run_trial`
raises UnboundLocalError from its `finally` when the interrupt lands in its bookkeeping) is
still an interrupt: exit 130, the best finished trial saved as a loadable model.npz."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nnrecipe.tune import workers

optuna = pytest.importorskip("optuna")
SRC = Path(__file__).resolve().parents[2] / "src"


def _optuna_5_run_trial(*args, **kwargs):
    """What Optuna 5.1's `_run_trial` does when Ctrl-C lands before `updated_state` is set."""
    try:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)
        updated_state = "COMPLETE"
    finally:
        if updated_state == "COMPLETE":  # UnboundLocalError, as in Optuna
            pass


class _Queue(list):
    put = list.append


@pytest.fixture
def worker_signals():
    old = signal.getsignal(signal.SIGINT)
    yield
    signal.signal(signal.SIGINT, old)
    workers.INTERRUPTED.clear()


def test_a_worker_error_caused_by_ctrl_c_is_an_interrupt(monkeypatch, worker_signals):
    monkeypatch.setattr(workers, "run_trials", _optuna_5_run_trial)
    monkeypatch.setattr(workers, "watch_parent", lambda parent: None)
    monkeypatch.setattr(workers, "_limit_blas_threads", lambda n: None)
    monkeypatch.setattr(workers.tuning_storage, "open_storage", lambda *a: None)
    errors = _Queue()
    with pytest.raises(SystemExit) as exit_:
        job = workers.Job(None, "s", 60, 1, None, 0, {}, ())
        workers._worker_entry(job, None, 2, errors, os.getppid())
    assert exit_.value.code == 130 and errors == []


def test_an_error_with_ctrl_c_in_its_context_is_an_interrupt_in_process():
    try:
        _optuna_5_run_trial_without_signal()
    except UnboundLocalError as exc:
        assert workers.from_interrupt(exc)
    assert not workers.from_interrupt(ValueError("a real bug"))


def _optuna_5_run_trial_without_signal(interrupt=True):
    try:
        if interrupt:
            raise KeyboardInterrupt
        updated_state = "COMPLETE"
    finally:
        if updated_state == "COMPLETE":
            pass


def _finished(journal: Path) -> int:
    if not journal.exists():
        return 0
    storage = optuna.storages.JournalStorage(
        optuna.storages.journal.JournalFileBackend(str(journal))
    )
    summaries = optuna.get_all_study_summaries(storage)
    if not summaries:
        return 0
    study = optuna.load_study(study_name=summaries[0].study_name, storage=storage)
    return sum(t.state.name == "COMPLETE" for t in study.get_trials(deepcopy=False))


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="needs process groups")
@pytest.mark.parametrize("after", [0.0, 0.4, 1.1])
def test_ctrl_c_to_the_process_group_saves_the_best_finished_trial(tmp_path, after):
    """SIGINT to the group at a few moments after the first trial finished."""
    out = tmp_path / "run"
    env = {**os.environ, "PYTHONPATH": str(SRC), "OMP_NUM_THREADS": "1"}
    args = ["tune", "--n", "200", "--epochs", "25", "--trials", "400", "--workers", "2"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "nnrecipe.cli", *args, "--no-report", "--out", str(out)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.time() + 120
        journals = []
        while time.time() < deadline and proc.poll() is None:
            journals = list(tmp_path.rglob("study.journal"))
            if journals and _finished(journals[0]) >= 1:
                break
            time.sleep(0.1)
        assert proc.poll() is None, proc.communicate()[0]
        time.sleep(after)
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
        text, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, text
    assert "interrupted (Ctrl-C)" in text and "saved as model.npz" in text, text
    import nnrecipe as nr

    model = nr.load(out / "model.npz")
    assert model.layer_sizes[0] == 2
