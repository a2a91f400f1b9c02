"""Argument and array validation, random-generator and dtype helpers.

Every public entry point validates here, before any work is done, so a user sees
``ValueError``/``TypeError`` naming the argument, the value received and the fix,
never a deep NumPy traceback or a silent NaN.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Sequence

import numpy as np

DTYPES = {"float64": np.float64, "float32": np.float32}


def as_dtype(dtype) -> np.dtype:
    """Return ``np.float64`` or ``np.float32`` for a name or NumPy dtype."""
    try:
        dt = None if isinstance(dtype, bool) else np.dtype(dtype)
    except (TypeError, ValueError):
        dt = None
    # (a None dtype compares equal to float64 in NumPy: test it apart)
    if dt is None or dt not in (np.dtype(np.float64), np.dtype(np.float32)):
        raise ValueError(f"dtype={dtype!r} is not supported; use 'float64' (default) or 'float32'")
    return dt


def as_rng(rng, name: str = "rng") -> np.random.Generator:
    """A ``np.random.Generator`` from ``None``, an int seed or a Generator."""
    if isinstance(rng, bool | np.bool_):
        raise TypeError(f"{name}={rng!r} is a boolean; give an int seed (e.g. 0) or None")
    if rng is None or isinstance(rng, numbers.Integral | np.random.SeedSequence):
        if isinstance(rng, numbers.Integral) and rng < 0:
            raise ValueError(f"{name}={rng!r} must be a non-negative integer seed")
        return np.random.default_rng(rng)
    if isinstance(rng, np.random.Generator):
        return rng
    raise TypeError(
        f"{name} must be None, an int seed or a numpy.random.Generator, got {type(rng).__name__}"
    )


def check_flag(value, name: str) -> bool:
    """True or False, nothing else: one rule for every on/off argument (a string such as
    ``"yes"`` or a number is refused, as booleans are refused where numbers are expected)."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def memory_bytes() -> int | None:
    """This machine's physical memory in bytes (None when the platform does not say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def size_text(nbytes: float) -> str:
    """``7.28 TiB``: a byte count in binary units."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if nbytes < 1024 or unit == "PiB":
            return f"{nbytes:.0f} B" if unit == "B" else f"{nbytes:.3g} {unit}"
        nbytes /= 1024
    return f"{nbytes:.3g} EiB"  # pragma: no cover


def check_memory(nbytes: int, what: str, fix: str) -> None:
    """Refuse, before allocating, ``what`` needing more than this machine's memory."""
    total = memory_bytes()
    if total is not None and nbytes > total:
        raise ValueError(
            f"{what} would take {size_text(nbytes)}, more than this machine's memory "
            f"({size_text(total)}); {fix}"
        )


def as_array(value, name: str) -> np.ndarray:
    """``np.asarray(value)`` with errors that name ``name``: a ragged nested list is a
    ValueError, complex numbers a TypeError (nnrecipe works on real numbers)."""
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"{name} could not be read as an array ({' '.join(str(exc).split())[:120]}); "
            "pass a rectangular array or list of lists with rows of equal length"
        ) from None
    if np.iscomplexobj(arr):
        raise TypeError(
            f"{name} holds complex numbers (dtype {arr.dtype}); nnrecipe works on real "
            f"numbers: pass {name}.real or np.abs({name}) if that is what you mean"
        )
    return arr


def check_name(value, valid: Sequence[str], name: str) -> str:
    """Check that ``value`` is one of ``valid``; the error lists the valid names."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, one of {list(valid)}; got {value!r}")
    key = value.lower()
    if key not in valid:
        raise ValueError(f"{name}={value!r} is not known; valid names are {sorted(valid)}")
    return key


def _real(value, name: str, integer: bool = False) -> float:
    """``value`` as a float for the range checks: an integer too large for float64 (or, with
    ``integer``, for int64) raises ValueError naming it, not NumPy's ``isfinite`` TypeError."""
    if integer and isinstance(value, numbers.Integral) and not -(2**63) <= value < 2**63:
        raise ValueError(
            f"{name} is too large: an integer of {int(value).bit_length()} bits, at most 2**63 - 1"
        )
    try:
        return float(value)
    except OverflowError:
        raise ValueError(
            f"{name} is too large for a float: an integer of {int(value).bit_length()} bits"
        ) from None


