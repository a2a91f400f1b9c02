"""``reproduce(name)``: rerun an assignment's experiment and print the published table beside
this library's numbers.

* ``initialization``: circles, make_circles(300, noise=.05) after seed 1 (test: 100 after
  seed 2); [2, 10, 5, 1] by gradient descent, α = 0.01, 15,000 iterations, from zeros,
  random ×10 and He initial weights.
* ``regularization``: the football positions (411 rows, the last 200 the test set; the shipped
  copy or ``data``); [2, 20, 3, 1], α = 0.3, 30,000 iterations, without regularization, with
  L2 λ = 0.7 and with dropout keep_prob = 0.86 (the course's masks, the same every iteration).
* ``gradient_checking``: the toy J(θ) = θx at x = 2, θ = 4, then the test case drawn after
  seed 1 through the 3-layer network, with the assignment's planted bugs and without.
* ``optimization``: moons, make_moons(300, noise=.2) after seed 3; [2, 5, 2, 1] from He weights
  (seed 3), mini-batches of 64 reshuffled with seeds 11, 12, ..., 5,000 epochs, α = 0.0007:
  gradient descent, momentum β = 0.9 and Adam.

Every seed goes to a local ``np.random.RandomState``; scikit-learn builds circles and moons.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import gradient_checking, initialization, optimization, regularization, training

NAMES = ("initialization", "regularization", "gradient_checking", "optimization")
FOOTBALL = Path(__file__).resolve().parent / "data" / "football.csv"

# the notebooks' printed results: (experiment, column, published value)
PUBLISHED = {
    "initialization": [
        ("zeros", "train accuracy", 0.5),
        ("zeros", "test accuracy", 0.5),
        ("random ×10", "train accuracy", 0.83),
        ("random ×10", "test accuracy", 0.86),
        ("he", "train accuracy", 0.9933333333333333),
        ("he", "test accuracy", 0.96),
    ],
    "regularization": [
        ("no regularization", "train accuracy", 0.9478672985781991),
        ("no regularization", "test accuracy", 0.915),
        ("L2 λ=0.7", "train accuracy", 0.9383886255924171),
        ("L2 λ=0.7", "test accuracy", 0.93),
        ("dropout keep_prob=0.86", "train accuracy", 0.9289099526066351),
        ("dropout keep_prob=0.86", "test accuracy", 0.95),
    ],
    "gradient_checking": [
        ("1-D J(θ) = θx", "difference", 2.919335883291695e-10),
        ("3-layer, planted bugs", "difference", 0.2850931567761623),
        ("3-layer, fixed", "difference", 1.1890913024229996e-07),
    ],
    "optimization": [
        ("mini-batch gd", "train accuracy", 0.7166666666666667),
        ("momentum", "train accuracy", 0.7166666666666667),
        ("adam", "train accuracy", 0.9433333333333334),
    ],
}


@dataclass
class Reproduction:
    """An assignment's published numbers beside ours: ``rows`` of
    (experiment, column, published, ours)."""

    name: str
    rows: list[tuple[str, str, float, float]] = field(default_factory=list)

    def matches(self, rtol: float = 1e-9) -> bool:
        """Whether every number agrees with the published one to ``rtol``."""
        return all(np.isclose(ours, pub, rtol=rtol, atol=0) for _, _, pub, ours in self.rows)

    def __str__(self) -> str:
        lines = [f"{self.name}: published vs nnrecipe", ""]
        head = ("experiment", "quantity", "published", "nnrecipe", "")
        body = [
            (
                exp,
                col,
                f"{pub:.10g}",
                f"{ours:.10g}",
                "=" if np.isclose(ours, pub, 1e-9, 0) else "≠",
            )
            for exp, col, pub, ours in self.rows
        ]
        widths = [max(len(r[i]) for r in [head, *body]) for i in range(5)]
        for r in [head, *body]:
            lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
        return "\n".join(lines)


def circles():
    """The Initialization assignment's data: train (2, 300), (1, 300); test (2, 100), (1, 100)."""
    from sklearn.datasets import make_circles

    X, y = make_circles(n_samples=300, noise=0.05, random_state=np.random.RandomState(1))
    Xt, yt = make_circles(n_samples=100, noise=0.05, random_state=np.random.RandomState(2))
    return X.T, y.reshape(1, -1), Xt.T, yt.reshape(1, -1)


def moons():
    """The Optimization assignment's data: X (2, 300), Y (1, 300)."""
    from sklearn.datasets import make_moons

    X, y = make_moons(n_samples=300, noise=0.2, random_state=np.random.RandomState(3))
    return X.T, y.reshape(1, -1)


