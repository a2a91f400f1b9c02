"""Data augmentation: random image transforms applied to each training mini-batch.

Every transform maps a batch X of shape (m, h·w·c) (flat rows, the network's layout) to a
new batch of the same shape, drawing its randomness from the generator it is given:

    Flip        x'[r, q] = x[r, w−1−q]                 with probability p per image
    Shift       x'[r, q] = x[r − Δr, q − Δq],           Δr, Δq ~ U{−s..s}, ``fill`` outside
    RandomCrop  an h×w crop of the image padded by ``padding`` (the same as a shift)
    Rotate      x'(u) = x(R(−θ) u) about the centre,    θ ~ U[−max, max], bilinear, ``fill``
    Noise       x' = x + σ·N(0, 1)  (optionally clipped)

Every image of the batch gets its own draw; the work is vectorized over the batch (one
gather for shifts, four for the bilinear rotation), with no Python loop over images.

Pass one transform or a :class:`Compose` to ``fit(..., augment=...)``: ``fit`` applies it
to training mini-batches only, never to dev or test data. Transforms work in *pixel* space
(``fill=0`` is a black background for images scaled to [0, 1]); when the network carries a
:class:`~nnrecipe.Standardizer` (``standardize=True``), ``fit`` un-standardizes each batch,
augments it, and standardizes it again (:func:`in_raw_space`), so padding is black and a
shifted pixel keeps its meaning even though the network sees standardized inputs.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .._checks import as_features, as_rng, check_nonneg
from .normalize import Standardizer


def _image_shape(image_shape, n: int) -> tuple[int, int, int]:
    """(h, w, c) for rows of n values; None infers a square grey image."""
    if image_shape is None:
        side = math.isqrt(n)
        if side * side != n:
            raise ValueError(
                f"X has {n} features, not a square number, so the image shape cannot be "
                "inferred; pass image_shape=(h, w) or (h, w, channels)"
            )
        return side, side, 1
    shape = tuple(image_shape)
    if len(shape) not in (2, 3) or not all(
        isinstance(s, numbers.Integral) and not isinstance(s, bool) and s > 0 for s in shape
    ):
        raise ValueError(f"image_shape={image_shape!r} must be (h, w) or (h, w, channels)")
    shape = shape + (1,) * (3 - len(shape))
    if math.prod(shape) != n:
        raise ValueError(
            f"image_shape={image_shape!r} holds {math.prod(shape)} values but X has {n} features"
        )
    return tuple(int(s) for s in shape)


class Transform:
    """Base class: ``transform(X, rng)`` returns an augmented copy of the batch X (m, h·w·c)."""

    def __init__(self, image_shape=None):
        self.image_shape = image_shape

    def __call__(self, X, rng=None) -> np.ndarray:
        X = np.asarray(X)
        dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.float64
        X = as_features(X, "X", dtype=dtype)
        shape = _image_shape(self.image_shape, X.shape[1])
        images = self._apply(X.reshape((len(X),) + shape), as_rng(rng))
        return np.ascontiguousarray(images, dtype=dtype).reshape(X.shape)

    def _apply(self, images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if k != "image_shape")
        return f"{type(self).__name__}({args})"


class Compose(Transform):
    """Apply ``transforms`` in order (each with its own draws from the same generator)."""

    def __init__(self, *transforms, image_shape=None):
        if len(transforms) == 1 and isinstance(transforms[0], list | tuple):
            transforms = tuple(transforms[0])
        for t in transforms:
            if not isinstance(t, Transform):
                raise TypeError(f"Compose takes nnrecipe.augment transforms, got {t!r}")
        super().__init__(image_shape)
        self.transforms = transforms

    def _apply(self, images, rng):
        for t in self.transforms:
            images = t._apply(images, rng)
        return images

    def __repr__(self) -> str:
        return f"Compose({', '.join(map(repr, self.transforms))})"


class Flip(Transform):
    """Mirror each image left-right with probability ``p`` (``vertical=True``: top-bottom).
    Only for images whose meaning survives a mirror (not digits or text)."""

    def __init__(self, p: float = 0.5, vertical: bool = False, image_shape=None):
        super().__init__(image_shape)
        self.p = float(p)
        if not 0.0 <= self.p <= 1.0:
            raise ValueError(f"p={p!r} must be a probability in [0, 1]")
        self.vertical = bool(vertical)

    def _apply(self, images, rng):
        flip = rng.random(len(images)) < self.p
        mirrored = images[:, ::-1] if self.vertical else images[:, :, ::-1]
        return np.where(flip[:, None, None, None], mirrored, images)


class Shift(Transform):
    """Translate each image by a random whole number of pixels in [−max_shift, max_shift]
    along each axis; uncovered pixels take ``fill`` (0: black for [0, 1] images)."""

    def __init__(self, max_shift: int = 2, fill: float = 0.0, image_shape=None):
        super().__init__(image_shape)
        if isinstance(max_shift, bool) or not isinstance(max_shift, numbers.Integral):
            raise TypeError(f"max_shift must be a whole number of pixels, got {max_shift!r}")
        if max_shift < 0:
            raise ValueError(f"max_shift={max_shift!r} must be >= 0")
        self.max_shift, self.fill = int(max_shift), float(fill)

    def _apply(self, images, rng):
        m, h, w, c = images.shape
        s = self.max_shift
        padded = np.full((m, h + 2 * s, w + 2 * s, c), self.fill, dtype=images.dtype)
        padded[:, s : s + h, s : s + w] = images
        d_row, d_col = rng.integers(-s, s + 1, size=(2, m))
        rows = (s - d_row)[:, None] + np.arange(h)  # out[r] = in[r - Δr] = padded[r - Δr + s]
        cols = (s - d_col)[:, None] + np.arange(w)
        return padded[np.arange(m)[:, None, None], rows[:, :, None], cols[:, None, :]]


class RandomCrop(Shift):
    """Pad each image by ``padding`` pixels of ``fill`` and crop a random h×w window: the
    same as a random shift by at most ``padding`` pixels."""

    def __init__(self, padding: int = 2, fill: float = 0.0, image_shape=None):
        super().__init__(padding, fill, image_shape)


class Rotate(Transform):
    """Rotate each image about its centre by θ ~ U[−max_degrees, max_degrees] (bilinear
    interpolation; pixels from outside the image take ``fill``)."""

    def __init__(self, max_degrees: float = 10.0, fill: float = 0.0, image_shape=None):
        super().__init__(image_shape)
        self.max_degrees, self.fill = check_nonneg(max_degrees, "max_degrees"), float(fill)

    def _apply(self, images, rng):
        m, h, w, c = images.shape
        theta = np.deg2rad(rng.uniform(-self.max_degrees, self.max_degrees, size=m))
        cos, sin = np.cos(theta)[:, None, None], np.sin(theta)[:, None, None]
        y = np.arange(h)[:, None] - (h - 1) / 2.0
        x = np.arange(w)[None, :] - (w - 1) / 2.0
        # a border of fill wide enough that no source pixel falls outside it: a rotation by
        # θ moves a point at radius R by at most 2R·sin(θ/2); so no clipping is needed
        radius = math.hypot(h, w) / 2
        pad = math.ceil(2 * radius * math.sin(math.radians(min(self.max_degrees, 180)) / 2)) + 2
        H, W = h + 2 * pad, w + 2 * pad
        padded = np.full((m, H, W, c), self.fill, dtype=images.dtype)
        padded[:, pad : pad + h, pad : pad + w] = images
        # source of each output pixel, in padded coordinates, shape (m, h, w)
        src_y = cos * y + sin * x + ((h - 1) / 2.0 + pad)
        src_x = cos * x - sin * y + ((w - 1) / 2.0 + pad)
        y0, x0 = np.floor(src_y), np.floor(src_x)
        wy = (src_y - y0).astype(images.dtype)
        wx = (src_x - x0).astype(images.dtype)
        # one flat index per output pixel: its upper-left neighbour; the others are +1, +W
        corner = (y0 * W + x0).astype(np.intp) + (np.arange(m) * (H * W))[:, None, None]
        if c == 1:  # grey images: 1-D gathers are the fastest
            flat = padded.reshape(-1)
        else:
            flat = padded.reshape(m * H * W, c)
            wy, wx = wy[..., None], wx[..., None]
        top_left, top_right = flat[corner], flat[corner + 1]
        bottom_left, bottom_right = flat[corner + W], flat[corner + W + 1]
        upper = top_left + (top_right - top_left) * wx
        lower = bottom_left + (bottom_right - bottom_left) * wx
        out = upper + (lower - upper) * wy
        return out[..., None] if c == 1 else out


class Noise(Transform):
    """Add Gaussian noise of standard deviation ``std`` to every pixel; ``clip=(lo, hi)``
    keeps the result in range (e.g. (0, 1))."""

    def __init__(self, std: float = 0.05, clip=None, image_shape=None):
        super().__init__(image_shape)
        self.std = check_nonneg(std, "std")
        if clip is not None and (len(clip) != 2 or not clip[0] < clip[1]):
            raise ValueError(f"clip={clip!r} must be None or (low, high) with low < high")
        self.clip = clip

    def _apply(self, images, rng):
        out = images + self.std * rng.standard_normal(images.shape, dtype=images.dtype)
        return out if self.clip is None else np.clip(out, *self.clip)


def in_raw_space(transform, standardizer):
    """Wrap ``transform`` so it sees un-standardized pixels: x = z·σ + μ, x' = transform(x),
    z' = (x' − μ)/σ. ``fit`` does this for a network that carries a fitted Standardizer."""
    if not isinstance(standardizer, Standardizer):
        raise ValueError(
            f"augment= works on pixels, which {standardizer!r} does not invert; build the "
            "network with standardize=True (or False) for images"
        )
    mean, scale = standardizer.mean_, standardizer.scale_

    def augment(Z, rng):
        raw = transform(Z * scale.astype(Z.dtype) + mean.astype(Z.dtype), rng)
        return ((raw - mean.astype(Z.dtype)) / scale.astype(Z.dtype)).astype(Z.dtype, copy=False)

    return augment
