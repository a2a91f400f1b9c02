"""The HTML report of ``nnrecipe tune``: the best configuration, the validation curves and the
table of trials (built on :mod:`.html`)."""

from __future__ import annotations

from pathlib import Path

from ..tune.plots import validation_curves
from .html import Report, _pct


def tune_report(result, directory, title: str = "nnrecipe tune", config_text: str = "") -> Path:
    """Write ``report.html`` and its PNGs for a TuneResult into ``directory``."""
    counts = {s: result.count(s) for s in ("COMPLETE", "PRUNED", "FAIL")}
    report = Report(
        title,
        f"study {result.study_name}: {counts['COMPLETE']} complete, "
        f"{counts['PRUNED']} pruned, {counts['FAIL']} failed trials",
    )
    if result.stop_reason == "interrupted":
        finished = counts["COMPLETE"] + counts["PRUNED"]
        kept = (
            "the best finished trial was retrained with its seed and saved"
            if result.network is not None
            else "no trial had completed, so no model was saved"
        )
        report.paragraph(
            f"Interrupted (Ctrl-C) after {finished} finished trials: {kept}.", "warning"
        )
    report.heading("Best configuration")
    if result.best_params is None:
        report.paragraph("no trial completed", "warning")
    else:
        rows = [
            ["dev error", _pct(result.best_value)],
            ["trial", result.best_trial],
            ["layers", result.best_layer_sizes],
        ]
        rows += [
            [k, f"{v:.4g}" if isinstance(v, float) else v] for k, v in result.best_params.items()
        ]
        report.table(["", "value"], rows)
        report.figure(
            "validation_curves",
            validation_curves(result),
            "Dev error against each searched hyperparameter (validation curves); "
            "open circles are pruned trials at the dev error they were stopped at, "
            "the star is the best trial.",
        )
    names = list(result.settings["space"])
    report.heading("Trials")
    report.table(
        ["trial", "state", "dev error", "train error", *names, "epochs", "seconds"],
        [
            [
                r["number"],
                r["state"].lower(),
                _pct(r["dev_error"] if r["dev_error"] is not None else r["last_dev_error"]),
                _pct(r["train_error"]),
                *(_num(r["params"].get(n)) for n in names),
                r["epochs"] or "–",
                "–" if r["seconds"] is None else f"{r['seconds']:.1f}",
            ]
            for r in result.trials
        ],
    )
    return report.write(directory)


def _num(value) -> str:
    if value is None:
        return "–"
    return str(value) if isinstance(value, int) else f"{value:.3g}"
