"""The options of ``nnrecipe improve`` and ``nnrecipe tune``, added to :mod:`nnrecipe.cli.options`.

Both commands take the data options of ``train`` (dataset, n, noise, target) and its output
options; ``improve`` also the starting network and training (layers, optimizer, learning
rate, batch size, epochs) and the baseline error; ``tune`` searches the learning rate, λ,
keep_prob, width and depth over ranges instead (``--l2-range 1e-4:10``; one number fixes a
value), and each of its trials stops early after ``--early-stopping`` epochs without a
better dev loss.
"""

from __future__ import annotations

IMPROVE, TUNE = "improve", "tune"

# options of train/compare that these commands take too
SHARED = {
    **dict.fromkeys(
        (
            "dataset",
            "n",
            "noise",
            "target",
            "out",
            "report",
            "progress",
            "seed",
            "optimizer",
            "batch_size",
            "epochs",
        ),
        (IMPROVE, TUNE),
    ),
    **dict.fromkeys(("layers", "learning_rate", "baseline"), (IMPROVE,)),
    "early_stopping": (TUNE,),
}

# (key, kind, default, help, commands)
OPTIONS = [
    (
        "budget",
        "opt_int",
        None,
        "a cap on the training runs (configurations measured), only when given",
        (IMPROVE,),
    ),
    (
        "minutes",
        "opt_float",
        None,
        "time budget, final refit included; the recipe uses it all unless nothing is left to "
        "gain (default: 0.5 + 1 per 200,000 input values, at most 10)",
        (IMPROVE,),
    ),
    (
        "metric",
        "str",
        "auto",
        "error, balanced_error or log_loss (class labels), mse or mae (real-valued targets, "
        "standardized: 1 = predicting the mean); auto: balanced_error when the rarest class is "
        "under 10%% of the rows, mse for a regression",
        (IMPROVE,),
    ),
    (
        "images",
        "opt_str",
        None,
        "the rows are images of this shape, HxW or HxWxC (never guessed for a table; built-in "
        "image datasets know it)",
        (IMPROVE,),
    ),
    (
        "refit",
        "bool",
        True,
        "refit the chosen configuration on train+dev before the one test evaluation",
        (IMPROVE,),
    ),
    (
        "cv",
        "str",
        "auto",
        "k-fold cross-validation for the decisions: auto (5 folds when dev has under 500 "
        "rows), a number of folds, or 1 for the dev set alone",
        (IMPROVE,),
    ),
    (
        "learning_curve",
        "bool",
        True,
        "when variance remains, measure a learning curve (does more data help?)",
        (IMPROVE,),
    ),
    (
        "dtype",
        "str",
        "auto",
        "the networks' float type: auto (float32 when train+dev hold 250,000 input values or "
        "more, float64 below), float32 or float64",
        (IMPROVE,),
    ),
    (
        "jobs",
        "opt_int",
        None,
        "worker processes for independent runs (folds, the values of a knob), one BLAS thread "
        "each; seeded results are the same for any N (default: every core)",
        (IMPROVE,),
    ),
    (
        "ensemble",
        "bool",
        True,
        "end with the mean of --ensemble-size networks of the chosen configuration when it "
        "beats one network by more than the dev set resolves",
        (IMPROVE,),
    ),
    ("ensemble_size", "opt_int", None, "networks averaged by --ensemble (default 5)", (IMPROVE,)),
    ("trials", "int", 20, "finished trials (complete or pruned) the study should reach", (TUNE,)),
    ("timeout", "opt_float", None, "seconds after which no new trial starts", (TUNE,)),
    (
        "workers",
        "opt_int",
        None,
        "local worker processes (default: up to 4, one per core)",
        (TUNE,),
    ),
    (
        "storage",
        "opt_str",
        None,
        "shared storage of the study: postgresql://..., sqlite:///file.db or a journal file "
        "(default: study.journal in the run directory)",
        (TUNE,),
    ),
    ("study_name", "opt_str", None, "the study's name (default nnrecipe-<timestamp>)", (TUNE,)),
    (
        "resume",
        "bool",
        False,
        "continue, or join from another machine, the study in --storage",
        (TUNE,),
    ),
    (
        "heartbeat",
        "int",
        60,
        "seconds between heartbeats of running trials (database storages); a trial silent for "
        "twice that long is failed",
        (TUNE,),
    ),
    ("prune", "bool", True, "stop bad trials early (median rule on the dev error)", (TUNE,)),
    ("l2_range", "range", [1e-4, 10.0], "λ to search (log scale)", (TUNE,)),
    ("keep_prob_range", "range", [0.5, 1.0], "keep_prob to search", (TUNE,)),
    ("learning_rate_range", "range", [1e-4, 0.1], "learning rate to search (log scale)", (TUNE,)),
    ("width_range", "range", [8, 256], "units per hidden layer to search (log scale)", (TUNE,)),
    ("depth_range", "range", [1, 4], "number of hidden layers to search", (TUNE,)),
]

