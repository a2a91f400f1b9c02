"""``nnrecipe.Ensemble``: several trained networks that answer as one, by averaging.

For k members with inference-mode output activations A⁽ʲ⁾ of shape (m, n_y):

    P = (1/k) Σ_j A⁽ʲ⁾                              predict_proba, (m, n_y)
    ŷ = decision(P)                                 predict: A > 0.5 (sigmoid), argmax
                                                    (softmax), P itself (regression)

so a classifier averages probabilities (soft voting) and a regression averages predictions.
``predict`` makes the first member's decision on P: original class names, or μ_y + σ_y·P in
the target's units. Members whose output biases are shifted by −log π_c (the balanced-error
decision argmax_c p(c|x)/π_c of :func:`nnrecipe.improve`) carry that shift in their A⁽ʲ⁾,
so the mean keeps it. The loss on (X, y) is the members' loss of P (cross-entropy
−(1/m) Σ_i Σ_c y_ic log P_ic; half the mean squared error for a regression).

The members share one encoding (table preprocessing, class names, target scaling): a raw
DataFrame is encoded once, and each member reads the encoded rows a chunk at a time (each
may carry its own input standardizer, as :func:`nnrecipe.improve`'s fold models do). The cost
is k × the parameters, never k copies of the data. Saved as one ``.npz`` holding every member
(:func:`nnrecipe.io.save_members`); :func:`nnrecipe.load` gives back an ``Ensemble``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from . import io
from .diagnosis import Diagnosis, diagnose_network
from .nn.network import Network


def _shared(name: str):
    def get(self):
        return getattr(self.members[0], name, None)

    def set_(self, value):
        for net in self.members:
            setattr(net, name, value)

    return property(get, set_, doc=f"The members' ``{name}`` (setting it sets every member's).")


class Ensemble:
    """The mean of several networks' outputs (see the module docstring for the formulas).

    Parameters
    ----------
    networks : sequence of nnrecipe.Network
        Trained networks with the same inputs (``layer_sizes[0]``), outputs (``layer_sizes[-1]``,
        output activation, loss), dtype and encoding; their hidden layers may differ.

    Attributes
    ----------
    members : list of nnrecipe.Network
        The networks, in the order given.
    encoding, preprocessor, classes, target_scaling :
        The encoding the members share (read from the first; setting one sets every member's).
    """

    def __init__(self, networks):
        if isinstance(networks, Network) or not hasattr(networks, "__iter__"):
            raise TypeError(
                f"networks must be a list of nnrecipe.Network, got {type(networks).__name__}; "
                "wrap a single network in a list"
            )
        members = list(networks)
        if not members:
            raise ValueError("networks is empty; an Ensemble needs at least one network")
        for j, net in enumerate(members):
            if not isinstance(net, Network):
                raise TypeError(f"networks[{j}] is a {type(net).__name__}, not an nnrecipe.Network")
            _check_agrees(net, members[0], j)
        self.members = members

    # ----------------------------------------------------------------- what they share
    layer_sizes = property(
        lambda self: self.members[0].layer_sizes,
        doc="The first member's layer sizes (every member has the same first and last).",
    )
    loss = property(lambda self: self.members[0].loss, doc="The members' loss.")
    output = property(lambda self: self.members[0].output, doc="The output activation.")
    dtype = property(lambda self: self.members[0].dtype, doc="The members' float type.")
    encoding = _shared("encoding")  # one Encoding object, shared by every member
    preprocessor = _shared("preprocessor")
    classes = _shared("classes")
    target_scaling = _shared("target_scaling")

    @property
    def n_parameters(self) -> int:
        """Σ_j (parameters of member j): the ensemble's whole cost in memory."""
        return sum(net.n_parameters for net in self.members)

    def __len__(self) -> int:
        return len(self.members)

    # ----------------------------------------------------------------- inference
    def prepare_inputs(self, X, name: str = "X"):
        """X encoded once for every member: a DataFrame through the shared table
        preprocessing, a list as an array; an array as it is (each member checks and
        standardizes it a chunk at a time)."""
        if type(X).__name__ == "DataFrame":  # the shared preprocessing (no standardizing:
            if self.preprocessor is None:  # each member does its own)
                raise ValueError(
                    f"{name} is a DataFrame but this ensemble has no fitted table "
                    "preprocessing; pass a NumPy array"
                )
            return self.preprocessor.transform(X)
        return X if isinstance(X, np.ndarray) else np.asarray(X)

    def prepare_targets(self, y, m: int, name: str = "y") -> np.ndarray:
        """y as the loss's (m, n_y) targets (class names and target scaling applied)."""
        return self.members[0].prepare_targets(y, m, name)

    def _mean(self, X) -> np.ndarray:
        total = None
        for net in self.members:  # k members: one (m, n_y) sum, never k outputs at once
            A = net.predict_proba(X)
            if total is None:
                total = A
            else:
                total += A
        total /= len(self.members)
        return total

    def predict_proba(self, X) -> np.ndarray:
        """P = (1/k) Σ_j A⁽ʲ⁾, shape (m, n_y): mean probabilities (regression: the mean
        prediction in z-units, as each member's ``predict_proba`` gives it)."""
        return self._mean(self.prepare_inputs(X))

    def predict(self, X) -> np.ndarray:
        """The decision on P: class labels (original names with ``classes``) or regression
        values (the target's own units with ``target_scaling``); (m,) for one output."""
        first = self.members[0]  # the math's Network has no encoding: its loss decides
        return getattr(first, "decide", first.loss.decide)(self.predict_proba(X))

    def measure(self, X, Y: np.ndarray) -> tuple[float, float]:
        """(data loss, error) of P on prepared inputs and targets."""
        A = self._mean(X)
        return self.loss.value(_logits(self.loss.name, A), A, Y), self.loss.error(A, Y)

    def evaluate(self, X, y) -> dict[str, float]:
        """``loss`` (of P, no penalty), ``error`` (misclassified fraction, or mean squared
        error for regression) and ``accuracy`` (classification), as :meth:`Network.evaluate`
        (without ``cost``: the penalties are the members' own)."""
        X = self.prepare_inputs(X)
        loss, error = self.measure(X, self.prepare_targets(y, len(X)))
        result = {"loss": loss, "error": error}
        if self.loss.classification:
            result["accuracy"] = 1.0 - error
        return result

    def diagnose(self, train, dev, baseline_error: float = 0.0, **kwargs) -> Diagnosis:
        """Bias/variance diagnosis of the ensemble's errors on ``train`` and ``dev``."""
        return diagnose_network(self, train, dev, baseline_error, **kwargs)

    def save(self, path) -> Path:
        """Save every member to one ``.npz`` (no pickle); the write is atomic."""
        return io.save_members(self.members, path)

    def __repr__(self) -> str:
        sizes = ", ".join(str(net.layer_sizes[1:-1]) for net in self.members[:3])
        more = ", ..." if len(self.members) > 3 else ""
        return f"Ensemble of {len(self.members)} (hidden {sizes}{more}, output={self.output!r})"


def _logits(loss: str, A: np.ndarray) -> np.ndarray:
    """Z with g(Z) = A for the loss's output (the losses take logits): log A for softmax
    (softmax(log P) = P as rows sum to 1), log A − log(1 − A) for a sigmoid, A if linear;
    probabilities are clipped into [tiny, 1 − ε] so a confident mean stays finite."""
    if loss == "mean_squared_error":
        return A
    info = np.finfo(A.dtype)
    P = np.clip(A, info.tiny, 1.0 - info.epsneg)
    if loss == "binary_crossentropy":
        return np.log(P) - np.log1p(-P)
    return np.log(P)


def _same_encoding(a, b) -> bool:
    if a is b:
        return True
    if a is None or b is None:
        return False
    arrays = a.arrays(), b.arrays()
    return (
        a.to_dict() == b.to_dict()
        and arrays[0].keys() == arrays[1].keys()
        and all(np.array_equal(arrays[0][k], arrays[1][k]) for k in arrays[0])
    )


def _get(net, name: str):
    return getattr(net, name, None)  # the math's Network has no encoding


def _check_agrees(net, first, j: int) -> None:
    """ValueError naming ``networks[j]`` when it takes other inputs or gives other outputs
    than ``networks[0]``, or carries another encoding."""
    fields = {
        "inputs (layer_sizes[0])": lambda n: n.layer_sizes[0],
        "outputs (layer_sizes[-1])": lambda n: n.layer_sizes[-1],
        "output activation": lambda n: n.output,
        "loss": lambda n: n.loss.name,
        "dtype": lambda n: n.dtype.name,
        "classes": lambda n: None if _get(n, "classes") is None else list(n.classes),
        "target_scaling": lambda n: _get(n, "target_scaling"),
    }
    for what, get in fields.items():
        mine, theirs = get(net), get(first)
        if mine != theirs:
            raise ValueError(
                f"networks[{j}] has {what} {mine!r} but networks[0] has {theirs!r}; an "
                "ensemble's members must take the same inputs and give the same outputs"
            )
    pre = _get(net, "preprocessor"), _get(first, "preprocessor")
    if not _same_encoding(*pre):
        raise ValueError(
            f"networks[{j}] carries another table preprocessing than networks[0]; an "
            "ensemble's members share one (fit them on the same training rows)"
        )
