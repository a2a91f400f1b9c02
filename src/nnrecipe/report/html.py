"""Self-contained HTML reports of a training run or a comparison.

A report is one ``report.html`` with every image embedded as a base64 ``data:`` URI (it can be
mailed or opened offline: no scripts, no external files), written next to the same images as
PNG files. Files are written atomically (:func:`nnrecipe._files.atomic_write`).

:func:`train_report` shows one run: the result table, the bias/variance diagnosis with the
recommended next step, cost J per iteration, train vs dev error per epoch with the best
(early-stopping) epoch, the decision boundary for 2-D data, weight histograms per layer,
per-layer gradient norms and the resolved configuration. :func:`compare_report` shows
several settings trained on one split side by side.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

from .._figures import to_png
from .._files import atomic_write
from . import plots

CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1400px; color: #222;
       padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.25em; margin-top: 1.6em; }
.subtitle { color: #666; margin-top: 0; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.7em; text-align: right; }
th { background: #f2f2f2; } td:first-child, th:first-child { text-align: left; }
th.num, td.num { text-align: right; } th.text, td.text { text-align: left; }
figure { margin: 0.8em 0; } figcaption { color: #555; font-size: 0.9em; max-width: 60em; }
img { max-width: 100%; height: auto; border: 1px solid #eee; }
pre { background: #f7f7f7; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
.case { font-weight: bold; } .warning { color: #a15c00; }
"""


class Report:
    """An HTML page built section by section, plus the PNG images it embeds."""

    def __init__(self, title: str, subtitle: str = ""):
        self.title = title
        self.parts = [f"<h1>{html.escape(title)}</h1>"]
        if subtitle:
            self.parts.append(f'<p class="subtitle">{html.escape(subtitle)}</p>')
        self.images: dict[str, bytes] = {}

    def heading(self, text: str) -> None:
        self.parts.append(f"<h2>{html.escape(text)}</h2>")

    def paragraph(self, text: str, css: str = "") -> None:
        cls = f' class="{css}"' if css else ""
        self.parts.append(f"<p{cls}>{html.escape(text)}</p>")

    def items(self, items, ordered: bool = False) -> None:
        tag = "ol" if ordered else "ul"
        body = "".join(f"<li>{html.escape(str(i))}</li>" for i in items)
        self.parts.append(f"<{tag}>{body}</{tag}>")

    def table(self, headers, rows, numeric=None) -> None:
        """A table; with ``numeric`` (header names), those columns are right-aligned and
        every other (text) column left-aligned."""
        align = [
            "" if numeric is None else f' class="{"num" if h in numeric else "text"}"'
            for h in headers
        ]
        head = "".join(
            f"<th{a}>{html.escape(str(h))}</th>" for h, a in zip(headers, align, strict=True)
        )
        body = "".join(
            "<tr>"
            + "".join(
                f"<td{a}>{html.escape(str(c))}</td>" for c, a in zip(row, align, strict=False)
            )
            + "</tr>"
            for row in rows
        )
        self.parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")

    def figure(self, name: str, figure, caption: str) -> None:
        """Embed a Matplotlib figure (or PNG bytes) and keep it as ``name``.png."""
        png = figure if isinstance(figure, bytes) else to_png(figure)
        self.images[f"{name}.png"] = png
        data = base64.b64encode(png).decode("ascii")
        self.parts.append(
            f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(caption)}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        )

    def preformatted(self, text: str) -> None:
        self.parts.append(f"<pre>{html.escape(text)}</pre>")

    def html(self) -> str:
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(self.title)}</title><style>{CSS}</style></head>"
            "<body>\n" + "\n".join(self.parts) + "\n</body></html>\n"
        )

    def write(self, directory, name: str = "report.html") -> Path:
        """Write the PNGs and the HTML page into ``directory``; returns the page's path."""
        directory = Path(directory)
        for filename, png in self.images.items():
            atomic_write(directory / filename, lambda f, png=png: f.write(png))
        page = self.html().encode("utf-8")
        return atomic_write(directory / name, lambda f: f.write(page))


def _pct(value) -> str:
    return "–" if value is None else f"{value:.2%}"


def _error(result: dict, part: str) -> str:
    value = result.get(f"{part}_error")
    if result.get("task", "classification") == "classification" or value is None:
        return _pct(value)
    return f"{value:.4g}"


def add_diagnosis(report: Report, diagnosis, label: str = "", value=_pct, steps=None) -> None:
    """The bias/variance table and the recipe's next steps, most urgent first (``steps``,
    default the diagnosis's own): the first once, as the recommended step, the rest listed
    after it; ``value`` shows a number (default a percentage)."""
    if diagnosis is None:
        return
    d = diagnosis.to_dict()
    title = f"Diagnosis{': ' + label if label else ''}"
    report.heading(title)
    report.table(
        ["quantity", "value"],
        [
            ["baseline error", value(d.get("baseline_error"))],
            ["train error", value(d.get("train_error"))],
            ["dev error", value(d.get("dev_error"))],
            ["avoidable bias (train − baseline)", value(diagnosis.avoidable_bias)],
            ["variance (dev − train)", value(diagnosis.variance)],
            ["case", diagnosis.case.replace("_", " ")],
        ],
    )
    steps = list(diagnosis.next_steps if steps is None else steps)
    if steps:
        report.paragraph(f"Recommended next step: {steps[0]}", "case")
    if len(steps) > 1:
        report.paragraph("Then, in order:")
        report.items(steps[1:], ordered=True)


