"""The knobs of the basic recipe: one change to a training configuration at a time.

Bias knobs (the network underfits its training set), in the order the recipe tries them:

* ``wider``          every hidden layer doubles: n_l → 2·n_l (up to 1024 units)
* ``deeper``         one more hidden layer, as wide as the last (up to 6 hidden layers)
* ``longer``         twice the epochs (up to ``max_epochs``)
* ``learning_rate``  α → 3α, then α → α/3 (a step too large or too small both underfit)
* ``optimizer``      any other optimizer → Adam

Variance knobs (the network does not generalize from training to dev), in the course's
order: more data first (augmentation synthesizes it), then regularization:

* ``augment``        random shifts and small rotations of training images (images only)
* ``l2``             λ: 0 → 0.1, then λ → 3λ         (J += λ/2m · Σ‖W‖²)
* ``dropout``        keep_prob: 1 → 0.8, then −0.15 down to 0.5 (inverted dropout)
* ``early_stopping`` stop when the dev loss has not improved for 10 epochs; keep the best

A knob returns the changed :class:`Config` and a sentence saying what changed, or None
when it cannot turn further (a cap reached, already on).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

MAX_WIDTH, MAX_DEPTH, MAX_L2, MIN_KEEP = 1024, 6, 100.0, 0.5
FIRST_L2, FIRST_KEEP, KEEP_STEP, PATIENCE = 0.1, 0.8, 0.15, 10


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

    def replace(self, **changes) -> Config:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        out = dataclasses.asdict(self)
        out["hidden"] = list(self.hidden)
        return out

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
        if self.early_stopping:
            parts.append(f"early stopping (patience {self.early_stopping})")
        return ", ".join(parts)


Knob = Callable[[Config], "tuple[Config, str] | None"]


def wider(c: Config):
    if max(c.hidden) >= MAX_WIDTH:
        return None
    hidden = tuple(min(2 * n, MAX_WIDTH) for n in c.hidden)
    return c.replace(hidden=hidden), f"hidden {list(c.hidden)} → {list(hidden)}"


def deeper(c: Config):
    if len(c.hidden) >= MAX_DEPTH:
        return None
    hidden = c.hidden + (c.hidden[-1],)
    return c.replace(hidden=hidden), f"hidden {list(c.hidden)} → {list(hidden)}"


def longer(c: Config):
    if c.epochs >= c.max_epochs:
        return None
    epochs = min(2 * c.epochs, c.max_epochs)
    return c.replace(epochs=epochs), f"epochs {c.epochs} → {epochs}"


def learning_rate_up(c: Config):
    if c.learning_rate >= 0.3:
        return None
    lr = c.learning_rate * 3
    return c.replace(learning_rate=lr), f"α {c.learning_rate:g} → {lr:.3g}"


def learning_rate_down(c: Config):
    if c.learning_rate <= 1e-5:
        return None
    lr = c.learning_rate / 3
    return c.replace(learning_rate=lr), f"α {c.learning_rate:g} → {lr:.3g}"


def optimizer(c: Config):
    if c.optimizer == "adam":
        return None
    return c.replace(optimizer="adam"), f"optimizer {c.optimizer} → adam"


def l2(c: Config):
    if c.l2 >= MAX_L2:
        return None
    lam = FIRST_L2 if c.l2 == 0 else min(3 * c.l2, MAX_L2)
    return c.replace(l2=lam), f"λ {c.l2:g} → {lam:g}"


def dropout(c: Config):
    if c.keep_prob <= MIN_KEEP:
        return None
    keep = FIRST_KEEP if c.keep_prob >= 1 else max(round(c.keep_prob - KEEP_STEP, 4), MIN_KEEP)
    return c.replace(keep_prob=keep), f"keep_prob {c.keep_prob:g} → {keep:g}"


def augment(c: Config):
    if c.augment:
        return None
    return c.replace(augment=True), "augmentation on"


def early_stopping(c: Config):
    if c.early_stopping:
        return None
    return (
        c.replace(early_stopping=PATIENCE),
        f"early stopping on (patience {PATIENCE})",
    )


BIAS: dict[str, Knob] = {
    "wider": wider,
    "deeper": deeper,
    "longer": longer,
    "learning_rate_up": learning_rate_up,
    "learning_rate_down": learning_rate_down,
    "optimizer": optimizer,
}
VARIANCE: dict[str, Knob] = {
    "augment": augment,
    "l2": l2,
    "dropout": dropout,
    "early_stopping": early_stopping,
}


def next_knob(config: Config, kind: str, tried: set[str], images: bool):
    """The first knob of ``kind`` ("bias" or "variance") not yet ``tried`` that can turn:
    ``(name, new_config, change)`` or None."""
    for name, knob in (BIAS if kind == "bias" else VARIANCE).items():
        if name in tried or (name == "augment" and not images):
            continue
        turned = knob(config)
        if turned is not None:
            return (name, *turned)
    return None
