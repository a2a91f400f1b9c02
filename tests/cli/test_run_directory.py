"""A run directory holds one whole run: locked while a run writes, replaced at once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import nnrecipe as nr
from nnrecipe.cli.commands.rundir import MANIFEST, RunDirectory
from nnrecipe.cli.main import main

SRC = Path(__file__).resolve().parents[2] / "src"
MOONS = ["train", "--dataset", "moons", "--epochs", "2", "--no-report", "--json", "--seed", "0"]


def _train(out, *extra):
    return main([*MOONS, *extra, "--out", str(out)])


def _manifest(directory: Path) -> dict:
    return json.loads((directory / MANIFEST).read_text())


def test_a_run_writes_its_files_and_a_manifest_last(tmp_path, capsys):
    out = tmp_path / "d"
    assert _train(out) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["out"] == str(out) and result["model"] == str(out / "model.npz")
    files = _manifest(out)["files"]
    assert files == sorted(["config.toml", "model.npz", "result.json"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d"]  # no lock, no staging left
    assert f"--config {out / 'config.toml'}" in (out / "config.toml").read_text()


def test_a_second_run_into_a_directory_being_written_is_refused(tmp_path, capsys):
    out = tmp_path / "d"
    with RunDirectory(out, "train") as held:
        assert _train(out) == 2
        err = capsys.readouterr().err
        assert "is in use" in err and f"pid {os.getpid()}" in err
        assert held.path.is_dir()
    assert _train(out) == 0  # the lock is gone with the first run


def test_a_rerun_replaces_the_whole_earlier_run_and_says_so(tmp_path, capsys):
    out = tmp_path / "d"
    with_report = [a for a in MOONS if a != "--no-report"]
    assert main([*with_report, "--out", str(out)]) == 0
    assert (out / "report.html").exists()
    first = _manifest(out)
    capsys.readouterr()
    assert main(["train", "--dataset", "blobs", "--epochs", "2", "--no-report", "--json",
                 "--out", str(out)]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert "replaced the earlier train run" in err
    assert not (out / "report.html").exists()  # nothing of the first run is left
    assert _manifest(out)["files"] != first["files"]
    assert json.loads((out / "result.json").read_text())["dataset"] == "blobs"
    assert "blobs" in (out / "config.toml").read_text()


def test_files_that_are_not_the_runs_are_never_moved(tmp_path, capsys):
    data = tmp_path / "mine.txt"
    data.write_text("keep me")
    assert _train(tmp_path) == 0
    assert _train(tmp_path) == 0
    assert data.read_text() == "keep me"
    assert "replaced the earlier train run" in capsys.readouterr().err
    assert "mine.txt" not in _manifest(tmp_path)["files"]


def test_a_killed_rerun_leaves_the_earlier_run_whole(tmp_path):
    out = tmp_path / "d"
    assert _train(out) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    env = {**os.environ, "PYTHONPATH": str(SRC), "OMP_NUM_THREADS": "1"}
    args = ["train", "--dataset", "digits", "--epochs", "100000", "--no-report", "--out", str(out)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "nnrecipe.cli", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    staging = tmp_path / f".d.partial-{proc.pid}"
    try:
        deadline = time.time() + 60
        while not (staging / "config.toml").exists() and time.time() < deadline:
            assert proc.poll() is None
            time.sleep(0.05)
        assert (staging / "config.toml").exists()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert main(["diagnose", "--model", str(out), "--json"]) == 0
    assert _train(out) == 0  # the dead run's lock and staging directory are cleaned up
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d"]


def test_a_failed_run_keeps_the_earlier_run(tmp_path, monkeypatch):
    out = tmp_path / "d"
    assert _train(out) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken(self, path):
        raise OSError("disk full")

    monkeypatch.setattr(nr.Network, "save", broken)
    assert _train(out) == 1
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d"]


def test_an_out_that_is_a_file_is_refused(tmp_path, capsys):
    (tmp_path / "f").write_text("x")
    assert _train(tmp_path / "f") == 2
    assert "is a file" in capsys.readouterr().err


@pytest.mark.parametrize("existing", [False, True])
def test_public_names_staged_paths_by_the_final_directory(tmp_path, existing):
    out = tmp_path / "d"
    if existing:
        out.mkdir()
    with RunDirectory(out, "train") as run:
        staged = run.path / "model.npz"
        assert run.public({"m": [str(staged)], "p": staged}) == {
            "m": [str(out / "model.npz")],
            "p": out / "model.npz",
        }
        staged.write_bytes(b"x")
    assert (out / "model.npz").read_bytes() == b"x"


def test_runs_started_in_the_same_second_get_directories_of_their_own(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(time, "strftime", lambda fmt: "20260101-000000")
    first, second = RunDirectory(None, "train"), RunDirectory(None, "train")
    with first, second:  # both writing at once: the second must not find the first's lock
        (first.path / "a").write_text("1")
        (second.path / "a").write_text("2")
    with RunDirectory(None, "train") as third:  # after both: the next free name
        pass
    runs = tmp_path / "runs"
    assert [p.name for p in sorted(runs.iterdir())] == [
        "20260101-000000",
        "20260101-000000-2",
        "20260101-000000-3",
    ]
    assert (runs / "20260101-000000" / "a").read_text() == "1"
    assert (runs / "20260101-000000-2" / "a").read_text() == "2"
    assert third.final == Path("runs/20260101-000000-3")


def test_a_study_resumed_in_its_own_run_directory_moves_into_the_new_run(tmp_path, capsys):
    pytest.importorskip("optuna")
    out = tmp_path / "d"
    tune = ["tune", "--n", "200", "--epochs", "3", "--workers", "1", "--no-report", "--json"]
    assert main([*tune, "--trials", "2", "--out", str(out)]) == 0
    journal = out / "study.journal"
    capsys.readouterr()
    resume = ["--storage", str(journal), "--resume", "--trials", "3", "--out", str(out)]
    assert main([*tune, *resume]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["storage"] == str(journal) and len(result["trials"]) == 3
    assert "study.journal" in _manifest(out)["files"] and journal.stat().st_size > 0


# --- a manifest is untrusted input: nothing outside the run directory is ever touched -------


def _snapshot(root: Path, skip: Path) -> dict:
    """Every path under ``root`` outside ``skip``, with its kind, bytes and mtime."""
    seen = {}
    for p in sorted(root.rglob("*")):
        if p == skip or skip in p.parents or p.name.startswith(f".{skip.name}."):
            continue
        if p.is_symlink():
            seen[str(p)] = ("link", os.readlink(p))
        elif p.is_file():
            seen[str(p)] = ("file", p.read_bytes(), p.stat().st_mtime_ns)
        else:
            seen[str(p)] = ("dir",)
    return seen


def _hostile(run: Path, files: list) -> None:
    run.mkdir(parents=True, exist_ok=True)
    (run / MANIFEST).write_text(json.dumps({"command": "train", "finished": "x", "files": files}))


@pytest.mark.parametrize(
    "entry",
    [
        "{outside}/abs.txt",
        "../../rel.txt",
        "../sibling/keep.txt",
        "sub/../../rel.txt",
        "./model.npz/../../rel.txt",
        "link/abs.txt",  # a symlinked folder on the way out
        "filelink",  # a symlink to a file outside
        "",
        7,
    ],
)
def test_a_manifest_listing_paths_outside_the_run_is_refused_and_nothing_is_touched(
    tmp_path, monkeypatch, capsys, entry
):
    monkeypatch.chdir(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "abs.txt").write_text("precious")
    (tmp_path / "rel.txt").write_text("precious")
    (tmp_path / "sibling").mkdir()
    (tmp_path / "sibling" / "keep.txt").write_text("precious")
    run = tmp_path / "work" / "evil"
    run.mkdir(parents=True)
    (run / "notes.txt").write_text("mine")
    (run / "link").symlink_to(outside, target_is_directory=True)
    (run / "filelink").symlink_to(outside / "abs.txt")
    if isinstance(entry, str):
        entry = entry.format(outside=outside)
    _hostile(run, [entry, "model.npz"])
    before = _snapshot(tmp_path, run)
    inside = _snapshot(run, run / "never")
    assert main([*MOONS, "--out", "work/evil"]) == 2
    err = capsys.readouterr().err
    assert "outside its run directory" in err and "deleted nothing" in err
    assert _snapshot(tmp_path, run) == before  # fails loudly on any path touched outside
    assert _snapshot(run, run / "never") == inside  # and nothing inside either


def test_the_issues_manifest_deletes_nothing_from_python_either(tmp_path):
    run = tmp_path / "evil"
    victim = tmp_path / "abs.txt"
    victim.write_text("precious")
    _hostile(run, [str(victim), "model.npz"])
    with pytest.raises(ValueError, match="outside its run directory"):
        with RunDirectory(run, "train"):
            pass
    assert victim.read_text() == "precious"
    assert not list(tmp_path.glob(".evil.partial-*"))


def test_a_manifest_naming_the_users_own_files_inside_removes_none_of_them(tmp_path, capsys):
    """Listed, inside, but not written by nnrecipe: the user's notes and a subfolder stay."""
    run = tmp_path / "d"
    run.mkdir()
    (run / "notes.txt").write_text("mine")
    (run / "sub").mkdir()
    (run / "sub" / "data.csv").write_text("a,b\n1,2\n")
    _hostile(run, ["notes.txt", "sub/data.csv"])  # an old-style manifest: no digests
    assert _train(run) == 0
    assert (run / "notes.txt").read_text() == "mine"
    assert (run / "sub" / "data.csv").read_text() == "a,b\n1,2\n"
    assert (run / "model.npz").is_file()
    manifest = _manifest(run)
    assert "notes.txt" not in manifest["files"] and set(manifest["sha256"]) == set(
        manifest["files"]
    )


