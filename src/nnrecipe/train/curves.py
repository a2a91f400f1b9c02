"""Reading the cost curve: is training failing as an optimization, whatever the network?

From J₀ (the cost of the first mini-batch, before any update) and the per-epoch costs
c_1..c_n (``History.cost``):

    diverging    training stopped on a non-finite J, or c_n > 2·J₀ (it ended above where it
                 started: the steps overshoot)
    oscillating  over the last half, at least 40% of the epochs go up and the range of c is
                 more than half its mean (the steps jump across the valley)
    flat         n ≥ 5 and min(c) > 0.95·J₀ (J never fell 5% below where it started)

Any of the three is an optimization problem, not a capacity one: a bigger network trained
the same way fails the same way, so the first knob is the learning rate (10x smaller).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass
class CostTrouble:
    """``kind`` ("diverging", "oscillating" or "flat"), J₀, the last J, and the advice."""

    kind: str
    initial: float
    last: float

    @property
    def describe(self) -> str:
        what = {
            "diverging": "the cost diverged",
            "oscillating": "the cost oscillates",
            "flat": "the cost stayed flat",
        }[self.kind]
        return f"{what} (J {self.initial:.3g} at the start, {self.last:.3g} at the end)"

    @property
    def advice(self) -> str:
        if self.kind == "flat" and abs(self.last - self.initial) <= 1e-3 * abs(self.initial):
            return (
                f"{self.describe}: nothing was learned; the units of a layer may be identical "
                "(init='zeros' never breaks symmetry: use 'he' or 'xavier') or dead, or the "
                "learning rate is far off (try 10x smaller, then 10x larger)"
            )
        if self.kind == "flat":
            return (
                f"{self.describe}: first try a 10x smaller learning rate (a step far too "
                "large kills ReLUs and saturates outputs), then a 10x larger one; check that "
                "the initialization breaks symmetry (not init='zeros')"
            )
        return (
            f"{self.describe}: lower the learning rate first (try 10x smaller), then check "
            "that the inputs are standardized"
        )


def cost_trouble(history) -> CostTrouble | None:
    """The optimization problem the cost curve of ``history`` shows, or None."""
    costs = np.asarray(history.cost, dtype=float)
    if not history.iteration_cost:
        return None
    initial = float(history.iteration_cost[0])
    last = float(costs[-1]) if len(costs) else math.nan
    if history.stop_reason == "diverged" or not math.isfinite(initial):
        return CostTrouble("diverging", initial, last)
    if len(costs) == 0:
        return None
    if last > 2 * initial:
        return CostTrouble("diverging", initial, last)
    tail = costs[len(costs) // 2 :]
    if len(tail) >= 4:
        ups = np.mean(np.diff(tail) > 0)
        if ups >= 0.4 and np.ptp(tail) > 0.5 * np.mean(tail):
            return CostTrouble("oscillating", initial, last)
    if len(costs) >= 5 and costs.min() > 0.95 * initial:
        return CostTrouble("flat", initial, last)
    return None
