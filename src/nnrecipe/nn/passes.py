"""Forward and backward passes through an explicit cache, with given dropout masks.

The training loop keeps each layer's cache in the network's workspace; these functions hand
it out and take it back, so a pass can be inspected, replayed or built by hand (the course's
caches, a test's planted masks). For each layer l = 1..L the cache holds (rows are examples)

    A_prev (m, n_{l-1}),   Z = A_prev @ W.T + b (m, n_l),   A = g(Z) (m, n_l),   D (m, n_l)

with D the boolean dropout mask of a hidden layer in training mode (None otherwise): the next
layer's A_prev is A * D / keep_prob. Backward is the network's own backpropagation,

    dZ[L] = (A[L] - Y)/m,   dW = dZ.T @ A_prev,   db = Σ_i dZ_i,   dA_prev = dZ @ W,
    dA[l] ← dA[l] * D / keep_prob,   dZ[l] = dA[l] * g'(Z[l])

(plus the regularizers' terms on dW), run on the cache's arrays.
"""

from __future__ import annotations

import numpy as np

from .._checks import as_rng
from . import dropout

KEYS = ("A_prev", "Z", "A", "D")


def check_masks(net, masks, m: int, training: bool) -> list[np.ndarray | None] | None:
    """``masks`` as one boolean (m, n_l) array (or None) per hidden layer; None stays None."""
    if masks is None:
        return None
    n_hidden = len(net.layers) - 1
    if not isinstance(masks, list | tuple) or len(masks) != n_hidden:
        raise ValueError(
            f"masks must be a list with one (m, n_l) dropout mask per hidden layer "
            f"({n_hidden}), got {masks!r:.80}"
        )
    if not training:
        raise ValueError("masks are dropout masks, used in training mode only: pass training=True")
    out = []
    for i, mask in enumerate(masks):
        if mask is None:
            out.append(None)
            continue
        shape = (m, net.layer_sizes[i + 1])
        arr = np.asarray(mask)
        if arr.shape != shape:
            raise ValueError(f"masks[{i}] has shape {arr.shape}, expected {shape} (m, n_{i + 1})")
        if not np.isin(arr, (0, 1)).all():
            raise ValueError(f"masks[{i}] must hold only 0/1 or False/True")
        out.append(arr.astype(bool))
    return out


def forward(net, X, training: bool = False, rng=None) -> np.ndarray:
    """A[L] (m, n_y) for inputs X; dropout only when ``training`` (masks drawn from ``rng``)."""
    X = net.prepare_inputs(X)
    rng = as_rng(rng) if training else None
    A = net._forward(X, training, rng, net.workspace(len(X), training).views(len(X)))
    net.clear_cache()
    return A


def cost(net, X, Y, training: bool = False, rng=None) -> float:
    """The regularized cost J that training minimizes (with dropout if ``training``)."""
    X = net.prepare_inputs(X)
    Y = net.prepare_targets(Y, len(X))
    J = net.compute_cost(X, Y, training, as_rng(rng) if training else None)
    net.clear_cache()
    return J


def forward_with_cache(net, X, training: bool = False, rng=None, masks=None):
    """(A[L], cache) for inputs X (m, n_x): the cache is a list of L dicts of copies with keys
    ``A_prev``, ``Z``, ``A``, ``D`` (and, with an embedding, ``X`` in the first: ``A_prev`` is
    then the embedding of X). Dropout (``training=True``) draws its masks from ``rng``,
    or uses ``masks``: one boolean (m, n_l) array per hidden layer."""
    X = net.prepare_inputs(X)
    masks = check_masks(net, masks, len(X), training)
    rng = as_rng(rng) if training else None
    A = net._forward(X, training, rng, net.workspace(len(X), training).views(len(X)), masks)
    cache = [
        {
            "A_prev": layer.A_prev.copy(),
            "Z": layer.Z.copy(),
            "A": layer.A.copy(),
            "D": None if layer.D is None else layer.D.copy(),
        }
        for layer in net.layers
    ]
    if net.embedding is not None:  # backward runs the embedding's forward again from X
        cache[0]["X"] = X.copy()
    A = A.copy()
    net.clear_cache()
    return A, cache


