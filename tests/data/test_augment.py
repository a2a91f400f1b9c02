"""nr.augment: each transform against its definition, batching, seeding, fit integration."""

import numpy as np
import pytest
from conftest import MNIST_DIR

import nnrecipe as nr
from nnrecipe.data.augment import in_raw_space

needs_mnist = pytest.mark.skipif(
    not MNIST_DIR.is_dir(), reason="the MNIST test set is not available"
)
A = nr.augment


@pytest.fixture
def batch():
    return np.random.default_rng(0).random((16, 6 * 6))


def test_flip_mirrors_left_right_with_probability_p(batch):
    images = batch.reshape(16, 6, 6)
    assert np.array_equal(A.Flip(p=1.0)(batch).reshape(16, 6, 6), images[:, :, ::-1])
    assert np.array_equal(A.Flip(p=1.0, vertical=True)(batch).reshape(16, 6, 6), images[:, ::-1])
    assert np.array_equal(A.Flip(p=0.0)(batch), batch)
    big = np.random.default_rng(1).random((4000, 4))
    flipped = np.mean(np.any(A.Flip(p=0.3)(big, 0) != big, axis=1))
    assert flipped == pytest.approx(0.3, abs=0.03)


def test_shift_moves_each_image_by_its_own_offset_and_fills_the_border(batch):
    out = A.Shift(max_shift=2, fill=-1.0)(batch, 5).reshape(16, 6, 6)
    images = batch.reshape(16, 6, 6)
    offsets = set()
    for i in range(16):  # find each image's offset by trying all 25 shifts
        for dr in range(-2, 3):
            for dc in range(-2, 3):
                shifted = np.full((6, 6), -1.0)
                src = images[i][max(0, -dr) : 6 - max(0, dr), max(0, -dc) : 6 - max(0, dc)]
                shifted[max(0, dr) : 6 - max(0, -dr), max(0, dc) : 6 - max(0, -dc)] = src
                if np.array_equal(shifted, out[i]):
                    offsets.add((dr, dc))
                    break
            else:
                continue
            break
        else:
            pytest.fail(f"image {i} is not a shift of its input")
    assert len(offsets) > 3  # images get different offsets


def test_random_crop_is_a_shift_by_at_most_the_padding(batch):
    a = A.RandomCrop(padding=1)(batch, 3)
    b = A.Shift(max_shift=1)(batch, 3)
    assert np.array_equal(a, b)


def test_rotation_by_zero_is_identity_and_by_90_degrees_is_rot90():
    X = np.random.default_rng(2).random((3, 28 * 28))
    assert np.allclose(A.Rotate(0.0)(X, 0), X)

    class Always90:  # a stand-in generator whose every angle is 90 degrees
        def uniform(self, low, high, size):
            return np.full(size, 90.0)

    images = X.reshape(3, 28, 28, 1)
    out = A.Rotate(90)._apply(images, Always90()).reshape(3, 28, 28)
    assert np.allclose(out, np.rot90(X.reshape(3, 28, 28), 1, axes=(1, 2)), atol=1e-12)


def test_rotation_keeps_the_mass_of_a_centred_blob_and_fills_corners():
    img = np.zeros((28, 28))
    img[10:18, 10:18] = 1.0
    out = A.Rotate(max_degrees=15, fill=0.0)(np.tile(img.ravel(), (50, 1)), 0).reshape(50, 28, 28)
    assert np.allclose(out.sum(axis=(1, 2)), 64.0, rtol=0.02)  # bilinear keeps the mass
    assert np.all(out[:, 0, 0] == 0.0)
    full = A.Rotate(max_degrees=30, fill=0.5)(np.ones((5, 784)), 1).reshape(5, 28, 28)
    assert np.all(full[:, 0, 0] < 1.0) and np.all(full[:, 14, 14] == 1.0)


def test_noise_has_the_requested_spread_and_clips():
    X = np.full((200, 100), 0.5)
    out = A.Noise(std=0.1)(X, 0)
    assert np.std(out - X) == pytest.approx(0.1, rel=0.02)
    clipped = A.Noise(std=1.0, clip=(0, 1))(X, 0)
    assert clipped.min() == 0.0 and clipped.max() == 1.0


