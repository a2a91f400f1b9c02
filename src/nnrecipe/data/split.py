"""Train/dev/test splits that follow the rule of thumb for the data size.

``ratios="auto"`` gives the dev set and the test set the same fraction f(m) of the m examples:

    f(m) = 0.20                                   for m ≤ 100,000        (60/20/20)
    f(m) = 10^interp(log10 m; [5, 6, 8], log10 [0.20, 0.01, 0.0025])   in between
    f(m) = 0.0025                                 for m ≥ 100,000,000    (99.5/0.25/0.25)

so f passes through 0.01 at m = 1,000,000 (98/1/1: 10,000 dev and 10,000 test examples) and
changes smoothly (log-linearly in log m) between the anchor points instead of jumping.
n_dev = n_test = round(f(m)·m) and n_train = m − n_dev − n_test.

Stratification keeps every class's share the same in each split (to within one example):
each class is shuffled, its i-th example gets the key (i + u_c)/n_c with a random phase
u_c ∈ [0, 1), and the examples are taken in key order, so every prefix of that order
holds each class in proportion. The test set is the first n_test examples of that order,
the dev set the next n_dev, the training set the rest (shuffled again).
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from .._checks import as_rng, layout_hint
from .distribution import check_same_distribution
from .strata import class_codes, stratified_order

ANCHOR_M = (1e5, 1e6, 1e8)
ANCHOR_F = (0.20, 0.01, 0.0025)


def auto_fraction(m: int) -> float:
    """f(m): the dev (and test) fraction of the ``"auto"`` rule for m examples."""
    x = np.log10(max(int(m), 1))
    return float(10 ** np.interp(x, np.log10(ANCHOR_M), np.log10(ANCHOR_F)))


def _pct(f: float) -> str:
    return f"{100 * f:.4g}"


def split_sizes(m: int, ratios="auto") -> tuple[tuple[int, int, int], str]:
    """``((n_train, n_dev, n_test), rule)`` for m examples, without touching any data.

    ``ratios`` is ``"auto"``, three fractions summing to 1 such as ``(0.8, 0.1, 0.1)``, or
    three counts such as ``(None, 10_000, 10_000)`` (``None``: the rest). Raises ValueError
    when a split would be empty.
    """
    if isinstance(m, bool) or not isinstance(m, numbers.Integral) or m < 0:
        raise ValueError(f"the number of examples must be an integer >= 0, got {m!r}")
    m = int(m)
    if isinstance(ratios, str):
        if ratios != "auto":
            raise ValueError(
                f"ratios={ratios!r} is not known; pass 'auto', fractions like (0.8, 0.1, 0.1) "
                "or counts like (None, 10000, 10000)"
            )
        f = auto_fraction(m)
        n_dev = n_test = int(round(f * m))
        rule = (
            f"auto: {m:,} examples -> {_pct(1 - 2 * f)}/{_pct(f)}/{_pct(f)} "
            f"(dev and test fraction {f:.4g}, log-linear between 60/20/20 up to 100,000, "
            "98/1/1 at 1,000,000 and 99.5/0.25/0.25 from 100,000,000)"
        )
        sizes = (m - n_dev - n_test, n_dev, n_test)
    else:
        sizes, rule = _explicit(m, ratios)
    for name, n in zip(("train", "dev", "test"), sizes, strict=True):
        if n < 1:
            raise ValueError(
                f"the {name} split would be empty: {m} examples with ratios={ratios!r} give "
                f"(train, dev, test) = {sizes}; pass more examples or larger {name} ratios/counts"
            )
    return tuple(int(n) for n in sizes), rule


def _explicit(m: int, ratios) -> tuple[tuple[int, int, int], str]:
    if isinstance(ratios, dict):
        ratios = tuple(ratios.get(k) for k in ("train", "dev", "test"))
    try:
        values = list(ratios)
    except TypeError:
        values = None
    if values is None or len(values) != 3:
        raise ValueError(
            f"ratios={ratios!r} must be 'auto' or three values (train, dev, test): fractions "
            "like (0.8, 0.1, 0.1) or counts like (None, 10000, 10000)"
        )
    given = [v for v in values if v is not None]
    for v in given:
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not np.isfinite(v) or v < 0:
            raise ValueError(f"ratios={ratios!r} must hold numbers >= 0 (or one None)")
    if len(given) < 2:
        raise ValueError(f"ratios={ratios!r} may leave at most one value as None (the rest)")
    if all(isinstance(v, numbers.Integral) for v in given) and sum(given) > 1:
        counts = [int(v) if v is not None else m - int(sum(given)) for v in values]
        if sum(counts) != m or min(counts) < 0:
            raise ValueError(
                f"counts ratios={ratios!r} add up to {sum(given)} but there are {m} examples; "
                "make them add up, leave one as None for the rest, or pass fractions like "
                "(0.6, 0.2, 0.2)"
            )
        return tuple(counts), f"counts: {counts[0]:,}/{counts[1]:,}/{counts[2]:,}"
    fr = [float(v) if v is not None else 1.0 - float(sum(given)) for v in values]
    if abs(sum(fr) - 1.0) > 1e-9 or min(fr) < 0:
        raise ValueError(
            f"fractions ratios={ratios!r} must add up to 1 (they add up to {sum(given):g})"
        )
    n_dev, n_test = int(round(fr[1] * m)), int(round(fr[2] * m))
    return (m - n_dev - n_test, n_dev, n_test), f"ratios: {'/'.join(_pct(f) for f in fr)}"


class Split:
    """Three ``(X, y)`` pairs; unpacks as ``(X_train, y_train), (X_dev, y_dev), (X_test, y_test)``.

    Attributes: ``train``, ``dev``, ``test`` (the pairs), ``rule`` (the rule applied),
    ``sizes`` (n_train, n_dev, n_test), ``indices`` (rows of the original X in each split;
    None for a set the user brought), ``stratified`` and ``distribution`` (the dev/test check
    when the user brought a set, else None).
    """

    def __init__(self, train, dev, test, rule, indices, stratified, distribution=None):
        self.train, self.dev, self.test = train, dev, test
        self.rule, self.indices = rule, indices
        self.stratified, self.distribution = stratified, distribution

    @property
    def sizes(self) -> tuple[int, int, int]:
        return tuple(len(part[0]) for part in self)

    def __iter__(self):
        return iter((self.train, self.dev, self.test))

    def __len__(self) -> int:
        return 3

    def __getitem__(self, i):
        return (self.train, self.dev, self.test)[i]

    def __repr__(self) -> str:
        n_train, n_dev, n_test = self.sizes
        return f"Split(train={n_train:,}, dev={n_dev:,}, test={n_test:,}, rule={self.rule!r})"


def _as_data(X, name: str) -> np.ndarray:
    if X is None or isinstance(X, str | bytes):
        raise TypeError(f"{name} must be an array with one row per example, got {X!r}")
    arr = np.asarray(X)
    if arr.ndim == 0:
        raise ValueError(f"{name} must have one row per example, got a scalar {arr!r}")
    return arr


def _brought(part, name: str, X: np.ndarray, y) -> tuple[np.ndarray, np.ndarray | None]:
    """Validate a dev or test set the user brought: same features as X, labels when X has them."""
    if y is not None:
        if not isinstance(part, tuple | list) or len(part) != 2:
            raise TypeError(f"{name} must be a pair ({name}_X, {name}_y) because y was given")
        Xp, yp = _as_data(part[0], f"{name}[0]"), _as_data(part[1], f"{name}[1]")
        if len(Xp) != len(yp):
            raise ValueError(f"{name}[0] has {len(Xp)} rows but {name}[1] has {len(yp)} labels")
    else:
        Xp, yp = _as_data(part[0] if isinstance(part, tuple | list) else part, name), None
    if len(Xp) == 0:
        raise ValueError(f"the {name} set you passed is empty; it needs at least one example")
    if Xp.shape[1:] != X.shape[1:]:
        raise ValueError(
            f"the {name} set has examples of shape {Xp.shape[1:]} but X has {X.shape[1:]}: "
            "dev, test and training sets must have the same features in the same order"
        )
    return Xp, yp


def split(
    X,
    y=None,
    ratios="auto",
    stratify=True,
    seed: int | np.random.Generator | None = 0,
    dev=None,
    test=None,
    check_distribution: bool = True,
) -> Split:
    """Shuffle and split (X, y) into train, dev and test sets.

    Parameters
    ----------
    X : array (m, ...)
        Rows are examples; any trailing shape (and any dtype) is kept, nothing is copied
        beyond the rows of each split. An index array ``np.arange(m)`` splits indices.
    y : array (m,) or (m, k), optional
    ratios : "auto", (f_train, f_dev, f_test) or (n_train, n_dev, n_test)
        ``"auto"`` follows the rule of thumb for m (see the module docstring); fractions must
        add up to 1; counts must add up to m, one may be ``None`` for "the rest".
    stratify : bool or array (m,)
        Keep class shares equal across splits when y holds class labels (or stratify on the
        labels given here); regression targets are shuffled only.
    seed : int or Generator
    dev, test : (X_dev, y_dev), optional
        Sets you bring yourself (e.g. from the distribution you care about). Each one given is
        used as is, and the examples it would have taken from X stay in training. When you
        bring one, dev and test are checked with :func:`check_same_distribution` and a
        warning says so when they look different.
    check_distribution : bool

    Returns
    -------
    Split
        Unpacks as ``(X_train, y_train), (X_dev, y_dev), (X_test, y_test)``; ``.rule``.
    """
    X = _as_data(X, "X")
    if y is not None:
        y = _as_data(y, "y")
        if len(y) != len(X):
            raise ValueError(
                f"X has {len(X)} examples but y has {len(y)}; they need one label per row"
                + layout_hint(np.shape(X), np.shape(y))
            )
    if stratify is not True and stratify is not False and stratify is not None:
        stratify = _as_data(stratify, "stratify")
        if len(stratify) != len(X):
            raise ValueError(f"stratify has {len(stratify)} labels but X has {len(X)} rows")
    m = len(X)
    (n_train, n_dev, n_test), rule = split_sizes(m, ratios)
    brought = {k: _brought(v, k, X, y) for k, v in (("dev", dev), ("test", test)) if v is not None}
    n_train += n_dev * ("dev" in brought) + n_test * ("test" in brought)
    n_dev *= "dev" not in brought
    n_test *= "test" not in brought
    rng = as_rng(seed, "seed")
    codes = class_codes(y, stratify)
    order = stratified_order(codes, m, rng)
    idx_test, idx_dev, idx_train = np.split(order, [n_test, n_test + n_dev])
    if codes is not None:  # undo the regular class interleaving of the stratified order
        rng.shuffle(idx_train)
        rng.shuffle(idx_dev)
        rng.shuffle(idx_test)
    indices = {"train": idx_train, "dev": idx_dev, "test": idx_test}
    parts = {}
    for name, idx in indices.items():
        parts[name] = (X[idx], None if y is None else y[idx])
    for name, part in brought.items():
        parts[name], indices[name] = part, None
        rule += f"; {name} set brought by the user ({len(part[0]):,} examples)"
    report = None
    if brought and check_distribution:
        report = _check_dev_test(parts["dev"][0], parts["test"][0], seed=rng)
    return Split(
        parts["train"], parts["dev"], parts["test"], rule, indices, codes is not None, report
    )


def _check_dev_test(X_dev, X_test, seed):

    numeric = all(np.issubdtype(a.dtype, np.number) or a.dtype == bool for a in (X_dev, X_test))
    if not numeric:
        return None
    report = check_same_distribution(
        X_dev.reshape(len(X_dev), -1), X_test.reshape(len(X_test), -1), seed=seed
    )
    if not report.same:
        warnings.warn(
            f"the dev and test sets look drawn from different distributions ({report.summary()}); "
            "tune on a dev set from the same distribution as the test set you will be judged on",
            UserWarning,
            stacklevel=3,
        )
    return report
