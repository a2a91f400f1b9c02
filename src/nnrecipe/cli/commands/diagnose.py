"""``nnrecipe diagnose``: the bias/variance diagnosis and the recipe's next step, from two
error rates or from a saved model measured (in inference mode) on its data's train/dev split."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ...diagnosis import diagnose
from ...model import load
from .. import config
from . import common, output


def _model_and_options(args) -> tuple[object, dict, Path]:
    """The saved network and the options of the run that made it (when its config is there)."""
    path = Path(args.model)
    run_dir = path if path.is_dir() else path.parent
    model = path / "model.npz" if path.is_dir() else path
    if path.is_dir() and not model.is_file():
        raise ValueError(
            f"{str(path)!r} is a directory without model.npz; give a run directory "
            "of `nnrecipe train` or a model .npz file"
        )
    net = load(model)
    options = config.defaults(config.TRAIN)
    if (run_dir / "config.toml").is_file():
        options.update(config.read_toml(run_dir / "config.toml", config.TRAIN))
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
        baseline = options["baseline"] if args.baseline is None else args.baseline
        report = net.diagnose(parts[0], parts[1], baseline_error=baseline)
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
        if _refit(model):  # never a score on rows the model fitted without saying so
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


def _refit(model: Path) -> bool:
    """Whether the run beside ``model`` refit it on train+dev (``nnrecipe improve``)."""
    found = model.parent / "result.json"
    try:
        return bool(json.loads(found.read_text()).get("refit")) if found.is_file() else False
    except (ValueError, OSError):
        return False
