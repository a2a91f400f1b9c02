"""Saving and loading networks as ``.npz`` files without pickle.

The file holds the parameters (``W1``, ``b1``, ..., and an embedding's ``E_freq``, ...), the
standardizer's statistics when the network carries one (``robust_median``, ``robust_factor``
for robust scaling), a piecewise embedding's bins (``embedding_edges``), the table
preprocessing's numbers (``preprocess_median``, ``preprocess_mean``, ``preprocess_scale``)
when it carries one, and ``__meta__``: UTF-8 JSON
with the architecture, hyperparameters, the nnrecipe version, and (when present) the class
names and the preprocessing's columns and categories. It is written to a temporary file in
the same directory and renamed over the target, so a crash mid-save never leaves a
half-written model. Loading uses ``allow_pickle=False``: a model file can never run code.

A file of several networks (an :class:`nnrecipe.Ensemble`) holds each member's own arrays
under ``member{i}_`` (``member0_W1``, ``member0_standardizer_mean``, ...), their
configurations as ``members`` in the metadata, and the encoding they share once.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ._checks import check_layer_sizes, size_text
from ._files import atomic_write
from ._npz import NpzReader
from ._version import __version__
from .nn import embeddings
from .nn.network import Network

FORMAT = "nnrecipe-network"
# 2: class names, table preprocessing or target scaling inside; a network without them is
# still written as 1, so older nnrecipe versions keep loading it; 3: several networks (an
# ensemble's members, ``members`` in the metadata), which an older nnrecipe refuses
ENCODED = 2
FORMAT_VERSION = 3
MEMBER = "member{}_"  # the prefix of member i's arrays in a file of several networks
META_BYTES = 16 * 2**20  # the JSON metadata: class names and table columns, never this large
META_STRING = 1024  # characters of one string in it (a class name, a column, a category)


def _npz_path(path) -> Path:
    path = Path(path)
    return path if path.suffix == ".npz" else path.with_name(path.name + ".npz")


def _network_arrays(network: Network, name: str) -> dict[str, np.ndarray]:
    """One network's own arrays: parameters (checked finite), its scaler's statistics and
    a piecewise embedding's bins."""
    arrays = dict(network.get_parameters())
    for key, values in arrays.items():
        if not np.isfinite(values).all():
            raise ValueError(
                f"cannot save {name}: the parameter {key} contains NaN or inf (training "
                "diverged or the weights were set so); a model file holds finite weights only, "
                "as nnrecipe.load would refuse it"
            )
    st = network.standardizer
    if st is not None and st.fitted and getattr(st, "name", None) == "robust":
        arrays.update(robust_median=st.median_, robust_factor=st.factor_)
    elif st is not None and st.fitted:
        stats = {"mean": st.mean_, "var": st.var_, "scale": st.scale_}
        _check_statistics(stats, f"cannot save {name}: the network")
        arrays.update({f"standardizer_{k}": v for k, v in stats.items()})
    embedding = getattr(network, "embedding", None)
    if embedding is not None:
        arrays.update({f"embedding_{k}": v for k, v in embedding.state().items()})
    return arrays


def _add_encoding(network: Network, meta: dict, arrays: dict) -> bool:
    """Class names, target scaling and table preprocessing into ``meta``/``arrays``; True
    when there was any (an older nnrecipe, which ignores them, would predict wrongly)."""
    if getattr(network, "classes", None) is not None:
        meta["classes"] = [c.item() if isinstance(c, np.generic) else c for c in network.classes]
    if getattr(network, "target_scaling", None) is not None:
        meta["target_scaling"] = [float(v) for v in network.target_scaling]
    pre = getattr(network, "preprocessor", None)
    if pre is not None and pre.fitted:
        meta["preprocessor"] = pre.to_dict()
        arrays.update({f"preprocess_{k}": v for k, v in pre.arrays().items()})
    return any(k in meta for k in ("classes", "preprocessor", "target_scaling"))


def _write(path: Path, meta: dict, arrays: dict) -> Path:
    arrays["__meta__"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    return atomic_write(path, lambda f: np.savez(f, **arrays))


def save(network: Network, path) -> Path:
    """Save ``network`` to ``path`` (``.npz`` is appended when missing)."""
    path = _npz_path(path)
    meta = {
        "format": FORMAT,
        "format_version": 1,
        "nnrecipe_version": __version__,
        "config": network.config(),
    }
    arrays = _network_arrays(network, repr(str(path)))
    if _add_encoding(network, meta, arrays):
        meta["format_version"] = ENCODED  # an older nnrecipe would predict wrongly
    return _write(path, meta, arrays)


def save_members(networks, path) -> Path:
    """Save several networks that share one encoding (an :class:`nnrecipe.Ensemble`'s
    members) to one ``.npz``: member i's arrays as ``member{i}_W1``, ..., its configuration
    as ``members[i]`` of the metadata, the encoding (taken from the first) once."""
    path = _npz_path(path)
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "nnrecipe_version": __version__,
        "members": [net.config() for net in networks],
    }
    arrays: dict[str, np.ndarray] = {}
    for i, net in enumerate(networks):
        own = _network_arrays(net, f"{str(path)!r} member {i}")
        arrays.update({f"{MEMBER.format(i)}{k}": v for k, v in own.items()})
    _add_encoding(networks[0], meta, arrays)
    return _write(path, meta, arrays)


