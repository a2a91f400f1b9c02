"""The Standardizer streams: one pass in the data's dtype, float64 accumulators per column,
and transforms a block of rows at a time, so its memory is a block, not a copy of X."""

import tracemalloc

import numpy as np
import pytest

import nnrecipe as nr
from nnrecipe._checks import as_features
from nnrecipe.data.normalize import BLOCK_BYTES, block_rows, column_moments


def _peak(fn):
    """Peak bytes NumPy allocated while ``fn`` ran (NumPy reports to tracemalloc)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        result = fn()
        return result, tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


@pytest.fixture
def X32():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40_000, 64), dtype=np.float32)  # 10 MiB; a float64 copy is 20
    X *= np.linspace(0.5, 4, 64, dtype=np.float32)
    X += np.linspace(-100, 100, 64, dtype=np.float32)
    return X


def test_moments_match_the_two_pass_formulas_across_many_blocks():
    rng = np.random.default_rng(1)
    X = rng.normal(1e4, 3.0, size=(5 * block_rows(9) + 17, 9))  # off-center: round-off test
    X[:, 4] = 7.25  # constant column: variance exactly 0
    mean, var = column_moments(X)
    np.testing.assert_allclose(mean, X.mean(axis=0), rtol=1e-13, atol=0)
    np.testing.assert_allclose(var, X.var(axis=0), rtol=1e-11)
    assert var[4] == 0.0 and mean[4] == 7.25
    # a 1-row and a 2-row set, by hand
    np.testing.assert_allclose(column_moments(np.array([[3.0, -1.0]])), [[3.0, -1.0], [0, 0]])
    mean, var = column_moments(np.array([[1.0], [4.0]], dtype=np.float32))
    assert mean.dtype == np.float64 and mean[0] == 2.5 and var[0] == 2.25


def test_float32_statistics_are_those_of_the_float64_data(X32):
    st = nr.Standardizer().fit(X32)
    X64 = X32.astype(np.float64)
    np.testing.assert_allclose(st.mean_, X64.mean(axis=0), rtol=1e-14)
    np.testing.assert_allclose(st.var_, X64.var(axis=0), rtol=1e-10)
    assert st.mean_.dtype == np.float64


def test_fit_allocates_a_block_not_a_float64_copy(X32):
    _, peak = _peak(lambda: nr.Standardizer().fit(X32))
    # the old fit made a float64 copy (20 MiB) and a deviation array of the same size
    assert peak <= 3 * BLOCK_BYTES, peak
    assert peak < X32.nbytes / 3


def test_transform_allocates_only_its_output_and_none_in_place(X32):
    st = nr.Standardizer().fit(X32)
    expected = (X32 - st.mean_.astype(np.float32)) / st.scale_.astype(np.float32)
    Z, peak = _peak(lambda: st.transform(X32))
    assert Z.dtype == np.float32 and np.array_equal(Z, expected)  # the same numbers as before
    assert peak <= X32.nbytes + BLOCK_BYTES  # the output; the old form made two of them
    X = X32.copy()
    Z, peak = _peak(lambda: st.transform(X, out=X))
    assert Z is X and np.array_equal(X, expected) and peak <= BLOCK_BYTES


def test_transform_rejects_an_out_of_the_wrong_shape_or_dtype(X32):
    st = nr.Standardizer().fit(X32[:100])
    with pytest.raises(ValueError, match="out must be a float32 array of shape"):
        st.transform(X32[:10], out=np.empty((10, 64)))
    with pytest.raises(ValueError, match="mean and var must be 1-D"):
        nr.Standardizer().set_moments([1.0, 2.0], [1.0])


def test_integer_input_is_standardized_in_its_own_float_copy():
    X = np.array([[1, 10], [3, 10], [5, 10]])
    st = nr.Standardizer().fit(X)
    np.testing.assert_allclose(st.transform(X)[:, 0], [-np.sqrt(1.5), 0, np.sqrt(1.5)])
    np.testing.assert_array_equal(X, [[1, 10], [3, 10], [5, 10]])  # the caller's X untouched


def test_nan_is_found_past_the_first_block():
    X = np.zeros((3 * 2**17, 2))  # the NaN check reads 2**17 rows per block here
    X[-2, 1] = np.nan
    with pytest.raises(ValueError, match=rf"first at row {len(X) - 2}, column 1"):
        as_features(X)


def test_prepare_inputs_copies_once_and_never_writes_the_callers_array():
    X = np.random.default_rng(2).normal(5, 2, size=(2000, 3))
    net = nr.Network([3, 1], dtype="float32", standardize=True)
    net.standardizer.fit(X.astype(np.float32))
    before = X.copy()
    Z, peak = _peak(lambda: net.prepare_inputs(X))
    assert np.array_equal(X, before)
    assert peak <= Z.nbytes + BLOCK_BYTES // 4  # the float32 cast, standardized in place
    expected = net.standardizer.transform(X.astype(np.float32))
    assert np.array_equal(Z, expected)
    Z32 = X.astype(np.float32)
    assert not np.may_share_memory(net.prepare_inputs(Z32), Z32)  # in dtype: a new array
