"""Numbers written as text that pandas does not read: decimal commas, thousands separators.

A cell is read as a number only in the C locale's form (``-0.1257``, ``1e3``). Tables exported
by spreadsheets in many locales write ``0,1257`` (a decimal comma) or ``1,234,567`` /
``1.234.567,5`` (thousands separators); such a column arrives as text. This module names the
format, so that training says why a column was dropped and prediction refuses a numeric
column it cannot read, instead of imputing every cell and answering confidently.

A column "looks like" a format when at least :data:`SHARE` of its first :data:`SAMPLE`
present cells match the format's pattern.
"""

from __future__ import annotations

import re

import pandas as pd

from .._checks import shorten

SAMPLE = 200
SHARE = 0.9
MOSTLY = 0.5  # prediction: a numeric column with more than this share of unreadable cells
FORMATS = (  # (pattern, what it is, the pandas.read_csv arguments that read it)
    (r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", "thousands separators (1,234,567.5)", "thousands=','"),
    (
        r"[+-]?\d{1,3}(\.\d{3})+(,\d+)?",
        "a decimal comma and '.' thousands separators (1.234.567,5)",
        "decimal=',', thousands='.'",
    ),
    (r"[+-]?\d*,\d+([eE][+-]?\d+)?", "a decimal comma (0,1257)", "decimal=','"),
)


def number_format(cells) -> tuple[str, str] | None:
    """(what, pandas arguments) of the number format the text ``cells`` are written in, or
    None when they do not look like numbers in one of :data:`FORMATS`."""
    sample = [str(c).strip() for c in list(pd.Series(cells).dropna())[:SAMPLE]]
    if not sample:
        return None
    for pattern, what, arguments in FORMATS:
        matched = sum(re.fullmatch(pattern, c) is not None for c in sample)
        if matched >= SHARE * len(sample):
            return what, arguments
    return None


def format_hint(cells, fix: bool = False) -> str | None:
    """Why the text ``cells`` are not read as numbers (with how to convert the file when
    ``fix``), or None when they are not numbers in another format."""
    found = number_format(cells)
    if found is None:
        return None
    text = f"numbers written with {found[0]}, which nnrecipe does not read ('.' decimal point only)"
    if fix:
        text += (
            f"; convert the file, e.g. pandas.read_csv(path, {found[1]}).to_csv(new, index=False)"
        )
    return text


def check_numbers(s: pd.Series, name: str) -> None:
    """Refuse a column the model reads as numbers when most of its present cells are not
    numbers (ValueError naming the column, a cell and the number format when known)."""
    if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        return
    present = s.dropna()
    unreadable = present[pd.to_numeric(present, errors="coerce").isna().to_numpy()]
    if len(present) == 0 or len(unreadable) <= MOSTLY * len(present):
        return
    hint = format_hint(unreadable, fix=True)
    raise ValueError(
        f"column {shorten(name)} holds numbers in the model, but {len(unreadable)} of its "
        f"{len(present)} cells here are not numbers (e.g. {shorten(unreadable.iloc[0])})"
        + (f": {hint}" if hint else "; fix those cells, or give the table the model was trained on")
    )
