"""``nnrecipe compare``: the same network on the same split under several settings, one table.

With no arguments, the classic experiment: 600 noisy two-moons points split 200/200/200 (a
small training set to overfit), a [2, 20, 3, 1] network trained 2,000 full-batch Adam epochs
without regularization, with L2 (λ = 0.7) and with dropout (keep_prob = 0.86). ``--init``
compares zeros / random×10 / He on circles instead.
"""

from __future__ import annotations

from ...recipe import experiments
from ...report.html import compare_report
from ...train.progress import ProgressBar
from .. import config
from . import common, output
from .rundir import RunDirectory

CLASSIC = {
    "dataset": "moons",
    "n": 600,
    "noise": 0.3,
    "split": [200, 200, 200],
    "layers": [20, 3],
    "batch_size": "full",
    "epochs": 2000,
    "l2": 0.7,
    "keep_prob": 0.86,
    "settings": ["none", "l2", "dropout"],
}
INIT = {
    "dataset": "circles",
    "n": 600,
    "noise": 0.05,
    "split": [200, 200, 200],
    "layers": [10, 5],
    "batch_size": "full",
    "epochs": 1000,
}


def preset(explicit: dict) -> dict:
    """Defaults that fit what the user asked for: the classic data when no dataset is named."""
    if explicit.get("inits"):
        return INIT if "dataset" not in explicit else {}
    return CLASSIC if "dataset" not in explicit else {}


def _settings(options: dict, data: common.Data):
    if options["inits"]:
        return experiments.init_settings([common.init_value(i) for i in options["inits"]]), "init"
    names = options["settings"] or (
        list(experiments.REGULARIZATION[:-1]) + (["augment"] if data.image_shape else [])
    )
    augment = None
    if "augment" in names:
        augment = common.augmentation({"augment": options["augment"] or ["shift", "rotate"]}, data)
    settings = experiments.regularization_settings(
        names,
        l2=options["l2"],
        l1=options["l1"],
        keep_prob=options["keep_prob"],
        patience=options["patience"],
        augment=augment,
    )
    return settings, "regularization"


def run(args) -> int:
    options = config.resolve(config.COMPARE, vars(args), args.config, preset)
    data = common.load_data(options)
    parts = common.split(data, options)
    settings, mode = _settings(options, data)
    sizes = common.layer_sizes(options, data)
    # the shared network: no regularization unless a setting adds it
    shared = {**common.network_kwargs(options, data), "l2": 0.0, "l1": 0.0, "keep_prob": 1.0}
    fit = common.fit_kwargs({**options, "augment": [], "early_stopping": 0}, data, len(parts[0][0]))
    with RunDirectory(options["out"], "compare", force=getattr(args, "force", False)) as run_dir:
        return _compare(args, options, data, parts, settings, mode, sizes, shared, fit, run_dir)


def _compare(args, options, data, parts, settings, mode, sizes, shared, fit, run_dir) -> int:
    out = run_dir.path
    config_text = output.write_config(out, config.COMPARE, options, shown=run_dir.final)

    progress = None
    if output.show_progress(options):

        def progress(setting):
            return [ProgressBar(options["epochs"], setting.label)]

    with output.captured_warnings() as warned:
        comparison = experiments.compare(
            settings,
            parts,
            sizes,
            network=shared,
            fit=fit,
            seed=options["seed"],
            baseline_error=common.baseline(options),
            zero_tol=options["zero_tol"],
            callbacks=progress,
        )
    interrupted = any(r.history.stop_reason == "interrupted" for r in comparison.results)
    # each setting's own warnings (init='zeros' breaks no symmetry, ...): terminal and report
    warned = list(
        dict.fromkeys(
            [*warned, *(f"{r.label}: {w}" for r in comparison.results for w in r.warnings)]
        )
    )
    for r in comparison.results:
        (out / "models").mkdir(exist_ok=True)
        r.network.save(out / "models" / f"{r.name}.npz")
    headers, rows = table_rows(comparison)
    result = {
        "command": "compare",
        "mode": mode,
        "dataset": data.name,
        "layers": sizes,
        "n_train": len(parts[0][0]),
        "n_dev": len(parts[1][0]),
        "n_test": len(parts[2][0]),
        **comparison.to_dict(),
        "warnings": warned,
        "out": str(run_dir.final),
        "config": options,
    }
    report_path, skipped = None, []
    if options["report"]:  # a Ctrl-C while it draws keeps the models (exit 130)
        report_path = output.draw_report(
            lambda: _report(
                out, data, comparison, headers, rows, parts[0], config_text, warned, result
            ),
            skipped,
        )
    result["report"] = None if report_path is None else str(run_dir.public(report_path))
    output.write_json(
        out / "result.json",
        {
            **result,
            "histories": {r.name: r.history.to_dict() for r in comparison.results},
        },
    )
    output.commit_run(run_dir)
    if skipped:
        return output.say_skipped(skipped, run_dir.final)
    if args.json:
        output.print_json(result)
    else:
        _print(result, headers, rows, comparison)
    return 130 if interrupted else 0


def table_rows(comparison) -> tuple[list[str], list[list[str]]]:
    """The comparison table: one row per setting."""
    headers = ["setting", "train", "dev", "test", "gap", "‖W‖", "zeros", "epochs", "time"]
    rows = []
    for r in comparison.results:
        epochs = str(len(r.history))
        if r.history.stop_reason != "completed":
            epochs += f" ({r.history.stop_reason.replace('_', ' ')})"
        rows.append(
            [
                r.label,
                output.percent(r.train_error),
                output.percent(r.dev_error),
                output.percent(r.test_error),
                f"{r.gap:+.2%}",
                f"{r.weight_norm:.3g}",
                f"{r.zero_fraction:.1%}",
                epochs,
                f"{r.time:.1f}s",
            ]
        )
    return headers, rows


def caption(comparison) -> str:
    return (
        f"errors in inference mode; gap = test − train error; ‖W‖ = sqrt(Σ‖W[l]‖²); "
        f"zeros = weights with |w| < {comparison.zero_tol:g}"
    )


def _report(out, data, comparison, headers, rows, train, config_text, warned, result):
    title = f"nnrecipe compare: {data.name}, layers {result['layers']}"
    return compare_report(
        out,
        title,
        comparison,
        headers,
        rows,
        caption(comparison),
        train if data.two_d else None,
        config_text,
        warned,
    )


def _print(result, headers, rows, comparison) -> None:
    from rich.table import Table

    for message in result["warnings"]:
        output.note(f"warning: {message}")
    console = output.console()
    console.print(
        f"[bold]nnrecipe compare[/]: {result['dataset']}, layers {result['layers']}, "
        f"{result['n_train']}/{result['n_dev']}/{result['n_test']} train/dev/test examples"
    )
    table = Table()
    table.caption = caption(comparison)
    for h in headers:
        table.add_column(h, justify="left" if h == "setting" else "right", no_wrap=h == "setting")
    for row in rows:
        table.add_row(*row)
    console.print(table)
    diagnosed = [r for r in comparison.results if r.diagnosis is not None]
    if diagnosed:
        baseline = diagnosed[0].diagnosis.baseline_error
        console.print(
            f"next step per setting (diagnosis against a baseline error of "
            f"{baseline:.2%}; set --baseline for noisy data):"
        )
        for r in diagnosed:
            console.print(f"  {r.label}: {r.diagnosis.next_steps[0]}")
    if result["report"]:
        console.print(f"report: {result['report']}")
