"""scikit-learn's callback API: one subtask per epoch, scores per epoch."""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

import numpy as np
import pytest
from sklearn.callback import ProgressBar, ScoringMonitor
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skrnn import RNNClassifier, RNNRegressor, RNNSeq2Seq


def _data():
    X = np.random.RandomState(0).normal(size=(40, 5))
    return X, (X[:, 0] > 0).astype(int)


@pytest.mark.parametrize("Estimator", [RNNClassifier, RNNRegressor])
def test_callbacks_scoring_monitor_records_every_epoch(Estimator):
    X, y = _data()
    scoring = "accuracy" if Estimator is RNNClassifier else "r2"
    monitor = ScoringMonitor(scoring=scoring)
    est = Estimator(hidden_size=4, max_iter=6, n_iter_no_change=100, random_state=0)
    with pytest.warns(ConvergenceWarning):
        est.set_callbacks(monitor).fit(X, y)
    rows = monitor.get_logs().data
    epochs = [row for row in rows if row["task_name"] == "epoch"]
    assert [row["task_id"] for row in epochs] == list(range(est.n_iter_))
    # The last epoch's score is the fitted model's score on the same data.
    assert epochs[-1][scoring] == pytest.approx(est.score(X, y))


def test_callbacks_scoring_monitor_on_seq2seq():
    # Sequence targets: the estimator's own score (mean log-likelihood per
    # target token) as the monitored score.
    X = ["abc", "bca", "cab", "acb"] * 5
    y = [x[::-1] for x in X]
    monitor = ScoringMonitor(scoring={"score": lambda est, X, y: est.score(X, y)})
    model = RNNSeq2Seq(hidden_size=4, max_iter=4, n_iter_no_change=100, random_state=0)
    with pytest.warns(ConvergenceWarning):
        model.set_callbacks(monitor).fit(X, y)
    epochs = [r for r in monitor.get_logs().data if r["task_name"] == "epoch"]
    assert [row["task_id"] for row in epochs] == list(range(4))
    scores = [row["score"] for row in epochs]
    assert scores[-1] == pytest.approx(model.score(X, y))
    assert scores[-1] > scores[0]


def test_callbacks_scoring_monitor_in_pipeline():
    X, y = _data()
    monitor = ScoringMonitor(scoring="accuracy")
    clf = RNNClassifier(hidden_size=4, max_iter=3, random_state=0)
    pipe = make_pipeline(StandardScaler(), clf.set_callbacks(monitor))
    with pytest.warns(ConvergenceWarning):
        pipe.fit(X, y)
    epochs = [r for r in monitor.get_logs().data if r["task_name"] == "epoch"]
    assert len(epochs) == 3


class _RecordingProgressBar(ProgressBar):
    """A ProgressBar that also records the tasks it is told of."""

    def __init__(self):
        super().__init__()
        self.events = []

    def on_fit_task_begin(self, estimator, context, **kwargs):
        self.events.append(("begin", context.task_name, context.task_id))
        super().on_fit_task_begin(estimator, context)

    def on_fit_task_end(self, estimator, context, **kwargs):
        self.events.append(("end", context.task_name, context.task_id))
        return super().on_fit_task_end(estimator, context)


def test_callbacks_progress_bar_follows_every_epoch(capsys):
    X, y = _data()
    progress_bar = _RecordingProgressBar()
    clf = RNNClassifier(hidden_size=4, max_iter=2, random_state=0)
    # The bar never asks to stop: the fit runs to max_iter.
    with pytest.warns(ConvergenceWarning):
        clf.set_callbacks(progress_bar).fit(X, y)
    assert clf.n_iter_ == 2
    # The bar is told of the fit task and of each epoch's begin and end.
    assert progress_bar.events == [
        ("begin", "fit", 0),
        ("begin", "epoch", 0),
        ("end", "epoch", 0),
        ("begin", "epoch", 1),
        ("end", "epoch", 1),
        ("end", "fit", 0),
    ]
    # And draws the fit's bar, complete.
    out = capsys.readouterr().out
    assert "RNNClassifier - fit" in out and "100%" in out


