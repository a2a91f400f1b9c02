"""Gradient-descent optimizers over named arrays ``{name: array}``, updated in place.

With g = dJ/dθ, learning rate α and step count t (starting at 1):

==========  ==========================================================================
name        update
==========  ==========================================================================
gd / sgd    θ ← θ - α g            (gd: the whole training set per step; sgd: mini-batches)
momentum    v ← β v + (1-β) g;  θ ← θ - α v                                  (β = 0.9)
rmsprop     s ← β₂ s + (1-β₂) g²;  θ ← θ - α g / (√s + ε)                    (β₂ = 0.999)
adam        v ← β₁ v + (1-β₁) g;  s ← β₂ s + (1-β₂) g²;
            v̂ = v / (1-β₁ᵗ);  ŝ = s / (1-β₂ᵗ);  θ ← θ - α v̂ / (√ŝ + ε)   (β₁=0.9, β₂=0.999)
==========  ==========================================================================

ε = 1e-8. Optimizers see only arrays, never layers: regularization has already added its
own term to g. The network hands in its parameters as views into one flat buffer, so each
update is a handful of vectorized in-place operations over all weights at once.

α is the optimizer's ``learning_rate`` unless a step is given its own:
``update(params, grads, learning_rate=α_e)``. That is how ``fit`` applies a schedule
(:mod:`nnrecipe.train.schedules`: the course's decay, cosine, warm-up) without writing the
scheduled rate into the optimizer object.
"""

from __future__ import annotations

import copy
import inspect
import math
import numbers
from collections.abc import Callable

import numpy as np

from .._checks import check_name, check_positive
from .fused import adam_kernel, adam_passes
from .schedules import DECAY_TIMINGS, decayed_rate  # noqa: F401  (their home before schedules.py)

EPSILON = 1e-8


class Optimizer:
    """Base class: ``init(params)`` allocates state, ``update(params, grads)`` steps in place.

    ``update(params, grads, learning_rate=α)`` takes one step at rate α and leaves the
    optimizer's own ``learning_rate`` as it is (None: use it).
    """

    name = "base"

    def __init__(self, learning_rate: float = 0.01):
        self.learning_rate = check_positive(learning_rate, "learning_rate")
        self.t = 0

    def init(self, params: dict[str, np.ndarray]) -> None:
        self.t = 0

    def update(
        self,
        params: dict[str, np.ndarray],
        grads: dict[str, np.ndarray],
        learning_rate: float | None = None,
    ) -> None:
        lr = self.learning_rate if learning_rate is None else learning_rate
        self.t += 1
        for key, p in params.items():
            self._step(key, p, grads["d" + key] if "d" + key in grads else grads[key], lr)

    def _step(self, key: str, p: np.ndarray, g: np.ndarray, lr: float) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(learning_rate={self.learning_rate})"


class GradientDescent(Optimizer):
    name = "gd"

    def _step(self, key, p, g, lr):
        p -= lr * g


class SGD(GradientDescent):
    """Mini-batch stochastic gradient descent: the same rule, applied per mini-batch."""

    name = "sgd"


class Momentum(Optimizer):
    name = "momentum"

    def __init__(self, learning_rate: float = 0.01, beta: float = 0.9):
        super().__init__(learning_rate)
        self.beta = _check_beta(beta, "beta")

    def init(self, params):
        super().init(params)
        self.v = {k: np.zeros_like(p) for k, p in params.items()}

    def _step(self, key, p, g, lr):
        v = self.v[key]
        v *= self.beta
        v += (1.0 - self.beta) * g
        p -= lr * v


class RMSprop(Optimizer):
    name = "rmsprop"

    def __init__(
        self, learning_rate: float = 0.001, beta2: float = 0.999, epsilon: float = EPSILON
    ):
        super().__init__(learning_rate)
        self.beta2 = _check_beta(beta2, "beta2", open_at_zero=True)
        self.epsilon = check_positive(epsilon, "epsilon")

    def init(self, params):
        super().init(params)
        self.s = {k: np.zeros_like(p) for k, p in params.items()}

    def _step(self, key, p, g, lr):
        s = self.s[key]
        s *= self.beta2
        s += (1.0 - self.beta2) * (g * g)
        p -= lr * g / (np.sqrt(s) + self.epsilon)


