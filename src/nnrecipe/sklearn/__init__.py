"""The scikit-learn face: ``NNClassifier`` and ``NNRegressor`` (see :mod:`.estimators`).

Importing this package needs scikit-learn; ``import nnrecipe`` alone never imports it.
"""

from .estimators import NNClassifier, NNRegressor

__all__ = ["NNClassifier", "NNRegressor"]
