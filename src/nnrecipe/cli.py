"""The ``nnrecipe`` command. Heavy imports happen inside the commands so ``--help`` is instant."""

from __future__ import annotations

import argparse
import json
import sys


def _int_list(text: str) -> list[int]:
    try:
        sizes = [int(t) for t in text.replace(" ", "").split(",") if t]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers like 20,3; got {text!r}") from None
    if any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError(f"layer sizes must be positive; got {text!r}")
    return sizes


def _float_list(text: str) -> float | list[float]:
    try:
        values = [float(t) for t in text.split(",") if t]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number or comma-separated numbers; got {text!r}") from None
    return values[0] if len(values) == 1 else values


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nnrecipe",
        description="Train and improve deep neural networks written in plain NumPy.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    train = sub.add_parser("train", help="train a network on a built-in dataset and report errors")
    train.add_argument("--dataset", default="moons", help="built-in dataset (moons, circles)")
    train.add_argument("--n", type=int, default=1000, help="examples to generate (default 1000)")
    train.add_argument("--layers", type=_int_list, default=[20, 3],
                       help="hidden layer sizes, comma-separated (default 20,3)")
    train.add_argument("--hidden", default="relu", help="hidden activation (default relu)")
    train.add_argument("--init", default="auto", help="zeros, random, xavier, glorot, he, auto")
    train.add_argument("--l2", type=float, default=0.0, help="L2 strength λ (J += λ/2m Σ‖W‖²)")
    train.add_argument("--l1", type=float, default=0.0, help="L1 strength λ₁ (J += λ₁/m Σ|W|)")
    train.add_argument("--keep-prob", type=_float_list, default=1.0,
                       help="dropout keep probability, one or one per hidden layer (default 1)")
    train.add_argument("--optimizer", default="adam", help="gd, sgd, momentum, rmsprop, adam")
    train.add_argument("--learning-rate", type=float, default=0.01, help="default 0.01")
    train.add_argument("--batch-size", type=int, default=64, help="default 64")
    train.add_argument("--epochs", type=int, default=300, help="default 300")
    train.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    train.add_argument("--json", action="store_true", help="print the result as JSON")
    train.set_defaults(func=cmd_train)
    add_gradcheck_parser(sub)
    return parser


def _split(X, y, seed):
    import numpy as np

    order = np.random.default_rng(seed).permutation(len(X))
    a, b = int(0.6 * len(X)), int(0.8 * len(X))
    return [(X[idx], y[idx]) for idx in (order[:a], order[a:b], order[b:])]


def cmd_train(args) -> int:
    import nnrecipe as nr

    X, y = nr.datasets.get(args.dataset, n=args.n, seed=args.seed)
    train, dev, test = _split(X, y, args.seed)
    sizes = [X.shape[1], *args.layers, 1]
    net = nr.Network(sizes, hidden=args.hidden, output="sigmoid", init=args.init, l2=args.l2,
                     l1=args.l1, keep_prob=args.keep_prob, standardize=True, seed=args.seed)
    batch = None if args.optimizer == "gd" else args.batch_size
    history = net.fit(*train, dev=dev, optimizer=args.optimizer, learning_rate=args.learning_rate,
                      batch_size=batch, epochs=args.epochs, seed=args.seed)
    result = {
        "dataset": args.dataset,
        "layers": sizes,
        "epochs": len(history),
        "stop_reason": history.stop_reason,
        "train_error": net.evaluate(*train)["error"],
        "dev_error": net.evaluate(*dev)["error"],
        "test_error": net.evaluate(*test)["error"],
    }
    if args.json:
        print(json.dumps(result))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"nnrecipe train: {args.dataset}, layers {sizes}")
    for col in ("set", "error"):
        table.add_column(col)
    for name in ("train", "dev", "test"):
        table.add_row(name, f"{result[name + '_error']:.2%}")
    Console().print(table)
    return 0


def add_gradcheck_parser(subparsers) -> argparse.ArgumentParser:
    """The ``gradcheck`` subcommand: build a network from flags, check it, print the report."""
    p = subparsers.add_parser(
        "gradcheck",
        help="check a network's backpropagation against finite differences",
        description="Build a network from flags, draw random inputs and labels, and compare "
        "backpropagation with two-sided finite differences of the cost (float64, dropout off, "
        "L2/L1 included). Exit status 0 when the check passes (difference <= 1e-7), 1 if not.",
    )
    p.add_argument(
        "--layers",
        type=_int_list,
        default=[4, 5, 3, 1],
        help="every layer size n_x,h1,...,n_y, comma-separated (default 4,5,3,1)",
    )
    p.add_argument(
        "--hidden",
        default="relu",
        help="hidden activation, or one per hidden layer comma-separated (default relu)",
    )
    p.add_argument("--output", default="sigmoid", help="sigmoid, softmax, linear (default sigmoid)")
    p.add_argument("--loss", default=None, help="default: from --output")
    p.add_argument("--init", default="auto", help="zeros, random, xavier, glorot, he, auto")
    p.add_argument("--l2", type=float, default=0.0, help="L2 strength λ (J += λ/2m Σ‖W‖²)")
    p.add_argument("--l1", type=float, default=0.0, help="L1 strength λ₁ (J += λ₁/m Σ|W|)")
    p.add_argument(
        "--keep-prob",
        type=_float_list,
        default=1.0,
        help="dropout keep probability (reported; dropout is off during the check)",
    )
    p.add_argument(
        "--mode",
        default="full",
        choices=["full", "sample", "directional"],
        help="every coordinate, a random sample, or random directions (default full)",
    )
    p.add_argument("--epsilon", type=float, default=1e-7, help="ε of the difference (1e-7)")
    p.add_argument("--n-samples", type=int, default=1000, help="coordinates for --mode sample")
    p.add_argument(
        "--n-directions", type=int, default=8, help="directions per block for --mode directional"
    )
    p.add_argument("--examples", type=int, default=32, help="random examples m (default 32)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=cmd_gradcheck)
    return p


def cmd_gradcheck(args) -> int:
    import numpy as np

    import nnrecipe as nr

    if len(args.layers) < 2:
        raise ValueError(f"--layers needs at least an input and an output size, got {args.layers}")
    if args.examples < 1:
        raise ValueError(f"--examples must be a positive integer, got {args.examples}")
    hidden = args.hidden.split(",") if "," in args.hidden else args.hidden
    net = nr.Network(
        args.layers,
        hidden=hidden,
        output=args.output,
        loss=args.loss,
        init=args.init,
        l2=args.l2,
        l1=args.l1,
        keep_prob=args.keep_prob,
        seed=args.seed,
    )
    rng = np.random.default_rng(args.seed)
    m, n_y = args.examples, args.layers[-1]
    X = rng.standard_normal((m, args.layers[0]))
    if net.loss.name == "categorical_crossentropy":
        Y = rng.integers(0, n_y, m)
    elif net.loss.name == "binary_crossentropy":
        Y = rng.integers(0, 2, (m, n_y))
    else:
        Y = rng.standard_normal((m, n_y))
    result = nr.gradcheck(
        net,
        X,
        Y,
        epsilon=args.epsilon,
        mode=args.mode,
        n_samples=args.n_samples,
        n_directions=args.n_directions,
        seed=args.seed,
    )
    if args.json:
        print(json.dumps({"network": net.config(), "examples": m, **result.to_dict()}))
    else:
        from rich.console import Console

        Console().print(result)
    return 0 if result.passed else 1


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return args.func(args)
    except (ValueError, TypeError) as exc:
        if args.debug:
            raise
        print(f"nnrecipe {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
