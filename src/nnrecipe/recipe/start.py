"""The table techniques of ``improve``'s starting network, chosen by measurement (issue 24).

The starting configuration (:func:`nnrecipe.recipe.runs.start_config`: width and depth
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
