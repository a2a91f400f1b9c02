"""The ``nnrecipe`` command line: subcommands, flags and their help.

The flags of train, compare, improve and tune are generated from the option tables of
:mod:`nnrecipe.cli.options` (one row per option: flag, type, default, help), grouped for
``--help``; diagnose, datasets, predict and gradcheck have their own few flags. Building the
parser imports argparse and the option tables only, so ``--help`` stays fast.
"""

from __future__ import annotations

import argparse

from .._version import __version__
from . import options, options_course

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad flag as one line (not a usage block) and exits 2."""

    def error(self, message: str):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog):
        super().__init__(prog, max_help_position=30)


def _common(parser: argparse.ArgumentParser, seed_help: str | None, run: bool = False) -> None:
    """--seed (unless ``seed_help`` is None), --json and --debug; --force for the commands
    that write a run directory (``run``)."""
    group = parser.add_argument_group("common")
    if seed_help is not None:
        group.add_argument(
            "--seed", type=options.flag_type("seed"), default=argparse.SUPPRESS, help=seed_help
        )
    group.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    if run:
        group.add_argument(
            "--force",
            action="store_true",
            help="write the run into an --out directory that holds files nnrecipe did not "
            "write there, replacing those with the run's names",
        )
    options.add_debug(group)


GROUPS = {
    "data": ("dataset", "n", "noise", "target", "split"),
    "network": (
        "layers",
        "hidden",
        "output",
        "init",
        "l2",
        "l1",
        "keep_prob",
        "float32",
        "standardize",
    ),
    "training": (
        "optimizer",
        "learning_rate",
        "batch_size",
        "epochs",
        "decay_rate",
        "early_stopping",
        "augment",
        "monitor_gradients",
    ),
    "comparison": ("settings", "inits", "patience", "zero_tol"),
    **options.options_recipe.GROUPS,
    "output": ("baseline", "out", "report", "progress"),
}


METAVARS = {
    "int": "N",
    "opt_int": "N",
    "float": "X",
    "opt_float": "X",
    "str": "NAME",
    "opt_str": "NAME",
    "opt_path": "DIR",
    "ints": "N,N,...",
    "floats": "P[,P...]",
    "strs": "NAME[,NAME...]",
    "batch": "N|full",
    "split": "auto|A,B,C",
    "init": "NAME",
    "range": "LOW:HIGH",
    "opt_url": "URL|FILE",
    "baseline": "X|auto",
}


def _default_text(option: options.Option, preset: dict) -> str:
    value = preset.get(option.key, option.default)
    if value is None or value == []:
        return ""
    if isinstance(value, bool):
        value = option.flag if value else "--no-" + option.flag[2:]
    elif isinstance(value, list):
        value = (":" if option.kind == "range" else ",").join(
            f"{v:g}" if isinstance(v, float) else str(v) for v in value
        )
    return f" (default {value})"


def _add_options(parser, command: str) -> None:
    """Flags generated from :data:`nnrecipe.cli.options.OPTIONS`; unset flags stay out of ``args``
    so a TOML config can fill them."""
    preset = options.COMMAND_DEFAULTS.get(command, {})
    parser.add_argument(
        "--config",
        metavar="FILE.toml",
        default=None,
        help="read options from a TOML file (flags on the line override it)",
    )
    for title, keys in GROUPS.items():
        chosen = [options.BY_KEY[k] for k in keys if command in options.BY_KEY[k].commands]
        if not chosen:
            continue
        group = parser.add_argument_group(title)
        for opt in chosen:
            help_text = opt.help + _default_text(opt, preset)
            if opt.key == "inits":  # the issue's `compare --init`: compare initializations
                group.add_argument(
                    "--init",
                    dest="inits",
                    nargs="?",
                    const="zeros,random:10,he",
                    type=options.flag_type("inits"),
                    default=argparse.SUPPRESS,
                    metavar="LIST",
                    help=opt.help + " (alone: zeros,random:10,he)",
                )
            elif opt.kind in ("bool", "opt_bool"):
                group.add_argument(
                    opt.flag,
                    dest=opt.key,
                    action=argparse.BooleanOptionalAction,
                    default=argparse.SUPPRESS,
                    help=help_text,
                )
            else:
                group.add_argument(
                    opt.flag,
                    dest=opt.key,
                    type=options.flag_type(opt.key),
                    default=argparse.SUPPRESS,
                    metavar=METAVARS[opt.kind],
                    help=help_text,
                )


TRAIN_HELP = """\
Train a network and report train/dev/test error, the bias/variance diagnosis and the next knob.
Saves model.npz, config.toml, result.json and report.html (with its PNGs) into --out.

