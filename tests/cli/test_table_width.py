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
