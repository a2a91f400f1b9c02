"""``nnrecipe course reproduce NAME``: :func:`nnrecipe.course.reproduce.reproduce`, printed as a
table (or JSON with ``--json``); exit status 0 when every number matches the published one."""

from __future__ import annotations

from ...course.reproduce import reproduce
from . import output


def run(args) -> int:
    if args.data is not None and args.name != "regularization":
        raise ValueError("--data is the football CSV of the regularization assignment only")
    result = reproduce(args.name, data=args.data, print_cost=args.print_cost, verbose=not args.json)
    if args.json:
        rows = [
            {"experiment": e, "quantity": q, "published": p, "nnrecipe": o}
            for e, q, p, o in result.rows
        ]
        output.print_json({"assignment": result.name, "matches": result.matches(), "rows": rows})
    return 0 if result.matches() else 1
