"""Hyperparameter search (`nnrecipe tune`): space, objective, pruning, resume, worker pools."""

import time

import numpy as np
import pytest

import nnrecipe as nr
from nnrecipe.tune import space as search_space

optuna = pytest.importorskip("optuna")

from nnrecipe.tune import settings as tuning_settings  # noqa: E402
from nnrecipe.tune import storage as tuning_storage  # noqa: E402
from nnrecipe.tune import study as tuning  # noqa: E402
from nnrecipe.tune import workers as tuning_workers  # noqa: E402

SMALL = {"width": (4, 32), "depth": (1, 2)}


@pytest.fixture(scope="module")
def moons():
    X, y = nr.datasets.moons(n=500, noise=0.25, seed=0)
    return X[:300], y[:300], (X[300:], y[300:])


def run(moons, **kwargs):
    X, y, dev = moons
    options = dict(trials=4, workers=1, epochs=12, space=SMALL, seed=0)
    options.update(kwargs)
    return tuning.tune(X, y, dev, **options)


# ------------------------------------------------------------------ search space
def test_default_space_and_fixed_values():
    space = search_space.check_space({"keep_prob": 1.0, "width": [16, 64]})
    assert space["l2"] == (1e-4, 10.0) and space["learning_rate"] == (1e-4, 0.1)
    assert space["keep_prob"] == 1.0 and space["width"] == (16, 64) and space["depth"] == (1, 4)
    assert search_space.searched(space) == ["l2", "learning_rate", "width", "depth"]
    assert search_space.layer_sizes({"width": 16, "depth": 3}, 2, 1) == [2, 16, 16, 16, 1]


@pytest.mark.parametrize(
    "space, match",
    [
        ({"lambda": (0.1, 1)}, "unknown names"),
        ({"l2": (1.0, 0.1)}, "low <= high"),
        ({"l2": (0.0, 1.0)}, "log scale"),
        ({"keep_prob": (0.0, 1.0)}, "keep_prob"),
        ({"width": (8.5, 16)}, "whole numbers"),
        ({"depth": (1, 2, 3)}, r"\(low, high\)"),
    ],
)
def test_bad_space_is_named(space, match):
    with pytest.raises(ValueError, match=match):
        search_space.check_space(space)


def test_draws_respect_ranges_and_log_scale():
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    space = search_space.check_space({"keep_prob": 0.9})
    draws = [search_space.suggest(study.ask(), space) for _ in range(400)]
    l2 = np.array([d["l2"] for d in draws])
    assert l2.min() >= 1e-4 and l2.max() <= 10 and all(d["keep_prob"] == 0.9 for d in draws)
    # log-uniform: each decade of [1e-4, 10] gets about a fifth of the draws
    decade = np.floor(np.log10(l2)).astype(int)
    shares = np.bincount(decade + 4, minlength=5)[:5] / len(l2)
    assert np.all(np.abs(shares - 0.2) < 0.07)
    depths = {d["depth"] for d in draws}
    assert depths == {1, 2, 3, 4} and all(isinstance(d["width"], int) for d in draws)


# ------------------------------------------------------------------ objective and pruning
class PruneFromStep(optuna.pruners.BasePruner):
    def __init__(self, step):
        self.step = step

    def prune(self, study, trial):
        return trial.last_step is not None and trial.last_step >= self.step


def test_pruning_stops_training_from_reported_dev_errors(moons):
    X, y, dev = moons
    settings = tuning_settings.settings_for(
        {"epochs": 30, "batch_size": 64, "optimizer": "adam", "patience": 30, "prune": True},
        None,
        (X, y, *dev),
        SMALL,
    )
    settings["seed"] = 0
    job = tuning_workers.Job(None, "s", 60, 1, None, 0, settings, (X, y, *dev))
    study = optuna.create_study(pruner=PruneFromStep(3))
    study.optimize(lambda t: tuning.objective(t, job), n_trials=1)
    trial = study.trials[0]
    assert trial.state.name == "PRUNED"
    assert sorted(trial.intermediate_values) == [0, 1, 2, 3]  # reported every epoch, then stopped
    assert trial.user_attrs["epochs"] == 4
    # what was reported is the inference-mode dev error of the epoch
    assert all(0 <= v <= 1 for v in trial.intermediate_values.values())


