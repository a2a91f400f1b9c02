"""nnrecipe.sklearn: scikit-learn's own estimator checks, labels of any kind, Pipeline,
GridSearchCV, cross_val_score, dev sets, early stopping, partial_fit and pickling."""

import pickle
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.base import clone  # noqa: E402
from sklearn.datasets import (  # noqa: E402
    load_digits,
    make_blobs,
    make_multilabel_classification,
    make_regression,
)
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.metrics import accuracy_score, log_loss, r2_score  # noqa: E402
from sklearn.model_selection import (  # noqa: E402
    GridSearchCV,
    StratifiedKFold,
    cross_val_score,
    train_test_split,
)
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from nnrecipe.sklearn import NNClassifier, NNRegressor  # noqa: E402

FAST = dict(hidden_layer_sizes=(32,), learning_rate=0.01, epochs=50, seed=0)
# dropout, L1 + L2, two tanh layers, early stopping on a held-out split
VARIANT = dict(
    hidden_layer_sizes=(32, 16),
    activation="tanh",
    learning_rate=0.01,
    epochs=60,
    seed=0,
    keep_prob=0.9,
    l1=1e-3,
    l2=1e-2,
    early_stopping=True,
    patience=5,
)
FLOAT32 = dict(FAST, hidden_layer_sizes=(32, 16), dtype="float32")


def expected_failed_checks(estimator):
    if estimator.dtype != "float32":
        return {}
    # dtype='float32' asks for a single-precision network, preserved end to end (DESIGN.md)
    expected = {
        "check_methods_sample_order_invariance": (
            "float32 matrix products round differently when BLAS blocks the rows in another "
            "order: predictions differ by ~1 float32 ulp (relative 1e-7), the check's rtol"
        )
    }
    if isinstance(estimator, NNRegressor):
        expected["check_regressor_multioutput"] = (
            "the check demands float64 predictions; a float32 network predicts float32 "
            "(the default dtype='float64' passes it)"
        )
    return expected


@parametrize_with_checks(
    # the defaults too: scikit-learn's set_random_state seeds them through random_state
    [NNClassifier(), NNRegressor()]
    + [C(**kw) for kw in (FAST, VARIANT, FLOAT32) for C in (NNClassifier, NNRegressor)],
    expected_failed_checks=expected_failed_checks,
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(n_samples=600, centers=3, cluster_std=1.0, random_state=0)
    return train_test_split(X, y, test_size=0.3, random_state=0)


def test_pipeline_with_standard_scaler_on_digits(digits):
    X_train, X_test, y_train, y_test = digits
    model = make_pipeline(StandardScaler(), NNClassifier((64,), epochs=30, seed=0))
    model.fit(X_train, y_train)
    assert model.score(X_test, y_test) > 0.95
    net = model[-1].network_
    assert net.layer_sizes == [64, 64, 10] and net.output == "softmax"
    assert model[-1].n_iter_ == 30 and len(model[-1].loss_curve_) == 30


def test_grid_search_over_l2_and_keep_prob_picks_the_sane_corner(blobs):
    X_train, X_test, y_train, y_test = blobs
    grid = GridSearchCV(
        make_pipeline(StandardScaler(), NNClassifier((32,), epochs=30, learning_rate=0.01, seed=0)),
        {"nnclassifier__l2": [1e-3, 1e4], "nnclassifier__keep_prob": [1.0, 0.02]},
        cv=3,
    )
    grid.fit(X_train, y_train)
    # λ = 1e4 crushes every weight to 0 and keep_prob=0.02 drowns the signal in noise: if the
    # parameters did not reach the network, all four candidates would score the same
    assert grid.best_params_ == {"nnclassifier__l2": 1e-3, "nnclassifier__keep_prob": 1.0}
    scores = grid.cv_results_["mean_test_score"]
    assert len(scores) == 4 and scores.max() - scores.min() > 0.2
    assert grid.score(X_test, y_test) > 0.85


def test_cross_val_score_matches_a_manual_loop(blobs):
    X, _, y, _ = blobs
    model = make_pipeline(
        StandardScaler(), NNClassifier((16,), epochs=20, learning_rate=0.01, seed=3)
    )
    cv = StratifiedKFold(n_splits=4, shuffle=True, random_state=0)
    scores = cross_val_score(model, X, y, cv=cv)
    manual = [clone(model).fit(X[tr], y[tr]).score(X[te], y[te]) for tr, te in cv.split(X, y)]
    np.testing.assert_allclose(scores, manual)
    assert scores.mean() > 0.85


@pytest.mark.parametrize(
    "names", [np.array(["setosa", "versicolor", "virginica"]), np.array([-3, 7, 100])]
)
def test_string_and_non_contiguous_multiclass_labels(blobs, names):
    X_train, X_test, y_train, y_test = blobs
    clf = NNClassifier((16,), epochs=40, learning_rate=0.01, seed=0)
    clf.fit(X_train, names[y_train])
    np.testing.assert_array_equal(clf.classes_, np.sort(names))
    assert clf.network_.output == "softmax" and clf.network_.layer_sizes[-1] == 3
    pred = clf.predict(X_test)
    assert pred.dtype == names.dtype and accuracy_score(names[y_test], pred) > 0.85
    proba = clf.predict_proba(X_test)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], pred)
    # the same data with labels 0..2 trains the very same network: labels are only positions
    ref = NNClassifier((16,), epochs=40, learning_rate=0.01, seed=0).fit(
        X_train, np.searchsorted(np.sort(names), names[y_train])
    )
    np.testing.assert_array_equal(ref.network_.get_vector(), clf.network_.get_vector())


