"""Live progress of a hyperparameter study in the terminal (Rich), read from its storage."""

from __future__ import annotations

from ..train.progress import bar_columns

INFO_WIDTH = len("best dev error 12.34% (trial 123) · 4 running, 12 pruned, 3 failed")


class Monitor:
    """A progress bar: finished trials of the target, best dev error so far, pruned/failed."""

    def __init__(self, target: int, enabled: bool = True):
        self.target = target
        self.progress = None
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
        if self.progress is None:
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
        self.progress.update(self.task, completed=min(done, self.target), info=info)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None
