import contextlib

import pytest


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