class Adam(Optimizer):
    """Adam: v ← β₁ v + (1-β₁) g;  s ← β₂ s + (1-β₂) g²;  θ ← θ - α v̂ / (√ŝ + ε), with the
    bias corrections v̂ = v / (1-β₁ᵗ), ŝ = s / (1-β₂ᵗ).

    ``beta1`` = β₁ in [0, 1) (default 0.9), ``beta2`` = β₂ in (0, 1) (default 0.999, the
    course's and the paper's; 0.95 forgets old gradients faster, as RealMLP does for tabular
    MLPs). Pass the instance to ``fit(optimizer=Adam(beta2=0.95))``.

    State: the course's moments are the properties ``v`` and ``s``. They are stored as
    ``u`` = v/(1-β₁) and ``r`` = s/(1-β₂), the same update in fewer passes
    (:mod:`nnrecipe.train.fused`). ``fused``: None runs the one-pass Numba kernel when Numba is
    installed (``pip install numba``) and the NumPy passes otherwise; False always
    runs the NumPy passes; True requires the kernel.
    """

    name = "adam"

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        epsilon: float = EPSILON,
        fused: bool | None = None,
    ):
        super().__init__(learning_rate)
        self.beta1 = _check_beta(beta1, "beta1")
        self.beta2 = _check_beta(beta2, "beta2", open_at_zero=True)
        self.epsilon = check_positive(epsilon, "epsilon")
        if fused not in (None, True, False):
            raise TypeError(f"fused must be None, True or False, got {fused!r}")
        self.fused = fused

    def init(self, params):
        super().init(params)
        self.u = {k: np.zeros_like(p) for k, p in params.items()}
        self.r = {k: np.zeros_like(p) for k, p in params.items()}
        self._tmp = {k: np.empty_like(p) for k, p in params.items()}
        self._kernel = None if self.fused is False else adam_kernel()
        if self.fused and self._kernel is None:
            raise ImportError(
                "Adam(fused=True) needs Numba: pip install numba (and do not set "
                "NNRECIPE_NUMBA=0), or pass fused=None to fall back to NumPy"
            )

    @property
    def v(self) -> dict[str, np.ndarray]:
        """The first moment v = (1-β₁) u, as in the course (copies). Settable: assigning a
        dict ``{name: array}`` (same names and shapes as the parameters) resumes from it."""
        return {k: u * (1.0 - self.beta1) for k, u in self.u.items()}

    @v.setter
    def v(self, value: dict[str, np.ndarray]) -> None:
        for k, arr in _moments(self.u, value, "v").items():
            np.divide(arr, 1.0 - self.beta1, out=self.u[k])

    @property
    def s(self) -> dict[str, np.ndarray]:
        """The second moment s = (1-β₂) r, as in the course (copies); settable like ``v``."""
        return {k: r * (1.0 - self.beta2) for k, r in self.r.items()}

    @s.setter
    def s(self, value: dict[str, np.ndarray]) -> None:
        for k, arr in _moments(self.r, value, "s").items():
            np.divide(arr, 1.0 - self.beta2, out=self.r[k])

    @property
    def v_corrected(self) -> dict[str, np.ndarray]:
        """The bias-corrected first moment v̂ = v / (1-β₁ᵗ) of the last step t (copies)."""
        return {k: v / (1.0 - self.beta1 ** self._t_checked()) for k, v in self.v.items()}

    @property
    def s_corrected(self) -> dict[str, np.ndarray]:
        """The bias-corrected second moment ŝ = s / (1-β₂ᵗ) of the last step t (copies)."""
        return {k: s / (1.0 - self.beta2 ** self._t_checked()) for k, s in self.s.items()}

    def _t_checked(self) -> int:
        if self.t < 1:
            raise ValueError("the bias-corrected moments need a step count t >= 1: update() first")
        return self.t

    def scalars(self, learning_rate: float | None = None) -> tuple[float, float]:
        """(step, ε') for the current step t ≥ 1 at rate α (None: ``learning_rate``), as
        Python floats: a NumPy float64 scalar would silently run the float32 passes in
        float64 (several times slower)."""
        if self.t < 1:
            raise ValueError("Adam.scalars() needs a step count t >= 1: call update() first")
        lr = self.learning_rate if learning_rate is None else float(learning_rate)
        root_c2 = math.sqrt((1.0 - self.beta2**self.t) / (1.0 - self.beta2))
        step = lr * (1.0 - self.beta1) * root_c2 / (1.0 - self.beta1**self.t)
        return step, self.epsilon * root_c2

    def _step(self, key, p, g, lr):
        u, r, tmp = self.u[key], self.r[key], self._tmp[key]
        step, eps = self.scalars(lr)
        flat = p.flags.c_contiguous and g.flags.c_contiguous and p.dtype == g.dtype
        if self._kernel is not None and flat:
            args = (p.reshape(-1), g.reshape(-1), u.reshape(-1), r.reshape(-1))
            self._kernel(*args, self.beta1, self.beta2, step, eps)
            return
        # v ← β₁v + (1-β₁)g;  s ← β₂s + (1-β₂)g²;  p ← p - α v̂/(√ŝ + ε), folded onto u and r
        adam_passes(p, g, u, r, tmp, self.beta1, self.beta2, step, eps)


