"""The options of ``nnrecipe train`` and ``compare`` (and, from :mod:`nnrecipe.cli.options_recipe`,
``improve`` and ``tune``): one table for flags, files and checks.

Each :class:`Option` has a key (``keep_prob``), a kind, a default and a help text. From this one
table :mod:`nnrecipe.cli` makes the flags (``--keep-prob``), :mod:`nnrecipe.cli.config` checks the
keys of a TOML file, and :func:`convert` validates a value from either source, so a flag and a
file entry accept exactly the same things (``layers = [20, 3]`` or ``--layers 20,3``).

Kinds: int, float, str, bool, ints (positive sizes), floats (one number or a list), strs (one
name or a list), batch (an int or ``full``), split (``auto`` or three ratios or counts), init
(a name or ``random:SCALE``), baseline (a number or ``auto``), range (``LOW:HIGH`` to
search, one number fixes the value); ``opt_*`` kinds may be unset (None).
"""

from __future__ import annotations

import argparse
import numbers
from dataclasses import dataclass, replace

from . import options_recipe
from .options_recipe import IMPROVE, TUNE

TRAIN, COMPARE = "train", "compare"
BOTH = (TRAIN, COMPARE)
COMMANDS = (TRAIN, COMPARE, IMPROVE, TUNE)


@dataclass(frozen=True)
class Option:
    """One option: its key, value kind, default, help text and the commands that take it."""

    key: str
    kind: str
    default: object
    help: str
    commands: tuple[str, ...] = BOTH

    @property
    def flag(self) -> str:
        return "--" + self.key.replace("_", "-")


OPTIONS = [
    # data
    Option(
        "dataset", "str", "moons", "built-in dataset (see `nnrecipe datasets`) or a .csv/.npz file"
    ),
    Option(
        "n",
        "opt_int",
        None,
        "examples: generated for the 2-D sets (default 1000), a random subset of a real one "
        "(default all)",
    ),
    Option("noise", "opt_float", None, "noise of a generated 2-D dataset (default: its own)"),
    Option("target", "opt_str", None, "label column of a .csv file, or array name in a .npz"),
    Option(
        "split",
        "split",
        "auto",
        "train/dev/test ratios or counts, e.g. 0.6,0.2,0.2; auto follows the data size",
    ),
    # network
    Option(
        "layers",
        "ints",
        [20, 3],
        "hidden layer sizes (not the input or output: the data set them), comma-separated",
    ),
    Option(
        "hidden",
        "strs",
        "relu",
        "hidden activation, one or one per hidden layer (relu, leaky_relu, tanh, sigmoid)",
    ),
    Option(
        "output",
        "str",
        "auto",
        "output activation: auto (sigmoid for 2 classes, softmax for more, linear for "
        "regression), sigmoid, softmax, linear",
    ),
    Option(
        "init",
        "init",
        "auto",
        "initialization: zeros, random, random:SCALE, xavier, glorot, he, auto",
        (TRAIN,),
    ),
    Option("l2", "float", 0.0, "L2 strength λ (J += λ/2m Σ‖W‖²)"),
    Option("l1", "float", 0.0, "L1 strength λ₁ (J += λ₁/m Σ|W|)"),
    Option(
        "keep_prob",
        "floats",
        1.0,
        "dropout keep probability, one or one per hidden layer (1 = off)",
    ),
    Option("float32", "bool", False, "train in float32 instead of float64"),
    Option(
        "standardize",
        "opt_bool",
        None,
        "standardize inputs with the training set's statistics (default: on, except for "
        "images, whose pixels are already in [0, 1])",
    ),
    # training
    Option("optimizer", "str", "adam", "gd, sgd, momentum, rmsprop, adam"),
    Option("learning_rate", "float", 0.01, "learning rate α₀"),
    Option(
        "batch_size",
        "batch",
        64,
        "mini-batch size, or full for the whole training set (gd always uses it)",
    ),
    Option("epochs", "int", 300, "maximum number of epochs"),
    Option("decay_rate", "float", 0.0, "learning-rate decay: α = α₀ / (1 + decay_rate · epoch)"),
    Option(
        "early_stopping",
        "int",
        0,
        "stop after this many epochs without dev-loss improvement (0 = off)",
        (TRAIN,),
    ),
    Option(
        "augment",
        "strs",
        [],
        "image augmentation of the training batches, e.g. flip,shift,rotate,noise",
    ),
    Option(
        "monitor_gradients",
        "bool",
        True,
        "record per-layer gradient norms each epoch (for the report)",
    ),
    # diagnosis and output
    Option(
        "baseline",
        "baseline",
        0.0,
        "baseline (human-level / Bayes) error for the bias/variance diagnosis; improve: "
        "auto (default) estimates it from the best dev value and a reference model",
    ),
    Option(
        "out",
        "opt_path",
        None,
        "run directory for the model, report and config (default runs/<timestamp>)",
    ),
    Option("report", "bool", True, "write the HTML report and PNG plots (needs matplotlib)"),
    Option("progress", "bool", True, "show a live progress bar (on a terminal)"),
    Option("seed", "int", 0, "random seed for data, split, initialization, shuffling, dropout"),
    # compare only
    Option(
        "settings",
        "strs",
        [],
        "settings to compare: none, l2, l1, dropout, early_stopping, augment "
        "(default: all that apply)",
        (COMPARE,),
    ),
    Option(
        "inits", "strs", [], "compare initializations instead, e.g. zeros,random:10,he", (COMPARE,)
    ),
    Option("patience", "int", 20, "patience of the early_stopping setting", (COMPARE,)),
    Option("zero_tol", "float", 1e-3, "a weight counts as zero when |w| < zero_tol", (COMPARE,)),
]
OPTIONS = [
    replace(o, commands=o.commands + options_recipe.SHARED.get(o.key, ())) for o in OPTIONS
] + [Option(*row) for row in options_recipe.OPTIONS]
BY_KEY = {o.key: o for o in OPTIONS}


