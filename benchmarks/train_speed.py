"""Training speed on the CPU: nnrecipe against PyTorch and scikit-learn, side by side.

    python benchmarks/train_speed.py [--epochs 10] [--repeats 3] [--threads 2] [--data DIR]

Each library trains the same network in its own fresh subprocess (so imports, memory and
thread pools never leak between them), the libraries take turns, and the whole round is
repeated; the table shows the median over repeats of each run's figures and every figure's
ratio to nnrecipe's. All processes get the same thread budget: ``OMP_NUM_THREADS``,
``OPENBLAS_NUM_THREADS`` and ``MKL_NUM_THREADS`` are set, and PyTorch also gets
``torch.set_num_threads``.

Two nnrecipe rows: ``nnrecipe`` is the plain install, pure NumPy (run with
``NNRECIPE_NUMBA=0``), and every ratio is to it; ``nnrecipe+numba`` adds the optional Numba
extra, which runs Adam in one fused pass (``nnrecipe.train.fused``; only where Numba is installed).
``--baseline SRC`` adds a third, ``baseline``: the plain install imported from another source
tree (e.g. a ``git worktree`` of an older commit), taking its turn in every round, so a change's
before and after come from the same machine in one run.

Cases
-----
* ``mnist``: the real MNIST images of ``--data`` (first 8,000 train, last 2,000 dev, pixels
  scaled to [0, 1]), 784-256-128-10, ReLU, softmax cross-entropy, Adam (lr 1e-3), batch 128,
  L2 λ = 0.1 in the λ/(2m) convention (PyTorch: the equivalent coupled ``weight_decay`` = λ/m
  on the weights only, set per batch; scikit-learn: ``alpha`` = λ), float32.
  ``mnist-dropout``: the same with keep_prob 0.8 (PyTorch ``nn.Dropout(0.2)``; scikit-learn
  has no dropout).
* ``small``: 20-64-32-10 on synthetic Gaussian classes (8,192 train, 2,048 dev), batch 32,
  otherwise the same recipe: time per training step.

What is timed
-------------
An *epoch* is what nnrecipe's ``fit`` does per epoch, and every library does the same work:
the training steps (shuffle, gather, forward, backward, Adam) **plus** the inference-mode
loss and error on the whole training and dev sets that nnrecipe records in its history.
The table shows the epoch, and apart its two parts, ``steps`` and ``eval``, each timed
directly. Medians run over epochs 2..N (epoch 1 pays one-off warm-up). nnrecipe and PyTorch
start from the same He-initialized weights and, without dropout, see the same mini-batches
(with dropout nnrecipe's generator also draws the masks, so the shuffles part ways);
scikit-learn uses its own initialization and shuffling (``partial_fit``, one epoch per call).
``samples/s`` is training examples per second of epoch; ``import s`` is ``import <library>``
as the first statement of a fresh process (NumPy included when the library loads it);
``wall s`` is the whole child process, interpreter start to exit; ``peak RSS`` is the
child's ``getrusage`` maximum resident set.

The floor is the time of one epoch's matrix multiplies alone in NumPy's BLAS, with the same
shapes (per batch: 3 forward products, 3 for dW, 2 for dA; evaluation: 3 products per chunk
of the training and dev sets) into preallocated outputs: no trainer can do the same
arithmetic in less. It is timed in an extra nnrecipe run, right after each of its epochs,
and compared epoch by epoch, so both sides of the ratio see the same machine load.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

RUNNER = Path(__file__).resolve().with_name("speed_runners.py")
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist-t10k"
LIBRARIES = ("nnrecipe", "nnrecipe+numba", "torch", "sklearn")
CASES = {
    "mnist": dict(sizes=[784, 256, 128, 10], batch=128, keep_prob=1.0),
    "mnist-dropout": dict(sizes=[784, 256, 128, 10], batch=128, keep_prob=0.8),
    "small": dict(sizes=[20, 64, 32, 10], batch=32, keep_prob=1.0),
}


def _cpu_idle(seconds: float = 0.5) -> float:
    """The fraction of all CPUs' time spent idle over the next ``seconds`` (Linux)."""

    def sample():
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        return fields[3] + fields[4], sum(fields)  # idle + iowait, total

    idle0, total0 = sample()
    time.sleep(seconds)
    idle1, total1 = sample()
    return (idle1 - idle0) / max(total1 - total0, 1)


