"""Saving and loading networks as ``.npz`` files without pickle.

The file holds the parameters (``W1``, ``b1``, ...), the standardizer's statistics when the
network carries one, and ``__meta__``: UTF-8 JSON with the architecture, hyperparameters
and the nnrecipe version. It is written to a temporary file in the same directory and
renamed over the target, so a crash mid-save never leaves a half-written model. Loading
uses ``allow_pickle=False``: a model file can never run code. This module reads and writes the
format; :func:`nnrecipe.load` (:mod:`nnrecipe.model`) builds the network from what it reads.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np

from ._files import atomic_write
from ._version import __version__

FORMAT = "nnrecipe-network"
FORMAT_VERSION = 1


def save(network, path) -> Path:
    """Save ``network`` to ``path`` (``.npz`` is appended when missing)."""
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "nnrecipe_version": __version__,
        "config": network.config(),
    }
    arrays = dict(network.get_parameters())
    st = network.standardizer
    if st is not None and st.fitted:
        arrays.update(
            standardizer_mean=st.mean_, standardizer_var=st.var_, standardizer_scale=st.scale_
        )
    arrays["__meta__"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    return atomic_write(path, lambda f: np.savez(f, **arrays))


def read(path) -> tuple[dict, dict[str, np.ndarray], dict[str, np.ndarray] | None]:
    """``(config, parameters, standardizer statistics or None)`` from a model file. Raises
    ValueError naming the file when it is missing, damaged or not an nnrecipe model; builds
    nothing (:func:`nnrecipe.load` builds the network)."""
    path = Path(path)
    if not path.exists():
        raise ValueError(f"model file {str(path)!r} does not exist")
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ValueError(f"{str(path)!r} is not a readable nnrecipe model (.npz): {exc}") from None
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
    return meta["config"], arrays, (stats if stats["mean"] is not None else None)