def test_binary_labels_use_one_sigmoid_unit(blobs):
    X_train, X_test, y_train, y_test = blobs
    keep = y_train != 2
    labels = np.array(["no", "yes"])[y_train[keep]]
    clf = NNClassifier((8,), epochs=30, learning_rate=0.01, seed=0).fit(X_train[keep], labels)
    assert clf.network_.layer_sizes[-1] == 1 and clf.network_.output == "sigmoid"
    proba = clf.predict_proba(X_test)
    p = clf.network_.predict_proba(X_test)[:, 0]
    np.testing.assert_allclose(proba, np.column_stack([1 - p, p]))
    np.testing.assert_array_equal(clf.predict(X_test), np.where(p > 0.5, "yes", "no"))
    test = y_test != 2
    assert clf.score(X_test[test], np.array(["no", "yes"])[y_test[test]]) > 0.9
    # log of the probabilities, not of some other scale
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X_test)), proba)


def test_multilabel_indicator_targets():
    X, Y = make_multilabel_classification(n_samples=400, n_classes=3, random_state=0)
    clf = make_pipeline(StandardScaler(), NNClassifier((32,), epochs=60, seed=0))
    clf.fit(X[:300], Y[:300])
    net = clf[-1].network_
    assert net.output == "sigmoid" and net.layer_sizes[-1] == 3
    np.testing.assert_array_equal(clf[-1].classes_, [0, 1, 2])
    pred = clf.predict(X[300:])
    assert pred.shape == (100, 3) and pred.dtype == Y.dtype
    assert np.mean(pred == Y[300:]) > 0.75  # per-label (Hamming) accuracy
    np.testing.assert_array_equal(pred, clf.predict_proba(X[300:]) > 0.5)


def test_regression_r2_single_and_multi_output():
    X, y = make_regression(n_samples=500, n_features=5, n_targets=2, noise=5.0, random_state=0)
    y = y / y.std(axis=0)
    reg = make_pipeline(StandardScaler(), NNRegressor((32,), epochs=80, learning_rate=0.01, seed=0))
    reg.fit(X[:400], y[:400, 0])
    assert reg.predict(X[400:]).shape == (100,)
    assert reg.score(X[400:], y[400:, 0]) > 0.95
    reg.fit(X[:400], y[:400])
    assert reg.predict(X[400:]).shape == (100, 2) and reg[-1].n_outputs_ == 2
    assert r2_score(y[400:], reg.predict(X[400:])) > 0.95


def test_dev_set_is_measured_every_epoch(blobs):
    X_train, X_dev, y_train, y_dev = blobs
    names = np.array(["a", "b", "c"])
    clf = NNClassifier((16,), epochs=15, seed=0).fit(
        X_train, names[y_train], dev=(X_dev, names[y_dev])
    )
    h = clf.history_
    assert len(h.dev_loss) == len(h.dev_error) == clf.n_iter_ == 15
    # without early stopping the last epoch's dev figures describe the final estimator
    assert h.dev_error[-1] == pytest.approx(1 - clf.score(X_dev, names[y_dev]))
    assert h.dev_loss[-1] == pytest.approx(
        log_loss(names[y_dev], clf.predict_proba(X_dev), labels=clf.classes_)
    )
    with pytest.raises(ValueError, match=r"dev\[1\] \(y_dev\).*\['z'\]"):
        clf.fit(X_train, names[y_train], dev=(X_dev, np.full(len(y_dev), "z")))
    with pytest.raises(ValueError, match=r"dev\[0\] \(X_dev\)"):
        clf.fit(X_train, names[y_train], dev=(X_dev[:, :1], names[y_dev]))


