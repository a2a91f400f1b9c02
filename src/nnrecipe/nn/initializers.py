"""Weight initializers: W[l] of shape (n_l, n_{l-1}); biases always start at 0.

=========  ====================================  =========================================
name       W[l] ~                                why
=========  ====================================  =========================================
zeros      0                                     a baseline that fails: every unit of a
                                                 layer stays identical (symmetry unbroken)
random     N(0, 1) · scale (default 0.01)        breaks symmetry; large scales saturate
xavier     N(0, 1) · √(1/n_{l-1})                the course's "Xavier" (Keras: LeCun normal)
glorot     N(0, 1) · √(2/(n_{l-1} + n_l))        Glorot & Bengio 2010 (Keras: glorot_normal)
he         N(0, 1) · √(2/n_{l-1})                He et al. 2015, keeps ReLU variance steady
auto       he for relu/leaky_relu, else xavier
=========  ====================================  =========================================

All draws come from an explicit ``np.random.Generator`` (``initialize`` also takes a legacy
``np.random.RandomState``, whose ``standard_normal(shape)`` draws what ``np.random.randn`` draws
after ``np.random.seed``: how :mod:`nnrecipe.course` gets the notebooks' very weights).
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from .._checks import check_name

MAX_SCALE = 1e3  # N(0, 1)·1e3 weights already saturate every sigmoid and tanh

NAMES = ("zeros", "random", "xavier", "glorot", "he", "auto")


def std(name: str, n_in: int, n_out: int, scale: float = 0.01) -> float:
    """Standard deviation of the normal draw for one layer (0 for zeros)."""
    if name == "zeros":
        return 0.0
    if name == "random":
        return scale
    if name == "xavier":
        return float(np.sqrt(1.0 / n_in))
    if name == "glorot":
        return float(np.sqrt(2.0 / (n_in + n_out)))
    if name == "he":
        return float(np.sqrt(2.0 / n_in))
    raise ValueError(f"init={name!r} is not known; valid names are {list(NAMES)}")


def parse(init) -> tuple[str, float]:
    """Accept ``"he"``, ``"random"``, ``("random", 10.0)`` or ``{"name": "random", "scale": 10}``.

    Returns ``(name, scale)``; the scale is used by ``random`` only.
    """
    scale = 0.01
    if isinstance(init, tuple | list) and len(init) == 2:
        init, scale = init
    elif isinstance(init, dict):
        init, scale = init.get("name"), init.get("scale", 0.01)
    name = check_name(init, NAMES, "init")
    if isinstance(scale, bool) or not isinstance(scale, numbers.Real):
        raise TypeError(f"the scale of init='random' must be a number > 0, got {scale!r}")
    if not 0 < scale <= MAX_SCALE:  # NaN fails too
        raise ValueError(
            f"the scale of init='random' must be a finite number in (0, {MAX_SCALE:g}], got "
            f"{scale!r}: larger weights overflow the activations to inf and the network "
            "predicts NaN (the course's 'large' example is 10)"
        )
    return name, float(scale)


def resolve(name: str, hidden: list[str]) -> str:
    """``auto`` → ``he`` when the hidden layers are ReLU-family, else ``xavier``."""
    if name != "auto":
        return name
    return "he" if all(h in ("relu", "leaky_relu") for h in hidden) else "xavier"


def initialize(
    weights: list[np.ndarray],
    biases: list[np.ndarray],
    name: str,
    rng: np.random.Generator,
    scale: float = 0.01,
) -> None:
    """Fill ``weights`` (in place) by the rule ``name``; set ``biases`` to zero."""
    if name == "zeros":
        warnings.warn(
            "init='zeros' does not break symmetry: every unit in a layer computes the same "
            "function and gets the same update, so the network acts like one unit per layer; "
            "use 'he' (ReLU) or 'xavier' (tanh)",
            UserWarning,
            stacklevel=3,
        )
    for W, b in zip(weights, biases, strict=True):
        n_out, n_in = W.shape
        s = std(name, n_in, n_out, scale)
        if s == 0.0:
            W[...] = 0
        else:
            W[...] = rng.standard_normal(W.shape) * s
        b[...] = 0