def add_table_data(report: Report, classes, class_errors, preprocessing) -> None:
    """A table's class names with the dev error of each class and the balanced error (the
    mean of the per-class errors), and what the preprocessing made of each column."""
    if class_errors:
        report.heading("Classes")
        rows = [[name, _pct(e)] for name, e in class_errors["per_class"].items()]
        rows += [["all (plain error)", _pct(class_errors["error"])]]
        rows += [["balanced error (mean over classes)", _pct(class_errors["balanced_error"])]]
        report.table(["class", "dev error"], rows)
        if class_errors.get("measured_on"):
            report.paragraph(f"Measured on {class_errors['measured_on']}.")
    elif classes:
        report.paragraph(f"Classes: {', '.join(map(str, classes))}")
    if preprocessing:
        report.heading("Data and preprocessing (fitted on the training rows only)")
        report.items(preprocessing)


def _figures(
    report: Report,
    histories: dict,
    networks: dict,
    boundary,
    zero_tol: float,
    titles: dict | None = None,
) -> None:
    report.heading("Training")
    report.figure(
        "cost",
        plots.cost_per_iteration(histories),
        "Cost J per iteration: the regularized cost in training mode (dropout on), "
        "the quantity gradient descent must decrease.",
    )
    report.figure(
        "errors",
        plots.error_curves(histories),
        "Train and dev error per epoch, measured in inference mode; the dashed line "
        "marks the best dev epoch (the early-stopping point, whose weights are kept "
        "when early stopping or Ctrl-C restores the best).",
    )
    if boundary is not None:
        X, y = boundary
        report.figure(
            "boundary",
            plots.decision_boundaries(networks, X, y, titles),
            "Decision boundaries over the input plane with the training examples.",
        )
    report.heading("Weights and gradients")
    report.figure(
        "weights",
        plots.weight_histograms(networks, zero_tol),
        f"Weights of each layer (biases excluded): L2 shrinks them toward 0, L1 sets "
        f"many exactly to about 0 (|w| < {zero_tol:g}).",
    )
    grads = plots.gradient_norms(histories)
    if grads is not None:
        report.figure(
            "gradients",
            grads,
            "Gradient norm of each layer's weights per epoch: norms that shrink or grow "
            "by orders of magnitude across layers are vanishing or exploding gradients.",
        )


def train_report(
    directory,
    title: str,
    network,
    history,
    result: dict,
    diagnosis=None,
    boundary=None,
    config_text: str = "",
    warnings=(),
    zero_tol: float = 1e-3,
) -> Path:
    """Write the report of one ``nnrecipe train`` run; ``boundary`` is (X, y) for 2-D data."""
    report = Report(
        title,
        f"{result.get('epochs', len(history))} epochs, stopped: "
        f"{history.stop_reason.replace('_', ' ')}",
    )
    report.heading("Result")
    rows = [
        [part, _error(result, part), f"{result.get(f'{part}_loss', 0):.4g}"]
        for part in ("train", "dev", "test")
    ]
    metric = "error" if result.get("task", "classification") == "classification" else "MSE"
    report.table(["set", metric, "loss"], rows)
    if history.message:
        report.paragraph(history.message, "warning")
    for message in warnings:
        report.paragraph(f"warning: {message}", "warning")
    add_diagnosis(report, diagnosis)
    add_table_data(
        report, result.get("classes"), result.get("class_errors"), result.get("preprocessing")
    )
    _figures(report, {"": history}, {"": network}, boundary, zero_tol)
    if config_text:
        report.heading("Configuration")
        report.preformatted(config_text)
    return report.write(directory)


def compare_report(
    directory,
    title: str,
    comparison,
    headers,
    rows,
    caption: str = "",
    boundary=None,
    config_text: str = "",
    warnings=(),
) -> Path:
    """Write one report with every setting of a comparison side by side."""
    report = Report(title, f"{len(comparison.results)} settings trained on the same split")
    report.heading("Comparison")
    report.table(headers, rows)
    if caption:
        report.paragraph(caption)
    for message in warnings:
        report.paragraph(f"warning: {message}", "warning")
    histories = {r.label: r.history for r in comparison.results}
    networks = {r.label: r.network for r in comparison.results}
    titles = {
        r.label: f"{r.label}\ntrain {r.train_error:.1%}, test {r.test_error:.1%}"
        for r in comparison.results
    }
    _figures(report, histories, networks, boundary, comparison.zero_tol, titles)
    for r in comparison.results:
        add_diagnosis(report, r.diagnosis, r.label)
    if config_text:
        report.heading("Configuration")
        report.preformatted(config_text)
    return report.write(directory)