def football(path=None):
    """The Regularization assignment's data: train (2, 211), (1, 211); test (2, 200), (1, 200).

    A CSV with columns pos_x, pos_y, team (the shipped copy when ``path`` is None); the last
    200 rows are the test set, as in the assignment."""
    path = FOOTBALL if path is None else Path(path)
    if not path.is_file():
        raise ValueError(f"data={str(path)!r} is not a file; pass the football positions CSV")
    table = np.atleast_1d(np.genfromtxt(path, delimiter=",", names=True))
    missing = {"pos_x", "pos_y", "team"} - set(table.dtype.names or ())
    if missing or len(table) <= 200:
        raise ValueError(
            f"{path} must be a CSV with columns pos_x, pos_y, team and more than 200 rows "
            f"(the last 200 are the test set); missing {sorted(missing)}, {len(table)} rows"
        )
    X = np.vstack([table["pos_x"], table["pos_y"]])
    Y = table["team"].reshape(1, -1)
    return X[:, :-200], Y[:, :-200], X[:, -200:], Y[:, -200:]


def _accuracies(params, train_X, train_Y, test_X=None, test_Y=None) -> tuple[float, ...]:
    out = [training.accuracy(train_X, train_Y, params)]
    if test_X is not None:
        out.append(training.accuracy(test_X, test_Y, params))
    return tuple(out)


def _initialization(data, print_cost):
    train_X, train_Y, test_X, test_Y = data if data is not None else circles()
    out = {}
    for name, init in (("zeros", "zeros"), ("random ×10", "random"), ("he", "he")):
        params = initialization.model(train_X, train_Y, initialization=init, print_cost=print_cost)
        out[name] = _accuracies(params, train_X, train_Y, test_X, test_Y)
    return out


def _regularization(data, print_cost):
    train_X, train_Y, test_X, test_Y = football(data)
    runs = {
        "no regularization": {},
        "L2 λ=0.7": {"lambd": 0.7},
        "dropout keep_prob=0.86": {"keep_prob": 0.86},
    }
    out = {}
    for name, kwargs in runs.items():
        params = regularization.model(train_X, train_Y, print_cost=print_cost, **kwargs)
        out[name] = _accuracies(params, train_X, train_Y, test_X, test_Y)
    return out


def _gradient_checking(data, print_cost):
    r = np.random.RandomState(1)
    X, Y = r.randn(4, 3), np.array([1, 1, 0])
    P = {}
    for layer, shape in enumerate([(5, 4), (3, 5), (1, 3)], start=1):
        P[f"W{layer}"], P[f"b{layer}"] = r.randn(*shape), r.randn(shape[0], 1)
    _, cache = gradient_checking.forward_propagation_n(X, Y, P)
    grads = gradient_checking.backward_propagation_n(X, Y, cache)
    buggy = dict(grads, dW2=grads["dW2"] * 2, db1=grads["db1"] * 4)
    return {
        "1-D J(θ) = θx": (gradient_checking.gradient_check(2, 4),),
        "3-layer, planted bugs": (gradient_checking.gradient_check_n(P, buggy, X, Y),),
        "3-layer, fixed": (gradient_checking.gradient_check_n(P, grads, X, Y),),
    }


def _optimization(data, print_cost):
    X, Y = data if data is not None else moons()
    out = {}
    for name, opt in (("mini-batch gd", "gd"), ("momentum", "momentum"), ("adam", "adam")):
        params = optimization.model(X, Y, [X.shape[0], 5, 2, 1], opt, print_cost=print_cost)
        out[name] = _accuracies(params, X, Y)
    return out


RUNS = {
    "initialization": _initialization,
    "regularization": _regularization,
    "gradient_checking": _gradient_checking,
    "optimization": _optimization,
}


def reproduce(name: str, data=None, print_cost: bool = False, verbose: bool = True) -> Reproduction:
    """Rerun the assignment ``name`` and return (and print, when ``verbose``) its published
    table beside this library's numbers.

    Parameters
    ----------
    name : {"initialization", "regularization", "gradient_checking", "optimization"}
    data : optional
        regularization: the path of the football CSV (default: the shipped copy);
        initialization: (train_X, train_Y, test_X, test_Y); optimization: (X, Y), in the
        course's layout; default: generated as the notebook does.
    print_cost : bool
        Print the cost every 1000 iterations/epochs, as the notebooks do.
    """
    if not isinstance(name, str) or name.replace("-", "_") not in RUNS:
        raise ValueError(f"name={name!r} is not an assignment; valid names are {list(NAMES)}")
    name = name.replace("-", "_")
    ours = RUNS[name](data, print_cost)
    result = Reproduction(name)
    counters: dict[str, int] = {}
    for exp, col, pub in PUBLISHED[name]:
        k = counters.get(exp, 0)
        counters[exp] = k + 1
        result.rows.append((exp, col, pub, float(ours[exp][k])))
    if verbose:
        print(result)
    return result
