"""The trail of the basic recipe: every step, the chosen network, the final diagnosis.

A :class:`Step` records one training run: the knob turned (``start`` for the first run),
whether it was a bias or a variance knob, what changed, why (the diagnosis that chose
it), train and dev error before and after, seconds, and whether it was kept (the dev error
went down) or undone. :class:`ImproveResult` holds the steps, the chosen configuration and
network, its errors (test measured once, at the end), the final diagnosis and the advice.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .. import _html
from .._files import atomic_write
from ..diagnosis import REGRESSION, show
from .plots import overview
from .problem import framed

STOPS = {
    "good_fit": "good fit",
    "budget": "run budget used",
    "time": "time budget used",
    "no_knob_left": "no knob lowered the dev error further",
    "interrupted": "interrupted (Ctrl-C)",
    "search": "time budget used",
}
CASE_WORDS = {
    "good_fit": "a good fit",
    "high_bias": "high bias",
    "high_variance": "high variance",
    "high_bias_high_variance": "high bias and high variance",
    "optimization": "an optimization problem",
}
BIGGER = ("wider", "deeper")  # the knobs behind "train a bigger network"
# the values of a result saved as they are, first in result.json
SAVED = ("stop_reason", "message", "train_error", "dev_error", "test_error", "baseline_error",
         "baseline_source", "metric")  # fmt: skip
COLUMNS = ("step", "knob", "change", "train", "dev", "epochs", "s", "verdict")
TEXT_COLUMNS = ("knob", "change", "verdict")


@dataclass
class Step:
    number: int
    knob: str
    kind: str  # "start", "bias" or "variance"
    change: str
    reason: str
    train_before: float | None
    dev_before: float | None
    train_after: float
    dev_after: float
    seconds: float
    kept: bool
    config: dict
    epochs: int  # epochs to its best dev value, counted from 1 (median over the folds)
    resolution: float | None = None  # SE of the paired dev difference against the step before
    epochs_trained: int | None = None  # epochs the run actually trained (all folds: the most)
    interrupted: bool = False  # Ctrl-C cut the run short: values of its best weights so far

    @property
    def verdict(self) -> str:
        """ "start", "kept", "undone" or "interrupted" (a run Ctrl-C cut short)."""
        if self.interrupted:
            return "interrupted"
        return "start" if self.kind == "start" else ("kept" if self.kept else "undone")

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class ImproveResult:
    steps: list[Step]
    config: object
    network: object = field(repr=False)
    history: object = field(repr=False)
    diagnosis: object
    train_error: float
    dev_error: float
    test_error: float
    baseline_error: float
    stop_reason: str
    split: object = field(repr=False)  # nnrecipe.split's result: .train, .dev, .test, .rule
    learning_curve: object = None
    seconds: float = 0.0
    images: bool = False
    classes: list | None = None  # original labels of a table's target
    preprocessing: list[str] | None = None  # what each column of a table became
    class_errors: dict | None = None  # dev error per class and the balanced error
    metric: str = "error"
    baseline_source: str | None = None
    refit: bool = False  # the network was refit on train+dev before the test evaluation
    folds: int = 1  # > 1: decisions by k-fold cross-validation on train+dev
    test_scores: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    test_units: dict | None = None  # a regression's test RMSE, MAE (y's units) and R²

    def __post_init__(self):
        # the diagnosis (terminal, report, result.json) advises from the trail too
        if isinstance(getattr(self.diagnosis, "next_steps", None), list):
            self.diagnosis.next_steps = [self._after_trail(s) for s in self.diagnosis.next_steps]

    @property
    def kept(self) -> list[Step]:
        """The changes that stayed (after the start)."""
        return [s for s in self.steps[1:] if s.kept]

    @property
    def message(self) -> str:
        d = self.diagnosis
        m = self.metric
        errors = (
            f"avoidable bias {show(d.avoidable_bias, m, 1)} (threshold "
            f"{show(d.bias_threshold, m, 1)}), variance {show(d.variance, m, 1)} (threshold "
            f"{show(d.variance_threshold, m, 1)})"
        )
        if self.stop_reason == "good_fit" and len(self.steps) == 1:
            return (
                f"already a good fit: {errors}; nothing to change, so the recipe stops "
                "after the first run"
            )
        n = len(self.kept)
        done = f"{n} change{'s' * (n != 1)} kept of {len(self.steps) - 1} tried"
        cut = [s.number for s in self.steps if s.interrupted]
        if cut:
            done += f" (step {cut[-1]} interrupted, not finished)"
        if self.stop_reason == "good_fit":
            return f"good fit reached: {errors}; {done}"
        case = CASE_WORDS.get(d.case, d.case.replace("_", " "))
        stop = STOPS.get(self.stop_reason, self.stop_reason)
        stop = stop[:1].upper() + stop[1:]
        return f"{stop}. The chosen network has {case}: {errors}; {done}."

    @property
    def advice(self) -> list[str]:
        """What to do next, most urgent first (more data first when the curve says so)."""
        steps = [self._after_trail(step) for step in self.diagnosis.next_steps]
        curve = self.learning_curve
        if curve is not None and curve.more_data_helps:
            regression = self.metric in REGRESSION
            fall = f"{curve.slope:.4g} {self.metric}" if regression else (
                f"{100 * curve.slope:.1f} points")  # fmt: skip
            # the gap quoted is the diagnosis's variance: the number the table shows
            gap = show(self.diagnosis.variance, self.metric, 1)
            steps.insert(
                0,
                f"more data is the best next step: on the learning curve the dev error still "
                f"falls by {fall} per doubling of the training set, and the variance (dev − "
                f"train) is {gap}",
            )
        return steps

    @property
    def units_line(self) -> str | None:
        """A regression's test values in the target's own units (None for classes)."""
        u = self.test_units
        if not u:
            return None
        return (
            f"test in the target's own units: RMSE {u['rmse']:.4g}, MAE {u['mae']:.4g}, "
            f"R² {u['r2']:.3f}"
        )

    @property
    def epochs_text(self) -> str:
        """The chosen run's epochs, as the curves show them: trained, best, and (k-fold)
        which fold the curves are; the refit's count when there was one."""
        h = self.history
        if h is None:
            return ""
        best = getattr(h, "best_epoch", None)
        text = f"trained {len(h)} epochs" + ("" if best is None else f", best epoch {best + 1}")
        if self.folds > 1:
            chosen = next((s for s in reversed(self.steps) if s.kept), None)
            most = "" if chosen is None else f"; the longest fold trained {chosen.epochs_trained}"
            text += f" (fold 1 of {self.folds}: the curves shown{most})"
        if self.refit:
            epochs = next((s.epochs for s in reversed(self.steps) if s.kept), None)
            text += f"; refit on train+dev for {epochs} epochs"
        return text

    def _after_trail(self, step: str) -> str:
        """``step``, or — when it is "train a bigger network" and the trail already tried
        wider and deeper without keeping either — what was tried and what is left."""
        if not step.startswith("train a bigger network"):
            return step
        finished = [s for s in self.steps[1:] if not s.interrupted]
        tried = {s.knob for s in finished}
        if not set(BIGGER) <= tried or any(s.knob in BIGGER for s in self.kept):
            return step
        changes = "; ".join(
            f"{s.knob}: {s.change} (dev {show(s.dev_after, self.metric, 1)})"
            for s in finished
            if s.knob in BIGGER
        )
        left_text = ", ".join(
            what for name, what in (("longer", "train longer"),
                                    ("learning_rate", "tune the learning rate"),
                                    ("optimizer", "another optimizer")) if name not in tried
        )  # fmt: skip
        rest = "try another architecture, better input features or more data"
        return (
            f"a bigger network was tried and undone ({changes}): it did not lower the dev "
            f"error by more than the dev set resolves, so capacity is not what is missing; "
            + (f"{left_text}, or {rest}" if left_text else rest)
        )

    def to_dict(self) -> dict:
        """JSON-ready (the network itself is saved apart, by :meth:`save`)."""
        return {
            **{name: getattr(self, name) for name in SAVED},
            "task": "regression" if self.metric in REGRESSION else "classification",
            # μ_y, σ_y: values above are in z-units, (y − μ_y)/σ_y, for a regression
            "target_scaling": _pair(getattr(self.network, "target_scaling", None)),
            "refit": self.refit,
            "folds": self.folds,
            "test_scores": self.test_scores,
            "test_in_target_units": self.test_units,
            "notes": self.notes,
            "config": self.config.to_dict(),
            "layer_sizes": self.network.layer_sizes,
            "diagnosis": self.diagnosis.to_dict(),
            "advice": self.advice,
            "learning_curve": None
            if self.learning_curve is None
            else self.learning_curve.to_dict(),
            "split": {"rule": self.split.rule, "sizes": list(self.split.sizes)},
            "steps": [s.to_dict() for s in self.steps],
            "epochs": self.epochs_text,
            "seconds": self.seconds,
            **framed(self),
        }

    def table(self, compact: bool = False):
        """The steps as a Rich table; ``compact`` (a narrow terminal) shows each step's
        values after it only (the values before are the last kept step's row)."""
        from rich import box
        from rich.table import Table

        table = Table(title="nnrecipe improve", caption=self.message, box=box.SIMPLE_HEAD)
        for col in COLUMNS:
            table.add_column(col, justify="left" if col in TEXT_COLUMNS else "right")
        for s, row in zip(self.steps, self._rows(compact), strict=True):
            table.add_row(*row, style=None if s.kept else "dim")
        return table

    def _rows(self, compact: bool = False) -> list[list[str]]:
        """The steps as text cells of :data:`COLUMNS` (terminal and notebook alike)."""
        m, rows = self.metric, []
        for s in self.steps:
            arrow = "" if s.train_before is None or compact else f"{show(s.train_before, m, 1)} → "
            dev_arrow = "" if s.dev_before is None or compact else f"{show(s.dev_before, m, 1)} → "
            rows.append([
                str(s.number), s.knob, s.change, f"{arrow}{show(s.train_after, m, 1)}",
                f"{dev_arrow}{show(s.dev_after, m, 1)}",
                "" if s.epochs_trained is None else str(s.epochs_trained),
                f"{s.seconds:.1f}", s.verdict,
            ])  # fmt: skip
        return rows

    def summary(self) -> list[str]:
        """The lines the CLI prints under the table: the chosen network, its values, where
        the per-class errors and the baseline come from, the notes and the next step."""
        m = self.metric
        kept = [s for s in self.steps if s.knob == "ensemble" and s.kept]
        averaged = (
            f"; the model, an ensemble of {len(self.network)}: dev {show(kept[-1].dev_after, m)} "
            f"(one network of its configuration: {show(kept[-1].dev_before, m)})"
            if kept and hasattr(self.network, "members") else ""
        )  # fmt: skip
        lines = [
            f"chosen network: layers {getattr(self.network, 'layer_sizes', None)}, "
            f"{self.config.describe()}",
            f"train {show(self.train_error, m)}, dev {show(self.dev_error, m)} (the chosen run)"
            f"{averaged}, test {show(self.test_error, m)} (the test set: once, at the end; "
            f"metric {m}{', refit on train+dev' if self.refit else ''})",
            *([self.units_line] if self.units_line else []),
            f"chosen run: {self.epochs_text}",
            f"baseline: {self.baseline_source}",
            *[f"note: {n}" for n in self.notes],
        ]
        if self.stop_reason != "good_fit" and self.advice:
            lines.append("next: " + self.advice[0])
        return lines

    def _repr_html_(self) -> str:
        """The CLI's table and lines, and the diagnosis, as HTML (a notebook shows it)."""
        return _html.block(
            _html.table(
                COLUMNS,
                self._rows(),
                title="nnrecipe improve",
                caption=self.message,
                numeric=[c for c in COLUMNS if c not in TEXT_COLUMNS],
            ),  # fmt: skip
            _html.items(self.summary()),
            self.diagnosis._repr_html_() if hasattr(self.diagnosis, "_repr_html_") else "",
            _html.paragraph(
                "result.plot(): the steps and the curves; result.save(dir): "
                "model.npz and result.json; nnrecipe.write_report(result, dir): "
                "report.html"
            ),  # fmt: skip
        )

    def plot(self):
        """A Matplotlib figure (no pyplot state): the errors after each step (left) and the
        learning curve when one was measured, else the chosen run's errors per epoch."""
        return _html.figure(overview(self))

    def save(self, out) -> dict[str, Path]:
        """Write ``model.npz`` (the chosen network, raw inputs in) and ``result.json`` into
        the directory ``out``; returns their paths."""
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        paths = {"model": out / "model.npz", "result": out / "result.json"}
        self.network.save(paths["model"])
        text = json.dumps(self.to_dict(), indent=2).encode()
        atomic_write(paths["result"], lambda f: f.write(text))
        return paths

    def __repr__(self) -> str:
        return (
            f"ImproveResult(steps={len(self.steps)}, kept={[s.knob for s in self.kept]}, "
            f"train_error={self.train_error:.4f}, dev_error={self.dev_error:.4f}, "
            f"test_error={self.test_error:.4f}, stop_reason={self.stop_reason!r})"
        )


def _pair(scaling) -> list | None:
    return None if scaling is None else [float(v) for v in scaling]
