"""`kill -9` of `nnrecipe tune --workers 2`: the workers stop within a second or two, the
study stays consistent, and the next run into the same --out keeps it to resume."""

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


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(c) for c in path.read_text().split()] if path.exists() else []


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")  # a zombie has stopped; only its parent's reap is left


def _trials(directory: Path) -> int:
    """Trials in the study journal under ``directory`` (0 before it exists)."""
    journals = list(directory.rglob("study.journal"))
    if not journals:
        return 0
    storage = optuna.storages.JournalStorage(
        optuna.storages.journal.JournalFileBackend(str(journals[0]))
    )
    return sum(s.n_trials for s in optuna.get_all_study_summaries(storage))


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_workers_stop_when_the_parent_is_killed(tmp_path):
    out = tmp_path / "d"
    env = {**os.environ, "PYTHONPATH": str(SRC), "OMP_NUM_THREADS": "1"}
    args = ["tune", "--n", "300", "--epochs", "100000", "--trials", "50", "--workers", "2"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "nnrecipe.cli", *args, "--no-report", "--out", str(out)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 90
        while len(_children(proc.pid)) < 2 and time.time() < deadline:
            assert proc.poll() is None
            time.sleep(0.1)
        pids = _children(proc.pid)
        assert len(pids) == 2
        # both workers are inside their first trials: wait for the two trials in the study
        # itself (a fixed sleep failed on a busy machine: one trial had started, not two)
        while _trials(tmp_path) < 2 and time.time() < deadline:
            assert proc.poll() is None
            time.sleep(0.1)
        assert proc.poll() is None and all(map(_running, pids))
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    killed = time.time()
    while any(map(_running, pids)) and time.time() - killed < 15:
        time.sleep(0.1)
    stopped_after = time.time() - killed
    for pid in pids:  # never leave them behind, even when the test fails
        if _running(pid):
            os.kill(pid, signal.SIGKILL)
    assert stopped_after < 5, f"workers still ran {stopped_after:.1f} s after their parent died"

    # the study is consistent: it loads, and the next run into d keeps it to resume
    kept = tmp_path / f"d.killed-{proc.pid}.study.journal"
    code = subprocess.run(
        [sys.executable, "-m", "nnrecipe.cli", "train", "--epochs", "1", "--no-report",
         "--out", str(out)],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert code.returncode == 0, code.stderr
    assert f"study in {kept}" in code.stderr
    storage = optuna.storages.JournalStorage(optuna.storages.journal.JournalFileBackend(str(kept)))
    (summary,) = optuna.get_all_study_summaries(storage)
    assert summary.n_trials >= 2  # the trials the workers had started


def test_watch_parent_interrupts_and_flags_an_orphan(monkeypatch):
    """In-process: a 'parent' pid that is not ours makes the watcher fire at once."""
    fired = []
    monkeypatch.setattr(workers.os, "kill", lambda pid, sig: fired.append((pid, sig)))
    workers.ORPHANED.clear()
    try:
        workers.watch_parent(os.getppid() + 10**6, poll=0.01).join(5)
        assert workers.ORPHANED.is_set()
        assert fired == [(os.getpid(), signal.SIGINT)]
        monkeypatch.setattr(workers, "make_study", lambda job, storage: None)
        assert workers.run_trials(None, None, objective=None) == "interrupted"  # no new trial
    finally:
        workers.ORPHANED.clear()
