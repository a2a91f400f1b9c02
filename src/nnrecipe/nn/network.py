"""An L-layer fully connected network: forward, cost, backward, parameters.

For l = 1..L, with A[0] = X of shape (m, n_x) (rows are examples):

    Z[l] = A[l-1] @ W[l].T + b[l],   A[l] = g[l](Z[l])   (inverted dropout on hidden A[l])

    J = (1/m) Σ_i ℓ(A[L]_i, Y_i) + (λ/2m) Σ_l ‖W[l]‖_F² + (λ₁/m) Σ_l Σ |W[l]|

Backward starts from the fused output gradient dZ[L] = (A[L] - Y)/m (Y smoothed with
``label_smoothing``) and applies :class:`nnrecipe.nn.layers.Dense` backward layer by layer;
the regularizers add their own terms to each dW[l]. With ``embeddings``, A[0] is the
embedding of X (:mod:`nnrecipe.nn.embeddings`), whose parameters backward fills last. All
parameters live in one flat vector θ and all gradients in one flat vector dθ
(:mod:`nnrecipe.nn.parameters`); each layer's W, b, dW, db are views into them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._checks import as_dtype, as_rng, check_keep_prob, check_layer_sizes, check_nonneg, per_layer
from ..data.robust_scale import scaler_for, scaling_name
from ..data.rows import Rows
from . import (
    activations,
    inference,
    initializers,
    inputs,
    losses,
    passes,
    regularizers,
    state,
)
from . import embeddings as numeric
from .layers import Dense
from .parameters import FlatParameters
from .workspace import LayerBuffers, Workspace, check_workspace_size


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
    standardize : bool or "robust"
        Carry a scaling fitted on the first ``fit``'s training inputs, so every method takes
        raw inputs: True, z-scores (:class:`Standardizer`); "robust", median/IQR and smooth
        clipping (:mod:`nnrecipe.data.robust_scale`), for tables.
    embeddings : {None, "periodic", "piecewise"}
        A numeric embedding of each input before the first dense layer, for tables
        (:mod:`nnrecipe.nn.embeddings`).
    label_smoothing : float
        ε in [0, 1): cross-entropy training fits (1 − ε)y + ε/K (:mod:`nnrecipe.nn.losses`).
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
        standardize: bool | str = False,
        seed: int | np.random.Generator | None = None,
        embeddings: str | None = None,
        label_smoothing: float = 0.0,
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
        self.standardizer = scaler_for(standardize)
        self.embeddings = numeric.check_kind(embeddings)
        self.label_smoothing = losses.check_smoothing(label_smoothing, self.loss)
        self._rng = as_rng(seed, "seed")
        self._build()
        initializers.initialize(
            self.weights,
            [layer.b for layer in self.layers],
            initializers.resolve(self.init, self.hidden),
            self._rng,
            self.init_scale,
        )
        if self.embedding is not None:
            self.embedding.initialize(self._rng)  # drawn after the dense layers' weights

    # ----------------------------------------------------------------- structure, θ
    def _build(self) -> None:
        self._params = FlatParameters(self.parameter_shapes(), self.dtype)
        self.n_parameters = self._params.theta.size
        saved = self.__dict__.pop("embedding", None)  # an unpickled network's fitted bins
        self.embedding = numeric.build(self.embeddings, self.layer_sizes[0], self._params)
        if saved:
            self.embedding.set_state(saved)
        kinds = zip(self.hidden + [self.output], self.keep_prob + [1.0], strict=True)
        self.layers = [
            Dense(*self._params.layer(i), activations.get(act), keep_prob)
            for i, (act, keep_prob) in enumerate(kinds, start=1)
        ]

    def parameter_shapes(self) -> dict[str, tuple[int, ...]]:
        """``{"W1": (n1, n0), "b1": (n1,), ...}`` in the order they sit in θ, after the
        embedding's parameters (``E_freq``, ...) when it has some; n0 is then its width."""
        shapes = numeric.parameter_shapes(self.embeddings, self.layer_sizes[0])
        for i in range(1, len(self.layer_sizes)):
            n_in = self.input_width if i == 1 else self.layer_sizes[i - 1]
            shapes[f"W{i}"] = (self.layer_sizes[i], n_in)
            shapes[f"b{i}"] = (self.layer_sizes[i],)
        return shapes

    @property
    def input_width(self) -> int:
        """The first dense layer's input width: n_x, or the embedding's output width."""
        return numeric.output_width(self.embeddings, self.layer_sizes[0])

    @property
    def weights(self) -> list[np.ndarray]:
        return [layer.W for layer in self.layers]

    @property
    def n_layers(self) -> int:
        """L, the number of layers with parameters (the input layer is not counted)."""
        return len(self.layers)

    def get_parameters(self) -> dict[str, np.ndarray]:
        """A copy of the parameters as the course's dict: ``W1`` (n1, n0), ``b1`` (n1,), ..."""
        return self._params.get()

    def set_parameters(self, parameters: dict[str, np.ndarray]) -> None:
        """Copy a course-style dict in; ``b`` may be (n, 1) column vectors."""
        self._params.set(parameters)

    def get_vector(self) -> np.ndarray:
        """θ: all parameters as one flat vector (a copy)."""
        return self._params.theta.copy()

    def set_vector(self, theta: np.ndarray) -> None:
        self._params.set_vector(theta)

    # ----------------------------------------------------------------- the step API
    # What the training loop, gradient checking, diagnosis and the estimators use: prepared
    # arrays in, numbers out, the flat θ and dθ shared with the optimizer. No copies.
    @property
    def theta(self) -> np.ndarray:
        """θ, all parameters as one flat vector: the live buffer (writing it changes the
        network; ``get_vector`` gives a copy)."""
        return self._params.theta

    @property
    def dtheta(self) -> np.ndarray:
        """dθ, the flat gradient buffer that :meth:`loss_and_gradient` fills (live)."""
        return self._params.grad

    @property
    def rng(self) -> np.random.Generator:
        """The network's own generator: initialization, then shuffling and dropout when
        ``fit`` gets no seed of its own."""
        return self._rng

    def parameter_views(self) -> dict[str, np.ndarray]:
        """``{"W1": view, "b1": view, ...}``: live views into θ (not copies)."""
        return dict(self._params.views)

    def gradient_views(self) -> dict[str, np.ndarray]:
        """``{"dW1": view, "db1": view, ...}``: live views into dθ (not copies)."""
        return dict(self._params.grad_views)

    def prepare_inputs(self, X, name: str = "X") -> np.ndarray:
        """X checked ((m, n_x), finite), in the network's dtype, standardized when the
        network carries a fitted Standardizer, with at most one copy
        (:func:`nnrecipe.nn.inputs.prepare`). Errors name ``name``."""
        return inputs.prepare(X, self.layer_sizes[0], self.dtype, self.standardizer, name)

    def prepare_inference_inputs(self, X, name: str = "X") -> np.ndarray | Rows:
        """Inputs to predict or measure on, never a copy of an array (:func:`.inference.inputs`)."""
        return inference.inputs(self, X, name)

    def prepare_training_inputs(self, X, name: str = "X") -> np.ndarray | Rows:
        """The training inputs: an array, or rows made a batch at a time from a memmap or an
        ``.npy`` path; fits an unfitted scaling, then an unfitted embedding's bins
        (:func:`.inputs.for_network_training`)."""
        return inputs.for_network_training(self, X, name)

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
        check_workspace_size(self.layer_sizes, rows, self.dtype, training)
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
        Y = losses.smooth(Y, self.label_smoothing, self.loss)  # what training fits
        return self.loss.value(self.layers[-1].Z, A, Y) + regularizers.penalty(
            self.weights, len(X), self.l2, self.l1
        )

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
        Z, A = inference.outputs(self, X)
        return self.loss.value(Z, A, Y), self.loss.error(A, Y)

    def clear_cache(self) -> None:
        """Drop the layers' forward caches (they hold a batch's activations)."""
        for layer in self.layers:
            layer.clear()
        if self.embedding is not None:
            self.embedding.clear()

    def _forward(self, X: np.ndarray, training: bool, rng, buffers: list[LayerBuffers], masks=None):
        A = X if self.embedding is None else self.embedding.forward(X)
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
        Y = losses.smooth(Y, self.label_smoothing, self.loss)  # what training fits
        dZ = np.subtract(out.A, Y, out=buffers[-1].dZ)
        dZ *= 1.0 / m
        if self.loss.output != self.output:  # mean squared error after a non-linear output
            dZ = out.activation.backward(dZ, out.Z, out.A)
        if record is not None:
            record[f"dZ{len(self.layers)}"] = dZ.copy()
        for i in range(len(self.layers) - 1, -1, -1):
            layer, buf = self.layers[i], buffers[i]
            learns = i == 0 and self.embedding is not None and self.embedding.learns
            dA = layer.backward(dZ, buf, need_dA_prev=i > 0 or learns)
            regularizers.add_gradient(layer.W, layer.dW, m, self.l2, self.l1, buf.penalty)
            if learns:
                self.embedding.backward(dA)
            if i > 0:
                if record is not None:
                    record[f"dA{i}"] = passes.record_dA(dA, self.layers[i - 1])
                dZ = self.layers[i - 1].activation_gradient(dA)
                if record is not None:
                    record[f"dZ{i}"] = dZ.copy()

    # ----------------------------------------------------------------- the course's view
    def forward(self, X, training: bool = False, rng=None) -> np.ndarray:
        """A[L], the output activations, shape (m, n_y). Dropout only when ``training``."""
        return passes.forward(self, X, training, rng)

    def cost(self, X, Y, training: bool = False, rng=None) -> float:
        """The regularized cost J that training minimizes (with dropout if ``training``)."""
        return passes.cost(self, X, Y, training, rng)

    def gradients(
        self, X, Y, training: bool = False, rng=None, intermediates: bool = False, masks=None
    ) -> dict[str, np.ndarray]:
        """dJ/dθ by backpropagation as ``{"dW1": ..., "db1": ..., ...}`` (copies);
        ``intermediates=True`` adds dZ[l] and dA[l], ``masks`` replays given dropout masks
        (:func:`nnrecipe.nn.passes.gradients`)."""
        return passes.gradients(self, X, Y, training, rng, intermediates, masks)

    def forward_with_cache(self, X, training: bool = False, rng=None, masks=None):
        """(A[L], cache): the output (m, n_y) and per layer a dict of copies (``A_prev``, ``Z``,
        ``A``, ``D``) for :meth:`backward` (:func:`nnrecipe.nn.passes.forward_with_cache`)."""
        return passes.forward_with_cache(self, X, training, rng, masks)

    def backward(self, cache, Y, intermediates: bool = False) -> dict[str, np.ndarray]:
        """Backpropagation through a given ``cache`` (from :meth:`forward_with_cache`, or built
        by hand): the gradients as :meth:`gradients` returns them (:mod:`.passes`)."""
        return passes.backward_from_cache(self, cache, Y, intermediates)

    # ----------------------------------------------------------------- inference
    def predict_proba(self, X) -> np.ndarray:
        """Inference-mode output activations (m, n_y): probabilities for sigmoid/softmax."""
        return inference.finite_outputs(self, self.prepare_inference_inputs(X))

    def predict(self, X) -> np.ndarray:
        """Class labels (sigmoid: A > 0.5; softmax: argmax) or regression values.
        Shape (m,) for one output unit or softmax, (m, n_y) otherwise."""
        return self.loss.decide(inference.finite_outputs(self, self.prepare_inference_inputs(X)))

    def evaluate(self, X, y) -> dict[str, float]:
        """Inference-mode metrics: ``loss`` (data loss, no penalty, no dropout), ``error``
        (misclassified fraction, or mean squared error for regression), ``accuracy``
        (classification) and ``cost`` (the regularized J)."""
        return inference.evaluate(self, X, y)

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
            "standardize": scaling_name(self.standardizer),
            "embeddings": self.embeddings,
            "label_smoothing": self.label_smoothing,
        }

    def copy(self, dtype=None) -> Network:
        """An independent copy (optionally in another dtype), parameters included."""
        return state.copy(self, dtype)

    def __getstate__(self) -> dict:
        return state.pickled(self)  # θ's views are rebuilt on unpickling (:mod:`.state`)

    def __setstate__(self, saved: dict) -> None:
        state.unpickled(self, saved)

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v}" for k, v in (("l2", self.l2), ("l1", self.l1)) if v)
        if any(k < 1 for k in self.keep_prob):
            extra += f", keep_prob={self.keep_prob}"
        return (
            f"Network({self.layer_sizes}, hidden={self.hidden}, output={self.output!r}, "
            f"init={self.init!r}{extra}, dtype={self.dtype.name})"
        )
