"""``nnrecipe predict``: apply a saved model to new rows of a table.

The table is read like training data (pandas; ``?``, ``NA`` and empty cells are missing) and
encoded with the preprocessing stored in the model: the statistics of its training rows, never
of the new rows. A column the model needs and the table lacks is an error naming it; columns
the model does not know (the target, say) are ignored with a note. The output is the input's
rows with a ``prediction`` column holding the original labels (and, with ``--proba``, one
``proba_<class>`` column per class), written atomically.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np

from ..._checks import shorten_list
from ..._files import atomic_write
from ...model import load
from . import output


def model_path(path) -> Path:
    """A model ``.npz`` file, or the ``model.npz`` inside a run directory."""
    path = Path(path)
    model = path / "model.npz" if path.is_dir() else path
    if path.is_dir() and not model.is_file():
        raise ValueError(
            f"{str(path)!r} is a directory without model.npz; give a run directory "
            "or a model .npz file"
        )
    return model


def _inputs(net, frame):
    """What the network takes: the raw table with a stored preprocessing, else the numbers."""
    if net.preprocessor is not None:
        extra = net.preprocessor.extra_columns(frame)
        if extra:
            output.note(f"note: columns the model does not use are ignored: {shorten_list(extra)}")
        return frame
    n = net.layer_sizes[0]
    numeric = frame.select_dtypes("number")
    if numeric.shape[1] != n or numeric.shape[1] != frame.shape[1]:
        raise ValueError(
            f"the model has no stored table preprocessing and takes {n} numeric columns; the "
            f"table has {frame.shape[1]} columns ({numeric.shape[1]} numeric): "
            f"{shorten_list(frame.columns)}"
        )
    return numeric.to_numpy(dtype=np.float64)


def probabilities(net, X) -> tuple[np.ndarray, list]:
    """(m, k) class probabilities and the class names (a sigmoid's 1 − p, p for two)."""
    if not net.loss.classification:
        raise ValueError("--proba needs a classification model; this one does regression")
    proba = net.predict_proba(X)
    if proba.shape[1] == 1:
        proba = np.hstack([1.0 - proba, proba])
    names = net.classes if net.classes is not None else list(range(proba.shape[1]))
    return proba, list(names)


def predict_table(net, frame, proba: bool = False):
    """The rows of ``frame`` with the ``prediction`` (and ``proba_<class>``) columns added."""
    X = _inputs(net, frame)
    result = frame.copy()
    column = "prediction" if "prediction" not in frame.columns else "prediction_nnrecipe"
    pred = net.predict(X)
    if pred.ndim == 2:
        for j in range(pred.shape[1]):
            result[f"{column}_{j}"] = pred[:, j]
    else:
        result[column] = pred
    if proba:
        p, names = probabilities(net, X)
        for j, name in enumerate(names):
            result[f"proba_{name}"] = p[:, j]
    return result


def check_out(out: Path, data) -> None:
    """Refuse an ``--out`` that is a directory, or the ``--data`` file itself (also through
    a symbolic or hard link): the predictions would replace the user's table."""
    if out.is_dir():
        raise ValueError(f"--out {str(out)!r} is a directory; give the path of a CSV file to write")
    try:
        same = out.exists() and os.path.samefile(out, data)
    except OSError:
        same = False
    if same:
        raise ValueError(
            f"--out {str(out)!r} is the --data file {str(data)!r}: the predictions would replace "
            "your table; give another --out"
        )


def run(args) -> int:
    from ...data.tables import read_table

    out = Path(args.out)
    check_out(out, args.data)
    model = model_path(args.model)
    net = load(model)
    frame = read_table(args.data)
    result = predict_table(net, frame, proba=args.proba)
    buffer = io.StringIO()
    result.to_csv(buffer, index=False)
    data = buffer.getvalue().encode("utf-8")
    atomic_write(out, lambda f: f.write(data))
    summary = {
        "command": "predict",
        "model": str(model),
        "data": str(args.data),
        "out": str(out),
        "n": len(result),
        "classes": net.classes,
    }
    column = "prediction" if "prediction" in result.columns else None
    if column is not None and net.loss.classification:
        counts = result[column].astype(str).value_counts()
        summary["counts"] = {str(k): int(v) for k, v in counts.items()}
    if args.json:
        output.print_json(summary)
        return 0
    counts = summary.get("counts")
    shares = "" if not counts else " (" + ", ".join(f"{k}: {v}" for k, v in counts.items()) + ")"
    output.console().print(f"{len(result)} predictions{shares} written to {out}")
    return 0
