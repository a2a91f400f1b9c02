"""nr.datasets: generated 2-D sets, scikit-learn's sets, MNIST (files, md5, cache), CSV/npz."""

import gzip
import hashlib
import shutil

import numpy as np
import pytest
from conftest import MNIST_DIR

import nnrecipe as nr
from nnrecipe.data import mnist as mnist_module
from nnrecipe.data.mnist import read_idx

needs_mnist = pytest.mark.skipif(
    not MNIST_DIR.is_dir(), reason="the MNIST test set is not available"
)


@pytest.mark.parametrize("name", ["moons", "circles", "spiral", "flower", "blobs"])
def test_generated_sets_take_n_noise_seed(name):
    make = getattr(nr.datasets, name)
    X, y = make(n=301, noise=0.1, seed=4)
    assert X.shape == (301, 2) and y.shape == (301,) and y.dtype == np.int64
    assert np.isfinite(X).all() and set(np.unique(y)) >= {0, 1}
    X2, y2 = make(n=301, noise=0.1, seed=4)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    assert not np.array_equal(X, make(n=301, noise=0.1, seed=5)[0])
    assert np.array_equal(nr.datasets.get(name, n=301, noise=0.1, seed=4)[0], X)


def test_blobs_flip_exactly_the_requested_fraction_of_labels():
    centers = 6 * np.array([[1, 0], [-0.5, np.sqrt(3) / 2], [-0.5, -np.sqrt(3) / 2]])
    for noise in (0.0, 0.15):
        X, y = nr.datasets.blobs(n=1000, noise=noise, seed=0, spread=0.3, distance=6)
        truth = np.argmin(((X[:, None, :] - centers) ** 2).sum(-1), axis=1)  # the blob it is in
        assert np.mean(truth != y) == pytest.approx(noise, abs=1e-12)
    with pytest.raises(ValueError, match="fraction of labels flipped"):
        nr.datasets.blobs(noise=1.5)


def test_spiral_has_one_arm_per_class_and_flower_is_balanced():
    X, y = nr.datasets.spiral(n=600, classes=3, noise=0.0)
    assert np.bincount(y).tolist() == [200, 200, 200]
    r = np.hypot(X[:, 0], X[:, 1])
    assert r.min() == pytest.approx(0.05) and r.max() == pytest.approx(1.0)
    X, y = nr.datasets.flower(n=400, noise=0.0)
    assert np.bincount(y).tolist() == [200, 200] and np.abs(X).max() <= 4 + 1e-9


def test_unknown_dataset_and_bad_arguments():
    with pytest.raises(ValueError, match="valid|choose one of"):
        nr.datasets.get("iris")
    with pytest.raises(ValueError, match="n=0"):
        nr.datasets.moons(n=0)
    with pytest.raises(ValueError, match="noise"):
        nr.datasets.spiral(noise=-1)


def test_scikit_learn_sets():
    pytest.importorskip("sklearn")
    X, y = nr.datasets.digits()
    assert X.shape == (1797, 64) and X.max() == 1.0 and set(np.unique(y)) == set(range(10))
    X, y = nr.datasets.breast_cancer()
    assert X.shape == (569, 30) and set(np.unique(y)) == {0, 1}


# ---------------------------------------------------------------- MNIST
@needs_mnist
def test_mnist_test_set_reads_from_a_local_folder():
    X, y = nr.datasets.mnist("test", path=MNIST_DIR)
    assert X.shape == (10_000, 784) and X.dtype == np.float64
    assert X.min() == 0.0 and X.max() == 1.0
    assert np.bincount(y).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    images, labels = nr.datasets.mnist("test", path=MNIST_DIR, flatten=False, scale=False)
    assert images.shape == (10_000, 28, 28) and images.dtype == np.uint8
    assert labels[:5].tolist() == [7, 2, 1, 0, 4]  # the published first labels
    X32, _ = nr.datasets.mnist("test", path=MNIST_DIR, dtype="float32")
    assert X32.dtype == np.float32


