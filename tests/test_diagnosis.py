"""nr.diagnose, Network.diagnose and nr.learning_curve: the basic recipe in code."""

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import MNIST_DIR

import nnrecipe as nr
from nnrecipe.recipe.learning_curves import LearningCurve

needs_mnist = pytest.mark.skipif(
    not MNIST_DIR.is_dir(), reason="the MNIST test set is not available"
)


@pytest.mark.parametrize(
    "train, dev, case",
    [
        (0.01, 0.015, "good_fit"),
        (0.15, 0.16, "high_bias"),
        (0.01, 0.15, "high_variance"),
        (0.15, 0.30, "high_bias_high_variance"),
    ],
)
def test_the_four_cases_of_the_train_dev_table(train, dev, case):
    d = nr.diagnose(train, dev, baseline_error=0.0)
    assert d.case == case
    assert d.avoidable_bias == pytest.approx(train)
    assert d.variance == pytest.approx(dev - train)


def test_a_15_percent_baseline_turns_high_bias_into_good_fit():
    assert nr.diagnose(0.15, 0.16).case == "high_bias"
    d = nr.diagnose(0.15, 0.16, baseline_error=0.15)
    assert d.case == "good_fit" and d.avoidable_bias == pytest.approx(0.0)
    assert d.variance == pytest.approx(0.01)


def test_next_steps_fix_bias_first_then_variance():
    both = nr.diagnose(0.15, 0.30).next_steps
    assert both[0].startswith("train a bigger network") and "train longer" in both[1]
    assert any("more training data" in s for s in both[3:])
    assert any("regularization" in s for s in both[3:])
    assert sum("another architecture" in s for s in both) == 1  # listed once
    variance = nr.diagnose(0.01, 0.15).next_steps
    assert variance[0].startswith("get more training data") and "L2" in variance[1]
    bias = nr.diagnose(0.15, 0.16).next_steps
    assert not any("regularization" in s for s in bias)
    assert nr.diagnose(0.01, 0.015).next_steps[0].startswith("good fit")


def test_thresholds_are_arguments():
    assert nr.diagnose(0.05, 0.06, bias_threshold=0.1).case == "good_fit"
    assert nr.diagnose(0.01, 0.025, variance_threshold=0.01).case == "high_variance"


def test_train_dev_error_separates_variance_from_data_mismatch():
    d = nr.diagnose(0.01, 0.10, train_dev_error=0.015)
    assert d.variance == pytest.approx(0.005) and d.data_mismatch == pytest.approx(0.085)
    assert d.case == "good_fit" and "data mismatch" in d.next_steps[0]


def test_report_prints_as_a_table_and_converts_to_a_dict():
    d = nr.diagnose(0.08, 0.10, baseline_error=0.075)
    text = str(d)
    assert "high_variance" in text and "avoidable bias" in text and "0.50%" in text
    assert "1. get more training data" in text
    out = d.to_dict()
    assert out["case"] == "high_variance" and out["next_steps"] == d.next_steps
    json.dumps(out)  # plain types only
    from rich.console import Console

    console = Console(record=True, width=120)
    console.print(d)
    rendered = console.export_text()
    assert "avoidable bias" in rendered and "next steps" in rendered


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (
            {"train_error": 1.5, "dev_error": 0.1},
            ValueError,
            "train_error=1.5 must be an error rate in \\[0, 1\\]",
        ),
        ({"train_error": 0.1, "dev_error": 15}, ValueError, "dev_error=15.0 .*pass 0.15 for 15%"),
        ({"train_error": 0.1, "dev_error": -0.1}, ValueError, "dev_error=-0.1"),
        ({"train_error": 0.1, "dev_error": 0.1, "baseline_error": 2}, ValueError, "baseline_error"),
        ({"train_error": "1%", "dev_error": 0.1}, TypeError, "train_error must be an error rate"),
        ({"train_error": 0.1, "dev_error": float("nan")}, ValueError, "dev_error=nan"),
    ],
)
def test_bad_input_raises_a_clear_error(kwargs, error, match):
    with pytest.raises(error, match=match):
        nr.diagnose(**kwargs)


# ---------------------------------------------------------------- from a network
def test_network_diagnose_measures_in_inference_mode():
    X, y = nr.datasets.moons(n=600, noise=0.2, seed=0)
    (Xt, yt), (Xd, yd), _ = nr.split(X, y)
    net = nr.Network([2, 16, 1], keep_prob=0.5, l2=0.5, seed=0)
    net.fit(Xt, yt, epochs=30, learning_rate=1e-2)
    d = net.diagnose((Xt, yt), (Xd, yd), baseline_error=0.05)
    assert d.train_error == net.evaluate(Xt, yt)["error"]  # no dropout, no penalty
    assert d.dev_error == net.evaluate(Xd, yd)["error"]
    assert d.baseline_error == 0.05


def test_network_diagnose_rejects_a_dev_set_with_other_features():
    net = nr.Network([2, 4, 1], seed=0)
    X, y = np.zeros((10, 2)), np.zeros(10)
    with pytest.raises(ValueError, match="dev\\[0\\] \\(X_dev\\) has 3 features .* expects 2"):
        net.diagnose((X, y), (np.zeros((10, 3)), y))
    with pytest.raises(ValueError, match="dev\\[0\\] \\(X_dev\\) is empty"):
        net.diagnose((X, y), (np.zeros((0, 2)), np.zeros(0)))
    with pytest.raises(TypeError, match="dev must be a pair"):
        net.diagnose((X, y), X)
    with pytest.raises(ValueError, match="needs a classification network"):
        nr.Network([2, 1], output="linear").diagnose((X, y), (X, y))


