"""The hyperparameter search space of ``nnrecipe tune`` and the network a point of it builds.

Each hyperparameter is drawn from a range, uniformly on a log scale where the course says
to search on one (λ, the learning rate α, and the width, whose useful values span orders
of magnitude), uniformly otherwise:

=================  ===============  =====  =======================================
name               default range    scale  meaning
=================  ===============  =====  =======================================
``l2``             1e-4 .. 10       log    λ of the L2 penalty (λ/2m)·Σ‖W‖²
``keep_prob``      0.5 .. 1         lin    inverted-dropout keep probability
``learning_rate``  1e-4 .. 0.1      log    α of the optimizer
``width``          8 .. 256         log    units in each hidden layer (integer)
``depth``          1 .. 4           lin    number of hidden layers (integer)
=================  ===============  =====  =======================================

A range is ``(low, high)``; a single number fixes the hyperparameter (it is not searched).
"""

from __future__ import annotations

import numbers

import numpy as np

from .._checks import check_keep_prob

#: name -> (default (low, high), log scale, integer)
PARAMETERS: dict[str, tuple[tuple[float, float], bool, bool]] = {
    "l2": ((1e-4, 10.0), True, False),
    "keep_prob": ((0.5, 1.0), False, False),
    "learning_rate": ((1e-4, 1e-1), True, False),
    "width": ((8, 256), True, True),
    "depth": ((1, 4), False, True),
}


def _check_value(name: str, value, integer: bool, log: bool) -> float:
    what = f"space[{name!r}]"
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise TypeError(f"{what} must hold finite numbers, got {value!r}")
    if integer and value != int(value):
        raise ValueError(f"{what} must hold whole numbers ({name} is an integer), got {value!r}")
    if name == "keep_prob":
        check_keep_prob(value, what)
    elif (log or integer) and value <= 0:
        raise ValueError(f"{what}={value!r} must be > 0 ({name} is searched on a log scale)")
    elif value < 0:
        raise ValueError(f"{what}={value!r} must be >= 0")
    return int(value) if integer else float(value)


def check_space(space: dict | None = None) -> dict[str, float | tuple[float, float]]:
    """The full space: the defaults above, updated with ``space``.

    Parameters
    ----------
    space : dict, optional
        ``{name: (low, high)}`` to change a range or ``{name: value}`` to fix a value, for
        names among ``l2, keep_prob, learning_rate, width, depth``.
    """
    if space is None:
        space = {}
    if not isinstance(space, dict):
        raise TypeError(f"space must be a dict like {{'l2': (1e-3, 1.0)}}, got {space!r}")
    unknown = sorted(set(space) - set(PARAMETERS))
    if unknown:
        raise ValueError(f"space has unknown names {unknown}; valid names are {list(PARAMETERS)}")
    full: dict[str, float | tuple[float, float]] = {}
    for name, (default, log, integer) in PARAMETERS.items():
        value = space.get(name, default)
        if isinstance(value, list | tuple):
            if len(value) != 2:
                raise ValueError(
                    f"space[{name!r}] must be (low, high) or one number, got {value!r}"
                )
            low, high = (_check_value(name, v, integer, log) for v in value)
            if low > high:
                raise ValueError(f"space[{name!r}]=({low}, {high}) needs low <= high")
            full[name] = (low, high) if low < high else low
        else:
            full[name] = _check_value(name, value, integer, log)
    return full


def searched(space: dict) -> list[str]:
    """The names whose value the search draws (those given as a range)."""
    return [name for name, value in space.items() if isinstance(value, tuple | list)]


def is_log(name: str) -> bool:
    return PARAMETERS[name][1]


def suggest(trial, space: dict) -> dict[str, float]:
    """Draw one point of ``space`` through an Optuna ``trial`` (fixed values pass through)."""
    params = {}
    for name, value in space.items():
        _, log, integer = PARAMETERS[name]
        if not isinstance(value, tuple | list):
            params[name] = value
        elif integer:
            params[name] = trial.suggest_int(name, int(value[0]), int(value[1]), log=log)
        else:
            params[name] = trial.suggest_float(name, float(value[0]), float(value[1]), log=log)
    return params


def layer_sizes(params: dict, n_x: int, n_out: int) -> list[int]:
    """``[n_x, width, ..., width, n_out]`` with ``depth`` hidden layers."""
    return [n_x] + [int(params["width"])] * int(params["depth"]) + [n_out]
