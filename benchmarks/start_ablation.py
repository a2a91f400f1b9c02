"""What each piece of ``improve``'s starting network gains, on stand-in tables (issue 24, item 5).

    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/start_ablation.py [--seeds 0,1]

Each row is the recipe's first run (``recipe/start.start_config`` sized from the rows, Adam at
α = 0.001, early stopping with patience 20 on the dev set, best weights restored) with one
technique turned on over the old start (z-scores, constant rate, β₂ = 0.999, no smoothing, no
embeddings); the last rows are the new start (:mod:`nnrecipe.recipe.start`) and the new start
with one piece off. The data is framed by ``recipe/problem.frame`` as ``improve`` frames it
(a DataFrame's preprocessing fitted on its training rows, robust or z-scores), hold-out (no
cross-validation, for time); the value is the test set's, in the metric ``improve`` picks
(error, balanced error, mse of the standardized target), in %, mean over the seeds (each seed:
its own split and initialization); the seconds are those of the run.

Stand-ins (generated here with fixed seeds; none of them is a table named in the issue):

* ``census``: improve_quality's census-like raw table, 5,000 rows (text categories, missing
  ages, an ID column);
* ``letters``: 26 classes of 16 integer features, 5,000 rows (tabular_techniques' letters);
* ``skewed``: 3,000 rows, 10 features of which 4 are log-normal (heavy tails), a nonlinear
  binary rule with 5 % flipped labels;
* ``friedman``: a regression, scikit-learn's Friedman #1 (3,000 rows, 10 features, noise 1),
  two of its features cubed (heavy tails);
* ``imbalanced``: 4,000 rows of ``make_classification`` with 5 % positives (balanced error).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from improve_quality import census, load  # noqa: E402
from tabular_techniques import letters  # noqa: E402

from nnrecipe.recipe import metrics, start  # noqa: E402
from nnrecipe.recipe.improve import _start, _trainer  # noqa: E402
from nnrecipe.recipe.problem import frame  # noqa: E402

OLD = {"scaling": "standard", "embeddings": None, "label_smoothing": 0.0, "beta2": 0.999,
       "schedule": None}  # fmt: skip
ROWS = {  # label: changes over the old start (None: the new start itself)
    "old start (z-scores)": {},
    "+ robust scaling": {"scaling": "robust"},
    "+ periodic embeddings": {"embeddings": "periodic"},
    "+ piecewise embeddings": {"embeddings": "piecewise"},
    "+ label smoothing 0.1": {"label_smoothing": 0.1},
    "+ Adam β₂ = 0.95": {"beta2": 0.95},
    "+ cosine schedule": {"schedule": "cosine"},
    "+ width ×2": {"wider": 2},
    "new start": None,
    "robust + periodic": {"scaling": "robust", "embeddings": "periodic"},
    "robust + piecewise": {"scaling": "robust", "embeddings": "piecewise"},
}


def stand_in(name: str, seed: int):
    """``(X, y)`` of stand-in ``name`` (X a DataFrame with its target column for census)."""
    from sklearn import datasets

    if name == "census":
        table = census(5000)
        return table, "income"
    if name == "letters":
        return letters(seed, 5000)
    if name == "medical":  # improve_quality's zero-coded medical-like table
        return load("medical")[:2]
    if name == "cancer":
        return datasets.load_breast_cancer(return_X_y=True)
    rng = np.random.default_rng(seed)
    if name == "skewed":
        X = rng.normal(size=(3000, 10))
        X[:, :4] = np.exp(1.5 * X[:, :4])
        logit = np.log(X[:, 0]) * X[:, 4] + np.sin(2 * X[:, 5]) + 0.5 * np.log(X[:, 1]) ** 2 - 0.5
        y = (logit > 0).astype(int)
        flip = rng.random(3000) < 0.05
        return X, np.where(flip, 1 - y, y)
    if name == "friedman":
        X, y = datasets.make_friedman1(3000, 10, noise=1.0, random_state=seed)
        X[:, [0, 3]] = (X[:, [0, 3]] - 0.5) ** 3 * 8 + rng.standard_t(3, (3000, 2)) * 0.02
        return X, y
    if name == "imbalanced":
        return datasets.make_classification(4000, 20, n_informative=8, weights=[0.95],
                                            flip_y=0.02, random_state=seed)  # fmt: skip
    raise ValueError(f"unknown stand-in {name!r}")


def first_run(X, y, seed: int, changes: dict | None) -> tuple[float, float]:
    """``(test value, seconds)`` of the start's first run with ``changes``."""
    scaling = "robust" if changes is None else changes.get("scaling", "standard")
    Xc = X.copy() if hasattr(X, "copy") else X
    target, y = (y, None) if isinstance(y, str) else (None, y)
    problem = frame(Xc, y, target=target, seed=seed, cv=False, scaling=scaling)
    config, _ = _start(problem, None, None, 0.001, None, "adam", 1.0)
    if changes is None:
        config = config.replace(**start.techniques(problem))
    elif changes.get("label_smoothing") and problem.output == "linear":
        return float("nan"), 0.0  # no labels to smooth in a regression
    else:
        changes = dict(changes)
        factor = changes.pop("wider", 1)
        config = config.replace(**{**OLD, **changes},
                                hidden=tuple(n * factor for n in config.hidden))  # fmt: skip
    trainer = _trainer(problem, seed)
    t = time.perf_counter()
    run = trainer(config)
    seconds = time.perf_counter() - t
    Xte, yte = problem.sets[2]
    return metrics.score(problem.metric, yte, run.network.predict_proba(Xte)), seconds


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--data", default="census,letters,skewed,friedman,imbalanced")
    parser.add_argument("--rows", default=",".join(str(i) for i in range(len(ROWS))))
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    names = args.data.split(",")
    labels = [list(ROWS)[int(i)] for i in args.rows.split(",")]
    print(f"test value in % (mean of seeds {seeds}) / seconds of the first run")
    print("| start | " + " | ".join(names) + " |")
    print("|---" * (len(names) + 1) + "|")
    data = {(n, s): stand_in(n, s) for n in names for s in seeds}
    for label in labels:
        cells = []
        for name in names:
            got = [first_run(*data[name, s], s, ROWS[label]) for s in seeds]
            value = 100 * statistics.mean(v for v, _ in got)
            if value != value:
                cells.append("n/a")
                continue
            cells.append(f"{value:.2f} ({statistics.mean(t for _, t in got):.0f} s)")
        print(f"| {label} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
