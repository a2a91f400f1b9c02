"""Bias and variance against a baseline, and the recipe's next knob.

From inference-mode error rates (fractions in [0, 1]):

    avoidable bias = train error − baseline error     (baseline: human-level or Bayes error)
    variance       = dev error − train error
                     (= train-dev error − train error when a train-dev set is given, and then
    data mismatch  = dev error − train-dev error)

The case is "high_bias" when avoidable bias > ``bias_threshold``, "high_variance" when
variance > ``variance_threshold``, both, or "good_fit". Given the training ``history``, a
high bias whose cost curve diverged, oscillated or stayed flat
(:func:`nnrecipe.train.curves.cost_trouble`) is "optimization" instead: the training failed,
not the network's capacity, and the learning rate comes first. The basic recipe fixes bias first
(bigger network, train longer, another architecture), then variance (more data,
regularization, another architecture): ``next_steps`` lists them in that order, most urgent
first, and uses a learning curve (:func:`nnrecipe.learning_curve`) when one is given to
say whether more data would help.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field

from . import _html
from ._figures import bias_variance
from .nn.network import Network
from .train.curves import cost_trouble

REGRESSION = ("mse", "mae")  # metrics in the target's own (z-) units, not rates
CASES = ("good_fit", "high_bias", "high_variance", "high_bias_high_variance", "optimization")

BIAS_STEPS = [
    "train a bigger network (more hidden units or layers)",
    "train longer, or with a better optimizer (Adam, a tuned learning rate)",
    "try another architecture",
]
VARIANCE_STEPS = [
    "get more training data (or augment it)",
    "add regularization: L2 (l2=...), dropout (keep_prob < 1) or early stopping",
    "try another architecture",
]
OPTIMIZATION_THEN = (
    "once the cost falls steadily, train again and diagnose bias and variance anew: "
    "capacity (more units or layers) can be judged only on a network that trained"
)
MISMATCH_STEPS = [
    "data mismatch: compare dev errors with training ones by hand, and make the training "
    "data more like the dev data (collect it, or synthesize it)",
]


def show(value, metric: str = "error", digits: int = 2) -> str:
    """``value`` as text: a percentage with ``digits`` decimals (0.1234 → "12.34%"), or for
    a regression metric (mse, mae: not rates) a plain number of 4 significant digits."""
    if value is None:
        return "–"
    if metric in REGRESSION:
        return f"{value:.4g}"
    return f"{value:.{digits}%}"


def _rate(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be an error rate (a number in [0, 1]), got {value!r}")
    value = float(value)
    if not 0.0 <= value <= 1.0:
        hint = "; pass 0.15 for 15%" if 1.0 < value <= 100.0 else ""
        raise ValueError(f"{name}={value!r} must be an error rate in [0, 1]{hint}")
    return value


def _nonneg(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value >= 0:
        raise ValueError(f"{name} must be a number >= 0, got {value!r}")
    return float(value)


@dataclass(repr=False)
class Diagnosis:
    """A bias/variance report. Prints as a table (Rich) and converts with :meth:`to_dict`."""

    train_error: float
    dev_error: float
    baseline_error: float
    avoidable_bias: float
    variance: float
    case: str
    next_steps: list[str]
    bias_threshold: float
    variance_threshold: float
    train_dev_error: float | None = None
    data_mismatch: float | None = None
    more_data_helps: bool | None = None
    notes: list[str] = field(default_factory=list)
    cost_curve: str | None = None  # "diverging", "oscillating", "flat" (given a history)
    metric: str = "error"
    resolution: float | None = None  # standard error of the dev value (what dev can resolve)
    baseline_source: str | None = None

    @property
    def high_bias(self) -> bool:
        """Avoidable bias above the threshold (an "optimization" case has it too)."""
        return self.case in ("high_bias", "high_bias_high_variance", "optimization")

    @property
    def high_variance(self) -> bool:
        return self.case in ("high_variance", "high_bias_high_variance")

    def to_dict(self) -> dict:
        out = dict(self.__dict__)
        out["next_steps"], out["notes"] = list(self.next_steps), list(self.notes)
        return out

    def _rows(self) -> list[tuple[str, str, str]]:
        def pct(v):
            return f"{100 * v:.2f}%" if self.metric not in REGRESSION else f"{v:.4g}"

        rows = [
            (
                "baseline error",
                pct(self.baseline_error),
                self.baseline_source or "human-level / Bayes error",
            ),
            ("train error", pct(self.train_error), ""),
        ]
        if self.train_dev_error is not None:
            rows.append(("train-dev error", pct(self.train_dev_error), ""))
        rows.append(("dev error", pct(self.dev_error), ""))
        flag = {True: "high", False: "ok"}
        rows.append(
            (
                "avoidable bias",
                pct(self.avoidable_bias),
                f"{flag[self.high_bias]} (threshold {pct(self.bias_threshold)})",
            )
        )
        comment = f"{flag[self.high_variance]} (threshold {pct(self.variance_threshold)})"
        if self.variance < -self.variance_threshold:
            comment = "negative: dev error below train error (see note)"
        rows.append(("variance", pct(self.variance), comment))
        if self.data_mismatch is not None:
            rows.append(("data mismatch", pct(self.data_mismatch), ""))
        if self.cost_curve is not None:
            rows.append(("cost curve", self.cost_curve, "an optimization problem"))
        if self.resolution is not None:
            rows.append(("dev resolution", pct(self.resolution), "± 1 standard error"))
        if self.metric != "error":
            rows.insert(0, ("metric", self.metric, "values below are this metric"))
        return rows

    def __repr__(self) -> str:
        def show_(v):
            return show(v, self.metric)

        return (
            f"Diagnosis(case={self.case!r}, train {show_(self.train_error)}, dev "
            f"{show_(self.dev_error)}, baseline {show_(self.baseline_error)}, avoidable bias "
            f"{show_(self.avoidable_bias)}, variance {show_(self.variance)})"
        )

    def _repr_html_(self) -> str:
        """The CLI's table, next steps and notes, as HTML (a notebook shows it)."""
        return _html.block(
            _html.table(
                ["quantity", "value", ""],
                self._rows(),
                title=f"diagnosis: {self.case}",
                numeric=("value",),
            ),  # fmt: skip
            _html.paragraph("next steps, most urgent first:"),
            _html.items(self.next_steps, ordered=True),
            *[_html.paragraph(f"note: {n}") for n in self.notes],
        )

    def plot(self):
        """A Matplotlib figure (no pyplot state): baseline, train and dev error as bars, the
        avoidable bias and the variance as the gaps between them."""
        return _html.figure(bias_variance(
            self.baseline_error, self.train_error, self.dev_error,
            percent=self.metric not in REGRESSION,
            title=f"diagnosis: {self.case.replace('_', ' ')}"))  # fmt: skip

    def __str__(self) -> str:
        lines = [f"diagnosis: {self.case}"]
        lines += [f"  {a:<16}{b:>9}  {c}".rstrip() for a, b, c in self._rows()]
        lines.append("next steps:")
        lines += [f"  {i}. {s}" for i, s in enumerate(self.next_steps, 1)]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)

    def __rich__(self):
        from rich.console import Group
        from rich.table import Table

        table = Table(title=f"diagnosis: {self.case}")
        table.add_column("quantity")
        table.add_column("value", justify="right")
        table.add_column("")
        for row in self._rows():
            table.add_row(*row)
        steps = Table(title="next steps, most urgent first", show_header=False)
        steps.add_column("", justify="right")
        steps.add_column("")
        for i, step in enumerate(self.next_steps, 1):
            steps.add_row(str(i), step)
        return Group(table, steps, *[f"note: {n}" for n in self.notes])