class ModelFile(NamedTuple):
    """What a model file holds, as read (nothing built yet)."""

    config: dict | None  # the Network constructor's arguments (None: a file of members)
    parameters: dict[str, np.ndarray]  # W1, b1, ...
    standardizer: dict[str, np.ndarray] | None  # mean, var, scale
    preprocessor: tuple[dict, dict[str, np.ndarray]] | None  # (JSON part, arrays)
    classes: list | None
    target_scaling: list[float] | None  # μ_y, σ_y
    robust: dict[str, np.ndarray] | None = None  # median, factor of robust scaling
    embedding: dict[str, np.ndarray] | None = None  # a piecewise embedding's edges
    members: tuple[ModelFile, ...] = ()  # a file of several networks: each one's own part


def read(path) -> ModelFile:
    """Everything a model file holds. Raises ValueError naming the file when it is missing,
    damaged or not an nnrecipe model; builds nothing (:func:`nnrecipe.load` builds the
    network).

    Nothing large is read before it is known to be what the metadata implies: only a regular
    file is opened, the metadata (``__meta__``, at most 16 MiB) comes first, every array's
    ``.npy`` header is then checked against the shapes that ``layer_sizes`` implies (and the
    total against this machine's memory), and only then is array data read. The
    standardizer's statistics must be complete and valid (finite, σ > 0). A file of several
    networks (:func:`save_members`) is checked member by member, and a refusal names the
    member."""
    name = repr(str(path))
    expected = "nnrecipe model (an .npz file written by Network.save)"
    try:
        with NpzReader(path, "model file", expected) as npz:
            meta = _metadata(npz, name)
            arrays = {key: npz.read(key, shape) for key, shape in _shapes(npz, meta, name).items()}
    except ValueError as exc:
        raise _naming_member(exc) from None
    table = {
        k[len("preprocess_") :]: arrays.pop(k) for k in list(arrays) if k.startswith("preprocess_")
    }
    encoding = {
        "preprocessor": (meta["preprocessor"], table) if "preprocessor" in meta else None,
        "classes": meta.get("classes"),
        "target_scaling": meta.get("target_scaling"),
    }
    if "members" not in meta:
        return _own(meta["config"], arrays, name, encoding)
    members = []
    for i, config in enumerate(meta["members"]):
        prefix = MEMBER.format(i)
        own = {k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)}
        members.append(_own(config, own, f"{name} member {i}", {}))
    return ModelFile(None, {}, None, **encoding, members=tuple(members))


def _own(config: dict, arrays: dict, name: str, encoding: dict) -> ModelFile:
    """One network's part of a file: its parameters, scaler and embedding (and
    ``encoding``: the preprocessor, classes, target scaling of a one-network file)."""
    stats = {k: arrays.pop(f"standardizer_{k}", None) for k in ("mean", "var", "scale")}
    if stats["mean"] is not None:
        _check_statistics(stats, name)
    robust, embedding = (
        {k[len(p) :]: arrays.pop(k) for k in list(arrays) if k.startswith(p)}
        for p in ("robust_", "embedding_")
    )
    return ModelFile(
        config=config,
        parameters=arrays,
        standardizer=stats if stats["mean"] is not None else None,
        preprocessor=encoding.get("preprocessor"),
        classes=encoding.get("classes"),
        target_scaling=encoding.get("target_scaling"),
        robust=robust or None,
        embedding=embedding or None,
    )


def _naming_member(exc: ValueError) -> ValueError:
    """``exc``, with " (member i)" added when it names member i's array only by its key."""
    found = re.search(r"'member(\d+)_", str(exc))
    if found is None or f"member {found.group(1)}" in str(exc):
        return exc
    return ValueError(f"{exc} (member {found.group(1)})")


def _metadata(npz: NpzReader, name: str) -> dict:
    bad = f"{name} is not an nnrecipe model: its metadata is missing or damaged"
    header = npz.headers.get("__meta__")
    if header is None or len(header.shape) != 1 or header.dtype != np.uint8:
        raise ValueError(bad)
    if header.nbytes > META_BYTES:
        raise ValueError(f"{bad} (it declares {size_text(header.nbytes)} of metadata)")
    try:
        meta = json.loads(npz.read("__meta__").tobytes().decode())
    except (ValueError, UnicodeDecodeError, RecursionError):  # also JSON nested 100,000 deep
        raise ValueError(bad) from None
    _check_strings(meta, name)
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ValueError(bad)
    version = meta.get("format_version", 0)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError(
            f"{name} holds a damaged nnrecipe model: format_version is {version!r}, expected "
            f"an integer from 1 to {FORMAT_VERSION}"
        )
    if version > FORMAT_VERSION:
        raise ValueError(
            f"{name} was saved by a newer nnrecipe ({meta.get('nnrecipe_version')}); "
            "upgrade nnrecipe to load it"
        )
    members = meta.get("members")
    if members is not None and not (
        isinstance(members, list) and members and all(isinstance(c, dict) for c in members)
    ):
        raise ValueError(f"{name} holds an inconsistent nnrecipe model: members is damaged")
    if members is None and not isinstance(meta.get("config"), dict):
        raise ValueError(f"{name} holds an inconsistent nnrecipe model: no config")
    return meta