def wait_for_idle(max_wait: float, idle: float = 0.9) -> float:
    """Wait (at most ``max_wait`` s) until the CPUs are ``idle`` idle: on a shared machine
    other jobs come in bursts, and a run that starts inside one measures them, not us."""
    deadline = time.monotonic() + max_wait
    seen = _cpu_idle() if Path("/proc/stat").exists() else 1.0
    while seen < idle and time.monotonic() < deadline:
        seen = _cpu_idle()
    return seen


def run_child(library: str, cfg: dict, baseline: str | None = None) -> dict:
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(cfg["threads"])
    # nnrecipe as a plain install (pure NumPy) even where the optional Numba extra is there
    env["NNRECIPE_NUMBA"] = "1" if library == "nnrecipe+numba" else "0"
    if library == "baseline":  # nnrecipe imported from the other source tree
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [baseline, env.get("PYTHONPATH")]))
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(RUNNER), library, json.dumps(cfg)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{library} failed:\n{proc.stderr}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall_s"] = wall
    return result


def startup_times(repeats: int = 5) -> dict:
    """Fresh-process times: ``import nnrecipe`` (in-process), ``nnrecipe train --help`` (wall)."""
    import numpy as np

    code = "import time; t = time.perf_counter(); import nnrecipe; print(time.perf_counter() - t)"
    imports, helps = [], []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        imports.append(float(out.stdout))
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "nnrecipe.cli", "train", "--help"],
            capture_output=True,
            check=True,
        )
        helps.append(time.perf_counter() - start)
    return {
        "import nnrecipe": float(np.median(imports)),
        "nnrecipe train --help": float(np.median(helps)),
    }


def environment(threads: int) -> list[str]:
    import platform
    from importlib import metadata

    import numpy as np

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    blas = np.__config__.CONFIG["Build Dependencies"]["blas"]
    versions = []
    for name in ("nnrecipe", "numpy", "numba", "torch", "scikit-learn"):
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    from machine import describe  # CPU features, BLAS kernel, OPENBLAS_CORETYPE

    return [
        describe(),
        f"date {time.strftime('%Y-%m-%d %H:%M')}, {cpu}, {os.cpu_count()} logical CPUs, "
        f"{threads} threads per library, load average {os.getloadavg()[0]:.2f}",
        f"Python {platform.python_version()}; "
        + ", ".join(versions)
        + f"; NumPy BLAS {blas['name']} {blas['version']}",
    ]


def _cell(value: float, base: float, fmt: str) -> str:
    if value != value:  # nan
        return "-"
    ratio = value / base if base else float("nan")
    return f"{value:{fmt}} ({ratio:.2f}x)"


# the targets: nnrecipe's epoch (step for "small") as a fraction of the peer's
TARGETS = {
    "mnist": {"torch": 0.75, "sklearn": 0.4, "floor": 1.6},
    "mnist-dropout": {"torch": 0.75, "floor": 1.6},
    "small": {"torch": 0.3},
}


