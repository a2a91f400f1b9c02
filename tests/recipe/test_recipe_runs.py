"""One run of the recipe: its early stopping on the recipe's metric, and the search space."""

import numpy as np
import pytest

from nnrecipe.recipe import knobs, metrics
from nnrecipe.recipe.search import Sampler
from nnrecipe.recipe.stopping import DevPatience
from nnrecipe.train.callbacks import History


def feed(stopper, errors, losses, network=None):
    """Run the callback over a history with these dev errors and losses; the epoch it
    stopped at (or None) and the best epoch it chose."""
    history = History()
    stopper.on_train_begin(network, history)
    for epoch, (error, loss) in enumerate(zip(errors, losses, strict=True)):
        history.epoch.append(epoch)
        history.dev_error.append(error)
        history.dev_loss.append(loss)
        if stopper.on_epoch_end(network, history):
            return epoch, stopper.best_epoch
    return None, stopper.best_epoch


def test_ties_in_the_dev_error_go_to_the_epoch_with_the_smaller_dev_loss():
    # epochs 1, 2 and 3 share the best error: the first of them had been kept before
    errors = [0.10, 0.05, 0.05, 0.05, 0.07]
    losses = [0.50, 0.30, 0.20, 0.25, 0.40]
    _, best = feed(DevPatience("error", patience=10), errors, losses)
    assert best == 2
    # a smaller error wins whatever its loss
    _, best = feed(DevPatience("error", patience=10), [0.1, 0.04, 0.05], [0.5, 0.9, 0.1])
    assert best == 1


def test_patience_waits_while_either_the_error_or_the_loss_improves():
    errors = [0.10, 0.09, 0.09, 0.09, 0.09, 0.09, 0.09]
    losses = [0.50, 0.60, 0.45, 0.70, 0.70, 0.70, 0.70]
    stopped, best = feed(DevPatience("error", patience=2), errors, losses)
    # epoch 1: error improved; epoch 2: loss improved (and breaks the error tie);
    # epochs 3 and 4: neither, so it stops at 4
    assert (stopped, best) == (4, 2)


class Fixed:
    """A stand-in network whose dev probabilities are set per epoch."""

    def __init__(self, probas):
        self.probas, self.epoch = probas, -1

    def predict_proba(self, X):
        self.epoch += 1
        return self.probas[self.epoch]


def test_balanced_error_is_measured_on_the_prior_shifted_decision():
    # 8 dev rows: 6 of class 0, 2 of class 1; the training prior is 90 % / 10 %
    y = np.array([0, 0, 0, 0, 0, 0, 1, 1])
    prior = np.array([0.9, 0.1])
    # epoch 0: P(1) = 0.2 on the positives: argmax says 0, the shifted decision
    # p1/0.1 = 2 > p0/0.9 = 0.89 says 1; epoch 1: a lower loss but the positives at 0.05
    p0 = np.array([0.05] * 6 + [0.2, 0.2])[:, None]
    p1 = np.array([0.01] * 6 + [0.05, 0.05])[:, None]
    net = Fixed([p0, p1])
    stopper = DevPatience("balanced_error", patience=5, dev=(np.zeros((8, 1)), y), prior=prior)
    _, best = feed(stopper, [0.25, 0.25], [0.30, 0.20], net)
    # epoch 0: both classes right after the shift (0 balanced error); epoch 1: p1/π1 = 0.5 <
    # p0/π0 = 1.06, the positives are missed: balanced error 0.5, whatever the loss
    assert best == 0
    assert stopper.best == 0.0
    shifted = np.hstack([(1 - p1) / 0.9, p1 / 0.1])
    assert metrics.score("balanced_error", y, shifted) == pytest.approx(0.5)


def test_the_search_after_the_knobs_stays_near_the_best_configuration():
    pytest.importorskip("optuna")
    best = knobs.Config(hidden=(64,), learning_rate=0.001, l2=0.1, keep_prob=0.9)
    sampler = Sampler(best, 0.1, seed=0)
    for _ in range(30):
        c = sampler.ask()
        assert 32 <= max(c.hidden) <= 128 and 1 <= len(c.hidden) <= 2
        assert 0.00025 <= c.learning_rate <= 0.004
        assert c.l2 == 0 or 0.1 / 30 * 0.999 <= c.l2 <= 3.0 * 1.001
        assert 0.65 <= c.keep_prob <= 1.0
        sampler.tell(0.2, best)


def test_the_search_tells_a_batch_of_proposals_in_the_order_it_asked_them():
    pytest.importorskip("optuna")
    best = knobs.Config(hidden=(64,), learning_rate=0.001, l2=0.1, keep_prob=0.9)
    sampler = Sampler(best, 0.1, seed=0)
    asked = [sampler.ask(), sampler.ask()]  # two at once, before any is told
    assert asked[0] != asked[1]
    sampler.tell(0.3, best)
    sampler.tell(0.4, best)
    trials = sampler.study.trials
    assert [t.value for t in trials] == [0.1, 0.3, 0.4]
    assert [max(c.hidden) for c in asked] == [t.params["width"] for t in trials[1:]]
    again = Sampler(best, 0.1, seed=0)  # seeded: the same proposals
    assert [again.ask(), again.ask()] == asked


def test_each_fold_standardizes_with_the_rows_it_trains_on_only():
    import nnrecipe as nr
    from nnrecipe.data.normalize import Standardizer
    from nnrecipe.recipe.runs import Trainer

    X, y = nr.datasets.moons(n=120, noise=0.2, seed=0)
    X = X * [1.0, 30.0] + [5.0, -40.0]  # scales far from z-scores: a leak would show
    train, dev = (X[:90], y[:90]), (X[90:], y[90:])
    trainer = Trainer(train, dev, Standardizer().fit(X[:90]), "sigmoid", 1, None, 0,
                      folds=3)  # fmt: skip
    for j, fitted in enumerate(trainer.fold_standardizers):
        rows = trainer.pooled[0][trainer.fold_of != j]
        np.testing.assert_allclose(fitted.mean_, rows.mean(axis=0))
        assert not np.allclose(fitted.mean_, trainer.pooled[0].mean(axis=0))
    run = trainer(knobs.Config(hidden=(4,), epochs=2, batch_size=32, learning_rate=0.01))
    np.testing.assert_allclose(run.network.standardizer.mean_,
                               trainer.fold_standardizers[0].mean_)  # fmt: skip


def test_the_smaller_knob_drops_a_layer_or_halves_the_units():
    from nnrecipe.recipe.knobs import directions

    how, dirs = directions("smaller", knobs.Config(hidden=(256, 256)), images=False)
    assert how == "shrink"  # a walk that stops at its first miss
    assert [[c.hidden for c in d] for d in dirs] == [[(256,)], [(128, 128), (64, 64)]]
    _, dirs = directions("smaller", knobs.Config(hidden=(16,), l2=0.1), images=False)
    assert [[c.hidden for c in d] for d in dirs] == [[(8,)]]
    assert all(c.l2 == 0.1 for d in dirs for c in d)  # the knob's field only
    assert directions("smaller", knobs.Config(hidden=(8,)), images=False)[1] == []
