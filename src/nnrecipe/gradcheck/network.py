"""Gradient checking: backpropagation's dθ against two-sided finite differences of J.

With every parameter flattened into θ (W1, b1, W2, b2, ... in C order) and e_i the i-th
unit vector,

    dθ_approx[i] = (J(θ + ε e_i) − J(θ − ε e_i)) / 2ε

    difference   = ‖dθ_approx − dθ‖₂ / (‖dθ_approx‖₂ + ‖dθ‖₂)

≤ 1e-7: correct; around 1e-5: look again; ≥ 1e-3: a bug. The same difference per parameter
block (W1, b1, ...) says where the bug is ("db1 disagrees; everything else matches").

Modes, and when each is enough
------------------------------
full
    Every coordinate: 2P costs, batched (:mod:`nnrecipe.gradcheck.perturbed`), so even a
    100k-parameter network takes seconds. The only mode that finds a bug confined to a few
    coordinates (an off-by-one index, one wrong unit). Use it for every new layer,
    activation or loss, and whenever P allows.
sample
    ``n_samples`` random coordinates (seeded), spread over every block. Enough for bugs that
    touch a whole block, row or column (2·dW, 4/m instead of 1/m, a missing term, a wrong
    transpose): they show in almost every sampled coordinate. A bug confined to k of P
    coordinates is sampled only with probability about 1 − (1 − k/P)^n_samples.
directional
    ``n_directions`` random directions v per block (entries N(0, 1), so each coordinate moves
    by about ε) compare g·v with (J(θ+εv) − J(θ−εv)) / 2ε: 2·n_directions costs per block
    whatever its size. A smoke test for huge networks: it finds a wrong scale, sign or
    missing term of a block, but a bug in k of a block's n coordinates is diluted to about
    √(k/n) of that block's difference.
"""

from __future__ import annotations

import numpy as np

from .._checks import as_rng, check_name, check_positive
from ..nn.network import Network
from .perturbed import ExactCosts, PerturbedCosts
from .result import GradcheckResult

MODES = ("full", "sample", "directional")


def _check_options(epsilon, mode, n_samples, n_directions, top):
    epsilon = check_positive(epsilon, "epsilon")
    if epsilon > 1e-2:
        raise ValueError(
            f"epsilon={epsilon!r} is too large for a finite difference of a derivative; "
            "use 1e-7 (the default) or something between 1e-8 and 1e-4"
        )
    mode = check_name(mode, MODES, "mode")
    check_positive(n_samples, "n_samples", integer=True)
    check_positive(n_directions, "n_directions", integer=True)
    check_positive(top, "top", integer=True)
    return epsilon, mode


