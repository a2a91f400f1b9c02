"""NNClassifier against scikit-learn's MLPClassifier: test accuracy and fit time, one run.

Both get the same network and training: one hidden layer of 100 ReLU units, softmax
output, Glorot-scaled initialization, Adam (α = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e-8),
mini-batches of 64 reshuffled every epoch, a fixed number of epochs (MLPClassifier's
tolerance-based stop is disabled), and the same L2 penalty: nnrecipe's λ/(2m)·Σ‖W‖² is
MLPClassifier's ``alpha`` term, so ``l2 = alpha``. Runs of the two alternate seed by seed,
so a change of machine load hits both alike. Each configuration runs twice: with OpenBLAS's
default thread count and limited to one thread (threadpoolctl), since small matrix products
on a loaded machine can lose more to waking threads than they gain. nnrecipe also measures
the training set's loss and error in inference mode after every epoch (one more forward
pass over it, for the bias/variance diagnosis); MLPClassifier does not: the time includes it.

Datasets: scikit-learn's digits (8×8, 1,797 images; stratified 75/25 split) and, when
present, the shared MNIST test set (28×28; the first 8,000 images train, the last 2,000
test). Pixels are scaled to [0, 1].

    python benchmarks/sklearn_compare.py [--seeds 3] [--epochs-digits 50] [--epochs-mnist 20]
                                         [--blas-threads default,1]
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import time
import warnings
from pathlib import Path

import numpy as np
import sklearn
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

import nnrecipe
from nnrecipe.sklearn import NNClassifier

MNIST_DIR = Path(
    os.environ.get(
        "NNRECIPE_MNIST_T10K",
        Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist-t10k",
    )
)
HIDDEN, LR, BATCH, L2 = (100,), 1e-3, 64, 1e-4


def datasets():
    X, y = load_digits(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(
        X / 16.0, y, test_size=0.25, random_state=0, stratify=y
    )
    yield "digits", X_tr, X_te, y_tr, y_te
    if (MNIST_DIR / "t10k-images-idx3-ubyte.gz").exists():
        X, y = nnrecipe.datasets.mnist("test", path=MNIST_DIR, download=False)  # x/255, md5 checked
        yield "MNIST t10k", X[:8000], X[8000:], y[:8000], y[8000:]
    else:
        print(f"(MNIST skipped: no t10k files in {MNIST_DIR})")


def models(epochs: int, seed: int):
    nn = NNClassifier(
        HIDDEN,
        activation="relu",
        init="glorot",
        l2=L2,
        optimizer="adam",
        learning_rate=LR,
        batch_size=BATCH,
        epochs=epochs,
        seed=seed,
    )
    mlp = MLPClassifier(
        HIDDEN,
        activation="relu",
        solver="adam",
        alpha=L2,
        learning_rate_init=LR,
        batch_size=BATCH,
        max_iter=epochs,
        n_iter_no_change=epochs + 1,
        tol=0.0,
        shuffle=True,
        random_state=seed,
    )
    return {"NNClassifier": nn, "MLPClassifier": mlp}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs-digits", type=int, default=50)
    parser.add_argument("--epochs-mnist", type=int, default=20)
    parser.add_argument(
        "--blas-threads", default="default,1", help="comma-separated: default and/or counts"
    )
    args = parser.parse_args()
    load_start = os.getloadavg()
    print(
        f"{datetime.date.today()} · {platform.machine()}, {os.cpu_count()} cores · Python "
        f"{platform.python_version()}, NumPy {np.__version__}, scikit-learn "
        f"{sklearn.__version__}, nnrecipe {nnrecipe.__version__} · load average at start "
        f"{load_start[0]:.2f}\n"
    )
    print(
        "| dataset (train/test) | epochs | BLAS threads | estimator | test accuracy (mean ± sd) "
        "| fit time, median s | time / MLP |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, X_tr, X_te, y_tr, y_te in datasets():
        epochs = args.epochs_mnist if name.startswith("MNIST") else args.epochs_digits
        for threads in [None if t == "default" else int(t) for t in args.blas_threads.split(",")]:
            acc, secs = {}, {}
            with threadpool_limits(threads, user_api="blas"):
                for seed in range(args.seeds):
                    for label, model in models(epochs, seed).items():
                        with warnings.catch_warnings():
                            warnings.simplefilter("ignore", ConvergenceWarning)
                            start = time.perf_counter()
                            model.fit(X_tr, y_tr)
                            secs.setdefault(label, []).append(time.perf_counter() - start)
                        acc.setdefault(label, []).append(model.score(X_te, y_te))
                        assert model.n_iter_ == epochs, (label, model.n_iter_)
            base = statistics.median(secs["MLPClassifier"])
            for label in ("NNClassifier", "MLPClassifier"):
                a, t = acc[label], statistics.median(secs[label])
                sd = statistics.stdev(a) if len(a) > 1 else 0.0
                print(
                    f"| {name} ({len(X_tr)}/{len(X_te)}) | {epochs} | {threads or 'default'} "
                    f"| {label} | {statistics.mean(a):.4f} ± {sd:.4f} | {t:.2f} | {t / base:.2f} |"
                )
    load_end = os.getloadavg()
    print(
        f"\nload average (1 min) at start {load_start[0]:.2f}, at end {load_end[0]:.2f}; "
        f"{args.seeds} seeds per estimator"
    )


if __name__ == "__main__":
    main()
