"""What a benchmark ran on: the CPU, its vector features, and the BLAS kernel NumPy picked.

Two machines' figures can only be told apart with this line: OpenBLAS picks its kernels
(``Haswell`` for AVX2, ``SkylakeX`` for AVX-512, ...) from the CPU at load time, unless
``OPENBLAS_CORETYPE`` forces one, and the same code runs at different speeds on each.
The kernel is read from threadpoolctl (``pip install threadpoolctl``; scikit-learn brings it).
"""

from __future__ import annotations

import os
import platform
from pathlib import Path

FEATURES = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512_vnni", "amx_tile")


def cpu() -> tuple[str, list[str]]:
    """The CPU's model name and which of :data:`FEATURES` it has (Linux /proc/cpuinfo)."""
    name, flags = platform.processor() or "unknown CPU", set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                name = line.split(":", 1)[1].strip()
            elif line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return name, [f for f in FEATURES if f in flags]


def blas() -> str:
    """Each BLAS NumPy loaded: library, version, kernel architecture and threads."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "BLAS kernel unknown (pip install threadpoolctl)"
    import numpy  # noqa: F401 (loads its BLAS, which threadpoolctl then finds)

    parts = [
        f"{info.get('internal_api')} {info.get('version')} kernel "
        f"{info.get('architecture', '?')} ({info.get('num_threads')} threads)"
        for info in threadpool_info()
        if info.get("user_api") == "blas"
    ]
    return "BLAS " + ("; ".join(parts) if parts else "not found")


def describe() -> str:
    """One line: CPU, features, BLAS kernel and ``OPENBLAS_CORETYPE``."""
    name, features = cpu()
    coretype = os.environ.get("OPENBLAS_CORETYPE", "unset")
    return (
        f"CPU {name} [{' '.join(features) or 'no AVX'}], {os.cpu_count()} logical CPUs; "
        f"{blas()}; OPENBLAS_CORETYPE={coretype}"
    )


if __name__ == "__main__":
    print(describe())