# improve starts small on the spiral with Adam's own learning rate; tune stops trials early
COMMAND_DEFAULTS = {
    IMPROVE: {
        "dataset": "spiral",
        "layers": None,
        "epochs": None,
        "learning_rate": 0.001,
        "batch_size": None,
        "baseline": "auto",
    },  # fmt: skip
    TUNE: {"epochs": 100, "early_stopping": 10},
}
GROUPS = {
    "recipe": (
        "budget",
        "minutes",
        "metric",
        "images",
        "refit",
        "cv",
        "learning_curve",
        "dtype",
        "jobs",
        "ensemble",
        "ensemble_size",
    ),
    "search": (
        "trials",
        "timeout",
        "workers",
        "storage",
        "study_name",
        "resume",
        "heartbeat",
        "prune",
        "l2_range",
        "keep_prob_range",
        "learning_rate_range",
        "width_range",
        "depth_range",
    ),
}

IMPROVE_HELP = """\
The basic recipe, automated: split (auto rule) and normalize once, train a network sized
from the data (early stopping on dev), diagnose bias and variance against --baseline (auto:
the best dev value reached or a HistGradientBoosting reference), then search one knob at a
time over a range (bias first: wider, deeper, longer, learning rate, optimizer; then variance:
augmentation for --images, L2 on a log grid, dropout), keeping a change only when the dev
--metric drops by more than the dev set resolves (k-fold cross-validation on small data).
Time left after the knobs goes to a search around the best. The chosen configuration is refit
on train+dev and the test set evaluated once, at the end. Saves model.npz, config.toml,
result.json (every step) and report.html into --out. Without arguments: the built-in spiral.
Real-valued targets are a regression: learned and scored standardized (mse 1 = predicting
the mean), the saved model predicts in the target's own units.

examples:
  nnrecipe improve
  nnrecipe improve --dataset digits --minutes 2
  nnrecipe improve --dataset my.csv --target label --baseline 0.02 --minutes 10
  nnrecipe improve --dataset houses.csv --target price --metric mae   # a regression
"""

TUNE_HELP = """\
Search λ, keep_prob, the learning rate, width and depth for the lowest dev error (Optuna: TPE
sampler, median pruning of bad trials from their per-epoch dev error). The test set is never
looked at. Trials run in --workers local processes sharing one study; with --storage (a
PostgreSQL URL, sqlite:///file.db or a journal file) any number of machines can run
`nnrecipe tune --storage URL --study-name NAME --resume` to join it, and --resume continues an
interrupted study. Saves the best model (retrained with its trial's seed), result.json, the
validation curves and report.html into --out. Needs Optuna: pip install optuna (in the
checkout: pip install -e '.[tune]').

examples:
  nnrecipe tune --dataset moons --trials 30
  nnrecipe tune --dataset digits --width-range 32:512 --keep-prob-range 1 --workers 4
  nnrecipe tune --storage postgresql://user@db/nnrecipe --study-name digits --trials 200
  nnrecipe tune --storage postgresql://user@db/nnrecipe --study-name digits --resume  # join
"""

# command -> (one-line summary for `nnrecipe --help`, description for `nnrecipe CMD --help`)
DESCRIPTIONS = {
    IMPROVE: ("improve a network with the basic recipe, step by step", IMPROVE_HELP),
    TUNE: ("search hyperparameters on the dev set (Optuna), in parallel", TUNE_HELP),
}
