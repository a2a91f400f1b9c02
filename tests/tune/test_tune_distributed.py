"""Several worker processes on one shared study; one is killed mid-trial (SIGKILL).

The workers are ``nnrecipe tune`` commands, as on separate machines. The storage is a real
PostgreSQL server on loopback (see ``_postgres.py``), or an SQLite file where PostgreSQL
cannot start, with the reason reported as a warning. Worker B creates the study and starts
trials; worker A (a second command, with two local worker processes) joins it. B is killed
while it runs a trial. The study must still reach its target of complete trials, keep every
trial that had finished, and mark B's trial FAIL.
"""

import json
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

optuna = pytest.importorskip("optuna")

from _postgres import shared_storage  # noqa: E402

import nnrecipe  # noqa: E402
from nnrecipe.tune import storage as tuning_storage  # noqa: E402

TARGET = 10
# the real command, as a user runs it on each machine
COMMAND = [
    "tune", "--dataset", "moons", "--n", "500", "--noise", "0.25", "--epochs", "40",
    "--no-prune", "--heartbeat", "1", "--width-range", "16:64", "--depth-range", "1:2",
    "--trials", str(TARGET), "--study-name", "shared", "--no-report", "--json",
]  # fmt: skip


@pytest.fixture(scope="module")
def storage_url(tmp_path_factory):
    with shared_storage(tmp_path_factory.mktemp("tune-fallback")) as (url, backend, reason):
        if backend != "postgresql":
            message = f"PostgreSQL could not start ({reason}); using an SQLite file instead"
            print(message)
            warnings.warn(message, stacklevel=1)
        yield url


def _start(url, resume, workers, out):
    src = str(Path(nnrecipe.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    extra = ["--storage", url, "--workers", str(workers), "--out", str(out)]
    return subprocess.Popen(
        [sys.executable, "-m", "nnrecipe.cli", *COMMAND, *extra, *(["--resume"] * resume)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(condition, timeout, what):
    end = time.time() + timeout
    while time.time() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def test_killed_worker_loses_no_finished_trial_and_the_study_completes(storage_url, tmp_path):
    # the test's own view of the study (it creates the tables before any worker starts)
    storage = tuning_storage.open_storage(tuning_storage.check_storage(storage_url))
    b = _start(storage_url, False, 1, tmp_path / "b")  # creates the study, trials in-process
    a = None
    try:
        _wait_for(lambda: "shared" in optuna.get_all_study_names(storage), 60, "the study")
        a = _start(storage_url, True, 2, tmp_path / "a")  # joins with two local worker processes
        study = optuna.load_study(study_name="shared", storage=storage)
        b_tag = f"{os.uname().nodename}:{b.pid}"

        def b_running_after_two_complete():
            trials = study.get_trials(deepcopy=False)
            done = [t for t in trials if t.state.name == "COMPLETE"]
            mine = [
                t
                for t in trials
                if t.state.name == "RUNNING" and t.user_attrs.get("worker") == b_tag
            ]
            return (done, mine[0]) if len(done) >= 2 and mine else None

        finished, victim = _wait_for(b_running_after_two_complete, 60, "B running a trial")
        b.send_signal(signal.SIGKILL)
        b.wait(10)
        assert b.returncode == -signal.SIGKILL
        before = {t.number: t.value for t in finished}
        out, err = a.communicate(timeout=90)
    finally:
        for p in (a, b):
            if p is not None and p.poll() is None:
                p.kill()
                p.wait()
    assert a.returncode == 0, err[-2000:]
    result = json.loads(out.strip().splitlines()[-1])  # A's `--json` summary of the study
    states = {t["number"]: t["state"] for t in result["trials"]}
    values = {t["number"]: t["dev_error"] for t in result["trials"]}
    # no finished trial is lost: every trial complete before the kill is still there, unchanged
    assert {n: values[n] for n in before} == before
    assert all(states[n] == "COMPLETE" for n in before)
    # the killed worker's trial is failed, not left running, and does not count
    assert states[victim.number] == "FAIL"
    assert result["counts"]["RUNNING"] == 0
    # the study completes its target (two workers may take the last slot at the same instant)
    assert TARGET <= result["counts"]["COMPLETE"] <= TARGET + 1
    assert result["stop_reason"] == "completed"
    # three worker processes took part: B and A's two
    workers = {t["worker"] for t in result["trials"]}
    assert b_tag in workers and len(workers) == 3
    assert result["best_dev_error"] <= 0.15
