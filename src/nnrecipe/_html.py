"""Small HTML pieces for notebooks (``_repr_html_``) and a display that updates in place.

Jupyter shows an object by its ``_repr_html_()``: the library's results build theirs from
the same rows their terminal tables use, with these helpers (escaped text, no scripts, no
styles beyond inline alignment), so a notebook shows what the CLI prints.

:class:`LiveDisplay` is one output area of the running notebook cell, replaced at each
update (``IPython.display`` with a ``display_id``): progress of a run as one block that
changes, never a wall of lines, and no widget (ipywidgets) needed. Outside a notebook it is
inactive (``active`` False) and the callers print as they do in a terminal.
"""

from __future__ import annotations

import html

from ._figures import to_png

__all__ = [
    "LiveDisplay", "block", "figure", "in_notebook", "items", "network", "paragraph", "table",
]  # fmt: skip


def _cell(value, tag: str, right: bool) -> str:
    style = ' style="text-align:right"' if right else ' style="text-align:left"'
    return f"<{tag}{style}>{html.escape(str(value))}</{tag}>"


def table(headers, rows, title: str = "", caption: str = "", numeric=()) -> str:
    """An HTML table: ``headers`` (names), ``rows`` (sequences of cells, shown with str);
    the columns named in ``numeric`` right-aligned."""
    right = [h in numeric for h in headers]
    head = "".join(_cell(h, "th", r) for h, r in zip(headers, right, strict=True))
    body = "".join(
        "<tr>" + "".join(_cell(c, "td", r) for c, r in zip(row, right, strict=False)) + "</tr>"
        for row in rows
    )
    top = f"<caption>{html.escape(title)}</caption>" if title else ""
    after = f"<p>{html.escape(caption)}</p>" if caption else ""
    return f"<table>{top}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{after}"


def paragraph(text: str, bold: bool = False) -> str:
    text = html.escape(text)
    return f"<p><b>{text}</b></p>" if bold else f"<p>{text}</p>"


def items(values, ordered: bool = False) -> str:
    tag = "ol" if ordered else "ul"
    return f"<{tag}>" + "".join(f"<li>{html.escape(str(v))}</li>" for v in values) + f"</{tag}>"


def block(*parts: str) -> str:
    """The parts in one ``<div>``."""
    return "<div>" + "".join(parts) + "</div>"


def in_notebook() -> bool:
    """Whether this code runs in a Jupyter kernel (an IPython kernel shell)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def figure(fig):
    """``fig``, shown as a PNG when a notebook displays it: a Figure made without pyplot has
    no inline backend behind it, so IPython is told how to draw one (once per kernel)."""
    if in_notebook():
        from IPython import get_ipython
        from matplotlib.figure import Figure

        formatter = get_ipython().display_formatter.formatters["image/png"]
        formatter.for_type(Figure, to_png)
    return fig


def network(net) -> str:
    """A network (any object with ``layer_sizes``, ``hidden``, ``output``, ``dtype``, ``init``,
    ``l2``, ``keep_prob`` and optionally ``preprocessor``, ``classes``) as HTML: one row per
    layer (units, activation, parameters = n_l·n_{l−1} + n_l) and what it carries."""
    sizes = net.layer_sizes
    kinds = ["input", *net.hidden, net.output]
    rows = [[i, n, kinds[i], 0 if i == 0 else n * sizes[i - 1] + n] for i, n in enumerate(sizes)]
    carried = [f"dtype {net.dtype.name}", f"init {net.init}"]
    carried += [f"L2 λ={net.l2}"] if net.l2 else []
    carried += [f"keep_prob {net.keep_prob}"] if any(k < 1 for k in net.keep_prob) else []
    if getattr(net, "preprocessor", None) is not None:
        carried.append(f"table columns {net.preprocessor.input_columns}")
    if getattr(net, "classes", None) is not None:
        carried.append(f"classes {net.classes}")
    return block(
        table(["layer", "units", "activation", "parameters"], rows, title=repr(net),
              numeric=("layer", "units", "parameters")),
        paragraph("; ".join(carried)),
    )  # fmt: skip


class LiveDisplay:
    """One notebook output that each :meth:`update` replaces (inactive outside a notebook)."""

    def __init__(self):
        self.handle = None
        self.active = in_notebook()

    def lines(self, lines) -> None:
        """Show ``lines`` of plain text as one preformatted block (replacing the last)."""
        self.update("<pre>" + html.escape("\n".join(lines)) + "</pre>")

    def update(self, text_html: str) -> None:
        if not self.active:
            return
        from IPython.display import HTML, display

        if self.handle is None:
            self.handle = display(HTML(text_html), display_id=True)
        else:
            self.handle.update(HTML(text_html))