def test_search_finds_a_good_network_and_refit_replays_the_best_trial(moons):
    result = run(moons, trials=5)
    assert result.stop_reason == "completed"
    assert result.count("COMPLETE") + result.count("PRUNED") == 5
    assert result.best_value <= 0.15  # noisy moons: a tuned net gets ~5-10 % dev error
    best = next(t for t in result.trials if t["number"] == result.best_trial)
    assert (
        best["dev_error"]
        == result.best_value
        == min(t["dev_error"] for t in result.trials if t["state"] == "COMPLETE")
    )
    # trial n trains with seed + n: the refit network is the very one the trial measured
    assert result.network_dev_error == result.best_value
    assert result.network.layer_sizes == result.best_layer_sizes
    assert result.network.l2 == pytest.approx(result.best_params["l2"])


def test_same_seed_same_search(moons):
    a, b = run(moons, trials=3, refit=False), run(moons, trials=3, refit=False)
    assert [t["params"] for t in a.trials] == [t["params"] for t in b.trials]
    assert [t["dev_error"] for t in a.trials] == [t["dev_error"] for t in b.trials]


# ------------------------------------------------------------------ storage, resume, workers
def test_resume_continues_the_study_and_keeps_its_settings(moons, tmp_path):
    journal = tmp_path / "study.journal"
    first = run(moons, trials=3, storage=journal, study_name="s", refit=False)
    again = run(
        moons,
        trials=5,
        storage=journal,
        study_name="s",
        resume=True,
        epochs=None,
        space=None,
        refit=False,
    )
    assert len(again.trials) == 5 and again.settings["epochs"] == 12
    assert again.trials[:3] == first.trials  # nothing finished is lost or redone
    with pytest.raises(ValueError, match="epochs=12, not 50"):
        run(moons, storage=journal, study_name="s", resume=True, epochs=50)
    X, y, dev = moons
    with pytest.raises(ValueError, match="data differ"):
        tuning.tune(X[:200], y[:200], dev, storage=journal, resume=True, workers=1)
    with pytest.raises(ValueError, match="already exists"):
        run(moons, storage=journal, study_name="s")
    with pytest.raises(ValueError, match="no study 'other'"):
        run(moons, storage=journal, study_name="other", resume=True)


def test_local_worker_processes_share_one_study(moons, tmp_path):
    result = run(moons, trials=6, workers=2, storage=tmp_path / "pool.journal", refit=False)
    finished = result.count("COMPLETE") + result.count("PRUNED")
    assert 6 <= finished <= 7  # two workers may take the last slot at the same instant
    assert result.count("FAIL") == result.count("RUNNING") == 0
    assert len({t["worker"] for t in result.trials}) == 2  # both processes ran trials
    assert result.best_value is not None


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"trials": 0}, ValueError, "trials"),
        ({"workers": 0}, ValueError, "workers"),
        ({"storage": "ftp://host/x"}, ValueError, "unknown scheme"),
        ({"optimizer": "adamw"}, ValueError, "valid names"),
        ({"prune": "yes"}, TypeError, "prune"),
        ({"space": {"width": (0, 8)}}, ValueError, "width"),
    ],
)
def test_bad_arguments_raise_before_any_work(moons, kwargs, error, match):
    with pytest.raises(error, match=match):
        run(moons, **kwargs)


def test_dead_remote_worker_is_failed_by_its_silent_heartbeat(tmp_path):
    """A trial whose heartbeat stops (its machine died) is failed after 2 x heartbeat."""
    url = f"sqlite:///{tmp_path / 'hb.db'}"
    storage = tuning_storage.open_storage(url, heartbeat=1)
    study = optuna.create_study(storage=storage, study_name="hb")
    with pytest.warns(UserWarning, match="Heartbeat"):  # Optuna: ask() has no heartbeat thread
        dead, alive = study.ask(), study.ask()
    for trial in (dead, alive):
        trial.set_user_attr("worker", "another-machine:12345")  # not a local pid we can probe
        storage.record_heartbeat(trial._trial_id)
    time.sleep(3.1)  # SQLite's clock has whole seconds: 3 s is surely more than 2
    storage.record_heartbeat(alive._trial_id)
    tuning_workers.fail_dead_workers(study, storage)
    states = {t.number: t.state.name for t in study.get_trials()}
    assert states == {dead.number: "FAIL", alive.number: "RUNNING"}


