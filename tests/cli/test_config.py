"""TOML experiment files: validation, precedence, round trip of the resolved configuration."""

import sys

import pytest

from nnrecipe.cli import config


def write(tmp_path, text):
    path = tmp_path / "exp.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_file_values_are_converted_and_validated(tmp_path):
    path = write(
        tmp_path,
        'dataset = "circles"\nlayers = [8, 4]\nkeep-prob = 0.8\n'
        'batch_size = "full"\nsplit = [0.5, 0.25, 0.25]\nfloat32 = true\n',
    )
    opts = config.read_toml(path, "train")
    assert opts == {
        "dataset": "circles",
        "layers": [8, 4],
        "keep_prob": 0.8,
        "batch_size": "full",
        "split": [0.5, 0.25, 0.25],
        "float32": True,
    }


def test_precedence_defaults_preset_file_flags(tmp_path):
    path = write(tmp_path, "epochs = 50\nl2 = 0.3\n")
    opts = config.resolve("train", {"l2": 0.9, "json": True}, path, preset={"epochs": 7, "l1": 0.2})
    assert opts["l2"] == 0.9  # the flag beats the file
    assert opts["epochs"] == 50  # the file beats the preset
    assert opts["l1"] == 0.2  # the preset beats the default
    assert opts["optimizer"] == "adam"  # the default
    assert "json" not in opts


def test_command_table_and_preset_function(tmp_path):
    path = write(
        tmp_path, 'epochs = 5\n[compare]\nepochs = 9\nsettings = "none,l2"\n[train]\nepochs = 3\n'
    )
    seen = {}

    def preset(explicit):
        seen.update(explicit)
        return {"layers": [4]}

    opts = config.resolve("compare", {}, path, preset)
    assert opts["epochs"] == 9 and opts["settings"] == ["none", "l2"] and opts["layers"] == [4]
    assert seen == {"epochs": 9, "settings": ["none", "l2"]}


@pytest.mark.parametrize(
    "text,needle",
    [
        ("epochz = 3\n", "unknown option 'epochz'"),
        ("epochs = 2.5\n", "epochs expects an integer"),
        ("layers = [20, -3]\n", "positive layer sizes"),
        ("split = [0.6, 0.4]\n", "three ratios"),
        ('float32 = "maybe"\n', "true or false"),
        ('init = "he:3"\n', "only random takes a scale"),
        ('settings = ["none"]\n', "unknown option 'settings'"),  # compare-only key in train
        ("epochs = \n", "not valid TOML"),
    ],
)
def test_bad_files_name_the_problem(tmp_path, text, needle):
    with pytest.raises(ValueError, match="exp.toml") as info:
        config.read_toml(write(tmp_path, text), "train")
    assert needle in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        config.read_toml(tmp_path / "nope.toml", "train")


def test_written_toml_reads_back_identically(tmp_path):
    opts = config.defaults("compare")
    opts.update(
        noise=0.25,
        split=[200, 200, 200],
        keep_prob=[0.8, 0.9],
        hidden=["relu", "tanh"],
        inits=["zeros", "random:10"],
        dataset='my "data".csv',
        zero_tol=1e-3,
    )
    text = config.to_toml(opts, "header line")
    assert text.startswith("# header line\n") and "# out = (not set)" in text
    back = config.read_toml(write(tmp_path, text), "compare")
    assert back == {k: v for k, v in opts.items() if v is not None}


def test_python_310_without_tomli_gets_a_clear_message(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "tomllib", None)
    monkeypatch.setitem(sys.modules, "tomli", None)
    with pytest.raises(ValueError, match="pip install tomli"):
        config.read_toml(write(tmp_path, "epochs = 3\n"), "train")
