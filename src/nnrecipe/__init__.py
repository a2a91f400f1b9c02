"""nnrecipe: deep neural networks in plain NumPy, and the practical recipe for improving them.

>>> import nnrecipe as nr
>>> X, y = nr.datasets.moons(n=400, seed=0)
>>> net = nr.Network([2, 20, 3, 1], hidden="relu", output="sigmoid", init="he", seed=3)
>>> history = net.fit(X, y, epochs=5)
"""

from ._version import __version__
from .data import augment, datasets
from .data.batches import mini_batches
from .data.distribution import check_same_distribution
from .data.normalize import Standardizer
from .data.split import split
from .diagnosis import diagnose
from .ensemble import Ensemble
from .gradcheck.function import gradcheck_fn
from .gradcheck.network import gradcheck
from .gradcheck.result import Coordinate, GradcheckResult
from .model import Network, load
from .recipe import experiments
from .recipe.improve import improve
from .recipe.learning_curves import learning_curve
from .report.write import write_report
from .train.callbacks import Callback, EarlyStopping, History
from .tune.study import tune

__all__ = [
    "Callback",
    "Coordinate",
    "EarlyStopping",
    "Ensemble",
    "GradcheckResult",
    "History",
    "Network",
    "Standardizer",
    "augment",
    "check_same_distribution",
    "datasets",
    "diagnose",
    "experiments",
    "gradcheck",
    "gradcheck_fn",
    "improve",
    "learning_curve",
    "load",
    "mini_batches",
    "split",
    "tune",
    "write_report",
    "__version__",
]