@needs_mnist
def test_mnist_found_through_the_environment_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("NNRECIPE_MNIST", str(MNIST_DIR))
    monkeypatch.setenv("NNRECIPE_DATA", str(tmp_path / "empty-cache"))
    X, _ = nr.datasets.mnist("test", download=False)
    assert X.shape == (10_000, 784)
    with pytest.raises(ValueError, match="train-images-idx3-ubyte.*was not found"):
        nr.datasets.mnist("train", download=False)


@needs_mnist
def test_mnist_download_verifies_md5_and_caches(monkeypatch, tmp_path):
    """Download from a mirror (a local file:// one here), into the cache, then read offline."""
    monkeypatch.setenv("NNRECIPE_DATA", str(tmp_path / "cache"))
    monkeypatch.delenv("NNRECIPE_MNIST", raising=False)
    monkeypatch.setattr(mnist_module, "MIRRORS", (MNIST_DIR.as_uri() + "/",))
    X, y = nr.datasets.mnist("test")
    cached = tmp_path / "cache" / "mnist" / "t10k-images-idx3-ubyte.gz"
    assert (
        cached.is_file()
        and hashlib.md5(cached.read_bytes()).hexdigest() == mnist_module.MD5[cached.name]
    )
    monkeypatch.setattr(mnist_module, "MIRRORS", ())  # offline now: the cache is enough
    assert np.array_equal(nr.datasets.mnist("test")[0], X)


@needs_mnist
def test_a_damaged_download_is_refused_and_leaves_no_file(monkeypatch, tmp_path):
    bad = tmp_path / "mirror"
    bad.mkdir()
    (bad / "t10k-images-idx3-ubyte.gz").write_bytes(b"not mnist")
    monkeypatch.setenv("NNRECIPE_DATA", str(tmp_path / "cache"))
    monkeypatch.setattr(mnist_module, "MIRRORS", (bad.as_uri() + "/",))
    with pytest.raises(ValueError, match="md5 .* instead of 9fb629c4189551a2d022fa330f9573f3"):
        mnist_module.download_file("t10k-images-idx3-ubyte.gz")
    assert not any((tmp_path / "cache").rglob("*ubyte*"))


@needs_mnist
def test_a_local_gz_with_the_wrong_md5_is_named(tmp_path):
    shutil.copy(MNIST_DIR / "t10k-labels-idx1-ubyte.gz", tmp_path)
    with gzip.open(tmp_path / "t10k-images-idx3-ubyte.gz", "wb") as f:  # valid IDX, other bytes
        f.write(bytes([0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 28, 0, 0, 0, 28]) + bytes(784))
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte.gz' has md5 .*not the published"):
        nr.datasets.mnist("test", path=tmp_path)
    with pytest.raises(ValueError, match="files do not match: images .1, 28, 28., labels .10000,."):
        nr.datasets.mnist("test", path=tmp_path, verify=False)


def _idx(shape, data: bytes) -> bytes:
    return bytes([0, 0, 8, len(shape)]) + b"".join(int(d).to_bytes(4, "big") for d in shape) + data


def test_idx_parsing_of_uncompressed_and_gzipped_files(tmp_path):
    raw = np.arange(24, dtype=np.uint8)
    (tmp_path / "a-idx3-ubyte").write_bytes(_idx((2, 3, 4), raw.tobytes()))
    with gzip.open(tmp_path / "a-idx3-ubyte.gz", "wb") as f:
        f.write(_idx((2, 3, 4), raw.tobytes()))
    for name in ("a-idx3-ubyte", "a-idx3-ubyte.gz"):
        assert np.array_equal(read_idx(tmp_path / name), raw.reshape(2, 3, 4))