def print_table(case: str, results: dict[str, list[dict]]) -> None:
    import numpy as np
    from rich.console import Console
    from rich.table import Table

    med = {
        lib: {k: float(np.median([r[k] for r in runs])) for k in runs[0]}
        for lib, runs in results.items()
    }
    base = med["nnrecipe"]
    small = case == "small"
    columns = [("step µs", "step_us", ".1f")] if small else []
    columns += [
        ("epoch s", "epoch_s", ".3f"),
        ("steps s", "steps_s", ".3f"),
        ("eval s", "eval_s", ".4f"),
        ("samples/s", "samples_per_s", ",.0f"),
        ("peak RSS MiB", "rss_mib", ".0f"),
        ("import s", "import_s", ".2f"),
        ("wall s", "wall_s", ".2f"),
        ("dev loss", "dev_loss", ".4f"),
        ("dev acc", "dev_accuracy", ".4f"),
    ]
    n_runs = len(next(iter(results.values())))
    table = Table(title=f"{case}: median of {n_runs} runs (ratio to nnrecipe)")
    table.add_column("library")
    for title, _, _ in columns:
        table.add_column(title, justify="right")
    for lib, row in med.items():
        if lib == "floor":
            continue
        table.add_row(lib, *[_cell(row[key], base[key], fmt) for _, key, fmt in columns])
    Console(width=200).print(table)
    idle = [run["idle_before"] for runs in results.values() for run in runs]
    print(f"  CPUs idle before each run: {min(idle):.0%} at worst, {np.median(idle):.0%} median")
    if "floor" in med:
        floor = med["floor"]
        print(
            f"  matmul floor (timed after each of nnrecipe's epochs, in its process): epoch "
            f"{floor['epoch_s']:.4f} s (steps {floor['steps_s']:.4f} s, eval "
            f"{floor['eval_s']:.4f} s); nnrecipe over it, epoch by epoch: steps "
            f"{floor['over_floor_steps']:.2f}x, eval {floor['over_floor_eval']:.2f}x"
        )
    key = "step_us" if small else "epoch_s"
    if "baseline" in results:  # within each round, as for the peers
        pairs = zip(results["nnrecipe"], results["baseline"], strict=True)
        rounds = [mine[key] / theirs[key] for mine, theirs in pairs]
        print(
            f"  nnrecipe / baseline {key.split('_')[0]}: {np.median(rounds):.2f} "
            f"(rounds: {' '.join(f'{r:.2f}' for r in rounds)})"
        )
    for ours in [lib for lib in ("nnrecipe", "nnrecipe+numba") if lib in results]:
        for lib, target in TARGETS[case].items():
            if lib not in results:
                continue
            if lib == "floor":  # measured against nnrecipe's default path
                if ours != "nnrecipe":
                    continue
                rounds = [run["over_floor_epoch"] for run in results["floor"]]
            else:  # ratios within each round (the runs sat side by side in time)
                pairs = zip(results[ours], results[lib], strict=True)
                rounds = [mine[key] / theirs[key] for mine, theirs in pairs]
            bound = ""
            if "floor" in med and lib != "floor":  # what a zero-overhead trainer would reach
                bound = f"; the floor alone: {med['floor'][key] / med[lib][key]:.2f}"
            print(
                f"  {ours} / {lib} {key.split('_')[0]}: {np.median(rounds):.2f} (target <= "
                f"{target}{bound}; rounds: {' '.join(f'{r:.2f}' for r in rounds)})"
            )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--data", default=os.environ.get("NNRECIPE_MNIST_T10K", str(DEFAULT_DATA)))
    parser.add_argument("--cases", default=",".join(CASES), help="comma-separated subset")
    parser.add_argument("--libraries", default=",".join(LIBRARIES), help="comma-separated")
    parser.add_argument(
        "--baseline",
        metavar="SRC",
        help="also run nnrecipe imported from this source tree (its src/ folder), as the "
        "'baseline' row: before and after a change, in the same rounds",
    )
    parser.add_argument(
        "--max-wait",
        type=float,
        default=60.0,
        help="seconds to wait for idle CPUs before each run (0: never wait)",
    )
    args = parser.parse_args(argv)
    cases = args.cases.split(",")
    # this process's BLAS (loaded below, for the machine line) with the children's threads
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    if any(c.startswith("mnist") for c in cases) and not Path(args.data).is_dir():
        parser.error(f"MNIST not found in {args.data}; pass --data DIR")
    for line in environment(args.threads):
        print(line)
    libraries = args.libraries.split(",")
    if importlib.util.find_spec("numba") is None and "nnrecipe+numba" in libraries:
        libraries.remove("nnrecipe+numba")
        print("Numba is not installed: no nnrecipe+numba row")
    for lib, module, install in (
        ("torch", "torch", "pip install torch==2.13.0"),
        ("sklearn", "sklearn", "pip install scikit-learn"),
    ):
        if lib in libraries and importlib.util.find_spec(module) is None:
            libraries.remove(lib)
            print(f"{module} is not installed: no {lib} row ({install} adds it)")
    if args.baseline is not None:
        if not (Path(args.baseline) / "nnrecipe" / "__init__.py").is_file():
            parser.error(f"--baseline {args.baseline}: no nnrecipe package in it (pass its src/)")
        libraries.insert(
            libraries.index("nnrecipe") + 1 if "nnrecipe" in libraries else 0, "baseline"
        )
        print(f"baseline: nnrecipe from {Path(args.baseline).resolve()}")
    for case in cases:
        cfg = dict(CASES[case], case=case, epochs=args.epochs, threads=args.threads, data=args.data)
        results = {lib: [] for lib in libraries}
        if case.startswith("mnist"):
            results["floor"] = []
        for _ in range(args.repeats):
            for lib in results:  # take turns, so load changes hit every library alike
                if lib == "sklearn" and cfg["keep_prob"] < 1:
                    continue  # MLPClassifier has no dropout
                idle = wait_for_idle(args.max_wait)
                run = run_child(lib, cfg, args.baseline)
                results[lib].append(run | {"idle_before": idle})
        print_table(case, {lib: runs for lib, runs in results.items() if runs})
    times = startup_times()
    print(
        "  startup (fresh process, median of 5): "
        + ", ".join(f"{k} {v:.3f} s" for k, v in times.items())
    )
    print(f"  load average at the end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
