"""Model files made to hurt: bombs, huge declared sizes, odd metadata, FIFOs, bad statistics.

Every file here is built by hand (zip members written header by header), so a test can
declare what a real save never would; each refusal must name the file, come before any
large read, and be a ValueError.
"""

from __future__ import annotations

import json
import os
import threading
import time
import tracemalloc
import zipfile

import numpy as np
import pytest
from numpy.lib import format as npy

import nnrecipe as nr
from nnrecipe import _files

META = {"format": "nnrecipe-network", "format_version": 1, "nnrecipe_version": "0"}


def _config(sizes, **extra):
    net = nr.Network(sizes, seed=0)
    return {**net.config(), **extra}


def _member(zf, key, shape, dtype="<f8", data=None, zeros=0, compress=False):
    """Write ``key.npy``: an .npy header declaring ``shape``, then ``data`` bytes (or
    ``zeros`` zero bytes, written in chunks)."""
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    info = zipfile.ZipInfo(key + ".npy")
    info.compress_type = method
    with zf.open(info, "w", force_zip64=True) as f:
        npy.write_array_header_1_0(
            f, {"descr": dtype, "fortran_order": False, "shape": tuple(shape)}
        )
        if data is not None:
            f.write(data)
        chunk = bytes(2**20)
        while zeros > 0:
            f.write(chunk[: min(zeros, len(chunk))])
            zeros -= len(chunk)


def _model(path, meta, arrays, override=None):
    """A model file: ``__meta__`` from ``meta``, ``arrays`` as stored, then ``override``
    members ({key: callable(zf)}) written by hand."""
    with zipfile.ZipFile(path, "w") as zf:
        blob = np.frombuffer(json.dumps(meta).encode(), np.uint8)
        _member(zf, "__meta__", blob.shape, "|u1", blob.tobytes())
        for key, value in arrays.items():
            if override and key in override:
                override[key](zf)
            else:
                value = np.ascontiguousarray(value, dtype=np.float64)
                _member(zf, key, value.shape, "<f8", value.tobytes())
    return path


def _plain(sizes=(3, 4, 1)):
    net = nr.Network(list(sizes), seed=0)
    return {**META, "config": net.config()}, net.get_parameters()


def _peak_load(path):
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as info:
            nr.load(path)
        return info.value, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_hand_built_file_loads_when_consistent(tmp_path):
    meta, params = _plain()
    net = nr.load(_model(tmp_path / "ok.npz", meta, params))
    np.testing.assert_array_equal(net.get_parameters()["W1"], params["W1"])


def test_a_declared_shape_that_disagrees_is_refused_before_any_data_is_read(tmp_path):
    # the bomb: W1 declares (3, 66666660), 1.6 GB, in a small file
    meta, params = _plain()
    bomb = {"W1": lambda zf: _member(zf, "W1", (3, 66_666_660), zeros=2**20, compress=True)}
    path = _model(tmp_path / "bomb.npz", meta, params, bomb)
    assert path.stat().st_size < 100_000
    err, peak = _peak_load(path)
    assert "bomb.npz" in str(err) and "(3, 66666660)" in str(err) and "1.49 GiB" in str(err)
    assert peak < 20 * 2**20  # nothing near 1.6 GB was allocated


def test_a_header_declaring_tens_of_gib_names_the_file_and_the_size(tmp_path):
    meta, params = _plain()
    huge = {"W1": lambda zf: _member(zf, "W1", (100_000, 100_000), data=b"")}
    err, peak = _peak_load(_model(tmp_path / "huge.npz", meta, params, huge))
    assert "huge.npz" in str(err) and "74.5 GiB" in str(err)
    assert peak < 20 * 2**20


def test_metadata_with_enormous_layer_sizes_is_refused_with_the_size(tmp_path):
    meta, params = _plain()
    meta["config"]["layer_sizes"] = [10**6] * 3
    err, _ = _peak_load(_model(tmp_path / "big.npz", meta, params))
    assert "big.npz" in str(err) and "TiB" in str(err) and "memory" in str(err)


