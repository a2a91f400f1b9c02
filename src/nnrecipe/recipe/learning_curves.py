"""Learning curves: training and dev error against the training-set size.

For sizes n_1 < ... < n_K, a fresh network is trained on the first n_k examples of one
stratified random order (so the subsets are nested and keep the class shares), and its
inference-mode errors on that subset and on the dev set are recorded.

Would more data help? The dev error's trend at the largest sizes is the least-squares
slope of dev error against log2(n) over the last three sizes (two when only two):

    s = −d(dev error)/d(log2 n)      (the drop in dev error per doubling of the data)

More data is expected to help when s > ``tolerance`` (the dev error is still falling) and
the gap dev − train at the largest size is above ``tolerance`` too (there is variance left
for data to remove). A high-bias model has dev ≈ train, both flat: more data will not help.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

import numpy as np

from .._checks import as_rng, check_nonneg
from ..data.strata import class_codes, stratified_order
from ..diagnosis import REGRESSION, show


class LearningCurve:
    """``sizes``, ``train_errors``, ``dev_errors`` (arrays), ``gaps`` (dev − train),
    ``slope`` (dev error drop per doubling), ``more_data_helps`` and ``verdict``.
    ``metric`` ("error", or "mse" for a regression network) says how values are shown:
    percentages and points, or plain numbers."""

    metric = "error"

    def __init__(self, sizes, train_errors, dev_errors, tolerance):
        self.sizes = np.asarray(sizes, dtype=np.int64)
        self.train_errors = np.asarray(train_errors, dtype=np.float64)
        self.dev_errors = np.asarray(dev_errors, dtype=np.float64)
        self.tolerance = tolerance
        last = min(3, len(self.sizes))
        if last >= 2:
            x = np.log2(self.sizes[-last:].astype(np.float64))
            self.slope = float(-np.polyfit(x, self.dev_errors[-last:], 1)[0])
        else:
            self.slope = float("nan")
        self.more_data_helps = bool(self.slope > tolerance and self.gaps[-1] > tolerance)

    @property
    def gaps(self) -> np.ndarray:
        return self.dev_errors - self.train_errors

    @property
    def verdict(self) -> str:
        if len(self.sizes) < 2:
            return "one training size only: the trend cannot be judged"
        if self.metric in REGRESSION:
            per_doubling = f"{self.slope:+.4g} {self.metric} per doubling"
            gap = f"{self.gaps[-1]:.4g} {self.metric}"
        else:
            per_doubling = f"{100 * self.slope:+.2f} points per doubling"
            gap = f"{100 * self.gaps[-1]:.1f} points"
        if self.more_data_helps:
            return (
                f"more data should help: the dev error is still falling ({per_doubling}) "
                f"and the train/dev gap is {gap}"
            )
        if self.gaps[-1] <= self.tolerance:
            return (
                "more data will not help much: train and dev errors have met; reduce bias "
                "(bigger network, train longer)"
            )
        return (
            f"more data is unlikely to help much: the dev error has flattened "
            f"({per_doubling}); regularize or change the architecture"
        )

    def to_dict(self) -> dict:
        return {
            "sizes": self.sizes.tolist(),
            "train_errors": self.train_errors.tolist(),
            "dev_errors": self.dev_errors.tolist(),
            "slope": self.slope,
            "more_data_helps": self.more_data_helps,
            "verdict": self.verdict,
        }

    def _rows(self):
        return [
            (f"{n:,}", show(t, self.metric), show(d, self.metric), show(d - t, self.metric))
            for n, t, d in zip(self.sizes, self.train_errors, self.dev_errors, strict=True)
        ]

    def __str__(self) -> str:
        lines = [f"{'examples':>10}  {'train error':>11}  {'dev error':>9}  {'gap':>7}"]
        lines += [f"{a:>10}  {b:>11}  {c:>9}  {d:>7}" for a, b, c, d in self._rows()]
        return "\n".join(lines + [self.verdict])

    def __rich__(self):
        from rich.table import Table

        table = Table(title="learning curve", caption=self.verdict)
        for col in ("examples", "train error", "dev error", "gap"):
            table.add_column(col, justify="right")
        for row in self._rows():
            table.add_row(*row)
        return table

    def __repr__(self) -> str:
        return f"LearningCurve(sizes={self.sizes.tolist()}, more_data_helps={self.more_data_helps})"


def _sizes(sizes, m: int) -> list[int]:
    try:
        values = list(sizes)
    except TypeError:
        raise TypeError(f"sizes must be a list of fractions or counts, got {sizes!r}") from None
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not v > 0:
            raise ValueError(f"sizes holds {v!r}; use fractions in (0, 1] or counts >= 1")
        n = int(v) if isinstance(v, numbers.Integral) else int(round(float(v) * m))
        if isinstance(v, float) and v > 1 or n > m:
            raise ValueError(f"sizes holds {v!r} but there are only {m} training examples")
        out.append(max(n, 1))
    out = sorted(set(out))
    if not out:
        raise ValueError("sizes is empty; pass e.g. (0.1, 0.25, 0.5, 1.0)")
    return out


def learning_curve(
    make_network: Callable,
    X,
    y,
    sizes=(0.1, 0.2, 0.4, 0.7, 1.0),
    dev: tuple | None = None,
    tolerance: float = 0.005,
    seed: int | np.random.Generator | None = 0,
    **fit_kwargs,
) -> LearningCurve:
    """Train a fresh network on growing subsets of (X, y) and measure train and dev error.

    Parameters
    ----------
    make_network : callable () -> Network
        Builds a new, untrained network for each size (e.g. ``lambda: nr.Network([...])``).
    X, y : the training set (m, n_x), (m,)
    sizes : sequence of fractions in (0, 1] or counts
    dev : (X_dev, y_dev), optional
        Default: a stratified 20% of (X, y) held out (and not trained on).
    tolerance : float
        The smallest drop in dev error per doubling of the data (and train/dev gap) that
        counts as "more data helps" (default 0.005: half a percentage point).
    seed : int or Generator
        The subsets' order and, unless ``fit_kwargs`` has one, each fit's seed.
    **fit_kwargs
        Passed to ``Network.fit`` (epochs, batch_size, learning_rate, ...). With
        ``early_stopping`` the dev set is passed to ``fit`` too.
    """
    if not callable(make_network):
        raise TypeError(
            "make_network must be a callable that builds a fresh network, e.g. "
            "lambda: nr.Network([n_x, 64, 10], output='softmax')"
        )
    tolerance = check_nonneg(tolerance, "tolerance")
    rng = as_rng(seed, "seed")
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} examples but y has {len(y)}; one label per row")
    if dev is None:
        order = stratified_order(class_codes(y), len(X), rng)
        n_dev = max(1, int(round(0.2 * len(X))))
        if len(X) - n_dev < 1:
            raise ValueError(f"X has {len(X)} examples: too few to hold out a dev set")
        dev = (X[order[:n_dev]], y[order[:n_dev]])
        X, y = X[order[n_dev:]], y[order[n_dev:]]
    elif not isinstance(dev, tuple | list) or len(dev) != 2:
        raise TypeError("dev must be a tuple (X_dev, y_dev)")
    counts = _sizes(sizes, len(X))
    order = stratified_order(class_codes(y), len(X), rng)
    fit_kwargs.setdefault("seed", rng)
    if fit_kwargs.get("early_stopping") is not None:
        fit_kwargs.setdefault("dev", tuple(dev))
    train_errors, dev_errors = [], []
    for n in counts:
        net = make_network()
        if not (hasattr(net, "fit") and hasattr(net, "evaluate")):
            raise TypeError(f"make_network() must return an nnrecipe Network, got {net!r}")
        Xs, ys = X[order[:n]], y[order[:n]]
        net.fit(Xs, ys, **fit_kwargs)
        train_errors.append(net.evaluate(Xs, ys)["error"])
        dev_errors.append(net.evaluate(*dev)["error"])
    return LearningCurve(counts, train_errors, dev_errors, tolerance)
