"""Many costs J(θ ± ε·u) of a Network at once, reusing the forward pass at θ.

A perturbation u that touches only layer l's parameters leaves A[0..l-1] unchanged, so only
layers l..L are recomputed, for many perturbations at once, stacked as rows (one row per
sign, perturbation and example):

    Z[l]± = Z[l] ± ε·(A[l-1] @ U_W.T + u_b),   then layers l+1..L as usual, batched.

For one coordinate u = e_i of W[l][j, k] (or b[l][j]) only column j of Z[l] moves, by
ε·A[l-1][:, k] (or ε), so A[l] changes in column j only and the next layer needs a rank-1
update instead of a matrix product,

    Z[l+1]± = Z[l+1] + (A[l]±[:, j] − A[l][:, j]) ⊗ W[l+1][:, j]       (m·n_{l+1} flops),

and an example whose A[l][:, j] does not move (a ReLU unit off, an input equal to 0) keeps
its loss ℓ_i(θ) exactly: only the rows that move are computed.

With J = (1/m) Σ_i ℓ_i + R(W), the difference is summed example by example and the penalty's
change is exact per perturbation,

    dθ_approx = [(1/m) Σ_i (ℓ_i(θ+εu) − ℓ_i(θ−εu)) + R(W+εu) − R(W−εu)] / 2ε,

so the unchanged part of J cancels without rounding (8× less noise than subtracting two
totals on a 100k-parameter MLP). A batch holds ``chunk_size`` perturbations (by default as
many as fit in about 8 MiB), so memory stays bounded for any network.

Kinks: between θ − εu and θ + εu the finite difference is a derivative only if no ReLU
(or leaky ReLU) pre-activation changes side of 0 and, with L1, no weight changes sign.
Every evaluation reports whether it straddles such a kink, and ``on_kink`` marks the
examples that did: on a fresh ReLU network with zero biases, an example whose activations
into a layer are all 0 has Z = b = 0 exactly, so the biases' finite differences straddle
the kink although backprop is right.
"""

from __future__ import annotations

import numpy as np

from ..nn.activations import RELU_FAMILY
from ..nn.network import Network

KNOWN_LOSSES = ("binary_crossentropy", "categorical_crossentropy", "mean_squared_error")


