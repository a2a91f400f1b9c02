"""Early stopping driven by scripted dev losses, and best-weight restoration in fit."""

import numpy as np
import pytest

import nnrecipe as nr
from nnrecipe.train.callbacks import BestEpoch


def run(losses, **kwargs):
    es = nr.EarlyStopping(**kwargs)
    for epoch, value in enumerate(losses):
        if es.update(value, epoch):
            return es, epoch
    return es, None


def test_stops_after_patience_epochs_without_improvement():
    es, stopped = run([1.0, 0.8, 0.7, 0.71, 0.72, 0.75, 0.69], patience=3)
    assert stopped == 5 and es.best == 0.7 and es.best_epoch == 2


def test_never_fires_while_improving():
    es, stopped = run([1.0, 0.9, 0.8, 0.7, 0.6], patience=1)
    assert stopped is None and es.best_epoch == 4 and es.stopped_epoch is None


def test_min_delta_ignores_tiny_improvements():
    es, stopped = run([1.0, 0.999, 0.998, 0.997], patience=2, min_delta=0.01)
    assert stopped == 2 and es.best_epoch == 0


def test_patience_zero_stops_at_first_non_improvement():
    _, stopped = run([1.0, 0.5, 0.6], patience=0)
    assert stopped == 2


class Snapshots(nr.Callback):
    def __init__(self):
        self.weights = []

    def on_epoch_end(self, network, history):
        self.weights.append(network.get_vector())


def scripted_network(script, X_dev):
    """A network whose measured dev loss follows ``script``, one value per epoch."""
    net = nr.Network([2, 8, 1], seed=0)
    measure = net.measure
    epoch = iter(range(len(script)))

    def evaluate(X, Y):
        loss, error = measure(X, Y)
        return (script[next(epoch)], error) if X.shape == X_dev.shape else (loss, error)

    net.measure = evaluate
    return net


@pytest.mark.parametrize("fires", [True, False])
def test_fit_ends_with_the_best_weights_whether_or_not_stopping_fires(fires):
    X, y = nr.datasets.moons(n=200, seed=0)
    X_dev, y_dev = X[:50], y[:50]
    script = [0.9, 0.5, 0.3, 0.4, 0.45, 0.5, 0.6, 0.7] if fires else [0.9, 0.5, 0.3, 0.4, 0.45]
    net = scripted_network(script, X_dev)
    snapshots = Snapshots()
    history = net.fit(
        X,
        y,
        dev=(X_dev, y_dev),
        epochs=len(script),
        learning_rate=0.05,
        early_stopping=nr.EarlyStopping(patience=3),
        callbacks=[snapshots],
    )
    assert history.dev_loss == script[: len(history)]
    assert history.stop_reason == ("early_stopping" if fires else "completed")
    assert len(history) == (6 if fires else 5)
    assert history.best_epoch == 2
    assert not np.array_equal(snapshots.weights[2], snapshots.weights[-1])
    np.testing.assert_array_equal(net.get_vector(), snapshots.weights[2])


def test_without_early_stopping_fit_keeps_the_last_weights():
    X, y = nr.datasets.moons(n=200, seed=0)
    net = scripted_network([0.9, 0.1, 0.5], X[:50])
    snapshots = Snapshots()
    net.fit(X, y, dev=(X[:50], y[:50]), epochs=3, callbacks=[snapshots])
    np.testing.assert_array_equal(net.get_vector(), snapshots.weights[-1])


def test_early_stopping_on_dev_needs_a_dev_set():
    X, y = nr.datasets.moons(n=50, seed=0)
    with pytest.raises(ValueError, match="dev"):
        nr.Network([2, 3, 1]).fit(X, y, early_stopping=nr.EarlyStopping())


def test_with_min_delta_the_weights_restored_are_those_early_stopping_chose():
    # epoch 2's 0.49 is lower than epoch 1's 0.5 but not by min_delta: early stopping's best
    # stays epoch 1, and so must the weights fit restores and the History's best_epoch
    X, y = nr.datasets.moons(n=200, seed=0)
    X_dev, y_dev = X[:50], y[:50]
    script = [0.9, 0.5, 0.49, 0.6, 0.7, 0.8]
    net = scripted_network(script, X_dev)
    snapshots = Snapshots()
    stopper = nr.EarlyStopping(patience=3, min_delta=0.05)
    history = net.fit(
        X,
        y,
        dev=(X_dev, y_dev),
        epochs=len(script),
        learning_rate=0.05,
        early_stopping=stopper,
        callbacks=[snapshots],
    )
    assert history.stop_reason == "early_stopping" and len(history) == 5
    assert stopper.best_epoch == history.best_epoch == 1
    assert stopper.best == 0.5
    assert not np.array_equal(snapshots.weights[1], snapshots.weights[2])
    np.testing.assert_array_equal(net.get_vector(), snapshots.weights[1])


def test_best_epoch_tracker_rule_by_hand():
    tracker = BestEpoch(min_delta=0.1)
    improved = [tracker.update(v, e) for e, v in enumerate([1.0, 0.95, 0.85, float("nan"), 0.7])]
    assert improved == [True, False, True, False, True]
    assert (tracker.best, tracker.epoch) == (0.7, 4)


def test_early_stopping_keeps_and_restores_the_best_epochs_weights():
    """The weights belong to the callback that chose the epoch: keep() copies them on the best
    epoch only, restore() writes them back."""
    stopper = nr.EarlyStopping(patience=5)
    theta = np.zeros(3)
    assert not stopper.restore(theta)  # nothing kept yet
    for epoch, loss in enumerate([1.0, 0.5, 0.7]):
        stopper.update(loss, epoch)
        theta[:] = epoch + 1
        assert stopper.keep(theta, epoch) == (epoch < 2)
    assert stopper.best_epoch == 1
    np.testing.assert_array_equal(stopper.best_weights, [2.0, 2.0, 2.0])
    assert stopper.restore(theta)
    np.testing.assert_array_equal(theta, [2.0, 2.0, 2.0])
    stopper.on_train_begin(None, None)  # a new fit forgets them
    assert stopper.best_weights is None and stopper.best_epoch is None
