"""recipe/parallel: independent runs in worker processes give what one process gives."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import nnrecipe as nr
from nnrecipe.recipe import parallel
from nnrecipe.recipe.stopping import Deadline

X, Y = nr.datasets.moons(n=400, noise=0.25, seed=0)


def train(item, at):
    """A seeded run on (X, y): what a worker sees of the rows, and the trained θ."""
    seed, (X, y) = item
    net = nr.Network([2, 16, 1], standardize=True, seed=seed)
    history = net.fit(X, y, epochs=8, batch_size=32, seed=seed, callbacks=[Deadline(at)])
    return type(X).__name__, X.flags.writeable, net.theta.copy(), len(history)


def test_n_jobs_1_and_2_give_bit_identical_runs_in_the_items_order():
    items = [(seed, (X, Y)) for seed in range(4)]
    alone = parallel.run_all(train, items, n_jobs=1)
    # max_nbytes=1000: the 6.4 kB rows reach the workers as one read-only memmap
    pooled = parallel.run_all(train, items, n_jobs=2, max_nbytes=1000)
    assert [r[:2] for r in alone] == [("ndarray", True)] * 4
    assert [r[:2] for r in pooled] == [("memmap", False)] * 4  # fit trains on it as it is
    for a, b in zip(alone, pooled, strict=True):
        np.testing.assert_array_equal(a[2], b[2])
    assert not np.array_equal(alone[0][2], alone[1][2])  # each seed its own run


def slow_first(item, at):
    time.sleep(0.4 if item == 0 else 0.0)
    return item, os.getpid()


def test_results_come_in_the_items_order_not_the_finishing_order():
    results = parallel.run_all(slow_first, range(4), n_jobs=2)
    assert [r[0] for r in results] == [0, 1, 2, 3]
    assert results[0][1] != os.getpid()  # in a worker


def sleeper(item, at):
    time.sleep(item)
    return item, os.getpid()


def test_workers_start_the_longest_first_and_results_keep_the_items_order():
    assert parallel.longest_first([1, 3, 2, 3, 0]) == [1, 3, 2, 0, 4]  # ties in their order
    durations = [0.0, 0.0, 0.0, 1.0]
    results = parallel.run_all(sleeper, durations, n_jobs=2,
                               order=parallel.longest_first(durations))  # fmt: skip
    assert [r[0] for r in results] == durations
    # the long item went first: its worker ran it alone while the other ran the three short
    long_pid = results[3][1]
    assert [pid == long_pid for _, pid in results] == [False, False, False, True]
    with pytest.raises(ValueError, match="order must be a permutation of 0..3"):
        parallel.run_all(sleeper, durations, n_jobs=2, order=[0, 1, 1, 3])


def test_the_shared_wall_clock_deadline_stops_workers_with_their_weights():
    items = [(0, (X, Y)), (1, (X, Y))]
    past = time.time() - 1.0
    runs = parallel.run_all(train, items, n_jobs=2, deadline=[past, None])
    assert runs[0][3] == 1 and runs[1][3] == 8  # the deadline ends training after an epoch
    with pytest.raises(ValueError, match="deadline has 1 values for 2 items"):
        parallel.run_all(train, items, deadline=[past])


@pytest.mark.parametrize("bad", [0, 1.5, "two", -2, True])
def test_n_jobs_is_checked(bad):
    with pytest.raises((ValueError, TypeError), match="n_jobs"):
        parallel.run_all(slow_first, [1], n_jobs=bad)


def test_memory_mapped_rows_leave_no_files_behind(tmp_path, monkeypatch):
    monkeypatch.setenv("JOBLIB_TEMP_FOLDER", str(tmp_path))
    big = np.random.default_rng(0).normal(size=(3000, 2)), np.tile(Y, 8)[:3000]
    runs = parallel.run_all(train, [(0, big), (1, big)], n_jobs=2, max_nbytes=1000)
    assert runs[0][0] == "memmap"
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


KILLED = """
import sys, time
from pathlib import Path
import numpy as np
from nnrecipe.recipe import parallel

def task(item, at):
    import os, time
    Path(sys.argv[1], str(os.getpid())).write_text("")
    time.sleep(120)

rows = np.zeros((20000, 10))  # memory-mapped for the workers: a file the tracker must remove
parallel.run_all(task, [(0, rows), (1, rows)], n_jobs=2, max_nbytes=1000)
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")  # a zombie has exited (nobody reaped it yet)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_killing_the_parent_leaves_no_worker_alive_and_no_files(tmp_path):
    pids, temp = tmp_path / "pids", tmp_path / "joblib"
    pids.mkdir(), temp.mkdir()
    env = {**os.environ, "JOBLIB_TEMP_FOLDER": str(temp)}
    env["PYTHONPATH"] = os.pathsep.join([str(Path(nr.__file__).parents[1]), *sys.path])
    script = tmp_path / "parent.py"
    script.write_text(textwrap.dedent(KILLED))
    parent = subprocess.Popen([sys.executable, str(script), str(pids)], env=env)
    try:
        started = time.monotonic()
        while len(list(pids.iterdir())) < 2 and time.monotonic() - started < 90:
            assert parent.poll() is None, "the parent ended early"
            time.sleep(0.1)
        workers = [int(p.name) for p in pids.iterdir()]
        assert len(workers) == 2 and all(map(_alive, workers))
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        started = time.monotonic()
        while any(map(_alive, workers)) and time.monotonic() - started < 15:
            time.sleep(0.1)
        assert [pid for pid in workers if _alive(pid)] == []
        while any(temp.rglob("*.pkl")) and time.monotonic() - started < 15:
            time.sleep(0.1)  # loky's resource tracker removes the memmaps after its parent
        assert [p for p in temp.rglob("*") if p.is_file()] == []
    finally:
        if parent.poll() is None:
            parent.kill()


def test_a_dask_cluster_gives_the_same_runs_as_local_workers(on_dask_cluster):
    items = [(seed, (X, Y)) for seed in range(3)]
    local = parallel.run_all(train, items, n_jobs=2)
    with on_dask_cluster():
        remote = parallel.run_all(train, items, n_jobs=-1)
    for a, b in zip(local, remote, strict=True):
        np.testing.assert_array_equal(a[2], b[2])


def test_the_trainer_starts_its_longest_folds_first_with_the_same_runs():
    from nnrecipe.recipe.knobs import Config
    from nnrecipe.recipe.runs import Trainer

    config = Config(hidden=(8,), epochs=30, early_stopping=3, batch_size=32)
    runs = {}
    for n_jobs in (1, 2):
        t = Trainer((X[:300], Y[:300]), (X[300:], Y[300:]), None, "sigmoid", 1, None, 0,
                    "error", 3, n_jobs=n_jobs)  # fmt: skip
        first = t.many([config])[0]
        # each fold's epochs, what the next call orders the workers by
        assert set(t.fold_epochs) == {0, 1, 2}
        assert max(t.fold_epochs.values()) == first.epochs_trained
        runs[n_jobs] = t.many([config, config.replace(l2=0.1)])
    for a, b in zip(runs[1], runs[2], strict=True):
        np.testing.assert_array_equal(a.values, b.values)
        np.testing.assert_array_equal(a.network.theta, b.network.theta)
