"""Numeric embeddings: a first layer that turns each input feature x_j into several numbers.

The network's first dense layer then sees n_x·(1 + d) inputs instead of n_x: a feature can
act through a bump or a step instead of one straight line, which is what lets an MLP follow
the irregular target functions of tables (Gorishniy et al. 2022, "On embeddings for
numerical features"; RealMLP's ablation: −2 % relative error for classification, −20 % for
regression). With X (m, n) the network's prepared inputs (rows are examples):

periodic (``"periodic"``, RealMLP's PBLD: periodic, bias, linear, densenet)
    frequencies F (n, k) ~ N(0, σ²), phases P (n, k) ~ U(−π, π), and per feature a linear
    map L (n, k, d), c (n, d) ~ U(−1/√k, 1/√k):

        U[j, i, :] = 2π F[j] x_ij + P[j]        (n, m, k)
        E[j, i, :] = cos(U[j, i]) @ L[j] + c[j]  (n, m, d)   (a batched matmul over j)
        out[i, j, :] = [x_ij, E[j, i, :]]        (m, n, 1 + d), read as (m, n(1 + d))

    backward, from G = dJ/d out (m, n, 1 + d) and dE[j] = G[:, j, 1:] (m, d):

        dL[j] = cos(U[j]).T @ dE[j],   dc[j] = Σ_i dE[j, i],   dC[j] = dE[j] @ L[j].T
        dU = −sin(U) ⊙ dC,   dF[j] = 2π x_{:,j} @ dU[j],   dP[j] = Σ_i dU[j, i]

piecewise (``"piecewise"``, piecewise-linear encoding on quantile bins)
    edges e_j0 ≤ e_j1 ≤ ... ≤ e_jT: the quantiles t/T (t = 0..T) of the training column,
    fitted once on the training rows and stored with the model; for bin t,

        ple_t(x_ij) = clip((x_ij − e_j,t−1) / (e_jt − e_j,t−1), 0, 1)   (0 when the bin is empty)
        out[i, j, :] = [x_ij, ple_1(x_ij), ..., ple_T(x_ij)]          (m, n, 1 + T)

    No parameter: the dense layer above learns from the encoding, so backward is empty.

Every array is (m, n, ·) or (n, m, ·), so forward and backward loop over neither examples
nor features; the parameters are views into the network's θ and dθ (``E_freq``,
``E_phase``, ``E_W``, ``E_b``), which optimizers, ``get_vector`` and model files see like
any other. Embeddings are for table columns, never image pixels (a network refuses them with
``augment=``).
"""

from __future__ import annotations

import math

import numpy as np

from ._fast import middle_sum

KINDS = ("periodic", "piecewise")
FREQUENCIES = 16  # k, cosines per feature (RealMLP: 16)
DIMENSIONS = 3  # d, outputs of the per-feature linear map (RealMLP: 4 with x itself)
SIGMA = 0.1  # σ of the frequencies' initialization (RealMLP's default)
BINS = 16  # T, quantile bins per feature
SAMPLE_ROWS = 2**16  # bins are fitted on at most this many evenly spaced training rows


def check_kind(embeddings, name: str = "embeddings") -> str | None:
    """None, "periodic" or "piecewise"; anything else is refused naming ``name``."""
    if embeddings is None or (isinstance(embeddings, str) and embeddings in KINDS):
        return embeddings
    raise ValueError(
        f"{name}={embeddings!r} is not a numeric embedding; use None (default), 'periodic' "
        "(cosines of learned frequencies) or 'piecewise' (quantile bins of the training rows)"
    )


def parameter_shapes(kind: str | None, n_x: int) -> dict[str, tuple[int, ...]]:
    """The embedding's parameters ``{name: shape}`` for ``n_x`` features (none but periodic)."""
    if kind != "periodic":
        return {}
    k, d = FREQUENCIES, DIMENSIONS
    return {"E_freq": (n_x, k), "E_phase": (n_x, k), "E_W": (n_x, k, d), "E_b": (n_x, d)}


