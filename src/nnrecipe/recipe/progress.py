"""Live progress of ``improve``: in a terminal a spinner while a run trains and a line per
step; in a notebook one output block per run that updates in place (no widgets needed)."""

from __future__ import annotations

import contextlib

from .._html import LiveDisplay
from ..diagnosis import show as show_value


class Printer:
    def __init__(self, enabled: bool):
        self.console, self.live, self.done = None, None, []
        if enabled and LiveDisplay().active:  # a notebook: one display, replaced each time
            self.live = LiveDisplay()
        elif enabled:
            from rich.console import Console

            self.console = Console(stderr=True)

    @contextlib.contextmanager
    def training(self, number: int | None, change: str):
        label = "" if number is None else f"step {number}: "
        if self.live is not None:
            self.live.lines([*self.done, f"{label}{change} — training…"])
            yield
            return
        if self.console is None:
            yield
            return
        with self.console.status(f"{label}{change} — training"):
            yield

    def step(self, step, diagnosis) -> None:
        if self.console is None and self.live is None:
            return
        m = diagnosis.metric  # percentages, or plain numbers for mse/mae

        def show(value):
            return show_value(value, m, 1)

        before = "" if step.dev_before is None else f"dev {show(step.dev_before)} → "
        verdict = "" if step.verdict == "start" else f"  {step.verdict}"
        if step.interrupted:
            verdict += " (not finished: values of its best weights so far)"
        epochs = "" if step.epochs_trained is None else f"{step.epochs_trained} epochs, "
        line = (
            f"step {step.number} {step.change}: train {show(step.train_after)}, "
            f"{before}dev {show(step.dev_after)} ({epochs}{step.seconds:.1f} s){verdict}"
            f"  → {diagnosis.case.replace('_', ' ')}"
        )
        if self.live is not None:
            self.done.append(line)
            self.live.lines(self.done)
            return
        color = {"kept": "green", "undone": "yellow", "interrupted": "red"}
        if step.verdict != "start":
            line = line.replace(f"  {step.verdict}", f"  [{color[step.verdict]}]{step.verdict}[/]")
        bold = f"step {step.number}"
        self.console.print(f"[bold]{bold}[/]" + line[len(bold) :])

    def finish(self, result) -> None:
        if self.live is not None:
            self.live.lines([*self.done, result.message])
        elif self.console is not None:
            self.console.print(result.message)
