"""Preallocated arrays for the hot path: one set per batch size, reused every step.

A training step on a mini-batch of m rows writes, for each layer l = 1..L with n_l units:

==============  ===============  =====================================================
array           shape            holds
==============  ===============  =====================================================
``Z``, ``A``    (m, n_l)         Z = A_prev @ W.T + b and A = g(Z)
``D``           (m, n_l)         the boolean dropout mask D = U < keep_prob (hidden
                                 layers with keep_prob < 1)
``M``           (m, n_l)         D / keep_prob as numbers, the factor of A and dA
``A_drop``      (m, n_l)         A * D / keep_prob, what the next layer receives
``dA_prev``     (m, n_{l-1})     dZ @ W, turned in place into dZ[l-1] below (l ≥ 2)
``dZ``          (m, n_L)         (A[L] - Y) / m, the fused output gradient (l = L)
``penalty``     W[l].shape       the regularizer's term (λ/m) W before it joins dW
==============  ===============  =====================================================

Allocating these once per ``fit`` rather than once per step keeps them hot in the CPU cache
and spares the allocator. The epoch's last, smaller batch uses the first m rows of each
array: a row slice of a C-ordered array is still contiguous, so BLAS writes straight into it.
An inference workspace (``training=False``) holds only ``Z`` and ``A``.

Everything in a workspace is overwritten by the next step, so whatever must outlive a step
(predictions, the history, arrays handed to the user) is copied out first.
"""

from __future__ import annotations

import numpy as np

from .._checks import check_memory


class LayerBuffers:
    """The arrays one :class:`nnrecipe.nn.layers.Dense` layer writes in a step (None if unused)."""

    __slots__ = ("Z", "A", "D", "M", "A_drop", "dA_prev", "dZ", "penalty")

    def __init__(self, **arrays):
        for name in self.__slots__:
            setattr(self, name, arrays.get(name))

    def first_rows(self, m: int) -> LayerBuffers:
        """Views of the first m rows (``penalty`` has no batch axis and is shared)."""
        views = LayerBuffers()
        for name in self.__slots__:
            arr = getattr(self, name)
            setattr(views, name, arr if arr is None or name == "penalty" else arr[:m])
        return views


class Workspace:
    """Buffers for batches of up to ``rows`` examples through ``layers``.

    Parameters
    ----------
    layers : list of Dense
        The network's layers (their W shapes and keep_prob decide what is allocated).
    rows : int
        The largest batch the workspace serves (the training batch size, or the chunk
        size of inference).
    dtype : numpy dtype
        The network's dtype; every float buffer has it, masks are boolean.
    training : bool
        Allocate the backward pass's and dropout's arrays too.
    penalty : bool
        Allocate the regularizer's scratch arrays (training with l2 or l1 > 0).
    """

    def __init__(self, layers, rows: int, dtype, training: bool = True, penalty: bool = False):
        self.rows = int(rows)
        full = []
        for i, layer in enumerate(layers):
            n_out, n_in = layer.W.shape
            arrays = {
                "Z": np.empty((rows, n_out), dtype),
                "A": np.empty((rows, n_out), dtype),
            }
            if training:
                if layer.keep_prob < 1.0:
                    arrays["D"] = np.empty((rows, n_out), bool)
                    arrays["M"] = np.empty((rows, n_out), dtype)
                    arrays["A_drop"] = np.empty((rows, n_out), dtype)
                if i > 0:
                    arrays["dA_prev"] = np.empty((rows, n_in), dtype)
                if i == len(layers) - 1:
                    arrays["dZ"] = np.empty((rows, n_out), dtype)
                if penalty:
                    arrays["penalty"] = np.empty((n_out, n_in), dtype)
            full.append(LayerBuffers(**arrays))
        self._by_rows = {self.rows: full}

    def views(self, m: int) -> list[LayerBuffers]:
        """Per-layer buffers for a batch of ``m <= rows`` examples (cached for each m)."""
        views = self._by_rows.get(m)
        if views is None:
            if not 0 < m <= self.rows:
                raise ValueError(f"a workspace for {self.rows} rows cannot hold a batch of {m}")
            views = [buf.first_rows(m) for buf in self._by_rows[self.rows]]
            self._by_rows[m] = views
        return views

    def __repr__(self) -> str:
        return f"Workspace(rows={self.rows}, layers={len(self._by_rows[self.rows])})"


def check_workspace_size(layer_sizes, rows: int, dtype, training: bool) -> None:
    """Refuse, with its size, a workspace of ``rows`` examples that would not fit in memory:
    Z and A of every layer (and, training, D, A_drop, dA_prev)."""
    widths = sum(layer_sizes[1:]) + (sum(layer_sizes[:-1]) if training else 0)
    check_memory(
        rows * widths * np.dtype(dtype).itemsize * (4 if training else 2),
        f"the activations of {rows:,} examples through layers {layer_sizes}",
        "train with mini-batches (a smaller batch_size, or optimizer='sgd'/'adam' "
        "instead of 'gd') or smaller layers",
    )