def test_validation_curves_are_drawn(moons, tmp_path):
    pytest.importorskip("matplotlib")
    result = run(moons, trials=4, refit=False)
    path = result.plot(tmp_path / "curves.png")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(data[16:20], "big")
    assert width >= 3.2 * 100 * len(search_space.searched(result.settings["space"])) - 1


def test_without_a_dev_set_the_auto_split_is_used_and_the_test_part_set_aside():
    X, y = nr.datasets.moons(n=500, noise=0.25, seed=0)
    result = tuning.tune(X, y, trials=2, workers=1, epochs=5, space=SMALL, refit=False)
    # 500 examples: 60/20/20; tuning sees train and dev only
    assert (result.settings["n_train"], result.settings["n_dev"]) == (300, 100)
    (Xt, yt), (Xd, yd), _ = nr.split(X, y, seed=0)
    assert result.settings["data"] == tuning_settings.fingerprint(Xt, yt, Xd, yd)


def test_a_trial_whose_training_was_interrupted_is_not_counted_as_finished(moons, monkeypatch):
    """fit catches Ctrl-C and returns its best weights so far: the trial must not be recorded
    as complete (it could even become the best), and the search stops with the best finished
    trial retrained."""
    real = tuning.train_config
    calls = []

    def train_config(params, settings, data, seed, callbacks=()):
        net, history = real(params, settings, data, seed, callbacks)
        calls.append(seed)
        if len(calls) == 3:  # Ctrl-C lands in the third trial's training
            history.stop_reason = "interrupted"
        return net, history

    monkeypatch.setattr(tuning, "train_config", train_config)
    result = run(moons, trials=10, prune=False)
    assert result.stop_reason == "interrupted"
    assert [t["state"] for t in result.trials] == ["COMPLETE", "COMPLETE", "FAIL"]
    assert result.network is not None and result.best_trial in (0, 1)
    assert result.network_dev_error == result.best_value


def test_trials_scale_inputs_as_improve_does_and_old_studies_keep_z_scores(moons, tmp_path):
    """A new study's networks scale an array's inputs robustly (improve's start: median/IQR,
    smooth clipping), and the study says so; a table's preprocessing does it instead (no
    second scaling in the network). A study stored before the scaling was (no such keys)
    resumes with the z-scores it was created with."""
    from nnrecipe.data.normalize import Standardizer
    from nnrecipe.data.robust_scale import RobustScaler

    journal = tmp_path / "study.journal"
    first = run(moons, trials=2, storage=journal, study_name="s")
    assert first.settings["scaling"] == "robust" and first.settings["standardize"] == "robust"
    assert isinstance(first.network.standardizer, RobustScaler)
    X_train = moons[0]
    np.testing.assert_allclose(first.network.standardizer.median_, np.median(X_train, axis=0))
    storage = tuning_storage.open_storage(str(journal))
    study = optuna.load_study(study_name="s", storage=storage)
    old = {k: v for k, v in study.user_attrs["nnrecipe"].items()
           if k not in ("scaling", "standardize")}  # fmt: skip
    study.set_user_attr("nnrecipe", old)
    again = run(moons, trials=3, storage=journal, study_name="s", resume=True, epochs=None,
                space=None)  # fmt: skip
    assert isinstance(again.network.standardizer, Standardizer)

    import pandas as pd

    frame = pd.DataFrame(X_train, columns=["a", "b"]).assign(label=moons[1])
    table = tuning.tune(frame, target="label", trials=2, workers=1, epochs=5, space=SMALL)
    assert table.settings["scaling"] == "robust" and table.settings["standardize"] is False
    assert table.network.standardizer is None
