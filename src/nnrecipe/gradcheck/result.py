"""The result of a gradient check: the relative difference, a verdict, and where it disagrees.

The headline number is the course's relative difference between the finite-difference
gradient and backpropagation's, over the n checked coordinates (or directions):

    difference = ‖dθ_approx − dθ‖₂ / (‖dθ_approx‖₂ + ‖dθ‖₂)        (0 when both are 0)

read with the course's thresholds: ≤ 1e-7 correct; around 1e-5 look again; ≥ 1e-3 a bug.
The same formula per parameter block (W1, b1, ...) locates a bug ("db1 disagrees;
everything else matches"). A relative difference means nothing when the gradient itself
is as small as the rounding noise of the finite difference, about u·|J|/ε per coordinate
(u = 2.2e-16): the result then says "inconclusive" instead of calling a bug.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import _html

CORRECT = 1e-7  # the course: ≤ 1e-7 the gradient is correct
BUG = 1e-3  # ≥ 1e-3 there is almost certainly a bug
SEVERITY = {
    "ok": 0,
    "kinks only": 0,
    "inconclusive": 1,
    "look again": 2,
    "bug": 3,
    "non-finite": 4,
}


def relative_difference(approx: np.ndarray, backprop: np.ndarray) -> float:
    """‖approx − backprop‖₂ / (‖approx‖₂ + ‖backprop‖₂), 0.0 when both vectors are zero."""
    denominator = float(np.linalg.norm(approx) + np.linalg.norm(backprop))
    return float(np.linalg.norm(approx - backprop)) / denominator if denominator else 0.0


def status(difference: float, abs_error: float, noise: float) -> str:
    """``ok``, ``inconclusive``, ``look again``, ``bug`` (or ``kinks only``: nothing compared;
    ``non-finite``: J or a gradient overflowed, so nothing can be compared)."""
    if not (np.isfinite(abs_error) and np.isfinite(noise)):
        return "non-finite"
    if np.isnan(difference):
        return "kinks only"
    if difference <= CORRECT:
        return "ok"
    if abs_error <= noise:
        return "inconclusive"
    return "bug" if difference >= BUG else "look again"


@dataclass(frozen=True)
class Coordinate:
    """One checked coordinate of a block (``index``), or one random direction (``direction``)."""

    name: str
    index: tuple[int, ...] | None
    approx: float
    backprop: float
    direction: int | None = None

    @property
    def abs_error(self) -> float:
        return abs(self.approx - self.backprop)

    @property
    def rel_error(self) -> float:
        scale = abs(self.approx) + abs(self.backprop)
        return self.abs_error / scale if scale else 0.0

    @property
    def label(self) -> str:
        if self.index is None:
            return f"{self.name}·v{self.direction}"
        return f"{self.name}[{', '.join(str(i) for i in self.index)}]"

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "index": None if self.index is None else list(self.index),
            "direction": self.direction,
            "approx": self.approx,
            "backprop": self.backprop,
            "abs_error": self.abs_error,
            "rel_error": self.rel_error,
        }


@dataclass
class GradcheckResult:
    """What :func:`nnrecipe.gradcheck` and :func:`nnrecipe.gradcheck_fn` return.

    Attributes
    ----------
    difference : float
        ‖dθ_approx − dθ‖₂ / (‖dθ_approx‖₂ + ‖dθ‖₂) over the checked values.
    passed : bool
        ``difference <= 1e-7`` and no parameter block disagrees on its own.
    verdict : str
        The difference read against the thresholds, and which blocks disagree.
    per_parameter : dict
        ``{"W1": difference, "b1": ..., ...}``, the same formula block by block.
    worst : list of Coordinate
        The checked values with the largest absolute error, worst first.
    mode, epsilon, n_parameters, n_checked
        How the check was run; ``n_checked`` counts coordinates (or directions) compared.
    kinks : list of str
        Coordinates (``"b2[3]"``) or directions whose finite difference straddles a kink
        (ReLU at 0, |w| at 0 with L1): excluded from every difference, see ``notes``.
    notes : list of str
        Everything that affects how to read the result (dropout off, float64 copy, ...).
    status, block_status : str, dict
        ``ok``, ``look again``, ``bug``, ``inconclusive`` (the error is within ``noise``,
        the rounding noise of the finite differences, so a relative test means nothing) or
        ``kinks only``, overall and per block.
    abs_error, noise : float
        ‖dθ_approx − dθ‖₂ and the rounding noise expected for it, 4u·|J|/2ε per value.
    approx, backprop : numpy.ndarray
        The compared values, in checking order (kinks included), for plots.
    """

    difference: float
    per_parameter: dict[str, float]
    worst: list[Coordinate]
    mode: str
    epsilon: float
    n_parameters: int
    n_checked: int
    noise: float
    block_status: dict[str, str]
    kinks: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    approx: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    backprop: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    abs_error: float = 0.0

    @property
    def passed(self) -> bool:
        return self.status == "ok"

    @property
    def status(self) -> str:
        """The overall status, or a block's when that block alone disagrees more."""
        overall = status(self.difference, self.abs_error, self.noise)
        worst = max(self.block_status.values(), key=SEVERITY.__getitem__, default="ok")
        return worst if SEVERITY[worst] > SEVERITY[overall] else overall

    @property
    def disagreeing(self) -> list[str]:
        """The parameter blocks whose own difference is not ``ok`` nor ``inconclusive``."""
        return [k for k, s in self.block_status.items() if s in ("bug", "look again")]

    @property
    def location(self) -> str:
        bad = ["d" + k for k in self.disagreeing]
        unchecked = [k for k, s in self.block_status.items() if s == "kinks only"]
        if unchecked:
            return (
                self._location(bad)[:-1] + f" ({', '.join(unchecked)}: kinks only, not compared)."
            )
        return self._location(bad)

    def _location(self, bad: list[str]) -> str:
        if not bad:
            return "every block matches." if self.passed else "no single block stands out."
        if len(bad) == len(self.block_status):
            return f"every block disagrees ({', '.join(bad)})."
        names = bad[0] if len(bad) == 1 else ", ".join(bad[:-1]) + " and " + bad[-1]
        verb = "disagrees" if len(bad) == 1 else "disagree"
        return f"{names} {verb}; everything else matches."

    @property
    def verdict(self) -> str:
        d = f"difference {self.difference:.1e}"
        if self.status == "non-finite":
            return (
                f"non-finite: the cost J, its finite differences or the gradient hold NaN or "
                f"inf ({d}), so nothing can be compared; standardize the inputs, or check "
                "with smaller weights and inputs"
            )
        if self.status != status(self.difference, self.abs_error, self.noise) and self.disagreeing:
            name = max(self.disagreeing, key=self.per_parameter.__getitem__)
            own = self.per_parameter[name]
            return f"{self.status}: {d} overall, but d{name} alone has {own:.1e}; {self.location}"
        head = {
            "ok": f"correct: {d} ≤ {CORRECT:.0e}",
            "look again": f"look again: {d} is above {CORRECT:.0e} but below {BUG:.0e}",
            "bug": f"bug: {d} ≥ {BUG:.0e}",
            "inconclusive": (
                f"inconclusive: {d}, but the error ‖dθ_approx − dθ‖ = {self.abs_error:.1e} is "
                f"within the finite-difference rounding noise ({self.noise:.1e}): the gradient "
                "is too small for a relative test; check where gradients are larger (fresh "
                "weights, fewer examples) or with epsilon=1e-5"
            ),
            "kinks only": "nothing compared: every checked value straddles a kink (see notes)",
        }[self.status]
        return f"{head}; {self.location}"

    @classmethod
    def from_blocks(
        cls,
        blocks: dict,
        shapes: dict,
        *,
        mode: str,
        epsilon: float,
        scale: float,
        notes: list[str],
        top: int = 5,
    ) -> GradcheckResult:
        """Assemble the result from ``{name: (where, approx, backprop, kink)}`` per block:
        ``where`` holds flat indices into the block (or direction numbers in directional
        mode); ``scale`` is the largest |J| evaluated, which sets the rounding noise."""
        # rounding noise of one finite difference: a few ulps of J, divided by 2ε
        noise = 4 * np.finfo(np.float64).eps * scale / (2 * epsilon)
        per_parameter, block_status, kinks, candidates = {}, {}, [], []
        keep_a, keep_b = [], []

        def coordinate(name, w, a, b):
            if mode == "directional":
                return Coordinate(name, None, float(a), float(b), direction=int(w))
            idx = tuple(int(i) for i in np.unravel_index(int(w), shapes[name]))
            return Coordinate(name, idx, float(a), float(b))

        for name, (where, approx, backprop, kink) in blocks.items():
            ok = ~kink
            a, b = approx[ok], backprop[ok]
            per_parameter[name] = relative_difference(a, b) if ok.any() else float("nan")
            err = float(np.linalg.norm(a - b))
            block_status[name] = status(per_parameter[name], err, noise * np.sqrt(ok.sum()))
            kinks += [coordinate(name, w, 0, 0).label for w in where[kink]]
            worst = np.argsort(-np.abs(a - b), kind="stable")[:top]
            candidates += [coordinate(name, where[ok][i], a[i], b[i]) for i in worst]
            keep_a.append(a)
            keep_b.append(b)
        a, b = np.concatenate(keep_a), np.concatenate(keep_b)
        candidates.sort(key=lambda c: -c.abs_error)
        return cls(
            difference=relative_difference(a, b) if len(a) else float("nan"),
            per_parameter=per_parameter,
            worst=candidates[:top],
            mode=mode,
            epsilon=float(epsilon),
            n_parameters=sum(int(np.prod(s)) for s in shapes.values()),
            n_checked=sum(len(v[0]) for v in blocks.values()),
            noise=noise * np.sqrt(len(a)),
            block_status=block_status,
            kinks=kinks,
            notes=notes,
            approx=np.concatenate([v[1] for v in blocks.values()]),
            backprop=np.concatenate([v[2] for v in blocks.values()]),
            abs_error=float(np.linalg.norm(a - b)),
        )

    # ----------------------------------------------------------------- output
    def to_dict(self) -> dict:
        """A JSON-serializable summary (the arrays ``approx``/``backprop`` are left out)."""
        return {
            "difference": _json(self.difference),
            "passed": self.passed,
            "status": self.status,
            "verdict": self.verdict,
            "mode": self.mode,
            "epsilon": self.epsilon,
            "n_parameters": self.n_parameters,
            "n_checked": self.n_checked,
            "per_parameter": {k: _json(v) for k, v in self.per_parameter.items()},
            "block_status": dict(self.block_status),
            "worst": [c.to_dict() for c in self.worst],
            "kinks": list(self.kinks),
            "notes": list(self.notes),
            "thresholds": {"correct": CORRECT, "bug": BUG},
        }

    def _rows(self) -> list[tuple[str, ...]]:
        return [
            (name, f"{diff:.1e}", self.block_status[name])
            for name, diff in self.per_parameter.items()
        ]

    def _worst_rows(self) -> list[tuple[str, ...]]:
        return [
            (
                c.label,
                f"{c.approx:+.6e}",
                f"{c.backprop:+.6e}",
                f"{c.abs_error:.1e}",
                f"{c.rel_error:.1e}",
            )
            for c in self.worst
        ]

    def _header(self) -> str:
        unit = "directions" if self.mode == "directional" else "coordinates"
        kinks = f", {len(self.kinks)} at kinks excluded" if self.kinks else ""
        return (
            f"gradient check ({self.mode}: {self.n_checked:,} {unit}{kinks}; "
            f"{self.n_parameters:,} parameters; ε = {self.epsilon:g}; float64)"
        )

    def __str__(self) -> str:
        lines = [self._header(), f"  {self.verdict}", ""]
        lines += _table(("block", "difference", "status"), self._rows())
        if self.worst:
            lines += [
                "",
                "worst " + ("directions" if self.mode == "directional" else "coordinates"),
            ]
            lines += _table(
                ("where", "approx", "backprop", "abs err", "rel err"), self._worst_rows()
            )
        if self.notes:
            lines += ["", "notes:"] + [f"  - {note}" for note in self.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"GradcheckResult(difference={self.difference:.3e}, passed={self.passed}, "
            f"mode={self.mode!r}, n_checked={self.n_checked})"
        )

    def _repr_html_(self) -> str:
        """The same report as HTML: header, verdict, the blocks and the worst coordinates."""
        worst = "directions" if self.mode == "directional" else "coordinates"
        return _html.block(
            _html.paragraph(self._header()),
            _html.paragraph(self.verdict, bold=True),
            _html.table(("block", "difference", "status"), self._rows(),
                        numeric=("difference",)),  # fmt: skip
            _html.table(("where", "approx", "backprop", "abs err", "rel err"),
                        self._worst_rows(), title=f"worst {worst}",
                        numeric=("approx", "backprop", "abs err", "rel err"))
            if self.worst else "",
            _html.items(self.notes) if self.notes else "",
        )  # fmt: skip

    def __rich__(self):
        """Rich renderable (``rich.print(result)``): the same report with real tables."""
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        style = {
            "ok": "green",
            "inconclusive": "yellow",
            "look again": "yellow",
            "bug": "red",
            "kinks only": "dim",
        }
        blocks = Table()
        for col in ("block", "difference", "status"):
            blocks.add_column(col, justify="right" if col == "difference" else "left")
        for name, diff, stat in self._rows():
            blocks.add_row(name, diff, Text(stat, style=style[stat]))
        parts = [Text(self._header()), blocks, Text(self.verdict, style=style[self.status])]
        if self.worst:
            parts.append(
                Text("worst " + ("directions" if self.mode == "directional" else "coordinates"))
            )
            worst = Table()
            for col in ("where", "approx", "backprop", "abs err", "rel err"):
                worst.add_column(col, justify="left" if col == "where" else "right")
            for row in self._worst_rows():
                worst.add_row(*row)
            parts.append(worst)
        parts += [Text(f"- {note}") for note in self.notes]
        return Group(*parts)


def _json(x: float) -> float | None:
    return None if np.isnan(x) else float(x)


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return [
        "  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in [header, *rows]
    ]
