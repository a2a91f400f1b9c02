"""What the commands share: the data, the network and the arguments of ``fit``, from the
resolved options."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..._checks import check_nonneg, check_positive
from ...data import augment, datasets, targets
from ...data import split as splitting
from ...data.encoding import Encoding
from ...recipe.metrics import CLASSIFICATION, REGRESSION
from ...train import optimizers
from ...train.callbacks import EarlyStopping
from . import output

TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".pq")
IMAGE_SHAPES = {"digits": (8, 8), "mnist": (28, 28)}


@dataclass
class Data:
    """A loaded dataset: ``y`` holds class indices 0..k-1 (``classes`` their original values)
    for classification, or the targets for regression (``classes`` is None)."""

    X: np.ndarray  # a pandas DataFrame of the feature columns for a table file
    y: np.ndarray
    name: str
    classes: list | None
    image_shape: tuple[int, int] | None = None
    target: object = None  # nnrecipe.data.tables.Target of a table file
    preprocessor: object = None  # fitted on the training rows by split()
    target_scaling: tuple | None = None  # μ_y, σ_y of a table's regression target

    @property
    def classification(self) -> bool:
        return self.classes is not None

    @property
    def table(self) -> bool:
        return self.target is not None

    @property
    def n_inputs(self) -> int:
        """The network's input width (a table's after its preprocessing is fitted)."""
        return self.preprocessor.n_outputs if self.preprocessor is not None else self.X.shape[1]

    @property
    def encoding(self) -> Encoding:
        """What a network trained on these data carries (:mod:`nnrecipe.data.encoding`)."""
        return Encoding(self.preprocessor, self.classes, self.target_scaling)

    @property
    def two_d(self) -> bool:
        return self.n_inputs == 2


GENERATED_N = 1000


def real_datasets() -> dict:
    """The real (not generated) built-ins: name → loader taking no arguments."""
    d = datasets
    return {
        "digits": d.digits,
        "breast_cancer": d.breast_cancer,
        "mnist": lambda: d.mnist("train"),
        "mnist_test": lambda: d.mnist("test"),
    }


def builtin_names() -> list[str]:
    return sorted(datasets.BUILTIN) + sorted(real_datasets())


def _subset(X, y, n, seed):
    """A seeded random subset of ``n`` rows (all rows when n is None or too large)."""
    if n is None or n >= len(X):
        return X, y
    keep = np.sort(np.random.default_rng(seed).permutation(len(X))[:n])
    return X[keep], y[keep]


def load_data(options: dict) -> Data:
    """The dataset named by ``options["dataset"]``: a built-in or a .csv/.npz file."""
    name = options["dataset"]
    image_shape = IMAGE_SHAPES.get(name.split("_")[0])
    if name in datasets.BUILTIN:
        loader = datasets.BUILTIN[name]
        params = inspect.signature(loader).parameters
        wanted = {
            "n": options.get("n") or GENERATED_N,
            "noise": options.get("noise"),
            "seed": options.get("seed"),
        }
        X, y = loader(**{k: v for k, v in wanted.items() if k in params and v is not None})
    elif name in real_datasets():
        X, y = _subset(*real_datasets()[name](), options.get("n"), options.get("seed"))
    elif Path(name).suffix.lower() in TABLE_SUFFIXES or (
        Path(name).is_file() and Path(name).suffix.lower() != ".npz"
    ):
        return load_table(name, options)
    elif Path(name).suffix.lower() in (".csv", ".npz") or Path(name).exists():
        if not Path(name).is_file():
            what = "is a directory; give a data file" if Path(name).is_dir() else "does not exist"
            raise ValueError(f"data file {name!r} {what}")
        X, y = datasets.load(name, target=options.get("target"))
        X, y = _subset(X, y, options.get("n"), options.get("seed"))
        name = Path(name).name
    else:
        raise ValueError(
            f"dataset {name!r} is neither a built-in ({', '.join(builtin_names())}) nor an "
            "existing .csv/.npz file; run `nnrecipe datasets` to list the built-ins"
        )
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim > 2:  # images (m, h, w): flatten to rows of pixels
        image_shape = image_shape or X.shape[1:3]
        X = X.reshape(len(X), -1)
    classes = None
    if y.ndim == 1 and _classes(y, options.get("metric", "auto")):
        values, y = np.unique(y, return_inverse=True)
        classes = values.tolist()
        if len(classes) < 2:
            raise ValueError(f"dataset {name!r} has a single class {classes}; nothing to learn")
    return Data(X, y, name, classes, image_shape)


def _classes(y: np.ndarray, metric: str) -> bool:
    """Whether labels ``y`` (m,) are classes: booleans, or whole numbers that are not a
    quantity by the task rule (:func:`nnrecipe.data.targets.is_quantity`; improve's
    ``--metric mse``/``mae`` asks for a regression, ``error`` and the like for classes)."""
    if np.issubdtype(y.dtype, np.bool_):
        return True
    if not np.issubdtype(y.dtype, np.number) or not np.all(y == np.round(y)):
        return False
    asked = None if metric not in (*CLASSIFICATION, *REGRESSION) else metric in REGRESSION
    return not targets.is_quantity(len(np.unique(y)), asked)


def load_table(name: str, options: dict) -> Data:
    """A CSV/TSV/Parquet table read with pandas; prints the target, the task and the class
    balance (the preprocessing is fitted later, on the training rows, by :func:`split`)."""
    from ...data import tables

    frame = tables.read_table(name)
    features, target = tables.features_and_target(frame, target=options.get("target"))
    n = options.get("n")
    if n is not None and n < len(features):
        keep = np.sort(np.random.default_rng(options.get("seed")).permutation(len(features))[:n])
        features = features.iloc[keep].reset_index(drop=True)
        target.y = target.y[keep]
    for line in tables.describe_target(target):
        output_note(line)
    return Data(features, target.y, Path(name).name, target.classes, target=target)


def target_lines(data: Data) -> int:
    """How many lines about the target :func:`load_table` printed (0 for other data)."""
    from ...data.tables import describe_target

    return len(describe_target(data.target)) if data.table else 0


def output_note(line: str) -> None:
    output.note(line)


def split(data: Data, options: dict, preprocessor=None):
    """train/dev/test by :func:`nnrecipe.split` (stratified for classification). A table's
    preprocessing is fitted on the training rows (unless a fitted one is given) and all three
    sets are encoded with it; it is kept in ``data.preprocessor``."""
    if data.table:
        from ...data.tables import split_table

        done = split_table(
            data.X,
            data.target,
            ratios=options["split"],
            seed=options["seed"],
            preprocessor=preprocessor,
        )
        data.preprocessor, data.target_scaling = done.preprocessor, done.scaling
        if done.scaling is not None:
            output_note(
                f"the target is standardized with the training rows' μ {done.scaling[0]:.4g}, "
                f"σ {done.scaling[1]:.4g}: errors are mean squared errors of z-scores (1 is as "
                "good as always predicting the mean); predictions come back in its own units"
            )
        if preprocessor is None:
            output_note(done.preprocessor.describe())
            for line in done.preprocessor.summary():
                output_note("  " + line)
        return done.parts
    return splitting.split(
        data.X, data.y, ratios=options["split"], stratify=data.classification, seed=options["seed"]
    )


def output_units(options: dict, data: Data) -> tuple[str, int]:
    """(output activation, units): the task rule's (:func:`nnrecipe.data.targets.task`:
    sigmoid/1 for two classes, softmax/k for k, linear for regression), unless ``output``
    says otherwise."""
    output = options.get("output", "auto")
    if output == "auto":
        output = targets.task(
            data.y, named=data.classification, regression=not data.classification
        ).output
    if output == "sigmoid" and data.classification and len(data.classes) > 2:
        raise ValueError(
            f"output='sigmoid' has one unit but dataset {data.name!r} has {len(data.classes)} "
            "classes; use --output softmax (or auto)"
        )
    if output == "softmax":
        return output, len(data.classes) if data.classification else 2
    return output, 1 if data.y.ndim == 1 else data.y.shape[1]


def layer_sizes(options: dict, data: Data) -> list[int]:
    return [data.n_inputs, *options["layers"], output_units(options, data)[1]]


def init_value(spec: str):
    """``random:10`` → ``("random", 10.0)``; other names unchanged."""
    name, _, scale = spec.partition(":")
    return (name, float(scale)) if scale else name


def network_kwargs(options: dict, data: Data) -> dict:
    return {
        "hidden": options["hidden"],
        "output": output_units(options, data)[0],
        "l2": options["l2"],
        "l1": options["l1"],
        "keep_prob": options["keep_prob"],
        "dtype": "float32" if options["float32"] else "float64",
        # per-pixel z-scores blow up rarely-lit border pixels (σ ≈ 0) once augmentation
        # moves ink there; image pixels are already in [0, 1]
        # a table's preprocessing standardizes its numbers already (one-hot columns stay 0/1)
        "standardize": (data.image_shape is None and not data.table)
        if options["standardize"] is None
        else options["standardize"],
    }


# --augment names → nnrecipe.augment transforms; ``name:value`` sets the one parameter
AUGMENTATIONS = {
    "flip": ("Flip", "p", 0.5),
    "shift": ("Shift", "max_shift", 2),
    "crop": ("RandomCrop", "padding", 2),
    "rotate": ("Rotate", "max_degrees", 10.0),
    "noise": ("Noise", "std", 0.05),
}


def augmentation(options: dict, data: Data):
    """The ``augment`` transforms (image data only) composed into one, or None.

    ``shift:3`` shifts by up to 3 pixels, ``rotate:15`` rotates by up to 15°, ``noise:0.1``
    adds N(0, 0.1²) noise (clipped to [0, 1]), ``flip:0.5`` mirrors half the images."""
    names = options.get("augment") or []
    if not names:
        return None
    if data.image_shape is None:
        raise ValueError(
            f"--augment {','.join(names)} needs image data (digits, mnist); "
            f"dataset {data.name!r} is not images"
        )
    transforms = []
    for spec in names:
        name, _, value = spec.partition(":")
        if name not in AUGMENTATIONS:
            raise ValueError(
                f"augmentation {spec!r} is not known; valid names are {sorted(AUGMENTATIONS)}, "
                "optionally with a value like shift:3"
            )
        cls, param, default = AUGMENTATIONS[name]
        if name in ("shift", "crop"):  # 2 pixels on 28×28 MNIST, 1 on 8×8 digits
            default = max(1, round(data.image_shape[1] / 14))
        kind = type(default)
        try:
            amount = kind(value) if value else default
        except ValueError:
            raise ValueError(f"augmentation {spec!r}: {value!r} is not a {kind.__name__}") from None
        extra = {"clip": (0.0, 1.0)} if name == "noise" else {}
        transforms.append(getattr(augment, cls)(**{param: amount}, **extra))
    return augment.Compose(*transforms, image_shape=data.image_shape)


def fit_kwargs(options: dict, data: Data, n_train: int) -> dict:
    """Keyword arguments of ``fit`` from the options (``gd`` always uses the whole set).

    The optimizer and epochs are checked here, before the run directory is made."""
    optimizers.get(options["optimizer"], options["learning_rate"])
    check_positive(options["epochs"], "epochs", integer=True)
    check_nonneg(options["decay_rate"], "decay_rate")
    batch = options["batch_size"]
    if options["optimizer"] == "gd":
        batch = None
    elif batch == "full":
        batch = n_train
    kwargs = {
        "optimizer": options["optimizer"],
        "learning_rate": options["learning_rate"],
        "batch_size": batch,
        "epochs": options["epochs"],
        "decay_rate": options["decay_rate"],
        "augment": augmentation(options, data),
        "monitor_gradients": options["monitor_gradients"],
    }
    patience = options.get("early_stopping", 0)
    if patience:
        kwargs["early_stopping"] = EarlyStopping(patience=patience)
    return kwargs


def baseline(options) -> float:
    """The --baseline of train and compare: ``auto`` (improve's estimate) counts as 0 there."""
    value = options["baseline"]
    return 0.0 if value == "auto" else value
