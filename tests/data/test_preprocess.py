"""The table preprocessing: formulas by hand, training rows only, storage without pickle."""

import json

import numpy as np
import pandas as pd
import pytest

from nnrecipe.data.preprocess import Preprocessor, clean


def frame(m=60, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "x": rng.normal(5.0, 2.0, m),
            "color": rng.choice(["red", "green", "blue"], m),
            "flag": rng.random(m) < 0.4,
        }
    )


def test_numeric_median_indicator_and_standardization_by_hand():
    df = pd.DataFrame({"x": [1.0, np.nan, 3.0, 10.0, np.nan], "c": list("ababa")})
    pre = Preprocessor(min_count=1).fit(df)
    filled = np.array([1.0, 3.0, 3.0, 10.0, 3.0])  # median of 1, 3, 10 is 3
    z = (filled - filled.mean()) / filled.std()
    X = pre.transform(df)
    assert pre.feature_names == ["x", "x_missing", "c=a", "c=b"]
    np.testing.assert_allclose(X[:, 0], z)
    np.testing.assert_array_equal(X[:, 1], [0, 1, 0, 0, 1])
    np.testing.assert_array_equal(X[:, 2:], [[1, 0], [0, 1], [1, 0], [0, 1], [1, 0]])


def test_rare_and_unseen_categories_share_the_other_slot():
    df = pd.DataFrame({"c": ["a"] * 6 + ["b"] * 6 + ["rare"] * 2, "x": np.arange(14.0) % 5})
    pre = Preprocessor(min_count=5).fit(df)
    assert pre.feature_names[:3] == ["c=a", "c=b", "c=<other>"]
    new = pd.DataFrame({"c": ["a", "rare", "never seen", None], "x": [1.0, 2.0, 3.0, 4.0]})
    np.testing.assert_array_equal(
        pre.transform(new)[:, :3], [[1, 0, 0], [0, 0, 1], [0, 0, 1], [0, 0, 1]]
    )
    # without rare categories in training an unseen one is all zeros
    pre = Preprocessor().fit(pd.DataFrame({"c": ["a", "b"] * 10}))
    np.testing.assert_array_equal(pre.transform(pd.DataFrame({"c": ["zzz"]})), [[0, 0]])


def test_useless_and_id_like_columns_are_dropped_with_a_reason():
    m = 40
    rng = np.random.default_rng(1)
    df = pd.DataFrame(
        {
            "PassengerId": rng.permutation(m) + 1,
            "Name": [f"Person {i}" for i in range(m)],
            "Ticket": [f"T{i % 30}" for i in range(m)],
            "const": 7,
            "empty": [np.nan] * m,
            "age": rng.normal(30, 5, m),
        }
    )
    pre = Preprocessor().fit(df)
    lines = "\n".join(pre.summary())
    assert pre.input_columns == ["age"] and pre.feature_names == ["age"]
    for name, why in [
        ("PassengerId", "ID-like"),
        ("Name", "ID-like"),
        ("Ticket", "near-unique"),
        ("const", "constant"),
        ("empty", "all empty"),
    ]:
        assert f"{name}: dropped, {why}" in lines
    assert "6 columns → 1 inputs" in pre.describe()


def test_cleaning_strips_text_and_reads_missing_tokens():
    df = clean(pd.DataFrame({"w": [" State-gov", "?", " Private "], "n": [" 1", "NA", "3 "]}))
    assert df["w"].tolist()[0] == "State-gov" and pd.isna(df["w"][1])
    assert df["n"].dtype.kind == "f" and pd.isna(df["n"][1]) and df["n"][2] == 3.0


def test_statistics_come_from_the_rows_it_is_fitted_on_only():
    train, other = frame(seed=0), frame(seed=1)
    other["x"] += 1000.0  # would move μ and the median if these rows leaked in
    pre = Preprocessor().fit(train)
    assert pre.mean_[0] == pytest.approx(train["x"].mean())
    assert pre.median_[0] == pytest.approx(train["x"].median())
    assert np.abs(pre.transform(train)[:, 0].mean()) < 1e-12
    assert pre.transform(other)[:, 0].mean() > 100  # dev rows use the training μ, σ


def test_missing_column_is_an_error_and_extra_columns_are_ignored():
    pre = Preprocessor().fit(frame())
    with pytest.raises(ValueError, match=r"lacks the column\(s\) \['color'\]"):
        pre.transform(frame().drop(columns="color"))
    extra = frame().assign(target=1, other="x")
    assert pre.extra_columns(extra) == ["target", "other"]
    np.testing.assert_array_equal(pre.transform(extra), pre.transform(frame()))


def test_stored_as_json_and_arrays_gives_the_same_transform():
    pre = Preprocessor().fit(frame())
    meta = json.loads(json.dumps(pre.to_dict()))
    arrays = {k: np.array(v) for k, v in pre.arrays().items()}
    assert all(a.dtype == np.float64 for a in arrays.values())
    again = Preprocessor.from_dict(meta, arrays)
    np.testing.assert_array_equal(again.transform(frame(seed=3)), pre.transform(frame(seed=3)))


