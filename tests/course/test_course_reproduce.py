"""nnrecipe.course.reproduce: the assignments' experiments against their published tables, the
data made as the notebooks make them, and the loops checked step by step against the faces."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from nnrecipe import course
from nnrecipe.cli.main import main
from nnrecipe.course import initialization, regularization, reproduce, training
from nnrecipe.train.optimizers import GradientDescent


def test_gradient_checking_matches_the_published_table():
    result = reproduce.reproduce("gradient_checking", verbose=False)
    assert [r[0] for r in result.rows] == [
        "1-D J(θ) = θx", "3-layer, planted bugs", "3-layer, fixed"
    ]  # fmt: skip
    assert result.matches(rtol=1e-9)
    assert "published" in str(result) and "2.919335883e-10" in str(result)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["initialization", "regularization", "optimization"])
def test_training_assignments_match_the_published_tables(name):
    # initialization: zeros 0.5/0.5, random ×10 0.83/0.86, He 0.9933/0.96; regularization:
    # 0.9479/0.915, L2 0.9384/0.93, dropout 0.9289/0.95; optimization: gd 0.7167, momentum
    # 0.7167, Adam 0.9433 (13 s, 20 s and 31 s on the development machine)
    result = reproduce.reproduce(name, verbose=False)
    assert result.matches(rtol=1e-12), str(result)


def test_datasets_are_the_notebooks():
    train_X, train_Y, test_X, test_Y = reproduce.circles()
    assert train_X.shape == (2, 300) and train_Y.shape == (1, 300)
    assert test_X.shape == (2, 100) and test_Y.shape == (1, 100)
    assert train_Y.sum() == 150  # make_circles: half inner, half outer
    X, Y = reproduce.moons()
    assert X.shape == (2, 300) and Y.shape == (1, 300) and Y.sum() == 150
    train_X, train_Y, test_X, test_Y = reproduce.football()
    assert train_X.shape == (2, 211) and test_X.shape == (2, 200)
    assert train_Y.shape == (1, 211) and set(np.unique(test_Y)) == {0.0, 1.0}
    digest = hashlib.md5(reproduce.FOOTBALL.read_bytes()).hexdigest()
    assert digest == "fca332d1af28a52a88072a78e44fa5d8"  # DESIGN.md's copy of the data


def test_full_batch_step_is_the_faces_step():
    """One iteration of the loop = the course's step: θ - α (backprop with L2 through a cache)."""
    train_X, train_Y, _, _ = reproduce.football()
    dims = [2, 20, 3, 1]
    start = regularization.initialize_parameters(dims)
    after, costs = training.gradient_descent(start, train_X, train_Y, 0.3, 1, lambd=0.7)
    a3, cache = regularization.forward_propagation(train_X, start)
    grads = regularization.backward_propagation_with_regularization(train_X, train_Y, cache, 0.7)
    expected = course.update_parameters_with_gd(start, grads, 0.3)
    for key in expected:
        np.testing.assert_allclose(after[key], expected[key], rtol=0, atol=1e-13, err_msg=key)
    J = course.compute_cost_with_regularization(a3, train_Y, start, 0.7)
    assert costs[0] == pytest.approx(J, rel=1e-12)


def test_mini_batch_epoch_is_the_faces_steps():
    """One epoch of the optimization loop = gd steps on random_mini_batches(X, Y, 64, seed=11)."""
    X, Y = reproduce.moons()
    start = initialization.initialize([2, 5, 2, 1], "he", 3)
    after, _ = training.mini_batch_descent(start, X, Y, GradientDescent(0.1), 64, 1)
    params = start
    for Xb, Yb in course.random_mini_batches(X, Y, 64, seed=11):
        _, cache = initialization.forward_propagation(Xb, params)
        grads = initialization.backward_propagation(Xb, Yb, cache)
        params = course.update_parameters_with_gd(params, grads, 0.1)
    for key in params:
        np.testing.assert_allclose(after[key], params[key], rtol=0, atol=1e-13, err_msg=key)


def test_reproduce_bad_input():
    with pytest.raises(ValueError, match="valid names are"):
        reproduce.reproduce("initialisation")
    with pytest.raises(ValueError, match="is not a file"):
        reproduce.reproduce("regularization", data="/no/such/file.csv")


def test_reproduce_bad_table(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="pos_x, pos_y, team"):
        reproduce.football(path)


def test_cli_course_reproduce(capsys):
    assert main(["course", "reproduce", "gradient-checking", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["assignment"] == "gradient_checking" and out["matches"] is True
    assert out["rows"][1]["nnrecipe"] == pytest.approx(0.2850931567761623, rel=1e-14)
    assert main(["course", "reproduce", "gradient_checking"]) == 0
    assert "3-layer, fixed" in capsys.readouterr().out
    assert main(["course", "reproduce", "optimization", "--data", "x.csv"]) == 2
    assert "regularization assignment only" in capsys.readouterr().err
    assert main(["course", "reproduce", "nope"]) == 2


def test_optimization_model_decays_after_each_epoch():
    """epoch e trains with decay(α₀, e − 1): α₀, α₀, α₀/2 for update_lr with decay_rate 1."""
    from nnrecipe.course import optimization

    X, Y = reproduce.moons()
    after = optimization.model(
        X, Y, [2, 5, 2, 1], "gd", 0.1, num_epochs=3, print_cost=False, decay=course.update_lr
    )
    params = initialization.initialize([2, 5, 2, 1], "he", 3)
    for epoch, lr in enumerate([0.1, 0.1, 0.05]):
        for Xb, Yb in course.random_mini_batches(X, Y, 64, seed=11 + epoch):
            _, cache = initialization.forward_propagation(Xb, params)
            grads = initialization.backward_propagation(Xb, Yb, cache)
            params = course.update_parameters_with_gd(params, grads, lr)
    for key in params:
        np.testing.assert_allclose(after[key], params[key], rtol=0, atol=1e-13, err_msg=key)


def test_model_faces_bad_input():
    from nnrecipe.course import optimization

    X, Y = reproduce.moons()
    with pytest.raises(ValueError, match="valid names are"):
        initialization.model(X, Y, initialization="xavier")
    with pytest.raises(ValueError, match="valid names are"):
        optimization.model(X, Y, [2, 5, 2, 1], "rmsprop")
