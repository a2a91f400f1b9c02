"""The table techniques of ``improve``'s starting network, chosen by measurement (issue 24).

The starting configuration (:func:`start_config`: width and depth
sized from the rows, Adam at α = 0.001, early stopping) gets, on tables and arrays:

* robust scaling with smooth clipping of the inputs (:mod:`nnrecipe.data.robust_scale`:
  x̃ = z/√(1 + (z/3)²), z = (x − median)/IQR), in a table's preprocessing or in each network;
* label smoothing ε = 0.1 for three classes or more (targets (1 − ε)·y + ε/K), except when
  the recipe scores log-loss, which smoothing would bias, or balanced error, whose decision
  argmax p_c/π_c needs calibrated p (smoothed p ≥ ε/K would mark every row rare); on the
  two-class stand-ins it cost 0.3 to 1.6 points, on the 26-class one it gained 0.3 to 1.

Images (``images=``) keep the course's start: no input scaling (pixels share one scale), no
smoothing. Left out, measured on the stand-ins of ``benchmarks/start_ablation.py`` (the table
in ``benchmarks/README.md``, "The starting network of improve"): Adam's β₂ = 0.95 (worse on all
five), the cosine schedule (fitted to the epoch ceiling, it is nearly constant over a run that
early stopping ends), a start twice as wide, and numeric embeddings, which gained 4 to 10
points on heavy-tailed inputs and lost 1 to 2 on the 26-class one: they are the knob
``embeddings`` (:mod:`nnrecipe.recipe.knobs`) instead.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .._checks import check_positive
from ..model import Network
from . import knobs
from .stopping import PATIENCE

MAX_EPOCHS = 1000
SMOOTHING = 0.1  # ε of the start's label smoothing (classification, not log-loss)


def scaling(images) -> str:
    """The inputs' scaling for :func:`nnrecipe.recipe.problem.frame`: "robust" for tables
    and arrays, "standard" (unused: pixels are not scaled) for images."""
    return "standard" if images is not None and images is not False else "robust"


def techniques(problem) -> dict:
    """The :class:`~nnrecipe.recipe.knobs.Config` fields of the start for a framed
    ``problem`` (:class:`~nnrecipe.recipe.problem.Problem`): its scaling and label smoothing
    as the module docstring says; the course's values for images."""
    if problem.images is not None:
        return {"scaling": "none"}
    smooth = problem.output == "softmax" and problem.metric not in ("log_loss", "balanced_error")
    return {
        "scaling": problem.scaling,
        "label_smoothing": SMOOTHING if smooth else 0.0,
    }


def data_config(m: int, n_x: int, n_out: int) -> dict:
    """A starting network sized from the data: m rows, n_x inputs, n_out outputs.

    width = 64 below 1,000 rows, 128 below 5,000, else 256, and at least the power of two
    ≥ n_out·4 (up to 512); two hidden layers from 2,000 rows, one below; batch 32 below
    2,000 rows, 64 below 20,000, else 128; Adam, α = 0.001, early stopping with patience 20.
    """
    width = 64 if m < 1000 else 128 if m < 5000 else 256
    width = min(512, max(width, 2 ** math.ceil(math.log2(max(4 * n_out, 2)))))
    depth = 2 if m >= 2000 else 1
    batch = 32 if m < 2000 else 64 if m < 20000 else 128
    return {"hidden": (width,) * depth, "batch_size": batch}


def start_config(network, epochs, learning_rate, batch_size, optimizer, n_x, n_out, m=None):
    """The first configuration: the user's choices where given, else sized from the data
    (:func:`data_config`, when ``m`` is given) or the old default of 16 units."""
    sized = data_config(m, n_x, n_out) if m is not None else {}
    base = knobs.Config(
        epochs=MAX_EPOCHS if epochs is None else epochs,
        max_epochs=MAX_EPOCHS if epochs is None else max(epochs, 8 * epochs),
        learning_rate=learning_rate,
        batch_size=batch_size or sized.get("batch_size", 64),
        optimizer=optimizer,
        hidden=sized.get("hidden", (16,)),
        early_stopping=PATIENCE if m is not None else None,
    )
    if network is None:
        return base
    if isinstance(network, Network):
        if network.layer_sizes[0] != n_x or network.layer_sizes[-1] != n_out:
            raise ValueError(
                f"network has layer sizes {network.layer_sizes} but the data need {n_x} inputs "
                f"and {n_out} outputs; pass hidden sizes only (e.g. network=[8]) instead"
            )
        if len(set(network.hidden)) > 1 or len(set(network.keep_prob)) > 1:
            raise ValueError("network must use one hidden activation and one keep_prob")
        return base.replace(
            hidden=tuple(network.layer_sizes[1:-1]),
            activation=network.hidden[0],
            l2=network.l2,
            keep_prob=network.keep_prob[0],
        )
    if isinstance(network, Sequence) and not isinstance(network, str) and len(network) > 0:
        hidden = tuple(
            check_positive(n, f"network[{i}]", integer=True) for i, n in enumerate(network)
        )
        return base.replace(hidden=hidden)
    raise TypeError(
        f"network must be a Network, a list of hidden sizes like [8], or None; got {network!r}"
    )