def _moments(state: dict, value, name: str) -> dict[str, np.ndarray]:
    """``value`` checked against the optimizer's state arrays: same keys (``W1`` or the
    course's ``dW1``), same shapes."""
    if not isinstance(value, dict):
        raise TypeError(f"{name} must be a dict {{name: array}}, got {type(value).__name__}")
    out = {}
    for k, current in state.items():
        arr = value.get(k, value.get("d" + k))
        if arr is None:
            raise ValueError(
                f"{name} has no entry {k!r} (or {'d' + k!r}); its keys are {sorted(value)}"
            )
        arr = np.asarray(arr, dtype=current.dtype)
        if arr.shape != current.shape:
            raise ValueError(f"{name}[{k!r}] has shape {arr.shape}, expected {current.shape}")
        out[k] = arr
    return out


def _check_beta(beta, name: str, open_at_zero: bool = False) -> float:
    """A decay rate β in [0, 1), or in (0, 1) with ``open_at_zero`` (β₂: s ← g² at β₂ = 0)."""
    interval = "(0, 1)" if open_at_zero else "[0, 1)"
    if isinstance(beta, bool) or not isinstance(beta, numbers.Real):
        raise TypeError(f"{name} must be a number in {interval}, got {beta!r}")
    if not 0 <= beta < 1 or (open_at_zero and beta == 0):  # NaN fails the first test
        raise ValueError(f"{name}={beta!r} must be in {interval} (a moving average's decay)")
    return float(beta)


REGISTRY: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (GradientDescent, SGD, Momentum, RMSprop, Adam)
}


def get(name, learning_rate: float | None = None) -> Optimizer:
    """An optimizer from a name (lists the valid names on error) or an instance.

    An instance is returned as it is; with a ``learning_rate``, a shallow copy at that rate
    is returned instead, so the caller's instance keeps its own rate.
    """
    if isinstance(name, Optimizer):
        if learning_rate is not None:
            name = copy.copy(name)
            name.learning_rate = check_positive(learning_rate, "learning_rate")
        return name
    cls = REGISTRY[check_name(name, tuple(REGISTRY), "optimizer")]
    return cls() if learning_rate is None else cls(learning_rate=learning_rate)


def stepper(opt: Optimizer, params: dict, grads: dict) -> Callable[[float], None]:
    """``step(α)``: one ``opt.update(params, grads)`` at rate α, leaving ``opt.learning_rate``
    as it is.

    An optimizer whose ``update`` takes no ``learning_rate`` (a subclass written for the
    two-argument protocol) is lent the rate for the step and given its own back after it.
    """
    signature = inspect.signature(opt.update).parameters
    if "learning_rate" in signature or any(p.kind is p.VAR_KEYWORD for p in signature.values()):
        return lambda lr: opt.update(params, grads, learning_rate=lr)

    def lend(lr: float) -> None:
        own = opt.learning_rate
        opt.learning_rate = lr
        try:
            opt.update(params, grads)
        finally:
            opt.learning_rate = own

    return lend
