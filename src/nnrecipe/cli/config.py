"""Experiment configuration: the options of ``nnrecipe train``/``compare``/``improve``/``tune``
as a TOML file.

The options are those of :mod:`nnrecipe.cli.options` (the flag ``--keep-prob`` is the key
``keep_prob``, either spelling is accepted in a file). Precedence, lowest first:

    built-in defaults  <  a command's preset  <  the TOML file (--config)  <  flags on the line

A TOML file holds the same options as the flags, at the top level or under a ``[train]``,
``[compare]``, ``[improve]`` or ``[tune]`` table::

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
import re
from pathlib import Path

from .options import BY_KEY, COMMANDS, COMPARE, IMPROVE, TRAIN, TUNE, convert, defaults, options_for

__all__ = [
    "COMPARE",
    "IMPROVE",
    "TRAIN",
    "TUNE",
    "header",
    "read_run",
    "read_toml",
    "resolve",
    "to_toml",
    "written_by",
]


# --------------------------------------------------------------------------- TOML
# the first line of a run's config.toml: which command wrote it (read back by written_by)
_HEADER = "nnrecipe {command}: the resolved configuration of this run"
_WRITTEN_BY = re.compile(r"#\s*nnrecipe (\w+): the resolved configuration of this run")


def header(command: str, version: str, path) -> str:
    """The comment at the top of a run's ``config.toml``: the command that wrote it (so that
    :func:`written_by` can tell) and how to repeat the run."""
    return (
        f"{_HEADER.format(command=command)} (nnrecipe {version}).\n"
        f"Repeat it with: nnrecipe {command} --config {path}"
    )


def written_by(text: str) -> str | None:
    """The command whose run wrote a config's ``text`` (its :func:`header`), or None."""
    match = _WRITTEN_BY.match(text.lstrip().partition("\n")[0])
    return match.group(1) if match and match.group(1) in COMMANDS else None


def _text(path: Path) -> str:
    if path.is_dir():
        raise ValueError(
            f"config file {str(path)!r} is a directory; give the file, e.g. "
            f"--config {str(path / 'config.toml')!r} for a run directory"
        )
    if not path.is_file():
        raise ValueError(f"config file {str(path)!r} does not exist")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"config file {str(path)!r} is not valid TOML: {exc}") from None


def read_toml(path, command: str) -> dict:
    """Options from a TOML file, validated; unknown keys are an error that lists the valid ones
    (or, in a run's config written by another command, names that command)."""
    path = Path(path)
    text = _text(path)
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
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"config file {str(path)!r} is not valid TOML: {exc}") from None
    except RecursionError:  # arrays or tables nested thousands deep
        raise ValueError(
            f"config file {str(path)!r} is nested too deeply to be a config: its options are "
            "numbers, strings and flat lists"
        ) from None
    for section in COMMANDS:  # [train] / [compare] / ... tables; the command's own one wins
        table = data.pop(section, None)
        if isinstance(table, dict) and section == command:
            data.update(table)
    valid = {o.key for o in options_for(command)}
    result = {}
    for raw_key, value in data.items():
        key = raw_key.replace("-", "_")
        if key in result:
            raise ValueError(
                f"config file {str(path)!r} sets the option {key!r} twice (as {raw_key!r} and "
                "with the other spelling, - or _); keep one"
            )
        if key not in valid:
            raise ValueError(_unknown(path, raw_key, command, written_by(text), valid))
        try:
            result[key] = convert(key, value)
        except ValueError as exc:
            raise ValueError(f"config file {str(path)!r}: {exc}") from None
    return result


def _unknown(path: Path, key: str, command: str, writer: str | None, valid: set) -> str:
    if writer is not None and writer != command:
        return (
            f"config file {str(path)!r} holds the options of an `nnrecipe {writer}` run, which "
            f"`nnrecipe {command}` cannot take ({key!r} is not one of its options); repeat "
            f"that run with `nnrecipe {writer} --config {path}`"
        )
    return (
        f"config file {str(path)!r}: unknown option {key!r} for `nnrecipe {command}`; "
        f"valid options are {sorted(valid)}"
    )


def read_run(path) -> tuple[str, dict]:
    """``(command, options)`` of the run whose ``config.toml`` is ``path``: the command that
    wrote it (its :func:`header`; ``train`` for a file without one) and every option of that
    command, the file's values over the command's defaults."""
    path = Path(path)
    command = written_by(_text(path)) or TRAIN
    return command, {**defaults(command), **read_toml(path, command)}


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
