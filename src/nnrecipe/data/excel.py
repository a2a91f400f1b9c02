"""Excel workbooks (``.xlsx``, ``.xlsm``, ``.xls``): recognized by their name or their first
bytes, read with pandas when openpyxl (``.xlsx``) or xlrd (``.xls``) is installed, and
otherwise a message that says it is an Excel file and how to read it, not a text-encoding
hint (a workbook is a zip archive, never UTF-8 text)."""

from __future__ import annotations

import zipfile
from pathlib import Path

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
ZIP, OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"  # .xlsx/.xlsm (zip) and .xls (OLE2) headers


def is_excel(path) -> bool:
    """Whether ``path`` names an Excel workbook: by its suffix, or a ``.csv``/``.txt`` that
    is really one (an OLE2 file, or a zip archive holding the ``xl/`` part)."""
    path = Path(path)
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return True
    try:
        with open(path, "rb") as f:
            head = f.read(4)
    except OSError:
        return False
    if head == OLE:
        return True
    if head != ZIP:  # a zip archive is a workbook only with the xl/ part (an .npz is none)
        return False
    try:
        with zipfile.ZipFile(path) as archive:
            return any(name.startswith("xl/") for name in archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return False


def read_excel(path):
    """The first sheet of the workbook ``path`` as a DataFrame; ImportError naming the
    package to install (or how to save the sheet as CSV) when pandas cannot read it here."""
    import pandas as pd

    path = Path(path)
    with open(path, "rb") as f:
        old = f.read(4) == OLE
    engine, package = ("xlrd", "xlrd") if old else ("openpyxl", "openpyxl")
    try:
        __import__(package)
    except ImportError:
        raise ImportError(
            f"{str(path)!r} is an Excel workbook, not a text table: pandas reads it with "
            f"{package} (pip install {package}), or save the sheet as CSV (File > Save As > "
            "CSV UTF-8) and pass the .csv"
        ) from None
    return pd.read_excel(path, engine=engine)
