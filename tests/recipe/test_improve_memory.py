"""improve makes no copy of the data beyond its split: a large float32 array is not
converted to float64 (standardizer, zero-coded check, reference model, predictions)."""

import tracemalloc
import warnings

import numpy as np

import nnrecipe as nr


def test_improve_holds_the_split_and_train_plus_dev_but_no_float64_copy():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((100_000, 100), dtype=np.float32) * 3 + 5  # 40 MB
    y = (X[:, 0] + X[:, 1] > 10).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nr.improve(X[:300], y[:300], budget=1, epochs=1, seed=0)  # lazy imports first
        tracemalloc.start()
        try:
            result = nr.improve(X, y, budget=1, epochs=1, seed=0, baseline_error=0.0)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    # the train/dev/test split (1 X) and train+dev for the refit (0.8 X) stay in X's dtype;
    # before, float64 copies of the training rows (standardizer: 1.2 X, zero-coded columns:
    # 1.6 X, the training predictions: 1.2 X) took the peak to 4.7 X
    assert peak < 2.6 * X.nbytes, peak / X.nbytes
    assert result.test_error < 0.05