def check_nonneg(value, name: str) -> float:
    """A finite float >= 0 (for λ, learning rates, decay rates)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number >= 0, got {value!r}")
    value = _real(value, name)
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name}={value!r} must be a finite number >= 0")
    return float(value)


def check_positive(value, name: str, integer: bool = False):
    """A finite number > 0 (an int if ``integer``)."""
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        what = "an integer" if integer else "a number"
        raise TypeError(f"{name} must be {what} > 0, got {value!r}")
    if not np.isfinite(_real(value, name, integer)) or value <= 0:
        raise ValueError(f"{name}={value!r} must be > 0")
    return int(value) if integer else float(value)


def check_keep_prob(value, name: str = "keep_prob") -> float:
    """Inverted-dropout keep probability, in (0, 1]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number in (0, 1], got {value!r}")
    if not (0.0 < value <= 1.0):
        raise ValueError(
            f"{name}={value!r} must be in (0, 1]: it is the probability of keeping a unit "
            "(1 turns dropout off); for a drop rate p pass keep_prob=1-p"
        )
    return float(value)


def per_layer(value, n: int, name: str, check) -> list:
    """Expand one value, or check a list with one value per hidden layer."""
    if isinstance(value, str) or not isinstance(value, Sequence | np.ndarray):
        return [check(value, name)] * n
    values = list(value)
    if len(values) != n:
        raise ValueError(
            f"{name} has {len(values)} values but the network has {n} hidden layers; "
            "pass one value for all of them or a list with one per hidden layer"
        )
    return [check(v, f"{name}[{i}]") for i, v in enumerate(values)]


def as_features(X, name: str = "X", n_features: int | None = None, dtype=np.float64) -> np.ndarray:
    """Validate a design matrix ``X`` of shape ``(m, n_x)`` and return it as a C-contiguous array.

    Rows are examples (the DESIGN.md convention). No copy is made when ``X`` already has the
    right dtype and layout (a ``numpy.memmap`` stays on disk); the NaN/inf check reads X a
    block of rows at a time, with a mask of 256 KiB.
    """
    arr = np.ascontiguousarray(check_features(X, name, n_features, finite=False), dtype=dtype)
    _check_finite(arr, name)
    return arr


def check_features(X, name: str = "X", n_features: int | None = None, finite: bool = True):
    """Validate ``X`` (m, n_x) like :func:`as_features` but return it in its own dtype and
    layout, never copied (for rows made a block at a time, e.g. from a memmap)."""
    if isinstance(X, str | bytes) or X is None:
        raise TypeError(f"{name} must be an array of shape (m, n_x), got {type(X).__name__}")
    arr = X if isinstance(X, np.ndarray) and not np.iscomplexobj(X) else as_array(X, name)
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)
    ):
        raise TypeError(f"{name} must hold numbers, got dtype {arr.dtype}; convert it first")
    if arr.ndim != 2:
        fix = " (for a single feature use X.reshape(-1, 1))" if arr.ndim == 1 else ""
        raise ValueError(f"{name} must be 2-D with shape (m, n_x), got shape {arr.shape}{fix}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); it needs at least one example")
    if arr.shape[1] == 0:
        raise ValueError(
            f"{name} has no columns (shape {arr.shape}); it needs at least one feature"
        )
    if n_features is not None and arr.shape[1] != n_features:
        hint = ""
        if arr.shape[0] == n_features:
            hint = "; it looks like the course's (n_x, m) layout: pass X.T (rows are examples)"
        raise ValueError(
            f"{name} has {arr.shape[1]} features (shape {arr.shape}) but the network's input "
            f"layer expects {n_features}{hint}"
        )
    if finite:
        _check_finite(arr, name)
    return arr


def layout_hint(x_shape: tuple, y_shape: tuple, n_out: int | None = None) -> str:
    """The course-layout hint for a shape mismatch: "; ..." naming the fix, or "".

    The course stores examples as columns: X (n_x, m), Y (1, m) or (n_y, m). Here rows are
    examples, so such arrays need a transpose: X.T when X's columns count y's examples,
    y.ravel() when y is one row of m labels, Y.T when Y's columns are the examples.
    ``x_shape`` may be None (y's check alone)."""
    x_shape, y_shape = tuple(x_shape or ()), tuple(y_shape)
    m = x_shape[0] if x_shape else None
    row = len(y_shape) == 2 and y_shape[0] == 1 and y_shape[1] > 1
    if row and len(x_shape) == 2 and y_shape[1] == x_shape[1] != m:
        return "; X and y look like the course's (n, m) layout: pass X.T and y.ravel()"
    if row and m in (None, y_shape[1]):
        return "; y looks like the course's (1, m) row of labels: pass y.ravel()"
    course_y = len(y_shape) == 2 and n_out is not None and y_shape[0] == n_out != y_shape[1]
    if course_y and m in (None, y_shape[1]):
        return "; Y looks like the course's (n_y, m) layout: pass Y.T (rows are examples)"
    if len(x_shape) == 2 and y_shape and x_shape[1] == y_shape[0] != m:
        return "; X looks like the course's (n_x, m) layout: pass X.T (rows are examples)"
    return ""


