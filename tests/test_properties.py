"""Property-based fuzzing of the public API's main entry points (hypothesis).

Whatever arguments are generated (sizes, names, numbers, arrays of any shape and dtype, NaN,
inf, complex, ragged lists, random bytes as a model file), a call either works or raises a
ValueError or TypeError that nnrecipe's own code raised (the last frame of the traceback is
in ``src/nnrecipe``): never NumPy's message, an AttributeError, a MemoryError or a hang.
Derandomized and small, so the default run stays fast and reproducible.
"""

from __future__ import annotations

import ast
import functools
import warnings
from pathlib import Path

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import nnrecipe as nr  # noqa: E402

SRC = Path(nr.__file__).resolve().parent
FAST = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@functools.cache
def _raise_lines(filename: str) -> frozenset[int]:
    """The lines of every ``raise`` statement in a source file."""
    tree = ast.parse(Path(filename).read_text())
    return frozenset(
        line
        for node in ast.walk(tree)
        if isinstance(node, ast.Raise)
        for line in range(node.lineno, node.end_lineno + 1)
    )


def _rejected_by_nnrecipe(call):
    """Run ``call``; return whether it was rejected. Any other failure fails the test: an
    exception other than ValueError/TypeError, one that a ``raise`` statement of nnrecipe
    did not raise (NumPy's own, from a C function called in nnrecipe), or a NumPy warning
    (ComplexWarning, overflow) escaping."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            warnings.simplefilter("error", np.exceptions.ComplexWarning)
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                call()
    except (ValueError, TypeError) as exc:
        tb = exc.__traceback__
        while tb.tb_next is not None:
            tb = tb.tb_next
        where = Path(tb.tb_frame.f_code.co_filename).resolve()
        what = f"{type(exc).__name__} from {where}:{tb.tb_lineno}: {exc}"
        assert where.is_relative_to(SRC), what
        assert tb.tb_lineno in _raise_lines(str(where)), what
        assert str(exc), "an empty message"
        return True
    return False


odd_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 10),
    st.sampled_from([0, -1, 10**12, 2**63]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.complex_numbers(max_magnitude=10),
    st.text(max_size=4),
)
sizes = st.one_of(
    st.lists(st.integers(1, 6), min_size=2, max_size=4),
    st.lists(odd_scalars, max_size=4),
    odd_scalars,
)
names = st.one_of(
    st.sampled_from(["relu", "tanh", "sigmoid", "softmax", "linear", "leaky_relu", "RELU"]),
    odd_scalars,
    st.lists(st.sampled_from(["relu", "tanh", "bogus"]), max_size=3),
)
inits = st.one_of(
    st.sampled_from(["he", "xavier", "glorot", "auto", "random", "zeros", "bogus"]),
    st.tuples(st.just("random"), odd_scalars),
    odd_scalars,
)


def _arrays(m_max=6, n_max=4):
    """Arrays and array-likes of any kind: real, complex, boolean, string, NaN/inf, empty,
    1-D, 3-D, ragged lists, scalars."""
    shapes = st.tuples(st.integers(0, m_max), st.integers(0, n_max))
    real = shapes.flatmap(
        lambda s: st.lists(
            st.floats(allow_nan=True, allow_infinity=True, width=64),
            min_size=s[0] * s[1],
            max_size=s[0] * s[1],
        ).map(lambda v, s=s: np.array(v, dtype=np.float64).reshape(s))
    )
    return st.one_of(
        real,
        real.map(lambda a: a + 1j),
        real.map(lambda a: a.astype(str)),
        real.map(lambda a: a.ravel()),
        real.map(lambda a: a[None]),
        st.lists(st.lists(st.integers(-2, 2), max_size=3), max_size=4),  # ragged or not
        odd_scalars,
    )


@FAST
@given(
    layer_sizes=sizes,
    hidden=names,
    output=names,
    init=inits,
    l2=odd_scalars,
    keep_prob=st.one_of(odd_scalars, st.floats(0.1, 1.0)),
    dtype=st.one_of(st.sampled_from(["float32", "float64", "int8"]), odd_scalars),
    seed=odd_scalars,
)
def test_the_network_constructor(layer_sizes, hidden, output, init, l2, keep_prob, dtype, seed):
    built = []
    rejected = _rejected_by_nnrecipe(
        lambda: built.append(
            nr.Network(
                layer_sizes,
                hidden=hidden,
                output=output,
                init=init,
                l2=l2,
                keep_prob=keep_prob,
                dtype=dtype,
                seed=seed,
            )
        )
    )
    if not rejected:  # accepted: a working network, from arguments of the right kinds
        net = built[0]
        assert not isinstance(seed, bool) and np.isfinite(net.theta).all()
        X = np.ones((2, net.layer_sizes[0]))
        assert np.isfinite(net.predict_proba(X)).all(), (init, net.init_scale)


valid_data = st.integers(1, 8).flatmap(
    lambda m: st.tuples(
        st.lists(st.floats(-5, 5), min_size=4 * m, max_size=4 * m).map(
            lambda v: np.array(v).reshape(-1, 4)
        ),
        st.lists(st.integers(0, 1), min_size=m, max_size=m),
    )
)


@FAST
@given(
    data=st.one_of(valid_data, st.tuples(_arrays(), _arrays())),
    epochs=odd_scalars,
    batch_size=odd_scalars,
    learning_rate=odd_scalars,
    verbose=odd_scalars,
    callbacks=st.one_of(odd_scalars, st.lists(odd_scalars, max_size=2)),
)
def test_fit(data, epochs, batch_size, learning_rate, verbose, callbacks):
    X, y = data
    net = nr.Network([4, 3, 1], seed=0)
    kwargs = {"epochs": epochs, "batch_size": batch_size, "learning_rate": learning_rate}
    kwargs = {k: (min(v, 2) if isinstance(v, int) and v > 0 else v) for k, v in kwargs.items()}
    if not _rejected_by_nnrecipe(
        lambda: net.fit(X, y, verbose=verbose, callbacks=callbacks, seed=0, **kwargs)
    ):  # accepted: only arguments of the right kinds
        assert isinstance(verbose, bool) and not np.iscomplexobj(X)
        assert all(hasattr(c, "on_epoch_end") for c in np.atleast_1d(callbacks or []))
    assert np.isfinite(net.theta).all()  # a rejected or finished fit leaves finite weights


@FAST
@given(X=_arrays(), y=_arrays())
def test_predict_and_evaluate(X, y):
    net = nr.Network([4, 3, 3], output="softmax", seed=0)
    _rejected_by_nnrecipe(lambda: net.predict(X))
    _rejected_by_nnrecipe(lambda: net.evaluate(X, y))


@FAST
@given(W1=_arrays(), b1=_arrays(), extra=st.booleans())
def test_set_parameters(W1, b1, extra):
    net = nr.Network([4, 3, 1], seed=0)
    params = {**net.get_parameters(), "W1": W1, "b1": b1}
    if extra:
        params["W9"] = 0
    before = net.get_vector()
    if _rejected_by_nnrecipe(lambda: net.set_parameters(params)):
        np.testing.assert_array_equal(net.get_vector(), before)  # all or nothing


@FAST
@given(
    train=odd_scalars,
    dev=odd_scalars,
    baseline=odd_scalars,
    threshold=st.one_of(odd_scalars, st.floats(0, 1)),
)
def test_diagnose(train, dev, baseline, threshold):
    _rejected_by_nnrecipe(
        lambda: nr.diagnose(train, dev, baseline_error=baseline, bias_threshold=threshold)
    )


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(data=st.binary(max_size=600), prefix=st.sampled_from([b"", b"PK\x03\x04", b"\x93NUMPY"]))
def test_load_random_bytes(tmp_path_factory, data, prefix):
    path = tmp_path_factory.mktemp("fuzz") / "m.npz"
    path.write_bytes(prefix + data)
    assert _rejected_by_nnrecipe(lambda: nr.load(path))


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(cut=st.integers(0, 10**6), flip=st.integers(0, 10**6), value=st.integers(0, 255))
def test_load_damaged_model_files(tmp_path_factory, cut, flip, value):
    """A real model file, truncated or with one byte changed: loads the same, or is refused."""
    directory = tmp_path_factory.mktemp("damaged")
    net = nr.Network([3, 4, 2], output="softmax", standardize=True, seed=0)
    net.fit(np.arange(12.0).reshape(4, 3), [0, 1, 0, 1], epochs=1)
    blob = bytearray(net.save(directory / "ok.npz").read_bytes())
    blob[flip % len(blob)] = value
    damaged = directory / "bad.npz"
    damaged.write_bytes(bytes(blob[: len(blob) - cut % 50]))
    loaded = []
    if not _rejected_by_nnrecipe(lambda: loaded.append(nr.load(damaged))):
        assert loaded[0].layer_sizes == [3, 4, 2]


extreme_rows = st.integers(1, 6).flatmap(
    lambda m: st.lists(
        st.floats(allow_nan=False, allow_infinity=False, width=64), min_size=4 * m, max_size=4 * m
    ).map(lambda v: np.array(v).reshape(-1, 4))
)


@functools.cache
def _trained(kind: str):
    """A small trained network of each kind: softmax or linear, standardized or not."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 4))
    if kind == "linear":
        net, y = nr.Network([4, 5, 1], output="linear", standardize=True, seed=0), X[:, 0]
    else:
        standardize = kind == "softmax"
        net = nr.Network([4, 5, 3], output="softmax", standardize=standardize, seed=0)
        y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 1)
    net.fit(X, y, epochs=3, seed=0)
    return net, y


