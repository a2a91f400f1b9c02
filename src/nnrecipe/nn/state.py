"""A network's state beyond its constructor: copies and pickling, with θ's views rebuilt.

Every layer's W, b, dW, db and the embedding's parameters are views into the network's flat
θ and dθ (:mod:`nnrecipe.nn.parameters`). Pickled one by one they would come back as copies
that training no longer updates, so a pickle holds θ itself and whatever was fitted from
data (the scaling, an embedding's bins), and unpickling rebuilds the views.
"""

from __future__ import annotations

import warnings

from .._checks import as_dtype


def copy(net, dtype=None):
    """An independent copy of ``net`` (optionally in another dtype): θ, the fitted scaling
    and the embedding's bins included."""
    cfg = net.config()
    if dtype is not None:
        cfg["dtype"] = as_dtype(dtype).name
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        new = type(net)(**cfg)
    new.theta[...] = net.theta
    if net.standardizer is not None:
        new.standardizer = net.standardizer.copy()
    if net.embedding is not None:
        new.embedding.set_state(net.embedding.state())
    return new


def pickled(net) -> dict:
    """``net.__dict__`` without the views: θ as ``_theta``, the embedding as its arrays."""
    state = net.__dict__.copy()
    del state["layers"]
    state["_theta"] = state.pop("_params").theta
    if state.get("embedding") is not None:
        state["embedding"] = state["embedding"].state()
    return state


def unpickled(net, state: dict) -> None:
    """Restore ``net`` from :func:`pickled`'s dict (or an older version's)."""
    state = dict(state)
    theta = state.pop("_theta")
    for key in ("_grad", "_views", "_grad_views"):  # networks pickled by older versions
        state.pop(key, None)
    state.setdefault("embeddings", None)  # networks pickled before embeddings existed
    state.setdefault("label_smoothing", 0.0)
    net.__dict__.update(state)
    net._build()
    net._params.theta[...] = theta
