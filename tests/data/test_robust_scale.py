"""Robust scaling with smooth clipping: hand-computed values, training rows only, memory, files."""

import math
import tracemalloc

import numpy as np
import pandas as pd
import pytest

import nnrecipe as nr
from nnrecipe.data.preprocess import Preprocessor
from nnrecipe.data.robust_scale import RobustScaler, robust_statistics, scaler_for, smooth_clip


def clip(z):
    return z / math.sqrt(1 + (z / 3) ** 2)


def test_a_tiny_column_by_hand():
    # [1, 2, 3, 4, 100]: median 3, q25 = 2, q75 = 4 (linear rule), IQR 2
    X = np.array([[1.0], [2.0], [3.0], [4.0], [100.0]])
    scaler = RobustScaler().fit(X)
    assert scaler.median_.tolist() == [3.0]
    assert scaler.factor_.tolist() == [0.5]
    out = scaler.transform(X)[:, 0]
    expected = [clip(-1.0), clip(-0.5), 0.0, clip(0.5), clip(48.5)]
    np.testing.assert_allclose(out, expected, rtol=1e-15)
    assert out[-1] == pytest.approx(2.99427723, abs=1e-8)  # 48.5 / √(1 + (48.5/3)²) < 3


def test_iqr_zero_falls_back_to_half_the_range_and_constants_map_to_zero():
    X = np.array([[0.0, 5.0], [0.0, 5.0], [0.0, 5.0], [0.0, 5.0], [0.0, 5.0], [4.0, 5.0]])
    median, factor = robust_statistics(X)
    assert median.tolist() == [0.0, 5.0]
    assert factor.tolist() == [0.5, 0.0]  # half the range of column 0 is 2; column 1 constant
    new = np.array([[4.0, 7.0], [-2.0, -100.0]])
    np.testing.assert_allclose(
        RobustScaler().fit(X).transform(new), [[clip(2.0), 0.0], [clip(-1.0), 0.0]]
    )


def test_smooth_clip_is_odd_bounded_and_near_identity_at_zero():
    z = np.array([-1e6, -3.0, -1e-3, 0.0, 1e-3, 3.0, 1e6])
    out = smooth_clip(z)
    np.testing.assert_allclose(out, -out[::-1])
    assert np.all(np.abs(out) < 3.0)
    assert out[4] == pytest.approx(1e-3, rel=1e-6)
    assert out[5] == pytest.approx(3 / math.sqrt(2))
    # huge values go to ±3, never to 0 through an overflow of (z/3)² (float32: above 5e19)
    for dtype in (np.float32, np.float64):
        big = np.array([-np.finfo(dtype).max, -1e30, 1e30, np.finfo(dtype).max, np.inf], dtype)
        np.testing.assert_allclose(smooth_clip(big), [-3, -3, 3, 3, 3], rtol=1e-6)
        assert smooth_clip(big).dtype == dtype


def test_float32_is_preserved_and_transform_can_work_in_place(rng):
    X = rng.standard_t(2, size=(500, 4)).astype(np.float32)
    scaler = RobustScaler().fit(X)
    out = scaler.transform(X)
    assert out.dtype == np.float32 and not np.shares_memory(out, X)
    np.testing.assert_allclose(out, RobustScaler().fit(X.astype(np.float64)).transform(X), 2e-6)
    same = scaler.transform(X, out=X)
    assert same is X
    np.testing.assert_array_equal(X, out)


def test_fit_on_large_float32_data_makes_no_float64_copy(rng):
    X = rng.normal(size=(400_000, 10)).astype(np.float32)  # 16 MB; a float64 copy is 32 MB
    tracemalloc.start()
    try:
        RobustScaler().fit(X)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < X.nbytes / 2  # blocks of columns in float32 (4 MiB), never X in float64


def test_network_fits_the_scaling_on_training_rows_only(rng):
    X, y = rng.normal(size=(120, 3)) * [1, 10, 1000], rng.integers(0, 2, 120)
    X_dev = rng.normal(size=(40, 3)) * 1e6 + 5e6  # would move every statistic
    net = nr.Network([3, 4, 1], standardize="robust", seed=0)
    net.fit(X, y, dev=(X_dev, y[:40]), epochs=2)
    expected = RobustScaler().fit(X)
    np.testing.assert_array_equal(net.standardizer.median_, expected.median_)
    np.testing.assert_array_equal(net.standardizer.factor_, expected.factor_)
    net.fit(X_dev, y[:40], epochs=1)  # a second fit keeps the first fit's scaling
    np.testing.assert_array_equal(net.standardizer.median_, expected.median_)


