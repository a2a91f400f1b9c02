"""Full gradient check: nnrecipe.gradcheck against torch.autograd.gradcheck, same network.

Both check every coordinate of the same float64 network (same weights, same examples, same
cost J = cross-entropy + λ/2m Σ‖W‖²) with two-sided finite differences, ε = 1e-7.
Prints seconds and the ratio torch / nnrecipe. Targets (issue 4): ≥ 10× faster than torch on
the ~3,500-parameter network; the ~100,000-parameter one fully checked in under a minute.

    python benchmarks/gradcheck_speed.py            # 3.5k and 100k (MNIST-sized MLP)
    python benchmarks/gradcheck_speed.py --deep     # also a 4-layer 107k network
    python benchmarks/gradcheck_speed.py --quick    # 3.5k only

Needs torch (``pip install torch==2.13.0``). Timings on a shared machine vary: run it when
``uptime`` shows a low load, and compare only figures from the same run.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import time

import numpy as np

import nnrecipe as nr

NETWORKS = {
    "3.5k": [20, 64, 32, 10],  # 3,754 parameters
    "100k": [784, 128, 10],  # 101,770 parameters: the classic MNIST MLP
    "100k-deep": [256, 256, 128, 64, 10],  # 107,594 parameters over 4 layers
}
REPEATS = {"3.5k": 5}  # best of 5; the 100k checks run once: torch needs minutes for each
L2 = 0.5
EPSILON = 1e-7


def build(sizes, m, seed=0):
    rng = np.random.default_rng(seed)
    net = nr.Network(sizes, hidden="relu", output="softmax", l2=L2, seed=seed)
    params = net.get_parameters()
    # random biases: no pre-activation sits exactly on the ReLU kink, for either checker
    params.update({k: rng.normal(0, 0.1, v.shape) for k, v in params.items() if k[0] == "b"})
    net.set_parameters(params)
    X = rng.standard_normal((m, sizes[0]))
    y = rng.integers(0, sizes[-1], m)
    return net, X, y


def torch_check(net, X, y):
    import torch

    torch.set_num_threads(2)
    params = tuple(
        torch.tensor(v, dtype=torch.float64, requires_grad=True)
        for v in net.get_parameters().values()
    )
    Xt, yt, m = torch.tensor(X), torch.tensor(y), len(X)

    def cost(*theta):
        A = Xt
        for i in range(0, len(theta), 2):
            Z = A @ theta[i].T + theta[i + 1]
            A = torch.relu(Z) if i + 2 < len(theta) else Z
        penalty = sum((W * W).sum() for W in theta[0::2]) * (L2 / (2 * m))
        return torch.nn.functional.cross_entropy(A, yt) + penalty

    J = float(cost(*params).detach())
    start = time.perf_counter()
    ok = torch.autograd.gradcheck(
        cost, params, eps=EPSILON, atol=1e-5, rtol=1e-3, raise_exception=False
    )
    return time.perf_counter() - start, ok, J


def nnrecipe_check(net, X, y):
    start = time.perf_counter()
    result = nr.gradcheck(net, X, y, epsilon=EPSILON)
    return time.perf_counter() - start, result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=32, help="examples m (default 32)")
    parser.add_argument("--quick", action="store_true", help="only the 3.5k network")
    parser.add_argument("--deep", action="store_true", help="add the 4-layer 107k network")
    parser.add_argument("--no-torch", action="store_true", help="time nnrecipe only")
    args = parser.parse_args(argv)
    if not args.no_torch and importlib.util.find_spec("torch") is None:
        print("torch is not installed: timing nnrecipe only (pip install torch==2.13.0 adds it)")
        args.no_torch = True
    names = ["3.5k"] if args.quick else ["3.5k", "100k"] + (["100k-deep"] if args.deep else [])
    load = "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"m = {args.examples} examples, ε = {EPSILON}, ReLU + softmax, L2 λ = {L2}, float64; {load}"
    )
    # nnrecipe first for every network, then torch: torch's OpenMP threads keep spinning for
    # a while after each call and would slow down whatever runs right after them
    nets = {name: build(NETWORKS[name], args.examples) for name in names}
    nnrecipe_check(*build([3, 4, 2], 4))  # warm-up: first calls load code and caches, untimed
    ours = {
        name: min(
            (nnrecipe_check(*nets[name]) for _ in range(REPEATS.get(name, 1))), key=lambda r: r[0]
        )
        for name in names
    }
    theirs = {}
    if not args.no_torch:
        torch_check(*build([3, 4, 2], 4))
        for name in names:
            theirs[name] = min(
                (torch_check(*nets[name]) for _ in range(REPEATS.get(name, 1))), key=lambda r: r[0]
            )
    print(f"{'network':<36}{'P':>9}{'torch s':>10}{'nnrecipe s':>12}{'ratio':>8}  check")
    for name in names:
        net, X, y = nets[name]
        seconds, result = ours[name]
        label = f"{name} {NETWORKS[name]}"
        check = f"nnrecipe difference {result.difference:.1e}"
        if name not in theirs:
            print(f"{label:<36}{net.n_parameters:>9,}{'-':>10}{seconds:>12.3f}{'-':>8}  {check}")
            continue
        torch_s, ok, J = theirs[name]
        assert abs(J - net.cost(X, y)) < 1e-12 * abs(J), "the two networks differ"
        print(
            f"{label:<36}{net.n_parameters:>9,}{torch_s:>10.2f}{seconds:>12.3f}"
            f"{torch_s / seconds:>7.1f}×  torch passed={ok}, {check}"
        )
    end = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"at the end: load average {end} (3.5k: best of 5 runs each; 100k: one run each)")


if __name__ == "__main__":
    main()
