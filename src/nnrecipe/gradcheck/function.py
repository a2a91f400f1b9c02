"""Gradient checking of a learner's own implementation, over a course-style parameter dict.

The same check as :func:`nnrecipe.gradcheck`, with the cost and its gradient as black boxes:

    dθ_approx[i] = (cost_fn(θ + ε e_i) − cost_fn(θ − ε e_i)) / 2ε,   dθ = grad_fn(θ)

    difference   = ‖dθ_approx − dθ‖₂ / (‖dθ_approx‖₂ + ‖dθ‖₂)

over ``{"W1": ..., "b1": ..., ...}`` (any shapes, the course's (n, 1) biases included),
against ``{"dW1": ..., "db1": ..., ...}``. Each cost is one call of ``cost_fn``, so a full
check costs 2P calls: use ``mode="sample"`` or ``"directional"`` for big parameter dicts.
θ is perturbed in place in a float64 copy and restored after every call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial

import numpy as np

from .._checks import as_rng
from .network import _check_options, _random_directions, _sample
from .result import GradcheckResult


def _course_parameters(parameters) -> dict[str, np.ndarray]:
    if not isinstance(parameters, Mapping) or not parameters:
        raise TypeError(
            f"parameters must be a non-empty dict like {{'W1': ..., 'b1': ...}}, "
            f"got {type(parameters).__name__}"
        )
    params = {}
    for key, value in parameters.items():
        if not isinstance(key, str):
            raise TypeError(f"parameter names must be strings like 'W1', got {key!r}")
        try:
            arr = np.array(value, dtype=np.float64)  # always a float64 copy we may perturb
        except (TypeError, ValueError):
            raise TypeError(f"parameters[{key!r}] must be an array of numbers") from None
        if arr.size == 0 or not np.isfinite(arr).all():
            raise ValueError(f"parameters[{key!r}] must be a non-empty array of finite numbers")
        params[key] = arr
    return params


def _course_gradients(grads, params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    if not isinstance(grads, Mapping):
        raise TypeError(
            f"grad_fn must return a dict like {{'dW1': ..., 'db1': ...}}, "
            f"got {type(grads).__name__}"
        )
    out = {}
    for key, arr in params.items():
        if "d" + key not in grads:
            raise ValueError(
                f"grad_fn's dict has no {'d' + key!r} (the gradient of {key!r}); "
                f"its keys are {sorted(grads)}"
            )
        d = np.asarray(grads["d" + key], dtype=np.float64)
        if d.shape != arr.shape:
            raise ValueError(
                f"grads[{'d' + key!r}] has shape {d.shape} but {key!r} has shape {arr.shape}; "
                f"they must match (an update {key} -= α·d{key} would broadcast or fail otherwise)"
            )
        if not np.isfinite(d).all():
            raise ValueError(f"grads[{'d' + key!r}] contains NaN or inf")
        out[key] = d.ravel()
    return out


def _where(name: str, shape, idx, r: int, sign: float) -> str:
    """Which perturbed point an error happened at, for the message."""
    at = (
        f"{name}{tuple(int(i) for i in np.unravel_index(idx, shape))}"
        if isinstance(idx, int)
        else f"{name} along direction {r}"
    )
    return f"θ {'+' if sign > 0 else '−'} ε at {at}"


def _call_cost(cost_fn, params, where) -> float:
    value = cost_fn(params)
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"cost_fn must return a number, got {type(value).__name__}") from None
    if arr.size != 1:
        raise ValueError(f"cost_fn must return one number, got shape {arr.shape}")
    if not np.isfinite(arr):
        at = where() if callable(where) else where
        raise ValueError(f"cost_fn returned {float(arr.ravel()[0])} at {at}")
    return float(arr.ravel()[0])


def gradcheck_fn(
    cost_fn: Callable[[dict], float],
    grad_fn: Callable[[dict], dict],
    parameters: Mapping[str, np.ndarray],
    epsilon: float = 1e-7,
    mode: str = "full",
    *,
    n_samples: int = 1000,
    n_directions: int = 8,
    seed: int | np.random.Generator | None = 0,
    top: int = 5,
) -> GradcheckResult:
    """Gradient check of your own implementation, over a course-style parameter dict.

    dθ_approx[i] = (cost_fn(θ + εe_i) − cost_fn(θ − εe_i)) / 2ε against ``grad_fn(θ)``;
    same formula, modes and result as :func:`nnrecipe.gradcheck`.

    Parameters
    ----------
    cost_fn : callable
        ``cost_fn(parameters) -> float``, e.g. ``lambda p: compute_cost(forward(X, p), Y)``.
    grad_fn : callable
        ``grad_fn(parameters) -> dict`` with ``dW1``, ``db1``, ... for every parameter ``W1``,
        ``b1``, ... (same shapes; extra keys such as ``dA1`` are ignored).
    parameters : dict
        ``{"W1": array, "b1": array, ...}``, any shapes, e.g. the course's ``(n, 1)`` biases.
        The check works on float64 copies; your arrays are not changed.
    epsilon, mode, n_samples, n_directions, seed, top
        As in :func:`nnrecipe.gradcheck`.

    Notes
    -----
    ``cost_fn`` is a black box, so kinks cannot be detected: with ReLU and zero biases a few
    bias coordinates may disagree although the code is right (see :func:`nnrecipe.gradcheck`); draw
    small random biases before checking.
    """
    if not callable(cost_fn) or not callable(grad_fn):
        raise TypeError("cost_fn and grad_fn must be callables taking the parameter dict")
    epsilon, mode = _check_options(epsilon, mode, n_samples, n_directions, top)
    rng = as_rng(seed, "seed")
    params = _course_parameters(parameters)
    shapes = {k: v.shape for k, v in params.items()}
    g = _course_gradients(grad_fn({k: v.copy() for k, v in params.items()}), params)
    scale = abs(_call_cost(cost_fn, params, "θ"))

    def costs(name: str, steps) -> tuple[np.ndarray, np.ndarray]:
        """cost_fn at θ ± step for each step applied to block ``name`` (restored after)."""
        block = params[name].reshape(-1)  # a view: our own contiguous copy
        saved = block.copy()
        out = np.empty((len(steps), 2))
        try:
            for r, (idx, step) in enumerate(steps):
                for c, sign in enumerate((1.0, -1.0)):
                    block[idx] = saved[idx] + sign * step
                    out[r, c] = _call_cost(
                        cost_fn, params, partial(_where, name, shapes[name], idx, r, sign)
                    )
                    block[idx] = saved[idx]
        finally:
            block[...] = saved
        return out[:, 0], out[:, 1]

    blocks = {}
    if mode == "directional":
        for name, shape in shapes.items():
            V = _random_directions(shape, n_directions, rng).reshape(n_directions, -1)
            J_plus, J_minus = costs(name, [(slice(None), epsilon * v) for v in V])
            blocks[name] = (
                np.arange(n_directions),
                (J_plus - J_minus) / (2 * epsilon),
                V @ g[name],
                np.zeros(n_directions, dtype=bool),
            )
            scale = max(scale, np.abs(J_plus).max(), np.abs(J_minus).max())
    else:
        picks = (
            {k: np.arange(v.size) for k, v in params.items()}
            if mode == "full"
            else _sample(shapes, n_samples, rng)
        )
        for name, local in picks.items():
            J_plus, J_minus = costs(name, [(int(i), epsilon) for i in local])
            blocks[name] = (
                local,
                (J_plus - J_minus) / (2 * epsilon),
                g[name][local],
                np.zeros(len(local), dtype=bool),
            )
            scale = max(scale, np.abs(J_plus).max(), np.abs(J_minus).max())

    result = GradcheckResult.from_blocks(
        blocks, shapes, mode=mode, epsilon=epsilon, scale=scale, notes=[], top=top
    )
    if not result.passed:
        result.notes.append(
            "cost_fn is a black box, so kinks are not detected: with ReLU, a few coordinates "
            "(often biases of a fresh network, where Z = b = 0) can disagree although the code "
            "is right; draw small random biases and check again before hunting a bug"
        )
    return result
