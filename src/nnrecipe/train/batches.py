"""Mini-batches: each epoch, a fresh random order of the m training rows cut into batches.

Epoch: π = rng.permutation(m); batch b holds the rows π[b·B : (b+1)·B] of X (m, ...) and
Y (m, n_y), for b = 0..⌈m/B⌉−1 (the last batch has m − (⌈m/B⌉−1)·B rows). Rows are gathered
with ``np.take`` (also from a memmap, a batch at a time) into buffers allocated once.
"""

from __future__ import annotations

import numpy as np

from .._checks import check_positive
from ..nn.network import Network


class Batches:
    """One epoch's shuffled mini-batches of ``size`` rows (the last may be smaller).

    Each is gathered with np.take into preallocated row-major buffers, and every step writes
    its activations and gradients into one workspace (see nnrecipe.nn.workspace).
    ``size``: B (None: 64), at most m; ``len(batches)`` is ⌈m/B⌉.
    """

    def __init__(self, network: Network, X, Y, size: int | None):
        self.X, self.Y, self.m = X, Y, len(X)
        size = check_positive(64 if size is None else size, "batch_size", integer=True)
        self.size = min(size, self.m)
        self.Xb = np.empty((self.size,) + X.shape[1:], dtype=X.dtype)
        self.Yb = np.empty((self.size,) + Y.shape[1:], dtype=Y.dtype)
        self.workspace = network.workspace(self.size)

    def __len__(self) -> int:
        return -(-self.m // self.size)

    def shuffled(self, rng: np.random.Generator):
        """Yield (b, X_batch, Y_batch) in a fresh random order; the buffers are reused."""
        order = rng.permutation(self.m)
        for b, s in enumerate(range(0, self.m, self.size)):
            idx = order[s : s + self.size]
            Xb, Yb = self.Xb[: len(idx)], self.Yb[: len(idx)]
            # idx is a permutation slice, always in range: mode="clip" skips the bounds
            # check that makes NumPy buffer `out` (a copy per batch) in the default mode
            self.X.take(idx, axis=0, out=Xb, mode="clip")
            self.Y.take(idx, axis=0, out=Yb, mode="clip")
            yield b, Xb, Yb