@needs_mnist
@pytest.mark.parametrize("regularization", [{"l2": 5.0}, {"keep_prob": 0.3}])
def test_l2_or_dropout_reduces_the_measured_variance_on_mnist(regularization):
    """1,000 real MNIST digits overfit a 64-unit network (train ~0.5%, dev ~11%);
    regularization trades training fit for a smaller train/dev gap."""
    X, y = nr.datasets.mnist("test", path=MNIST_DIR)
    (Xt, yt), (Xd, yd), _ = nr.split(X, y, ratios=(1000, 2000, 7000), seed=0)

    def variance(**kwargs):
        net = nr.Network([784, 64, 10], output="softmax", seed=0, **kwargs)
        net.fit(Xt, yt, epochs=20, batch_size=64, learning_rate=1e-3, seed=0)
        return net.diagnose((Xt, yt), (Xd, yd))

    plain, regularized = variance(), variance(**regularization)
    assert plain.case == "high_variance" and plain.variance > 0.08
    assert regularized.variance < plain.variance - 0.015
    assert regularized.train_error > plain.train_error


# ---------------------------------------------------------------- learning curves
def test_learning_curve_slope_per_doubling_by_hand():
    lc = LearningCurve([100, 200, 400], [0.0, 0.0, 0.01], [0.30, 0.20, 0.10], tolerance=0.005)
    assert lc.slope == pytest.approx(0.10) and lc.more_data_helps
    flat = LearningCurve([100, 200, 400, 800], [0.1, 0.1, 0.1, 0.1], [0.3, 0.2, 0.2, 0.2], 0.005)
    assert flat.slope == pytest.approx(
        -np.polyfit(np.log2([200, 400, 800]), [0.2, 0.2, 0.2], 1)[0], abs=1e-12
    )
    assert not flat.more_data_helps and "flattened" in flat.verdict
    met = LearningCurve([100, 200, 400], [0.2, 0.2, 0.2], [0.4, 0.3, 0.2], 0.005)
    assert not met.more_data_helps and "have met" in met.verdict


@needs_mnist
def test_learning_curve_on_mnist_says_more_data_helps_and_feeds_the_diagnosis():
    X, y = nr.datasets.mnist("test", path=MNIST_DIR)
    (Xt, yt), (Xd, yd), _ = nr.split(X, y, ratios=(1000, 1000, 8000), seed=1)
    lc = nr.learning_curve(
        lambda: nr.Network([784, 32, 10], output="softmax", seed=0),
        Xt,
        yt,
        sizes=(125, 250, 500, 1000),
        dev=(Xd, yd),
        epochs=15,
        learning_rate=2e-3,
    )
    assert lc.sizes.tolist() == [125, 250, 500, 1000]
    assert lc.dev_errors[-1] < lc.dev_errors[0] - 0.05
    assert lc.more_data_helps and "more data should help" in lc.verdict
    d = nr.diagnose(lc.train_errors[-1], lc.dev_errors[-1], learning_curve=lc)
    assert d.more_data_helps and d.next_steps[0].startswith("get more training data: the learning")


def test_learning_curve_of_a_high_bias_model_says_more_data_will_not_help():
    X, y = nr.datasets.moons(n=1500, noise=0.1, seed=0)
    lc = nr.learning_curve(
        lambda: nr.Network([2, 1], seed=0),
        X,
        y,
        sizes=(0.25, 0.5, 1.0),
        epochs=40,
        learning_rate=0.05,
    )
    assert lc.train_errors[-1] > 0.08  # a linear boundary cannot fit the moons
    assert not lc.more_data_helps
    d = nr.diagnose(lc.train_errors[-1], lc.dev_errors[-1], learning_curve=lc)
    assert d.case == "high_bias" and d.next_steps[0].startswith("train a bigger network")


def test_learning_curve_bad_input():
    X, y = np.zeros((50, 2)), np.zeros(50)
    with pytest.raises(TypeError, match="make_network must be a callable"):
        nr.learning_curve(nr.Network([2, 1]), X, y)
    with pytest.raises(ValueError, match="only 40 training examples"):
        nr.learning_curve(lambda: nr.Network([2, 1]), X, y, sizes=(10, 100))
    with pytest.raises(ValueError, match="fractions in \\(0, 1\\] or counts"):
        nr.learning_curve(lambda: nr.Network([2, 1]), X, y, sizes=(0.0, 0.5))


def test_the_readme_data_and_diagnosis_example_runs():
    pytest.importorskip("sklearn")
    import re

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = text[text.index("## Data, diagnosis and the basic recipe") :]
    block = re.search(r"```python\n(.*?)```", section, flags=re.S).group(1)
    namespace: dict = {}
    exec(compile(block, "README.md", "exec"), namespace)
    assert namespace["report"].case in nr.diagnosis.CASES
    assert len(namespace["history"].gradient_norms) == 30