def _check_strings(meta, name: str) -> None:
    """Refuse metadata holding a string longer than :data:`META_STRING` (class names, column
    names and categories are short; a 5 MB class name would be copied into every prediction)."""
    stack = [meta]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, str) and len(value) > META_STRING:
            raise ValueError(
                f"{name} holds a damaged nnrecipe model: its metadata has a string of "
                f"{len(value):,} characters ({value[:40]!r}…); names, labels and categories "
                f"are at most {META_STRING:,}"
            )


def _shapes(npz: NpzReader, meta: dict, name: str) -> dict[str, tuple[int, ...]]:
    """The shape of every array the file must hold, from the metadata; arrays missing or
    not implied by it are refused before any is read."""
    if "members" in meta:
        shapes: dict[str, tuple[int, ...]] = {}
        inputs = []
        for i, config in enumerate(meta["members"]):
            own, n = _network_shapes(npz, config, f"{name} member {i}", MEMBER.format(i))
            shapes.update(own)
            inputs.append(n)
        n_inputs = inputs[0]  # the members must agree (nnrecipe.load refuses them otherwise)
    else:
        shapes, n_inputs = _network_shapes(npz, meta["config"], name)
    if "preprocessor" in meta:  # at most one statistic per input column
        for key, header in npz.headers.items():
            if key.startswith("preprocess_"):
                if len(header.shape) != 1 or header.shape[0] > n_inputs:
                    raise ValueError(
                        f"{name} holds an inconsistent nnrecipe model: {key!r} has shape "
                        f"{header.shape}, more statistics than the {n_inputs} inputs"
                    )
                shapes[key] = header.shape
    unexpected = sorted(set(npz.headers) - set(shapes) - {"__meta__"})
    if unexpected:
        raise ValueError(
            f"{name} holds an inconsistent nnrecipe model: the arrays {unexpected} "
            "unexpected (not implied by its metadata)"
        )
    return shapes


def _network_shapes(npz: NpzReader, config, name: str, prefix: str = "") -> tuple[dict, int]:
    """The shapes of one network's arrays (``prefix`` + W1, b1, ..., its scaler's and its
    embedding's) and its number of inputs; an array missing is refused naming ``name``."""
    try:  # also refuses layer sizes whose θ would not fit in memory
        if not isinstance(config, dict):
            raise TypeError("its config is not a mapping")
        sizes = check_layer_sizes(config.get("layer_sizes"))
        kind = embeddings.check_kind(config.get("embeddings"))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} holds an inconsistent nnrecipe model: {exc}") from None
    shapes = embeddings.parameter_shapes(kind, sizes[0])
    for i in range(1, len(sizes)):
        n_in = embeddings.output_width(kind, sizes[0]) if i == 1 else sizes[i - 1]
        shapes[f"W{i}"], shapes[f"b{i}"] = (sizes[i], n_in), (sizes[i],)
    robust = ("robust_median", "robust_factor")
    if any(prefix + k in npz.headers for k in robust):  # both, one per input
        shapes.update({k: (sizes[0],) for k in robust})
    if kind == "piecewise" and prefix + "embedding_edges" in npz.headers:
        shapes["embedding_edges"] = (sizes[0], embeddings.BINS + 1)
    stats = [f"standardizer_{k}" for k in ("mean", "var", "scale")]
    present = [k for k in stats if prefix + k in npz.headers]
    if present and len(present) < len(stats):
        raise ValueError(
            f"{name} holds an incomplete standardizer: "
            f"{sorted(set(stats) - set(present))} missing; save the network again"
        )
    shapes.update({k: (sizes[0],) for k in present})
    missing = sorted(k for k in shapes if prefix + k not in npz.headers)
    if missing:
        raise ValueError(
            f"{name} holds an inconsistent nnrecipe model: for layer_sizes {sizes} the arrays "
            f"{missing} are missing"
        )
    return {prefix + k: shape for k, shape in shapes.items()}, sizes[0]


def _check_statistics(stats: dict[str, np.ndarray], name: str) -> None:
    """μ, σ², σ of the standardizer: finite, σ² ≥ 0, σ > 0 (a zero σ would divide by 0)."""
    for key, values in stats.items():
        if not np.isfinite(values).all():
            raise ValueError(
                f"{name} holds a damaged standardizer: standardizer_{key} contains NaN or inf"
            )
    if (stats["var"] < 0).any() or (stats["scale"] <= 0).any():
        raise ValueError(
            f"{name} holds a damaged standardizer: every variance must be >= 0 and every "
            "scale σ > 0 (a constant feature gets σ = 1)"
        )
