"""Learning-rate schedules: the rate α_e that epoch e = 0..E−1 of a run of E = ``epochs`` uses.

With α₀ the run's learning rate and k = ``warmup`` epochs (0 ≤ k < E):

==================  ===========================================================================
epochs              rate
==================  ===========================================================================
e < k (warm-up)     α_e = α₀ · (e + 1) / (k + 1)       a linear ramp: α₀/(k+1), 2α₀/(k+1), …
e ≥ k, t = e − k    ``schedule=None``: α_e = α₀ / (1 + decay_rate · ⌊t' / decay_interval⌋), the
                    course's inverse-time decay (t' = t, or max(t − 1, 0) with
                    ``decay_timing="after_epoch"``); ``decay_rate=0``: the constant α₀
                    ``schedule="cosine"``: α_e = α₀ · ½ (1 + cos(π t / T)), T = E − k
==================  ===========================================================================

Cosine is fitted to the run's epoch budget: α₀ at the first epoch after the warm-up, α₀/2 at
t = T/2, and α₀ · ½ (1 + cos(π (T−1)/T)) ≈ α₀ π²/(4T²) at the last epoch (never 0: every
epoch takes a step). Early stopping may end the run before the rate gets small.

Per epoch, not per mini-batch: every step of epoch e uses α_e, as the course's decay does, and
``History.learning_rate`` is exactly the rate its epoch used. (RealMLP anneals per step; with
tens of epochs or more the two differ by at most α₀ π/(2T) in any step.)

Cosine and ``decay_rate > 0`` are two schedules for one rate: asking for both is a ValueError.
The warm-up combines with either (the decay's epochs are counted from the end of the warm-up).

The training loop reads these rates and hands each one to the optimizer's step; nothing is
written into the optimizer object, so an optimizer instance keeps its own ``learning_rate``.
"""

from __future__ import annotations

import numbers

import numpy as np

from .._checks import check_name, check_nonneg, check_positive

SCHEDULES = ("cosine",)
DECAY_TIMINGS = ("before_epoch", "after_epoch")


def decayed_rate(
    lr0: float,
    epoch: int,
    decay_rate: float = 0.0,
    decay_interval: int = 1,
    timing: str = "before_epoch",
) -> float:
    """Inverse-time decay: α₀ / (1 + decay_rate · ⌊e / decay_interval⌋), the rate of ``epoch``.

    ``timing="before_epoch"`` (``fit``'s default): e = epoch, so epoch 0 already uses the
    schedule's first value. ``"after_epoch"`` (the course's model: the rate is updated at the
    end of each epoch): e = max(epoch - 1, 0), one epoch later.
    """
    if timing == "after_epoch":
        epoch = max(epoch - 1, 0)
    return lr0 / (1.0 + decay_rate * (epoch // decay_interval))


def cosine_rate(lr0: float, t, T: int):
    """α₀ · ½ (1 + cos(π t / T)) for t = 0..T−1 (an int or an integer array)."""
    return lr0 * 0.5 * (1.0 + np.cos(np.pi * np.asarray(t) / T))


def warmup_rate(lr0: float, epoch, warmup: int):
    """α₀ · (e + 1) / (k + 1) for the warm-up epochs e = 0..k−1 (an int or an integer array)."""
    return lr0 * (np.asarray(epoch) + 1.0) / (warmup + 1)


class Schedule:
    """The rate of every epoch of one run (see the module docstring for the formulas).

    Parameters
    ----------
    learning_rate : float
        α₀ > 0.
    epochs : int
        E, the run's epoch budget.
    schedule : {None, "cosine"}
    warmup : int
        k ≥ 0 epochs of linear warm-up; k < E.
    decay_rate, decay_interval, decay_timing :
        The course's inverse-time decay (``schedule=None`` only).

    Raises one-line ValueErrors (TypeErrors for the wrong type) naming the argument.
    """

    def __init__(
        self,
        learning_rate: float,
        epochs: int,
        schedule: str | None = None,
        warmup: int = 0,
        decay_rate: float = 0.0,
        decay_interval: int = 1,
        decay_timing: str = "before_epoch",
    ):
        self.learning_rate = check_positive(learning_rate, "learning_rate")
        self.epochs = check_positive(epochs, "epochs", integer=True)
        self.name = None if schedule is None else check_name(schedule, SCHEDULES, "schedule")
        self.warmup = _check_warmup(warmup, self.epochs)
        self.decay_rate = check_nonneg(decay_rate, "decay_rate")
        self.decay_interval = check_positive(decay_interval, "decay_interval", integer=True)
        self.decay_timing = check_name(decay_timing, DECAY_TIMINGS, "decay_timing")
        if self.name is not None and self.decay_rate > 0:
            raise ValueError(
                f"schedule={schedule!r} and decay_rate={decay_rate!r} are two schedules for one "
                "learning rate; pass one of them (decay_rate=0 with a schedule)"
            )

    def rate(self, epoch: int) -> float:
        """α_e of ``epoch`` (0-based), a Python float."""
        k = self.warmup
        if epoch < k:
            return float(warmup_rate(self.learning_rate, epoch, k))
        if self.name == "cosine":
            return float(cosine_rate(self.learning_rate, epoch - k, self.epochs - k))
        return decayed_rate(
            self.learning_rate, epoch - k, self.decay_rate, self.decay_interval, self.decay_timing
        )

    def rates(self) -> np.ndarray:
        """α_e for e = 0..E−1, shape (E,), float64."""
        return np.array([self.rate(e) for e in range(self.epochs)])

    def __repr__(self) -> str:
        return (
            f"Schedule(learning_rate={self.learning_rate}, epochs={self.epochs}, "
            f"schedule={self.name!r}, warmup={self.warmup}, decay_rate={self.decay_rate})"
        )


def _check_warmup(warmup, epochs: int) -> int:
    if isinstance(warmup, bool) or not isinstance(warmup, numbers.Integral):
        raise TypeError(f"warmup must be an integer number of epochs >= 0, got {warmup!r}")
    if warmup < 0 or (warmup > 0 and warmup >= epochs):
        raise ValueError(
            f"warmup={warmup!r} must be an integer in [0, epochs) = [0, {epochs}): the warm-up "
            "ramps the rate up over its first epochs and needs epochs after it"
        )
    return int(warmup)