def output_width(kind: str | None, n_x: int) -> int:
    """The width of the embedding's output, the first dense layer's input."""
    per = {None: 1, "periodic": 1 + DIMENSIONS, "piecewise": 1 + BINS}[kind]
    return n_x * per


def row_width(kind: str | None, n_x: int) -> int:
    """Values per example the embedding holds at once (U and cos U: n_x·k; the piecewise
    code: n_x·(1 + T)), which sizes inference chunks; 0 without an embedding."""
    return {None: 0, "periodic": n_x * FREQUENCIES, "piecewise": n_x * (1 + BINS)}[kind]


def build(kind: str | None, n_x: int, params):
    """The embedding layer of ``kind`` on the network's θ and dθ views
    (:class:`~nnrecipe.nn.parameters.FlatParameters`), or None for no embedding."""
    if kind is None:
        return None
    return Periodic(params.views, params.grad_views) if kind == "periodic" else Piecewise(n_x)


class Periodic:
    """[x, cos(2π F x + P) @ L + c] per feature (see the module docstring)."""

    kind = "periodic"
    fitted = True  # nothing is fitted from data
    learns = True  # has parameters: backward fills their gradients

    def __init__(self, views: dict, grad_views: dict):
        self.F, self.P, self.L, self.c = (views[k] for k in ("E_freq", "E_phase", "E_W", "E_b"))
        self.dF, self.dP, self.dL, self.dc = (
            grad_views["d" + k] for k in ("E_freq", "E_phase", "E_W", "E_b")
        )
        self.clear()

    def initialize(self, rng: np.random.Generator) -> None:
        """F ~ N(0, σ²), P ~ U(−π, π), L and c ~ U(−1/√k, 1/√k), drawn from ``rng``."""
        bound = 1.0 / math.sqrt(FREQUENCIES)
        self.F[...] = SIGMA * rng.standard_normal(self.F.shape)
        self.P[...] = rng.uniform(-math.pi, math.pi, self.P.shape)
        self.L[...] = rng.uniform(-bound, bound, self.L.shape)
        self.c[...] = rng.uniform(-bound, bound, self.c.shape)

    def forward(self, X: np.ndarray) -> np.ndarray:
        """(m, n(1 + d)) from X (m, n); caches xᵀ, U and cos U for backward (cos and sin are
        most of the layer's time in float64, about 20 ns a value: each is computed once)."""
        m, n = X.shape
        # U[j] = x_{:,j} ⊗ 2πF[j] + P[j] as one batched product [x, 1] @ [2πF; P]:
        # (n, m, 2) @ (n, 2, k), a tenth of the time of the broadcast sum
        X1 = np.empty((n, m, 2), X.dtype)
        X1[:, :, 0] = X.T
        X1[:, :, 1] = 1.0
        U = np.matmul(X1, np.stack([2 * math.pi * self.F, self.P], axis=1))  # (n, m, k)
        C = np.cos(U)
        E = np.matmul(C, self.L)  # (n, m, k) @ (n, k, d) → (n, m, d)
        E += self.c[:, None, :]
        out = np.empty((m, n, 1 + self.c.shape[1]), X.dtype)
        out[:, :, 0] = X
        out[:, :, 1:] = E.transpose(1, 0, 2)
        self.X1, self.U, self.C = X1, U, C
        return out.reshape(m, -1)

    def backward(self, dout: np.ndarray) -> None:
        """dF, dP, dL, dc into dθ from dJ/d out (m, n(1 + d)) (no gradient for X)."""
        n = self.F.shape[0]
        dE = np.ascontiguousarray(dout.reshape(len(dout), n, -1)[:, :, 1:].transpose(1, 0, 2))
        np.matmul(self.C.transpose(0, 2, 1), dE, out=self.dL)  # (n, k, m) @ (n, m, d)
        self.dc[...] = middle_sum(dE)  # Σ_i dE[j, i] (readable: dE.sum(axis=1))
        S = np.matmul(dE, self.L.transpose(0, 2, 1))  # dC (n, m, k)
        S *= np.sin(self.U)  # S = sin(U) ⊙ dC = −dU: the sign goes on the small results
        # [Σ_i x_ij S[j, i]; Σ_i S[j, i]] in one product [x, 1]ᵀ @ S: (n, 2, m) @ (n, m, k)
        sums = np.matmul(self.X1.transpose(0, 2, 1), S)
        np.multiply(sums[:, 0], -2 * math.pi, out=self.dF)  # dF[j] = 2π Σ_i x_ij dU[j, i]
        np.negative(sums[:, 1], out=self.dP)  # dP[j] = Σ_i dU[j, i]

    def clear(self) -> None:
        self.X1 = self.U = self.C = None

    def state(self) -> dict[str, np.ndarray]:
        return {}  # everything is in θ

    def set_state(self, arrays: dict) -> None:
        pass


