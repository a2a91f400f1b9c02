"""One module per ``nnrecipe`` command, each with ``run(args) -> exit code``.

:mod:`nnrecipe.cli` parses the command line and imports only the module of the command that
runs, so the heavy imports (Rich, Matplotlib, scikit-learn) stay out of ``--help``.
"""
