"""The seed of one ``fit``: scikit-learn's ``random_state`` or nnrecipe's alias ``seed``."""

from __future__ import annotations

import numbers

import numpy as np


def resolve_seed(seed, random_state) -> int | None:
    """The integer seed of this fit, or None for fresh randomness.

    ``random_state`` (scikit-learn's name) may be None, an int ≥ 0, a ``RandomState`` or a
    ``Generator`` (one draw of it per call, so refits differ, as scikit-learn documents);
    ``seed`` is its alias and may be None or an int ≥ 0, used when ``random_state`` is None
    (scikit-learn's tools, e.g. ``set_random_state``, set ``random_state``: it wins).
    """
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0
    ):
        raise (ValueError if isinstance(seed, numbers.Integral) else TypeError)(
            f"seed must be None or an integer >= 0, got {seed!r} (an int makes every "
            "fit reproducible; or pass random_state=, scikit-learn's name, which also "
            "takes a RandomState)"
        )
    state = random_state
    if state is None:
        return None if seed is None else int(seed)
    if isinstance(state, np.random.RandomState):
        state = int(state.randint(np.iinfo(np.int32).max))
    elif isinstance(state, np.random.Generator):
        state = int(state.integers(np.iinfo(np.int32).max))
    elif isinstance(state, bool) or not isinstance(state, numbers.Integral) or state < 0:
        raise (ValueError if isinstance(state, numbers.Integral) else TypeError)(
            "random_state must be None, an integer >= 0, a numpy RandomState or Generator, "
            f"got {state!r}"
        )
    return int(state)
