"""Vanishing and exploding signals: per-layer gradient norms and activation spread.

Once per epoch, on the epoch's first mini-batch (after backpropagation, before the update),
``fit(..., monitor_gradients=True)`` records for every layer l = 1..L

    ‖dW[l]‖_F  (History.gradient_norms)    and    std(A[l])  (History.activation_std)

where A[l] is the layer's activation before dropout, its standard deviation over the batch
and the units. A deep network whose weights are too large multiplies the forward signal by
a gain g > 1 at every layer (g = s·√(n/2) for ReLU layers of width n with weights
N(0, s²)), so std(A[l]) grows like g^l; with g < 1 it shrinks like g^l. Going backward the
same happens to dZ[l]. (For ReLU networks without biases the two effects cancel in
dW[l] = dZ[l]ᵀA[l−1]: every layer's ‖dW[l]‖ is then ~g^(L−1) — uniformly huge or tiny.)

A warning names the layer where the signal has changed by more than 10^orders
(default 3 orders of magnitude):

* activations: std(A[l]) / std(A[1]) over the hidden layers, first layer out of range;
* gradients: ‖dW[l]‖ / ‖dW[L]‖ (relative to the output layer, where backpropagation
  starts), the layer nearest the output that is out of range;
* any non-finite norm (overflow).
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ..nn.network import Network

FIX = (
    "use init='he' for ReLU layers ('xavier' for tanh), standardize the inputs, or use fewer layers"
)
# a problem that was not there at initialization was made by the updates
TRAINING_FIX = (
    "it was not there at initialization, so the updates made it: the usual cause is a learning "
    "rate that is too large (try 10x smaller)"
)


def measure(network: Network) -> tuple[list[float], list[float]]:
    """(‖dW[l]‖ for l = 1..L, std(A[l]) for l = 1..L) from the last forward/backward pass."""
    norms = [float(np.linalg.norm(layer.dW)) for layer in network.layers]
    spread = [
        float(np.std(layer.A)) if layer.A is not None else math.nan for layer in network.layers
    ]
    return norms, spread


def problems(norms, spread, orders: float = 3.0, fix: str = FIX) -> list[tuple[str, int, str]]:
    """``(kind, layer, message)`` for each signal that changes by > 10^orders across depth;
    kind is one of "overflow", "activations_explode", "activations_vanish",
    "gradients_explode", "gradients_vanish"; layers are numbered 1..L; each message ends
    with ``fix``."""
    found = []
    bad = [i for i, v in enumerate(list(norms) + list(spread)) if not np.isfinite(v)]
    if bad:
        layer = bad[0] % len(norms) + 1
        found.append(
            (
                "overflow",
                layer,
                f"gradient or activation at layer {layer} overflowed to inf/NaN; {fix}",
            )
        )
        return found
    limit = 10.0**orders
    hidden = spread[:-1]
    if len(hidden) >= 2 and hidden[0] > 0:
        ratio = np.asarray(hidden) / hidden[0]
        for kind, out in (("explode", ratio > limit), ("vanish", ratio < 1 / limit)):
            if out.any():
                layer = int(np.argmax(out)) + 1
                found.append(
                    (
                        f"activations_{kind}",
                        layer,
                        f"activations {kind} across depth: std(A[{layer}]) = "
                        f"{hidden[layer - 1]:.3g} vs std(A[1]) = {hidden[0]:.3g} "
                        f"(the hidden layers range from {ratio.min():.2g}x to "
                        f"{ratio.max():.2g}x std(A[1])); gradients {kind} with them; {fix}",
                    )
                )
    if len(norms) >= 2 and norms[-1] > 0:
        ratio = np.asarray(norms[:-1]) / norms[-1]
        for kind, out in (("explode", ratio > limit), ("vanish", ratio < 1 / limit)):
            if out.any():
                layer = (
                    int(np.flatnonzero(out)[-1]) + 1
                )  # the out-of-range layer nearest the output
                found.append(
                    (
                        f"gradients_{kind}",
                        layer,
                        f"gradients {kind} across depth: ||dW[{layer}]|| = "
                        f"{norms[layer - 1]:.3g} vs ||dW[{len(norms)}]|| = {norms[-1]:.3g} "
                        f"at the output layer; layers 1..{layer} learn "
                        f"{'far too fast' if kind == 'explode' else 'almost nothing'}; {fix}",
                    )
                )
    return found


class GradientMonitor:
    """Measures each epoch's first mini-batch into the history and warns once per kind.

    Parameters
    ----------
    orders : float
        Warn when a signal changes by more than 10^orders across depth (default 3).
    """

    def __init__(self, orders: float = 3.0):
        if isinstance(orders, bool) or not isinstance(orders, int | float) or not orders > 0:
            raise ValueError(f"orders={orders!r} must be a number > 0 (orders of magnitude)")
        self.orders = float(orders)
        self.warned: set[str] = set()
        self.at_init: set[str] | None = None  # the kinds already there before any update

    def __call__(self, network: Network, history) -> None:
        norms, spread = measure(network)
        history.gradient_norms.append(norms)
        history.activation_std.append(spread)
        if self.at_init is None:
            self.at_init = {kind for kind, _, _ in problems(norms, spread, self.orders)}
        found = problems(norms, spread, self.orders)
        if any(kind not in self.at_init for kind, _, _ in found):
            found = problems(norms, spread, self.orders, TRAINING_FIX)
        for kind, _layer, message in found:
            if kind not in self.warned:
                self.warned.add(kind)
                # called from loop._train_epoch ← loop.fit ← Network.fit ← the user's line
                warnings.warn(message, RuntimeWarning, stacklevel=5)


def monitor(value) -> GradientMonitor | None:
    """``fit``'s ``monitor_gradients``: False/None, True, or a GradientMonitor."""
    if value is None or value is False:
        return None
    if value is True:
        return GradientMonitor()
    if isinstance(value, GradientMonitor):
        return value
    raise TypeError(f"monitor_gradients must be True, False or a GradientMonitor, got {value!r}")
