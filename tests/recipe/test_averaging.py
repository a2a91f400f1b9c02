"""improve's last step (recipe/averaging.py) and its runs in worker processes (issue 25)."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

import nnrecipe as nr
from nnrecipe.cli import main
from nnrecipe.recipe import averaging, metrics

pytestmark = pytest.mark.ensemble

X, Y = nr.datasets.moons(n=300, noise=0.3, seed=0)
FAST = {"epochs": 60, "seed": 0, "learning_curve": False, "minutes": 5}


def fingerprint(result):
    """The trail and every weight of the chosen model (each member's for an ensemble)."""
    members = getattr(result.network, "members", [result.network])
    steps = [(s.knob, s.change, s.dev_after, s.kept) for s in result.steps]
    return steps, [m.theta.copy() for m in members]


def same(a, b):
    assert a[0] == b[0]
    assert len(a[1]) == len(b[1])
    for x, y in zip(a[1], b[1], strict=True):
        np.testing.assert_array_equal(x, y)


def test_n_jobs_1_and_2_give_the_same_trail_and_weights_ensemble_included():
    runs = [nr.improve(X, Y, budget=2, ensemble_size=3, n_jobs=j, **FAST) for j in (1, 2)]
    same(fingerprint(runs[0]), fingerprint(runs[1]))  # 5 folds, knob values, seeds, refits
    assert runs[0].steps[-1].knob == "ensemble" and runs[0].folds == 5
    assert runs[0].steps[-1].change.startswith("ensemble of 3 (seeds 0–2")


def _kept(monkeypatch, keep: bool):
    """Make the ensemble's decision (only: the search keeps its own metrics.better)."""
    monkeypatch.setattr(averaging, "keeps", lambda values, single, chosen: keep)


def test_a_kept_ensemble_is_the_model_and_its_dev_value_is_the_mean_probabilitys(monkeypatch):
    _kept(monkeypatch, True)
    parts = nr.split(X, Y, seed=0)
    r = nr.improve(*parts.train, dev=parts.dev, test=parts.test, budget=1, cv=1, refit=False,
                   ensemble_size=3, n_jobs=1, **FAST)  # fmt: skip
    assert isinstance(r.network, nr.Ensemble) and len(r.network.members) == 3
    step = r.steps[-1]
    assert step.kept and step.kind == "ensemble"
    # the measured networks (trained on train, seeds 0, 1, 2): dev error of their mean
    X_dev, y_dev = parts.dev
    wrong = r.network.predict(X_dev) != y_dev
    assert step.dev_after == pytest.approx(wrong.mean())
    mean = np.mean([m.predict_proba(X_dev) for m in r.network.members], axis=0)
    np.testing.assert_allclose(r.network.predict_proba(X_dev), mean)
    # "before": one network, each dev example's error averaged over the three seeds
    single = np.mean([m.predict(X_dev) != y_dev for m in r.network.members], axis=0)
    assert step.dev_before == pytest.approx(single.mean())
    assert r.steps[0].dev_after == pytest.approx(
        np.mean(r.network.members[0].predict(X_dev) != y_dev)
    )
    assert r.test_error == pytest.approx(np.mean(r.network.predict(parts.test[0]) != parts.test[1]))
    assert any("ensemble of the 3 measured networks" in n for n in r.notes)
    values = next(line for line in r.summary() if line.startswith("train "))
    assert f"dev {r.dev_error:.2%} (the chosen run)" in values
    assert (f"the model, an ensemble of 3: dev {step.dev_after:.2%} (one network of its "
            f"configuration: {step.dev_before:.2%})") in values  # fmt: skip
    seeds = [m.get_parameters()["W1"] for m in r.network.members]
    assert not np.array_equal(seeds[0], seeds[1])  # each its own seed


def test_a_kept_ensemble_is_refit_on_train_and_dev(monkeypatch):
    _kept(monkeypatch, True)
    r = nr.improve(X, Y, budget=1, cv=1, ensemble_size=2, n_jobs=1, **FAST)
    assert r.refit and isinstance(r.network, nr.Ensemble) and len(r.network) == 2
    pooled = np.concatenate([r.split.train[0], r.split.dev[0]])
    for member in r.network.members:  # standardized with train+dev statistics, as the refit
        # robust scaling since issue 24's start: train+dev's median
        np.testing.assert_allclose(member.standardizer.median_, np.median(pooled, axis=0))
    assert any("refit on train+dev with seeds 0–1" in n for n in r.notes)


def test_refits_that_do_not_fit_leave_measured_members_beside_the_refit_one(monkeypatch):
    _kept(monkeypatch, True)
    members = averaging._members

    def late(recipe, *args):
        recipe.refit_seconds = lambda: 1e9  # after the chosen refit: no other refit fits
        return members(recipe, *args)

    monkeypatch.setattr(averaging, "_members", late)
    r = nr.improve(X, Y, budget=1, cv=1, ensemble_size=3, n_jobs=1, **FAST)
    assert r.refit and isinstance(r.network, nr.Ensemble) and len(r.network) == 3
    first, *rest = r.network.members
    pooled = np.concatenate([r.split.train[0], r.split.dev[0]])
    np.testing.assert_allclose(first.standardizer.median_, np.median(pooled, axis=0))
    for member in rest:  # as measured: scaled by the training rows' statistics
        np.testing.assert_allclose(member.standardizer.median_, np.median(r.split.train[0], axis=0))
    assert any("1 refit on train+dev, 2 as measured" in n for n in r.notes)


def test_an_ensemble_that_does_not_resolve_is_undone_and_one_can_turn_it_off(monkeypatch):
    _kept(monkeypatch, False)
    r = nr.improve(X, Y, budget=1, cv=1, ensemble_size=3, n_jobs=1, **FAST)
    assert type(r.network) is nr.Network and r.steps[-1].knob == "ensemble"
    assert r.steps[-1].verdict == "undone"
    off = nr.improve(X, Y, budget=1, cv=1, ensemble=False, n_jobs=1, **FAST)
    assert [s.knob for s in off.steps] == ["start"]
    with pytest.raises(ValueError, match="ensemble_size"):
        nr.improve(X, Y, ensemble_size=0)


def test_the_cli_saves_a_kept_ensemble_and_predicts_with_it(monkeypatch, tmp_path, capsys):
    _kept(monkeypatch, True)
    out = tmp_path / "run"
    args = ["improve", "--dataset", "moons", "--n", "300", "--budget", "1", "--cv", "1"]
    code = main([*args, "--ensemble-size", "2", "--jobs", "1", "--epochs", "40",
                 "--out", str(out), "--json"])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.err
    result = json.loads(captured.out)
    assert result["steps"][-1]["knob"] == "ensemble" and (out / "report.html").is_file()
    model = nr.load(out / "model.npz")
    assert isinstance(model, nr.Ensemble) and len(model) == 2


def test_a_dask_cluster_gives_improve_the_same_result_as_local_workers(on_dask_cluster):
    local = nr.improve(X, Y, budget=2, cv=1, ensemble_size=2, n_jobs=2, **FAST)
    with on_dask_cluster():
        remote = nr.improve(X, Y, budget=2, cv=1, ensemble_size=2, n_jobs=-1, **FAST)
    same(fingerprint(local), fingerprint(remote))


def test_ctrl_c_during_the_ensemble_keeps_the_one_network(monkeypatch):
    from nnrecipe.recipe.runs import Trainer

    many = Trainer.many

    def ctrl_c(self, configs, seeds=None, epochs=None):
        if seeds is not None:  # the ensemble's runs (each its own seed)
            raise KeyboardInterrupt
        return many(self, configs)

    monkeypatch.setattr(Trainer, "many", ctrl_c)
    r = nr.improve(X, Y, budget=1, cv=1, ensemble_size=3, n_jobs=1, **FAST)
    assert type(r.network) is nr.Network and r.stop_reason == "interrupted"
    assert [s.knob for s in r.steps] == ["start"] and r.refit
    assert any("Ctrl-C stopped it" in n for n in r.notes)


def test_the_search_after_the_knobs_gives_the_same_trail_with_1_and_2_jobs():
    # network=[2], 5 epochs: the knobs run out after ~35 runs, then the search proposes
    # two configurations at a time (recipe.loop.SEARCH_BATCH), whatever n_jobs is
    X2, Y2 = nr.datasets.moons(n=200, noise=0.3, seed=0)
    kwargs = {"budget": 40, "epochs": 5, "cv": 1, "seed": 0, "network": [2], "refit": False,
              "learning_curve": False, "ensemble": False, "baseline_error": 0.0}  # fmt: skip
    runs = [nr.improve(X2, Y2, n_jobs=j, **kwargs) for j in (1, 2)]
    same(fingerprint(runs[0]), fingerprint(runs[1]))
    assert len(runs[0].steps) == 40  # the budget holds with a batch cut to what is left
    assert sum(s.knob == "search" for s in runs[0].steps) >= 3


@pytest.mark.parametrize("cv", [1, 3])
def test_members_train_the_chosen_runs_epochs_without_early_stopping(monkeypatch, cv):
    """Every other seed trains exactly the epochs the chosen run's early stopping found, per
    fold, with no dev set: none picks its epoch on the rows the ensemble is measured on."""
    from nnrecipe.recipe.runs import Trainer

    seen, piece = [], Trainer.piece

    def spy(self, item, at):
        out = piece(self, item, at)
        seen.append((item[1:], len(out[1]), out[1].dev_loss, out[4]))
        return out

    monkeypatch.setattr(Trainer, "piece", spy)
    r = nr.improve(X, Y, budget=1, cv=cv, refit=False, ensemble_size=3, n_jobs=1, **FAST)
    start = [s for s in seen if s[0][2] is None]
    members = [s for s in seen if s[0][2] is not None]
    assert len(start) == cv and len(members) == 2 * cv
    assert all(s[2] for s in start)  # the start measured dev (its early stopping) every epoch
    best = {s[0][0]: s[3] for s in start}  # fold → the epochs its early stopping kept
    assert any(s[1] > s[3] for s in start)  # trained on past its best (patience)
    for (fold, seed, fixed), trained, dev_loss, _ in members:
        assert seed in (1, 2) and fixed == trained == best[fold] and not dev_loss
    assert r.steps[-1].knob == "ensemble"


def test_a_member_the_deadline_cuts_short_leaves_the_one_network(monkeypatch):
    from nnrecipe.recipe.runs import Trainer

    many = Trainer.many

    def late(self, configs, seeds=None, epochs=None):
        if epochs is not None:
            self.deadline = 0.0  # long past: every member stops after its first epoch
        return many(self, configs, seeds=seeds, epochs=epochs)

    monkeypatch.setattr(Trainer, "many", late)
    r = nr.improve(X, Y, budget=1, cv=1, refit=False, ensemble_size=3, n_jobs=1, **FAST)
    assert type(r.network) is nr.Network and [s.knob for s in r.steps] == ["start"]
    assert any("ended its networks' training early" in n for n in r.notes)


def test_ctrl_c_before_any_run_is_recorded_is_an_interrupt_not_a_crash(monkeypatch):
    """With workers, Ctrl-C during the start run's folds returns no run at all: improve
    raises KeyboardInterrupt (the CLI: exit 130, nothing saved), not an AttributeError."""
    from nnrecipe.recipe import runs

    def interrupted(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(runs.Trainer, "__call__", interrupted)
    monkeypatch.setattr(runs.Trainer, "many", interrupted)
    with pytest.raises(KeyboardInterrupt, match="before the first network"):
        nr.improve(X, Y, budget=1, cv=1, n_jobs=1, **FAST)


def test_a_members_expected_time_counts_only_the_epochs_it_keeps_width_at_a_time():
    """By hand: the chosen run trained 60 epochs in 3 s (0.05 s each) and its two folds kept
    30 and 50: a member is 80 epochs, 4 s on one worker. Two workers: hold-out members go
    in waves of two (3 members: 2 waves, 8 s); k-fold members' folds spread (3 × 4 / 2 = 6 s)."""
    from types import SimpleNamespace

    from nnrecipe.train.callbacks import History

    history = History(epoch=list(range(60)), time=[0.05 * (e + 1) for e in range(60)])
    run = SimpleNamespace(seconds=10.0, best_epochs=[30, 50], history=history)
    assert averaging.member_seconds(run) == pytest.approx(4.0)
    recipe = SimpleNamespace(width=2, trainer=SimpleNamespace(folds=1))
    assert averaging.wall(recipe, 3, 4.0) == pytest.approx(8.0)
    assert averaging.wall(recipe, 2, 4.0) == pytest.approx(4.0)
    recipe.trainer.folds = 5
    assert averaging.wall(recipe, 3, 4.0) == pytest.approx(6.0)
    assert averaging.wall(recipe, 3, 4.0, folds=False) == pytest.approx(8.0)  # refits: waves
    # the most that fit: 7 s left hold one wave of two 4-s refits, 9 s two waves (four)
    recipe.end = time.perf_counter() + 7.0
    assert averaging.most(recipe, 4, 4.0, folds=False) == 2
    recipe.end = time.perf_counter() + 9.0
    assert averaging.most(recipe, 4, 4.0, folds=False) == 4
    assert averaging.most(recipe, 3, 4.0, folds=False) == 3  # never more than asked
    recipe.end = time.perf_counter() - 1.0  # past the budget: none, never a negative count
    assert averaging.most(recipe, 4, 4.0, folds=False) == 0


def test_not_refit_with_k_fold_the_model_averages_the_chosen_runs_fold_networks():
    """No refit: the cross-validation's k networks, each trained on (k − 1)/k of train+dev,
    averaged (a bag), not fold 1's alone; its probabilities are the mean of theirs."""
    r = nr.improve(X, Y, budget=1, cv=3, refit=False, ensemble=False, n_jobs=1, **FAST)
    assert isinstance(r.network, nr.Ensemble) and len(r.network) == 3 and not r.refit
    medians = [m.standardizer.median_ for m in r.network.members]  # each fold's own rows
    assert not np.allclose(medians[0], medians[1]) and not np.allclose(medians[1], medians[2])
    mean = np.mean([m.predict_proba(X) for m in r.network.members], axis=0)
    np.testing.assert_allclose(r.network.predict_proba(X), mean)
    assert any("averages the chosen run's 3 fold networks" in n for n in r.notes)


def test_a_kept_ensemble_without_refit_holds_every_fold_of_every_seed(monkeypatch):
    _kept(monkeypatch, True)
    r = nr.improve(X, Y, budget=1, cv=3, refit=False, ensemble_size=2, n_jobs=1, **FAST)
    assert isinstance(r.network, nr.Ensemble) and len(r.network) == 6
    assert any("6 measured networks: 2 seeds (0–1) × 3 folds" in n for n in r.notes)


def test_without_a_refit_the_ensemble_must_also_be_no_worse_than_the_chosen_network():
    """By hand: 10 dev rows, error values 0/1. The seeds' mean errs 0.5 on each row; the
    ensemble errs on 2 rows, a resolved gain over that mean. After a refit that is enough
    (the alternative is one network of a fixed epoch count); without one, the alternative is
    the chosen network, which errs on 1 row here: the ensemble (0.2) is worse, not kept."""
    single = np.full(10, 0.5)
    ensemble = np.array([1, 1, 0, 0, 0, 0, 0, 0, 0, 0], dtype=float)
    assert metrics.better(ensemble, single)
    assert averaging.keeps(ensemble, single, None)  # refit: the seeds' mean is the mark
    chosen = np.array([1, 0, 0, 0, 0, 0, 0, 0, 0, 0], dtype=float)
    assert not averaging.keeps(ensemble, single, chosen)
    assert averaging.keeps(ensemble, single, np.array([1, 1, 1, 0, 0, 0, 0, 0, 0, 0.0]))
    assert averaging.keeps(ensemble, single, ensemble)  # equal: no worse
    assert not averaging.keeps(single, single, None)  # no resolved gain: never
