"""tune's last lines say why the chosen trial is not the lowest dev error (issue 26)."""

import io

from nnrecipe.tune.result import TuneResult


def _trial(number, dev, width):
    return {"number": number, "state": "COMPLETE", "dev_error": dev, "last_dev_error": dev,
            "train_error": 0.0, "params": {"width": width, "depth": 1}, "epochs": 10,
            "seconds": 1.0, "seed": number, "worker": 0}  # fmt: skip


def _result():
    settings = {"n_dev": 360, "n_features": 64, "n_out": 10, "space": {"width": (8, 256)}}
    trials = [_trial(0, 0.019, 256), _trial(1, 0.0251, 32), _trial(2, 0.08, 8)]
    r = TuneResult("s", None, trials, settings, "trials")
    best = r._guarded([t for t in trials])
    r.best_trial, r.best_value, r.best_params = best["number"], best["dev_error"], best["params"]
    return r


def test_the_chosen_trial_says_why_it_is_not_the_lowest():
    r = _result()
    assert r.best_trial == 1  # within 1 SE (0.72 %) of 1.9 %, and 8 times fewer weights
    why = r.why_chosen
    assert "trial 1 and not trial 0" in why and "1.90%" in why
    assert "one-standard-error rule" in why and why.count("trial 1") >= 1


def test_the_terminal_prints_it_after_the_table(monkeypatch):
    from nnrecipe.cli.commands import output
    from nnrecipe.cli.commands import tune as tune_cli

    r = _result()
    buffer = io.StringIO()
    make = output.console

    def console():
        c = make()
        c.file, c.width = buffer, 100
        return c

    monkeypatch.setattr(output, "console", console)
    tune_cli._print(r, "out", None, [])
    text = buffer.getvalue()
    assert "chosen: trial 1, dev error 2.51%" in text and "best: trial" not in text
    assert "not trial 0 (dev error 1.90%, the lowest)" in " ".join(text.split())
    # the lowest is the chosen one: nothing to explain
    r.best_trial = 0
    assert r.why_chosen is None
