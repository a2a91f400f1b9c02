"""The ``nnrecipe course`` command's parser: ``nnrecipe course reproduce NAME``."""

from __future__ import annotations

import argparse

from .options import add_debug

NAMES = ("initialization", "regularization", "gradient_checking", "optimization")

HELP = """\
Rerun one of the course's assignments (Initialization, Regularization, Gradient Checking,
Optimization) with nnrecipe.course and print the published table beside nnrecipe's numbers.
The data are made as the notebooks make them (circles, moons: scikit-learn after the
notebook's seed); the Regularization assignment's football positions ship with nnrecipe, or
pass your copy with --data. Exit status 0 when every number matches the published one.

examples:
  nnrecipe course reproduce initialization
  nnrecipe course reproduce regularization --data football.csv
  nnrecipe course reproduce optimization --print-cost
"""


def add_parser(subparsers, formatter) -> argparse.ArgumentParser:
    """``course`` with its one action, ``reproduce NAME``; returns the ``reproduce`` parser."""
    course = subparsers.add_parser(
        "course",
        help="the course's assignments: reproduce their published tables",
        description=HELP,
        formatter_class=formatter,
    )
    actions = course.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = actions.add_parser(
        "reproduce",
        help="rerun an assignment and compare with its published table",
        description=HELP,
        formatter_class=formatter,
    )
    p.add_argument(
        "name",
        choices=NAMES + tuple(n.replace("_", "-") for n in NAMES if "_" in n),
        metavar="NAME",
        help="one of " + ", ".join(NAMES),
    )
    p.add_argument(
        "--data",
        default=None,
        metavar="FILE.csv",
        help="regularization only: the football positions CSV (default: the shipped copy)",
    )
    p.add_argument(
        "--print-cost", action="store_true", help="print the cost every 1000 steps, as the notebook"
    )
    p.add_argument("--json", action="store_true", help="print the table as JSON on stdout")
    add_debug(p)
    p.set_defaults(handler="course")
    return p
