"""``nnrecipe train``: train one network, print train/dev/test error and the diagnosis, save the
model, the resolved configuration, the history and a report into the run directory."""

from __future__ import annotations

import time

from ...model import Network
from ...report.html import train_report
from ...train.progress import ProgressBar
from .. import config
from . import common, output
from .rundir import RunDirectory

EXIT_INTERRUPTED = 130


def run(args) -> int:
    options = config.resolve(config.TRAIN, vars(args), args.config)
    data = common.load_data(options)
    parts = common.split(data, options)
    train, dev, test = parts
    sizes = common.layer_sizes(options, data)
    net = Network(
        sizes,
        init=common.init_value(options["init"]),
        seed=options["seed"],
        **common.network_kwargs(options, data),
    )
    fit_kwargs = common.fit_kwargs(options, data, len(train[0]))
    with RunDirectory(options["out"], "train", force=getattr(args, "force", False)) as run_dir:
        return _train(args, options, data, parts, sizes, net, fit_kwargs, run_dir)


def _train(args, options, data, parts, sizes, net, fit_kwargs, run_dir) -> int:
    train, dev, test = parts
    out = run_dir.path
    config_text = output.write_config(out, config.TRAIN, options, shown=run_dir.final)

    callbacks = []
    if output.show_progress(options):
        callbacks.append(ProgressBar(options["epochs"], data.name))
    start = time.perf_counter()
    with output.captured_warnings() as warned:
        try:
            history = net.fit(
                *train, dev=dev, seed=options["seed"], callbacks=callbacks, **fit_kwargs
            )
        finally:
            for bar in callbacks:
                bar.close()
    elapsed = time.perf_counter() - start
    warned = [w for w in warned if w != history.message]

    metrics = {
        name: net.evaluate(*part)
        for name, part in zip(("train", "dev", "test"), parts, strict=True)
    }
    diagnosis = class_errors = None
    if net.loss.classification:
        diagnosis = net.diagnose(
            train, dev, baseline_error=common.baseline(options), history=history
        )
    if data.classification and net.loss.classification:
        from ...data.labels import class_errors as per_class

        class_errors = per_class(dev[1], net.predict(dev[0]), data.classes)
    if data.table:  # the model takes raw tables and predicts the original labels
        net.encoding = data.encoding
    model_path = out / "model.npz"
    net.save(model_path)
    result = {
        "command": "train",
        "dataset": data.name,
        "layers": sizes,
        "n_train": len(train[0]),
        "n_dev": len(dev[0]),
        "n_test": len(test[0]),
        "split_rule": getattr(parts, "rule", None),
        "epochs": len(history),
        # counted from 1, as the terminal and the report say it (History.best_epoch is the
        # 0-based index of Python)
        "best_epoch": None if history.best_epoch is None else history.best_epoch + 1,
        "stop_reason": history.stop_reason,
        "message": history.message,
        "time": elapsed,
        "task": "classification" if data.classification else "regression",
        **{f"{name}_error": m["error"] for name, m in metrics.items()},
        **{f"{name}_loss": m["loss"] for name, m in metrics.items()},
        "diagnosis": None if diagnosis is None else diagnosis.to_dict(),
        "classes": data.classes,
        "class_errors": class_errors,
        "preprocessing": data.preprocessor.summary() if data.table else None,
        "target_scaling": data.target_scaling,
        "warnings": warned,
        "out": str(run_dir.final),
        "model": str(run_dir.final / "model.npz"),
        "config": options,
    }
    report_path, skipped = None, []
    if options["report"]:
        report_path = output.draw_report(
            lambda: _report(out, data, net, history, result, diagnosis, config_text, warned, train),
            skipped,
        )
    result["report"] = None if report_path is None else str(run_dir.public(report_path))
    output.write_json(out / "result.json", {**result, "history": history.to_dict()})
    output.commit_run(run_dir)
    if skipped:
        return output.say_skipped(skipped, run_dir.final)

    if args.json:
        output.print_json(result)
    else:
        _print(result, history, diagnosis, warned)
    return EXIT_INTERRUPTED if history.stop_reason == "interrupted" else 0


def _report(out, data, net, history, result, diagnosis, config_text, warned, train):
    boundary = train if data.two_d and data.classification else None
    title = f"nnrecipe train: {data.name}, layers {result['layers']}"
    return train_report(out, title, net, history, result, diagnosis, boundary, config_text, warned)


def _error_text(result: dict, part: str) -> str:
    """Classification error as a percentage; regression error (mean squared error) as a number."""
    value = result[f"{part}_error"]
    return output.percent(value) if result["task"] == "classification" else f"{value:.4g}"


def _print(result: dict, history, diagnosis, warned) -> None:
    from rich.table import Table

    for message in [history.message, *warned]:
        if message:
            output.note(f"warning: {message}")
    console = output.console()
    console.print(f"[bold]nnrecipe train[/]: {result['dataset']}, layers {result['layers']}")
    table = Table()
    metric = "error" if result["task"] == "classification" else "MSE"
    for column in ("set", "examples", metric, "loss"):
        table.add_column(column, justify="left" if column == "set" else "right")
    for name in ("train", "dev", "test"):
        table.add_row(
            name,
            str(result[f"n_{name}"]),
            _error_text(result, name),
            f"{result[f'{name}_loss']:.4g}",
        )
    console.print(table)
    best = "" if result["best_epoch"] is None else f", best epoch {result['best_epoch']}"
    console.print(
        f"{result['epochs']} epochs in {result['time']:.1f} s "
        f"({result['stop_reason'].replace('_', ' ')}{best})"
    )
    if diagnosis is not None:
        console.print(diagnosis)
    if result["class_errors"] is not None:
        console.print(output.class_error_line(result["class_errors"], "dev"))
    saved = f"model, config and result saved in {result['out']}/"
    if result["report"]:
        saved += f"; report: {result['report']}"
    console.print(saved)
