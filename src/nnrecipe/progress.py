"""``nnrecipe.progress``: the training progress bar, kept at its old address.

The code lives in :mod:`nnrecipe.train.progress`.
"""

from .train.progress import ProgressBar

__all__ = ["ProgressBar"]
