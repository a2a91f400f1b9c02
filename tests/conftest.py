import os

# One BLAS thread per test process: the suite's matrices are small, and on a busy 2-core
# machine competing BLAS threads made it 5x slower. Set before NumPy loads its BLAS.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import contextlib  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import nnrecipe as nr  # noqa: E402

MNIST_DIR = Path(
    os.environ.get(
        "NNRECIPE_MNIST_T10K",
        Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist-t10k",
    )
)


@pytest.fixture(scope="session", autouse=True)
def _one_network():
    """improve ends with one network in the suite, not its default ensemble of 5 (4 more runs
    and 4 more refits after the search: the suite's improve calls would take about twice as
    long); tests marked ``ensemble`` turn it back on. Session-scoped, so module fixtures
    that run improve see it too."""
    from nnrecipe.recipe import averaging

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(averaging, "SIZE", 1)
        yield


@pytest.fixture(autouse=True)
def _ensemble_when_marked(request, monkeypatch):
    if request.node.get_closest_marker("ensemble") is not None:
        from nnrecipe.recipe import averaging

        monkeypatch.setattr(averaging, "SIZE", 5)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture
def moons_split():
    """Two-moons data split 60/20/20 (a fixed seed, so thresholds are stable)."""
    X, y = nr.datasets.moons(n=1000, noise=0.2, seed=1)
    return (X[:600], y[:600]), (X[600:800], y[600:800]), (X[800:], y[800:])


def finite_difference(net, X, Y, rng_seed=None, eps=1e-6):
    """Two-sided finite differences of net.cost over every coordinate of θ."""
    training = rng_seed is not None
    theta = net.get_vector()
    approx = np.empty_like(theta)
    for i in range(theta.size):
        t = theta.copy()
        t[i] += eps
        net.set_vector(t)
        plus = net.cost(X, Y, training=training, rng=rng_seed)
        t[i] -= 2 * eps
        net.set_vector(t)
        minus = net.cost(X, Y, training=training, rng=rng_seed)
        approx[i] = (plus - minus) / (2 * eps)
    net.set_vector(theta)
    return approx


def flat_gradients(net, grads):
    return np.concatenate([grads["d" + k].ravel() for k in net.parameter_shapes()])


def relative_difference(a, b):
    return np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))


@pytest.fixture
def on_dask_cluster():
    """A context manager: joblib's runs inside it go to a two-worker Dask ``LocalCluster``
    (skipped when dask or distributed is not installed)."""
    pytest.importorskip("dask")
    distributed = pytest.importorskip("distributed")
    from joblib import parallel_config

    @contextlib.contextmanager
    def cluster():
        with (
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                     dashboard_address=None) as local,
            distributed.Client(local),
            parallel_config(backend="dask"),
        ):  # fmt: skip
            yield

    return cluster
