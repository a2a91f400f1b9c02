"""``nnrecipe improve``: the basic recipe on a dataset, step by step; saves the chosen model,
every step (result.json) and a report of the trail into the run directory."""

from __future__ import annotations

import time

from ...recipe.improve import improve
from ...report.recipe import improve_report
from .. import config
from . import common, output
from .rundir import RunDirectory

REPORT_SECONDS = 2.0  # what drawing the report takes (Matplotlib, four plots), about


def run(args) -> int:
    started = time.perf_counter()  # --minutes counts from here: loading and the report too
    options = config.resolve(config.IMPROVE, vars(args), args.config)
    # class labels, or a quantity (real values; whole numbers by the task rule, --metric mse)
    data = common.load_data(options)
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
        result = improve(
            data.X,
            data.target if data.table else data.y,
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
        title = f"nnrecipe improve: {data.name}"
        report = output.draw_report(
            lambda: improve_report(result, out, title, config_text=config_text), skipped
        )
    code = output.save_result(
        "improve", data.name, result, out, options, warned, model, report, args.json, run_dir
    )
    if skipped:
        return output.say_skipped(skipped, run_dir.final)
    if not args.json:
        _print(result, data, warned, run_dir.final, report and run_dir.public(report))
    return code


def _print(result, data, warned, out, report) -> None:
    """The library's notes (what load_table printed already left out), then the trail,
    the chosen network, the baseline, the notes and the next step."""
    for message in warned:
        output.note(f"warning: {message}")
    for line in (result.preprocessing or [])[common.target_lines(data) :]:
        output.note(line)
    console = output.console()
    console.print(result.table(compact=console.width < 120))
    for line in result.summary():  # the per-class errors after the chosen run's line
        console.print(line)
        if line.startswith("chosen run:") and result.class_errors is not None:
            console.print(output.class_error_line(result.class_errors, "dev"))
    saved = f"model, steps and config saved in {out}/"
    console.print(saved + (f"; report: {report}" if report else ""))
