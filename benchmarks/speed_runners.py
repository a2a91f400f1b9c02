"""The child side of ``train_speed.py``: one library trains one case in a fresh process.

    python benchmarks/speed_runners.py LIBRARY CONFIG_JSON

prints one JSON line: import time, median epoch / steps / eval times over epochs 2..N, time
per step, samples/s, peak RSS (``getrusage`` of this process), final dev loss and accuracy.
See ``train_speed.py`` for what is timed and why the comparison is fair.
"""

from __future__ import annotations

import gzip
import json
import resource
import sys
import time
from pathlib import Path

L2, LEARNING_RATE, INIT_SEED, SHUFFLE_SEED = 0.1, 1e-3, 0, 1


# ----------------------------------------------------------------------------- data
def _idx(path: Path, offset: int):
    import numpy as np

    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def load_data(case: str, data_dir: str):
    """(X_train, y_train, X_dev, y_dev): float32 features, int64 labels."""
    import numpy as np

    if case == "small":
        rng = np.random.default_rng(0)
        centers = rng.standard_normal((10, 20)).astype(np.float32)
        y = rng.integers(0, 10, 8192 + 2048)
        X = centers[y] + rng.standard_normal((len(y), 20), dtype=np.float32)
    else:
        data = Path(data_dir)
        X = _idx(data / "t10k-images-idx3-ubyte.gz", 16).reshape(-1, 784).astype(np.float32)
        X *= 1.0 / 255.0  # in place: no float64 copy of the images
        y = _idx(data / "t10k-labels-idx1-ubyte.gz", 8).astype(np.int64)
    n_dev = 2048 if case == "small" else 2000
    return X[:-n_dev], y[:-n_dev], X[-n_dev:], y[-n_dev:]


def he_weights(sizes):
    """The shared starting point: W[l] ~ N(0, 2/n_{l-1}) of shape (n_l, n_{l-1}), float32."""
    import numpy as np

    rng = np.random.default_rng(INIT_SEED)
    return [
        (rng.standard_normal((n_out, n_in)) * np.sqrt(2.0 / n_in)).astype(np.float32)
        for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True)
    ]


# ----------------------------------------------------------------------------- children
def run_nnrecipe(cfg, data, weights, after_epoch=None):
    """Epoch times come from a callback: from the end of one epoch's hooks to the next's
    (so ``after_epoch``, run from the hook, is not counted)."""
    import numpy as np

    import nnrecipe as nr

    X, y, X_dev, y_dev = data
    net = nr.Network(
        cfg["sizes"],
        hidden="relu",
        output="softmax",
        l2=L2,
        keep_prob=cfg["keep_prob"],
        dtype="float32",
        seed=INIT_SEED,
    )
    params = {f"W{i + 1}": W for i, W in enumerate(weights)}
    params.update({f"b{i + 1}": np.zeros(len(W), np.float32) for i, W in enumerate(weights)})
    net.set_parameters(params)
    eval_times, evaluate = [], net.measure  # the loop measures through the public step API

    def timed_evaluate(*args):  # instrumentation only: splits each epoch into steps and eval
        start = time.perf_counter()
        result = evaluate(*args)
        eval_times.append(time.perf_counter() - start)
        return result

    net.measure = timed_evaluate
    epochs = []

    class EpochTimer(nr.Callback):
        def on_train_begin(self, network, history):
            self.last = time.perf_counter()

        def on_epoch_end(self, network, history):
            epochs.append(time.perf_counter() - self.last)
            if after_epoch is not None:
                after_epoch()
            self.last = time.perf_counter()

    history = net.fit(
        X,
        y,
        dev=(X_dev, y_dev),
        optimizer="adam",
        learning_rate=LEARNING_RATE,
        batch_size=cfg["batch"],
        epochs=cfg["epochs"],
        seed=SHUFFLE_SEED,
        callbacks=[EpochTimer()],
    )
    evals = np.add(eval_times[0::2], eval_times[1::2])  # train set, then dev set
    return epochs, evals, history.dev_loss[-1], 1.0 - history.dev_error[-1]


