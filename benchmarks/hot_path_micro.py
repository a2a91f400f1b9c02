"""The measurements behind the hot path's design, one NumPy idiom against another.

    OPENBLAS_NUM_THREADS=2 python benchmarks/hot_path_micro.py

Sizes are those of the main case of ``train_speed.py`` (784-256-128-10, batch 128, float32:
235,146 parameters). Each line prints the best and the median of many runs in µs, and the
ratio of the medians; the idiom nnrecipe uses comes first.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

N_PARAMS, BATCH, N_X, M = 235_146, 128, 784, 8_000


def best_median(f, repeats=300) -> tuple[float, float]:
    for _ in range(10):
        f()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return min(times) * 1e6, float(np.median(times)) * 1e6


def compare(title: str, ours, theirs, repeats=300) -> None:
    (b1, m1), (b2, m2) = best_median(ours, repeats), best_median(theirs, repeats)
    print(f"{title:58s} {b1:8.1f} {m1:8.1f}  vs {b2:8.1f} {m2:8.1f}   {m2 / m1:5.2f}x")


def adam_passes(p, g, u, r, tmp, scale):
    """Adam's 10 in-place passes over u = v/(1-β₁), r = s/(1-β₂) (nnrecipe's); ``scale``
    stands for the bias-correction scalars."""
    u *= 0.9
    u += g
    np.multiply(g, g, out=tmp)
    r *= 0.999
    r += tmp
    np.sqrt(r, out=tmp)
    tmp += 1e-8 * scale
    np.divide(u, tmp, out=tmp)
    tmp *= 1e-3 * scale
    p -= tmp


def adam_course_passes(p, g, v, s, tmp, scale):
    """The course's moments v and s with their (1-β) factors: 12 passes."""
    v *= 0.9
    v += np.multiply(g, 0.1, out=tmp)
    s *= 0.999
    np.multiply(g, g, out=tmp)
    tmp *= 0.001
    s += tmp
    np.sqrt(s, out=tmp)
    tmp += 1e-8 * scale
    np.divide(v, tmp, out=tmp)
    tmp *= 1e-3 * scale
    p -= tmp


def main(argv=None) -> None:
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args(argv)  # --help
    rng = np.random.default_rng(0)
    f32 = np.float32
    print(f"{'':58s} {'best':>8s} {'median':>8s}     {'best':>8s} {'median':>8s}")

    X = rng.random((M, N_X), dtype=f32)
    out = np.empty((BATCH, N_X), f32)
    idx = rng.permutation(M)[:BATCH]
    compare(
        "batch gather: X.take(mode='clip', out=) vs np.take(out=)",
        lambda: X.take(idx, axis=0, out=out, mode="clip"),
        lambda: np.take(X, idx, axis=0, out=out),
    )
    Xf = np.asfortranarray(X)
    compare(
        "batch gather: row-major X vs column-major (course) layout",
        lambda: X.take(idx, axis=0, out=out, mode="clip"),
        lambda: np.take(Xf, idx, axis=0),
    )

    a = rng.random(N_PARAMS, dtype=f32)
    compare(
        "float32 pass a *= 0.3: Python float vs np.float64 scalar",
        lambda: np.multiply(a, 0.3, out=a),
        lambda: np.multiply(a, np.float64(0.3), out=a),
    )

    arrays = [rng.random(N_PARAMS, dtype=f32) * 1e-3 for _ in range(5)]
    p, g, v, s, tmp = arrays
    whole = [tuple(arrays)]
    chunk = 16_384
    chunks = [tuple(x[i : i + chunk] for x in arrays) for i in range(0, N_PARAMS, chunk)]

    def run(parts, scale=1.0):
        return lambda: [adam_passes(*part, scale) for part in parts]

    compare(
        "Adam: 10 passes (moments without 1-β) vs the course's 12",
        run(whole),
        lambda: adam_course_passes(*arrays, 1.0),
    )
    compare("Adam over flat θ: one pass per op vs 16k-element chunks", run(whole), run(chunks))
    compare(
        "Adam over flat θ: Python-float scalars vs np.float64 ones",
        run(whole),
        run(whole, np.float64(1.0)),
    )
    sizes = [200_704, 256, 32_768, 128, 1_280, 10]  # W1, b1, W2, b2, W3, b3
    offsets = np.cumsum([0, *sizes])
    per_array = [tuple(x[o : o + n] for x in arrays) for o, n in zip(offsets, sizes, strict=False)]
    compare("Adam: one flat θ vs six separate parameter arrays", run(whole), run(per_array))
    compare(
        "Adam pass: sqrt vs multiply (sqrt bounds a fused update)",
        lambda: np.sqrt(s, out=tmp),
        lambda: np.multiply(s, g, out=tmp),
    )
    from nnrecipe.train.fused import adam_kernel  # the optional Numba extra

    kernel = adam_kernel()
    if kernel is not None:
        args = (p, g, v, s, 0.9, 0.999, 1e-3, 1e-8)
        compare(
            "Adam: fused Numba kernel vs the 10 NumPy passes", lambda: kernel(*args), run(whole)
        )

    W = rng.random((256, N_X), dtype=f32)
    dW, scratch = np.empty_like(W), np.empty_like(W)
    compare(
        "L2 gradient dW += (λ/m)W: into scratch vs a temporary",
        lambda: dW.__iadd__(np.multiply(W, 0.1 / 128, out=scratch)),
        lambda: dW.__iadd__(0.1 / 128 * W),
    )

    Z = rng.standard_normal((BATCH, 256), dtype=f32)
    A, zeros = np.empty_like(Z), np.zeros(1 << 20, f32)[: Z.size].reshape(Z.shape)
    compare(
        "ReLU max(Z, 0): against a zeros array vs the scalar 0",
        lambda: np.maximum(Z, zeros, out=A),
        lambda: np.maximum(Z, 0, out=A),
    )
    db, ones = np.empty(256, f32), np.ones(BATCH, f32)
    compare(
        "bias gradient Σ_i dZ_i: 1ᵀ dZ in BLAS vs np.add.reduce",
        lambda: np.matmul(ones, Z, out=db),
        lambda: np.add.reduce(Z, axis=0, out=db),
    )
    from nnrecipe.nn import dropout

    U, D = np.empty((BATCH, 384), f32), np.empty((BATCH, 384), bool)
    compare(
        "dropout draw (2 layers): 16 bits first, then ties vs rng.random",
        lambda: dropout.draw_mask(D.shape, 0.8, rng, out=D),
        lambda: np.less(rng.random(dtype=f32, out=U), 0.8, out=D),
    )

    A = rng.random((BATCH, 256), dtype=f32)
    D = rng.random((BATCH, 256), dtype=f32) < 0.8
    compare(
        "dropout A * D: boolean mask vs mask.astype(int) (float64!)",
        lambda: np.multiply(A, D, out=A),
        lambda: A * D.astype(int),
    )


if __name__ == "__main__":
    main()