def test_a_file_changed_since_the_run_wrote_it_is_the_users(tmp_path, capsys):
    run = tmp_path / "d"
    assert _train(run) == 0
    (run / "result.json").write_text('{"edited": "by me"}')
    capsys.readouterr()
    assert _train(run) == 2  # it would be written over: refused, naming it
    err = capsys.readouterr().err
    assert "result.json" in err and "--force" in err
    assert (run / "result.json").read_text() == '{"edited": "by me"}'


@pytest.mark.parametrize("name", ["result.json", "model.npz", "config.toml", "report.html"])
def test_a_directory_that_is_not_a_run_is_never_written_over(tmp_path, capsys, name):
    run = tmp_path / "d"
    run.mkdir()
    (run / name).write_text("mine")
    assert _train(run) == 2
    err = capsys.readouterr().err
    assert name in err and "--force" in err
    assert (run / name).read_text() == "mine"
    assert sorted(p.name for p in run.iterdir()) == [name]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d"]  # no staging, no lock left
    args = [*MOONS, "--out", str(run), "--force"]
    if name == "report.html":
        args.remove("--no-report")
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "--force" in err and name in err and "earlier" not in err
    assert (run / name).read_bytes() != b"mine"


def test_out_through_a_symlink_refuses_the_users_files_and_claims_no_earlier_run(tmp_path, capsys):
    victim = tmp_path / "victim"
    victim.mkdir()
    for name in ("result.json", "model.npz", "config.toml"):
        (victim / name).write_text("mine")
    link = tmp_path / "link"
    link.symlink_to(victim, target_is_directory=True)
    assert _train(link) == 2
    err = capsys.readouterr().err
    assert "nnrecipe did not write" in err and "replaced the earlier" not in err
    assert all((victim / n).read_text() == "mine" for n in ("result.json", "model.npz"))