def _check_finite(arr: np.ndarray, name: str) -> None:
    if not np.issubdtype(arr.dtype, np.inexact):
        return  # integers and booleans are always finite
    # a block of rows at a time: the mask takes 256 KiB, never one byte per element of X
    rows = max(1, 2**18 // max(arr.shape[1], 1))
    mask = np.empty((min(rows, arr.shape[0]), arr.shape[1]), dtype=bool)
    for s in range(0, arr.shape[0], rows):
        block = arr[s : s + rows]
        finite = np.isfinite(block, out=mask[: len(block)])
        if not finite.all():
            bad = np.argwhere(~finite)[0]
            raise ValueError(
                f"{name} contains NaN or inf (first at row {s + bad[0]}, column {bad[1]}); "
                "impute or drop those values before training"
            )


def check_layer_sizes(layer_sizes) -> list[int]:
    """The course's ``layers_dims``: at least [n_x, n_y], every size a positive integer."""
    if isinstance(layer_sizes, str) or not isinstance(layer_sizes, Sequence | np.ndarray):
        raise TypeError(
            f"layer_sizes must be a list like [n_x, n_h1, ..., n_y], got {layer_sizes!r}"
        )
    sizes = list(layer_sizes)
    if len(sizes) < 2:
        raise ValueError(
            f"layer_sizes={sizes!r} needs at least an input and an output size, e.g. [2, 20, 1]"
        )
    for i, n in enumerate(sizes):
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
            raise ValueError(f"layer_sizes[{i}]={n!r} must be a positive integer")
    sizes = [int(n) for n in sizes]
    n_parameters = sum(a * b + a for a, b in zip(sizes[1:], sizes[:-1], strict=False))
    check_memory(
        2 * 8 * n_parameters,  # θ and dθ in float64
        f"layer_sizes={sizes} has {n_parameters:,} parameters; θ and dθ alone",
        "use smaller layers",
    )
    return sizes


def shorten(text, limit: int = 60) -> str:
    """``repr`` of ``text`` cut to ``limit`` characters: what a message quotes of a name or a
    cell that came from a file (a 10 MB column name must not make a 20 MB error line)."""
    text = str(text)
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"… ({len(text):,} chars)"


def check_scalable(mean, var, name: str = "X", columns=None) -> None:
    """Refuse features (or a target) whose mean μ or variance σ² is not finite in float64.

    σ² = (1/m) Σ (x − μ)² overflows once |x − μ| passes about 1.3e154, and Σ x once the
    values near 1.8e308/m: the standardized inputs would be NaN (or a σ of inf turns the
    column into zeros) and training learns nothing, or the saved model cannot be loaded.
    ``mean`` and ``var`` are 1-D per column (or scalars); ``columns`` names them (a table's
    column names; else the index is given). Raises ValueError naming the first such column.
    """
    bad = ~(np.isfinite(np.atleast_1d(mean)) & np.isfinite(np.atleast_1d(var)))
    if not bad.any():
        return
    j = int(np.argmax(bad))
    if np.ndim(mean) == 0:
        where = name
    elif columns is None:
        where = f"{name} column {j}"
    else:
        where = f"{name} column {shorten(columns[j])}"
    more = f" (and {int(bad.sum()) - 1} more columns)" if bad.sum() > 1 else ""
    raise ValueError(
        f"{where}{more} cannot be standardized: its values are too large for float64 (their "
        "mean or variance overflows, as with values near 1e154 or beyond); rescale it (divide "
        "by a power of ten, or take a logarithm) or drop it before training"
    )


def shorten_list(names, limit: int = 12) -> str:
    """``['a', 'b', … and 40 more]``: names a message lists, each cut by :func:`shorten`."""
    names = list(names)
    shown = ", ".join(shorten(n) for n in names[:limit])
    more = f", … and {len(names) - limit:,} more" if len(names) > limit else ""
    return f"[{shown}{more}]"
