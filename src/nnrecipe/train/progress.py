"""A live progress bar for ``fit``: epoch, cost J, dev error and the time left.

Drawn with Rich (imported when training starts, not when nnrecipe is imported)::

    net.fit(X, y, dev=(X_dev, y_dev), epochs=300, callbacks=[nr.progress.ProgressBar(300)])

The bar stops by itself at the end of ``fit``; after an interrupted or diverged run (when
``fit`` returns early) call :meth:`ProgressBar.close`, or use the bar as a context manager.
"""

from __future__ import annotations

from .callbacks import Callback, History

STATS_WIDTH = len("J -1.234e+05  dev error 100.00%")


def bar_columns(console_width: int, text_width: int, bar_column, max_bar: int = 40) -> list:
    """The bar column sized to what the text leaves of the line, or none at all when under 10
    characters would be left: the figures (counts, errors, times) are never cut short."""
    room = console_width - text_width
    if room < 10:
        return []
    bar_column.bar_width = min(max_bar, room - 1)
    return [bar_column]


class ProgressBar(Callback):
    """Rich progress bar over ``epochs`` epochs, labelled ``description``.

    Parameters
    ----------
    epochs : int
        The ``epochs`` given to ``fit`` (the bar's length; early stopping ends it sooner).
    description : str
    console : rich.console.Console, optional
        Where to draw (default: standard error, so ``--json`` output on stdout stays clean).
    """

    def __init__(self, epochs: int, description: str = "training", console=None):
        self.epochs = int(epochs)
        self.description = description
        self.console = console
        self._progress = None
        self._task = None

    def on_train_begin(self, network, history: History) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.close()
        console = self.console or Console(stderr=True)
        # description, " epoch", "n/n", stats, elapsed, "left", remaining, and the spaces
        text = len(self.description) + 6 + 2 * len(str(self.epochs)) + 1 + STATS_WIDTH
        text += 7 + 4 + 7 + 7
        self._progress = Progress(
            TextColumn("[bold]{task.description}[/] epoch"),
            MofNCompleteColumn(),
            *bar_columns(console.width, text, BarColumn()),
            TextColumn("{task.fields[stats]}"),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
            console=console,
        )
        self._progress.start()
        self._task = self._progress.add_task(self.description, total=self.epochs, stats="")

    def on_epoch_end(self, network, history: History) -> None:
        if self._progress is None:
            return None
        stats = f"J {history.cost[-1]:.4g}"
        if history.dev_error:
            stats += f"  dev error {history.dev_error[-1]:.2%}"
        else:
            stats += f"  train error {history.train_error[-1]:.2%}"
        self._progress.update(self._task, completed=history.epoch[-1] + 1, stats=stats)
        return None

    def on_train_end(self, network, history: History) -> None:
        self.close()

    def close(self) -> None:
        """Stop drawing (safe to call more than once)."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
