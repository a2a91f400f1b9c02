"""Saving and loading networks as ``.npz`` files without pickle.

The file holds the parameters (``W1``, ``b1``, ...), the standardizer's statistics when the
network carries one, the table preprocessing's numbers (``preprocess_median``,
``preprocess_mean``, ``preprocess_scale``) when it carries one, and ``__meta__``: UTF-8 JSON
with the architecture, hyperparameters, the nnrecipe version, and (when present) the class
names and the preprocessing's columns and categories. It is written to a temporary file in
the same directory and renamed over the target, so a crash mid-save never leaves a
half-written model. Loading uses ``allow_pickle=False``: a model file can never run code.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ._files import atomic_write
from ._version import __version__

FORMAT = "nnrecipe-network"
# 2: class names, table preprocessing or target scaling inside; a network without them is
# still written as 1, so older nnrecipe versions keep loading it
FORMAT_VERSION = 2


def save(network, path) -> Path:
    """Save ``network`` to ``path`` (``.npz`` is appended when missing)."""
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    meta = {
        "format": FORMAT,
        "format_version": 1,
        "nnrecipe_version": __version__,
        "config": network.config(),
    }
    if getattr(network, "classes", None) is not None:
        meta["classes"] = [c.item() if isinstance(c, np.generic) else c for c in network.classes]
    if getattr(network, "target_scaling", None) is not None:
        meta["target_scaling"] = [float(v) for v in network.target_scaling]
    arrays = dict(network.get_parameters())
    pre = getattr(network, "preprocessor", None)
    if pre is not None and pre.fitted:
        meta["preprocessor"] = pre.to_dict()
        arrays.update({f"preprocess_{k}": v for k, v in pre.arrays().items()})
    st = network.standardizer
    if st is not None and st.fitted:
        arrays.update(
            standardizer_mean=st.mean_, standardizer_var=st.var_, standardizer_scale=st.scale_
        )
    if any(k in meta for k in ("classes", "preprocessor", "target_scaling")):
        meta["format_version"] = FORMAT_VERSION  # an older nnrecipe would predict wrongly
    arrays["__meta__"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    return atomic_write(path, lambda f: np.savez(f, **arrays))


class ModelFile(NamedTuple):
    """What a model file holds, as read (nothing built yet)."""

    config: dict  # the Network constructor's arguments
    parameters: dict[str, np.ndarray]  # W1, b1, ...
    standardizer: dict[str, np.ndarray] | None  # mean, var, scale
    preprocessor: tuple[dict, dict[str, np.ndarray]] | None  # (JSON part, arrays)
    classes: list | None
    target_scaling: list[float] | None  # μ_y, σ_y


def read(path) -> ModelFile:
    """Everything a model file holds. Raises ValueError naming the file when it is missing,
    damaged or not an nnrecipe model; builds nothing (:func:`nnrecipe.load` builds the
    network)."""
    path = Path(path)
    if not path.exists():
        raise ValueError(f"model file {str(path)!r} does not exist")
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        # NumPy reads a file that is not a zip as a pickle and suggests allow_pickle=: loading
        # a model never unpickles (it could run code), so say what the file is not instead
        why = "not a zip archive" if "pickle" in str(exc) else str(exc)
        raise ValueError(
            f"{str(path)!r} is not a readable nnrecipe model (an .npz file written by "
            f"Network.save): {why}; check the path, or save the model again"
        ) from None
    try:
        meta = json.loads(arrays.pop("__meta__").tobytes().decode())
        assert meta.get("format") == FORMAT
    except Exception:
        raise ValueError(
            f"{str(path)!r} is not an nnrecipe model: its metadata is missing or damaged"
        ) from None
    if meta.get("format_version", 0) > FORMAT_VERSION:
        raise ValueError(
            f"{str(path)!r} was saved by a newer nnrecipe ({meta.get('nnrecipe_version')}); "
            "upgrade nnrecipe to load it"
        )
    if not isinstance(meta.get("config"), dict):
        raise ValueError(f"{str(path)!r} holds an inconsistent nnrecipe model: no config")
    stats = {k: arrays.pop(f"standardizer_{k}", None) for k in ("mean", "var", "scale")}
    table = {
        k[len("preprocess_") :]: arrays.pop(k) for k in list(arrays) if k.startswith("preprocess_")
    }
    return ModelFile(
        config=meta["config"],
        parameters=arrays,
        standardizer=stats if stats["mean"] is not None else None,
        preprocessor=(meta["preprocessor"], table) if "preprocessor" in meta else None,
        classes=meta.get("classes"),
        target_scaling=meta.get("target_scaling"),
    )
