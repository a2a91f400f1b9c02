"""``nnrecipe gradcheck``: build a network from flags, draw random inputs and labels, and
check backpropagation against two-sided finite differences (:func:`nnrecipe.gradcheck`)."""

from __future__ import annotations

import numpy as np

from ...gradcheck.network import gradcheck
from ...model import Network
from . import output


def run(args) -> int:
    seed = getattr(args, "seed", 0)
    for flag, value in (("--inputs", args.inputs), ("--outputs", args.outputs)):
        if value < 1:
            raise ValueError(f"{flag} must be a positive integer, got {value}")
    sizes = [args.inputs, *args.layers, args.outputs]  # --layers: hidden sizes, as in train
    if args.examples < 1:
        raise ValueError(f"--examples must be a positive integer, got {args.examples}")
    hidden = args.hidden.split(",") if "," in args.hidden else args.hidden
    net = Network(
        sizes,
        hidden=hidden,
        output=args.output,
        loss=args.loss,
        init=args.init,
        l2=args.l2,
        l1=args.l1,
        keep_prob=args.keep_prob,
        seed=seed,
    )
    rng = np.random.default_rng(seed)
    m, n_y = args.examples, sizes[-1]
    X = rng.standard_normal((m, sizes[0]))
    if net.loss.name == "categorical_crossentropy":
        Y = rng.integers(0, n_y, m)
    elif net.loss.name == "binary_crossentropy":
        Y = rng.integers(0, 2, (m, n_y))
    else:
        Y = rng.standard_normal((m, n_y))
    flags = ("epsilon", "mode", "n_samples", "n_directions")
    result = gradcheck(net, X, Y, seed=seed, **{k: getattr(args, k) for k in flags})
    if args.json:
        output.print_json({"network": net.config(), "examples": m, **result.to_dict()})
    else:
        output.console().print(result)
    return 0 if result.passed else 1
