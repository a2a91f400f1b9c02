"""The ``nnrecipe`` command: argument parsing and dispatch only.

Each command's work lives in :mod:`nnrecipe.cli.commands` and is imported only when that command
runs, so ``nnrecipe --help`` and ``nnrecipe train --help`` load argparse and nothing heavy
(no Matplotlib, Rich or scikit-learn). Errors print one line with the fix and exit nonzero;
``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import importlib
import os
import sys

from .parser import EXIT_USAGE, build_parser

EXIT_ERROR, EXIT_INTERRUPTED = 1, 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what `yes | head` leaves in the shell


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a file descriptor (a test's capture)
        pass


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a bad flag (already reported)
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else EXIT_USAGE)
    if args.command is None:
        parser.print_help()
        return 0
    debug = getattr(args, "debug", False)
    prog = f"nnrecipe {args.command}"
    try:
        # nnrecipe.cli.commands.<name>.run, imported only now: --help stays light
        code = importlib.import_module(f"nnrecipe.cli.commands.{args.handler}").run(args)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's last flush
        return code
    except KeyboardInterrupt as exc:
        if debug:
            raise
        why = f" {exc.args[0]}: nothing was saved" if exc.args else ""
        print(f"{prog}: interrupted{why}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (ValueError, TypeError) as exc:
        if debug:
            raise
        print(f"{prog}: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except ImportError as exc:  # an optional dependency: the message names the extra
        if debug:
            raise
        print(f"{prog}: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # `nnrecipe ... --json | head`: the reader left; end quietly
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except OSError as exc:
        if debug:
            raise
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        print(f"{prog}: error: {exc.strerror or _one_line(exc)}{where}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:
        if debug:
            raise
        print(
            f"{prog}: error: {type(exc).__name__}: {_one_line(exc)} "
            "(run again with --debug for the traceback)",
            file=sys.stderr,
        )
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
