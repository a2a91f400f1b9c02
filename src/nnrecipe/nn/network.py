"""An L-layer fully connected network: forward, cost, backward, parameters.

For l = 1..L, with A[0] = X of shape (m, n_x) (rows are examples):

    Z[l] = A[l-1] @ W[l].T + b[l],   A[l] = g[l](Z[l])   (inverted dropout on hidden A[l])

    J = (1/m) Σ_i ℓ(A[L]_i, Y_i) + (λ/2m) Σ_l ‖W[l]‖_F² + (λ₁/m) Σ_l Σ |W[l]|

Backward starts from the fused output gradient dZ[L] = (A[L] - Y)/m and applies
:class:`nnrecipe.nn.layers.Dense` backward layer by layer; the regularizers add their own
terms to each dW[l]. All parameters live in one flat vector θ (W1, b1, W2, b2, ... in C
order) and all gradients in one flat vector dθ; each layer's W, b, dW, db are views into
them, so packing θ for gradient checking or stepping an optimizer costs no copies.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence

import numpy as np

from .._checks import (
    as_array,
    as_dtype,
    as_features,
    as_rng,
    check_features,
    check_flag,
    check_keep_prob,
    check_layer_sizes,
    check_memory,
    check_nonneg,
    per_layer,
)
from ..data.normalize import Standardizer, column_moments
from ..data.rows import Rows, open_npy
from . import activations, initializers, losses, passes, regularizers
from .layers import Dense
from .workspace import LayerBuffers, Workspace

# Inference chunks: the widest activation takes about this many bytes, enough for BLAS to run
# at full speed and little enough to bound memory (benchmarks/train_speed.py: the MNIST network
# is as fast with 0.25 to 4 MiB chunks; peak RSS 83, 87, 95 MiB with 1, 2, 4 MiB).
INFERENCE_CHUNK_BYTES = 2**20


class Network:
    """A fully connected network built from the course's ``layers_dims``.

    Parameters
    ----------
    layer_sizes : list of int
        ``[n_x, n_h1, ..., n_y]``: input size first, output size last.
    hidden : str or list of str
        Hidden activation(s): relu, leaky_relu, tanh, sigmoid, linear (one per hidden layer or
        one for all).
    output : str
        Output activation: sigmoid, softmax or linear (or tanh/relu with mean squared error).
    loss : str, optional
        Defaults from ``output``: sigmoid → binary_crossentropy, softmax →
        categorical_crossentropy, linear → mean_squared_error.
    init : str or (str, float)
        zeros, random (or ``("random", scale)``), xavier, glorot, he, auto.
    l2, l1 : float
        λ and λ₁ of the penalties (λ/2m)Σ‖W‖² and (λ₁/m)Σ|W| (biases are never penalized).
    keep_prob : float or list of float
        Inverted-dropout keep probability per hidden layer, in (0, 1]; 1 means no dropout.
    dtype : {"float64", "float32"}
    standardize : bool
        Carry a :class:`Standardizer` fitted on the first ``fit``'s training inputs, so every
        method takes raw inputs.
    seed : int or numpy.random.Generator, optional
        Seeds initialization and, unless ``fit`` gets its own seed, shuffling and dropout.

    """

    def __init__(
        self,
        layer_sizes: Sequence[int],
        hidden: str | Sequence[str] = "relu",
        output: str = "sigmoid",
        loss: str | None = None,
        init="auto",
        l2: float = 0.0,
        l1: float = 0.0,
        keep_prob: float | Sequence[float] = 1.0,
        dtype="float64",
        standardize: bool = False,
        seed: int | np.random.Generator | None = None,
    ):
        self.layer_sizes = check_layer_sizes(layer_sizes)
        n_hidden = len(self.layer_sizes) - 2
        self.hidden = per_layer(hidden, n_hidden, "hidden", activations.hidden_name)
        self.output = activations.get(output, "output").name
        self.loss = losses.for_output(self.output, loss, self.layer_sizes[-1])
        self.init, self.init_scale = initializers.parse(init)
        self.l2 = check_nonneg(l2, "l2")
        self.l1 = check_nonneg(l1, "l1")
        self.keep_prob = per_layer(keep_prob, n_hidden, "keep_prob", check_keep_prob)
        self.dtype = as_dtype(dtype)
        standardize = check_flag(standardize, "standardize")
        self.standardizer = Standardizer() if standardize else None
        self._rng = as_rng(seed, "seed")
        self._build()
        initializers.initialize(
            self.weights,
            [layer.b for layer in self.layers],
            initializers.resolve(self.init, self.hidden),
            self._rng,
            self.init_scale,
        )

    # ----------------------------------------------------------------- structure
    def _build(self) -> None:
        shapes = self.parameter_shapes()
        self.n_parameters = sum(int(np.prod(s)) for s in shapes.values())
        self._theta = np.zeros(self.n_parameters, dtype=self.dtype)
        self._grad = np.zeros(self.n_parameters, dtype=self.dtype)
        self._views, self._grad_views, offset = {}, {}, 0
        for key, shape in shapes.items():
            size = int(np.prod(shape))
            self._views[key] = self._theta[offset : offset + size].reshape(shape)
            self._grad_views["d" + key] = self._grad[offset : offset + size].reshape(shape)
            offset += size
        acts = self.hidden + [self.output]
        kps = self.keep_prob + [1.0]
        self.layers = [
            Dense(
                self._views[f"W{i}"],
                self._views[f"b{i}"],
                self._grad_views[f"dW{i}"],
                self._grad_views[f"db{i}"],
                activations.get(acts[i - 1]),
                kps[i - 1],
            )
            for i in range(1, len(self.layer_sizes))
        ]

    def parameter_shapes(self) -> dict[str, tuple[int, ...]]:
        """``{"W1": (n1, n0), "b1": (n1,), ...}`` in the order they sit in θ."""
        shapes = {}
        for i in range(1, len(self.layer_sizes)):
            shapes[f"W{i}"] = (self.layer_sizes[i], self.layer_sizes[i - 1])
            shapes[f"b{i}"] = (self.layer_sizes[i],)
        return shapes

    @property
    def weights(self) -> list[np.ndarray]:
        return [layer.W for layer in self.layers]

    @property
    def n_layers(self) -> int:
        """L, the number of layers with parameters (the input layer is not counted)."""
        return len(self.layers)

    # ----------------------------------------------------------------- parameters
    def get_parameters(self) -> dict[str, np.ndarray]:
        """A copy of the parameters as the course's dict: ``W1`` (n1, n0), ``b1`` (n1,), ..."""
        return {k: v.copy() for k, v in self._views.items()}

    def set_parameters(self, parameters: dict[str, np.ndarray]) -> None:
        """Copy a course-style dict in; ``b`` may be (n, 1) column vectors."""
        if not isinstance(parameters, dict):
            raise TypeError(f"parameters must be a dict with keys W1, b1, ..., got {parameters!r}")
        missing = sorted(set(self._views) - set(parameters))
        extra = sorted(set(parameters) - set(self._views))
        if missing or extra:
            raise ValueError(
                f"parameters must have exactly the keys {list(self._views)}; "
                f"missing {missing}, unexpected {extra}"
            )
        staged = {}
        for key, view in self._views.items():
            arr = as_array(parameters[key], f"parameters[{key!r}]")
            if arr.dtype == object or arr.dtype.kind not in "biuf":
                raise TypeError(
                    f"parameters[{key!r}] must hold real numbers, got dtype {arr.dtype} "
                    f"({type(parameters[key]).__name__}); pass a float array of shape "
                    f"{view.shape}"
                )
            arr = arr.astype(self.dtype, copy=False)
            if key.startswith("b") and arr.shape == view.shape + (1,):
                arr = arr[:, 0]
            if arr.shape != view.shape:
                raise ValueError(
                    f"parameters[{key!r}] has shape {arr.shape}, expected {view.shape}"
                )
            if not np.isfinite(arr).all():
                raise ValueError(f"parameters[{key!r}] contains NaN or inf")
            staged[key] = arr
        for key, arr in staged.items():
            self._views[key][...] = arr

    def get_vector(self) -> np.ndarray:
        """θ: all parameters as one flat vector (a copy)."""
        return self._theta.copy()

    def set_vector(self, theta: np.ndarray) -> None:
        theta = as_array(theta, "theta")
        if theta.dtype == object or theta.dtype.kind not in "biuf":
            raise TypeError(f"theta must hold real numbers, got dtype {theta.dtype}")
        if theta.shape != self._theta.shape:
            raise ValueError(f"theta has shape {theta.shape}, expected ({self.n_parameters},)")
        self._theta[...] = theta

    # ----------------------------------------------------------------- the step API
    # What the training loop, gradient checking, diagnosis and the estimators use: prepared
    # arrays in, numbers out, the flat θ and dθ shared with the optimizer. No copies.
    @property
    def theta(self) -> np.ndarray:
        """θ, all parameters as one flat vector: the live buffer (writing it changes the
        network; ``get_vector`` gives a copy)."""
        return self._theta

    @property
    def dtheta(self) -> np.ndarray:
        """dθ, the flat gradient buffer that :meth:`loss_and_gradient` fills (live)."""
        return self._grad

    @property
    def rng(self) -> np.random.Generator:
        """The network's own generator: initialization, then shuffling and dropout when
        ``fit`` gets no seed of its own."""
        return self._rng

    def parameter_views(self) -> dict[str, np.ndarray]:
        """``{"W1": view, "b1": view, ...}``: live views into θ (not copies)."""
        return dict(self._views)

    def gradient_views(self) -> dict[str, np.ndarray]:
        """``{"dW1": view, "db1": view, ...}``: live views into dθ (not copies)."""
        return dict(self._grad_views)

    def prepare_inputs(self, X, name: str = "X") -> np.ndarray:
        """X checked ((m, n_x), finite), in the network's dtype, standardized when the
        network carries a fitted Standardizer. Errors name ``name``.

        At most one copy of X is made: none when X already is a C-ordered array of the
        network's dtype and no standardizer is fitted; else one, which the standardizer
        transforms in place."""
        arr = as_features(X, name, self.layer_sizes[0], self.dtype)
        if self.standardizer is not None and self.standardizer.fitted:
            # a copy made by the check (dtype or layout) is ours: standardize it in place;
            # the caller's array, or what it may share memory with, is never written
            owned = isinstance(X, list | tuple) or (
                isinstance(X, np.ndarray) and not np.may_share_memory(arr, X)
            )
            arr = self.standardizer.transform(arr, out=arr if owned else None)
        return arr

    def prepare_training_inputs(self, X, name: str = "X") -> np.ndarray | Rows:
        """The training set's inputs, with at most one copy of X in memory, never more.

        ``X`` may be an array, a ``numpy.memmap`` or the path of an ``.npy`` file (opened as
        a memmap). The network's standardizer, when not fitted yet, is fitted here in one
        streaming pass. Returns an array (as :meth:`prepare_inputs`) when X is in memory and
        nothing is to be standardized, else :class:`nnrecipe.data.rows.Rows`, which makes the
        rows a batch or a slice at a time (cast, then standardized) with the same numbers as
        the eager copy: a memmap is never loaded whole and a standardized copy never made.
        Both have ``len``, ``take(idx, axis=0, out=...)`` and row slices, what
        ``train.loop.fit`` and :meth:`measure` use.
        """
        if isinstance(X, str | os.PathLike):
            X = open_npy(X, name)
        st = self.standardizer
        if not isinstance(X, np.ndarray):  # a list, a table: encoded to an array first
            if st is None or st.fitted:
                return self.prepare_inputs(X, name)
            X = self.prepare_inputs(X, name)
        on_disk = isinstance(X, np.memmap)
        if st is None and not (on_disk and X.dtype != self.dtype):
            return as_features(X, name, self.layer_sizes[0], self.dtype)  # no copy if in dtype
        X = check_features(X, name, self.layer_sizes[0])
        if st is not None and not st.fitted:
            st.set_moments(*column_moments(Rows(X, self.dtype)))
        return Rows(X, self.dtype, st)

    def prepare_targets(self, y, m: int, name: str = "y") -> np.ndarray:
        """y as the loss's (m, n_y) targets in the network's dtype (labels → one-hot for
        softmax); ``m`` is the number of rows of X it must match."""
        Y = self.loss.targets(y, self.layer_sizes[-1], self.dtype, name)
        if len(Y) != m:
            raise ValueError(f"X has {m} examples but {name} has {len(Y)}; one label per row")
        return Y

    def workspace(self, rows: int, training: bool = True) -> Workspace:
        """Preallocated arrays for steps on batches of up to ``rows`` examples (refused,
        with its size, when they would not fit in this machine's memory)."""
        widths = sum(self.layer_sizes[1:]) + (sum(self.layer_sizes[:-1]) if training else 0)
        check_memory(
            rows * widths * self.dtype.itemsize * (4 if training else 2),
            f"the activations of {rows:,} examples through layers {self.layer_sizes}",
            "train with mini-batches (a smaller batch_size, or optimizer='sgd'/'adam' "
            "instead of 'gd') or smaller layers",
        )
        return Workspace(self.layers, rows, self.dtype, training, bool(self.l2 or self.l1))

    def compute_cost(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        training: bool = False,
        rng=None,
        buffers=None,
        masks=None,
    ) -> float:
        """J on prepared arrays (see :meth:`cost`); leaves the forward cache for
        :meth:`loss_and_gradient`'s backward pass. ``buffers`` is ``workspace.views(m)``
        (a workspace for ``len(X)`` rows is made when None); ``masks``, checked boolean
        dropout masks (one per hidden layer) used instead of drawing from ``rng``."""
        if buffers is None:
            buffers = self.workspace(len(X), training).views(len(X))
        A = self._forward(X, training, rng, buffers, masks)
        data = self.loss.value(self.layers[-1].Z, A, Y)
        return data + regularizers.penalty(self.weights, len(X), self.l2, self.l1)

    def loss_and_gradient(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        training: bool = True,
        rng=None,
        buffers=None,
        masks=None,
    ) -> float:
        """One step's work on prepared arrays: J, with dθ (:attr:`dtheta`) filled by
        backpropagation. ``buffers`` is ``workspace.views(len(X))``; the layer caches alias
        it until the next step or :meth:`clear_cache`. ``masks``: as in :meth:`compute_cost`
        (checked by :func:`nnrecipe.nn.passes.check_masks`)."""
        if buffers is None:
            buffers = self.workspace(len(X)).views(len(X))
        J = self.compute_cost(X, Y, training, rng, buffers, masks)
        self._backward(Y, buffers)
        return J

    def measure(self, X: np.ndarray | Rows, Y: np.ndarray) -> tuple[float, float]:
        """(data loss, error) in inference mode on prepared arrays (or the
        :class:`~nnrecipe.data.rows.Rows` of :meth:`prepare_training_inputs`, read in
        inference chunks)."""
        Z, A = self._inference(X)
        return self.loss.value(Z, A, Y), self.loss.error(A, Y)

    def clear_cache(self) -> None:
        """Drop the layers' forward caches (they hold a batch's activations)."""
        for layer in self.layers:
            layer.clear()

    def _forward(self, X: np.ndarray, training: bool, rng, buffers: list[LayerBuffers], masks=None):
        A = X
        for i, (layer, buf) in enumerate(zip(self.layers, buffers, strict=True)):
            mask = masks[i] if masks is not None and i < len(masks) else None
            A = layer.forward(A, buf, training, rng, mask)
        return A

    def _backward(self, Y: np.ndarray, buffers: list[LayerBuffers], record=None) -> None:
        """Fill dθ from the cached forward pass: dZ[L] = (A[L] - Y)/m, then layer by layer.
        ``record`` (a dict), when given, receives copies of dZ[l] and dA[l] (see
        :func:`nnrecipe.nn.passes.record_dA`)."""
        m = len(Y)
        out = self.layers[-1]
        dZ = np.subtract(out.A, Y, out=buffers[-1].dZ)
        dZ *= 1.0 / m
        if self.loss.output != self.output:  # mean squared error after a non-linear output
            dZ = out.activation.backward(dZ, out.Z, out.A)
        if record is not None:
            record[f"dZ{len(self.layers)}"] = dZ.copy()
        for i in range(len(self.layers) - 1, -1, -1):
            layer, buf = self.layers[i], buffers[i]
            dA = layer.backward(dZ, buf, need_dA_prev=i > 0)
            regularizers.add_gradient(layer.W, layer.dW, m, self.l2, self.l1, buf.penalty)
            if i > 0:
                if record is not None:
                    record[f"dA{i}"] = passes.record_dA(dA, self.layers[i - 1])
                dZ = self.layers[i - 1].activation_gradient(dA)
                if record is not None:
                    record[f"dZ{i}"] = dZ.copy()

    # ----------------------------------------------------------------- the course's view
    def forward(self, X, training: bool = False, rng=None) -> np.ndarray:
        """A[L], the output activations, shape (m, n_y). Dropout only when ``training``."""
        X = self.prepare_inputs(X)
        rng = as_rng(rng) if training else None
        A = self._forward(X, training, rng, self.workspace(len(X), training).views(len(X)))
        self.clear_cache()
        return A

    def cost(self, X, Y, training: bool = False, rng=None) -> float:
        """The regularized cost J that training minimizes (with dropout if ``training``)."""
        X = self.prepare_inputs(X)
        Y = self.prepare_targets(Y, len(X))
        J = self.compute_cost(X, Y, training, as_rng(rng) if training else None)
        self.clear_cache()
        return J

    def gradients(
        self, X, Y, training: bool = False, rng=None, intermediates: bool = False, masks=None
    ) -> dict[str, np.ndarray]:
        """dJ/dθ by backpropagation as ``{"dW1": ..., "db1": ..., ...}`` (copies).

        ``intermediates=True`` adds ``dZ1 .. dZL`` (m, n_l), dJ/dZ[l], and ``dA1 .. dA{L-1}``
        (m, n_l), dJ/dA[l] for A[l] = g(Z[l]) (with dropout: mask and 1/keep_prob applied).
        Both carry the cost's 1/m: the course's dZ, dA are m times these.
        ``masks`` (training only): one boolean (m, n_l) dropout mask per hidden layer, used
        instead of drawing from ``rng`` (see :meth:`forward_with_cache`)."""
        X = self.prepare_inputs(X)
        Y = self.prepare_targets(Y, len(X))
        masks = passes.check_masks(self, masks, len(X), training)
        buffers = self.workspace(len(X)).views(len(X))
        self.compute_cost(X, Y, training, as_rng(rng) if training else None, buffers, masks)
        record = {} if intermediates else None
        self._backward(Y, buffers, record)
        self.clear_cache()
        grads = {k: v.copy() for k, v in self._grad_views.items()}
        return grads | record if intermediates else grads

    def forward_with_cache(self, X, training: bool = False, rng=None, masks=None):
        """(A[L], cache): the output (m, n_y) and, per layer, a dict of copies ``A_prev``,
        ``Z``, ``A`` (= g(Z), before dropout) and ``D`` (the boolean mask or None), which
        :meth:`backward` takes. See :func:`nnrecipe.nn.passes.forward_with_cache`."""
        return passes.forward_with_cache(self, X, training, rng, masks)

    def backward(self, cache, Y, intermediates: bool = False) -> dict[str, np.ndarray]:
        """Backpropagation through a given ``cache`` (from :meth:`forward_with_cache`, or
        built by hand, masks included): the gradients as :meth:`gradients` returns them.
        See :func:`nnrecipe.nn.passes.backward_from_cache`."""
        return passes.backward_from_cache(self, cache, Y, intermediates)

    # ----------------------------------------------------------------- inference
    def _inference(self, X: np.ndarray, batch: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Inference-mode (Z[L], A[L]) as new arrays, computed ``batch`` rows at a time
        (default: chunks of about ``INFERENCE_CHUNK_BYTES``) through one reused workspace."""
        m, n_out = len(X), self.layer_sizes[-1]
        if batch is None:
            widest = max(self.layer_sizes[1:]) * self.dtype.itemsize
            batch = min(max(INFERENCE_CHUNK_BYTES // widest, 256), 8192)
        Z_out = np.empty((m, n_out), self.dtype)
        A_out = np.empty((m, n_out), self.dtype)
        workspace = self.workspace(min(batch, m), training=False)
        for s in range(0, m, batch):
            chunk = X[s : s + batch]
            A = self._forward(chunk, False, None, workspace.views(len(chunk)))
            A_out[s : s + len(chunk)] = A
            Z_out[s : s + len(chunk)] = self.layers[-1].Z
        self.clear_cache()
        return Z_out, A_out

    def predict_proba(self, X) -> np.ndarray:
        """Inference-mode output activations (m, n_y): probabilities for sigmoid/softmax."""
        return self._inference(self.prepare_inputs(X))[1]

    def predict(self, X) -> np.ndarray:
        """Class labels (sigmoid: A > 0.5; softmax: argmax) or regression values.
        Shape (m,) for one output unit or softmax, (m, n_y) otherwise."""
        pred = self.loss.predict(self._inference(self.prepare_inputs(X))[1])
        return pred.ravel() if pred.ndim == 2 and pred.shape[1] == 1 else pred

    def evaluate(self, X, y) -> dict[str, float]:
        """Inference-mode metrics: ``loss`` (data loss, no penalty, no dropout), ``error``
        (misclassified fraction, or mean squared error for regression), ``accuracy``
        (classification) and ``cost`` (the regularized J)."""
        X = self.prepare_inputs(X)
        Y = self.prepare_targets(y, len(X))
        loss, error = self.measure(X, Y)
        result = {"loss": loss, "error": error}
        if self.loss.classification:
            result["accuracy"] = 1.0 - error
        result["cost"] = loss + regularizers.penalty(self.weights, len(X), self.l2, self.l1)
        return result

    # ----------------------------------------------------------------- copies
    def config(self) -> dict:
        """The constructor arguments (JSON-serializable) that rebuild this architecture."""
        return {
            "layer_sizes": self.layer_sizes,
            "hidden": self.hidden,
            "output": self.output,
            "loss": self.loss.name,
            "init": [self.init, self.init_scale] if self.init == "random" else self.init,
            "l2": self.l2,
            "l1": self.l1,
            "keep_prob": self.keep_prob,
            "dtype": self.dtype.name,
            "standardize": self.standardizer is not None,
        }

    def copy(self, dtype=None) -> Network:
        """An independent copy (optionally in another dtype), parameters included."""
        cfg = self.config()
        if dtype is not None:
            cfg["dtype"] = as_dtype(dtype).name
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            net = type(self)(**cfg)
        net._theta[...] = self._theta
        if self.standardizer is not None:
            net.standardizer = self.standardizer.copy()
        return net

    def __getstate__(self) -> dict:
        # the layers' W, b, dW, db are views into θ and dθ: pickled one by one they would come
        # back as copies that training no longer updates, so rebuild them in __setstate__
        state = self.__dict__.copy()
        for key in ("layers", "_views", "_grad_views"):
            state.pop(key, None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        theta = self._theta
        self._build()
        self._theta[...] = theta

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v}" for k, v in (("l2", self.l2), ("l1", self.l1)) if v)
        if any(k < 1 for k in self.keep_prob):
            extra += f", keep_prob={self.keep_prob}"
        return (
            f"Network({self.layer_sizes}, hidden={self.hidden}, output={self.output!r}, "
            f"init={self.init!r}{extra}, dtype={self.dtype.name})"
        )
