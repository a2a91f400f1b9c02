"""The course's layout on top of the library's: columns are examples, biases are columns.

The course writes X as (n_x, m), parameters as ``{"W1": (n1, n0), "b1": (n1, 1), ...}`` and
the forward cache of its 3-layer networks as one flat tuple, per layer

    (Z, A, W, b)            or, with dropout on a hidden layer,   (Z, D, A, W, b)

where A is what the next layer receives (after dropout). The library keeps rows as examples
(X is (m, n_x), b is (n,)) and one cache dict per layer (:mod:`nnrecipe.nn.passes`). These
helpers only transpose and reshape between the two; every number is computed by the library.

The course's dZ and dA carry no 1/m (it divides when forming dW and db): they are m times
the library's dJ/dZ and dJ/dA, and are returned that way here.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np

from ..nn import activations
from ..nn.network import Network


def n_layers(parameters) -> int:
    """L, from the keys W1, b1, ..., WL, bL (the error names what is missing)."""
    if not isinstance(parameters, Mapping):
        raise TypeError(
            "parameters must be a dict {'W1': ..., 'b1': ..., ...}, "
            f"got {type(parameters).__name__}"
        )
    L = len(parameters) // 2
    expected = {f"{p}{i}" for i in range(1, L + 1) for p in "Wb"}
    if L < 1 or set(parameters) != expected:
        raise ValueError(
            f"parameters must have the keys W1, b1, ..., WL, bL; got {sorted(parameters)}"
        )
    return L


def network(parameters, lambd: float = 0.0, keep_prob: float = 1.0, hidden="relu") -> Network:
    """The library network (``hidden`` layers, ReLU by default; sigmoid output) holding
    ``parameters``."""
    L = n_layers(parameters)
    sizes = [np.shape(parameters["W1"])[1]] + [
        np.shape(parameters[f"W{i}"])[0] for i in range(1, L + 1)
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = Network(sizes, hidden, "sigmoid", init="zeros", l2=lambd, keep_prob=keep_prob)
    net.set_parameters(dict(parameters))
    return net


def as_parameters(net: Network) -> dict[str, np.ndarray]:
    """The network's parameters in the course's layout (b as (n, 1) columns; copies)."""
    return {k: v.reshape(len(v), -1).copy() for k, v in net.parameter_views().items()}


def course_cache(X, cache: list[dict], parameters) -> tuple:
    """The library's per-layer cache as the course's flat tuple (Z, [D,] A, W, b per layer)."""
    out = []
    for i, entry in enumerate(cache, start=1):
        after = cache[i]["A_prev"] if i < len(cache) else entry["A"]  # what the next layer gets
        out.append(entry["Z"].T)
        if entry["D"] is not None:
            out.append(entry["D"].T.astype(int))
        out += [after.T, parameters[f"W{i}"], parameters[f"b{i}"]]
    return tuple(out)


def library_cache(X, cache: tuple, dropout: bool) -> tuple[list[dict], dict[str, np.ndarray]]:
    """The course's flat cache tuple as the library's per-layer dicts, and its parameters."""
    if not isinstance(cache, tuple | list):
        raise TypeError(
            f"cache must be the tuple forward propagation returns, got {type(cache).__name__}"
        )
    L = (len(cache) + 1) // 5 if dropout else len(cache) // 4
    if L < 1 or len(cache) != (5 * L - 1 if dropout else 4 * L):
        raise ValueError(
            f"cache has {len(cache)} entries; an L-layer course cache has 4L (Z, A, W, b per "
            "layer), or 5L - 1 with dropout masks (Z, D, A, W, b per hidden layer)"
        )
    entries, parameters, pos = [], {}, 0
    A_prev = np.asarray(X, dtype=np.float64).T
    for layer in range(1, L + 1):
        Z = np.asarray(cache[pos], dtype=np.float64).T
        D = None
        if dropout and layer < L:
            D = np.asarray(cache[pos + 1]).T.astype(bool)
            pos += 1
        A, W, b = cache[pos + 1], cache[pos + 2], cache[pos + 3]
        pos += 4
        # the course's A of a hidden layer is after dropout; the library wants g(Z) (None: the
        # library computes it) and the next layer's input, which is the course's A
        last = layer == L
        entries.append({"A_prev": A_prev, "Z": Z, "A": np.asarray(A).T if last else None, "D": D})
        A_prev = np.asarray(A, dtype=np.float64).T
        parameters[f"W{layer}"], parameters[f"b{layer}"] = W, b
    return entries, parameters


def course_gradients(grads: Mapping[str, np.ndarray], m: int) -> dict[str, np.ndarray]:
    """The library's gradients in the course's layout: dW as is, db as columns, dZ and dA
    transposed and times m (the course's dZ[L] = A[L] - Y has no 1/m)."""
    out = {}
    for key, value in grads.items():
        if key.startswith(("dZ", "dA")):
            out[key] = value.T * m
        else:
            out[key] = value.reshape(len(value), -1).copy()
    return out


def forward(X, parameters, keep_prob: float = 1.0, masks=None) -> tuple[np.ndarray, tuple]:
    """(A[L] (1, m), the course's cache) for X (n_x, m); ``masks`` (n_l, m) per hidden layer."""
    net = network(parameters, keep_prob=keep_prob)
    training = masks is not None
    lib_masks = None if masks is None else [np.asarray(D).T for D in masks]
    _, cache = net.forward_with_cache(np.asarray(X).T, training=training, masks=lib_masks)
    # the output as the course rounds it, 1/(1+e^{-Z}): gradient checking magnifies the last bit
    cache[-1]["A"] = activations.sigmoid_exp(cache[-1]["Z"])
    return cache[-1]["A"].T, course_cache(X, cache, parameters)


def backward(X, Y, cache, lambd: float = 0.0, keep_prob: float = 1.0) -> dict[str, np.ndarray]:
    """The course's gradients dict (dZ, dW, db per layer, dA of the hidden layers) for a
    course cache, by the library's backpropagation (:meth:`Network.backward`)."""
    entries, parameters = library_cache(X, cache, dropout=keep_prob < 1)
    net = network(parameters, lambd=lambd, keep_prob=keep_prob)
    grads = net.backward(entries, np.asarray(Y).T, intermediates=True)
    return course_gradients(grads, len(entries[0]["A_prev"]))
