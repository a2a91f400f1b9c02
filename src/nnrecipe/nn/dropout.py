"""Inverted dropout (Srivastava et al. 2014, as taught in the course).

Forward, in training mode only, for a hidden layer's activations A of shape (m, n_l):

    D = (U < keep_prob),  U ~ Uniform[0, 1)  (a boolean mask, same shape as A)
    A = A * D / keep_prob

Backward reuses the same mask: dA = dA * D / keep_prob. Dividing by keep_prob keeps the
expected value of each activation unchanged, so nothing needs rescaling at prediction
time, where dropout is off. Dropout never touches the input or the output layer, and
``keep_prob = 1`` draws no random numbers at all.

U is drawn as U = K / 2³² with K uniform 32-bit integers, and the comparison is made on the
integers: K/2³² < keep_prob ⇔ K ≤ T with T = ⌈keep_prob · 2³²⌉ - 1. That is the formula above on
a grid of 2⁻³² (``rng.random`` in float32 has a grid of 2⁻²⁴). Like two decimals compared digit
by digit, K ≤ T is decided by the high 16 bits of K alone unless they equal T's, which happens
to one unit in 65,536; only those units draw their low 16 bits. So a mask costs about 16 random
bits a unit, taken from the generator's raw 64-bit output four at a time (for the 49,152 hidden
units of a benchmark batch, 35 µs instead of 76 µs for float32 uniforms;
``benchmarks/hot_path_micro.py``).
"""

from __future__ import annotations

import math

import numpy as np

# bit generators whose raw outputs are 64 uniformly random bits (MT19937's hold 32)
_RAW_64 = (np.random.PCG64, np.random.PCG64DXSM, np.random.SFC64, np.random.Philox)


def keep_threshold(keep_prob: float) -> int:
    """T = ⌈keep_prob · 2³²⌉ - 1, the largest K kept (it fits 32 bits for 0 < keep_prob ≤ 1)."""
    return math.ceil(keep_prob * 2.0**32) - 1


def uniform_uint16(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Integers uniform on {0, ..., 2¹⁶ - 1}, i.i.d., of the given shape."""
    n = math.prod(shape)
    if type(rng.bit_generator) in _RAW_64:
        return rng.bit_generator.random_raw((n + 3) // 4).view(np.uint16)[:n].reshape(shape)
    return rng.integers(0, 2**16, size=shape, dtype=np.uint16)


def draw_mask(
    shape: tuple[int, ...],
    keep_prob: float,
    rng: np.random.Generator,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """D = U < keep_prob as a boolean array, written into ``out`` (bool, ``shape``) if given.

    With U = K/2³² and K = 2¹⁶ K_hi + K_lo (see the module docstring), K ≤ T exactly when
    K_hi < T_hi, or K_hi = T_hi and K_lo ≤ T_lo; so P(D = 1) is keep_prob to within 2⁻³².
    """
    t_hi, t_lo = divmod(keep_threshold(keep_prob), 2**16)
    k_hi = uniform_uint16(rng, shape)
    D = np.less(k_hi, t_hi, out=out)
    tied = k_hi == t_hi
    if tied.any():  # one unit in 65,536: its low 16 bits decide
        ties = np.flatnonzero(tied)
        D.flat[ties] = uniform_uint16(rng, ties.shape) <= t_lo
    return D


def apply_mask(
    A: np.ndarray, D: np.ndarray, keep_prob: float, out: np.ndarray | None = None
) -> np.ndarray:
    """A ← A * D / keep_prob, in place unless ``out`` is given (forward on A, backward on dA).

    D is boolean, so the product keeps A's dtype (float32 stays float32).
    """
    out = np.multiply(A, D, out=A if out is None else out)
    out *= 1.0 / keep_prob
    return out
