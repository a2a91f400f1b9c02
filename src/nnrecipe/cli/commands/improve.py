"""``nnrecipe improve``: the basic recipe on a dataset, step by step; saves the chosen model,
every step (result.json) and a report of the trail into the run directory."""

from __future__ import annotations

import time

import numpy as np

from ...diagnosis import show
from ...recipe.improve import improve
from ...report.recipe import improve_report
from .. import config
from . import common, output
from .rundir import RunDirectory

REPORT_SECONDS = 2.0  # what drawing the report takes (Matplotlib, four plots), about


def run(args) -> int:
    started = time.perf_counter()  # --minutes counts from here: loading and the report too
    options = config.resolve(config.IMPROVE, vars(args), args.config)
    data = common.load_data(options)  # class labels, or real values: a regression (mse, mae)
    with RunDirectory(options["out"], "improve", force=getattr(args, "force", False)) as run_dir:
        return _improve(args, options, data, run_dir, started)


def _clock(options, started) -> tuple[float | None, float | None]:
    """(the minutes left for the recipe, the end of the user's budget): with --minutes, the
    recipe gets what loading left, less the report's time (a quarter of the budget at most)."""
    if options["minutes"] is None:
        return None, None
    budget = 60 * options["minutes"]
    reserve = min(REPORT_SECONDS, 0.25 * budget) if options["report"] else 0.0
    left = budget - reserve - (time.perf_counter() - started)
    return max(left, 0.01 * budget) / 60, started + budget


def _improve(args, options, data, run_dir, started) -> int:
    batch = len(data.X) if options["batch_size"] == "full" else options["batch_size"]
    cv = options["cv"]
    if cv != "auto":
        if not str(cv).strip().isdigit() or int(cv) < 1:
            raise ValueError(f"--cv expects auto or a number of folds >= 1, got {cv!r}")
        cv = int(cv)
    out = run_dir.path
    config_text = output.write_config(out, config.IMPROVE, options, shown=run_dir.final)
    minutes, end = _clock(options, started)
    with output.captured_warnings() as warned:
        y = data.target if data.table else data.y
        if data.classification and not data.table and _quantity(options["metric"], data):
            y = np.asarray(data.classes)[data.y]  # whole numbers as a regression: the values
        result = improve(
            data.X,
            y,
            baseline_error=options["baseline"],
            network=options["layers"],
            budget=options["budget"],
            minutes=minutes,
            seed=options["seed"],
            epochs=options["epochs"],
            learning_rate=options["learning_rate"],
            batch_size=batch,
            optimizer=options["optimizer"],
            images=options["images"] or data.image_shape,
            metric=options["metric"],
            refit=options["refit"],
            cv=cv,
            learning_curve=options["learning_curve"],
            progress=output.show_progress(options),
            dtype=options["dtype"],
            n_jobs=options["jobs"],
            ensemble=options["ensemble"],
            ensemble_size=options["ensemble_size"],
        )
    model = out / "model.npz"
    result.network.save(model)
    report, skipped = None, []
    if options["report"] and end is not None and end - time.perf_counter() < REPORT_SECONDS / 2:
        result.notes.append("no report: the --minutes budget left no time to draw it")
    elif options["report"]:
        try:
            with output.interruptible("the report (report.html and its plots)", skipped):
                report = improve_report(
                    result, out, f"nnrecipe improve: {data.name}", config_text=config_text
                )
        except ModuleNotFoundError as exc:  # matplotlib missing: keep the run, skip the report
            output.note(f"note: report skipped: {exc}")
    code = output.save_result(
        "improve", data.name, result, out, options, warned, model, report, args.json, run_dir
    )
    if skipped:
        return output.say_skipped(skipped, run_dir.final)
    if args.json:
        return code
    for message in warned:
        output.note(f"warning: {message}")
    for line in (result.preprocessing or [])[common.target_lines(data) :]:
        output.note(line)
    console = output.console()
    console.print(result.table())
    console.print(
        f"chosen network: layers {result.network.layer_sizes}, {result.config.describe()}\n"
        f"train {_show(result.train_error, result.metric)}, "
        f"dev {_show(result.dev_error, result.metric)}, "
        f"test {_show(result.test_error, result.metric)} (the test set: once, at the end; "
        f"metric {result.metric}{', refit on train+dev' if result.refit else ''})"
    )
    if result.class_errors is not None:
        console.print(output.class_error_line(result.class_errors, "dev"))
    console.print(f"baseline: {result.baseline_source}")
    for note in result.notes:
        console.print(f"note: {note}")
    if result.stop_reason != "good_fit":
        console.print("next: " + result.advice[0])
    saved = f"model, steps and config saved in {run_dir.final}/"
    console.print(saved + (f"; report: {run_dir.public(report)}" if report else ""))
    return code


def _show(value, metric: str) -> str:
    """A percentage (classification), or a plain number for mse/mae (z-units)."""
    return output.percent(value) if metric not in ("mse", "mae") else show(value, metric)


def _quantity(metric: str, data) -> bool:
    """Whether improve learns an array's whole-number labels as a regression of their
    values: when asked (mse, mae), or by default when there are over 100 of them."""
    numbers = all(isinstance(c, int | float) and not isinstance(c, bool) for c in data.classes)
    return numbers and (metric in ("mse", "mae") or (metric == "auto" and len(data.classes) > 100))
