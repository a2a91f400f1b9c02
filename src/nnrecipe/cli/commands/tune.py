"""``nnrecipe tune``: hyperparameter search on the dev set with Optuna, in worker processes
that share one study storage; prints the best configuration and the trials, saves the best
model (retrained with its trial's seed), result.json and a report with the validation curves."""

from __future__ import annotations

from pathlib import Path

from ...report.tune import tune_report
from ...tune.study import stored_source, tune
from .. import config
from . import common, output
from .rundir import STUDY, RunDirectory

RANGES = ("l2", "keep_prob", "learning_rate", "width", "depth")
SOURCE = ("dataset", "n", "noise", "target", "seed")  # what loads the data, kept in the study
SHOWN_TRIALS = 15


def run(args) -> int:
    options = config.resolve(config.TUNE, vars(args), args.config)
    if options["resume"] and options["storage"] is None:
        raise ValueError(
            "--resume needs --storage: the database URL or journal file of the study to "
            "continue, e.g. --storage runs/<time>/study.journal"
        )
    if options["resume"]:
        options = _with_stored_source(options, args)
    data = common.load_data(options)
    if not data.classification:
        raise ValueError(
            f"nnrecipe tune minimizes the dev error rate, so it needs class labels; dataset "
            f"{data.name!r} has real-valued targets"
        )
    with RunDirectory(options["out"], "tune", force=getattr(args, "force", False)) as run_dir:
        return _tune(args, options, data, run_dir)


def _tune(args, options, data, run_dir) -> int:
    out = run_dir.path
    storage = options["storage"] or str(out / STUDY)
    if options["storage"] is not None:  # a study resumed inside this run directory stays
        run_dir.keep(options["storage"].removeprefix("sqlite:///"))
    config_text = output.write_config(
        out, config.TUNE, {**options, "storage": run_dir.public(storage)}, shown=run_dir.final
    )
    given = {k: v for k, v in vars(args).items() if k.endswith("_range")}
    space = {name: _range(options[f"{name}_range"]) for name in RANGES}
    batch = len(data.X) if options["batch_size"] == "full" else options["batch_size"]
    if options["resume"]:  # the study's stored settings win unless given on the line
        space = {n: v for n, v in space.items() if f"{n}_range" in given} or None
    with output.captured_warnings() as warned:
        result = tune(
            data.X,
            data.target if data.table else data.y,
            space=space,
            trials=options["trials"],
            timeout=options["timeout"],
            workers=options["workers"],
            storage=storage,
            study_name=options["study_name"],
            resume=options["resume"],
            **_training(options, args, batch),
            heartbeat=options["heartbeat"],
            seed=options["seed"],
            progress=output.show_progress(options),
            source=_source(options),
        )
    result.storage = run_dir.public(result.storage)
    model = None
    if result.network is not None:
        model = out / "model.npz"
        result.network.save(model)
    report, skipped = None, []
    if options["report"]:  # a Ctrl-C while it draws keeps the model (exit 130)
        title = f"nnrecipe tune: {data.name}"
        report = output.draw_report(lambda: tune_report(result, out, title, config_text), skipped)
    code = output.save_result(
        "tune", data.name, result, out, options, warned, model, report, args.json, run_dir
    )
    if skipped:
        return output.say_skipped(skipped, run_dir.final)
    if args.json:
        return code
    if data.table:
        for line in result.preprocessing[common.target_lines(data) :]:
            output.note(line)
    _print(result, run_dir.final, run_dir.public(report), warned)
    return code


def _source(options: dict) -> dict:
    """The options that load the data, stored in the study (a file by its absolute path)."""
    source = {k: options.get(k) for k in SOURCE}
    if Path(str(source["dataset"])).exists():
        source["dataset"] = str(Path(source["dataset"]).resolve())
    return source


def _with_stored_source(options: dict, args) -> dict:
    """On ``--resume``, the study's own data options unless given on the line or in --config."""
    source = stored_source(options["storage"], options["study_name"])
    if not source:
        return options
    given = set(vars(args))
    if getattr(args, "config", None):
        given |= set(config.read_toml(args.config, config.TUNE))
    return {**options, **{k: v for k, v in source.items() if k in SOURCE and k not in given}}


def _range(value):
    return tuple(value) if isinstance(value, list) else value


def _training(options: dict, args, batch) -> dict:
    """Training settings of each trial; when resuming only those given on the line (the
    study keeps its own otherwise, and a different one is an error)."""
    values = {
        "epochs": options["epochs"],
        "batch_size": batch,
        "optimizer": options["optimizer"],
        "patience": options["early_stopping"],
        "prune": options["prune"],
    }
    if not options["resume"]:
        return values
    flags = {"patience": "early_stopping"}
    return {k: (v if flags.get(k, k) in vars(args) else None) for k, v in values.items()}


def _print(result, out: Path, report, warned) -> None:
    for message in warned:
        output.note(f"warning: {message}")
    console = output.console()
    console.print(result.table(limit=SHOWN_TRIALS))
    if len(result.trials) > SHOWN_TRIALS:
        console.print(f"(best {SHOWN_TRIALS} of {len(result.trials)} trials; all in result.json)")
    if result.best_params is None:
        console.print("no trial completed yet")
    else:
        params = ", ".join(
            f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
            for k, v in result.best_params.items()
        )
        console.print(
            f"chosen: trial {result.best_trial}, dev error {output.percent(result.best_value)}, "
            f"layers {result.best_layer_sizes}: {params}"
        )
        if result.why_chosen:
            console.print(result.why_chosen)
    if result.class_errors is not None:
        console.print(output.class_error_line(result.class_errors, "dev"))
    console.print(
        f"study {result.study_name!r} in {result.storage}: add trials or join from another "
        f"machine with --storage {result.storage} --study-name {result.study_name} --resume"
    )
    if result.stop_reason == "interrupted":
        finished = result.count("COMPLETE") + result.count("PRUNED")
        kept = (
            f"the best finished trial ({result.best_trial}) was retrained with its seed and "
            "saved as model.npz"
            if result.network is not None
            else "no trial had completed, so no model was saved"
        )
        console.print(f"interrupted (Ctrl-C) after {finished} finished trials: {kept}")
    saved = "model, trials and config" if result.network is not None else "trials and config"
    console.print(f"{saved} saved in {out}/" + (f"; report: {report}" if report else ""))
