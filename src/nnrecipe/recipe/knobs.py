"""The knobs of the basic recipe, exactly as :func:`nnrecipe.improve` walks them.

The loop (:mod:`nnrecipe.recipe.loop`) takes the first knob not yet tried that can turn, in
the order of :data:`BIAS` when the diagnosis says high bias, else of :data:`VARIANCE` (then
the other kind). Trying a knob measures the configurations :func:`directions` lists, each
outward from the current configuration and changing that knob's field only; in walk order:

=================  =============================================================  ======
knob               values tried                                                   how
=================  =============================================================  ======
bias:
``wider``          units ×2, ×4, ×8 (at most :data:`MAX_WIDTH` = 1024)            walk
``embeddings``     numeric embeddings: periodic, piecewise (tables and arrays)      grid
``deeper``         one, then two more hidden layers (at most :data:`MAX_DEPTH` = 4)  walk
``longer``         epoch ceiling and patience ×2, ×4 (the ceiling at most
                   ``max_epochs``, the patience at most :data:`MAX_PATIENCE` = 80)  walk
``learning_rate``  α×3, α×9 (at most 0.3), then α/3, α/9 (at least 1e-5)          walk
``optimizer``      → Adam (when another one runs)                                 once
variance:
``augment``        random shifts and rotations on (images only)                   once
``smaller``        one hidden layer fewer; units ÷2, ÷4 (at least 8)              shrink
``l2``             λ ∈ :data:`L2_GRID` = {1e-3, 1e-2, 0.1, 1, 10}                 grid
``dropout``        keep_prob ∈ :data:`KEEP_GRID` = {0.9, 0.8, 0.65, 0.5}          grid
=================  =============================================================  ======

A *walk* goes on while the values beat the best so far and stops after two in a row that do
not (width and depth grow until they stop helping); a *shrink* is a walk that stops at the
first value that does not; a *grid* tries every value; *once* is one configuration. A numeric
knob whose best value moved is refined (:func:`refinements`): the geometric means of the best
value and its neighbours (e.g. λ = 0.03 and 0.3 around 0.1) are tried too. The best value
found is kept only when it passes the noise guard against the configuration before the knob.
"smaller" is the variance side of the architecture search: a start sized for the rows can be
more network than a simple table needs (two layers of 256 for 14 inputs), and smaller
networks train fast, so it comes before the regularizers.

When every knob has been tried and time remains, the search of :mod:`nnrecipe.recipe.search`
spends it around the best configuration, within the same limits.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

MAX_WIDTH, MAX_DEPTH, MAX_PATIENCE = 1024, 4, 80
L2_GRID = (1e-3, 1e-2, 0.1, 1.0, 10.0)
KEEP_GRID = (0.9, 0.8, 0.65, 0.5)
BIAS = ("wider", "embeddings", "deeper", "longer", "learning_rate", "optimizer")
EMBEDDINGS = (None, "periodic", "piecewise")
VARIANCE = ("augment", "smaller", "l2", "dropout")
FIELD = {"wider": "hidden", "deeper": "hidden", "longer": "early_stopping",
         "learning_rate": "learning_rate", "l2": "l2", "dropout": "keep_prob",
         "embeddings": "embeddings"}  # fmt: skip


@dataclass(frozen=True)
class Config:
    """Everything one training run of the recipe depends on (besides data and seed)."""

    hidden: tuple[int, ...] = (16,)
    activation: str = "relu"
    epochs: int = 100
    max_epochs: int = 1000
    optimizer: str = "adam"
    learning_rate: float = 0.01
    batch_size: int = 64
    l2: float = 0.0
    keep_prob: float = 1.0
    augment: bool = False
    early_stopping: int | None = None  # patience, in epochs
    # the start's table techniques (recipe/start.py), carried by every run, refit and file:
    scaling: str = "standard"  # the inputs: "standard" (z-scores), "robust", "none" (images)
    embeddings: str | None = None  # None, "periodic" or "piecewise" (Network(embeddings=))
    label_smoothing: float = 0.0  # ε of the cross-entropy (Network(label_smoothing=))
    beta2: float = 0.999  # Adam's β₂
    schedule: str | None = None  # None (constant α) or "cosine" over the epoch ceiling

    def replace(self, **changes) -> Config:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        out = dataclasses.asdict(self)
        out["hidden"] = list(self.hidden)
        return out

    def techniques(self) -> list[str]:
        """The start's table techniques that are on, in words (empty for the course's net)."""
        parts = ["robust scaling"] if self.scaling == "robust" else []
        if self.embeddings:
            parts.append(f"{self.embeddings} embeddings")
        if self.label_smoothing:
            parts.append(f"label smoothing {self.label_smoothing:g}")
        if self.optimizer == "adam" and self.beta2 != 0.999:
            parts.append(f"β₂={self.beta2:g}")
        if self.schedule:
            parts.append(f"{self.schedule} schedule")
        return parts

    def describe(self) -> str:
        parts = [
            f"hidden {list(self.hidden)}",
            f"at most {self.epochs} epochs" if self.early_stopping else f"{self.epochs} epochs",
            f"{self.optimizer} α={self.learning_rate:g}",
        ]
        if self.l2:
            parts.append(f"λ={self.l2:g}")
        if self.keep_prob < 1:
            parts.append(f"keep_prob={self.keep_prob:g}")
        if self.augment:
            parts.append("augmentation")
        parts.extend(self.techniques())
        if self.early_stopping:
            parts.append(f"early stopping (patience {self.early_stopping})")
        return ", ".join(parts)


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
    if name == "optimizer":
        return "once", [[c.replace(optimizer="adam")]] if c.optimizer != "adam" else []
    if name == "embeddings":  # a first layer per numeric input; never on pixels
        if images:
            return "grid", []
        return "grid", [[c.replace(embeddings=v) for v in EMBEDDINGS if v != c.embeddings]]
    if name == "augment":
        return "once", [[c.replace(augment=True)]] if images and not c.augment else []
    raise ValueError(f"knob {name!r} is not one of {list(BIAS + VARIANCE)}")


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
             "augment": "augmentation", "batch_size": "batch", "scaling": "scaling",
             "embeddings": "embeddings", "label_smoothing": "label smoothing",
             "beta2": "β₂", "schedule": "schedule"}  # fmt: skip
    a, b = before.to_dict(), after.to_dict()
    parts = []
    for key, label in names.items():
        if a[key] != b[key]:
            fmt = (lambda v: f"{v:.3g}") if isinstance(a[key], float) else str
            parts.append(f"{label} {fmt(a[key])} → {fmt(b[key])}")
    return ", ".join(parts) or "no change"
