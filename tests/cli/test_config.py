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


# ------------------------------------------------------------ a run's config, by its writer
def run_config(tmp_path, command, options):
    text = config.to_toml(options, config.header(command, "0.0", tmp_path / "config.toml"))
    return write(tmp_path, text)


def test_the_header_names_the_command_that_wrote_the_config(tmp_path):
    for command in ("train", "compare", "improve", "tune"):
        text = config.header(command, "1.2.3", tmp_path / "config.toml")
        assert config.written_by(config.to_toml({"seed": 1}, text)) == command
    assert config.written_by('dataset = "moons"\n') is None  # a file the user wrote
    assert config.written_by("# nnrecipe predict: the resolved configuration of this run") is None


def test_a_run_config_is_read_with_its_writers_options(tmp_path):
    path = run_config(
        tmp_path, "improve", {**config.defaults("improve"), "minutes": 0.1, "baseline": "auto"}
    )
    command, options = config.read_run(path)
    assert command == "improve" and options["minutes"] == 0.1 and options["baseline"] == "auto"
    assert options["metric"] == "auto" and "l2" not in options  # improve's own options
    own = write(tmp_path, 'dataset = "circles"\nl2 = 0.5\n')  # no header: train's options
    assert config.read_run(own) == ("train", {**config.defaults("train"), "dataset": "circles",
                                              "l2": 0.5})  # fmt: skip


@pytest.mark.parametrize("writer,reader", [("improve", "train"), ("tune", "improve")])
def test_another_commands_run_config_names_that_command(tmp_path, writer, reader):
    path = run_config(tmp_path, writer, config.defaults(writer))
    with pytest.raises(ValueError) as info:
        config.read_toml(path, reader)
    message = str(info.value)
    assert f"holds the options of an `nnrecipe {writer}` run" in message
    assert f"`nnrecipe {reader}` cannot take" in message
    assert f"repeat that run with `nnrecipe {writer} --config {path}`" in message
    assert "\n" not in message and "valid options are" not in message


def test_a_directory_as_config_names_its_config_toml(tmp_path):
    with pytest.raises(ValueError, match="is a directory; give the file, e.g. --config") as info:
        config.read_toml(tmp_path, "train")
    assert str(tmp_path / "config.toml") in str(info.value)
