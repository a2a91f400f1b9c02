"""MNIST: the four canonical IDX files, verified by md5, cached, readable offline.

An IDX file is a big-endian header followed by the raw array:

    bytes 0-1: 0, 0;  byte 2: type code (0x08 = unsigned byte);  byte 3: number of dims d
    then d big-endian uint32 sizes, then prod(sizes) values, row-major

Images are ``(n, 28, 28)`` uint8 (magic 0x00000803), labels ``(n,)`` uint8 (magic 0x00000801).
Files may be gzipped (``.gz``, as published) or not.

Where the files are looked for, in order: the ``path`` argument (a folder; then nothing
else is tried), the folder in ``$NNRECIPE_MNIST``, and the cache folder
``$NNRECIPE_DATA/mnist`` (default ``~/.cache/nnrecipe/mnist``). Missing files are
downloaded into the cache when ``download=True``, checked against the published md5 and
written atomically, so a broken download never leaves a damaged file behind.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .._checks import as_dtype, check_name
from .._files import atomic_write

FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
MD5 = {  # of the published .gz files
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def cache_dir() -> Path:
    """``$NNRECIPE_DATA/mnist``, or ``~/.cache/nnrecipe/mnist``."""
    root = os.environ.get("NNRECIPE_DATA")
    return (Path(root) if root else Path.home() / ".cache" / "nnrecipe") / "mnist"


def md5sum(path) -> str:
    import hashlib

    digest = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_idx(path) -> np.ndarray:
    """Read one IDX file (gzipped or not). Raises ValueError naming the file when it is
    damaged, truncated or not an IDX file."""
    import gzip

    path = Path(path)
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as f:
                raw = f.read()
        else:
            raw = path.read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise ValueError(
            f"MNIST file {str(path)!r} cannot be read ({exc}); it is damaged or "
            "truncated: delete it and download it again"
        ) from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in TYPES:
        raise ValueError(f"{str(path)!r} is not an IDX file (bad magic number {raw[:4].hex()})")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{str(path)!r} is truncated inside its header")
    shape = tuple(int(d) for d in np.frombuffer(raw, ">u4", count=ndim, offset=4))
    dtype = np.dtype(TYPES[raw[2]])
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(raw) - header != expected:
        state = "truncated" if len(raw) - header < expected else "longer than its header says"
        raise ValueError(
            f"{str(path)!r} is {state}: its header announces shape {shape} ({expected:,} bytes "
            f"of data) but it holds {len(raw) - header:,}; delete it and download it again"
        )
    return np.frombuffer(raw, dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def find_file(name: str, folders: list[Path]) -> Path | None:
    """The first copy of the MNIST file ``name`` in ``folders``, gzipped or not, or None.

    The loader and ``nnrecipe datasets`` both look files up here, so the listing agrees with
    what loading finds."""
    variants = (name, name.replace("-idx", ".idx"))  # some copies use "train-images.idx3-ubyte"
    for folder in folders:
        for base in variants:
            for candidate in (folder / (base + ".gz"), folder / base):
                if candidate.is_file():
                    return candidate
    return None


def download_file(name: str, folder=None, mirrors=None) -> Path:
    """Download ``name`` (e.g. ``"t10k-images-idx3-ubyte.gz"``) into ``folder`` (default the
    cache), verify its md5 and write it atomically. Tries each mirror in turn."""
    import hashlib
    import urllib.request  # imported here: it costs ~0.1 s and only downloads need it

    if name not in MD5:
        raise ValueError(f"{name!r} is not an MNIST file; valid names are {sorted(MD5)}")
    target = Path(folder) if folder is not None else cache_dir()
    mirrors = MIRRORS if mirrors is None else tuple(mirrors)
    env = os.environ.get("NNRECIPE_MNIST_MIRROR")
    if env:
        mirrors = (env,) + mirrors
    errors = []
    for mirror in mirrors:
        url = mirror.rstrip("/") + "/" + name
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                data = response.read()
        except (OSError, ValueError) as exc:
            errors.append(f"{url}: {exc}")
            continue
        digest = hashlib.md5(data).hexdigest()
        if digest != MD5[name]:
            errors.append(f"{url}: md5 {digest} instead of {MD5[name]} (damaged download)")
            continue
        return atomic_write(target / name, lambda f, data=data: f.write(data))
    raise ValueError(
        f"could not download {name}: " + "; ".join(errors) + ". Without a network, copy the "
        f"four MNIST files into {str(target)!r}, or set NNRECIPE_MNIST=<folder holding them> "
        "(from Python: mnist(path=<folder>))"
    )


def mnist(
    subset: str = "train",
    path=None,
    download: bool = True,
    flatten: bool = True,
    scale: bool = True,
    dtype="float64",
    verify: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """MNIST handwritten digits: X of shape (n, 784) (or (n, 28, 28) with ``flatten=False``)
    and labels y (n,) in 0..9; n = 60,000 for ``"train"``, 10,000 for ``"test"``.

    Parameters
    ----------
    subset : {"train", "test"}
    path : folder, optional
        A folder holding the files (``.gz`` or uncompressed); only this folder is searched.
    download : bool
        Download missing files into the cache (``$NNRECIPE_DATA/mnist``).
    flatten : bool
        Rows of 784 pixels (the network's layout) instead of 28×28 images.
    scale : bool
        Pixels as floats in [0, 1] (x/255); otherwise the raw uint8 values.
    dtype : {"float64", "float32"}
    verify : bool
        Check a ``.gz`` file's md5 against the published one before reading it.
    """
    subset = check_name(subset, tuple(FILES), "subset")
    if path is not None:
        folders = [Path(path)]
        if not folders[0].is_dir():
            raise ValueError(f"path={str(path)!r} is not a folder holding the MNIST files")
    else:
        env = os.environ.get("NNRECIPE_MNIST")
        folders = ([Path(env)] if env else []) + [cache_dir()]
    arrays = []
    for name in FILES[subset]:
        found = find_file(name, folders)
        if found is None and download and path is None:
            found = download_file(name + ".gz")
        if found is None:
            where = ", ".join(repr(str(f)) for f in folders)
            raise ValueError(
                f"MNIST file {name}(.gz) was not found in {where}; allow the download "
                "(download=True), or set NNRECIPE_MNIST=<folder holding it> (from Python: "
                "mnist(path=<folder>))"
            )
        digest = md5sum(found) if verify and found.suffix == ".gz" else None
        if digest is not None and found.name in MD5 and digest != MD5[found.name]:
            raise ValueError(
                f"MNIST file {str(found)!r} has md5 {digest}, not the published "
                f"{MD5[found.name]}: it is damaged or not the canonical file; delete it to "
                "download it again, or pass verify=False to read it anyway"
            )
        arrays.append(read_idx(found))
    images, labels = arrays
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise ValueError(
            f"MNIST {subset} files do not match: images {images.shape}, labels {labels.shape}"
        )
    X = images.reshape(len(images), -1) if flatten else images
    if scale:
        dt = as_dtype(dtype)
        X = X.astype(dt) / dt.type(255)
    return X, labels.astype(np.int64)
