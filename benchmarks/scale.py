"""How training cost grows with the data and the network: epoch time and peak memory.

    python benchmarks/scale.py [--rows 10000,100000,1000000] [--widths 256,1024,4096]
                               [--features 200] [--standardize both] [--source array]

Each case trains ``Network([features, w, w // 2, 1], dtype="float32")`` (ReLU, sigmoid,
Adam, batch 128) for one epoch on m random float32 rows, in a fresh subprocess, and prints
the epoch (``history.time``: the steps plus the inference-mode pass over the training set),
the whole ``fit`` call (which also validates X and fits the standardizer), the child's
peak RSS (``getrusage``: data creation included) and the peak during ``fit`` alone (Linux:
``VmHWM`` after ``clear_refs``), against the issue's bound 1.3 × data + 100 MiB, and the
anonymous memory (``RssAnon``: not a mapped file) held after ``fit``. The rows sweep uses
the first width; the widths sweep uses the first row count. ``--source memmap`` writes X to
a temporary ``.npy`` file (in chunks; X is never in memory whole), drops its pages from the
cache, and passes its path to ``fit``, which trains from it in mini-batches; the RSS during
``fit`` then counts the file's pages the kernel keeps mapped, which it drops under memory
pressure (a cache, not a copy).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _status(key: str) -> float:
    """A ``/proc/self/status`` figure in bytes (Linux; NaN elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return float(line.split()[1]) * 1024
    except OSError:
        pass
    return float("nan")


def _reset_peak() -> None:
    """Restart the kernel's peak-RSS count (VmHWM) here, so it covers ``fit`` alone."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def child(cfg: dict) -> dict:
    import numpy as np

    from nnrecipe import Network

    m, n, w = cfg["rows"], cfg["features"], cfg["width"]
    rng = np.random.default_rng(0)
    if cfg["source"] == "memmap":  # written block by block: X is never in memory whole
        path = Path(tempfile.mkdtemp()) / "X.npy"
        X = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(m, n))
    else:
        X = np.empty((m, n), np.float32)
    y = np.empty(m, np.int8)
    for s in range(0, m, 65536):  # float32 from the start: no float64 draw of the whole set
        block = rng.standard_normal((min(65536, m - s), n), dtype=np.float32)
        block *= 3.0
        block += 5.0  # off-center features, so standardization has work to do
        X[s : s + 65536] = block
        y[s : s + 65536] = block[:, 0] + block[:, 1] > 10.0
    data = X.nbytes
    if cfg["source"] == "memmap":
        X.flush()
        del X
        with open(path, "rb") as f:  # the pages just written leave the cache: fit reads them
            os.posix_fadvise(f.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
        X = str(path)
    _reset_peak()
    net = Network([n, w, w // 2, 1], dtype="float32", standardize=cfg["standardize"], seed=0)
    start = time.perf_counter()
    history = net.fit(X, y, batch_size=128, epochs=1, seed=0)
    fit_s = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    fit_rss = _status("VmHWM")
    anon = _status("RssAnon")  # after fit: process memory that is not a mapped file
    return {
        "data": data,
        "epoch_s": history.time[-1],
        "fit_s": fit_s,
        "rss": rss,
        "fit_rss": fit_rss,
        "anon": anon,
        "loss": history.train_loss[-1],
    }


def run(cfg: dict) -> dict:
    env = dict(
        os.environ, OMP_NUM_THREADS=str(cfg["threads"]), OPENBLAS_NUM_THREADS=str(cfg["threads"])
    )
    if not cfg["numba"]:  # the plain install: Numba (~120 MiB when loaded) stays out
        env["NNRECIPE_NUMBA"] = "0"
    env["PYTHONPATH"] = cfg["src"] + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(cfg)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode:
        raise RuntimeError(f"case {cfg} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", default="10000,100000,1000000")
    parser.add_argument("--widths", default="256,1024,4096")
    parser.add_argument("--features", type=int, default=200)
    parser.add_argument("--standardize", choices=("off", "on", "both"), default="both")
    parser.add_argument("--source", choices=("array", "memmap"), default="array")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--numba",
        action="store_true",
        help="let Adam use the optional Numba kernel when it is installed (default: the plain "
        "install's NumPy passes, NNRECIPE_NUMBA=0)",
    )
    parser.add_argument(
        "--src",
        default=",".join([str(HERE.parent / "src")]),
        help="comma-separated source trees to compare (e.g. a checkout of an older commit)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return 0
    from machine import describe

    print(describe())
    rows = [int(r) for r in args.rows.split(",")]
    widths = [int(w) for w in args.widths.split(",")]
    cases = [(m, widths[0]) for m in rows] + [(rows[0], w) for w in widths[1:]]
    flags = {"off": [False], "on": [True], "both": [False, True]}[args.standardize]
    adam = "Numba kernel if installed" if args.numba else "NumPy passes (NNRECIPE_NUMBA=0)"
    print(
        f"source {args.source}, {args.features} float32 features, one epoch, batch 128, "
        f"{args.threads} threads, Adam: {adam}"
    )
    trees = args.src.split(",")
    header = (f"{'tree':>5} " if len(trees) > 1 else "") + (
        f"{'rows':>9} {'width':>6} {'std':>4} {'data MiB':>9} {'epoch s':>8} "
        f"{'fit s':>7} {'peak RSS MiB':>13} {'in fit MiB':>11} {'anon MiB':>9} {'bound MiB':>10}"
    )
    print(header)
    for m, w in cases:
        for std in flags:
            for t, tree in enumerate(trees):  # trees take turns, case by case
                cfg = dict(
                    rows=m,
                    width=w,
                    standardize=std,
                    features=args.features,
                    source=args.source,
                    threads=args.threads,
                    numba=args.numba,
                    src=tree,
                )
                r = run(cfg)
                mib = 2.0**20
                print(
                    (f"{t:>5} " if len(trees) > 1 else "")
                    + f"{m:>9,} {w:>6} {'on' if std else 'off':>4} {r['data'] / mib:>9.0f} "
                    f"{r['epoch_s']:>8.2f} {r['fit_s']:>7.2f} {r['rss'] / mib:>13.0f} "
                    f"{r['fit_rss'] / mib:>11.0f} {r['anon'] / mib:>9.0f} "
                    f"{1.3 * r['data'] / mib + 100:>10.0f}",
                    flush=True,
                )
    if len(trees) > 1:
        print("trees: " + ", ".join(f"{t} = {tree}" for t, tree in enumerate(trees)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