def row_losses(name: str, Z: np.ndarray, A: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """ℓ_r of each row (one example under one perturbation): Z, A, Y (R, n) → (R,); the
    same stable formulas as :mod:`nnrecipe.nn.losses` (whose value is Σ_i ℓ_i / m)."""
    if name == "binary_crossentropy":
        return (np.maximum(Z, 0) - Z * Y + np.log1p(np.exp(-np.abs(Z)))).sum(axis=1)
    if name == "categorical_crossentropy":
        zmax = Z.max(axis=1, keepdims=True)
        lse = np.log(np.exp(Z - zmax).sum(axis=1)) + zmax[:, 0]
        return lse - np.einsum("ij,ij->i", Z, Y)
    diff = A - Y
    return 0.5 * np.einsum("ij,ij->i", diff, diff)


def _kinked(layer) -> bool:
    return getattr(layer.activation, "name", "") in RELU_FAMILY


class PerturbedCosts:
    """Batched J(θ ± ε·u) for perturbations u supported on one layer (float64 network).

    Built from the network's own forward pass at θ (``net.compute_cost``); never changes the
    network. Work is done on rows, one per (sign, perturbation, example) that the
    perturbation reaches: an example whose activations do not move (a ReLU unit off, an
    input equal to 0) keeps its loss ℓ_i(θ) exactly and costs nothing.

    Parameters
    ----------
    net : Network
        A float64 network (the caller makes the copy).
    X, Y : numpy.ndarray
        Prepared inputs (m, n_x) and targets (m, n_y)
        (``net.prepare_inputs``, ``net.prepare_targets``).
    epsilon : float
    chunk_size : int, optional
        Perturbations per batch; by default as many as fit in about 8 MiB.
    """

    # with the scratch buffers reused across batches, 8 MiB batches were the fastest measured
    # (2 to 16 MiB tried): big enough matrix products, small enough to stay in cache
    MEMORY = 8 * 2**20

    def __init__(self, net: Network, X, Y, epsilon: float, chunk_size: int | None = None):
        self.net, self.Y, self.eps = net, Y, float(epsilon)
        self.m = len(X)
        self.layers = net.layers
        self.J0 = net.compute_cost(X, Y)
        # the prefix activations A[0] = X, A[l] = layer l's output, and every Z[l]
        self.A = [X] + [layer.A for layer in self.layers]
        self.Z = [layer.Z for layer in self.layers]
        net.clear_cache()
        # snapshots, so the evaluations stay those of θ even if the network changes meanwhile
        self.W = [layer.W.copy() for layer in self.layers]
        self.b = [layer.b.copy() for layer in self.layers]
        self.WT = [W.T.copy() for W in self.W]  # rows of W.T are columns of W: fast to gather
        self.chunk_size = chunk_size
        self.ell0 = row_losses(net.loss.name, self.Z[-1], self.A[-1], Y)
        self.D0 = net.loss.value(self.Z[-1], self.A[-1], Y)
        self.R0 = self.J0 - self.D0
        self.blocks = {name: (int(name[1:]) - 1, name[0]) for name in net.parameter_shapes()}
        self.on_kink = np.zeros(self.m, dtype=bool)  # examples some evaluation put on a kink
        self._buffers: dict[str, np.ndarray] = {}

    def consistent(self) -> bool:
        """Whether this module's forward pass, loss and penalty reproduce ``net.compute_cost`` at θ
        (to 1e-12); if not (a custom loss or layer), the caller must fall back to
        :class:`ExactCosts`."""
        if self.net.loss.name not in KNOWN_LOSSES:
            return False
        Z = self.A[0] @ self.W[0].T + self.b[0]
        ell, _ = self._suffix(np.concatenate([Z, Z]), 0, np.concatenate([self.Y, self.Y]))
        l2, l1, m = self.net.l2, self.net.l1, self.m
        R = sum(
            l2 / (2 * m) * float(np.vdot(W, W)) + l1 / m * float(np.abs(W).sum()) for W in self.W
        )
        mine = float(ell[: self.m].sum()) / m + R
        return abs(mine - self.J0) <= 1e-12 * max(1.0, abs(self.J0))

    def _batch_size(self, start: int) -> int:
        if self.chunk_size is not None:
            return self.chunk_size
        # a few live (2K·m, n) float64 arrays per batch of K: Z, A and temporaries
        widest = max(self.Z[t].shape[1] for t in range(start, len(self.layers)))
        return max(1, self.MEMORY // (2 * self.m * widest * 8 * 4))

    # ----------------------------------------------------------------- the suffix
    def _suffix(self, Z: np.ndarray, start: int, Y: np.ndarray):
        """Layers start..L on rows of pre-activations Z (2H, n_start): the H plus rows first,
        then the H minus rows in the same order.

        Returns ℓ (2H,) and, per plus/minus pair, whether a ReLU pre-activation lies on
        different sides of 0 (H,)."""
        half, name = len(Z) // 2, self.net.loss.name
        kink = np.zeros(half, dtype=bool)
        A = None
        for t in range(start, len(self.layers)):
            layer = self.layers[t]
            if _kinked(layer):
                kink |= ((Z[:half] > 0) != (Z[half:] > 0)).any(axis=1)
            if t + 1 == len(self.layers) and name != "mean_squared_error":
                break  # the cross-entropies are computed from the logits Z, as in losses
            A = layer.activation.forward(Z, out=self._buffer(f"A{t}", Z.shape))
            if t + 1 < len(self.layers):
                WT = self.WT[t + 1]
                Z = np.matmul(A, WT, out=self._buffer(f"Z{t + 1}", (len(A), WT.shape[1])))
                Z += self.b[t + 1]
        return row_losses(name, Z, A, Y), kink

    def _buffer(self, key: str, shape: tuple[int, ...]) -> np.ndarray:
        """Scratch memory reused from batch to batch: fresh arrays of this size would make
        the allocator hand back and fault in new pages every batch (measured: 2× slower)."""
        size = int(np.prod(shape))
        buf = self._buffers.get(key)
        if buf is None or buf.size < size:
            buf = self._buffers[key] = np.empty(size)
        return buf[:size].reshape(shape)

    def _penalty_change(self, W: np.ndarray, step: np.ndarray):
        """ΔR± = R(W ± step) − R(W) and L1 kink flags, for steps (K, *W.shape) (or (K,)
        steps along single coordinates W (K,))."""
        l2, l1, m = self.net.l2, self.net.l1, self.m
        axes = tuple(range(1, step.ndim))
        plus = np.zeros(len(step))
        minus = np.zeros(len(step))
        kink = np.zeros(len(step), dtype=bool)
        if l2:
            cross = (W * step).sum(axis=axes) if axes else W * step
            sq = (step * step).sum(axis=axes) if axes else step * step
            plus += l2 / (2 * m) * (2 * cross + sq)
            minus += l2 / (2 * m) * (-2 * cross + sq)
        if l1:
            aw = np.abs(W)
            dp, dm = np.abs(W + step) - aw, np.abs(W - step) - aw
            crosses = (W != 0) & ((W + step > 0) != (W - step > 0))
            if axes:
                dp, dm, crosses = dp.sum(axis=axes), dm.sum(axis=axes), crosses.any(axis=axes)
            plus += l1 / m * dp
            minus += l1 / m * dm
            kink |= crosses
        return plus, minus, kink

    def _finish(self, which, examples, ell, K, dR_plus, dR_minus, kink, kink_rows):
        """Sum row losses per perturbation (``which`` numbers them 0..K-1): unchanged examples
        contribute ℓ_i(θ) to both costs, so only the moved rows are summed. Rows on a ReLU
        kink flag their perturbation and their example (``self.on_kink``)."""
        self.on_kink[examples[kink_rows]] = True
        kink = kink | (np.bincount(which[kink_rows], minlength=K) > 0)
        n, m = len(which), self.m
        plus, minus = ell[:n], ell[n:]
        delta = np.bincount(which, plus - minus, K) / m
        D_plus = self.D0 + np.bincount(which, plus - self.ell0[examples], K) / m
        D_minus = self.D0 + np.bincount(which, minus - self.ell0[examples], K) / m
        approx = (delta + (dR_plus - dR_minus)) / (2 * self.eps)
        return D_plus + (self.R0 + dR_plus), D_minus + (self.R0 + dR_minus), approx, kink

    # ----------------------------------------------------------------- coordinates
    def coordinates(self, name: str, local: np.ndarray):
        """J(θ ± ε e_i) for flat indices ``local`` inside block ``name`` (W1, b1, ...).

        Returns (J_plus, J_minus, approx, kink), each of shape (len(local),), with
        approx = (J_plus − J_minus)/2ε computed term by term."""
        li, kind = self.blocks[name]
        size = self._batch_size(min(li + 1, len(self.layers) - 1))
        parts = [
            self._coordinate_batch(li, kind, local[s : s + size])
            for s in range(0, len(local), size)
        ]
        return tuple(np.concatenate(p) for p in zip(*parts, strict=True))

    def _coordinate_batch(self, li: int, kind: str, local: np.ndarray):
        layer, Z, A_prev = self.layers[li], self.Z[li], self.A[li]
        K = len(local)
        if kind == "W":
            j, k = np.divmod(local, A_prev.shape[1])
            dz = self.eps * A_prev[:, k]  # (m, K): column j of Z[l] moves by ε·A[l-1][:, k]
            dR_plus, dR_minus, kink = self._penalty_change(self.W[li][j, k], np.full(K, self.eps))
        else:
            j = local
            dz = np.full((self.m, K), self.eps)
            dR_plus = dR_minus = np.zeros(K)
            kink = np.zeros(K, dtype=bool)
        z_plus, z_minus = Z[:, j] + dz, Z[:, j] - dz
        flips_here = False
        if li == len(self.layers) - 1:
            moved = np.flatnonzero(dz)  # the output row of every example whose Z moved
            ex, which = np.divmod(moved, K)
            rows = np.concatenate([Z[ex], Z[ex]])
            rows[np.arange(len(rows)), np.concatenate([j[which], j[which]])] = np.concatenate(
                [z_plus.take(moved), z_minus.take(moved)]
            )
            start = li
        else:
            # A[l] moves in column j only; rows where it does not move are unchanged above
            A_col = self.A[li + 1][:, j]
            d_plus = layer.activation.forward(z_plus) - A_col
            d_minus = layer.activation.forward(z_minus) - A_col
            moved = np.flatnonzero((d_plus != 0) | (d_minus != 0))
            ex, which = np.divmod(moved, K)
            if _kinked(layer):
                flips_here = (z_plus.take(moved) > 0) != (z_minus.take(moved) > 0)
            # the rank-1 update Z[l+1][i] ± ΔA[i, j]·W[l+1][:, j], written in place
            n, width = len(ex), self.WT[li + 1].shape[1]
            w_col = np.take(self.WT[li + 1], j[which], axis=0, out=self._buffer("w", (n, width)))
            base = np.take(self.Z[li + 1], ex, axis=0, out=self._buffer("base", (n, width)))
            rows = self._buffer("rows", (2 * n, width))
            np.multiply(w_col, d_plus.take(moved)[:, None], out=rows[:n])
            np.multiply(w_col, d_minus.take(moved)[:, None], out=rows[n:])
            rows[:n] += base
            rows[n:] += base
            start = li + 1
        ell, flips = self._suffix(rows, start, np.concatenate([self.Y[ex], self.Y[ex]]))
        flips |= flips_here
        return self._finish(which, ex, ell, K, dR_plus, dR_minus, kink, flips)

    # ----------------------------------------------------------------- directions
    def directions(self, name: str, V: np.ndarray):
        """J(θ ± ε v) for directions V (K, *shape of block ``name``), zero elsewhere.

        Returns (J_plus, J_minus, approx, kink), each of shape (K,)."""
        li, kind = self.blocks[name]
        size = self._batch_size(li)
        parts = [self._direction_batch(li, kind, V[s : s + size]) for s in range(0, len(V), size)]
        return tuple(np.concatenate(p) for p in zip(*parts, strict=True))

    def _direction_batch(self, li: int, kind: str, V: np.ndarray):
        Z, A_prev, m = self.Z[li], self.A[li], self.m
        K, n_l = len(V), Z.shape[1]
        if kind == "W":
            n_prev = A_prev.shape[1]
            dZ = (A_prev @ V.reshape(K * n_l, n_prev).T).reshape(m, K, n_l)
            dZ = self.eps * dZ.transpose(1, 0, 2)
            dR_plus, dR_minus, kink = self._penalty_change(self.W[li], self.eps * V)
        else:
            dZ = np.broadcast_to(self.eps * V[:, None, :], (K, m, n_l))
            dR_plus = dR_minus = np.zeros(K)
            kink = np.zeros(K, dtype=bool)
        rows = np.concatenate([(Z + dZ).reshape(-1, n_l), (Z - dZ).reshape(-1, n_l)])
        ell, flips = self._suffix(rows, li, np.tile(self.Y, (2 * K, 1)))
        which, ex = np.repeat(np.arange(K), m), np.tile(np.arange(m), K)
        return self._finish(which, ex, ell, K, dR_plus, dR_minus, kink, flips)


class ExactCosts:
    """The reference evaluator: sets θ ± εu in the network and calls ``net.compute_cost``, one
    evaluation at a time (used when :meth:`PerturbedCosts.consistent` is False). θ is
    restored bit for bit after every evaluation."""

    def __init__(self, net: Network, X, Y, epsilon: float):
        self.net, self.X, self.Y, self.eps = net, X, Y, float(epsilon)
        self.views = net.parameter_views()
        self.J0 = net.compute_cost(X, Y)
        net.clear_cache()
        self.on_kink = np.zeros(len(X), dtype=bool)

    def _eval(self, apply):
        kinked = [layer for layer in self.net.layers if _kinked(layer)]
        try:
            apply(+1)
            plus = self.net.compute_cost(self.X, self.Y)
            signs = [layer.Z > 0 for layer in kinked]
            apply(-1)
            minus = self.net.compute_cost(self.X, self.Y)
            rows = np.zeros(len(self.X), dtype=bool)
            for layer, sign in zip(kinked, signs, strict=True):
                rows |= ((layer.Z > 0) != sign).any(axis=1)
        finally:
            apply(0)
            self.net.clear_cache()
        self.on_kink |= rows
        return plus, minus, bool(rows.any())

    def _run(self, name: str, steps, l1_kink):
        block = self.views[name].reshape(-1)
        saved = block.copy()
        out = []
        for idx, step in steps:

            def apply(sign, idx=idx, step=step):
                block[idx] = saved[idx] + sign * step if sign else saved[idx]

            plus, minus, kink = self._eval(apply)
            kink |= bool(name.startswith("W") and self.net.l1 and l1_kink(saved[idx], step))
            out.append((plus, minus, (plus - minus) / (2 * self.eps), kink))
        return tuple(np.array(c) for c in zip(*out, strict=True))

    def coordinates(self, name: str, local: np.ndarray):
        def l1_kink(w, step):
            return w != 0 and abs(w) < step

        return self._run(name, [(int(i), self.eps) for i in local], l1_kink)

    def directions(self, name: str, V: np.ndarray):
        def l1_kink(w, step):
            return ((w != 0) & (np.abs(w) < np.abs(step))).any()

        return self._run(name, [(slice(None), self.eps * v.ravel()) for v in V], l1_kink)