def test_compose_is_seeded_reproducible_and_keeps_dtype_and_input(batch):
    pipeline = A.Compose(A.Shift(1), A.Rotate(10), A.Noise(0.01), A.Flip())
    X32 = batch.astype(np.float32)
    before = X32.copy()
    a, b = pipeline(X32, 7), pipeline(X32, np.random.default_rng(7))
    assert a.dtype == np.float32 and a.shape == X32.shape
    assert np.array_equal(a, b) and not np.array_equal(a, pipeline(X32, 8))
    assert np.array_equal(X32, before)  # the input batch is never modified
    assert A.Compose([A.Flip(p=1.0)])(batch).shape == batch.shape


def test_image_shape_is_inferred_for_squares_and_given_otherwise():
    X = np.arange(2 * 4 * 6 * 3, dtype=float).reshape(2, -1)  # 4x6 RGB, channels last
    out = A.Flip(p=1.0, image_shape=(4, 6, 3))(X).reshape(2, 4, 6, 3)
    assert np.array_equal(out, X.reshape(2, 4, 6, 3)[:, :, ::-1])
    with pytest.raises(ValueError, match="72 features, not a square number.*image_shape"):
        A.Flip()(X)
    with pytest.raises(ValueError, match="holds 16 values but X has 72"):
        A.Shift(image_shape=(4, 4))(X)
    with pytest.raises(TypeError, match="max_shift must be a whole number"):
        A.Shift(1.5)
    with pytest.raises(TypeError, match="Compose takes nnrecipe.augment transforms"):
        A.Compose(lambda X, rng: X)


def test_in_raw_space_augments_pixels_not_z_scores():
    rng = np.random.default_rng(0)
    X = rng.random((50, 16)) * np.linspace(0.1, 1, 16)  # pixels with unequal means
    st = nr.Standardizer().fit(X)
    shift = A.Shift(max_shift=1, fill=0.0)
    via_raw = in_raw_space(shift, st)(st.transform(X), np.random.default_rng(3))
    expected = st.transform(shift(X, np.random.default_rng(3)))
    assert np.allclose(via_raw, expected)  # black padding, pixels keep their meaning


def test_fit_applies_augmentation_to_training_batches_only():
    seen = []

    def spy(Xb, rng):
        seen.append(len(Xb))
        return Xb

    X, y = nr.datasets.moons(n=200, seed=0)
    net = nr.Network([2, 4, 1], seed=0)
    net.fit(X[:150], y[:150], dev=(X[150:], y[150:]), epochs=2, batch_size=50, augment=spy)
    assert seen == [50, 50, 50] * 2


@needs_mnist
def test_augmentation_narrows_the_train_dev_gap_on_1000_mnist_digits():
    """1,000 training digits: a 64-unit network memorizes them (gap ~9 points);
    random shifts of up to 2 pixels make memorizing harder and the gap closes."""
    X, y = nr.datasets.mnist("test", path=MNIST_DIR)
    (Xt, yt), (Xd, yd), _ = nr.split(X, y, ratios=(1000, 2000, 7000), seed=0)

    def gap(augment, standardize=False):
        net = nr.Network([784, 64, 10], output="softmax", seed=0, standardize=standardize)
        net.fit(Xt, yt, epochs=20, batch_size=64, learning_rate=1e-3, augment=augment, seed=0)
        d = net.diagnose((Xt, yt), (Xd, yd))
        return d.variance, d.dev_error

    plain, plain_dev = gap(None)
    shifted, shifted_dev = gap(A.Shift(max_shift=2))
    assert plain > 0.07 and shifted < plain / 2
    assert shifted_dev < plain_dev + 0.02  # the gap closes without hurting the dev error much
    # with a Standardizer inside the network, fit augments raw pixels: the same effect
    standardized, _ = gap(A.Shift(max_shift=2), standardize=True)
    assert standardized < plain / 2