def run_torch(cfg, data, weights):
    import numpy as np
    import torch
    from torch import nn
    from torch.nn import functional as F

    torch.set_num_threads(cfg["threads"])
    X, y, X_dev, y_dev = (torch.from_numpy(a) for a in data)
    layers = []
    for i, W in enumerate(weights):
        linear = nn.Linear(W.shape[1], W.shape[0])
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W))
            linear.bias.zero_()
        layers.append(linear)
        if i < len(weights) - 1:
            layers.append(nn.ReLU())
            if cfg["keep_prob"] < 1:
                layers.append(nn.Dropout(1.0 - cfg["keep_prob"]))
    model = nn.Sequential(*layers)
    linears = [layer for layer in layers if isinstance(layer, nn.Linear)]
    decayed = {"params": [lin.weight for lin in linears], "weight_decay": 0.0}
    opt = torch.optim.Adam(
        [decayed, {"params": [lin.bias for lin in linears], "weight_decay": 0.0}],
        lr=LEARNING_RATE,
    )
    rng, m, batch = np.random.default_rng(SHUFFLE_SEED), len(X), cfg["batch"]
    epochs, evals, costs = [], [], []
    for _ in range(cfg["epochs"]):
        start = time.perf_counter()
        model.train()
        order = torch.from_numpy(rng.permutation(m))
        for s in range(0, m, batch):
            idx = order[s : s + batch]
            opt.param_groups[0]["weight_decay"] = L2 / len(idx)  # (λ/m) W with this batch's m
            opt.zero_grad()
            loss = F.cross_entropy(model(X[idx]), y[idx])
            loss.backward()
            opt.step()
            costs.append(loss.item())
        steps_end = time.perf_counter()
        model.eval()
        with torch.no_grad():
            for inputs, labels in ((X, y), (X_dev, y_dev)):
                logits = model(inputs)
                loss = F.cross_entropy(logits, labels).item()
                error = (logits.argmax(dim=1) != labels).float().mean().item()
        end = time.perf_counter()
        epochs.append(end - start)
        evals.append(end - steps_end)
    return np.array(epochs), np.array(evals), loss, 1.0 - error


def run_sklearn(cfg, data, weights):
    import numpy as np
    from sklearn.neural_network import MLPClassifier

    X, y, X_dev, y_dev = data
    clf = MLPClassifier(
        hidden_layer_sizes=tuple(cfg["sizes"][1:-1]),
        activation="relu",
        solver="adam",
        alpha=L2,
        batch_size=cfg["batch"],
        learning_rate_init=LEARNING_RATE,
        shuffle=True,
        random_state=INIT_SEED,
    )
    classes = np.arange(cfg["sizes"][-1])
    epochs, evals = [], []
    for _ in range(cfg["epochs"]):
        start = time.perf_counter()
        clf.partial_fit(X, y, classes=classes)
        steps_end = time.perf_counter()
        for inputs, labels in ((X, y), (X_dev, y_dev)):
            P = clf.predict_proba(inputs)
            loss = -np.mean(np.log(np.maximum(P[np.arange(len(labels)), labels], 1e-300)))
            error = np.mean(P.argmax(axis=1) != labels)
        end = time.perf_counter()
        epochs.append(end - start)
        evals.append(end - steps_end)
    return np.array(epochs), np.array(evals), loss, 1.0 - error


