"""``nnrecipe datasets``: the built-in datasets, what they hold, and where MNIST is cached."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import numpy as np

from ...data import datasets, mnist
from . import common, output

# facts of the published real datasets (loading them just to count would import sklearn)
REAL = {
    "digits": (
        1797,
        64,
        10,
        "scikit-learn's 8×8 handwritten digits, pixels scaled to [0, 1]",
        "sklearn",
    ),
    "breast_cancer": (569, 30, 2, "scikit-learn's Wisconsin breast-cancer measurements", "sklearn"),
    "mnist": (
        60000,
        784,
        10,
        "MNIST training set, 28×28 digits (downloaded once, md5-checked)",
        "mnist",
    ),
    "mnist_test": (10000, 784, 10, "MNIST test set (t10k), 28×28 digits", "mnist"),
}


GENERATED = {
    "moons": "two interleaving half circles",
    "circles": "a small circle inside a large one",
    "spiral": "interleaved spiral arms (--noise: jitter)",
    "flower": "the course's planar flower: petals of two classes",
    "blobs": "Gaussian blobs; --noise is the fraction of labels flipped (the Bayes error)",
}


def _summary(name: str, loader) -> str:
    """A short description: ours, else the docstring's first sentence."""
    if name in GENERATED:
        return GENERATED[name]
    text = " ".join((loader.__doc__ or "").split())
    return text.split(". ")[0].rstrip(".")


def _mnist_files() -> dict:
    folders = [Path(os.environ["NNRECIPE_MNIST"])] if os.environ.get("NNRECIPE_MNIST") else []
    folders.append(mnist.cache_dir())
    found = {}
    for name in mnist.FILES["train"] + mnist.FILES["test"]:
        hit = mnist.find_file(name, folders)
        found[name] = None if hit is None else str(hit)
    return {
        "cache": str(mnist.cache_dir()),
        "env_NNRECIPE_MNIST": os.environ.get("NNRECIPE_MNIST"),
        "files": found,
    }


def _describe(seed: int) -> list[dict]:
    rows = []
    for name, loader in sorted(datasets.BUILTIN.items()):
        X, y = loader(n=common.GENERATED_N, seed=seed)
        rows.append(
            {
                "name": name,
                "kind": "generated 2-D",
                "examples": len(X),
                "features": X.shape[1],
                "classes": len(np.unique(y)),
                "description": _summary(name, loader),
                "available": True,
            }
        )
    have_sklearn = importlib.util.find_spec("sklearn") is not None
    mnist = _mnist_files()
    for name, (m, n_x, k, text, needs) in REAL.items():
        if needs == "sklearn":
            available = have_sklearn
            how = "" if available else "needs scikit-learn: pip install scikit-learn"
        else:
            subset = "test" if name.endswith("test") else "train"
            files = [
                f for f in mnist["files"] if f.startswith("t10k" if subset == "test" else "train")
            ]
            available = all(mnist["files"][f] for f in files)
            how = "" if available else f"downloaded into {mnist['cache']} on first use"
        rows.append(
            {
                "name": name,
                "kind": "real",
                "examples": m,
                "features": n_x,
                "classes": k,
                "description": text,
                "available": available,
                "note": how,
            }
        )
    return rows


def run(args) -> int:
    seed = getattr(args, "seed", 0)
    rows = _describe(seed)
    mnist = _mnist_files()
    if args.json:
        output.print_json({"datasets": rows, "mnist": mnist})
        return 0
    from rich.table import Table

    table = Table(title=None)
    for column in ("name", "kind", "examples", "features", "classes", "description"):
        table.add_column(
            column, justify="right" if column in ("examples", "features", "classes") else "left"
        )
    for r in rows:
        text = r["description"] + (f" [dim]({r['note']})[/]" if r.get("note") else "")
        table.add_row(
            r["name"], r["kind"], f"{r['examples']:,}", str(r["features"]), str(r["classes"]), text
        )
    console = output.console()
    console.print(
        f"[bold]nnrecipe datasets[/]: use with --dataset NAME (generated sets take "
        f"--n, default {common.GENERATED_N}, --noise and --seed), or a .csv/.npz file"
    )
    console.print(table)
    console.print(
        f"MNIST cache: {mnist['cache']} (set NNRECIPE_DATA to move it; NNRECIPE_MNIST "
        "names a folder with your own copy)"
    )
    for name, where in mnist["files"].items():
        console.print(f"  {name}: {where or 'not present'}")
    return 0
