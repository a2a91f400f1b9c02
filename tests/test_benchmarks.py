"""The benchmark scripts run on a plain install: without torch they time the other libraries
and say torch is missing; --help only prints the usage."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
no_torch = pytest.mark.skipif(
    importlib.util.find_spec("torch") is not None, reason="torch is installed here"
)


def bench(*args, timeout=240):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "OMP_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, timeout=timeout
    )


def test_hot_path_micro_help_prints_usage_and_runs_nothing():
    proc = bench(str(ROOT / "benchmarks" / "hot_path_micro.py"), "--help", timeout=60)
    assert proc.returncode == 0 and proc.stdout.startswith("usage:")
    assert "best" not in proc.stdout  # no measurement ran


@no_torch
def test_gradcheck_speed_without_torch_times_nnrecipe_and_says_so():
    proc = bench(str(ROOT / "benchmarks" / "gradcheck_speed.py"), "--quick")
    assert proc.returncode == 0, proc.stderr
    assert "torch is not installed" in proc.stdout and "Traceback" not in proc.stderr
    assert "3.5k [20, 64, 32, 10]" in proc.stdout


@no_torch
def test_train_speed_without_torch_runs_the_other_libraries_and_says_so():
    script = str(ROOT / "benchmarks" / "train_speed.py")
    args = ["--cases", "small", "--repeats", "1", "--epochs", "1", "--max-wait", "0"]
    proc = bench(script, *args, "--libraries", "nnrecipe,torch")
    assert proc.returncode == 0, proc.stderr
    assert "torch is not installed: no torch row" in proc.stdout
    assert "│ nnrecipe" in proc.stdout and "Traceback" not in proc.stderr


def test_tabular_techniques_help_prints_usage_and_runs_nothing():
    proc = bench(str(ROOT / "benchmarks" / "tabular_techniques.py"), "--help", timeout=60)
    assert proc.returncode == 0 and proc.stdout.startswith("usage:")
    assert "plain (z-scores)" not in proc.stdout  # no measurement ran


def test_improve_quality_without_pytabkit_skips_the_realmlp_column_and_says_so():
    script = str(ROOT / "benchmarks" / "improve_quality.py")
    run = (
        "import runpy, sys; sys.modules['pytabkit'] = None; "  # import pytabkit: ImportError
        f"sys.argv = [{script!r}, '--datasets', 'wine', '--tools', 'histgb,realmlp']; "
        f"runpy.run_path({script!r}, run_name='__main__')"
    )
    proc = bench("-c", run, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "pytabkit is not installed (pip install nnrecipe[bench]): RealMLP-TD skipped" in (
        proc.stdout
    )
    row = next(line for line in proc.stdout.splitlines() if line.startswith("| wine"))
    assert row.split(" | ")[6] == "-"  # the RealMLP-TD cell; HistGB's beside it is measured
    assert "%" in row.split(" | ")[5]