@pytest.mark.parametrize(
    "content, match",
    [
        (_idx((2, 3, 4), bytes(20)), "is truncated: its header announces shape \\(2, 3, 4\\)"),
        (_idx((2, 3), bytes(7)), "longer than its header says"),
        (b"\x00\x00\x08\x03\x00\x00", "truncated inside its header"),
        (b"PK\x03\x04junk", "is not an IDX file"),
    ],
)
def test_bad_idx_files_raise_an_error_naming_the_file(tmp_path, content, match):
    path = tmp_path / "broken-idx3-ubyte"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=f"broken-idx3-ubyte.*{match}"):
        read_idx(path)


def test_a_truncated_gzip_file_is_named(tmp_path):
    path = tmp_path / "cut-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(_idx((100,), bytes(100)))[:30])
    with pytest.raises(
        ValueError, match="cut-idx1-ubyte.gz' cannot be read .*damaged or truncated"
    ):
        read_idx(path)


# ---------------------------------------------------------------- CSV / npz
def test_load_csv_with_header_and_string_labels(tmp_path):
    path = tmp_path / "pets.csv"
    path.write_text("weight,label,height\n4.5,cat,30\n30,dog,60\n5,cat,25\n")
    data = nr.datasets.load(path, target="label")
    X, y = data
    assert np.array_equal(X, [[4.5, 30], [30, 60], [5, 25]]) and y.tolist() == [0, 1, 0]
    assert data.classes == ["cat", "dog"] and data.feature_names == ["weight", "height"]
    assert data.target == "label"


def test_load_csv_without_header_defaults_to_the_last_column(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("1,2,0\n3,4,1\n")
    X, y = nr.datasets.load(path)
    assert X.tolist() == [[1, 2], [3, 4]] and y.tolist() == [0, 1] and y.dtype == np.int64


@pytest.mark.parametrize(
    "text, target, match",
    [
        ("a,b,label\n1,2,0\n3,4\n", "label", "line 3 has 2 columns but the header has 3"),
        ("a,b,label\n1,2,0\n", "class", "target='class' is not a column.*'a', 'b', 'label'"),
    ],
)
def test_bad_csv_raises_an_error_naming_line_and_column(tmp_path, text, target, match):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match=match):
        nr.datasets.load(path, target=target)


@pytest.mark.parametrize("text", ["a,b,label\n1,2,0\n3,,1\n", "a,b,label\n1,2,0\n3,x,1\n"])
def test_a_csv_with_empty_or_text_cells_is_read_as_the_command_reads_it(tmp_path, text):
    """Issue 26: the same reader as `nnrecipe improve --dataset` (text columns one-hot,
    empty cells imputed by the table preprocessing), not an error."""
    path = tmp_path / "table.csv"
    path.write_text(text)
    X, y = nr.datasets.load(path, target="label")
    assert type(X).__name__ == "DataFrame" and list(X.columns) == ["a", "b"]
    assert y.tolist() == [0, 1] and len(X) == 2


def test_load_npz(tmp_path):
    path = tmp_path / "d.npz"
    np.savez(path, X=np.ones((4, 2)), label=np.arange(4))
    X, y = nr.datasets.load(path, target="label")
    assert X.shape == (4, 2) and y.tolist() == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="has no array 'y'; its arrays are \\['X', 'label'\\]"):
        nr.datasets.load(path)
    with pytest.raises(ValueError, match="does not exist"):
        nr.datasets.load(tmp_path / "missing.csv")
    (tmp_path / "d.parquet").write_bytes(b"")
    with pytest.raises(ValueError, match="unknown file type"):
        nr.datasets.load(tmp_path / "d.parquet")


def test_find_file_takes_the_first_folder_and_either_spelling(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    (second / "t10k-images-idx3-ubyte.gz").write_bytes(b"x")
    (first / "t10k-images.idx3-ubyte").write_bytes(b"x")  # the dotted spelling, uncompressed
    name = "t10k-images-idx3-ubyte"
    assert mnist_module.find_file(name, [first, second]) == first / "t10k-images.idx3-ubyte"
    assert mnist_module.find_file(name, [second, first]) == second / (name + ".gz")
    assert mnist_module.find_file("t10k-labels-idx1-ubyte", [first, second]) is None
