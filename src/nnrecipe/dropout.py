"""Inverted dropout (Srivastava et al. 2014, as taught in the course).

Forward, in training mode only, for a hidden layer's activations A of shape (m, n_l):

    D = (U < keep_prob),  U ~ Uniform[0, 1)  (a boolean mask, same shape as A)
    A = A * D / keep_prob

Backward reuses the same mask: dA = dA * D / keep_prob. Dividing by keep_prob keeps the
expected value of each activation unchanged, so nothing needs rescaling at prediction
time, where dropout is off. Dropout never touches the input or the output layer, and
``keep_prob = 1`` draws no random numbers at all.

U is drawn as U = K / 2³² with K uniform 32-bit integers, and the comparison is made on the
integers: K/2³² < keep_prob ⇔ K < ⌈keep_prob · 2³²⌉. That is the formula above on a grid of
2⁻³² (``rng.random`` in float32 has a grid of 2⁻²⁴), and cheaper: a 64-bit generator's raw
output gives two such K per draw, with no conversion to floating point (for the 49,152
hidden units of a benchmark batch, 52 µs instead of 76 µs; ``benchmarks/hot_path_micro.py``).
"""

from __future__ import annotations

import math

import numpy as np

# bit generators whose raw outputs are 64 uniformly random bits (MT19937's are 32 bits)
_RAW_64 = (np.random.PCG64, np.random.PCG64DXSM, np.random.SFC64, np.random.Philox)


def keep_threshold(keep_prob: float) -> int:
    """⌈keep_prob · 2³²⌉ - 1, the largest K kept (it fits a uint32 for 0 < keep_prob ≤ 1)."""
    return math.ceil(keep_prob * 2.0**32) - 1


def uniform_uint32(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """K ~ Uniform{0, ..., 2³² - 1}, i.i.d., of the given shape."""
    n = math.prod(shape)
    if type(rng.bit_generator) in _RAW_64:
        return rng.bit_generator.random_raw((n + 1) // 2).view(np.uint32)[:n].reshape(shape)
    return rng.integers(0, 2**32, size=shape, dtype=np.uint32)


def draw_mask(
    shape: tuple[int, ...],
    keep_prob: float,
    rng: np.random.Generator,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """D = U < keep_prob as a boolean array, written into ``out`` (bool, ``shape``) if given.

    The comparison is K ≤ ⌈keep_prob · 2³²⌉ - 1 on 32-bit integers K = U · 2³² (see the
    module docstring), so P(D = 1) is keep_prob to within 2⁻³².
    """
    return np.less_equal(uniform_uint32(rng, shape), keep_threshold(keep_prob), out=out)


def apply_mask(
    A: np.ndarray, D: np.ndarray, keep_prob: float, out: np.ndarray | None = None
) -> np.ndarray:
    """A ← A * D / keep_prob, in place unless ``out`` is given (forward on A, backward on dA).

    D is boolean, so the product keeps A's dtype (float32 stays float32).
    """
    out = np.multiply(A, D, out=A if out is None else out)
    out *= 1.0 / keep_prob
    return out