def test_a_decompression_bomb_matching_its_metadata_is_refused_by_its_ratio(tmp_path):
    sizes = [1, 9_000_000, 1]  # 72 MB per array, all zeros: deflate packs it about 1000x
    meta = {**META, "config": _config([1, 2, 1], layer_sizes=sizes)}
    params = {"W1": None, "b1": None, "W2": None, "b2": None}
    shapes = {"W1": (9_000_000, 1), "b1": (9_000_000,), "W2": (1, 9_000_000), "b2": (1,)}
    members = {
        k: (
            lambda zf, k=k: _member(
                zf, k, shapes[k], zeros=8 * int(np.prod(shapes[k])), compress=True
            )
        )
        for k in shapes
    }
    path = _model(tmp_path / "zeros.npz", meta, params, members)
    err, peak = _peak_load(path)
    assert "zeros.npz" in str(err) and "decompression bomb" in str(err)
    assert peak < 20 * 2**20


def test_a_member_with_fewer_bytes_than_declared_is_refused(tmp_path):
    meta, params = _plain()
    short = {"W1": lambda zf: _member(zf, "W1", (4, 3), data=bytes(8 * 5))}
    with pytest.raises(ValueError, match="short.npz.*declares 96 B of data.*holds 40 B"):
        nr.load(_model(tmp_path / "short.npz", meta, params, short))


@pytest.mark.parametrize("version", ["2", 1.0, True, None, -1])
def test_a_format_version_that_is_not_an_integer_names_the_file(tmp_path, version):
    meta, params = _plain()
    meta["format_version"] = version
    with pytest.raises(ValueError, match=r"v\.npz.*format_version"):
        nr.load(_model(tmp_path / "v.npz", meta, params))


def _standardized(tmp_path, **stats):
    meta, params = _plain()
    meta["config"]["standardize"] = True
    arrays = dict(params)
    base = {"mean": np.zeros(3), "var": np.ones(3), "scale": np.ones(3)}
    for key, value in {**base, **stats}.items():
        if value is not None:
            arrays[f"standardizer_{key}"] = value
    return _model(tmp_path / "st.npz", meta, arrays)


def test_valid_standardizer_statistics_load(tmp_path):
    net = nr.load(_standardized(tmp_path, mean=np.array([1.0, 2.0, 3.0])))
    np.testing.assert_array_equal(net.standardizer.mean_, [1, 2, 3])


@pytest.mark.parametrize(
    ("stats", "message"),
    [
        ({"scale": np.array([1.0, 0.0, 1.0])}, "scale σ > 0"),
        ({"mean": np.array([0.0, np.nan, 0.0])}, "standardizer_mean contains NaN"),
        ({"var": np.array([1.0, -1.0, 1.0])}, "variance must be >= 0"),
        ({"mean": np.zeros(7)}, r"'standardizer_mean' declares shape \(7,\).*\(3,\)"),
        ({"var": None}, r"incomplete standardizer: \['standardizer_var'\] missing"),
    ],
)
def test_bad_standardizer_statistics_are_refused_on_load(tmp_path, stats, message):
    with pytest.raises(ValueError, match=f"st.npz.*{message}"):
        nr.load(_standardized(tmp_path, **stats))


def test_an_unexpected_array_is_refused_before_it_is_read(tmp_path):
    meta, params = _plain()
    huge = {"junk": lambda zf: _member(zf, "junk", (10**6, 10**6), data=b"")}
    with pytest.raises(ValueError, match=r"\['junk'\] unexpected"):
        nr.load(_model(tmp_path / "junk.npz", meta, {**params, "junk": None}, huge))


def _finishes(fn, seconds=10.0):
    """Run ``fn`` in a thread; return ("ok", value), ("error", exc) or ("hung", None)."""
    box = []

    def target():
        try:
            box.append(("ok", fn()))
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            box.append(("error", exc))

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    return box[0] if box else ("hung", None)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_instead_of_hanging(tmp_path, capsys):
    from nnrecipe.cli.main import main

    fifo = tmp_path / "model.npz"
    os.mkfifo(fifo)
    kind, err = _finishes(lambda: nr.load(fifo))
    assert kind == "error" and isinstance(err, ValueError), kind
    assert "model.npz" in str(err) and "not a regular file" in str(err)
    kind, code = _finishes(lambda: main(["diagnose", "--model", str(fifo), "--json"]))
    assert (kind, code) == ("ok", 2)
    assert "not a regular file" in capsys.readouterr().err


