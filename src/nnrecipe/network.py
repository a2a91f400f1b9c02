"""An L-layer fully connected network: forward, cost, backward, parameters.

For l = 1..L, with A[0] = X of shape (m, n_x) (rows are examples):

    Z[l] = A[l-1] @ W[l].T + b[l],   A[l] = g[l](Z[l])   (inverted dropout on hidden A[l])

    J = (1/m) Σ_i ℓ(A[L]_i, Y_i) + (λ/2m) Σ_l ‖W[l]‖_F² + (λ₁/m) Σ_l Σ |W[l]|

Backward starts from the fused output gradient dZ[L] = (A[L] - Y)/m and applies
:class:`nnrecipe.layers.Dense` backward layer by layer; the regularizers add their own
terms to each dW[l]. All parameters live in one flat vector θ (W1, b1, W2, b2, ... in C
order) and all gradients in one flat vector dθ; each layer's W, b, dW, db are views into
them, so packing θ for gradient checking or stepping an optimizer costs no copies.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from . import activations, initializers, losses, regularizers
from ._checks import (
    as_dtype,
    as_features,
    as_rng,
    check_keep_prob,
    check_layer_sizes,
    check_nonneg,
    per_layer,
)
from .layers import Dense
from .normalize import Standardizer
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

    Attributes
    ----------
    preprocessor : nnrecipe.data.preprocess.Preprocessor or None
        The table preprocessing fitted on the first ``fit`` on a pandas DataFrame (or set by
        ``improve``/``tune``/the CLI); every method then takes raw DataFrames, and a NumPy
        array is taken as already encoded.
    classes : list or None
        Original labels of the classes (set when ``fit`` gets text labels, or by the table
        entry points); ``predict`` returns them, and ``fit``/``evaluate`` take them as ``y``.
    target_scaling : (float, float) or None
        μ_y and σ_y of a table's regression target (training rows): the network learns
        ``(y − μ_y) / σ_y``, ``predict`` returns ``μ_y + σ_y · ŷ`` and ``fit``/``evaluate``
        take ``y`` in its own units (their error is the mean squared error of the
        standardized target: 1 is as good as always predicting the training mean).
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
        if not isinstance(standardize, bool):
            raise TypeError(f"standardize must be True or False, got {standardize!r}")
        self.standardizer = Standardizer() if standardize else None
        self.preprocessor = None
        self.classes: list | None = None
        self.target_scaling: tuple[float, float] | None = None
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
            arr = np.asarray(parameters[key], dtype=self.dtype)
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
        theta = np.asarray(theta)
        if theta.shape != self._theta.shape:
            raise ValueError(f"theta has shape {theta.shape}, expected ({self.n_parameters},)")
        self._theta[...] = theta

    # ----------------------------------------------------------------- computation
    def _inputs(self, X, name: str = "X", standardized: bool = False) -> np.ndarray:
        if type(X).__name__ == "DataFrame":  # pandas is imported only for tables
            X = self._encode_table(X, name)
        X = as_features(X, name, self.layer_sizes[0], self.dtype)
        if self.standardizer is not None and self.standardizer.fitted and not standardized:
            X = self.standardizer.transform(X)
        return X

    def _encode_table(self, X, name: str) -> np.ndarray:
        if getattr(self, "preprocessor", None) is None:
            raise ValueError(
                f"{name} is a DataFrame but this network has no fitted table preprocessing; "
                "fit it on a DataFrame first (or use nnrecipe.improve/tune), or pass a NumPy array"
            )
        return self.preprocessor.transform(X)

    def _targets(self, y, m: int, name: str = "y") -> np.ndarray:
        if getattr(self, "classes", None) is not None:
            from .data.labels import label_indices

            y = label_indices(self.classes, y, name)
        if getattr(self, "target_scaling", None) is not None:
            mean, scale = self.target_scaling
            y = (np.asarray(y, dtype=np.float64) - mean) / scale
        Y = self.loss.targets(y, self.layer_sizes[-1], self.dtype, name)
        if len(Y) != m:
            raise ValueError(f"X has {m} examples but {name} has {len(Y)}; one label per row")
        return Y

    def _forward(
        self, X: np.ndarray, training: bool, rng, buffers: list[LayerBuffers] | None = None
    ) -> np.ndarray:
        A = X
        for i, layer in enumerate(self.layers):
            A = layer.forward(A, training, rng, None if buffers is None else buffers[i])
        return A

    def _cost(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        training: bool,
        rng,
        buffers: list[LayerBuffers] | None = None,
    ) -> float:
        """J on prepared arrays; leaves the forward cache for :meth:`_backward`."""
        A = self._forward(X, training, rng, buffers)
        out = self.layers[-1]
        data = self.loss.value(out.Z, A, Y)
        return data + regularizers.penalty(self.weights, len(X), self.l2, self.l1)

    def _backward(self, Y: np.ndarray, buffers: list[LayerBuffers] | None = None) -> None:
        """Fill the flat gradient dθ from the cached forward pass."""
        m = len(Y)
        out = self.layers[-1]
        dZ = np.subtract(out.A, Y, out=None if buffers is None else buffers[-1].dZ)
        dZ *= 1.0 / m
        if self.loss.output != self.output:  # mean squared error after a non-linear output
            dZ = out.activation.backward(dZ, out.Z, out.A)
        for i in range(len(self.layers) - 1, -1, -1):
            layer = self.layers[i]
            buf = None if buffers is None else buffers[i]
            dA = layer.backward(dZ, need_dA_prev=i > 0, buf=buf)
            scratch = None if buf is None else buf.penalty
            regularizers.add_gradient(layer.W, layer.dW, m, self.l2, self.l1, scratch)
            if i > 0:
                dZ = self.layers[i - 1].activation_gradient(dA)

    def _loss_and_gradient(
        self, X, Y, training: bool, rng, buffers: list[LayerBuffers] | None = None
    ) -> float:
        """J, with dθ filled by backpropagation. ``buffers`` (``Workspace.views(len(X))``)
        makes the step write into preallocated arrays; the layer caches then alias them."""
        # buffers only when given: the plain path keeps the plain signatures (which tests patch)
        extra = () if buffers is None else (buffers,)
        J = self._cost(X, Y, training, rng, *extra)
        self._backward(Y, *extra)
        return J

    def forward(self, X, training: bool = False, rng=None) -> np.ndarray:
        """A[L], the output activations, shape (m, n_y). Dropout only when ``training``."""
        X = self._inputs(X)
        A = self._forward(X, training, as_rng(rng) if training else None)
        self._clear()
        return A

    def cost(self, X, Y, training: bool = False, rng=None) -> float:
        """The regularized cost J that training minimizes (with dropout if ``training``)."""
        X = self._inputs(X)
        J = self._cost(X, self._targets(Y, len(X)), training, as_rng(rng) if training else None)
        self._clear()
        return J

    def gradients(self, X, Y, training: bool = False, rng=None) -> dict[str, np.ndarray]:
        """dJ/dθ by backpropagation as ``{"dW1": ..., "db1": ..., ...}`` (copies)."""
        X = self._inputs(X)
        Y = self._targets(Y, len(X))
        self._loss_and_gradient(X, Y, training, as_rng(rng) if training else None)
        self._clear()
        return {k: v.copy() for k, v in self._grad_views.items()}

    def _clear(self) -> None:
        for layer in self.layers:
            layer.clear()

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
        workspace = Workspace(self.layers, min(batch, m), self.dtype, training=False)
        for s in range(0, m, batch):
            chunk = X[s : s + batch]
            A = self._forward(chunk, False, None, workspace.views(len(chunk)))
            A_out[s : s + len(chunk)] = A
            Z_out[s : s + len(chunk)] = self.layers[-1].Z
        self._clear()
        return Z_out, A_out

    def predict_proba(self, X) -> np.ndarray:
        """Inference-mode output activations (m, n_y): probabilities for sigmoid/softmax."""
        return self._inference(self._inputs(X))[1]

    def predict(self, X) -> np.ndarray:
        """Class labels (sigmoid: A > 0.5; softmax: argmax) or regression values.
        Shape (m,) for one output unit or softmax, (m, n_y) otherwise."""
        pred = self.loss.predict(self._inference(self._inputs(X))[1])
        pred = pred.ravel() if pred.ndim == 2 and pred.shape[1] == 1 else pred
        if getattr(self, "classes", None) is not None and pred.ndim == 1:
            return np.asarray(self.classes)[pred]  # the original labels
        if getattr(self, "target_scaling", None) is not None:
            return pred * self.target_scaling[1] + self.target_scaling[0]  # original units
        return pred

    def _evaluate(self, X: np.ndarray, Y: np.ndarray) -> tuple[float, float]:
        """(data loss, error) in inference mode on prepared arrays."""
        Z, A = self._inference(X)
        return self.loss.value(Z, A, Y), self.loss.error(A, Y)

    def evaluate(self, X, y) -> dict[str, float]:
        """Inference-mode metrics: ``loss`` (data loss, no penalty, no dropout), ``error``
        (misclassified fraction, or mean squared error for regression), ``accuracy``
        (classification) and ``cost`` (the regularized J)."""
        X = self._inputs(X)
        Y = self._targets(y, len(X))
        loss, error = self._evaluate(X, Y)
        result = {"loss": loss, "error": error}
        if self.loss.classification:
            result["accuracy"] = 1.0 - error
        result["cost"] = loss + regularizers.penalty(self.weights, len(X), self.l2, self.l1)
        return result

    # ----------------------------------------------------------------- training, io
    def fit(self, X, y, dev=None, **kwargs):
        """Train; see :func:`nnrecipe.training.fit` for every option. Returns the History.

        ``X`` may be a pandas DataFrame: the first such fit fits the table preprocessing
        (:class:`nnrecipe.data.preprocess.Preprocessor`) on these training rows only, and
        ``layer_sizes[0]`` must be the encoded width. Text labels are mapped to 0..k−1 and
        kept in ``classes``."""
        from .training import fit  # training sits above the network in the layering

        if type(X).__name__ == "DataFrame" and self.preprocessor is None:
            self._fit_preprocessor(X)
        from .data.labels import encode_target, text_labels

        if self.classes is None and text_labels(y):
            self.classes = encode_target(y).classes
        return fit(self, X, y, dev=dev, **kwargs)

    def _fit_preprocessor(self, X) -> None:
        from .data.preprocess import Preprocessor

        pre = Preprocessor().fit(X)
        if pre.n_outputs != self.layer_sizes[0]:
            raise ValueError(
                f"the table X encodes to {pre.n_outputs} inputs ({pre.describe()}) but this "
                f"network has layer_sizes[0] = {self.layer_sizes[0]}; build it with "
                f"{pre.n_outputs} inputs, or let nnrecipe.improve(df, target=...) or "
                "nnrecipe.tune size the network for you"
            )
        self.preprocessor = pre

    def diagnose(self, train, dev, baseline_error: float = 0.0, **kwargs):
        """Bias/variance diagnosis from inference-mode errors (no dropout, no penalty) on
        ``train`` and ``dev``, each an ``(X, y)`` pair; see :func:`nnrecipe.diagnose`."""
        from .diagnosis import diagnose_network

        return diagnose_network(self, train, dev, baseline_error, **kwargs)

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

    def save(self, path) -> None:
        """Save as .npz (no pickle) with JSON metadata; the write is atomic."""
        from .io import save

        save(self, path)

    def copy(self, dtype=None) -> Network:
        """An independent copy (optionally in another dtype), parameters included."""
        cfg = self.config()
        if dtype is not None:
            cfg["dtype"] = as_dtype(dtype).name
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            net = Network(**cfg)
        net._theta[...] = self._theta
        if self.standardizer is not None:
            net.standardizer = self.standardizer.copy()
        if self.preprocessor is not None:
            net.preprocessor = self.preprocessor.copy()
        net.classes = None if self.classes is None else list(self.classes)
        net.target_scaling = self.target_scaling
        return net

    def __getstate__(self) -> dict:
        # the layers' W, b, dW, db are views into θ and dθ: pickled one by one they would come
        # back as copies that training no longer updates, so rebuild them in __setstate__
        state = self.__dict__.copy()
        for key in ("layers", "_views", "_grad_views"):
            state.pop(key, None)
        return state

    def __setstate__(self, state: dict) -> None:
        state = {"preprocessor": None, "classes": None, "target_scaling": None, **state}
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