class _StopAtEpoch:
    """A fit callback that asks to stop at the end of epoch ``n``."""

    def __init__(self, n):
        self.n = n
        self.epochs = 0

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context, **kwargs):
        pass

    def on_fit_task_end(self, estimator, context, **kwargs):
        if context.task_name != "epoch":
            return False
        self.epochs += 1
        return self.epochs == self.n


def test_callbacks_asking_to_stop_end_on_the_best_weights():
    # A learning rate high enough for the loss to rise again: a fit stopped
    # by a callback keeps its best epoch, as a fit that stops on its own.
    X, y = _data()
    params = {"hidden_size": 4, "learning_rate_init": 0.3, "batch_size": 10}
    params.update(n_iter_no_change=100, random_state=0)
    est = RNNRegressor(max_iter=50, **params).set_callbacks(_StopAtEpoch(12))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est.fit(X, y)
    assert est.n_iter_ == 12
    best = int(np.argmin(est.loss_curve_))
    assert best < 11 and est.best_loss_ == est.loss_curve_[best]
    with pytest.warns(ConvergenceWarning):
        shorter = RNNRegressor(max_iter=best + 1, **params).fit(X, y)
    np.testing.assert_array_equal(est._network.theta, shorter._network.theta)


class _RaiseAtEpoch(_StopAtEpoch):
    """A fit callback that raises ``error`` at the end of epoch ``n``."""

    def __init__(self, n, error):
        super().__init__(n)
        self.error = error

    def on_fit_task_end(self, estimator, context, **kwargs):
        if super().on_fit_task_end(estimator, context, **kwargs):
            raise self.error


@pytest.mark.parametrize("error", [KeyboardInterrupt, RuntimeError("callback")])
def test_callbacks_raising_leave_the_model_of_their_epoch(error):
    # A callback raising at the end of epoch 5 ends the fit there, as a
    # callback asking to stop: the fit of 5 epochs. A KeyboardInterrupt is
    # absorbed with a warning (as in MLP), another error propagates; either
    # way the model is usable and partial_fit continues it.
    X, y = _data()
    params = {"hidden_size": 4, "learning_rate_init": 0.3, "batch_size": 10}
    params.update(n_iter_no_change=100, random_state=0)
    est = RNNRegressor(max_iter=50, **params).set_callbacks(_RaiseAtEpoch(5, error))
    if error is KeyboardInterrupt:
        with pytest.warns(UserWarning, match=r"interrupted by user.*n_iter_=5"):
            assert est.fit(X, y) is est
    else:
        with pytest.raises(RuntimeError, match="callback"):
            est.fit(X, y)
    with pytest.warns(ConvergenceWarning):
        shorter = RNNRegressor(max_iter=5, **params).fit(X, y)
    assert est.n_iter_ == 5 and est.loss_curve_ == shorter.loss_curve_
    np.testing.assert_array_equal(est._network.theta, shorter._network.theta)
    np.testing.assert_array_equal(est.predict(X), shorter.predict(X))
    est.partial_fit(X, y)
    shorter.partial_fit(X, y)
    np.testing.assert_array_equal(est._network.theta, shorter._network.theta)


def test_callbacks_scoring_monitor_on_the_tagger():
    # Per-step targets: the monitor scores each epoch with the tagger's own
    # score (accuracy over steps), through a callable scorer.
    from skrnn import RNNSequenceTagger

    X = np.random.RandomState(0).normal(size=(30, 6)).astype(np.float32)
    y = (X > 0).astype(int)
    monitor = ScoringMonitor(scoring={"steps": lambda est, X, y: est.score(X, y)})
    tagger = RNNSequenceTagger(
        hidden_size=4, max_iter=5, n_iter_no_change=100, random_state=0
    )
    with pytest.warns(ConvergenceWarning):
        tagger.set_callbacks(monitor).fit(X, y)
    epochs = [r for r in monitor.get_logs().data if r["task_name"] == "epoch"]
    assert [r["task_id"] for r in epochs] == list(range(5))
    assert epochs[-1]["steps"] == pytest.approx(tagger.score(X, y))
