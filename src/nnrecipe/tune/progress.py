"""Live progress of a hyperparameter study, read from its storage: a Rich bar in a terminal,
one line updated in place in a notebook."""

from __future__ import annotations

from .._html import LiveDisplay
from ..train.progress import bar_columns

INFO_WIDTH = len("best dev error 12.34% (trial 123) · 4 running, 12 pruned, 3 failed")


class Monitor:
    """A progress bar: finished trials of the target, best dev error so far, pruned/failed."""

    def __init__(self, target: int, enabled: bool = True):
        self.target = target
        self.progress = self.live = None
        if enabled and LiveDisplay().active:  # a notebook: no widget, one updating line
            self.live = LiveDisplay()
            return
        if not enabled:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        console = Console(stderr=True)
        # "tuning", "n/n", elapsed, the info line (about 60 characters) and the spaces
        text = 6 + 2 * len(str(target)) + 1 + 7 + INFO_WIDTH + 4
        self.progress = Progress(
            TextColumn("tuning"),
            *bar_columns(console.width, text, BarColumn()),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[info]}"),
            transient=False,
            console=console,
        )
        self.task = self.progress.add_task("tune", total=target, info="starting workers")
        self.progress.start()

    def update(self, study) -> None:
        if self.progress is None and self.live is None:
            return
        trials = study.get_trials(deepcopy=False)
        states = [t.state.name for t in trials]
        done = states.count("COMPLETE") + states.count("PRUNED")
        values = [(t.value, t.number) for t in trials if t.state.name == "COMPLETE"]
        info = f"{states.count('RUNNING')} running, {states.count('PRUNED')} pruned"
        if states.count("FAIL"):
            info += f", {states.count('FAIL')} failed"
        if values:
            value, number = min(values)
            info = f"best dev error {value:.2%} (trial {number}) · " + info
        if self.live is not None:
            self.live.lines([f"tuning: {min(done, self.target)}/{self.target} trials · {info}"])
            return
        self.progress.update(self.task, completed=min(done, self.target), info=info)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None
