"""The ``nnrecipe`` command: ``main`` parses the arguments and runs one command."""

from .main import build_parser, main

__all__ = ["build_parser", "main"]
