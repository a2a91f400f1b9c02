"""The search after the knobs: the time left goes to configurations around the best one.

When every knob of :mod:`nnrecipe.recipe.knobs` has been tried and time remains,
:class:`Sampler` proposes configurations around the recipe's best (Optuna's TPE sampler when
Optuna is installed, random log-scale perturbations, :func:`propose`, otherwise), started
from the recipe's best, within the knobs' limits.
"""

from __future__ import annotations

import warnings

import numpy as np

from .knobs import MAX_DEPTH, MAX_WIDTH, Config


def propose(best: Config, rng: np.random.Generator) -> Config:
    """A random configuration around ``best`` (the fallback sampler without Optuna):
    width ×2^N(0, 0.5), α ×10^N(0, 0.3), λ ×10^N(0, 0.7) (from 1e-3 when 0), keep_prob
    ± 0.1, depth ± 1 with probability 1/4 each."""
    width = int(np.clip(round(max(best.hidden) * 2 ** rng.normal(0, 0.5)), 8, MAX_WIDTH))
    depth = int(np.clip(len(best.hidden) + rng.choice([-1, 0, 0, 1]), 1, MAX_DEPTH))
    lam = (best.l2 or 1e-3) * 10 ** rng.normal(0, 0.7)
    return best.replace(
        hidden=(width,) * depth,
        learning_rate=float(np.clip(best.learning_rate * 10 ** rng.normal(0, 0.3), 1e-5, 0.3)),
        l2=float(lam) if rng.random() > 0.2 else 0.0,
        keep_prob=float(np.clip(round(best.keep_prob + rng.normal(0, 0.1), 2), 0.5, 1.0)),
    )


class Sampler:
    """Proposes configurations around the recipe's best: Optuna TPE (seeded with the best,
    its value told, so the search starts there) or :func:`propose` without Optuna.

    Space (Optuna), a neighbourhood of the best (w units, d layers, α, λ, keep_prob k): the
    knobs have already walked far, and a wide space spends a short budget on configurations
    far from anything that worked (λ = 50, four layers of 250 units on 400 rows):
    width log-uniform in [w/2, 2w] ∩ [8, 1024], depth in [d − 1, d + 1] ∩ [1, 4], α
    log-uniform in [α/4, 4α], λ log-uniform in [λ/30, 30λ] (around 1e-3 when λ = 0; below
    1e-4 counts as 0), keep_prob in [k − 0.25, 1] ∩ [0.5, 1].
    """

    def __init__(self, best: Config, best_value: float, seed: int):
        self.best, self.rng, self.study = best, np.random.default_rng(seed), None
        self.trials: list = []  # asked, not yet told (oldest first)
        try:
            with warnings.catch_warnings():  # Optuna's tqdm asks a notebook for ipywidgets
                warnings.simplefilter("ignore")
                import optuna
        except ImportError:
            self.name = "random perturbations around the best (Optuna is not installed)"
            return
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        w, lr, depth, lam = max(best.hidden), best.learning_rate, len(best.hidden), best.l2
        centre = lam if lam >= 1e-4 else 1e-3
        lo, hi = max(1e-5, centre / 30), min(100.0, centre * 30)
        d = optuna.distributions
        self.space = {
            "width": d.IntDistribution(max(8, w // 2), max(8, min(MAX_WIDTH, 2 * w)), log=True),
            "depth": d.IntDistribution(max(1, depth - 1), min(MAX_DEPTH, depth + 1)),
            "learning_rate": d.FloatDistribution(max(1e-5, lr / 4), min(0.3, lr * 4), log=True),
            "l2": d.FloatDistribution(lo, hi, log=True),
            "keep_prob": d.FloatDistribution(max(0.5, min(best.keep_prob, 1.0) - 0.25), 1.0),
        }
        start = {"width": min(max(w, 8), MAX_WIDTH), "depth": depth, "learning_rate": lr,
                 "l2": min(max(lam, lo), hi), "keep_prob": best.keep_prob}  # fmt: skip
        self.study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
        self.study.add_trial(optuna.trial.create_trial(
            params=start, distributions=self.space, value=best_value))  # fmt: skip
        self.name = "Optuna TPE over width, depth, α, λ and keep_prob, started from the best"

    def ask(self) -> Config:
        if self.study is None:
            return propose(self.best, self.rng)
        self.trials.append(self.study.ask(self.space))
        p = self.trials[-1].params
        return self.best.replace(
            hidden=(p["width"],) * p["depth"],
            learning_rate=float(f"{p['learning_rate']:.3g}"),
            l2=0.0 if p["l2"] < 1e-4 else float(f"{p['l2']:.3g}"),
            keep_prob=round(p["keep_prob"], 2),
        )

    def tell(self, value: float, best: Config) -> None:
        """The value of the oldest configuration asked and not yet told (several may be
        asked before any is told: a batch trained at once), and the best so far."""
        if self.study is not None and self.trials:
            self.study.tell(self.trials.pop(0), value)
        self.best = best