def diagnose(
    train_error: float,
    dev_error: float,
    baseline_error: float = 0.0,
    bias_threshold: float = 0.02,
    variance_threshold: float = 0.02,
    train_dev_error: float | None = None,
    learning_curve=None,
    history=None,
    metric: str = "error",
) -> Diagnosis:
    """Diagnose bias and variance from error rates and say what to try next.

    Parameters
    ----------
    train_error, dev_error : float in [0, 1]
        Inference-mode error rates (no dropout, no penalty) on the training and dev sets.
    baseline_error : float in [0, 1]
        The error to compare with: human-level error as a proxy for the Bayes error (0 when
        the task is one people do perfectly).
    bias_threshold : float
        Avoidable bias above this is "high bias" (default 0.02, two percentage points).
    variance_threshold : float
        Variance above this is "high variance" (default 0.02).
    train_dev_error : float in [0, 1], optional
        Error on a train-dev set (held out from the training distribution) when the dev set
        comes from another distribution: variance is then train-dev − train and the rest,
        dev − train-dev, is data mismatch.
    learning_curve : LearningCurve, optional
        From :func:`nnrecipe.learning_curve`; its verdict decides whether "more data" is
        the first variance step.
    history : History, optional
        The training run's :class:`nnrecipe.History`: when its cost curve diverged,
        oscillated or stayed flat while the bias is high, the case is "optimization" and the
        first step is the learning rate, not a bigger network.
    metric : str
        What the values measure (:mod:`nnrecipe.recipe.metrics`); "error" and "balanced_error" are
        rates in [0, 1], other metrics (log loss; mse and mae of a
        standardized regression target) need only be >= 0.

    Returns
    -------
    Diagnosis
        ``.case``, ``.avoidable_bias``, ``.variance``, ``.next_steps``, ``.to_dict()``.
    """
    rate = _rate if metric in ("error", "balanced_error") else _nonneg
    train = rate(train_error, "train_error")
    dev = rate(dev_error, "dev_error")
    base = rate(baseline_error, "baseline_error")
    bias_threshold = _rate(bias_threshold, "bias_threshold")
    variance_threshold = _rate(variance_threshold, "variance_threshold")
    notes = []
    mismatch = None
    if train_dev_error is not None:
        train_dev = rate(train_dev_error, "train_dev_error")
        variance, mismatch = train_dev - train, dev - train_dev
    else:
        train_dev, variance = None, dev - train
    bias = train - base
    high_bias, high_var = bias > bias_threshold, variance > variance_threshold
    case = CASES[int(high_bias) + 2 * int(high_var)]
    more_data = None if learning_curve is None else bool(learning_curve.more_data_helps)
    steps: list[str] = []
    trouble = None if history is None else cost_trouble(history)
    if high_bias and trouble is not None:  # training failed: the network was never tried
        case = "optimization"
        steps.append(trouble.advice)
        notes.append(
            f"{trouble.describe}: a bigger network trained the same way would fail the same "
            "way; fix the optimization before judging bias"
        )
    if high_bias and trouble is not None:  # the capacity was never tried: no bias steps
        steps.append(OPTIMIZATION_THEN)
    elif high_bias:
        steps += BIAS_STEPS
    if high_var:
        steps += _variance_steps(more_data, high_bias, notes)
    if mismatch is not None and mismatch > variance_threshold:
        steps += MISMATCH_STEPS
    if not steps:
        steps = [
            "good fit: evaluate once on the test set; if that is not good enough, change "
            "the dev set or the metric (they no longer reflect what you care about)"
        ]
    notes += _below_notes(bias, variance, bias_threshold, variance_threshold, metric)
    if high_bias and more_data is True:
        notes.append("while bias is high, more data alone will not lower the training error")
    return Diagnosis(
        train,
        dev,
        base,
        bias,
        variance,
        case,
        steps,
        bias_threshold,
        variance_threshold,
        train_dev,
        mismatch,
        more_data,
        notes,
        None if trouble is None else trouble.kind,
        metric,
    )


