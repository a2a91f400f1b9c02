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
import os
import tempfile
import warnings
import zipfile
from pathlib import Path

import numpy as np

FORMAT = "nnrecipe-network"
# 2: class names, table preprocessing or target scaling inside; a network without them is
# still written as 1, so older nnrecipe versions keep loading it
FORMAT_VERSION = 2


def _version() -> str:
    from . import __version__

    return __version__


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path, write) -> Path:
    """Call ``write(file_object)`` on a temp file beside ``path`` and rename it over ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the file normal permissions
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def save(network, path) -> Path:
    """Save ``network`` to ``path`` (``.npz`` is appended when missing)."""
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    meta = {
        "format": FORMAT,
        "format_version": 1,
        "nnrecipe_version": _version(),
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


def load(path):
    """Load a network saved by :meth:`Network.save`. Raises ValueError naming the file when it
    is missing, damaged or not an nnrecipe model."""
    from .network import Network
    from .normalize import Standardizer

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
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # init='zeros' in the config is not a new choice
            net = Network(**meta["config"])
        stats = [
            arrays.pop(k, None)
            for k in ("standardizer_mean", "standardizer_var", "standardizer_scale")
        ]
        table = {
            k[len("preprocess_") :]: arrays.pop(k)
            for k in list(arrays)
            if k.startswith("preprocess_")
        }
        net.set_parameters(arrays)
        if "preprocessor" in meta:
            from .data.preprocess import Preprocessor

            net.preprocessor = Preprocessor.from_dict(meta["preprocessor"], table)
        if meta.get("classes") is not None:
            net.classes = list(meta["classes"])
        if meta.get("target_scaling") is not None:
            net.target_scaling = tuple(float(v) for v in meta["target_scaling"])
    except (TypeError, ValueError, KeyError) as exc:
        raise ValueError(f"{str(path)!r} holds an inconsistent nnrecipe model: {exc}") from None
    if stats[0] is not None:
        st = Standardizer()
        st.mean_, st.var_, st.scale_ = stats
        net.standardizer = st
    return net
