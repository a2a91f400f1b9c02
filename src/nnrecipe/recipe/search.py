"""Knobs with ranges: how :func:`nnrecipe.improve` turns one knob as far as it helps.

Each knob proposes *directions*, lists of configurations ordered outward from the current
one; each configuration changes the knob's field only:

=================  ==========================================================  ========
knob               values tried                                                 how
=================  ==========================================================  ========
``wider``          units ×2, ×4, ×8 (at most 1024)                              walk
``deeper``         one, then two more hidden layers (at most 4)                 walk
``longer``         epoch ceiling and patience ×2, ×4 (at most 80 epochs)          walk
``learning_rate``  α×3, α×9 and α/3, α/9 (a short range test around α)          walk
``optimizer``      → Adam                                                       once
``augment``        shifts and rotations on (images only)                        once
``smaller``        one hidden layer fewer; units ÷2, ÷4 (at least 8)              shrink
``l2``             λ ∈ {1e-3, 1e-2, 0.1, 1, 10} (log grid)                      grid
``dropout``        keep_prob ∈ {0.9, 0.8, 0.65, 0.5}                            grid
=================  ==========================================================  ========

A *walk* goes on while the values beat the best so far and stops after two in a row that do
not (width and depth grow until they stop helping); a *shrink* is a walk that stops at the
first value that does not; a *grid* tries every value. A knob whose
best value differs from the current one is refined: the geometric means of the best value and
its neighbours (e.g. λ = 0.03 and 0.3 around 0.1) are tried too. The best value found is kept
only when it passes the noise guard against the configuration before the knob.

When every knob has been tried and time remains, :func:`refine` spends it on a search
around the best configuration (Optuna's TPE sampler when Optuna is installed, random
log-scale perturbations otherwise), started from the recipe's best.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from . import knobs
from .knobs import Config

MAX_WIDTH, MAX_DEPTH, MAX_PATIENCE = 1024, 4, 80
L2_GRID = (1e-3, 1e-2, 0.1, 1.0, 10.0)
KEEP_GRID = (0.9, 0.8, 0.65, 0.5)
BIAS = ("wider", "deeper", "longer", "learning_rate", "optimizer")
# "smaller" is the variance side of the architecture search: a start sized for the rows can
# be more network than a simple table needs (two layers of 256 for 14 inputs), and smaller
# networks train fast, so it comes before the regularizers
VARIANCE = ("augment", "smaller", "l2", "dropout")
FIELD = {"wider": "hidden", "deeper": "hidden", "longer": "early_stopping",
         "learning_rate": "learning_rate", "l2": "l2", "dropout": "keep_prob"}  # fmt: skip


def _width(c: Config, factor: int) -> Config | None:
    if max(c.hidden) >= MAX_WIDTH:
        return None
    return c.replace(hidden=tuple(min(n * factor, MAX_WIDTH) for n in c.hidden))


def directions(name: str, c: Config, images: bool) -> tuple[str, list[list[Config]]]:
    """``(how, directions)`` of knob ``name`` from ``c``; how is "walk", "shrink" (a walk
    that stops at its first miss), "grid" or "once"."""
    if name == "wider":
        return "walk", [[x for f in (2, 4, 8) if (x := _width(c, f)) is not None]]
    if name == "smaller":
        shallower = [[c.replace(hidden=c.hidden[:-1])]] if len(c.hidden) > 1 else []
        narrower = [c.replace(hidden=tuple(max(8, n // f) for n in c.hidden)) for f in (2, 4)]
        narrower = [x for i, x in enumerate(narrower)
                    if x.hidden != c.hidden and x not in narrower[:i]]  # fmt: skip
        return "shrink", shallower + ([narrower] if narrower else [])
    if name == "deeper":
        more = [c.replace(hidden=c.hidden + (c.hidden[-1],) * k) for k in (1, 2)]
        return "walk", [[x for x in more if len(x.hidden) <= MAX_DEPTH]]
    if name == "longer":  # a higher epoch ceiling and more patience, together
        out = []
        for f in (2, 4):
            epochs = min(c.epochs * f, c.max_epochs)
            patience = min(c.early_stopping * f, MAX_PATIENCE) if c.early_stopping else None
            if epochs > c.epochs or (patience or 0) > (c.early_stopping or 0):
                out.append(c.replace(epochs=epochs, early_stopping=patience))
        return "walk", [out]
    if name == "learning_rate":
        up = [c.replace(learning_rate=c.learning_rate * f) for f in (3, 9)]
        down = [c.replace(learning_rate=c.learning_rate / f) for f in (3, 9)]
        return "walk", [[x for x in up if x.learning_rate <= 0.3],
                        [x for x in down if x.learning_rate >= 1e-5]]  # fmt: skip
    if name == "l2":
        return "grid", [[c.replace(l2=v) for v in L2_GRID if not math.isclose(v, c.l2)]]
    if name == "dropout":
        return "grid", [[c.replace(keep_prob=v) for v in KEEP_GRID if v != c.keep_prob]]
    if name == "augment" and not images:
        return "once", []
    turned = {"optimizer": knobs.optimizer, "augment": knobs.augment}[name](c)
    return "once", [[turned[0]]] if turned is not None else []


def _value(name: str, c: Config) -> float:
    v = getattr(c, FIELD[name])
    return float(max(v) if name == "wider" else len(v) if name == "deeper" else v)


def refinements(name: str, best: Config, tried: list[Config]) -> list[Config]:
    """Geometric midpoints between ``best``'s value of knob ``name`` and its neighbours
    among the ``tried`` values (numeric knobs whose best moved only)."""
    if name not in ("wider", "learning_rate", "l2", "dropout"):
        return []
    values = sorted({_value(name, c) for c in tried})
    b = _value(name, best)
    i = values.index(b)
    out = []
    for j in (i - 1, i + 1):
        if 0 <= j < len(values) and values[j] > 0 and b > 0:
            mid = math.sqrt(values[j] * b)
            if name == "wider":
                factor = mid / b
                hidden = tuple(max(1, round(n * factor)) for n in best.hidden)
                out.append(best.replace(hidden=hidden))
            elif name == "dropout":
                out.append(best.replace(keep_prob=round(mid, 3)))
            else:
                out.append(best.replace(**{FIELD[name]: float(f"{mid:.3g}")}))
    return out


def describe_change(before: Config, after: Config) -> str:
    """What differs between two configurations, e.g. ``λ 0 → 0.1``."""
    names = {"hidden": "hidden", "learning_rate": "α", "l2": "λ", "keep_prob": "keep_prob",
             "early_stopping": "patience", "epochs": "epochs", "optimizer": "optimizer",
             "augment": "augmentation", "batch_size": "batch"}  # fmt: skip
    a, b = before.to_dict(), after.to_dict()
    parts = []
    for key, label in names.items():
        if a[key] != b[key]:
            fmt = (lambda v: f"{v:.3g}") if isinstance(a[key], float) else str
            parts.append(f"{label} {fmt(a[key])} → {fmt(b[key])}")
    return ", ".join(parts) or "no change"


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
        self.best, self.rng, self.study, self.trial = best, np.random.default_rng(seed), None, None
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
        self.trial = self.study.ask(self.space)
        p = self.trial.params
        return self.best.replace(
            hidden=(p["width"],) * p["depth"],
            learning_rate=float(f"{p['learning_rate']:.3g}"),
            l2=0.0 if p["l2"] < 1e-4 else float(f"{p['l2']:.3g}"),
            keep_prob=round(p["keep_prob"], 2),
        )

    def tell(self, value: float, best: Config) -> None:
        if self.study is not None and self.trial is not None:
            self.study.tell(self.trial, value)
        self.best = best