def _sample(shapes: dict, n_samples: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Seeded flat indices per block, ``n_samples`` in all (every coordinate when there are
    fewer; one per block when there are fewer samples than blocks): first a floor of
    ⌊n/(4·blocks)⌋ (at least 1) in each block, then the rest proportional to what each block
    has left, rounded by largest remainder."""
    sizes = {k: int(np.prod(s)) for k, s in shapes.items()}
    n = max(min(n_samples, sum(sizes.values())), len(sizes))
    floor = max(1, n // (4 * len(sizes)))
    quota = {k: min(size, floor) for k, size in sizes.items()}
    room = {k: sizes[k] - quota[k] for k in sizes}
    rest, capacity = n - sum(quota.values()), sum(room.values())
    if rest > 0 and capacity > 0:
        share = {k: rest * room[k] / capacity for k in sizes}
        for k in sizes:
            quota[k] += int(share[k])
        leftover = n - sum(quota.values())
        for k in sorted(sizes, key=lambda k: share[k] - int(share[k]), reverse=True):
            if leftover == 0:
                break
            if quota[k] < sizes[k]:
                quota[k], leftover = quota[k] + 1, leftover - 1
    return {k: np.sort(rng.choice(sizes[k], quota[k], replace=False)) for k in sizes}


def _random_directions(shape, n: int, rng) -> np.ndarray:
    return rng.standard_normal((n, *shape))


# ----------------------------------------------------------------- a Network
def _float64_network(net: Network) -> tuple[Network, list[str]]:
    """The network itself when float64, else a float64 copy that keeps its activation and
    loss objects (so a patched or custom one is what gets checked)."""
    if net.dtype == np.float64:
        return net, []
    work = net.copy(dtype="float64")
    for mine, theirs in zip(work.layers, net.layers, strict=True):
        mine.activation = theirs.activation
    work.loss = net.loss
    return work, [
        f"the {net.dtype.name} network is checked on a float64 copy: ε = 1e-7 is below "
        f"float32's resolution, where a finite difference would be rounding noise"
    ]


def _compare(work: Network, X, Y, epsilon, picks, chunk_size):
    """Backprop's dθ and the finite differences for ``picks`` ({block: flat indices} or
    {block: directions}) on prepared X, Y. Returns the blocks for the result, the largest
    |J| seen, the examples found on a kink, and whether the exact evaluator was needed."""
    saved = work.dtheta.copy()  # keep the network's gradient buffer as it was
    try:
        work.loss_and_gradient(X, Y, training=False)
        g = {k[1:]: v.ravel().copy() for k, v in work.gradient_views().items()}
    finally:
        work.dtheta[...] = saved
        work.clear_cache()
    # the batched evaluator knows dense layers only: a network with an embedding in front
    # (whose parameters change A[0]) is checked with its own cost, one J at a time
    exact = work.embedding is not None
    if not exact:
        evaluator = PerturbedCosts(work, X, Y, epsilon, chunk_size)
        exact = not evaluator.consistent()
    if exact:
        evaluator = ExactCosts(work, X, Y, epsilon)
    scale = abs(evaluator.J0)
    blocks = {}
    for name, pick in picks.items():
        if pick.ndim > 1:  # directions
            J_plus, J_minus, approx, kink = evaluator.directions(name, pick)
            where, backprop = np.arange(len(pick)), pick.reshape(len(pick), -1) @ g[name]
        else:
            J_plus, J_minus, approx, kink = evaluator.coordinates(name, pick)
            where, backprop = pick, g[name][pick]
        scale = max(scale, np.abs(J_plus).max(), np.abs(J_minus).max())
        blocks[name] = (where, approx, backprop, kink)
    return blocks, scale, evaluator.on_kink, exact


def gradcheck(
    net: Network,
    X,
    Y,
    epsilon: float = 1e-7,
    mode: str = "full",
    *,
    n_samples: int = 1000,
    n_directions: int = 8,
    seed: int | np.random.Generator | None = 0,
    chunk_size: int | None = None,
    top: int = 5,
) -> GradcheckResult:
    """Check a Network's backpropagation against finite differences of its own cost J.

    dθ_approx[i] = (J(θ + εe_i) − J(θ − εe_i)) / 2ε against ``net.gradients(X, Y)``, with
    J = ``net.cost(X, Y)``: L2/L1 terms included, dropout off (J would be random with it),
    always in float64 (a float32 network is checked on a float64 copy). The network is
    left unchanged. Finite differences that straddle a kink (a ReLU pre-activation or, with
    L1, a weight changing sign between θ − εe_i and θ + εe_i) are not derivatives, so they
    are detected: examples that put a ReLU on its kink are left out of the check (a note
    says which), and a coordinate still on a kink is excluded and listed in ``result.kinks``.

    Parameters
    ----------
    net : Network
    X : array of shape (m, n_x)
        A few dozen examples are plenty; every cost is over all of them.
    Y : labels of shape (m,) or targets (m, n_y)
    epsilon : float
        ε of the two-sided difference.
    mode : {"full", "sample", "directional"}
        Every coordinate, ``n_samples`` random coordinates, or ``n_directions`` random
        directions per block; see the module docstring for when each is enough.
    n_samples, n_directions : int
    seed : int or numpy.random.Generator
        Draws the sample or the directions (ignored by ``full``).
    chunk_size : int, optional
        Perturbations evaluated in one batch; by default as many as fit in about 8 MiB.
    top : int
        How many worst coordinates (or directions) ``result.worst`` keeps.

    Returns
    -------
    GradcheckResult
        ``.difference``, ``.passed``, ``.verdict``, ``.per_parameter``, ``.worst``, ``.kinks``,
        ``.notes``; ``print(result)`` shows the report, ``result.to_dict()`` a JSON form.
    """
    if not isinstance(net, Network):
        raise TypeError(
            f"net must be an nnrecipe.Network, got {type(net).__name__}; for your "
            "own implementation use nnrecipe.gradcheck_fn(cost_fn, grad_fn, params)"
        )
    epsilon, mode = _check_options(epsilon, mode, n_samples, n_directions, top)
    if chunk_size is not None:
        chunk_size = check_positive(chunk_size, "chunk_size", integer=True)
    rng = as_rng(seed, "seed")
    work, notes = _float64_network(net)
    shapes = work.parameter_shapes()
    Xp = work.prepare_inputs(X)
    Yp = work.prepare_targets(Y, len(Xp), "Y")
    m = len(Xp)
    if mode == "directional":
        picks = {k: _random_directions(s, n_directions, rng) for k, s in shapes.items()}
    elif mode == "sample":
        picks = _sample(shapes, n_samples, rng)
    else:
        picks = {k: np.arange(int(np.prod(s))) for k, s in shapes.items()}

    blocks, scale, on_kink, exact = _compare(work, Xp, Yp, epsilon, picks, chunk_size)
    if on_kink.any() and not on_kink.all():
        # examples sitting on a ReLU kink (Z = 0 exactly, typically a fresh network's zero
        # biases) have no derivative there: check every coordinate on the other examples
        keep = ~on_kink
        blocks, scale, _, exact = _compare(work, Xp[keep], Yp[keep], epsilon, picks, chunk_size)
        notes.append(
            f"{int(on_kink.sum())} of {m} examples put a ReLU pre-activation on its kink at 0 "
            "(typically Z = b = 0 exactly: a fresh network with zero biases and an example whose "
            "inputs to the layer are all 0), where the finite difference is not a derivative; "
            f"they were left out and the check ran on the other {int(keep.sum())} examples "
            f"(rows {np.flatnonzero(on_kink)[:10].tolist()}{' ...' if on_kink.sum() > 10 else ''})"
        )
        m = int(keep.sum())
    elif on_kink.any():
        notes.append(
            "every example puts a ReLU pre-activation on its kink at 0 for some "
            "perturbation (init='zeros'?), so the coordinates concerned are excluded"
        )
    if exact:
        notes.append(
            "this network's loss or layers differ from the batched evaluator's "
            "formulas, so every J was computed by the network's own cost, one at a time"
        )
    if any(k < 1 for k in work.keep_prob):
        notes.append(
            f"dropout is off during the check (keep_prob {work.keep_prob} was not "
            "applied): with dropout on, J is random and has no finite difference"
        )
    if work.l2 or work.l1:
        terms = [
            t
            for t, on in ((f"L2 λ = {work.l2:g}", work.l2), (f"L1 λ₁ = {work.l1:g}", work.l1))
            if on
        ]
        notes.append(f"the penalty ({', '.join(terms)}, m = {m}) is included in J and dθ")
    result = GradcheckResult.from_blocks(
        blocks, shapes, mode=mode, epsilon=epsilon, scale=scale, notes=notes, top=top
    )
    if result.kinks:
        shown = ", ".join(result.kinks[:8]) + (", ..." if len(result.kinks) > 8 else "")
        result.notes.append(
            f"{len(result.kinks)} finite differences straddle a kink (between θ − εu and "
            "θ + εu a ReLU pre-activation or, with L1, a weight changes sign), where they are "
            f"not derivatives; excluded from every difference: {shown}"
        )
    return result