def test_predict_applies_the_clipped_scaling(rng):
    X, y = rng.normal(size=(100, 2)), rng.integers(0, 2, 100)
    net = nr.Network([2, 3, 1], standardize="robust", seed=0)
    net.fit(X, y, epochs=1)
    X_new = np.array([[1e9, -1e9], [0.1, 0.2]])
    plain = nr.Network([2, 3, 1], seed=0)
    plain.set_vector(net.get_vector())
    scaled = net.standardizer.transform(X_new)
    np.testing.assert_allclose(scaled[0], [3, -3], rtol=1e-15)  # smoothly clipped to ±3
    np.testing.assert_allclose(net.predict_proba(X_new), plain.predict_proba(scaled), rtol=1e-15)


def test_memmap_training_rows_give_the_eager_numbers(rng, tmp_path):
    X = (rng.standard_t(3, size=(300, 3)) * 50).astype(np.float32)
    y = rng.integers(0, 2, 300)
    path = tmp_path / "X.npy"
    np.save(path, X)
    nets = [nr.Network([3, 4, 1], standardize="robust", dtype="float32", seed=0) for _ in "ab"]
    nets[0].fit(X, y, epochs=2, seed=1)
    nets[1].fit(np.load(path, mmap_mode="r"), y, epochs=2, seed=1)
    np.testing.assert_array_equal(nets[0].get_vector(), nets[1].get_vector())


def test_save_and_load_predict_identically_and_bad_statistics_are_refused(rng, tmp_path):
    X, y = rng.normal(size=(80, 3)) * 7 + 2, rng.integers(0, 2, 80)
    net = nr.Network([3, 5, 1], standardize="robust", dtype="float32", seed=0)
    net.fit(X, y, epochs=3)
    path = net.save(tmp_path / "robust")
    loaded = nr.load(path)
    assert loaded.config()["standardize"] == "robust"
    np.testing.assert_array_equal(loaded.standardizer.median_, net.standardizer.median_)
    np.testing.assert_array_equal(loaded.predict_proba(X), net.predict_proba(X))
    with np.load(path) as f:
        arrays = dict(f)
    arrays["robust_factor"] = np.array([1.0, -1.0, 1.0])
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ValueError, match="bad.npz.*factor >= 0"):
        nr.load(tmp_path / "bad.npz")


@pytest.mark.parametrize("value", ["yes", 1, None, "Robust"])
def test_bad_standardize_values_name_the_argument(value):
    with pytest.raises(TypeError, match=r"standardize=.*'robust'"):
        scaler_for(value)
    with pytest.raises(TypeError, match="standardize"):
        nr.Network([2, 3, 1], standardize=value)


def test_image_augmentation_refuses_robust_scaling(rng):
    X, y = rng.random((20, 16)), rng.integers(0, 2, 20)
    net = nr.Network([16, 3, 1], standardize="robust", seed=0)
    with pytest.raises(ValueError, match=r"standardize='robust' is for tables.*augment="):
        net.fit(X, y, epochs=1, augment=lambda batch, r: batch)


def test_the_table_preprocessor_scales_robustly_by_name():
    frame = pd.DataFrame({"a": [1.0, 2, 3, 4, 100], "b": ["x", "y", "x", "y", "x"]})
    pre = Preprocessor(scaling="robust", min_count=1).fit(frame)
    out = pre.transform(frame)
    np.testing.assert_allclose(out[:, 0], [clip(-1), clip(-0.5), 0, clip(0.5), clip(48.5)])
    np.testing.assert_array_equal(out[:, 1:], [[1, 0], [0, 1], [1, 0], [0, 1], [1, 0]])
    again = Preprocessor.from_dict(pre.to_dict(), pre.arrays())
    np.testing.assert_array_equal(again.transform(frame), out)
    assert "robust-scaled (median 3, IQR 2)" in pre.summary()[0]
    standard = Preprocessor(min_count=1).fit(frame).transform(frame)[:, 0]
    np.testing.assert_allclose(standard, (frame.a - frame.a.mean()) / frame.a.std(ddof=0))
    with pytest.raises(ValueError, match="scaling='minmax'"):
        Preprocessor(scaling="minmax")