def test_early_stopping_on_dev_restores_the_best_epoch():
    # few, noisy examples and a wide network: the dev loss turns up early
    X, y = make_blobs(n_samples=300, centers=2, cluster_std=8.0, n_features=20, random_state=1)
    X_train, y_train, X_dev, y_dev = X[:60], y[:60], X[60:], y[60:]
    clf = NNClassifier(
        (256,),
        learning_rate=0.01,
        batch_size=16,
        epochs=300,
        early_stopping=True,
        patience=5,
        seed=0,
    ).fit(X_train, y_train, dev=(X_dev, y_dev))
    h = clf.history_
    assert h.stop_reason == "early_stopping" and clf.n_iter_ < 300
    assert h.best_epoch == int(np.argmin(h.dev_loss)) == clf.n_iter_ - 1 - 5
    # the estimator holds the best epoch's weights, not the last ones
    assert log_loss(y_dev, clf.predict_proba(X_dev)) == pytest.approx(min(h.dev_loss))


def test_early_stopping_without_dev_holds_out_validation_fraction(blobs):
    X_train, _, y_train, _ = blobs
    clf = NNClassifier(
        (16,), epochs=500, early_stopping=True, validation_fraction=0.2, patience=3, seed=0
    ).fit(X_train, y_train)
    h = clf.history_
    assert h.stop_reason == "early_stopping" and clf.n_iter_ < 500
    # the dev set is the seeded, stratified 20 % split, and the best epoch's weights are kept
    _, X_held, _, y_held = train_test_split(
        X_train, y_train, test_size=84, random_state=0, stratify=y_train
    )
    assert log_loss(y_held, clf.predict_proba(X_held)) == pytest.approx(min(h.dev_loss))


def test_partial_fit_epochs_equal_fit_epochs(blobs):
    X, _, y, _ = blobs
    full = NNClassifier((16,), epochs=5, seed=0).fit(X, y)
    part = NNClassifier((16,), epochs=5, seed=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        part.partial_fit(X, y)
    part.partial_fit(X, y, classes=[0, 1, 2])
    for _ in range(4):
        part.partial_fit(X, y)
    # same shuffles and Adam moments carried over: bit-identical weights
    np.testing.assert_array_equal(part.network_.get_vector(), full.network_.get_vector())
    assert part.n_iter_ == 5 and part.history_.epoch == [0, 1, 2, 3, 4]
    assert part.history_.cost == full.history_.cost
    with pytest.raises(ValueError, match="differs from the classes"):
        part.partial_fit(X, y, classes=[0, 1])
    # fit starts afresh: a second fit equals the first one
    np.testing.assert_array_equal(part.fit(X, y).network_.get_vector(), full.network_.get_vector())


def test_partial_fit_regressor_and_pickle_continue_identically():
    X, y = make_regression(n_samples=120, n_features=4, noise=1.0, random_state=0)
    reg = NNRegressor((8,), seed=0).partial_fit(X, y / y.std())
    copy = pickle.loads(pickle.dumps(reg))
    np.testing.assert_array_equal(copy.predict(X), reg.predict(X))
    for model in (reg, copy):
        model.partial_fit(X, y / y.std())
    # a pickled estimator keeps training the same network (θ and the layers stay linked)
    np.testing.assert_array_equal(copy.predict(X), reg.predict(X))
    assert copy.n_iter_ == reg.n_iter_ == 2


def test_float32_is_preserved_and_float64_is_the_default(blobs):
    X_train, X_test, y_train, _ = blobs
    X32 = X_train.astype(np.float32)
    clf = NNClassifier((8,), epochs=3, dtype="float32", seed=0).fit(X32, y_train)
    assert clf.network_.dtype == np.float32
    assert clf.predict_proba(X_test).dtype == np.float32
    default = NNClassifier((8,), epochs=3, seed=0).fit(X32, y_train)
    assert default.predict_proba(X_test).dtype == np.float64


def test_one_sample_and_one_class():
    X = np.arange(6.0).reshape(1, 6)
    assert NNRegressor((4,), epochs=2, seed=0).fit(X, [1.5]).predict(X).shape == (1,)
    with pytest.raises(ValueError, match="only one class"):
        NNClassifier(epochs=2).fit(np.ones((5, 2)), ["a"] * 5)
    with pytest.raises(ValueError, match="1 sample"):
        NNRegressor(epochs=2, early_stopping=True).fit(X, [1.5])


def test_feature_names_in_from_a_dataframe(blobs):
    pd = pytest.importorskip("pandas")
    X_train, X_test, y_train, _ = blobs
    df = pd.DataFrame(X_train, columns=["width", "height"])
    clf = NNClassifier((4,), epochs=2, seed=0).fit(df, y_train)
    np.testing.assert_array_equal(clf.feature_names_in_, ["width", "height"])
    assert clf.n_features_in_ == 2


@pytest.mark.parametrize(
    "params, match",
    [
        ({"hidden_layer_sizes": (10, 0)}, r"hidden_layer_sizes\[1\]=0"),
        ({"hidden_layer_sizes": "10"}, "hidden_layer_sizes must be a tuple"),
        ({"activation": "softmax"}, "activation='softmax'"),
        ({"activation": "relux"}, "activation"),
        ({"keep_prob": 0.0}, "keep_prob=0.0"),
        ({"l2": -1.0}, "l2=-1.0"),
        ({"init": "lecun"}, "init='lecun'"),
        ({"optimizer": "adamw"}, "optimizer='adamw'"),
        ({"optimizer": "gd", "batch_size": 32}, "optimizer='gd'"),
        ({"epochs": 0}, "epochs=0"),
        ({"validation_fraction": 1.5}, "validation_fraction=1.5"),
        ({"patience": -1}, "patience=-1"),
        ({"seed": -1}, "seed must be None or an integer"),
        ({"seed": "zero"}, "seed must be None or an integer"),
        ({"early_stopping": "yes"}, "early_stopping must be True or False"),
        ({"dtype": "float16"}, "dtype='float16'"),
    ],
)
def test_bad_parameters_are_named_at_fit(params, match):
    X, y = np.ones((6, 2)), [0, 1] * 3
    clf = NNClassifier(**params)  # __init__ only stores
    with pytest.raises((ValueError, TypeError), match=match):
        clf.fit(X, y)
    assert not hasattr(clf, "network_")


def test_regressor_rejects_softmax_output():
    with pytest.raises(ValueError, match="output='softmax'"):
        NNRegressor(output="softmax").fit(np.ones((4, 2)), [1.0, 2.0, 3.0, 4.0])


def test_import_error_names_the_extra_and_nnrecipe_stays_light():
    code = (
        "import sys; import nnrecipe; assert 'sklearn' not in sys.modules\n"
        "sys.modules['sklearn'] = None\n"
        "try:\n    import nnrecipe.sklearn\nexcept ImportError as e:\n    print(e)\n"
    )
    src = str(Path(__file__).resolve().parents[2] / "src")
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": src},
        check=True,
    ).stdout
    assert "pip install scikit-learn" in out and "'nnrecipe[" not in out