def _array(value, shape, dtype, where: str) -> np.ndarray:
    arr = np.asarray(value, dtype=dtype)
    if arr.shape != shape:
        raise ValueError(f"cache{where} has shape {arr.shape}, expected {shape}")
    return arr


def backward_from_cache(net, cache, Y, intermediates: bool = False) -> dict[str, np.ndarray]:
    """Backpropagation from a given ``cache`` (as :func:`forward_with_cache` returns it; ``A``
    may be left out and is then g(Z), ``D`` may be left out when there is no dropout):
    ``{"dW1", "db1", ...}`` and, with ``intermediates``, ``dZ1..dZL``, ``dA1..dA{L-1}``
    (see :meth:`nnrecipe.nn.network.Network.gradients`)."""
    if not isinstance(cache, list | tuple) or len(cache) != len(net.layers):
        raise ValueError(
            f"cache must be a list of {len(net.layers)} dicts (one per layer) with keys "
            f"{list(KEYS)}, as forward_with_cache returns"
        )
    try:
        m = len(cache[0]["A_prev"])
    except (TypeError, KeyError):
        raise TypeError("cache[0] must be a dict with the key 'A_prev' (m, n_x)") from None
    Y = net.prepare_targets(Y, m)
    buffers = net.workspace(m).views(m)
    try:
        if net.embedding is not None:
            if "X" not in cache[0]:
                raise ValueError("cache[0] needs 'X' (m, n_x), the embedding's input")
            net.embedding.forward(
                _array(cache[0]["X"], (m, net.layer_sizes[0]), net.dtype, "[0]['X']")
            )
        for i, (layer, entry) in enumerate(zip(net.layers, cache, strict=True)):
            n_in = net.input_width if i == 0 else net.layer_sizes[i]
            n_out = net.layer_sizes[i + 1]
            layer.A_prev = _array(entry["A_prev"], (m, n_in), net.dtype, f"[{i}]['A_prev']")
            layer.Z = _array(entry["Z"], (m, n_out), net.dtype, f"[{i}]['Z']")
            A = entry.get("A")
            layer.A = (
                layer.activation.forward(layer.Z.copy())
                if A is None
                else _array(A, (m, n_out), net.dtype, f"[{i}]['A']")
            )
            D = entry.get("D")
            layer.D = None if D is None else _array(D, (m, n_out), bool, f"[{i}]['D']")
            layer.M = None  # the mask's numbers are made from D by forward only
        record = {} if intermediates else None
        net._backward(Y, buffers, record)
    finally:
        net.clear_cache()
    grads = {k: v.copy() for k, v in net.gradient_views().items()}
    return grads | record if intermediates else grads


def record_dA(dA: np.ndarray, below) -> np.ndarray:
    """A copy of dJ/dA[l] for A[l] = g(Z[l]): dA * D / keep_prob under dropout, else dA."""
    out = dA.copy()
    return out if below.D is None else dropout.apply_mask(out, below.D, below.keep_prob)


def gradients(net, X, Y, training=False, rng=None, intermediates=False, masks=None) -> dict:
    """dJ/dθ by backpropagation as ``{"dW1": ..., "db1": ..., ...}`` (copies).

    ``intermediates=True`` adds ``dZ1 .. dZL`` (m, n_l), dJ/dZ[l], and ``dA1 .. dA{L-1}``
    (m, n_l), dJ/dA[l] for A[l] = g(Z[l]) (with dropout: mask and 1/keep_prob applied).
    Both carry the cost's 1/m: the course's dZ, dA are m times these.
    ``masks`` (training only): one boolean (m, n_l) dropout mask per hidden layer, used
    instead of drawing from ``rng`` (see :func:`forward_with_cache`)."""
    X = net.prepare_inputs(X)
    Y = net.prepare_targets(Y, len(X))
    masks = check_masks(net, masks, len(X), training)
    buffers = net.workspace(len(X)).views(len(X))
    net.compute_cost(X, Y, training, as_rng(rng) if training else None, buffers, masks)
    record = {} if intermediates else None
    net._backward(Y, buffers, record)
    net.clear_cache()
    grads = {k: v.copy() for k, v in net.gradient_views().items()}
    return grads | record if intermediates else grads
