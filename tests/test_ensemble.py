"""nnrecipe.Ensemble: the mean of its members' outputs, one encoding, one model file."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pandas as pd
import pytest

import nnrecipe as nr
from nnrecipe.cli import main


def constant(probabilities, output="softmax"):
    """A network [1, k] whose output is ``probabilities`` for every row (W = 0, b = logits)."""
    p = np.asarray(probabilities, dtype=np.float64)
    net = nr.Network([1, len(p)], output=output, seed=0)
    logits = np.log(p) if output == "softmax" else np.log(p / (1 - p))
    net.set_parameters({"W1": np.zeros((len(p), 1)), "b1": logits})
    return net


X1 = np.zeros((4, 1))


def test_probabilities_are_the_mean_of_the_members_hand_checked():
    a, b = constant([0.7, 0.2, 0.1]), constant([0.1, 0.3, 0.6])
    ens = nr.Ensemble([a, b])
    np.testing.assert_allclose(ens.predict_proba(X1), [[0.4, 0.25, 0.35]] * 4)
    # member b alone says class 2; the mean says class 0
    assert b.predict(X1).tolist() == [2] * 4 and ens.predict(X1).tolist() == [0] * 4
    scores = ens.evaluate(X1, [0, 0, 2, 1])
    assert scores["error"] == 0.5 and scores["accuracy"] == 0.5
    expected = -(2 * np.log(0.4) + np.log(0.35) + np.log(0.25)) / 4  # cross-entropy of P
    assert scores["loss"] == pytest.approx(expected, rel=1e-12)
    assert ens.members == [a, b] and len(ens) == 2 and ens.n_parameters == 12


def test_a_sigmoid_ensemble_averages_p_and_thresholds_it():
    ens = nr.Ensemble([constant([0.2], "sigmoid"), constant([0.9], "sigmoid")])
    np.testing.assert_allclose(ens.predict_proba(X1), 0.55)
    assert ens.predict(X1).tolist() == [1] * 4
    loss = ens.evaluate(X1, [1, 1, 0, 0])["loss"]
    assert loss == pytest.approx(-(np.log(0.55) + np.log(0.45)) / 2, rel=1e-12)


def test_a_regression_averages_predictions_in_the_targets_units():
    members = []
    for c in (1.0, 2.0, 6.0):
        net = nr.Network([1, 1], output="linear", seed=0)
        net.set_parameters({"W1": np.zeros((1, 1)), "b1": np.array([c])})
        members.append(net)
    ens = nr.Ensemble(members)
    np.testing.assert_allclose(ens.predict(X1), 3.0)
    assert ens.evaluate(X1, [3.0, 3.0, 5.0, 1.0])["error"] == pytest.approx(2.0)
    ens.target_scaling = (10.0, 2.0)  # sets every member's
    assert all(m.target_scaling == (10.0, 2.0) for m in members)
    np.testing.assert_allclose(ens.predict(X1), 16.0)  # μ + σ · mean


def test_members_that_disagree_are_refused_naming_the_member():
    a, b = nr.Network([3, 4, 2], output="softmax", seed=0), nr.Network([3, 5, 3], seed=1)
    with pytest.raises(ValueError, match=r"networks\[1\] has outputs \(layer_sizes\[-1\]\) 3"):
        nr.Ensemble([a, b])
    c = nr.Network([3, 8, 2], output="softmax", seed=2)
    c.classes = ["x", "y"]
    with pytest.raises(ValueError, match=r"networks\[1\] has classes \['x', 'y'\]"):
        nr.Ensemble([a, c])
    with pytest.raises(TypeError, match=r"networks\[1\] is a str"):
        nr.Ensemble([a, "net"])
    with pytest.raises(ValueError, match="empty"):
        nr.Ensemble([])
    with pytest.raises(TypeError, match="wrap a single network in a list"):
        nr.Ensemble(a)


@pytest.fixture(scope="module")
def table_ensemble():
    """Three networks fitted on one DataFrame with text labels (each its own seed)."""
    rng = np.random.default_rng(0)
    m = 200
    frame = pd.DataFrame(
        {"size": rng.normal(0, 1, m), "colour": rng.choice(["red", "blue", "green"], m)}
    )
    label = np.where(frame["size"] + (frame["colour"] == "red") > 0.5, "big", "small")
    members = []
    for seed in range(3):
        net = nr.Network([4, 8, 1], seed=seed)
        net.fit(frame, label, epochs=30, seed=seed)
        members.append(net)
    return frame, label, nr.Ensemble(members)


def test_raw_tables_and_class_names_work_as_for_one_network(table_ensemble):
    frame, label, ens = table_ensemble
    assert ens.classes == ["big", "small"]
    mean = np.mean([net.predict_proba(frame) for net in ens.members], axis=0)
    np.testing.assert_allclose(ens.predict_proba(frame), mean, rtol=1e-14)
    predicted = ens.predict(frame)
    assert set(predicted) <= {"big", "small"}
    assert ens.evaluate(frame, label)["error"] == pytest.approx(np.mean(predicted != label))
    diag = ens.diagnose((frame, label), (frame, label))
    assert diag.train_error == pytest.approx(np.mean(predicted != label))


def test_save_and_load_round_trip(tmp_path, table_ensemble):
    frame, _, ens = table_ensemble
    path = ens.save(tmp_path / "ens")
    assert path.name == "ens.npz"
    back = nr.load(path)
    assert isinstance(back, nr.Ensemble) and len(back) == 3
    assert back.classes == ["big", "small"] and back.preprocessor is not None
    np.testing.assert_array_equal(back.predict_proba(frame), ens.predict_proba(frame))
    for mine, theirs in zip(back.members, ens.members, strict=True):
        for key, value in theirs.get_parameters().items():
            np.testing.assert_array_equal(mine.get_parameters()[key], value)
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(data["__meta__"].tobytes())
        assert meta["format_version"] == 3 and len(meta["members"]) == 3
        assert "member2_W2" in data.files and "preprocess_mean" in data.files


def test_one_network_files_load_as_before(tmp_path, table_ensemble):
    net = table_ensemble[2].members[0]
    plain = nr.Network([2, 3, 1], seed=0)
    path = plain.save(tmp_path / "plain.npz")
    with np.load(path, allow_pickle=False) as data:
        assert json.loads(data["__meta__"].tobytes())["format_version"] == 1
    assert type(nr.load(path)) is nr.Network
    back = nr.load(net.save(tmp_path / "table.npz"))
    assert type(back) is nr.Network and back.classes == ["big", "small"]


def _rewrite(path, key, array):
    """Replace the array ``key`` of the .npz at ``path``."""
    with zipfile.ZipFile(path) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    tmp = path.with_name("x.npz")
    np.savez(tmp, **{key: array})
    with zipfile.ZipFile(tmp) as zf:
        members[f"{key}.npy"] = zf.read(f"{key}.npy")
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)


@pytest.mark.parametrize(
    ("key", "array", "message"),
    [
        ("member1_W1", np.zeros((9, 4)), r"'member1_W1' declares shape \(9, 4\)"),
        ("member1_standardizer_scale", np.zeros(2), "member 1 holds a damaged standardizer"),
        ("member2_b1", np.zeros(8, dtype=object), "member2_b1"),
    ],
)
def test_a_damaged_member_is_refused_naming_the_file_and_member(tmp_path, key, array, message):
    members = [nr.Network([2, 8, 1], standardize=True, seed=s) for s in range(3)]
    for net in members:
        net.standardizer.fit(np.random.default_rng(0).normal(size=(10, 2)))
    path = nr.Ensemble(members).save(tmp_path / "ens.npz")
    _rewrite(path, key, array)
    with pytest.raises(ValueError, match=message) as info:
        nr.load(path)
    assert "ens.npz" in str(info.value) and f"member {key[6]}" in str(info.value)


def test_a_file_whose_members_disagree_is_refused(tmp_path):
    path = nr.Ensemble([nr.Network([2, 3, 1], seed=0)] * 2).save(tmp_path / "e.npz")
    meta = json.loads(np.load(path)["__meta__"].tobytes())
    meta["members"][1]["dtype"] = "float32"
    _rewrite(path, "__meta__", np.frombuffer(json.dumps(meta).encode(), np.uint8))
    with pytest.raises(ValueError, match=r"e\.npz.*inconsistent.*networks\[1\] has dtype"):
        nr.load(path)


def test_the_cli_predicts_and_diagnoses_with_an_ensemble_file(tmp_path, table_ensemble, capsys):
    frame, label, ens = table_ensemble
    model = ens.save(tmp_path / "ens.npz")
    frame.assign(label=label).to_csv(tmp_path / "data.csv", index=False)
    out = tmp_path / "p.csv"
    args = ["predict", "--model", str(model), "--data", str(tmp_path / "data.csv")]
    assert main([*args, "--out", str(out), "--proba"]) == 0
    written = pd.read_csv(out)
    np.testing.assert_array_equal(written["prediction"], ens.predict(frame))
    np.testing.assert_allclose(written["proba_small"], ens.predict_proba(frame)[:, 0])
    capsys.readouterr()
    diagnose = ["diagnose", "--model", str(model), "--data", str(tmp_path / "data.csv")]
    assert main([*diagnose, "--target", "label", "--json"]) == 0
    assert "train_error" in json.loads(capsys.readouterr().out)


def test_a_fitted_estimator_predicts_with_an_ensemble_as_its_network():
    from nnrecipe.sklearn import NNClassifier

    X, y = nr.datasets.moons(n=200, seed=0)
    fitted = [NNClassifier(hidden_layer_sizes=(8,), epochs=5, random_state=s).fit(X, y)
              for s in range(3)]  # fmt: skip
    est = fitted[0]
    expected = np.mean([f.predict_proba(X) for f in fitted], axis=0)
    est.network_ = nr.Ensemble([f.network_ for f in fitted])
    np.testing.assert_allclose(est.predict_proba(X), expected, rtol=1e-12)
    np.testing.assert_array_equal(est.predict(X), expected.argmax(axis=1))
    with pytest.raises(TypeError, match="network_ is Ensemble.*call fit"):
        est.partial_fit(X, y)
    assert type(est.fit(X, y).network_) is nr.Network  # fit trains one network again
