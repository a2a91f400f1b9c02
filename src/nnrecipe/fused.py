"""Optional fused kernel: Adam's update in one pass over θ, compiled by Numba.

NumPy runs Adam as 12 in-place passes over the flat parameter vector (see
:class:`nnrecipe.optimizers.Adam`). A compiled loop reads g, v, s and θ once and writes v, s
and θ once, for each coordinate i:

    v_i ← β₁ v_i + (1 - β₁) g_i,     s_i ← β₂ s_i + (1 - β₂) g_i²,
    θ_i ← θ_i - step · v_i / (√s_i + ε')     with step = α √c₂ / c₁, ε' = ε √c₂, c = 1 - βᵗ

the same update as the NumPy passes (the scalars are applied in float64, then stored in θ's
dtype). On the 235,146 float32 parameters of ``benchmarks/train_speed.py`` it takes about
95 µs instead of 240 µs (float64: 110 µs instead of 700 µs); ``benchmarks/hot_path_micro.py``
measures it.

Numba is an optional extra (``pip install 'nnrecipe[fast]'``). Without it, or with the
environment variable ``NNRECIPE_NUMBA=0``, Adam runs the NumPy passes. Numba is imported and
the loop compiled (about 0.5 s, then cached on disk) at the first Adam step, never by
``import nnrecipe``.
"""

from __future__ import annotations

import math
import os

_compiled: dict = {}


def adam_loop(theta, g, v, s, beta1, beta2, step, eps):
    """The fused update over 1-D arrays, in place (plain Python: Numba compiles this)."""
    for i in range(theta.size):
        gi = g[i]
        vi = beta1 * v[i] + (1.0 - beta1) * gi
        si = beta2 * s[i] + (1.0 - beta2) * gi * gi
        v[i] = vi
        s[i] = si
        theta[i] -= step * vi / (math.sqrt(si) + eps)


def adam_kernel():
    """The compiled :func:`adam_loop`, or None when Numba is missing or disabled."""
    if "adam" not in _compiled:
        _compiled["adam"] = None
        if os.environ.get("NNRECIPE_NUMBA", "1") != "0":
            try:
                import numba
            except ImportError:
                pass
            else:
                # error_model="numpy": x/0 gives inf/nan as in NumPy (no Python exception
                # check in the loop, which also lets LLVM vectorize it)
                jit = numba.njit(cache=True, nogil=True, error_model="numpy")
                _compiled["adam"] = jit(adam_loop)
    return _compiled["adam"]
