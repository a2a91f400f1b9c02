"""Where one training step's time goes, operation by operation, against its matmuls alone.

    OPENBLAS_NUM_THREADS=1 python benchmarks/step_profile.py [--batch 128] [--keep-prob 1.0]

The step of ``train_speed.py``'s MNIST case (784-256-128-10, ReLU, softmax, L2, Adam,
float32) is timed whole (gather, ``loss_and_gradient``, ``Adam.update``), then each of its
operations alone on the same arrays: the best of many runs in µs, so that load from other
processes (this benchmark's figures are from a shared machine) inflates them least. What is
not a matrix product is the overhead a trainer can remove; the first line names the CPU and
the BLAS kernel (``OPENBLAS_CORETYPE`` forces another, e.g. Haswell or SkylakeX).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from hot_path_micro import best_median  # run from benchmarks/, as the other scripts

import nnrecipe as nr
from nnrecipe.nn import dropout, regularizers
from nnrecipe.train import optimizers


def best(f, repeats: int) -> float:
    """The fastest of ``repeats`` calls, in µs (after warm-up)."""
    return best_median(f, repeats)[0]


def main(argv=None) -> int:
    from machine import describe

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--keep-prob", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=300)
    args = parser.parse_args(argv)
    print(describe())
    sizes, m, reps = [784, 256, 128, 10], args.batch, args.repeats
    rng = np.random.default_rng(0)
    X = rng.random((8000, 784), dtype=np.float32)
    y = rng.integers(0, 10, 8000)
    net = nr.Network(
        sizes, output="softmax", l2=0.1, keep_prob=args.keep_prob, dtype="float32", seed=0
    )
    Xp, Y = net.prepare_training_inputs(X), net.prepare_targets(y, len(X))
    Xb, Yb = np.empty((m, 784), np.float32), np.empty((m, 10), np.float32)
    idx = rng.permutation(len(X))[:m]
    ws = net.workspace(m)
    bufs = ws.views(m)
    opt = optimizers.get("adam", 1e-3)
    params, grads = {"theta": net.theta}, {"theta": net.dtheta}
    opt.init(params)
    gen = np.random.default_rng(1)

    def step():
        Xp.take(idx, axis=0, out=Xb, mode="clip")
        Y.take(idx, axis=0, out=Yb, mode="clip")
        net.loss_and_gradient(Xb, Yb, True, gen, bufs)
        opt.update(params, grads)

    rows = {"whole step": best(step, reps)}
    rows["  gather X, Y"] = best(
        lambda: (
            Xp.take(idx, axis=0, out=Xb, mode="clip"),
            Y.take(idx, axis=0, out=Yb, mode="clip"),
        ),
        reps,
    )
    rows["  forward + cost"] = best(lambda: net.compute_cost(Xb, Yb, True, gen, bufs), reps)
    # the public step API has no backward alone: forward + backward, less forward + cost
    both = best(lambda: net.loss_and_gradient(Xb, Yb, True, gen, bufs), reps)
    rows["  backward (incl. L2)"] = both - rows["  forward + cost"]
    rows["  Adam update"] = best(lambda: opt.update(params, grads), reps)
    # the products alone, into preallocated outputs (the floor's shapes)
    Ws = [layer.W for layer in net.layers]
    As = [Xb] + [np.empty((m, n), np.float32) for n in sizes[1:]]
    dWs = [np.empty_like(W) for W in Ws]
    dAs = [np.empty((m, n), np.float32) for n in sizes[:-1]]

    def products():
        for i, W in enumerate(Ws):
            np.matmul(As[i], W.T, out=As[i + 1])
        for i in range(len(Ws) - 1, -1, -1):
            np.matmul(As[i + 1].T, As[i], out=dWs[i])
            if i:
                np.matmul(As[i + 1], Ws[i], out=dAs[i])

    rows["matmuls alone (the floor)"] = best(products, reps)
    for i, W in enumerate(Ws):
        rows[f"  Z{i + 1} = A @ W.T {As[i].shape}x{W.T.shape}"] = best(
            lambda i=i, W=W: np.matmul(As[i], W.T, out=As[i + 1]), reps
        )
    for i in range(len(Ws)):
        rows[f"  dW{i + 1} = dZ.T @ A"] = best(
            lambda i=i: np.matmul(As[i + 1].T, As[i], out=dWs[i]), reps
        )
    layer = net.layers[0]
    Z = bufs[0].Z
    rows["relu forward (256)"] = best(lambda: layer.activation.forward(Z, out=bufs[0].A), reps)
    dA = np.ones_like(Z)
    rows["relu backward (256)"] = best(lambda: layer.activation.backward(dA, Z, None), reps)
    rows["+ b (256)"] = best(lambda: np.add(Z, layer.b, out=Z), reps)
    rows["db column sum (256)"] = best(lambda: nr.nn._fast.column_sum(dA, out=layer.db), reps)
    if layer.keep_prob < 1.0:  # the mask of the first hidden layer: draw, forward, backward
        kp, D, M = layer.keep_prob, bufs[0].D, bufs[0].M
        rows["dropout mask draw (256)"] = best(lambda: dropout.draw_mask(D.shape, kp, gen, D), reps)
        rows["dropout forward A*M (256)"] = best(
            lambda: (dropout.scaled_mask(D, kp, M), np.multiply(bufs[0].A, M, out=bufs[0].A_drop)),
            reps,
        )
        rows["dropout backward dA*M (256)"] = best(lambda: np.multiply(dA, M, out=dA), reps)
    scratch = np.empty_like(Ws[0])
    rows["L2 gradient (W1)"] = best(
        lambda: regularizers.add_gradient(Ws[0], dWs[0], m, 0.1, 0.0, scratch), reps
    )
    rows["L2 penalty value"] = best(lambda: regularizers.penalty(Ws, m, 0.1, 0.0), reps)
    out = net.layers[-1]
    rows["softmax + loss value"] = best(lambda: net.loss.value(out.Z, out.A, Yb), reps)
    for name, us in rows.items():
        print(f"{name:44s} {us:9.1f} µs")
    print(f"whole step / matmuls: {rows['whole step'] / rows['matmuls alone (the floor)']:.2f}")
    in_loop(net, Xp, Y, opt, params, grads, gen, m, products, rows["  Adam update"])
    return 0


def in_loop(net, X, Y, opt, params, grads, gen, m, products, adam_hot, epochs: int = 3) -> None:
    """The same step inside real epochs: each phase's median over every step, where the
    caches hold what the loop left in them (the gathered rows come from all of X, the
    backward pass has just written dθ), next to the best-of-many figures above.

    Adam's 10 passes stream 14 reads and 10 writes of the parameter vector each step; when
    those arrays do not stay in the CPU's caches between steps, Adam runs at memory speed."""
    phases = {"gather": [], "forward + backward": [], "Adam": [], "matmuls alone": []}
    Xb, Yb = np.empty((m,) + X.shape[1:], X.dtype), np.empty((m,) + Y.shape[1:], Y.dtype)
    bufs = net.workspace(m).views(m)
    for _ in range(epochs):
        order = gen.permutation(len(X))
        for s in range(0, len(X) - m + 1, m):
            t0 = time.perf_counter()
            X.take(order[s : s + m], axis=0, out=Xb, mode="clip")
            Y.take(order[s : s + m], axis=0, out=Yb, mode="clip")
            t1 = time.perf_counter()
            net.loss_and_gradient(Xb, Yb, True, gen, bufs)
            t2 = time.perf_counter()
            opt.update(params, grads)
            t3 = time.perf_counter()
            products()
            t4 = time.perf_counter()
            for key, dt in zip(phases, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
                phases[key].append(dt * 1e6)
    medians = {key: float(np.median(v)) for key, v in phases.items()}
    n = net.theta.size
    print(f"in the loop ({epochs} epochs of {len(X):,} rows, median µs a step):")
    for key, us in medians.items():
        print(f"  {key:42s} {us:9.1f} µs")
    step = sum(medians[k] for k in ("gather", "forward + backward", "Adam"))
    print(f"  step / matmuls alone: {step / medians['matmuls alone']:.2f}")
    mib = 24 * n * net.theta.itemsize / 2**20
    print(
        f"  Adam streams {mib:.1f} MiB a step ({n:,} parameters); in the loop it takes "
        f"{medians['Adam'] / adam_hot:.2f}x its best-of-many time"
    )


if __name__ == "__main__":
    raise SystemExit(main())