class Piecewise:
    """[x, ple_1(x), ..., ple_T(x)] per feature on training-set quantile bins."""

    kind = "piecewise"
    learns = False

    def __init__(self, n_x: int):
        self.n_x = n_x
        self.edges_ = None  # (n_x, T + 1), fitted on the training rows

    @property
    def fitted(self) -> bool:
        return self.edges_ is not None

    def initialize(self, rng) -> None:
        pass  # no parameters

    def fit(self, X) -> Piecewise:
        """Edges: the quantiles t/T of each column of the prepared training inputs X (an
        array or rows made a batch at a time), from at most ``SAMPLE_ROWS`` evenly spaced
        rows (a strided sample of sorted data keeps its quantiles)."""
        m = len(X)
        idx = np.linspace(0, m - 1, min(m, SAMPLE_ROWS)).round().astype(np.intp)
        sample = X.take(idx, axis=0) if m > SAMPLE_ROWS else X[0:m]
        q = np.quantile(np.asarray(sample, np.float64), np.linspace(0, 1, BINS + 1), axis=0)
        return self.set_state({"edges": q.T})

    def set_state(self, arrays: dict) -> Piecewise:
        """Set the bins from ``{"edges": (n_x, T + 1)}``, checked finite and nondecreasing."""
        edges = np.array(arrays["edges"], np.float64, order="C")
        if edges.shape != (self.n_x, BINS + 1):
            raise ValueError(
                f"the piecewise embedding's edges have shape {edges.shape}, "
                f"expected {(self.n_x, BINS + 1)}"
            )
        if not np.isfinite(edges).all() or (np.diff(edges, axis=1) < 0).any():
            raise ValueError("the piecewise embedding's edges must be finite and nondecreasing")
        self.edges_ = edges
        width = np.diff(edges, axis=1)
        self._low = edges[:, :-1]
        self._inv_width = np.divide(1.0, width, out=np.zeros_like(width), where=width > 0)
        return self

    def state(self) -> dict[str, np.ndarray]:
        return {"edges": self.edges_} if self.fitted else {}

    def forward(self, X: np.ndarray) -> np.ndarray:
        """(m, n(1 + T)) from X (m, n), in X's dtype."""
        if not self.fitted:
            raise ValueError(
                "the piecewise embedding has no bins yet: fit the network first (the bins are "
                "the quantiles of its training rows)"
            )
        m, n = X.shape
        out = np.empty((m, n, 1 + BINS), X.dtype)
        out[:, :, 0] = X
        code = out[:, :, 1:]
        np.subtract(X[:, :, None], self._low.astype(X.dtype), out=code)
        np.multiply(code, self._inv_width.astype(X.dtype), out=code)
        np.clip(code, 0.0, 1.0, out=code)
        return out.reshape(m, -1)

    def backward(self, dout) -> None:
        pass  # no parameters, and no gradient for X

    def clear(self) -> None:
        pass
