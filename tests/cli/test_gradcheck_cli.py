"""`nnrecipe gradcheck`: flags build the network, the report or JSON comes out."""

import json

import pytest

from nnrecipe.cli import main


def run_json(capsys, *args):
    code = main(["gradcheck", "--json", *args])
    return code, json.loads(capsys.readouterr().out)


def test_json_report_of_a_correct_network(capsys):
    code, out = run_json(capsys)
    assert code == 0
    assert out["passed"] is True and out["difference"] < 1e-7 and out["mode"] == "full"
    assert out["network"]["layer_sizes"] == [4, 5, 3, 1]
    assert out["n_checked"] == out["n_parameters"] == 4 * 5 + 5 + 5 * 3 + 3 + 3 + 1
    assert set(out["per_parameter"]) == {"W1", "b1", "W2", "b2", "W3", "b3"}


def test_flags_reach_the_network_and_the_check(capsys):
    args = [
        "--inputs", "6", "--layers", "7", "--outputs", "4", "--hidden", "tanh",
        "--output", "softmax", "--l2", "0.5",
        "--l1", "0.1", "--keep-prob", "0.8", "--init", "xavier", "--examples", "9",
        "--mode", "sample", "--n-samples", "20", "--epsilon", "1e-6", "--seed", "3",
    ]  # fmt: skip
    code, out = run_json(capsys, *args)
    assert code == 0
    net = out["network"]
    assert net["layer_sizes"] == [6, 7, 4] and net["hidden"] == ["tanh"]
    assert net["output"] == "softmax" and net["l2"] == 0.5 and net["l1"] == 0.1
    assert net["keep_prob"] == [0.8] and net["init"] == "xavier"
    assert out["examples"] == 9 and out["mode"] == "sample" and out["epsilon"] == 1e-6
    assert 20 <= out["n_checked"] < out["n_parameters"]
    assert any("dropout is off" in n for n in out["notes"])
    assert any("L2 λ = 0.5, L1 λ₁ = 0.1, m = 9" in n for n in out["notes"])


def test_directional_mode_and_a_regression_network(capsys):
    args = ["--inputs", "3", "--layers", "4", "--outputs", "2", "--output", "linear"]
    args += ["--mode", "directional"]
    code, out = run_json(capsys, *args, "--n-directions", "3")
    assert code == 0 and out["n_checked"] == 3 * 4


def test_human_report(capsys):
    assert main(["gradcheck", "--hidden", "tanh"]) == 0
    text = capsys.readouterr().out
    assert "correct" in text and "W1" in text and "worst coordinates" in text


@pytest.mark.parametrize(
    "args,match",
    [
        (["--hidden", "relux"], "hidden='relux'"),
        (["--inputs", "0"], "--inputs must be a positive integer"),
        (["--layers", "4,x"], "integer"),
        (["--examples", "0"], "--examples"),
        (["--epsilon", "0.5"], "epsilon"),
    ],
)
def test_bad_flags_exit_2_with_a_message(capsys, args, match):
    assert main(["gradcheck", *args]) == 2
    assert match in capsys.readouterr().err