class MatmulFloor:
    """One epoch's matrix multiplies alone, with nnrecipe's shapes, into preallocated outputs:
    per batch 3 forward products, 3 for dW and 2 for dA; then the forward products over the
    training and dev sets, in the same chunks as nnrecipe's inference."""

    def __init__(self, cfg, data, weights):
        import numpy as np

        self.X, _, self.X_dev, _ = data
        self.weights, self.batch = weights, cfg["batch"]
        rng = np.random.default_rng(0)
        self.acts = [np.empty((self.batch, n), np.float32) for n in cfg["sizes"]]
        self.grads = [rng.standard_normal((self.batch, n), dtype=np.float32) for n in cfg["sizes"]]
        self.dWs = [np.empty_like(W) for W in weights]
        from nnrecipe.nn.inference import INFERENCE_CHUNK_BYTES

        self.chunk = max(INFERENCE_CHUNK_BYTES // (4 * max(cfg["sizes"][1:])), 256)
        self.outs = [np.empty((self.chunk, n), np.float32) for n in cfg["sizes"][1:]]

    def epoch(self) -> tuple[float, float]:
        """(seconds of the steps' products, seconds of the evaluation's products)."""
        import numpy as np

        start, m, W = time.perf_counter(), len(self.X), self.weights
        for s in range(0, m, self.batch):
            rows = min(self.batch, m - s)
            A = [self.X[s : s + rows]] + [a[:rows] for a in self.acts[1:]]
            for i in range(len(W)):
                np.matmul(A[i], W[i].T, out=A[i + 1])
            for i in range(len(W) - 1, -1, -1):
                np.matmul(self.grads[i + 1][:rows].T, A[i], out=self.dWs[i])
                if i > 0:
                    np.matmul(self.grads[i + 1][:rows], W[i], out=self.grads[i][:rows])
        middle = time.perf_counter()
        for S in (self.X, self.X_dev):
            for s in range(0, len(S), self.chunk):
                A = S[s : s + self.chunk]
                for Wi, out in zip(W, self.outs, strict=True):
                    A = np.matmul(A, Wi.T, out=out[: len(A)])
        return middle - start, time.perf_counter() - middle


def run_floor(cfg, data, weights):
    """nnrecipe's training with a floor epoch measured right after each of its epochs, so
    both see the same load; returns nnrecipe's times and the floor's."""
    floor, floors = MatmulFloor(cfg, data, weights), []
    epochs, evals, _, _ = run_nnrecipe(cfg, data, weights, lambda: floors.append(floor.epoch()))
    return epochs, evals, floors


RUNNERS = {
    "nnrecipe": run_nnrecipe,
    "nnrecipe+numba": run_nnrecipe,  # with the optional Numba extra: Adam in one fused pass
    "baseline": run_nnrecipe,  # nnrecipe from another source tree (train_speed.py --baseline)
    "torch": run_torch,
    "sklearn": run_sklearn,
}
IMPORTS = {
    "nnrecipe": "nnrecipe",
    "nnrecipe+numba": "nnrecipe",
    "baseline": "nnrecipe",
    "torch": "torch",
    "sklearn": "sklearn.neural_network",
    "floor": "nnrecipe",
}


def floor_result(epochs, evals, floors, skip: int) -> dict:
    """The floor's median times, and nnrecipe's time over the floor's, epoch by epoch."""
    import numpy as np

    epochs, evals = np.asarray(epochs)[skip:], np.asarray(evals)[skip:]
    steps_floor, eval_floor = np.asarray(floors)[skip:].T
    return {
        "epoch_s": float(np.median(steps_floor + eval_floor)),
        "steps_s": float(np.median(steps_floor)),
        "eval_s": float(np.median(eval_floor)),
        "over_floor_epoch": float(np.median(epochs / (steps_floor + eval_floor))),
        "over_floor_steps": float(np.median((epochs - evals) / steps_floor)),
        "over_floor_eval": float(np.median(evals / eval_floor)),
    }


def child(library: str, cfg: dict) -> None:
    """Runs in the fresh subprocess: import, load, train, and print one JSON line."""
    import importlib

    start = time.perf_counter()
    importlib.import_module(IMPORTS[library])  # first import of the process: the user's wait
    import_s = time.perf_counter() - start
    import numpy as np

    data = load_data(cfg["case"], cfg["data"])
    skip = 1 if cfg["epochs"] > 1 else 0  # epochs 2..N
    if library == "floor":
        print(json.dumps(floor_result(*run_floor(cfg, data, he_weights(cfg["sizes"])), skip)))
        return
    epochs, evals, loss, accuracy = RUNNERS[library](cfg, data, he_weights(cfg["sizes"]))
    steps = np.asarray(epochs) - np.asarray(evals)
    n_steps = -(-len(data[0]) // cfg["batch"])
    result = {
        "import_s": import_s,
        "epoch_s": float(np.median(epochs[skip:])),
        "steps_s": float(np.median(steps[skip:])),
        "eval_s": float(np.median(np.asarray(evals)[skip:])),
        "step_us": float(np.median(steps[skip:])) / n_steps * 1e6,
        "samples_per_s": len(data[0]) / float(np.median(epochs[skip:])),
        "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "dev_loss": float(loss),
        "dev_accuracy": float(accuracy),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    child(sys.argv[1], json.loads(sys.argv[2]))
