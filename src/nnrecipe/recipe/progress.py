"""Live progress of ``improve`` in the terminal: a spinner while a run trains, a line per step."""

from __future__ import annotations

import contextlib

from ..diagnosis import show as show_value


class Printer:
    def __init__(self, enabled: bool):
        self.console = None
        if enabled:
            from rich.console import Console

            self.console = Console(stderr=True)

    @contextlib.contextmanager
    def training(self, number: int | None, change: str):
        if self.console is None:
            yield
            return
        label = "" if number is None else f"step {number}: "
        with self.console.status(f"{label}{change} — training"):
            yield

    def step(self, step, diagnosis) -> None:
        if self.console is None:
            return
        m = diagnosis.metric  # percentages, or plain numbers for mse/mae

        def show(value):
            return show_value(value, m, 1)

        before = "" if step.dev_before is None else f"dev {show(step.dev_before)} → "
        color = {"kept": "green", "undone": "yellow", "interrupted": "red"}
        verdict = "" if step.verdict == "start" else f"  [{color[step.verdict]}]{step.verdict}[/]"
        if step.interrupted:
            verdict += " (not finished: values of its best weights so far)"
        epochs = "" if step.epochs_trained is None else f"{step.epochs_trained} epochs, "
        self.console.print(
            f"[bold]step {step.number}[/] {step.change}: train {show(step.train_after)}, "
            f"{before}dev {show(step.dev_after)} ({epochs}{step.seconds:.1f} s){verdict}"
            f"  → {diagnosis.case.replace('_', ' ')}"
        )

    def finish(self, result) -> None:
        if self.console is not None:
            self.console.print(result.message)
