"""All parameters in one flat vector θ, all gradients in one flat vector dθ.

With the parameters W1, b1, W2, b2, ... laid end to end in C order,

    θ = [vec(W1), b1, vec(W2), b2, ..., vec(WL), bL],    dθ = [vec(dW1), db1, ...]

and every W[l], b[l], dW[l], db[l] is a *view* into θ or dθ (no copy). Backpropagation writes
straight into dθ, an optimizer steps over the one vector θ, and gradient checking perturbs
coordinates of θ: packing and unpacking cost nothing.
"""

from __future__ import annotations

import math

import numpy as np

from .._checks import as_array


def _real(value, name: str, shape: tuple[int, ...]) -> np.ndarray:
    arr = as_array(value, name)
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must hold real numbers, got dtype {arr.dtype} ({type(value).__name__}); "
            f"pass a float array of shape {shape}"
        )
    return arr


class FlatParameters:
    """θ and dθ of the given ``{name: shape}`` (in order), with named views into both.

    Attributes: ``theta`` and ``grad`` (the flat vectors), ``views`` (``{"W1": view of θ,
    ...}``) and ``grad_views`` (``{"dW1": view of dθ, ...}``).
    """

    def __init__(self, shapes: dict[str, tuple[int, ...]], dtype):
        size = sum(math.prod(s) for s in shapes.values())
        self.theta = np.zeros(size, dtype=dtype)
        self.grad = np.zeros(size, dtype=dtype)
        self.views: dict[str, np.ndarray] = {}
        self.grad_views: dict[str, np.ndarray] = {}
        offset = 0
        for key, shape in shapes.items():
            n = math.prod(shape)
            self.views[key] = self.theta[offset : offset + n].reshape(shape)
            self.grad_views["d" + key] = self.grad[offset : offset + n].reshape(shape)
            offset += n

    def layer(self, i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(W, b, dW, db) of layer ``i`` (1-based), as views."""
        return (
            self.views[f"W{i}"],
            self.views[f"b{i}"],
            self.grad_views[f"dW{i}"],
            self.grad_views[f"db{i}"],
        )

    def get(self) -> dict[str, np.ndarray]:
        """A copy of the parameters as the course's dict: ``W1`` (n1, n0), ``b1`` (n1,), ..."""
        return {k: v.copy() for k, v in self.views.items()}

    def set(self, parameters: dict) -> None:
        """Copy a course-style dict in (``b`` may be (n, 1) columns); nothing is written unless
        every entry is valid."""
        if not isinstance(parameters, dict):
            raise TypeError(f"parameters must be a dict with keys W1, b1, ..., got {parameters!r}")
        missing = sorted(set(self.views) - set(parameters))
        extra = sorted(set(parameters) - set(self.views))
        if missing or extra:
            raise ValueError(
                f"parameters must have exactly the keys {list(self.views)}; "
                f"missing {missing}, unexpected {extra}"
            )
        staged = {}
        for key, view in self.views.items():
            arr = _real(parameters[key], f"parameters[{key!r}]", view.shape)
            arr = arr.astype(self.theta.dtype, copy=False)
            if key.startswith("b") and arr.shape == view.shape + (1,):
                arr = arr[:, 0]
            if arr.shape != view.shape:
                raise ValueError(
                    f"parameters[{key!r}] has shape {arr.shape}, expected {view.shape}"
                )
            if not np.isfinite(arr).all():
                raise ValueError(f"parameters[{key!r}] contains NaN or inf")
            staged[key] = arr
        for key, arr in staged.items():
            self.views[key][...] = arr

    def set_vector(self, theta) -> None:
        """Copy a flat θ in (its shape must be ``(size,)``)."""
        theta = _real(theta, "theta", self.theta.shape)
        if theta.shape != self.theta.shape:
            raise ValueError(f"theta has shape {theta.shape}, expected {self.theta.shape}")
        self.theta[...] = theta