def options_for(command: str) -> list[Option]:
    return [o for o in OPTIONS if command in o.commands]


# in `compare`, l2 / l1 / keep_prob are the strengths of the l2 / l1 / dropout settings
COMMAND_DEFAULTS = {COMPARE: {"l2": 0.7, "l1": 0.1, "keep_prob": 0.86}}
COMMAND_DEFAULTS.update(options_recipe.COMMAND_DEFAULTS)


def defaults(command: str) -> dict:
    values = {o.key: _copy(o.default) for o in options_for(command)}
    values.update(COMMAND_DEFAULTS.get(command, {}))
    return values


def _copy(value):
    return list(value) if isinstance(value, list) else value


# --------------------------------------------------------------------------- conversion
def _number(value, key: str, integer: bool):
    if isinstance(value, str):
        text = value.strip()
        try:
            value = int(text) if integer else float(text)
        except ValueError:
            what = "an integer" if integer else "a number"
            raise ValueError(f"{key} expects {what}, got {text!r}") from None
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        what = "an integer" if integer else "a number"
        raise ValueError(f"{key} expects {what}, got {value!r}")
    return int(value) if integer else float(value)


def _items(value, key: str) -> list:
    """A list from a TOML list or a comma-separated string."""
    if isinstance(value, str):
        text = value.strip()
        return [] if text.lower() in ("", "none", "[]") else [t.strip() for t in text.split(",")]
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def _bool(value, key: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "on", "1"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "no", "off", "0"):
        return False
    raise ValueError(f"{key} expects true or false, got {value!r}")


def convert(key: str, value):
    """Validate and normalize one option value (from a flag's text or a TOML value)."""
    option = BY_KEY.get(key)
    if option is None:
        raise ValueError(f"unknown option {key!r}")
    kind = option.kind
    if value is None and kind.startswith("opt_"):
        return None
    if kind in ("int", "opt_int"):
        return _number(value, key, True)
    if kind in ("float", "opt_float"):
        return _number(value, key, False)
    if kind == "baseline":
        if isinstance(value, str) and value.strip().lower() == "auto":
            return "auto"
        return _number(value, key, False)
    if kind in ("str", "opt_str", "opt_path", "opt_url"):
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{key} expects a non-empty string, got {value!r}")
        return value.strip()
    if kind in ("bool", "opt_bool"):
        return _bool(value, key)
    if kind == "ints":
        sizes = [_number(v, key, True) for v in _items(value, key)]
        if any(s < 1 for s in sizes):
            raise ValueError(f"{key} must be positive layer sizes like 20,3; got {value!r}")
        return sizes
    if kind == "floats":
        values = [_number(v, key, False) for v in _items(value, key)]
        if not values:
            raise ValueError(f"{key} expects a number or a list of numbers, got {value!r}")
        return values[0] if len(values) == 1 else values
    if kind == "strs":
        names = [str(v).strip() for v in _items(value, key)]
        if any(not n for n in names):
            raise ValueError(f"{key} expects comma-separated names, got {value!r}")
        if key == "hidden":
            return names[0] if len(names) == 1 else names
        if key == "inits":
            return [init_spec(n, key) for n in names]
        return names
    if kind == "init":
        return init_spec(value, key)
    if kind == "batch":
        if isinstance(value, str) and value.strip().lower() in ("full", "all", "none"):
            return "full"
        size = _number(value, key, True)
        if size < 1:
            raise ValueError(f"{key} must be a positive integer or 'full', got {value!r}")
        return size
    if kind == "split":
        if isinstance(value, str) and value.strip().lower() == "auto":
            return "auto"
        parts = [_number(v, key, False) for v in _items(value, key)]
        if len(parts) != 3 or any(p < 0 for p in parts):
            raise ValueError(
                f"{key} expects 'auto' or three ratios or counts like 0.6,0.2,0.2; got {value!r}"
            )
        return [int(p) if p.is_integer() and p > 1 else p for p in parts]
    if kind == "range":  # LOW:HIGH on the command line, [low, high] in a file; one number fixes
        items = value.split(":") if isinstance(value, str) else value
        items = items if isinstance(items, list | tuple) else [items]
        parts = [_number(v, key, False) for v in items]
        if len(parts) not in (1, 2):
            raise ValueError(f"{key} expects LOW:HIGH or one number, got {value!r}")
        return parts[0] if len(parts) == 1 else parts
    raise AssertionError(kind)


def init_spec(value, key: str = "init") -> str:
    """Check an initialization spec: a name, or ``random:SCALE`` (the scale of N(0, 1)·scale)."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{key} expects a name like he or random:10, got {value!r}")
    name, _, scale = value.strip().lower().partition(":")
    if scale:
        if name != "random":
            raise ValueError(f"{key}={value!r}: only random takes a scale, as in random:10")
        _number(scale, key, False)
    return value.strip().lower()


def flag_type(key: str):
    """An argparse ``type=`` that converts a flag's text with :func:`convert`."""
    import argparse

    def parse(text: str):
        try:
            return convert(key, text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = BY_KEY[key].kind
    return parse


def add_debug(parser) -> None:
    """``--debug``: the full traceback instead of the one-line error (every command)."""
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the full traceback on errors")  # fmt: skip
