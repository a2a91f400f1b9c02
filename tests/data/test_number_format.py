"""Numbers in another locale's format (issue 27, item 2): named at training, refused at
prediction instead of being imputed cell by cell."""

import numpy as np
import pandas as pd
import pytest

from nnrecipe.data.number_format import check_numbers, number_format
from nnrecipe.data.preprocess import Preprocessor


@pytest.mark.parametrize(
    ("cells", "what"),
    [
        (["0,1257", "-0,1321", "12,5", "3,0"], "a decimal comma"),
        (["1,234,567.5", "12,345", "999,000"], "thousands separators"),
        (["1.234.567,5", "12.345,0", "1.000"], "a decimal comma and '.' thousands"),
        (["1e3", "abc", "x"], None),
    ],
)
def test_the_number_format_is_named(cells, what):
    found = number_format(cells)
    assert (found is None) if what is None else found[0].startswith(what)


def frame(m=60, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"a": rng.normal(size=m), "b": rng.normal(size=m)})


def as_decimal_commas(df):
    return df.map(lambda v: f"{v:.4f}".replace(".", ","))


def test_training_names_decimal_commas_instead_of_an_id_like_column():
    train = frame()
    train["c"] = as_decimal_commas(frame(seed=1))["a"]
    pre = Preprocessor().fit(train)
    lines = dict(line.split(": ", 1) for line in pre.summary())
    assert lines["c"].startswith("dropped, numbers written with a decimal comma (0,1257)")
    assert "ID-like" not in lines["c"]
    assert lines["a"].startswith("numeric")


def test_prediction_refuses_a_numeric_column_it_cannot_read():
    pre = Preprocessor().fit(frame())
    new = as_decimal_commas(frame(seed=2))
    with pytest.raises(ValueError) as info:
        pre.transform(new)
    text = str(info.value)
    assert "column 'a'" in text and "60 of its 60 cells" in text
    assert repr(new["a"].iloc[0]) in text  # shows a cell
    assert "decimal comma" in text and "decimal=','" in text  # and the fix


def test_a_few_unreadable_cells_are_missing_values_as_before():
    pre = Preprocessor().fit(frame())
    new = frame(seed=3).astype(object)
    new.loc[0, "a"] = "n/a?"  # one cell of 60: imputed with the training median
    z = pre.transform(new)
    assert np.isfinite(z).all() and z[0, 0] == pytest.approx(
        (pre.median_[0] - pre.mean_[0]) / pre.scale_[0]
    )
    check_numbers(pd.Series(["1", "x", "2"]), "a")  # a minority: no error
    with pytest.raises(ValueError, match="column 'a'.*2 of its 3 cells"):
        check_numbers(pd.Series(["1", "x", "y"]), "a")
