"""Tables at 80 columns and narrower: wrapped or thinned, never a figure cut short."""

import io


def test_a_table_wraps_or_drops_columns_instead_of_cutting_figures():
    from rich.table import Table

    from nnrecipe.cli.commands import output

    def table():
        t = Table()
        for h in ["setting", "train", "dev", "test", "gap", "‖W‖", "zeros", "epochs", "time"]:
            t.add_column(h, justify="right", no_wrap=True)
        t.add_row("dropout kp=0.86", "10.00%", "13.50%", "10.00%", "+10.50%", "15.8", "0.0%",
                  "2000", "3.0s")  # fmt: skip
        return t

    for width, shown in ((80, "3.0s"), (58, "+10.50%")):
        console = output.console()
        console.file, console.width = io.StringIO(), width
        console.print(table())
        text = console.file.getvalue()
        assert "…" not in text and "13.50%" in text and shown in text
        assert max(len(line) for line in text.splitlines()) <= width
    assert "left out to fit 58 columns" in text and "2000" not in text


def test_the_improve_table_at_80_columns_keeps_the_change_column_readable():
    """Issue 26: piped or at 80 columns the change column wrapped one or two words a line
    (step 0 took 12 lines)."""
    from nnrecipe.cli.commands import output
    from nnrecipe.diagnosis import diagnose
    from nnrecipe.recipe.knobs import Config
    from nnrecipe.recipe.result import ImproveResult, Step

    change = "starting network: hidden [64], at most 1000 epochs, adam α=0.001, early stopping"
    steps = [
        Step(number=i, knob=k, kind="start" if i == 0 else "variance", change=c, reason="r",
             train_before=None if i == 0 else 0.123, dev_before=None if i == 0 else 0.156,
             train_after=0.123, dev_after=0.156, seconds=12.5, kept=i == 0, config={},
             epochs=10, epochs_trained=1000)
        for i, (k, c) in enumerate([("start", change), ("learning_rate", "α 0.001 → 0.003")])
    ]  # fmt: skip
    result = ImproveResult(
        steps=steps, config=Config(), network=None, history=None,
        diagnosis=diagnose(0.123, 0.156, 0.0), train_error=0.123, dev_error=0.156,
        test_error=0.16, baseline_error=0.0, stop_reason="time", split=None,
    )  # fmt: skip
    console = output.console()
    console.file, console.width = io.StringIO(), 80
    console.print(result.table(compact=True))
    lines = console.file.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 80
    start = next(i for i, line in enumerate(lines) if "starting network" in line)
    following = next(i for i, line in enumerate(lines) if "learning_rate" in line)
    assert following - start <= 4  # step 0: at most four lines of 26 columns or more
    assert "12.3%" in lines[start] and "15.6%" in lines[start]
