"""Adam's update in fewer passes: folded NumPy passes, and an optional one-pass Numba kernel.

The textbook update (:class:`nnrecipe.train.optimizers.Adam`) is, with c = 1 - βᵗ,

    v ← β₁ v + (1-β₁) g,   s ← β₂ s + (1-β₂) g²,   θ ← θ - α (v/c₁) / (√(s/c₂) + ε)

Stored without their (1-β) factors, u = v/(1-β₁) and r = s/(1-β₂), the same update reads

    u ← β₁ u + g,   r ← β₂ r + g²,   θ ← θ - step · u / (√r + ε')

with step = α (1-β₁) √c₂ / (c₁ √(1-β₂)) and ε' = ε √c₂ / √(1-β₂) (``Adam.scalars``): all the
scalar work folds into two numbers, and :func:`adam_passes` runs it as 10 in-place NumPy passes
instead of 12 (221 µs vs 245 µs a step on the benchmark network).

NumPy runs Adam as 10 in-place passes over the flat parameter vector (see
:class:`nnrecipe.train.optimizers.Adam`, whose moments u = v/(1-β₁) and r = s/(1-β₂) leave out the
(1-β) factors). A compiled loop reads g, u, r and θ once and writes u, r and θ once, for each
coordinate i:

    u_i ← β₁ u_i + g_i,     r_i ← β₂ r_i + g_i²,     θ_i ← θ_i - step · u_i / (√r_i + ε')

with step and ε' from :meth:`nnrecipe.train.optimizers.Adam.scalars`: the same update as the NumPy
passes (the scalars are applied in float64, then stored in θ's dtype).
``benchmarks/hot_path_micro.py`` measures the two against each other.

Numba is an optional extra (``pip install numba``, or
``pip install -e '.[fast]'`` in the checkout). Without it, or with the
environment variable ``NNRECIPE_NUMBA=0``, Adam runs the NumPy passes. Numba is imported and
the loop compiled (about 0.5 s, then cached on disk) at the first Adam step, never by
``import nnrecipe``.
"""

from __future__ import annotations

import math
import os

import numpy as np

_compiled: dict = {}


def adam_passes(theta, g, u, r, tmp, beta1, beta2, step, eps) -> None:
    """The folded update as in-place two-operand NumPy passes through one scratch ``tmp``."""
    u *= beta1
    u += g
    np.multiply(g, g, out=tmp)
    r *= beta2
    r += tmp
    np.sqrt(r, out=tmp)
    tmp += eps
    np.divide(u, tmp, out=tmp)
    tmp *= step
    theta -= tmp


def adam_loop(theta, g, u, r, beta1, beta2, step, eps):
    """The fused update over 1-D arrays, in place (plain Python: Numba compiles this)."""
    for i in range(theta.size):
        gi = g[i]
        ui = beta1 * u[i] + gi
        ri = beta2 * r[i] + gi * gi
        u[i] = ui
        r[i] = ri
        theta[i] -= step * ui / (math.sqrt(ri) + eps)


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
