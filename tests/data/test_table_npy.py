"""A large table goes to .npy files chunk by chunk, and fit trains from them."""

import numpy as np
import pandas as pd
import pytest

import nnrecipe as nr
from nnrecipe.data.preprocess import Preprocessor
from nnrecipe.data.table_npy import read_chunks, table_to_npy


@pytest.fixture
def csv(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "a": rng.normal(10, 2, 1000),
            "b": rng.normal(-3, 5, 1000),
            "color": rng.choice(["red", "green", "blue"], 1000),
        }
    )
    frame["target"] = ((frame["a"] - 10) / 2 + (frame["color"] == "red") > 0.5).astype(int)
    frame.loc[7, "target"] = np.nan  # a row without a target is skipped
    frame.loc[3, "a"] = np.nan  # a missing feature is imputed
    path = tmp_path / "big.csv"
    frame.to_csv(path, index=False)
    return path, frame


def test_chunks_of_the_table_equal_the_whole_table(csv):
    path, frame = csv
    chunks = list(read_chunks(path, chunk_rows=300))
    assert [len(c) for c in chunks] == [300, 300, 300, 100]
    pd.testing.assert_frame_equal(
        pd.concat(chunks, ignore_index=True)[["a", "b"]], frame[["a", "b"]]
    )
    with pytest.raises(ValueError, match="chunk_rows=0 must be a positive integer"):
        next(read_chunks(path, chunk_rows=0))


def test_table_to_npy_writes_the_preprocessed_rows_and_fit_trains_from_them(csv, tmp_path):
    path, frame = csv
    kept = frame[frame["target"].notna()]
    pre = Preprocessor().fit(kept.drop(columns=["target"]))  # fitted on the training rows
    used = table_to_npy(
        path, tmp_path / "X.npy", tmp_path / "y.npy", preprocessor=pre, chunk_rows=256
    )
    assert used is pre
    X, y = np.load(tmp_path / "X.npy", mmap_mode="r"), np.load(tmp_path / "y.npy")
    assert X.shape == (999, pre.n_outputs) and X.dtype == np.float32 and len(y) == 999
    expected = pre.transform(kept.drop(columns=["target"])).astype(np.float32)
    np.testing.assert_allclose(X, expected, rtol=1e-6)
    np.testing.assert_array_equal(y, kept["target"].to_numpy())
    net = nr.Network([pre.n_outputs, 8, 1], seed=0, dtype="float32")
    history = net.fit(tmp_path / "X.npy", y, epochs=30, seed=0, learning_rate=0.01)
    assert history.train_error[-1] < 0.1


def test_without_a_preprocessor_the_first_chunk_fits_one(csv, tmp_path):
    path, _ = csv
    pre = table_to_npy(path, tmp_path / "X.npy", tmp_path / "y.npy", chunk_rows=400)
    assert pre.fitted and np.load(tmp_path / "X.npy").shape == (999, pre.n_outputs)


def test_a_text_target_is_refused_with_the_fix(tmp_path):
    path = tmp_path / "t.csv"
    pd.DataFrame({"x": [1.0, 2.0, 3.0], "label": ["a", "b", "a"]}).to_csv(path, index=False)
    with pytest.raises(ValueError, match="map the labels to numbers first"):
        table_to_npy(path, tmp_path / "X.npy", tmp_path / "y.npy", target="label")
    assert not (tmp_path / "X.npy").exists()
