"""The package version, in one place (``nnrecipe.__version__`` re-exports it)."""

__version__ = "0.1.0"
