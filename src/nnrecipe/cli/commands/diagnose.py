"""``nnrecipe diagnose``: the bias/variance diagnosis and the recipe's next step, from two
error rates or from a saved model measured (in inference mode) on its data's train/dev split."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..._checks import shorten
from ...diagnosis import diagnose
from ...model import load
from .. import config
from . import common, output

# what diagnose replays of the run that made a model: its data, its split, its baseline
REPLAYED = ("dataset", "n", "noise", "target", "split", "seed", "metric", "baseline")


def run_of(model: Path) -> Path:
    """The run directory ``model`` belongs to: its folder, or the one above for the
    ``models/<setting>.npz`` of an ``nnrecipe compare`` run."""
    folder = model.parent
    if folder.name == "models" and not (folder / "config.toml").is_file():
        if (folder.parent / "config.toml").is_file():
            return folder.parent
    return folder


def _model_and_options(args) -> tuple[object, dict, Path]:
    """The saved network and the options of the run that made it (when its config is there):
    the data, split and baseline options of whichever command wrote it (train, improve, tune,
    compare); the rest of its options do not matter here."""
    path = Path(args.model)
    model = path / "model.npz" if path.is_dir() else path
    if path.is_dir() and not model.is_file():
        raise ValueError(
            f"{str(path)!r} is a directory without model.npz; give a run directory of "
            "`nnrecipe train`, `improve` or `tune`, or a model .npz file (a compare run's "
            "are in its models/)"
        )
    run_dir = run_of(model)
    net = load(model)
    options = config.defaults(config.TRAIN)
    if (run_dir / "config.toml").is_file():
        _, found = config.read_run(run_dir / "config.toml")
        options.update({k: v for k, v in found.items() if k in REPLAYED})
    elif args.data is None:
        raise ValueError(
            f"{str(model)!r} has no config.toml beside it; say which data to "
            "measure it on with --data NAME_OR_FILE"
        )
    given = {
        "dataset": args.data,
        "target": args.target,
        "split": args.split,
        "seed": getattr(args, "seed", None),
    }
    options.update({k: v for k, v in given.items() if v is not None})
    return net, options, model


def _baseline(args, options: dict, run: dict) -> tuple[float, str | None]:
    """(the baseline error, where it came from, for the table; None for the user's number):
    ``--baseline``, else the run's number; a run's ``auto`` (improve) is the estimate its
    result.json holds, when that is an error rate like the ones measured here."""
    if args.baseline is not None:
        return args.baseline, None
    if options["baseline"] != "auto":
        return options["baseline"], None
    value, metric = run.get("baseline_error"), run.get("metric")
    if metric == "error" and isinstance(value, int | float) and 0 <= value <= 1:
        how = str(run.get("baseline_source") or "")[:200]
        return float(value), "the run's automatic estimate" + (f" ({how})" if how else "")
    return 0.0, (
        f"0: the run estimated its baseline automatically, and result.json holds no error "
        f"rate to reuse (metric {shorten(metric)}); set --baseline"
    )


def run(args) -> int:
    rates = (args.train_error, args.dev_error)
    if args.model is None:
        if None in rates:
            raise ValueError(
                "give both --train-error and --dev-error (e.g. --train-error 0.01 "
                "--dev-error 0.15), or --model PATH for a saved model"
            )
        baseline = 0.0 if args.baseline is None else args.baseline
        report = diagnose(args.train_error, args.dev_error, baseline_error=baseline)
        source = {"source": "error rates"}
    else:
        if rates != (None, None):
            raise ValueError("give either --train-error/--dev-error or --model, not both")
        net, options, model = _model_and_options(args)
        data = common.load_data(options)
        parts = common.split(data, options, preprocessor=getattr(net, "preprocessor", None))
        if data.table and net.classes is not None:  # the model maps labels by its own classes
            names = np.asarray(data.classes, dtype=object)
            parts = [(X, names[y]) for X, y in parts]
        if not net.loss.classification:
            raise ValueError(
                f"{str(model)!r} is a regression model; the bias/variance diagnosis "
                "needs classification error rates"
            )
        run = _run_result(run_of(model))
        baseline, where = _baseline(args, options, run)
        report = net.diagnose(parts[0], parts[1], baseline_error=baseline)
        report.baseline_source = where or report.baseline_source
        source = {
            "source": "model",
            "model": str(model),
            "dataset": data.name,
            "n_train": len(parts[0][0]),
            "n_dev": len(parts[1][0]),
        }
        if data.classification and net.predict(parts[1][0][:1]).ndim == 1:
            from ...data.labels import class_errors, label_indices

            X_dev, y_dev = parts[1]
            names = net.classes if net.classes is not None else data.classes
            truth = y_dev if net.classes is None else label_indices(names, y_dev)
            guess = net.predict(X_dev)
            guess = guess if net.classes is None else label_indices(names, guess)
            source["class_errors"] = class_errors(truth, guess, names)
        if run.get("refit"):  # never a score on rows the model fitted without saying so
            report.notes.append(
                "this model was refit on train+dev (its run's result.json says so): on its "
                "run's data the dev rows here are rows it trained on, and these values are "
                "optimistic; the run's own dev values (and per-class errors) are in its "
                "result.json"
            )
    if args.json:
        output.print_json({**source, **report.to_dict()})
    else:
        output.console().print(report)
        if source.get("class_errors"):
            output.console().print(output.class_error_line(source["class_errors"], "dev"))
    return 0


def _run_result(run_dir: Path) -> dict:
    """The run's ``result.json`` (whether improve refit its model on train+dev, the baseline
    it estimated), or ``{}``."""
    found = run_dir / "result.json"
    try:
        run = json.loads(found.read_text()) if found.is_file() else {}
    except (ValueError, OSError):
        return {}
    return run if isinstance(run, dict) else {}