examples:
  nnrecipe train --dataset moons --layers 20,3 --l2 0.7
  nnrecipe train --dataset digits --layers 64 --keep-prob 0.8 --early-stopping 10
  nnrecipe train --config exp.toml --epochs 50      # flags override the file
"""

COMPARE_HELP = """\
Train the same network on the same split with several settings and print one table.
With no arguments: the classic experiment on the built-in 2-D data, a [2, 20, 3, 1] network
without regularization vs L2 (λ = 0.7) vs dropout (keep_prob = 0.86). Without --dataset the
defaults are those of the classic experiments: moons with --n 600 --noise 0.3 --split
200,200,200 --batch-size full --epochs 2000 (with --init: circles, --noise 0.05, --layers 10,5,
--epochs 1000). --l2, --l1 and --keep-prob set the strengths of those settings.

examples:
  nnrecipe compare                          # none / L2 / dropout on noisy moons
  nnrecipe compare --init                   # zeros / random×10 / He on circles
  nnrecipe compare --dataset digits --layers 64 --settings none,l2,dropout,augment
"""

DIAGNOSE_HELP = """\
Bias/variance diagnosis and the recipe's next step, from two error rates or a saved model.

examples:
  nnrecipe diagnose --train-error 0.01 --dev-error 0.15
  nnrecipe diagnose --train-error 0.15 --dev-error 0.16 --baseline 0.14
  nnrecipe diagnose --model runs/20240101-120000      # replays that run's data and split
  nnrecipe diagnose --model runs/compared/models/l2.npz   # one of a compare run's models
  nnrecipe diagnose --model model.npz --data my.csv --target label
