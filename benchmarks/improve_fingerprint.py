"""Seeded ``improve`` runs reduced to text: the trail and a SHA-256 of the chosen network.

A refactor of the orchestration (framing, encoding, the recipe's loop) must not change what
``improve`` does: run this before and after and compare the output line by line (``diff``).
The budget is a run count (``budget=``) with a time budget far above what the runs take, so
no deadline cuts a run and the trail is deterministic; ``--rounds`` times the whole set for
the speed check (alternate two checkouts' processes: ``PYTHONPATH=<checkout>/src``; with BLAS
on one thread the CPU seconds printed beside the wall seconds are the steadier measure on a
shared machine).

Data sets (all small, seconds each):

* ``moons``     2-D, 600 rows of the built-in moons (noise 0.25), 0/1 labels;
* ``digits``    scikit-learn's 8×8 digits as images (``images=(8, 8)``: the augment knob);
* ``table``     a 500-row DataFrame with text columns, missing cells and a text target
                (classes by name: the table preprocessing and class names on the network);
* ``named``     the moons as an array with text labels ("left"/"right");
* ``quantity``  a table whose target is a real quantity (a regression: target scaling).

    PYTHONPATH=src python benchmarks/improve_fingerprint.py [--rounds 1] [--sets moons,...]

The network's hash covers every parameter (the bytes of W1, b1, ...), the standardizer's
statistics, the preprocessing's statistics, the class names and the target scaling.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import time

import numpy as np
import pandas as pd

import nnrecipe as nr


def _moons():
    return nr.datasets.moons(n=600, noise=0.25, seed=1), {"budget": 5, "epochs": 60}


def _digits():
    X, y = nr.datasets.digits()
    return (X[:900], y[:900]), {"budget": 4, "epochs": 30, "images": (8, 8)}


def _frame(n: int, rng: np.random.Generator) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "age": rng.normal(40, 12, n).round(),
            "income": rng.lognormal(10, 0.5, n),
            "city": rng.choice(["paris", "lyon", "nice", None], n, p=[0.4, 0.3, 0.2, 0.1]),
            "plan": rng.choice(["basic", "pro"], n),
        }
    )


def _table():
    rng = np.random.default_rng(3)
    frame = _frame(500, rng)
    score = (frame["age"] - 40) / 12 + (frame["plan"] == "pro") - (frame["city"] == "nice")
    frame["target"] = np.where(score + rng.normal(0, 0.5, len(frame)) > 0.3, "yes", "no")
    frame.loc[rng.choice(len(frame), 20, replace=False), "age"] = np.nan
    return (frame, None), {"budget": 4, "epochs": 40}


def _named():
    X, y = nr.datasets.moons(n=400, noise=0.3, seed=2)
    return (X, np.array(["left", "right"])[y]), {"budget": 3, "epochs": 40}


def _quantity():
    rng = np.random.default_rng(4)
    frame = _frame(400, rng)
    frame["price"] = 3 * frame["age"] + 0.001 * frame["income"] + 5 * (frame["plan"] == "pro")
    frame["price"] += rng.normal(0, 5, len(frame))
    frame.loc[rng.choice(len(frame), 10, replace=False), "age"] = np.nan
    return (frame, None), {"budget": 3, "epochs": 40, "target": "price"}


SETS = {"moons": _moons, "digits": _digits, "table": _table, "named": _named,
        "quantity": _quantity}  # fmt: skip


def network_hash(net) -> str:
    """SHA-256 over the parameters, the standardizer, the encoding of the network."""
    h = hashlib.sha256()
    for name, value in net.get_parameters().items():
        h.update(name.encode())
        h.update(np.ascontiguousarray(value).tobytes())
    st = net.standardizer
    if st is not None:
        for value in (st.mean_, st.var_, st.scale_):
            h.update(np.ascontiguousarray(value).tobytes())
    pre = getattr(net, "preprocessor", None)
    if pre is not None:
        for value in (pre.mean_, pre.median_, pre.scale_):
            h.update(np.ascontiguousarray(value).tobytes())
    h.update(repr((getattr(net, "classes", None), getattr(net, "target_scaling", None))).encode())
    return h.hexdigest()


def fingerprint(name: str) -> tuple[list[str], float, float]:
    """The lines of one data set's run, its wall seconds and its CPU seconds."""
    (X, y), options = SETS[name]()
    start, cpu = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(io.StringIO()):  # before issue 23 improve printed notes
        r = nr.improve(X, y, seed=0, minutes=60, learning_curve=False, **options)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    lines = [f"== {name}: metric {r.metric}, folds {r.folds}, stop {r.stop_reason}"]
    for s in r.steps:
        lines.append(
            f"  {s.number} {s.knob:<13} {s.change[:60]:<60} train {s.train_after!r} "
            f"dev {s.dev_after!r} {'kept' if s.kept else '-'} epochs {s.epochs}"
        )
    lines.append(f"  chosen: {r.config.describe()}; layers {r.network.layer_sizes}")
    lines.append(f"  test {json.dumps(r.test_scores, sort_keys=True)}")
    lines.append(f"  classes {r.classes!r} class_errors {json.dumps(r.class_errors)}")
    lines.append(f"  preprocessing {r.preprocessing!r}")
    lines.append(f"  notes {r.notes!r}")
    lines.append(f"  network sha256 {network_hash(r.network)}")
    return lines, seconds, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--rounds", type=int, default=1, help="repeat, printing seconds only")
    args = parser.parse_args()
    names = args.sets.split(",")
    for round_ in range(args.rounds):
        total = cpu = 0.0
        for name in names:
            lines, seconds, used = fingerprint(name)
            total, cpu = total + seconds, cpu + used
            if round_ == 0 and args.rounds == 1:
                print("\n".join(lines), flush=True)
        # CPU seconds: on a shared machine the wall clock measures the neighbours too
        print(f"seconds {total:.3f} cpu {cpu:.3f}", flush=True)


if __name__ == "__main__":
    main()
