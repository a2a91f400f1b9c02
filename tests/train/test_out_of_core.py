"""fit keeps at most one copy of X: rows are standardized a batch at a time, and a memmap or
an .npy file is trained from in mini-batches, with the same numbers as the in-memory way."""

import tracemalloc

import numpy as np
import pytest

import nnrecipe as nr
from nnrecipe.data.rows import Rows, open_npy, write_npy


def _data(m=3000, n=20, dtype=np.float32):
    rng = np.random.default_rng(5)
    X = (rng.standard_normal((m, n)) * np.linspace(1, 9, n) + np.linspace(-50, 50, n)).astype(dtype)
    y = (X[:, 0] / 1 + X[:, 3] / 3 > -40).astype(int)
    return X, y


def _train(X, y, standardize, dtype="float32", dev=None, **kw):
    net = nr.Network([20, 16, 1], dtype=dtype, standardize=standardize, seed=3, keep_prob=0.9)
    history = net.fit(X, y, epochs=3, batch_size=64, seed=4, dev=dev, **kw)
    return net, history


def test_standardizing_batch_by_batch_gives_the_numbers_of_the_standardized_copy():
    X, y = _data()
    net, history = _train(X, y, standardize=True)
    eager = net.standardizer.transform(X)  # the copy the old fit made
    ref, ref_history = _train(eager, y, standardize=False)
    assert history.cost == ref_history.cost  # every step: bit for bit
    assert history.train_loss == ref_history.train_loss
    assert np.array_equal(net.theta, ref.theta)
    assert history.cost[-1] < history.cost[0]


@pytest.mark.parametrize("standardize", [True, False])
def test_fit_makes_no_copy_of_X(standardize):
    X, y = _data(m=60_000, n=100)  # 24 MB of float32
    net = nr.Network([100, 16, 1], dtype="float32", standardize=standardize, seed=0)
    # one-time costs first (a lazy import, the optional Numba kernel's compilation): they
    # are not copies of X
    net.copy().fit(X[:100], y[:100], epochs=1, batch_size=1024, seed=0)
    tracemalloc.start()
    try:
        net.fit(X, y, epochs=1, batch_size=1024, seed=0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # the old fit made a float64 copy to fit (2 X) and a standardized copy (1 X); without
    # standardization, the check for unscaled inputs made |X| and isnan(X) (1.25 X); what is
    # left: one inference chunk of inputs (8192 rows, 3.3 MB) and a few numbers a row
    # (the shuffled order, the targets, the outputs)
    assert peak < X.nbytes / 3, (peak, X.nbytes)


@pytest.mark.parametrize("stored", [np.float32, np.float64])
@pytest.mark.parametrize("standardize", [False, True])
def test_fit_from_an_npy_file_or_memmap_equals_fit_from_memory(tmp_path, stored, standardize):
    X, y = _data(dtype=stored)
    path = write_npy(
        tmp_path / "X.npy", (X[s : s + 700] for s in range(0, len(X), 700)), len(X), stored
    )
    assert np.array_equal(np.load(path), X)
    net, history = _train(X, y, standardize, dev=(X[:300], y[:300]))
    for source in (str(path), path, open_npy(path)):
        disk, disk_history = _train(source, y, standardize, dev=(X[:300], y[:300]))
        assert disk_history.cost == history.cost
        assert disk_history.train_error == history.train_error
        assert np.array_equal(disk.theta, net.theta)
    if standardize:
        X32 = X.astype(np.float32).astype(np.float64)  # fitted on the rows as the network sees them
        np.testing.assert_allclose(disk.standardizer.mean_, X32.mean(0), 1e-12)


def test_training_rows_of_a_memmap_are_made_a_batch_at_a_time(tmp_path):
    X, y = _data()
    path = write_npy(tmp_path / "X.npy", [X], len(X))
    net = nr.Network([20, 4, 1], dtype="float64", standardize=True)
    rows = net.prepare_training_inputs(path)
    assert isinstance(rows, Rows) and isinstance(rows.X, np.memmap) and len(rows) == len(X)
    expected = net.standardizer.transform(X.astype(np.float64))
    assert np.array_equal(rows[10:20], expected[10:20])
    assert np.array_equal(rows.take(np.array([7, 2, 2999])), expected[[7, 2, 2999]])
    with pytest.raises(TypeError, match="slices of rows"):
        rows[3]
    # in memory, in the network's dtype, nothing to standardize: the caller's array itself
    X32 = X.copy()
    assert nr.Network([20, 1], dtype="float32").prepare_training_inputs(X32) is X32


def test_bad_files_are_named_with_the_fix(tmp_path):
    net = nr.Network([20, 1])
    with pytest.raises(ValueError, match="not an .npy file"):
        net.fit(str(tmp_path / "X.csv"), np.zeros(3))
    with pytest.raises(ValueError, match="no such .npy file"):
        net.fit(tmp_path / "missing.npy", np.zeros(3))
    (tmp_path / "bad.npy").write_bytes(b"not numpy")
    with pytest.raises(ValueError, match="not a readable .npy array"):
        net.fit(tmp_path / "bad.npy", np.zeros(3))
    with pytest.raises(ValueError, match="held 3 rows but n_rows=4"):
        write_npy(tmp_path / "short.npy", [np.zeros((3, 2))], 4)
    assert not (tmp_path / "short.npy").exists()  # nothing half-written
    with pytest.raises(ValueError, match="does not fit"):
        write_npy(tmp_path / "wide.npy", [np.zeros((2, 2)), np.zeros((2, 3))], 4)
    with pytest.raises(ValueError, match="must end in .npy"):
        write_npy(tmp_path / "x.bin", [np.zeros((2, 2))], 2)
    nan = np.zeros((5, 20))
    nan[3, 2] = np.nan
    with pytest.raises(ValueError, match="row 3, column 2"):
        net.fit(write_npy(tmp_path / "nan.npy", [nan], 5), np.zeros(5))
