"""Issue 24's table techniques on stand-in tables: seconds per epoch, and a small ablation.

    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/tabular_techniques.py [--quick]

Stand-ins (generated here with fixed seeds, or shipped with scikit-learn):

* ``letters``: 16,000 rows x 16 integer features in 0..15, 26 classes, each class three
  noisy prototypes (the shape of the UCI letters table);
* ``census``: 20,000 rows x 6 numeric columns of census-like scales (age, a log-normal
  income, a capital gain that is 0 in 90 % of the rows and up to 10⁵ otherwise, hours per
  week, years of education, a count), the label a noisy threshold rule on them;
* ``digits``: scikit-learn's 1,797 x 64 pixel counts in 0..16 as a table (no augmentation).

Speed: one epoch (batch 128, Adam, network [n_x, 128, 128, n_y], float64 and float32) of the
plain network, then with ``embeddings="periodic"`` and ``"piecewise"``, alternating, several
rounds; the median seconds per epoch and the ratio to the plain network of the same round.

Ablation: each technique alone on top of the plain network (``standardize=True``), and all
together; 80/20 test split, 10 % of the training rows as a dev set for early stopping
(patience 4, best weights restored), Adam at 1e-3, float32, fixed seeds; test error in %.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import nnrecipe as nr
from nnrecipe.data import datasets

CONFIGS = {  # one technique at a time on the plain network, then all together
    "plain (z-scores)": {"standardize": True},
    "robust scaling": {"standardize": "robust"},
    "periodic embeddings": {"standardize": True, "embeddings": "periodic"},
    "piecewise embeddings": {"standardize": True, "embeddings": "piecewise"},
    "label smoothing 0.1": {"standardize": True, "label_smoothing": 0.1},
    "robust + periodic + smoothing": {
        "standardize": "robust",
        "embeddings": "periodic",
        "label_smoothing": 0.1,
    },
}


def letters(seed: int = 0, m: int = 16_000):
    rng = np.random.default_rng(seed)
    prototypes = rng.uniform(1, 14, size=(26, 3, 16))
    y = rng.integers(0, 26, m)
    X = prototypes[y, rng.integers(0, 3, m)] + rng.normal(0, 2.6, (m, 16))
    return np.clip(np.round(X), 0, 15), y


def census(seed: int = 0, m: int = 20_000):
    rng = np.random.default_rng(seed)
    age = rng.uniform(17, 90, m)
    income = rng.lognormal(10, 1, m)
    gain = np.where(rng.random(m) < 0.1, rng.lognormal(8, 1.5, m), 0.0)
    hours = np.clip(rng.normal(40, 12, m), 1, 99).round()
    education = rng.integers(1, 17, m).astype(float)
    count = rng.poisson(2, m).astype(float)
    score = (
        -((age - 48) ** 2) / 300
        + 0.8 * (np.log(income) - 10)
        + 2.5 * (gain > 5000)
        + 0.04 * (hours - 40)
        + 0.3 * (education > 12)
        + 0.2 * np.sin(count)
    )
    y = (score + rng.logistic(0, 0.6, m) > -0.5).astype(int)
    return np.column_stack([age, income, gain, hours, education, count]), y


def digits(seed: int = 0):
    return datasets.digits(scale=False)


STAND_INS = {"letters": letters, "census": census, "digits": digits}


def split(X, y, seed: int = 0):
    """80/20 train/test, then 10 % of train as dev; stratified by nnrecipe.split."""
    parts = nr.split(X, y, ratios=(0.72, 0.08, 0.2), seed=seed)
    return parts.train, parts.dev, parts.test


def build(X, y, seed: int, dtype="float32", **options):
    k = int(y.max()) + 1
    out, n_out = ("softmax", k) if k > 2 else ("sigmoid", 1)
    return nr.Network([X.shape[1], 128, 128, n_out], output=out, dtype=dtype, seed=seed, **options)


def epoch_seconds(rounds: int, names) -> None:
    print("seconds per epoch (batch 128, Adam, [n_x, 128, 128, n_y]); median of rounds")
    print(f"{'stand-in':10} {'dtype':8} {'plain':>7} {'periodic':>15} {'piecewise':>15}")
    for name in names:
        X, y = STAND_INS[name]()
        for dtype in ("float64", "float32"):
            times = {kind: [] for kind in (None, "periodic", "piecewise")}
            for _ in range(rounds):
                for kind in times:  # alternating: each round times all three
                    net = build(X, y, 0, dtype, standardize=True, embeddings=kind)
                    net.fit(X, y, epochs=1, batch_size=128, seed=0)  # fits scaling and bins
                    start = time.perf_counter()
                    net.fit(X, y, epochs=1, batch_size=128, seed=1)
                    times[kind].append(time.perf_counter() - start)
            base = statistics.median(times[None])
            cells = [
                f"{statistics.median(t):.3f} ({statistics.median(t) / base:.1f}x)"
                for kind, t in times.items()
                if kind is not None
            ]
            print(f"{name:10} {dtype:8} {base:7.3f} {cells[0]:>15} {cells[1]:>15}")


def ablation(epochs: int, seeds, names) -> None:
    print(f"\ntest error % (≤ {epochs} epochs, early stopping on dev; seeds {list(seeds)})")
    print(f"{'configuration':32}" + "".join(f"{n:>10}" for n in names))
    data = {n: STAND_INS[n]() for n in names}
    for label, options in CONFIGS.items():
        row = []
        for name in names:
            errors = []
            for seed in seeds:
                (Xtr, ytr), (Xdev, ydev), (Xte, yte) = split(*data[name], seed=seed)
                net = build(Xtr, ytr, seed, **options)
                stop = nr.EarlyStopping(patience=4)
                net.fit(Xtr, ytr, dev=(Xdev, ydev), epochs=epochs, batch_size=128,
                        learning_rate=1e-3, early_stopping=stop, seed=seed)  # fmt: skip
                errors.append(100 * net.evaluate(Xte, yte)["error"])
            row.append(f"{statistics.mean(errors):10.2f}")
        print(f"{label:32}" + "".join(row), flush=True)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds, epochs and seeds")
    args = parser.parse_args(argv)
    names = list(STAND_INS)
    epoch_seconds(1 if args.quick else 3, ["letters", "census"])
    ablation(8 if args.quick else 20, range(1 if args.quick else 2), names)


if __name__ == "__main__":
    main()
