"""The ``nnrecipe`` command: ``main`` parses the arguments and runs one command."""

from .main import main
from .parser import build_parser

__all__ = ["build_parser", "main"]
