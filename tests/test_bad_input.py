"""Each bad input raises ValueError/TypeError naming the argument and the fix, before any work."""

import numpy as np
import pytest

import nnrecipe as nr

X = np.random.default_rng(0).normal(size=(10, 2))
y = np.arange(10) % 2


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        ({"layer_sizes": [2]}, ValueError, "layer_sizes"),
        ({"layer_sizes": [2, 0, 1]}, ValueError, r"layer_sizes\[1\]"),
        ({"layer_sizes": "2,3,1"}, TypeError, "layer_sizes"),
        ({"hidden": "relux"}, ValueError, "hidden='relux'.*leaky_relu"),
        ({"hidden": ["relu", "tanh"]}, ValueError, "1 hidden layers"),
        ({"hidden": "softmax"}, ValueError, "only supported on the output"),
        ({"output": "sofmax"}, ValueError, "output"),
        ({"output": "softmax", "loss": "binary_crossentropy"}, ValueError, "sigmoid"),
        ({"init": "kaiming"}, ValueError, "init='kaiming'.*he"),
        ({"init": ("random", -1.0)}, ValueError, "scale"),
        ({"keep_prob": 0.0}, ValueError, r"keep_prob=0.0 must be in \(0, 1\]"),
        ({"keep_prob": 1.5}, ValueError, "keep_prob"),
        ({"keep_prob": [0.5, 0.5]}, ValueError, "keep_prob has 2 values"),
        ({"l2": -0.1}, ValueError, "l2=-0.1"),
        ({"l1": float("nan")}, ValueError, "l1"),
        ({"l2": "big"}, TypeError, "l2"),
        ({"dtype": "float16"}, ValueError, "dtype"),
        ({"seed": "abc"}, TypeError, "seed"),
    ],
)
def test_constructor_rejects_bad_arguments(kwargs, error, match):
    args = {"layer_sizes": [2, 3, 1], **kwargs}
    with pytest.raises(error, match=match):
        nr.Network(**args)


def net():
    return nr.Network([2, 3, 1], seed=0)


@pytest.mark.parametrize(
    "X_bad,y_bad,match",
    [
        (X[:, :1], y, "1 features .* expects 2"),
        (X.T, y, r"X has 10 features.*pass X\.T|expects 2"),
        (X[:, 0], y, "2-D"),
        (np.zeros((0, 2)), y[:0], "empty"),
        (np.where(np.eye(10, 2) > 0, np.nan, X), y, "NaN or inf .*row 0"),
        (np.array([["a", "b"]] * 10), y, "numbers"),
        (X, y[:5], "10 examples but y has 5"),
        (X, y + 1, r"labels in \{0, 1\}"),
        (X, np.where(y > 0, np.inf, 0), "NaN or inf"),
    ],
)
def test_fit_rejects_bad_data(X_bad, y_bad, match):
    with pytest.raises((ValueError, TypeError), match=match):
        net().fit(X_bad, y_bad, epochs=1)


def test_softmax_labels_outside_the_output_range():
    with pytest.raises(ValueError, match=r"labels must be in 0\.\.2"):
        nr.Network([2, 4, 3], output="softmax").fit(X, np.arange(10) % 4, epochs=1)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"optimizer": "adamw"}, "optimizer='adamw'"),
        ({"learning_rate": -1.0}, "learning_rate"),
        ({"epochs": 0}, "epochs"),
        ({"batch_size": 0}, "batch_size"),
        ({"optimizer": "gd", "batch_size": 32}, "batch gradient descent"),
        ({"dev": (X[:, :1], y)}, r"dev\[0\]"),
        ({"dev": X}, "dev must be a tuple"),
        ({"early_stopping": 10}, "EarlyStopping"),
        ({"decay_rate": -1.0}, "decay_rate"),
    ],
)
def test_fit_rejects_bad_options(kwargs, match):
    network = net()
    before = network.get_vector()
    with pytest.raises((ValueError, TypeError), match=match):
        network.fit(X, y, **kwargs)
    np.testing.assert_array_equal(network.get_vector(), before)  # no work was done


def test_early_stopping_rejects_bad_arguments():
    with pytest.raises(ValueError, match="monitor='dev_acc'"):
        nr.EarlyStopping(monitor="dev_acc")
    with pytest.raises(ValueError, match="patience"):
        nr.EarlyStopping(patience=-1)


def test_set_parameters_checks_keys_and_shapes():
    network = net()
    params = network.get_parameters()
    with pytest.raises(ValueError, match="missing"):
        network.set_parameters({"W1": params["W1"]})
    params["W2"] = np.zeros((3, 1))
    with pytest.raises(ValueError, match=r"W2.*\(3, 1\).*\(1, 3\)"):
        network.set_parameters(params)
    params = network.get_parameters()
    params["b1"] = params["b1"].reshape(-1, 1)  # the course's column vector is accepted
    network.set_parameters(params)


def test_forward_with_wrong_rng_type():
    with pytest.raises(TypeError, match="rng"):
        net().forward(X, training=True, rng="seed")


def test_the_hidden_error_lists_only_hidden_activations():
    with pytest.raises(ValueError) as info:
        nr.Network([2, 4, 1], hidden="swish")
    assert "'relu'" in str(info.value) and "softmax" not in str(info.value)
    with pytest.raises(ValueError, match="only supported on the output layer; valid hidden"):
        nr.Network([2, 4, 1], hidden="Softmax")


@pytest.mark.parametrize("content", [b"garbage\n", bytes(range(256)) * 8, b"PK\x03\x04junk"])
def test_loading_a_garbage_file_never_suggests_unpickling(tmp_path, content):
    path = tmp_path / "model.npz"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="is not a readable nnrecipe model") as info:
        nr.load(path)
    assert "pickle" not in str(info.value) and "model.npz" in str(info.value)


def test_the_offline_mnist_error_works_for_the_command_line_too(monkeypatch, tmp_path):
    from nnrecipe.data import mnist as mnist_module

    monkeypatch.setenv("NNRECIPE_DATA", str(tmp_path))
    monkeypatch.delenv("NNRECIPE_MNIST", raising=False)
    with pytest.raises(ValueError) as info:
        mnist_module.mnist("train", download=False)
    assert "NNRECIPE_MNIST=" in str(info.value)  # the CLI has no path= to pass
