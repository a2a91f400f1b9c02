"""``nnrecipe.datasets.load``: the user's file as ``(X, y)``, read the way ``nnrecipe improve
--dataset FILE`` reads it.

* ``.npz`` and CSV files of numbers only: X a float64 array (:mod:`nnrecipe.data.files`);
* a CSV/TSV with text or empty feature cells, or an Excel workbook (:mod:`.excel`): the
  table reader of the command (:func:`nnrecipe.data.tables.table_dataset`): X a pandas
  DataFrame of the feature columns, y the target as written, for the table preprocessing
  that ``improve`` and ``Network.fit`` fit on training rows (one-hot text, imputed gaps).
"""

from __future__ import annotations

from pathlib import Path

from .excel import is_excel
from .files import Dataset, NotNumbers
from .files import load as load_numbers


def load(path, target=None, **kwargs) -> Dataset:
    """Load ``(X, y)`` from a ``.csv`` (``.tsv``/``.txt``), ``.xlsx`` or ``.npz`` file.

    Parameters
    ----------
    path : str or Path
    target : str or int, optional
        Tables: the label column (name or index; default the last column). npz: the label
        array's name (default ``"y"``).
    **kwargs : ``delimiter`` for CSV, ``features`` (the X array's name) for npz.

    Returns
    -------
    Dataset
        ``(X, y)`` with ``.feature_names``, ``.target`` and ``.classes``; X (m, n_x) is a
        float64 array for number-only files, else a DataFrame of the feature columns.
    """
    from .tables import table_dataset  # pandas: imported only for tables

    if Path(path).is_file() and is_excel(path):
        return table_dataset(path, target)
    try:
        return load_numbers(path, target, **kwargs)
    except NotNumbers:  # text or empty cells: the table reader, as the command uses
        return table_dataset(path, target, kwargs.get("delimiter"))