def test_readme_sklearn_example_runs():
    text = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = text.split("## scikit-learn estimators", 1)[1]
    block = re.search(r"```python\n(.*?)```", section, flags=re.S).group(1)
    namespace: dict = {}
    exec(compile(block, "README.md", "exec"), namespace)
    assert namespace["grid"].best_score_ > 0.9
    clf = namespace["clf"]
    assert clf.history_.stop_reason == "early_stopping" and clf.n_iter_ < 100
    assert clf.score(namespace["X_test"] / 16, namespace["y_test"]) > 0.95


def test_a_failed_refit_leaves_no_stale_mix(blobs):
    X_train, X_dev, y_train, y_dev = blobs
    clf = NNClassifier((4,), epochs=2, seed=0).fit(X_train, y_train)
    with pytest.raises(ValueError, match="dev"):
        clf.fit(X_train, np.array(["a", "b", "c"])[y_train], dev=(X_dev, y_dev))
    # the old network must not answer with the new classes_: the estimator is unfitted
    with pytest.raises(NotFittedError):
        clf.predict(X_dev)


def test_random_state_is_the_seed_and_seed_stays_an_alias(blobs):
    X_train, X_dev, y_train, y_dev = blobs
    a = NNClassifier((8,), epochs=3, random_state=5).fit(X_train, y_train)
    b = NNClassifier((8,), epochs=3, seed=5).fit(X_train, y_train)
    c = NNClassifier((8,), epochs=3, seed=9, random_state=5).fit(X_train, y_train)  # wins
    assert np.array_equal(a.predict_proba(X_dev), b.predict_proba(X_dev))
    assert np.array_equal(a.predict_proba(X_dev), c.predict_proba(X_dev))
    assert "random_state" in NNRegressor().get_params()
    # a RandomState gives one draw per fit, as in scikit-learn: refits differ, runs repeat
    rs = NNClassifier((8,), epochs=3, random_state=np.random.RandomState(0))
    first = rs.fit(X_train, y_train).predict_proba(X_dev)
    assert not np.array_equal(first, rs.fit(X_train, y_train).predict_proba(X_dev))
    again = NNClassifier((8,), epochs=3, random_state=np.random.RandomState(0))
    assert np.array_equal(first, again.fit(X_train, y_train).predict_proba(X_dev))
    with pytest.raises(TypeError, match="random_state must be"):
        NNClassifier(random_state="zero").fit(X_train, y_train)