@FAST
@given(X=extreme_rows, kind=st.sampled_from(["softmax", "raw softmax", "linear"]))
def test_predict_and_evaluate_on_extreme_finite_inputs(X, kind):
    """Finite inputs of any magnitude (up to ±1.8e308): every output is finite, or the call
    raises nnrecipe's own error; never a NaN handed back (issue 27)."""
    net, y = _trained(kind)
    got = []
    for call in (net.predict, net.predict_proba):
        if not _rejected_by_nnrecipe(lambda call=call: got.append(call(X))):
            assert np.isfinite(np.asarray(got.pop(), dtype=np.float64)).all(), call
    y = np.resize(y, len(X))
    if not _rejected_by_nnrecipe(lambda: got.append(net.evaluate(X, y))):
        assert all(np.isfinite(v) for v in got.pop().values())


@FAST
@given(X=extreme_rows.filter(lambda X: len(X) > 1), standardize=st.booleans())
def test_fit_on_extreme_finite_inputs(X, standardize):
    """Training on finite inputs of any magnitude is refused, or gives a network whose
    predictions on them are finite or refused."""
    net = nr.Network([4, 3, 1], standardize=standardize, seed=0)
    y = np.arange(len(X)) % 2
    if not _rejected_by_nnrecipe(lambda: net.fit(X, y, epochs=2, seed=0)):
        got = []
        if not _rejected_by_nnrecipe(lambda: got.append(net.predict_proba(X))):
            assert np.isfinite(got[0]).all()
