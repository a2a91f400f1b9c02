"""Experiment configuration: the options of ``nnrecipe train``/``compare`` as a TOML file.

One table of options (:data:`OPTIONS`) drives everything: the command-line flags (``--keep-prob``
is the option ``keep_prob``), the keys accepted in a TOML file, their validation and the
resolved configuration written into each run directory. Precedence, lowest first:

    built-in defaults  <  a command's preset  <  the TOML file (--config)  <  flags on the line

A TOML file holds the same options as the flags, at the top level or under a ``[train]`` or
``[compare]`` table::

    dataset = "moons"
    layers = [20, 3]
    keep_prob = 0.86
    epochs = 2000

Reading TOML uses :mod:`tomllib` (Python 3.11+) or the ``tomli`` package on 3.10. Writing needs
no dependency: the options are scalars and flat lists, written by :func:`to_toml`.
"""

from __future__ import annotations

import json
import math
import numbers
from dataclasses import dataclass
from pathlib import Path

TRAIN, COMPARE = "train", "compare"
BOTH = (TRAIN, COMPARE)


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


# kinds: int, float, str, bool, ints (list of positive ints), floats (one number or a list),
# strs (one name or a list), batch (int or "full"), split ("auto" or 3 numbers),
# opt_int / opt_float / opt_bool / opt_str / opt_path (may be unset)
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
    Option("layers", "ints", [20, 3], "hidden layer sizes, comma-separated"),
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
        "float",
        0.0,
        "baseline (human-level / Bayes) error for the bias/variance diagnosis",
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
BY_KEY = {o.key: o for o in OPTIONS}


def options_for(command: str) -> list[Option]:
    return [o for o in OPTIONS if command in o.commands]


# in `compare`, l2 / l1 / keep_prob are the strengths of the l2 / l1 / dropout settings
COMMAND_DEFAULTS = {COMPARE: {"l2": 0.7, "l1": 0.1, "keep_prob": 0.86}}


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
    if kind in ("str", "opt_str", "opt_path"):
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


# --------------------------------------------------------------------------- TOML
def read_toml(path, command: str) -> dict:
    """Options from a TOML file, validated; unknown keys are an error that lists the valid ones."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"config file {str(path)!r} does not exist")
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        try:
            import tomli as tomllib
        except ModuleNotFoundError:
            raise ValueError(
                "reading a TOML config on Python 3.10 needs the tomli package: pip install tomli"
            ) from None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"config file {str(path)!r} is not valid TOML: {exc}") from None
    for section in BOTH:  # [train] / [compare] tables; the command's own one wins
        table = data.pop(section, None)
        if isinstance(table, dict) and section == command:
            data.update(table)
    valid = {o.key for o in options_for(command)}
    result = {}
    for raw_key, value in data.items():
        key = raw_key.replace("-", "_")
        if key not in valid:
            raise ValueError(
                f"config file {str(path)!r}: unknown option {raw_key!r} for `nnrecipe {command}`; "
                f"valid options are {sorted(valid)}"
            )
        try:
            result[key] = convert(key, value)
        except ValueError as exc:
            raise ValueError(f"config file {str(path)!r}: {exc}") from None
    return result


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        value = float(value)
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        # a JSON string with non-ASCII kept is a valid TOML basic string
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} ({type(value).__name__}) as a TOML value")


def to_toml(options: dict, header: str = "") -> str:
    """TOML text for a flat dict of scalars and lists; unset (None) options become comments."""
    lines = [f"# {line}" for line in header.splitlines()]
    for key, value in options.items():
        if value is None:
            lines.append(f"# {key} = (not set)")
        else:
            lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def resolve(command: str, given: dict, config_path=None, preset=None) -> dict:
    """The options of one run: defaults < preset < TOML file < ``given`` (flags on the line).

    ``preset`` is a dict, or a function of the explicit options (file and flags) returning one,
    so a command can pick defaults from what the user chose (e.g. the data set).
    """
    explicit = read_toml(config_path, command) if config_path is not None else {}
    explicit.update(
        {k: v for k, v in given.items() if k in BY_KEY and command in BY_KEY[k].commands}
    )
    options = defaults(command)
    options.update((preset(explicit) if callable(preset) else preset) or {})
    options.update(explicit)
    return options