def test_declared_categorical_numbers_and_one_point_zero_match():
    df = pd.DataFrame({"code": [1, 2, 3] * 10, "x": np.arange(30.0)})
    pre = Preprocessor(categorical=["code"]).fit(df)
    assert pre.feature_names[:3] == ["code=1", "code=2", "code=3"]
    np.testing.assert_array_equal(
        pre.transform(pd.DataFrame({"code": [2.0], "x": [1.0]}))[0, :3], [0, 1, 0]
    )


def test_a_table_with_no_usable_column_is_refused():
    with pytest.raises(ValueError, match="no column of the table is usable"):
        Preprocessor().fit(pd.DataFrame({"a": [1] * 5, "b": [np.nan] * 5}))


def test_zeros_that_code_missing_values_are_imputed_and_flagged():
    rng = np.random.default_rng(0)
    pressure = rng.normal(70, 10, 400).round()
    pressure[:40] = 0  # not measured
    train = pd.DataFrame({"pressure": pressure, "dose": rng.poisson(3, 400).astype(float)})
    pre = Preprocessor().fit(train)
    col = pre.to_dict()["columns"]
    assert col[0]["zeros_missing"] and col[0]["n_zeros"] == 40
    assert not col[1]["zeros_missing"]  # a count of 0 is a real value
    assert pre.feature_names == ["pressure", "pressure_missing", "dose"]
    median = np.median(pressure[40:])
    assert pre.median_[0] == median
    filled = np.where(pressure == 0, median, pressure)
    X = pre.transform(pd.DataFrame({"pressure": [0.0, 80.0], "dose": [0.0, 1.0]}))
    expected = (np.array([median, 80.0]) - filled.mean()) / filled.std()
    np.testing.assert_allclose(X[:, 0], expected)
    np.testing.assert_array_equal(X[:, 1], [1.0, 0.0])
    assert "40 zeros read as missing" in pre.summary()[0]
    stored = Preprocessor.from_dict(json.loads(json.dumps(pre.to_dict())), pre.arrays())
    np.testing.assert_array_equal(stored.transform(train), pre.transform(train))
    kept = Preprocessor(zeros_as_missing=False).fit(train)
    assert kept.feature_names == ["pressure", "dose"]


def test_the_zero_rule_on_columns_like_pima_diabetes():
    from nnrecipe.data.zeros import zero_coded

    rng = np.random.default_rng(1)
    skin = np.r_[np.zeros(30), rng.normal(29, 10.5, 70).clip(7)]  # mean/std ≈ 2.8
    pregnancies = np.r_[np.zeros(15), rng.integers(1, 12, 85)]  # mean/std ≈ 2: real zeros
    assert zero_coded(skin) and not zero_coded(pregnancies)
    assert not zero_coded(np.r_[0.0, -1.0, rng.normal(50, 5, 98)])  # negatives: 0 is a value
    assert not zero_coded(np.r_[np.zeros(60), rng.normal(50, 5, 40)])  # zeros the majority
    assert zero_coded(np.r_[np.nan, 0.0, rng.normal(50, 5, 98)])  # missing cells left out


def test_a_zero_at_the_bottom_of_a_run_of_whole_numbers_is_a_value():
    """Issue 26: the letter-recognition table's 16 statistics range 0-15 (mean about 7,
    std about 2); six were read as zero-coded. 0 there is the run's first step, not a gap."""
    from nnrecipe.data.zeros import zero_coded, zero_coded_columns

    rng = np.random.default_rng(2)
    letters = rng.binomial(15, 0.47, size=(2000, 16)).astype(float)  # 0..15, mean 7, std 2
    letters[:3, :] = 0  # a few zeros at the bottom of the run
    assert (letters.mean(axis=0) > 2.5 * letters.std(axis=0)).all()  # the old rule's test
    assert zero_coded_columns(letters) == []
    gap = np.r_[np.zeros(2), 2.0, 3.0, rng.integers(4, 15, 96)]  # 0, (no 1), 2, 3, ...
    assert not zero_coded(gap)  # the step 2 → 3 is 1, 0 → 2 only twice that
    pressure = np.r_[np.zeros(5), 24.0, 30.0, rng.normal(72, 12, 93).clip(38)]  # Pima
    assert zero_coded(pressure)  # 0 next to 24, 30, ...: isolated
    # read in blocks (131,072 rows of one column each): the smallest values of the last
    # block decide; the old rule (mean > 2.5 std) holds throughout
    tall = np.r_[np.zeros(1000), rng.normal(20, 1.5, 299_000).clip(15, 25)].reshape(-1, 1)
    tall[-20:-10], tall[-10:] = 2.0, 3.0  # 0, 2, 3, ..., 15, ...: 0 is the run's step
    assert zero_coded_columns(tall) == [] and zero_coded_columns(tall[::-1]) == []
    tall[-20:-10], tall[-10:] = 8.0, 9.0  # 0 and then 8, 9: isolated
    assert zero_coded_columns(tall) == [0] and zero_coded_columns(tall[::-1]) == [0]
