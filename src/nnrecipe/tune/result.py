"""What a hyperparameter search found: the best configuration and every trial.

``TuneResult.trials`` holds one dict per trial (number, state, dev_error, train_error,
the hyperparameters, epochs, seconds, worker); ``best_*`` describe the complete trial chosen
by the one-standard-error rule (the fewest weights among the trials within one standard
error of the lowest dev error; ``selection`` says so); ``network`` is that configuration
retrained with the trial's own seed, so it is the very network the trial measured.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .. import _html
from .._figures import to_png
from .._files import atomic_write
from ..recipe.problem import framed
from . import space as search_space
from .plots import validation_curves

# the values of a result saved as they are, in result.json (best_dev_error after best_trial)
SAVED = ("study_name", "storage", "stop_reason", "best_trial", "selection", "best_params",
         "best_layer_sizes", "network_dev_error")  # fmt: skip
STATES = {"COMPLETE": "done", "PRUNED": "pruned", "FAIL": "failed", "RUNNING": "running"}


def _hide_password(storage: str | None) -> str | None:
    if storage is None or "://" not in storage or "@" not in storage:
        return storage
    scheme, rest = storage.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    if ":" in credentials:
        credentials = credentials.split(":", 1)[0] + ":***"
    return f"{scheme}://{credentials}@{host}"


def _row(t, settings: dict) -> dict:
    attrs = t.user_attrs
    params = dict(attrs.get("params") or {})
    for name, value in settings["space"].items():  # a range not drawn yet (failed trial): None
        fixed = None if isinstance(value, tuple | list) else value
        params.setdefault(name, t.params.get(name, fixed))
    last = max(t.intermediate_values) if t.intermediate_values else None
    return {
        "number": t.number,
        "state": t.state.name,
        "dev_error": t.value if t.state.name == "COMPLETE" else None,
        # a pruned trial's dev error when it was stopped
        "last_dev_error": t.intermediate_values[last] if last is not None else None,
        "train_error": attrs.get("train_error"),
        "params": params,
        "epochs": attrs.get("epochs"),
        "seconds": attrs.get("seconds"),
        "seed": attrs.get("seed"),
        "worker": attrs.get("worker"),
    }


@dataclass
class TuneResult:
    study_name: str
    storage: str | None
    trials: list[dict]
    settings: dict
    stop_reason: str
    best_trial: int | None = None
    best_value: float | None = None
    best_params: dict | None = None
    best_seed: int | None = None
    network: object = field(default=None, repr=False)
    network_dev_error: float | None = None
    classes: list | None = None  # original labels of a table's target
    preprocessing: list[str] | None = None  # what each column of a table became
    class_errors: dict | None = None  # dev error per class and the balanced error
    selection: str = "lowest dev error"

    @classmethod
    def from_study(cls, study, settings: dict, storage: str | None, stop_reason: str):
        rows = sorted(
            (_row(t, settings) for t in study.get_trials(deepcopy=False)), key=lambda r: r["number"]
        )
        result = cls(study.study_name, _hide_password(storage), rows, settings, stop_reason)
        complete = [r for r in rows if r["state"] == "COMPLETE"]
        if complete:
            best = result._guarded(complete)
            result.best_trial, result.best_value = best["number"], best["dev_error"]
            result.best_params, result.best_seed = best["params"], best["seed"]
        return result

    def _guarded(self, complete: list[dict]) -> dict:
        """The noise guard of :func:`nnrecipe.improve`, as the one-standard-error rule: among
        the trials whose dev error is within one standard error of the lowest,
        SE = √(p(1 − p)/n_dev) with p the lowest error (at least 1/n_dev), the one with the
        fewest weights (then the lowest error). Among many trials, the lowest dev error of a
        small dev set is partly luck; the simplest network within the noise overfits less."""
        lowest = min(complete, key=lambda r: (r["dev_error"], r["number"]))
        n_dev = self.settings.get("n_dev")
        if not n_dev:
            return lowest
        p = max(lowest["dev_error"], 1.0 / n_dev)
        se = math.sqrt(p * (1 - p) / n_dev)
        within = [r for r in complete if r["dev_error"] <= lowest["dev_error"] + se]

        def weights(r) -> int:
            sizes = search_space.layer_sizes(
                r["params"], self.settings["n_features"], self.settings["n_out"]
            )
            return sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))

        pick = min(within, key=lambda r: (weights(r), r["dev_error"], r["number"]))
        self.selection = (
            f"one-standard-error rule: {len(within)} trial(s) within {se:.2%} (1 SE on "
            f"{n_dev} dev rows) of the lowest dev error {lowest['dev_error']:.2%}; the one "
            f"with the fewest weights, trial {pick['number']}"
        )
        return pick

    @property
    def why_chosen(self) -> str | None:
        """Why the chosen trial is not the one with the lowest dev error (None when it is):
        the selection rule, in words, as ``result.json``'s ``selection`` gives it."""
        complete = [r for r in self.trials if r["state"] == "COMPLETE"]
        if self.best_trial is None or not complete:
            return None
        lowest = min(complete, key=lambda r: (r["dev_error"], r["number"]))
        if lowest["number"] == self.best_trial:
            return None
        return (
            f"why trial {self.best_trial} and not trial {lowest['number']} (dev error "
            f"{lowest['dev_error']:.2%}, the lowest): the {self.selection}; within the dev "
            "set's noise the lowest value is partly luck, and the smaller network overfits less"
        )

    def count(self, state: str) -> int:
        """Trials in ``state``: COMPLETE, PRUNED, FAIL or RUNNING."""
        return sum(1 for r in self.trials if r["state"] == state)

    @property
    def best_layer_sizes(self) -> list[int] | None:
        if self.best_params is None:
            return None
        return search_space.layer_sizes(
            self.best_params, self.settings["n_features"], self.settings["n_out"]
        )

    def to_dict(self) -> dict:
        """Plain JSON-ready data (the network itself is left out)."""
        return {
            **{name: getattr(self, name) for name in SAVED[:4]},
            "best_dev_error": self.best_value,
            **{name: getattr(self, name) for name in SAVED[4:]},
            "counts": {s: self.count(s) for s in ("COMPLETE", "PRUNED", "FAIL", "RUNNING")},
            "settings": dict(self.settings),
            "trials": self.trials,
            **framed(self),
        }

    def table(self, limit: int | None = None):
        """A Rich table of the trials, best dev error first (``limit`` rows at most); a pruned
        trial shows the dev error it had when it was stopped."""
        from rich import box
        from rich.table import Table

        names = list(self.settings["space"])
        table = Table(
            title=f"study {self.study_name}: {self.count('COMPLETE')} complete, "
            f"{self.count('PRUNED')} pruned, {self.count('FAIL')} failed",
            box=box.SIMPLE_HEAD,
            pad_edge=False,
        )
        short = {"l2": "λ", "keep_prob": "keep", "learning_rate": "α"}
        cols = ["#", "state", "dev", "train", *(short.get(n, n) for n in names), "epochs"]
        for col in cols:
            table.add_column(col, justify="left" if col == "state" else "right", no_wrap=True)

        def key(r):
            value = r["dev_error"] if r["dev_error"] is not None else r["last_dev_error"]
            return (r["state"] != "COMPLETE", 2.0 if value is None else value, r["number"])

        for r in sorted(self.trials, key=key)[:limit]:
            dev = r["dev_error"] if r["dev_error"] is not None else r["last_dev_error"]
            state = STATES.get(r["state"], r["state"].lower())
            cells = [str(r["number"]), state, _pct(dev), _pct(r["train_error"])]
            cells += [_num(r["params"].get(n)) for n in names]
            cells.append(str(r["epochs"] or "-"))
            table.add_row(*cells, style="bold green" if r["number"] == self.best_trial else None)
        return table

    def plot(self, path=None):
        """Dev error against each searched hyperparameter (validation curves): a Matplotlib
        figure (no pyplot state), or with ``path`` written there as a PNG (its path)."""
        fig = validation_curves(self)
        if path is None:
            return _html.figure(fig)
        png = to_png(fig)
        return atomic_write(path, lambda f: f.write(png))

    def _repr_html_(self) -> str:
        """The CLI's trials table (best 10 first) and its last lines, as HTML."""
        rich = self.table(limit=10)
        rows = list(zip(*[c._cells for c in rich.columns], strict=True))
        lines = []
        if self.best_trial is not None:
            lines.append(f"chosen: trial {self.best_trial}, dev error {self.best_value:.2%}, "
                         f"layers {self.best_layer_sizes}: {self.best_params}")  # fmt: skip
        lines += [self.why_chosen] if self.why_chosen else []
        return _html.block(
            _html.table([str(c.header) for c in rich.columns], rows, title=str(rich.title)),
            _html.items(lines),
        )

    def __repr__(self) -> str:
        return (
            f"TuneResult(study={self.study_name!r}, best_trial={self.best_trial}, "
            f"best_dev_error={self.best_value}, best_params={self.best_params}, "
            f"trials={len(self.trials)}, stop_reason={self.stop_reason!r})"
        )


def _pct(value) -> str:
    return "-" if value is None else f"{value:.1%}"


def _num(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, int):
        return str(value)
    return f"{value:.1e}" if abs(value) < 1e-3 else f"{value:.2g}"