def _variance_steps(more_data: bool | None, high_bias: bool, notes: list[str]) -> list[str]:
    """The variance steps, more data first unless the learning curve has flattened (a note
    says so); the bias steps' last ("train longer") left out when bias is high too."""
    steps = list(VARIANCE_STEPS)
    if more_data is False:  # the curve has flattened: regularize rather than collect data
        steps.pop(0)
        notes.append(
            "more data is unlikely to help much: the learning curve's dev error "
            "has flattened at the largest training sizes"
        )
    elif more_data:
        steps[0] = (
            "get more training data: the learning curve's dev error is "
            "still falling at the largest training sizes (or augment it)"
        )
    return [s for s in steps if not (high_bias and s == BIAS_STEPS[-1])]


def _below_notes(bias, variance, bias_threshold, variance_threshold, metric) -> list[str]:
    """Notes when a value falls below the one it should not: train below the baseline
    (bias < −threshold), dev below train (variance < −threshold)."""
    notes = []
    if bias < -bias_threshold:
        notes.append(
            "the training error is below the baseline: the baseline may be too high, "
            "or the network is fitting noise in the training labels"
        )
    if variance < -variance_threshold:
        shown = f"{variance:+.4g}" if metric in REGRESSION else f"{variance:+.1%}"
        notes.append(
            f"the dev error is below the training error (variance {shown}): the dev "
            "set may be easier than the training set (another distribution, or a small dev "
            "set that is lucky), or it leaks into training (dev rows or their statistics "
            "used to fit); check that dev and train come from the same distribution and that "
            "errors are measured without dropout"
        )
    return notes


def _pair(part, name: str):
    if not isinstance(part, tuple | list) or len(part) != 2:
        raise TypeError(f"{name} must be a pair ({name}_X, {name}_y), got {type(part).__name__}")
    return part


def diagnose_network(
    network: Network, train, dev, baseline_error: float = 0.0, train_dev=None, **kwargs
) -> Diagnosis:
    """:func:`diagnose` from a fitted network's inference-mode errors on ``train`` and ``dev``
    (and ``train_dev``), each an ``(X, y)`` pair. Used by :meth:`Network.diagnose`."""
    if not network.loss.classification:
        raise ValueError(
            "diagnose works with error rates, so it needs a classification network; for "
            "regression call nnrecipe.diagnose(train_mse, dev_mse, ...) with thresholds in "
            "your own units after scaling them to [0, 1]"
        )
    errors = {}
    for name, part in (("train", train), ("dev", dev), ("train_dev", train_dev)):
        if part is None:
            continue
        X, y = _pair(part, name)
        X = network.prepare_inputs(X, f"{name}[0] (X_{name})")
        Y = network.prepare_targets(y, len(X), f"{name}[1] (y_{name})")
        errors[name] = network.measure(X, Y)[1]
    return diagnose(
        errors["train"],
        errors["dev"],
        baseline_error,
        train_dev_error=errors.get("train_dev"),
        **kwargs,
    )