"""


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="nnrecipe",
        formatter_class=_Formatter,
        description="Train and improve deep neural networks written in plain NumPy.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument("--version", action="version", version=f"nnrecipe {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    for name, summary, text, table in (
        ("train", "train a network, diagnose it and write a report", TRAIN_HELP, options.TRAIN),
        (
            "compare",
            "compare regularization or initialization settings",
            COMPARE_HELP,
            options.COMPARE,
        ),
    ):
        command = sub.add_parser(name, help=summary, description=text, formatter_class=_Formatter)
        _add_options(command, table)
        _common(command, "random seed (default 0)", run=True)
        command.set_defaults(handler=name)

    for name, (summary, text) in options.options_recipe.DESCRIPTIONS.items():
        command = sub.add_parser(name, help=summary, description=text, formatter_class=_Formatter)
        _add_options(command, name)
        _common(command, "random seed (default 0)", run=True)
        command.set_defaults(handler=name)

    diagnose = sub.add_parser(
        "diagnose",
        help="bias/variance diagnosis and the next step",
        description=DIAGNOSE_HELP,
        formatter_class=_Formatter,
    )
    errors = diagnose.add_argument_group("from error rates")
    errors.add_argument("--train-error", type=_rate, help="training-set error in [0, 1]")
    errors.add_argument("--dev-error", type=_rate, help="dev-set error in [0, 1]")
    errors.add_argument(
        "--baseline",
        type=_rate,
        default=None,
        help="baseline (human-level / Bayes) error (default: the run's, else 0)",
    )
    model = diagnose.add_argument_group("from a saved model")
    model.add_argument("--model", metavar="PATH", help="a model .npz or a run dir")
    model.add_argument(
        "--data",
        metavar="NAME_OR_FILE",
        help="dataset (default: the run's own, from its config.toml)",
    )
    model.add_argument("--target", help="label column of a .csv, or array name in a .npz")
    model.add_argument(
        "--split",
        type=options.flag_type("split"),
        default=None,
        help="train/dev/test ratios or counts (default: the run's, else auto)",
    )
    _common(diagnose, "seed of the split when --data is given (default: the run's, else 0)")
    diagnose.set_defaults(handler="diagnose")

    datasets = sub.add_parser(
        "datasets",
        help="list the built-in datasets and the MNIST cache",
        formatter_class=_Formatter,
        description="List the built-in datasets and where MNIST is cached.",
    )
    _common(datasets, "seed of the generated samples that are described (default 0)")
    datasets.set_defaults(handler="datasets")
    add_gradcheck_parser(sub)
    add_predict_parser(sub)
    options_course.add_parser(sub, _Formatter)
    return parser


PREDICT_HELP = """\
Apply a saved model to new rows: the table is encoded with the preprocessing stored in the
model (its training rows' statistics) and written back with a prediction column holding the
original labels (and one probability column per class with --proba).

examples:
  nnrecipe predict --model runs/20240101-120000 --data new.csv
  nnrecipe predict --model model.npz --data new.csv --out scored.csv --proba
"""


def add_predict_parser(subparsers) -> argparse.ArgumentParser:
    """The ``predict`` subcommand: a saved model applied to the rows of a table."""
    p = subparsers.add_parser(
        "predict",
        help="apply a saved model to new rows of a table",
        description=PREDICT_HELP,
        formatter_class=_Formatter,
    )
    p.add_argument("--model", required=True, metavar="PATH", help="a model .npz or a run directory")
    p.add_argument("--data", required=True, metavar="FILE", help="a .csv, .tsv or .parquet table")
    p.add_argument(
        "--out",
        default="predictions.csv",
        metavar="FILE.csv",
        help="where the rows with their predictions go (default predictions.csv)",
    )
    p.add_argument("--proba", action="store_true", help="add one probability column per class")
    _common(p, None)
    p.set_defaults(handler="predict")
    return p


def add_gradcheck_parser(subparsers) -> argparse.ArgumentParser:
    """The ``gradcheck`` subcommand: build a network from flags, check it, print the report."""
    p = subparsers.add_parser(
        "gradcheck",
        help="check a network's backpropagation against finite differences",
        formatter_class=_Formatter,
        description="Build a network from flags, draw random inputs and labels, and compare "
        "backpropagation with two-sided finite differences of the cost (float64, dropout off, "
        "L2/L1 included). Exit status 0 when the check passes (difference <= 1e-7), 1 if not.",
    )
    sizes = options.flag_type("layers")
    p.add_argument(
        "--layers",
        type=sizes,
        default=[5, 3],
        metavar="N,N,...",
        help="hidden layer sizes, comma-separated, as in train/improve (default 5,3); the "
        "network is [--inputs, *layers, --outputs]",
    )
    p.add_argument("--inputs", type=int, default=4, metavar="N", help="input size n_x (default 4)")
    p.add_argument(
        "--outputs", type=int, default=1, metavar="N", help="output units n_y (default 1)"
    )
    p.add_argument(
        "--hidden",
        default="relu",
        help="hidden activation, or one per hidden layer comma-separated (default relu)",
    )
    p.add_argument("--output", default="sigmoid", help="sigmoid, softmax, linear (default sigmoid)")
    p.add_argument("--loss", default=None, help="default: from --output")
    p.add_argument("--init", default="auto", help="zeros, random, xavier, glorot, he, auto")
    p.add_argument("--l2", type=float, default=0.0, help="L2 strength λ (J += λ/2m Σ‖W‖²)")
    p.add_argument("--l1", type=float, default=0.0, help="L1 strength λ₁ (J += λ₁/m Σ|W|)")
    p.add_argument(
        "--keep-prob",
        type=options.flag_type("keep_prob"),
        default=1.0,
        metavar="P[,P...]",
        help="dropout keep probability (reported; dropout is off during the check)",
    )
    p.add_argument(
        "--mode",
        default="full",
        choices=["full", "sample", "directional"],
        help="every coordinate, a random sample, or random directions (default full)",
    )
    p.add_argument("--epsilon", type=float, default=1e-7, help="ε of the difference (1e-7)")
    p.add_argument("--n-samples", type=int, default=1000, help="coordinates for --mode sample")
    p.add_argument(
        "--n-directions", type=int, default=8, help="directions per block for --mode directional"
    )
    p.add_argument("--examples", type=int, default=32, help="random examples m (default 32)")
    _common(p, "random seed (default 0)")
    p.set_defaults(handler="gradcheck")
    return p


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected an error rate in [0, 1], got {text!r}"
        ) from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(
            f"{text} is not an error rate in [0, 1] (write 15% as 0.15)"
        )
    return value
