"""Augmentation throughput: nnrecipe's batch-vectorized transforms against a per-image loop
over scipy.ndimage (the usual way), on the same 256 random 28x28 images, in the same run.

    PYTHONPATH=src python benchmarks/bench_augment.py
"""

import time

import numpy as np

import nnrecipe as nr


def best_of(fn, repeats=30):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    try:
        from scipy import ndimage
    except ImportError:
        print("scipy is not installed: no peer to compare with")
        return
    rng = np.random.default_rng(0)
    X = rng.random((256, 784))
    images = X.reshape(-1, 28, 28)
    shifts = rng.integers(-2, 3, size=(256, 2))
    angles = rng.uniform(-10, 10, size=256)

    def loop_shift():
        return np.stack(
            [ndimage.shift(im, s, order=0, cval=0.0) for im, s in zip(images, shifts, strict=True)]
        )

    def loop_rotate():
        return np.stack(
            [
                ndimage.rotate(im, a, reshape=False, order=1, cval=0.0)
                for im, a in zip(images, angles, strict=True)
            ]
        )

    cases = [
        ("shift (<= 2 px)", nr.augment.Shift(2), loop_shift),
        ("rotate (<= 10 deg, bilinear)", nr.augment.Rotate(10), loop_rotate),
    ]
    print(f"{'transform':<30}{'nnrecipe ms':>12}{'scipy loop ms':>15}{'speed-up':>10}")
    for name, transform, peer in cases:
        ours = best_of(lambda t=transform: t(X, rng))
        theirs = best_of(peer)
        print(f"{name:<30}{1e3 * ours:>12.2f}{1e3 * theirs:>15.2f}{theirs / ours:>9.1f}x")


if __name__ == "__main__":
    main()