def test_save_refuses_non_finite_weights_naming_the_parameter(tmp_path):
    net = nr.Network([3, 4, 1], seed=0)
    net.theta[0] = np.inf
    with pytest.raises(ValueError, match=r"m.npz.*parameter W1 contains NaN or inf"):
        net.save(tmp_path / "m.npz")
    assert list(tmp_path.iterdir()) == []  # nothing written, no temp file left


def test_save_refuses_a_standardizer_with_zero_scale(tmp_path):
    net = nr.Network([2, 3, 1], standardize=True, seed=0)
    net.standardizer.fit(np.array([[0.0, 1.0], [1.0, 2.0]]))
    net.standardizer.scale_[0] = 0.0
    with pytest.raises(ValueError, match="cannot save .*scale σ > 0"):
        net.save(tmp_path / "m.npz")


def test_the_next_save_removes_temp_files_of_killed_saves(tmp_path):
    target = tmp_path / "m.npz"
    stale = [tmp_path / f".m.npz.dead{i}.tmp" for i in range(5)]
    for p in stale:
        p.write_bytes(b"x" * 1000)  # what a SIGKILLed save leaves: no process holds its lock
    other = tmp_path / ".other.npz.dead.tmp"
    other.write_bytes(b"x")
    nr.Network([2, 3, 1], seed=0).save(target)
    assert not any(p.exists() for p in stale)
    assert other.exists()  # only temp files of this target's name
    assert nr.load(target).layer_sizes == [2, 3, 1]


def test_a_live_writers_temp_file_is_left_alone(tmp_path):
    """A concurrent save holds the lock on its temp file: the cleaner must not take it."""
    import fcntl

    target = tmp_path / "m.bin"
    live = tmp_path / ".m.bin.live.tmp"
    fd = os.open(live, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        assert _files.remove_stale_temps(target) == []
        assert live.exists()
    finally:
        os.close(fd)
    assert _files.remove_stale_temps(target) == [live]


def test_concurrent_saves_and_cleaning_never_lose_a_file(tmp_path):
    target = tmp_path / "x.bin"
    errors = []

    def writer(i):
        try:
            for j in range(30):
                _files.atomic_write(target, lambda f, i=i, j=j: f.write(b"%d-%d" % (i, j) * 100))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(6)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and time.perf_counter() - start < 30
    text = target.read_bytes()
    assert text == text[: len(text) // 100] * 100  # one writer's whole content, never a mix
    assert not list(tmp_path.glob(".x.bin.*"))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("classes", ["a", "b"], "classes must be 3 distinct labels"),
        ("classes", ["a", "a", "b"], "classes must be 3 distinct labels"),
        ("classes", [["a"], "b", "c"], "classes must be 3"),
        ("classes", {"a": 1}, "classes must be 3"),
        ("target_scaling", [0.0, float("nan")], "target_scaling must be"),
        ("target_scaling", [0.0, 0.0], "target_scaling must be"),
        ("target_scaling", "ab", "target_scaling must be"),
        ("preprocessor", None, "inconsistent nnrecipe model"),
        ("preprocessor", {"columns": [7], "max_categories": 3, "min_count": 1}, "damaged"),
        ("config.dtype", True, "dtype=True is not supported"),
        ("config.init", ["random", 1e200], "scale of init='random'"),
        ("config.hidden", {"a": 1}, "inconsistent nnrecipe model"),
    ],
)
def test_edited_metadata_is_refused_naming_the_file(tmp_path, field, value, message):
    """The JSON metadata is text anyone can edit: what breaks building from it is named."""
    net = nr.Network([2, 4, 3], output="softmax", seed=0)
    meta = {**META, "format_version": 2, "config": net.config(), "classes": ["a", "b", "c"]}
    if "." in field:
        meta["config"][field.split(".")[1]] = value
    else:
        meta[field] = value
    with pytest.raises(ValueError, match=f"meta.npz.*{message}"):
        nr.load(_model(tmp_path / "meta.npz", meta, net.get_parameters()))
