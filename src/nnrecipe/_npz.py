"""Reading ``.npz`` files that may have been made to hurt: headers first, data last.

An ``.npz`` is a zip of ``.npy`` members; each ``.npy`` starts with a short header giving
the array's dtype and shape. :class:`NpzReader` reads those headers (a few hundred bytes per
member, never the data), so a caller can check every declared shape against what it expects
before reading any data: a 1.6 MB file declaring a (3, 66666660) array, a header declaring
74.5 GiB, or a member that decompresses 1000× (a decompression bomb) is refused for the size
it would take, not discovered by running out of memory. Only regular files are opened (a
FIFO or a device would block forever), and object arrays are refused (no pickle, ever).
"""

from __future__ import annotations

import io
import math
import zipfile
from pathlib import Path
from typing import NamedTuple

import numpy as np
from numpy.lib import format as npy

from ._checks import size_text

HEADER_BYTES = 16384  # an .npy header is at most 10,000 bytes after the magic (NumPy's limit)
BOMB_BYTES = 64 * 2**20  # larger members are checked for their compression ratio
BOMB_RATIO = 100  # float weights compress about 1.1×; a run of zeros 1000×


class Header(NamedTuple):
    """One member's ``.npy`` header: ``shape``, ``dtype``, and the bytes before its data."""

    key: str  # the array's name (the member's name without ``.npy``)
    info: zipfile.ZipInfo
    shape: tuple[int, ...]
    dtype: np.dtype
    offset: int

    @property
    def nbytes(self) -> int:
        """The size of the data the header declares (exact, Python integers)."""
        return math.prod(self.shape) * self.dtype.itemsize


class NpzReader:
    """``with NpzReader(path) as f``: ``f.headers`` maps each array name to its
    :class:`Header`; ``f.read(key, shape)`` checks the declared shape and sizes, then reads.

    Every error is a ValueError naming the file."""

    def __init__(self, path, what: str = "file", expected: str = ".npz file"):
        self.path = Path(path)
        self.name = f"{what} {str(self.path)!r}"
        if not self.path.exists():
            raise ValueError(f"{self.name} does not exist")
        if not self.path.is_file():  # a FIFO would block open() until a writer comes
            raise ValueError(
                f"{self.name} is not a regular file (a directory, FIFO or device); give the "
                "path of an .npz file"
            )
        try:
            self._zip = zipfile.ZipFile(self.path)
            self.headers = {h.key: h for h in map(self._header, self._zip.infolist())}
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
            self.close()
            raise ValueError(f"{self.name} is not a readable {expected}: {exc}") from None
        except BaseException:
            self.close()
            raise

    def _header(self, info: zipfile.ZipInfo) -> Header:
        key = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
        with self._zip.open(info) as member:
            head = io.BytesIO(member.read(HEADER_BYTES))
        try:
            version = npy.read_magic(head)
            if version == (1, 0):
                shape, fortran, dtype = npy.read_array_header_1_0(head)
            elif version == (2, 0):
                shape, fortran, dtype = npy.read_array_header_2_0(head)
            else:
                raise ValueError(f".npy format version {version} is not supported")
        except ValueError as exc:
            raise ValueError(
                f"{self.name}: the member {key!r} is not a valid .npy array: {exc}"
            ) from None
        if fortran or dtype.hasobject or dtype.kind not in "biuf":
            raise ValueError(
                f"{self.name}: the array {key!r} has dtype {dtype}"
                f"{' in Fortran order' if fortran else ''}; only C-order numbers are read "
                "(object arrays would need pickle)"
            )
        return Header(key, info, tuple(int(n) for n in shape), dtype, head.tell())

    def read(self, key: str, shape: tuple[int, ...] | None = None) -> np.ndarray:
        """The array ``key``, after checking that its header declares ``shape`` (when given),
        that the zip entry holds exactly the declared bytes, and that it is no bomb."""
        header = self.headers[key]
        if shape is not None and header.shape != tuple(shape):
            raise ValueError(
                f"{self.name}: the array {key!r} declares shape {header.shape} "
                f"({size_text(header.nbytes)}), but {tuple(shape)} is expected"
            )
        nbytes, stored = header.nbytes, header.info.file_size - header.offset
        if stored != nbytes:
            raise ValueError(
                f"{self.name} is damaged: the array {key!r} declares {size_text(nbytes)} of "
                f"data but its zip entry holds {size_text(max(stored, 0))}"
            )
        compressed = max(header.info.compress_size, 1)
        if nbytes > BOMB_BYTES and nbytes > BOMB_RATIO * compressed:
            raise ValueError(
                f"{self.name}: the array {key!r} would decompress to {size_text(nbytes)} from "
                f"{size_text(compressed)}, a ratio no trained weights have; refused (a "
                "decompression bomb?)"
            )
        try:
            with self._zip.open(header.info) as member:
                return npy.read_array(member, allow_pickle=False)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise ValueError(f"{self.name}: the array {key!r} is damaged: {exc}") from None

    def close(self) -> None:
        z = getattr(self, "_zip", None)
        if z is not None:
            z.close()

    def __enter__(self) -> NpzReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
