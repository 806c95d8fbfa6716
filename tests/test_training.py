"""Tests of the training layer (``skrnn._training``), alone and in estimators.

Truncated BPTT on arrays (the terminal window against an explicit objective,
``TrainingData``'s cut, tail split and stateful lanes), the loop driven with
arrays alone; then, through the estimators: stopping rules, early stopping
with best-weights restore, warm starts and ``partial_fit``, sample weights
(the maths scikit-learn's weight checks rely on), determinism (same
``random_state``, any ``NUMBA_NUM_THREADS``), verbose output, the
non-finite-weights error, interrupted and failed epochs undone, clipping,
truncated BPTT and the public
``check_gradients``. Networks and data are tiny (hidden 2-4, T <= 8, a few
epochs) so that every test runs in well under a second on a warm numba cache,
except the two-subprocess thread-count test.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import copy
import os
import re
import subprocess
import sys
import textwrap
import types
import warnings
from dataclasses import replace
from itertools import pairwise

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning

from skrnn import (
    RNNClassifier,
    RNNRegressor,
    RNNSequenceGenerator,
    _kernels,
    _training,
)
from skrnn._base import BaseRNN, training_problem
from skrnn._network import RNNNetwork
from skrnn._optimizers import make_optimizer
from skrnn._training import (
    MAX_PLATEAUS,
    PLATEAU_FACTOR,
    TrainingData,
    TrainingRecord,
    TrainingSettings,
    batch_loss_and_grad,
    run_epochs,
    update_no_improvement,
)
from skrnn.utils import check_gradients
from tests.gradcheck import numerical_gradient, relative_error
from tests.networks import (
    LOSSES,
    make_batch,
    make_masks,
    make_network,
    make_token_batch,
    make_token_network,
    reference_loss,
)

# Any numpy floating-point error fails a test (see tests/conftest.py).
pytestmark = pytest.mark.usefixtures("floating_point_errors_raise")

CELLS = ("rnn", "lstm", "gru")
ESTIMATORS = (RNNClassifier, RNNRegressor)

# Short fits reach max_iter on purpose; the tests about the warning say so.
ignore_convergence = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)


# --------------------------------------------------------------------- helpers
def make_data(Estimator, n=30, T=5, C=None, seed=0, dtype=np.float64):
    """Sequences whose target depends on the first and last steps."""
    rng = np.random.RandomState(seed)
    shape = (n, T) if C is None else (n, T, C)
    X = rng.normal(size=shape).astype(dtype)
    signal = X[:, -1] + 0.5 * X[:, 0]
    if C is not None:
        signal = signal.sum(axis=1)
    if Estimator is RNNClassifier:
        return X, (signal > 0).astype(np.int64)
    return X, signal + 0.1 * rng.normal(size=n)


def outputs(estimator, X):
    if isinstance(estimator, RNNClassifier):
        return estimator.predict_proba(X)
    return estimator.predict(X)


def theta(estimator):
    return estimator._network.theta


@pytest.fixture
def validation_scorer(monkeypatch):
    """Capture the held-out scorer built by ``_split_validation``."""
    captured = {}
    original = BaseRNN._split_validation

    def split_validation(self, data):
        train, score = original(self, data)
        captured["score"] = score
        return train, score

    monkeypatch.setattr(BaseRNN, "_split_validation", split_validation)
    return captured


# ------------------------------------------------------------ stopping rules
@ignore_convergence
@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("max_iter", [1, 4])
def test_training_loss_curve_length_equals_n_iter(Estimator, max_iter):
    X, y = make_data(Estimator)
    est = Estimator(hidden_size=3, max_iter=max_iter, random_state=0).fit(X, y)
    assert est.n_iter_ == max_iter
    assert len(est.loss_curve_) == max_iter
    assert np.all(np.isfinite(est.loss_curve_))
    # One update per minibatch: t_ counts the samples seen.
    assert est.t_ == max_iter * len(X)
    assert est.best_loss_ == min(est.loss_curve_)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_training_convergence_warning_at_max_iter(Estimator):
    X, y = make_data(Estimator)
    est = Estimator(hidden_size=3, max_iter=3, random_state=0)
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(3\) reached"):
        est.fit(X, y)
    assert est.n_iter_ == 3


@pytest.mark.parametrize("n_iter_no_change", [1, 3])
def test_training_plateaus_halve_the_learning_rate_then_stop(n_iter_no_change):
    X, y = make_data(RNNRegressor)
    # A tolerance larger than any loss: no epoch after the first counts as an
    # improvement. Each plateau of n_iter_no_change + 1 epochs goes back to
    # the best weights with a smaller learning rate; the last one stops.
    params = {"hidden_size": 3, "tol": 1e6, "n_iter_no_change": n_iter_no_change}
    est = RNNRegressor(max_iter=50, random_state=0, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est.fit(X, y)
    assert est.n_iter_ == 1 + (MAX_PLATEAUS + 1) * (n_iter_no_change + 1)
    assert len(est.loss_curve_) == est.n_iter_
    assert est._optimizer.learning_rate == pytest.approx(
        est.learning_rate_init / PLATEAU_FACTOR**MAX_PLATEAUS
    )
    assert est.best_loss_ == min(est.loss_curve_)


def _stopping_record(loss, tol):
    record = TrainingRecord()
    settings = TrainingSettings(loss=loss, weight_mask=None, tol=tol)
    network = types.SimpleNamespace(theta=np.zeros(2))

    def epoch(loss_value):
        record.loss_curve.append(loss_value)
        update_no_improvement(record, settings, network, validated=False)
        return record.no_improvement_count

    return record, epoch


@pytest.mark.parametrize("tol", [1e-4, 1e-2])
def test_training_tol_is_relative_for_squared_errors(tol):
    # Losses of the scale of noisy next-value errors: an absolute tol of
    # 1e-4 would count none of these epochs as an improvement.
    record, epoch = _stopping_record("squared", tol)
    curve = [3e-3 * (1 - 2 * tol) ** k for k in range(6)]
    assert [epoch(loss) for loss in curve] == [0] * 6
    # Less than tol of the best, relatively: no improvement.
    assert epoch(curve[-1] * (1 - tol / 2)) == 1
    assert record.best_loss == curve[-1] * (1 - tol / 2)


def test_training_tol_is_absolute_for_cross_entropy():
    # Cross-entropy tends to 0 on separable data: steps below tol nats are
    # no improvement, so such a fit reaches a plateau and stops.
    record, epoch = _stopping_record("softmax", 1e-4)
    assert [epoch(loss) for loss in (1e-2, 9e-3, 8.95e-3, 8.92e-3)] == [0, 0, 1, 2]
    assert record.best_loss == 8.92e-3


@ignore_convergence
def test_training_ends_on_the_weights_of_the_lowest_loss():
    # A learning rate high enough for the loss to rise again: the fit keeps
    # the weights of its best epoch, not the last ones.
    X, y = make_data(RNNRegressor, n=40)
    params = {
        "hidden_size": 4, "learning_rate_init": 0.3, "batch_size": 10,
        "n_iter_no_change": 100, "random_state": 0,
    }  # fmt: skip
    est = RNNRegressor(max_iter=30, **params).fit(X, y)
    best = int(np.argmin(est.loss_curve_))
    assert best < 29 and est.best_loss_ == est.loss_curve_[best]
    shorter = RNNRegressor(max_iter=best + 1, **params).fit(X, y)
    np.testing.assert_array_equal(theta(est), theta(shorter))


@ignore_convergence
def test_training_tol_zero_runs_while_loss_improves():
    X, y = make_data(RNNRegressor)
    est = RNNRegressor(
        hidden_size=3, max_iter=8, tol=0.0, n_iter_no_change=2,
        learning_rate_init=0.01, random_state=0,
    ).fit(X, y)  # fmt: skip
    # Full batch, small steps: the loss keeps falling, so no early stop.
    assert np.all(np.diff(est.loss_curve_) < 0)
    assert est.n_iter_ == 8


# ----------------------------------------------------------- early stopping
def _early_stopping_regressor(max_iter, n_iter_no_change):
    # A learning rate high enough that the validation score peaks early and
    # then oscillates: restoring the best weights changes the model.
    return RNNRegressor(
        hidden_size=4, early_stopping=True, validation_fraction=0.25,
        learning_rate_init=0.3, batch_size=10, max_iter=max_iter,
        n_iter_no_change=n_iter_no_change, random_state=0,
    )  # fmt: skip


def test_training_early_stopping_stops_and_restores_best(validation_scorer):
    X, y = make_data(RNNRegressor, n=40)
    est = _early_stopping_regressor(max_iter=100, n_iter_no_change=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est.fit(X, y)
    scores = est.validation_scores_
    assert len(scores) == est.n_iter_ == len(est.loss_curve_)
    assert est.n_iter_ < 100
    assert est.best_validation_score_ == max(scores)
    # The n_iter_no_change + 1 last epochs did not improve on the best one.
    assert max(scores[-4:]) < est.best_validation_score_
    assert est.best_loss_ is None  # as MLP: the validation score decides
    # It stopped on its own: after MAX_PLATEAUS halvings of the learning rate.
    assert est._optimizer.learning_rate == pytest.approx(
        est.learning_rate_init / PLATEAU_FACTOR**MAX_PLATEAUS
    )
    assert validation_scorer["score"]() == est.best_validation_score_


def test_training_early_stopping_restores_best_at_max_iter(validation_scorer):
    X, y = make_data(RNNRegressor, n=40)
    est = _early_stopping_regressor(max_iter=15, n_iter_no_change=100)
    with pytest.warns(ConvergenceWarning):
        est.fit(X, y)
    scores = est.validation_scores_
    assert len(scores) == est.n_iter_ == 15
    assert scores[-1] < est.best_validation_score_ == max(scores)
    # As in MLP: the fit ends on the best weights, not the last ones.
    assert validation_scorer["score"]() == est.best_validation_score_


@ignore_convergence
def test_training_early_stopping_attributes_only_when_enabled():
    X, y = make_data(RNNClassifier)
    est = RNNClassifier(hidden_size=3, max_iter=2, random_state=0).fit(X, y)
    assert not hasattr(est, "validation_scores_")
    assert not hasattr(est, "best_validation_score_")
    est.set_params(early_stopping=True).fit(X, y)
    assert len(est.validation_scores_) == 2
    assert 0.0 <= est.best_validation_score_ <= 1.0
    assert est.best_validation_score_ == max(est.validation_scores_)


# ---------------------------------------------------- warm_start, partial_fit
@ignore_convergence
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_training_warm_start_continues(Estimator):
    X, y = make_data(Estimator)
    params = {"hidden_size": 3, "random_state": 0, "shuffle": False, "tol": 0.0}
    params["n_iter_no_change"] = 100
    first = Estimator(max_iter=3, warm_start=True, **params).fit(X, y)
    curve = list(first.loss_curve_)
    theta_after_first = theta(first).copy()
    first.set_params(max_iter=2).fit(X, y)
    assert first.n_iter_ == 5
    assert len(first.loss_curve_) == 5
    assert first.loss_curve_[:3] == curve
    assert not np.array_equal(theta(first), theta_after_first)
    # 3 + 2 warm-started epochs are the same training as 5 in one go.
    straight = Estimator(max_iter=5, **params).fit(X, y)
    np.testing.assert_array_equal(theta(first), theta(straight))
    assert first.loss_curve_ == straight.loss_curve_


@ignore_convergence
def test_training_warm_start_restarts_the_record_and_the_learning_rate():
    X, y = make_data(RNNRegressor, n=40)
    params = {"hidden_size": 3, "tol": 1e6, "n_iter_no_change": 1}
    est = RNNRegressor(max_iter=50, warm_start=True, random_state=0, **params)
    est.fit(X, y)
    assert est._optimizer.learning_rate < est.learning_rate_init
    optimizer = est._optimizer
    est.set_params(max_iter=2).fit(X, y)
    # The same optimizer (its moments carry over), from learning_rate_init;
    # best_loss_ is this fit's, and the fit ends on this fit's best epoch.
    assert est._optimizer is optimizer
    assert est._optimizer.learning_rate == est.learning_rate_init
    assert est.best_loss_ == min(est.loss_curve_[-2:])
    # New optimizer settings build a new optimizer.
    est.set_params(optimizer="sgd").fit(X, y)
    assert type(est._optimizer).__name__ == "SGDOptimizer"
    # Early stopping switched on in a warm start gets its own record.
    est.set_params(early_stopping=True, validation_fraction=0.25).fit(X, y)
    assert len(est.validation_scores_) == 2 and est.best_loss_ is None


@ignore_convergence
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_training_partial_fit_updates_best_loss(Estimator):
    X, y = make_data(Estimator)
    est = Estimator(hidden_size=3, random_state=0)
    kwargs = {"classes": np.unique(y)} if Estimator is RNNClassifier else {}
    for _ in range(3):
        est.partial_fit(X, y, **kwargs)
    assert est.best_loss_ == min(est.loss_curve_)
    # partial_fit keeps its last weights and never changes the learning rate.
    assert est._optimizer.learning_rate == est.learning_rate_init


@ignore_convergence
@pytest.mark.parametrize(
    "name, value",
    [("hidden_size", 8), ("cell", "gru"), ("n_layers", 2), ("bidirectional", True)],
)
def test_training_warm_start_refuses_a_changed_network(name, value):
    X, y = make_data(RNNClassifier)
    est = RNNClassifier(hidden_size=3, max_iter=2, warm_start=True, random_state=0)
    est.fit(X, y)
    built = est.get_params()[name]
    est.set_params(**{name: value})
    for train in (lambda: est.fit(X, y), lambda: est.partial_fit(X, y)):
        with pytest.raises(ValueError, match=f"{name}={value!r} differs from the "):
            train()
    # Set back, training goes on; a new network (warm_start=False) is free.
    est.set_params(**{name: built}).fit(X, y)
    assert est.n_iter_ == 4
    est.set_params(warm_start=False, **{name: value}).fit(X, y)
    assert est.get_params()[name] == value and est.n_iter_ == 2
    # The embedding does not shape a numeric network.
    est.set_params(warm_start=True, embedding_dim=5).fit(X, y)
    assert est.n_iter_ == 4


@ignore_convergence
@pytest.mark.parametrize("name, value", [("embedding_dim", 5), ("vocabulary_size", 99)])
def test_training_warm_start_refuses_a_changed_embedding(name, value):
    docs, y = ["a good one", "a bad one", "good", "bad"], [1, 0, 1, 0]
    est = RNNClassifier(hidden_size=3, max_iter=2, warm_start=True, random_state=0)
    est.fit(docs, y).set_params(**{name: value})
    with pytest.raises(ValueError, match=f"{name}={value!r} differs from the "):
        est.fit(docs, y)


@ignore_convergence
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_training_without_warm_start_refit_restarts(Estimator):
    X, y = make_data(Estimator)
    est = Estimator(hidden_size=3, max_iter=3, random_state=0).fit(X, y)
    first_theta = theta(est).copy()
    first_curve = list(est.loss_curve_)
    est.fit(X, y)
    assert est.n_iter_ == 3
    assert est.loss_curve_ == first_curve
    np.testing.assert_array_equal(theta(est), first_theta)


@ignore_convergence
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_training_partial_fit_runs_one_epoch_per_call(Estimator):
    X, y = make_data(Estimator)
    extra = {"classes": [0, 1]} if Estimator is RNNClassifier else {}
    est = Estimator(hidden_size=3, max_iter=50, random_state=0, shuffle=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        for k in range(1, 4):
            est.partial_fit(X, y, **extra)
            assert est.n_iter_ == k
            assert len(est.loss_curve_) == k
            assert est.t_ == k * len(X)
    # Equal to fit with max_iter=1, then 2, from the same state.
    one = Estimator(hidden_size=3, max_iter=1, random_state=0, shuffle=False)
    one.fit(X, y)
    step = Estimator(hidden_size=3, random_state=0, shuffle=False)
    step.partial_fit(X, y, **extra)
    np.testing.assert_array_equal(theta(step), theta(one))
    assert step.loss_curve_ == one.loss_curve_
    two = Estimator(hidden_size=3, max_iter=2, random_state=0, shuffle=False)
    two.fit(X, y)
    step.partial_fit(X, y)
    np.testing.assert_array_equal(theta(step), theta(two))
    np.testing.assert_array_equal(outputs(step, X), outputs(two, X))


def test_training_classifier_partial_fit_needs_classes_first():
    X, y = make_data(RNNClassifier)
    est = RNNClassifier(hidden_size=3, random_state=0)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        est.partial_fit(X, y)
    assert not hasattr(est, "_network")
    # Classes may include labels absent from the first batch.
    est.partial_fit(X, y, classes=[0, 1, 2])
    np.testing.assert_array_equal(est.classes_, [0, 1, 2])
    assert est.predict_proba(X).shape == (len(X), 3)


def test_training_classifier_partial_fit_rejects_unseen_label():
    X, y = make_data(RNNClassifier)
    est = RNNClassifier(hidden_size=3, random_state=0)
    est.partial_fit(X, y, classes=[0, 1])
    theta_before = theta(est).copy()
    y_new = y.copy()
    y_new[3] = 2
    with pytest.raises(ValueError, match=r"labels \[2\] not seen"):
        est.partial_fit(X, y_new)
    np.testing.assert_array_equal(theta(est), theta_before)
    assert est.n_iter_ == 1
    with pytest.raises(ValueError, match="not the same as on the first call"):
        est.partial_fit(X, y, classes=[0, 1, 2])
    fresh = RNNClassifier(hidden_size=3, random_state=0)
    with pytest.raises(ValueError, match=r"labels \[2\] not seen"):
        fresh.partial_fit(X, y_new, classes=[0, 1])


# ------------------------------------------------------------ sample weights
@ignore_convergence
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_training_zero_weight_equals_removing_sample(Estimator):
    X, y = make_data(Estimator, n=20)
    weights = np.ones(20)
    removed = [2, 7, 15]
    weights[removed] = 0
    keep = np.setdiff1d(np.arange(20), removed)
    params = {"hidden_size": 4, "max_iter": 5, "random_state": 0}
    weighted = Estimator(**params).fit(X, y, sample_weight=weights)
    smaller = Estimator(**params).fit(X[keep], y[keep])
    np.testing.assert_allclose(outputs(weighted, X), outputs(smaller, X), rtol=1e-7)
    np.testing.assert_allclose(weighted.loss_curve_, smaller.loss_curve_, rtol=1e-7)


@ignore_convergence
@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("cell", CELLS)
def test_training_integer_weights_equal_repeating_samples(Estimator, cell):
    # sklearn's check_sample_weight_equivalence_on_dense_data: 15 samples.
    X, y = make_data(Estimator, n=15, seed=1)
    weights = np.random.RandomState(2).randint(1, 3, size=15).astype(np.float64)
    assert weights.sum() > 15
    repeated = np.repeat(np.arange(15), weights.astype(int))
    params = {"cell": cell, "hidden_size": 4, "max_iter": 5, "random_state": 0}
    weighted = Estimator(**params).fit(X, y, sample_weight=weights)
    duplicated = Estimator(**params).fit(X[repeated], y[repeated])
    np.testing.assert_allclose(outputs(weighted, X), outputs(duplicated, X), rtol=1e-7)
    # And the weights matter: the unweighted model differs.
    plain = Estimator(**params).fit(X, y)
    assert np.abs(outputs(plain, X) - outputs(weighted, X)).max() > 1e-6


@ignore_convergence
def test_training_zero_weight_batch_is_skipped():
    X, y = make_data(RNNRegressor, n=12)
    weights = np.ones(12)
    weights[:3] = 0
    params = {"hidden_size": 3, "max_iter": 2, "batch_size": 3, "shuffle": False}
    weighted = RNNRegressor(random_state=0, **params)
    weighted.fit(X, y, sample_weight=weights)
    rest = RNNRegressor(random_state=0, **params).fit(X[3:], y[3:])
    np.testing.assert_array_equal(theta(weighted), theta(rest))
    assert weighted.loss_curve_ == rest.loss_curve_
    assert weighted.t_ == rest.t_ == 2 * 9


# --------------------------------------------------------------- determinism
@ignore_convergence
@pytest.mark.parametrize("cell", CELLS)
def test_training_same_random_state_same_model(cell):
    X, y = make_data(RNNClassifier, n=40, C=2)
    params = {
        "cell": cell,
        "hidden_size": 4,
        "n_layers": 2,
        "dropout": 0.3,
        "batch_size": 8,
        "max_iter": 3,
        "early_stopping": True,
    }
    a = RNNClassifier(random_state=7, **params).fit(X, y)
    b = RNNClassifier(random_state=7, **params).fit(X, y)
    c = RNNClassifier(random_state=8, **params).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert a.loss_curve_ == b.loss_curve_
    assert not np.array_equal(a.predict_proba(X), c.predict_proba(X))


_THREADS_SCRIPT = textwrap.dedent(
    """
    import sys
    import warnings

    import numba
    import numpy as np

    from skrnn import RNNClassifier, RNNSequenceGenerator

    warnings.simplefilter("ignore")
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 6, 2)).astype(np.float32)
    y = rng.randint(0, 3, size=50)
    out = {"n_threads": np.array(numba.get_num_threads())}
    for cell in ("rnn", "lstm", "gru"):
        # Batches of 40 samples: three parallel blocks of samples merged.
        clf = RNNClassifier(
            cell=cell, hidden_size=4, n_layers=2, bidirectional=True,
            dropout=0.3, batch_size=40, max_iter=3, random_state=0,
        )
        out[cell] = clf.fit(X, y).predict_proba(X)
    # Generation runs blocks of sequences in parallel: 40 samples, 3 blocks.
    gen = RNNSequenceGenerator(hidden_size=8, max_iter=2, random_state=0)
    gen.fit(["to be or not to be, that is the question"] * 4)
    texts = gen.generate(30, n_samples=40, stop_at_end=False, random_state=0)
    out["text"] = np.array(texts)
    np.savez(sys.argv[1], **out)
    """
)


def test_training_and_generation_bit_identical_across_numba_thread_counts(tmp_path):
    script = tmp_path / "fit.py"
    script.write_text(_THREADS_SCRIPT)
    results = {}
    for n_threads in (1, 2):
        path = tmp_path / f"threads{n_threads}.npz"
        env = {**os.environ, "NUMBA_NUM_THREADS": str(n_threads)}
        env["SCIPY_ARRAY_API"] = "1"
        done = subprocess.run(
            [sys.executable, str(script), str(path)], env=env,
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        results[n_threads] = np.load(path)
    assert int(results[1]["n_threads"]) == 1
    assert int(results[2]["n_threads"]) == 2
    for cell in CELLS:
        proba = results[1][cell]
        assert proba.dtype == np.float32 and proba.shape == (50, 3)
        np.testing.assert_array_equal(proba, results[2][cell], err_msg=cell)
    assert results[1]["text"].shape == (40,)
    np.testing.assert_array_equal(results[1]["text"], results[2]["text"])


# -------------------------------------------------------------------- verbose
@ignore_convergence
@pytest.mark.parametrize("early_stopping", [False, True])
def test_training_verbose_prints_one_line_per_epoch(capsys, early_stopping):
    X, y = make_data(RNNClassifier)
    est = RNNClassifier(
        hidden_size=3, max_iter=3, verbose=1, early_stopping=early_stopping,
        random_state=0,
    ).fit(X, y)  # fmt: skip
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == est.n_iter_ == 3
    for k, line in enumerate(lines):
        match = re.match(r"Epoch (\d+)/3, loss = ([0-9.]+)", line)
        assert match, line
        assert int(match.group(1)) == k + 1
        assert float(match.group(2)) == pytest.approx(est.loss_curve_[k], abs=1e-8)
        assert ("validation score" in line) == early_stopping
        assert re.search(r"\d+\.\d+s$", line), line


@ignore_convergence
def test_training_silent_by_default(capsys):
    X, y = make_data(RNNRegressor)
    RNNRegressor(hidden_size=3, max_iter=2, random_state=0).fit(X, y)
    assert capsys.readouterr().out == ""


# ---------------------------------------------------------------- stability
def initial_theta(estimator, random_state=0):
    """The weights ``estimator``'s network starts from with ``random_state``."""
    network = copy.deepcopy(estimator._network)
    network.initialize(np.random.RandomState(random_state))
    return network.theta


def assert_same_model(a, b):
    """Bit-identical weights, record and predictions."""
    assert_array_equal(theta(a), theta(b))
    assert a.loss_curve_ == b.loss_curve_
    assert (a.n_iter_, a.t_, a.best_loss_) == (b.n_iter_, b.t_, b.best_loss_)
    assert getattr(a, "validation_scores_", None) == getattr(
        b, "validation_scores_", None
    )


@ignore_convergence
@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_training_huge_learning_rate_raises_non_finite_error(dtype):
    X, y = make_data(RNNRegressor, n=20, dtype=dtype)
    X, y = X * 1e4, y * 1e4
    params = {
        "cell": "rnn",
        "hidden_size": 4,
        "optimizer": "sgd",
        "max_iter": 100,
        "n_iter_no_change": 100,
        "random_state": 0,
    }
    est = RNNRegressor(learning_rate_init=1e10, clip_norm=None, **params)
    with pytest.raises(
        ValueError, match=r"non-finite .*Lower learning_rate_init, set clip_norm"
    ):
        est.fit(X, y)
    # The epoch that diverged is undone: the model is the one of the
    # completed epochs, finite, as a fit stopped before it.
    assert 0 < est.n_iter_ < 100
    assert len(est.loss_curve_) == est.n_iter_
    assert np.all(np.isfinite(est.loss_curve_))
    assert np.all(np.isfinite(theta(est)))
    assert np.all(np.isfinite(est.predict(X)))
    shorter = RNNRegressor(learning_rate_init=1e10, clip_norm=None, **params)
    assert_same_model(est, shorter.set_params(max_iter=est.n_iter_).fit(X, y))
    # A sane learning rate on the same data trains without the error.
    sane = RNNRegressor(learning_rate_init=1e-3, clip_norm=None, **params)
    sane.set_params(max_iter=5).fit(X, y)
    assert np.all(np.isfinite(theta(sane)))


def diverging(Estimator, **params):
    """An estimator whose sgd steps of 1e6 explode its float32 weights, and
    its data."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20, 5)).astype(np.float32)
    y = {RNNClassifier: X[:, -1] > 0, RNNRegressor: X[:, -1]}.get(Estimator)
    est = Estimator(
        cell="rnn", hidden_size=4, optimizer="sgd", learning_rate_init=1e6,
        clip_norm=None, batch_size=5, max_iter=50, random_state=0, **params,
    )  # fmt: skip
    return est, X, y


ALL_ESTIMATORS = (RNNClassifier, RNNRegressor, RNNSequenceGenerator)
NON_FINITE = r"non-finite \(NaN or inf\) during training"


@ignore_convergence
@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
@pytest.mark.parametrize("Estimator", ALL_ESTIMATORS)
@pytest.mark.parametrize("early_stopping", [False, True])
def test_training_divergence_never_leaves_non_finite_weights(Estimator, early_stopping):
    est, X, y = diverging(Estimator, early_stopping=early_stopping)
    with pytest.raises(ValueError, match=NON_FINITE):
        est.fit(X, y)
    # Fitted on the completed epochs' best weights (the initial ones when
    # the first epoch diverged): finite, and predicting finite values.
    assert len(est.loss_curve_) == est.n_iter_ < 50
    assert np.all(np.isfinite(est.loss_curve_))
    assert np.all(np.isfinite(theta(est)))
    assert np.all(np.isfinite(outputs(est, X)))
    if est.n_iter_ == 0:
        assert_array_equal(theta(est), initial_theta(est))
    else:
        shorter, _, _ = diverging(Estimator, early_stopping=early_stopping)
        assert_same_model(est, shorter.set_params(max_iter=est.n_iter_).fit(X, y))


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
@pytest.mark.parametrize("Estimator", ALL_ESTIMATORS)
def test_training_divergence_in_partial_fit_keeps_the_previous_model(Estimator):
    est, X, y = diverging(Estimator)
    extra = {"classes": [False, True]} if Estimator is RNNClassifier else {}
    for _ in range(50):
        before = copy.deepcopy(est) if hasattr(est, "_network") else None
        try:
            est.partial_fit(X, y, **extra)
        except ValueError as error:
            assert re.search(NON_FINITE, str(error))
            break
    else:
        pytest.fail("partial_fit did not diverge")
    # The call that diverged changed nothing.
    if before is None:  # the first call: the initial weights, no epoch
        assert est.n_iter_ == est.t_ == 0
        assert_array_equal(theta(est), initial_theta(est))
    else:
        assert_same_model(est, before)
    assert np.all(np.isfinite(outputs(est, X)))


# ---------------------------------------------------------------- interrupts
class InterruptAt:
    """Stands for ``batch_loss_and_grad``; raises ``error`` at its ``n``-th call."""

    original = staticmethod(_training.batch_loss_and_grad)

    def __init__(self, n, error=KeyboardInterrupt):
        self.n, self.error, self.calls = n, error, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        if self.calls == self.n:
            raise self.error()
        return self.original(*args, **kwargs)


def interruptible(Estimator, **params):
    """Three batches per epoch, a plateau every three epochs; and data."""
    X, y = make_data(Estimator, n=30)
    if Estimator is RNNSequenceGenerator:
        y = None
    est = Estimator(
        hidden_size=3, batch_size=10, tol=0.5, n_iter_no_change=2, max_iter=20,
        random_state=0, **params,
    )  # fmt: skip
    return est, X, y


@pytest.mark.parametrize("Estimator", ALL_ESTIMATORS)
@pytest.mark.parametrize("early_stopping", [False, True])
def test_training_interrupt_keeps_the_last_completed_epoch(
    Estimator, early_stopping, monkeypatch
):
    # Ctrl-C in the second batch of epoch 8 (or 7, with a tenth held out:
    # the 27 training sequences make three batches too): the fit returns,
    # with a warning, the model of a fit of 7 epochs.
    est, X, y = interruptible(Estimator, early_stopping=early_stopping)
    monkeypatch.setattr(_training, "batch_loss_and_grad", InterruptAt(3 * 7 + 2))
    with pytest.warns(UserWarning, match=r"interrupted by user.*n_iter_=7"):
        assert est.fit(X, y) is est
    monkeypatch.undo()
    assert est.n_iter_ == 7
    shorter, _, _ = interruptible(Estimator, early_stopping=early_stopping)
    with pytest.warns(ConvergenceWarning):
        shorter.set_params(max_iter=7).fit(X, y)
    assert shorter._training_record.n_plateaus > 0  # the plateau state too
    assert_same_model(est, shorter)
    assert_array_equal(outputs(est, X), outputs(shorter, X))
    # The optimizer and the random stream were put back too: partial_fit
    # continues from the interrupted model as from the shorter fit.
    est.partial_fit(X, y)
    shorter.partial_fit(X, y)
    assert_same_model(est, shorter)


@ignore_convergence
@pytest.mark.parametrize("Estimator", ALL_ESTIMATORS)
def test_training_interrupt_before_an_epoch_completes_propagates(
    Estimator, monkeypatch
):
    # Nothing learned in the call, nothing to keep: the interrupt goes on
    # (a loop of partial_fit calls stops), the state as the call found it.
    est, X, y = interruptible(Estimator)
    extra = {"classes": [0, 1]} if Estimator is RNNClassifier else {}
    monkeypatch.setattr(_training, "batch_loss_and_grad", InterruptAt(2))
    with pytest.raises(KeyboardInterrupt):
        est.fit(X, y)
    assert est.n_iter_ == est.t_ == 0 and est.loss_curve_ == []
    assert_array_equal(theta(est), initial_theta(est))

    twin, _, _ = interruptible(Estimator)
    for model in (est, twin):
        monkeypatch.setattr(_training, "batch_loss_and_grad", InterruptAt(5))
        model.partial_fit(X, y, **extra)  # three batches: not interrupted
    before = copy.deepcopy(est)
    with pytest.raises(KeyboardInterrupt):
        est.partial_fit(X, y)  # the fifth batch
    monkeypatch.undo()
    assert_same_model(est, before)
    # Continues as if the interrupted call had never been made.
    est.partial_fit(X, y)
    twin.partial_fit(X, y)
    assert_same_model(est, twin)


@pytest.mark.parametrize("Estimator", ALL_ESTIMATORS)
def test_training_error_inside_an_epoch_undoes_it(Estimator, monkeypatch):
    # Any other error (here a MemoryError in the third epoch) propagates
    # after the epoch is undone: the model is that of the two before.
    est, X, y = interruptible(Estimator)
    monkeypatch.setattr(_training, "batch_loss_and_grad", InterruptAt(8, MemoryError))
    with pytest.raises(MemoryError):
        est.fit(X, y)
    monkeypatch.undo()
    shorter, _, _ = interruptible(Estimator)
    with pytest.warns(ConvergenceWarning):
        shorter.set_params(max_iter=2).fit(X, y)
    assert_same_model(est, shorter)


@ignore_convergence
@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_training_inputs_around_100_train(Estimator, cell, dtype):
    rng = np.random.RandomState(0)
    X = rng.normal(100.0, 1.0, size=(20, 6)).astype(dtype)
    y = rng.randint(0, 2, size=20) if Estimator is RNNClassifier else X[:, 0]
    est = Estimator(cell=cell, hidden_size=4, max_iter=10, random_state=0)
    est.fit(X, y)
    assert est._network.dtype == dtype
    assert np.all(np.isfinite(theta(est)))
    assert np.all(np.isfinite(outputs(est, X)))
    assert est.loss_curve_[-1] < est.loss_curve_[0]


@ignore_convergence
@pytest.mark.parametrize("clip_norm", [1e-3, None])
def test_training_clip_norm_bounds_the_step(clip_norm):
    X, y = make_data(RNNRegressor)
    est = RNNRegressor(
        hidden_size=3, optimizer="sgd", momentum=0.0, learning_rate_init=1.0,
        alpha=0.0, clip_norm=clip_norm, shuffle=False, random_state=0,
    )  # fmt: skip
    initial = RNNRegressor(**est.get_params()).set_params(learning_rate_init=1e-300)
    before = theta(initial.partial_fit(X, y)).copy()
    step = np.linalg.norm(theta(est.partial_fit(X, y)) - before)
    # One full-batch SGD step of learning rate 1 moves theta by the gradient,
    # whose norm is far above 1e-3 unless clipped to it.
    if clip_norm is None:
        assert step > 1e-2
    else:
        np.testing.assert_allclose(step, clip_norm, rtol=1e-10)


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_training_clip_norm_keeps_a_1000_step_tanh_rnn_finite():
    # Full BPTT through 1,000 tanh steps at sgd steps of 10: unclipped, the
    # gradient explodes and the weights overflow float32 within a few
    # epochs; clipped to norm 1, every epoch's weights, loss and predictions
    # stay finite (partial_fit keeps each epoch's last weights, not the best).
    rng = np.random.RandomState(0)
    X = rng.normal(size=(16, 1000)).astype(np.float32)
    y = X[:, 0] + X[:, -1]
    params = {"cell": "rnn", "hidden_size": 16, "optimizer": "sgd"}
    params.update(learning_rate_init=10.0, batch_size=8, random_state=0)
    unclipped = RNNRegressor(clip_norm=None, **params)
    with pytest.raises(ValueError, match=NON_FINITE):
        for _ in range(5):
            unclipped.partial_fit(X, y)
    clipped = RNNRegressor(clip_norm=1.0, **params)
    for _ in range(5):
        clipped.partial_fit(X, y)
        assert np.all(np.isfinite(theta(clipped)))
        assert np.all(np.isfinite(clipped.predict(X)))
    assert clipped.n_iter_ == 5 and np.all(np.isfinite(clipped.loss_curve_))


# ------------------------------------------------------------ truncated BPTT
def test_training_bptt_steps_with_bidirectional_raises():
    X, y = make_data(RNNClassifier)
    est = RNNClassifier(hidden_size=3, bidirectional=True, bptt_steps=2)
    with pytest.raises(ValueError, match=r"bptt_steps .* needs bidirectional=False"):
        est.fit(X, y)
    assert not hasattr(est, "_network")


@ignore_convergence
@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("bptt_steps", [5, 12])
def test_training_bptt_steps_covering_sequences_equals_full_bptt(cell, bptt_steps):
    X, y = make_data(RNNClassifier, T=5, C=2)
    params = {
        "cell": cell,
        "hidden_size": 3,
        "n_layers": 2,
        "dropout": 0.3,
        "batch_size": 8,
        "max_iter": 3,
        "random_state": 0,
    }
    full = RNNClassifier(**params).fit(X, y)
    window = RNNClassifier(bptt_steps=bptt_steps, **params).fit(X, y)
    np.testing.assert_array_equal(theta(window), theta(full))
    np.testing.assert_array_equal(window.predict_proba(X), full.predict_proba(X))
    # A window shorter than the sequences changes the training.
    short = RNNClassifier(bptt_steps=2, **params).fit(X, y)
    assert not np.array_equal(theta(short), theta(full))


# ------------------------------------- truncated BPTT, loss at the last step
def terminal_loss_and_grad(net, x, lengths, targets, weights, loss, grad, k,
                            masks=None):  # fmt: skip
    """The training layer's loss of one batch under TBPTT(k), without L2.

    skrnn._training decides: full BPTT when the window covers the batch
    (``k >= T`` or None), else the last ``k`` steps from a carried state.
    """
    settings = TrainingSettings(
        loss=loss, weight_mask=net.weight_mask().astype(net.dtype), bptt_steps=k
    )
    batch = TrainingData(x, lengths, targets, weights)
    return batch_loss_and_grad(net, batch, grad, settings, masks)[0]


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("with_masks", [False, True])
@pytest.mark.parametrize("bptt_steps", [4, 9])
def test_training_truncated_equals_full_when_window_covers_sequence(
    cell, with_masks, bptt_steps
):
    net = make_network(cell, n_layers=2, bidirectional=False)
    x, lengths, targets, weights = make_batch("softmax", [4, 2, 3], T=4)
    masks = make_masks(net, 3, 4) if with_masks else None
    full = np.empty_like(net.theta)
    truncated = np.empty_like(net.theta)
    value = terminal_loss_and_grad(
        net, x, lengths, targets, weights, "softmax", full, None, masks
    )
    value_truncated = terminal_loss_and_grad(
        net, x, lengths, targets, weights, "softmax", truncated, bptt_steps, masks
    )
    assert value_truncated == value
    np.testing.assert_array_equal(truncated, full)


@pytest.mark.parametrize("cell", CELLS)
def test_training_truncated_differs_when_window_is_shorter(cell):
    net = make_network(cell, n_layers=2, bidirectional=False)
    x, lengths, targets, weights = make_batch("squared", [6, 5, 2], T=6)
    full = np.empty_like(net.theta)
    truncated = np.empty_like(net.theta)
    value = net.loss_and_grad(x, lengths, targets, weights, "squared", full)
    value_truncated = terminal_loss_and_grad(
        net, x, lengths, targets, weights, "squared", truncated, 2
    )
    # The forward pass stays exact; only the gradient is truncated.
    np.testing.assert_allclose(value_truncated, value, rtol=1e-13)
    assert np.abs(truncated - full).max() > 1e-3 * np.abs(full).max()
    # The head sees the same features, so its gradient is untouched.
    n_head = net.params["head.W"].size + net.params["head.b"].size
    np.testing.assert_allclose(truncated[-n_head:], full[-n_head:], rtol=1e-12)


@pytest.mark.parametrize("loss", LOSSES)
def test_training_truncated_grad_matches_explicit_truncated_objective(loss):
    cell, k, T = "lstm", 3, 6
    net = make_network(cell, n_layers=2, bidirectional=False)
    # Starts of the windows: 3, 1 and 0 (the last sample is shorter than k).
    x, lengths, targets, weights = make_batch(loss, [6, 4, 2], T=T)
    B, H = 3, net.hidden_size

    # The state entering each window, from a full forward pass, held constant.
    caches, _ = net.forward(x, lengths)
    h0 = np.zeros((2, 1, B, H))
    c0 = np.zeros((2, 1, B, H))
    window_lengths = np.minimum(lengths, k)
    x_window = np.zeros((B, k, x.shape[2]))
    for i in range(B):
        start = lengths[i] - window_lengths[i]
        x_window[i, : window_lengths[i]] = x[i, start : lengths[i]]
        if start > 0:
            for layer in range(2):
                h0[layer, 0, i] = caches[layer][0]["hs"][i, start - 1]
                c0[layer, 0, i] = caches[layer][0]["cs"][i, start - 1]
    assert np.abs(h0).max() > 0 and np.abs(c0).max() > 0

    def truncated_objective():
        _, features = net.forward(x_window, window_lengths, h0, c0)
        return reference_loss(loss, net.head(features), targets, weights)

    grad = np.full_like(net.theta, np.nan)
    value = terminal_loss_and_grad(net, x, lengths, targets, weights, loss, grad, k)
    (numeric,) = numerical_gradient(truncated_objective, [net.theta])
    assert relative_error(grad, numeric) <= 1e-6
    np.testing.assert_allclose(value, truncated_objective(), rtol=1e-12)
    # And that objective is not the full one: its gradient differs.
    full = np.empty_like(net.theta)
    net.loss_and_grad(x, lengths, targets, weights, loss, full)
    assert relative_error(full, numeric) > 1e-3


def test_training_truncated_embedding_grad_matches_explicit_window():
    net = make_token_network("lstm", n_layers=1, bidirectional=False)
    ids, lengths, targets, weights = make_token_batch([6, 4, 2], T=6)
    grad = np.empty_like(net.theta)
    terminal_loss_and_grad(net, ids, lengths, targets, weights, "softmax", grad, 6)
    full = np.empty_like(net.theta)
    net.loss_and_grad(ids, lengths, targets, weights, "softmax", full)
    np.testing.assert_array_equal(grad, full)
    # A short window leaves the embedding rows of earlier steps without gradient.
    terminal_loss_and_grad(net, ids, lengths, targets, weights, "softmax", grad, 1)
    last_ids = ids[np.arange(3), lengths - 1]
    d_table = net.views(grad)["embedding.W"]
    others = np.setdiff1d(np.arange(7), last_ids)
    assert np.all(d_table[others] == 0)
    assert np.abs(d_table[last_ids]).min() > 0


# --------------------------------- truncated BPTT in lanes, loss at every step
def sequence_data(lengths):
    """TrainingData whose every real step is tagged ``1000 * sequence + step``.

    Padding is -1, so a step read past a sequence's end shows up.
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    T = int(lengths.max())
    tags = 1000 * np.arange(len(lengths))[:, None] + np.arange(T)
    tags = np.where(np.arange(T) < lengths[:, None], tags, -1)
    return TrainingData(tags, lengths, tags + 1, every_step=True)


def test_training_data_cut_covers_each_sequence_once_in_order():
    lengths = [7, 3, 12, 1, 5]
    data = sequence_data(lengths)
    assert data.cut(12) is data  # nothing to cut
    pieces = data.cut(4)
    assert pieces.every_step
    assert_array_equal(pieces.lengths, [4, 3, 3, 4, 4, 4, 1, 4, 1])
    read = [pieces.inputs[i, :n] for i, n in enumerate(pieces.lengths)]
    targets = [pieces.targets[i, :n] for i, n in enumerate(pieces.lengths)]
    expected = [data.inputs[i, :n] for i, n in enumerate(lengths)]
    assert_array_equal(np.concatenate(read), np.concatenate(expected))
    assert_array_equal(np.concatenate(targets), np.concatenate(expected) + 1)
    # No piece spans two sequences.
    assert all(len(set(piece // 1000)) == 1 for piece in read)


@pytest.mark.parametrize("n_held_out", [1, 4, 5, 6, 17, 27])
def test_training_data_split_tail_cuts_by_position(n_held_out):
    # 28 steps in all; 5 + 12 + 1 = 18 before the last sequence of 5 steps.
    lengths = [7, 3, 12, 1, 5]
    data = sequence_data(lengths)
    head, tail = data.split_tail(n_held_out)
    steps = [data.inputs[i, :n] for i, n in enumerate(lengths)]
    order = np.concatenate(steps)
    for part, expected in ((head, order[:-n_held_out]), (tail, order[-n_held_out:])):
        assert part.every_step
        assert np.all(part.lengths >= 1)
        read = [part.inputs[i, :n] for i, n in enumerate(part.lengths)]
        assert_array_equal(np.concatenate(read), expected)
        targets = [part.targets[i, :n] for i, n in enumerate(part.lengths)]
        assert_array_equal(np.concatenate(targets), expected + 1)
        # Each row is a run of one sequence.
        assert all(len(set(row // 1000)) == 1 for row in read)
    # The tail's sequences: the end of the one cut, then whole ones.
    assert tail.lengths.sum() == n_held_out
    assert_array_equal(tail.inputs[1:, 0] % 1000, 0)


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("n_lanes, k", [(2, 3), (3, 5), (8, 2)])
def test_training_data_lanes_visit_every_step_once(shuffle, n_lanes, k):
    lengths = np.array([7, 3, 12, 1, 5, 9])
    data = sequence_data(lengths)
    rng = np.random.RandomState(0)
    visited = []
    lane_windows = {}  # lane -> list of (sequence, first step, steps)
    settings = lane_settings(n_lanes, k, shuffle)
    for batch in data.batches(rng, settings):
        assert batch.lengths.max() <= k and batch.lengths.min() >= 1
        assert len(set(batch.lanes.tolist())) == len(batch.lanes)
        assert batch.weight == batch.lengths.sum()
        for j, (n, lane, continues) in enumerate(
            zip(batch.lengths, batch.lanes, batch.continues)
        ):
            steps = batch.inputs[j, :n]
            assert np.all(steps >= 0)  # never padding
            assert_array_equal(batch.targets[j, :n], steps + 1)
            sequence, first = divmod(int(steps[0]), 1000)
            assert_array_equal(steps, 1000 * sequence + first + np.arange(n))
            # A window continues exactly when it does not start its sequence.
            assert continues == (first > 0)
            lane_windows.setdefault(int(lane), []).append((sequence, first, int(n)))
            visited.extend(steps.tolist())
    # Every (sequence, step) exactly once.
    expected = [1000 * i + t for i, n in enumerate(lengths) for t in range(n)]
    assert sorted(visited) == expected
    # Within a lane, a sequence is read window after window, in order, and
    # the next sequence starts only after the previous one is finished.
    for windows in lane_windows.values():
        for (seq, first, n), (next_seq, next_first, _) in pairwise(windows):
            if first + n < lengths[seq]:
                assert (next_seq, next_first) == (seq, first + n)
            else:
                assert next_first == 0 and next_seq != seq


def lane_settings(n_lanes, k, shuffle=True, network=None):
    """Settings of truncated BPTT in ``n_lanes`` lanes, without L2."""
    mask = None if network is None else network.weight_mask().astype(network.dtype)
    return TrainingSettings(
        loss="softmax", weight_mask=mask, batch_size=n_lanes, shuffle=shuffle,
        bptt_steps=k,
    )  # fmt: skip


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_training_data_lanes_carry_the_state_across_windows(cell):
    # Windows of the same sequence read with the carried state compute the
    # same losses as the whole sequences in one pass.
    V = 9
    net = RNNNetwork(cell, 3, 4, 2, False, V, np.float64, vocabulary_size=V)
    net.initialize(np.random.RandomState(0))
    rng = np.random.RandomState(1)
    lengths = np.array([7, 3, 12, 1, 5, 9])
    inputs = rng.randint(4, V, size=(len(lengths), lengths.max()))
    targets = rng.randint(3, V, size=inputs.shape)
    grad = np.zeros_like(net.theta)
    whole, _ = net.sequence_loss_and_grad(inputs, lengths, targets, "softmax", grad)

    data = TrainingData(inputs, lengths, targets, every_step=True)
    settings = lane_settings(2, 3, network=net)
    total = fresh = 0.0
    n_windows = 0
    carried = None
    for batch in data.batches(rng, settings):
        value, carried = batch_loss_and_grad(net, batch, grad, settings, None, carried)
        total += value * batch.weight
        alone, _ = net.sequence_loss_and_grad(
            batch.inputs, batch.lengths, batch.targets, "softmax", grad
        )
        fresh += alone * batch.weight
        n_windows += len(batch)
    assert n_windows > len(lengths)
    assert_allclose(total / lengths.sum(), whole, rtol=1e-12)
    # Starting every window from zero would not: the test can tell.
    assert not np.isclose(fresh / lengths.sum(), whole, rtol=1e-6)


# ------------------------------------------------------------ check_gradients
@ignore_convergence
@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("cell", CELLS)
def test_training_check_gradients_small_for_each_cell(Estimator, cell):
    X, y = make_data(Estimator, n=6, T=4, C=2)
    est = Estimator(
        cell=cell, hidden_size=3, n_layers=2, bidirectional=True, max_iter=2,
        random_state=0,
    ).fit(X, y)  # fmt: skip
    assert check_gradients(est, X, y) < 1e-6


@ignore_convergence
@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("cell", CELLS)
def test_training_ragged_bidirectional_gradients_and_predictions(Estimator, cell):
    # Standardised 12-channel series of very different lengths through a
    # bidirectional stack: exact gradients, and a sample's prediction in a
    # ragged batch is its prediction alone (padding has no influence).
    rng = np.random.RandomState(0)
    X = [rng.normal(size=(T, 12)) for T in (2, 19, 5, 11, 1, 16)]
    signal = np.array([x[-1, 0] + x[0, 1] for x in X])
    y = (signal > 0).astype(np.int64) if Estimator is RNNClassifier else signal
    est = Estimator(
        cell=cell, hidden_size=3, n_layers=2, bidirectional=True, max_iter=2,
        random_state=0,
    ).fit(X, y)  # fmt: skip
    assert check_gradients(est, X, y, max_params=150) < 1e-6
    together = outputs(est, X)
    alone = np.concatenate([outputs(est, [x]) for x in X])
    np.testing.assert_array_equal(together, alone)


@ignore_convergence
def test_training_check_gradients_ignores_truncation():
    # A model trained with truncated BPTT is still checked against the
    # derivative of its loss (full BPTT), not against its truncated gradient.
    X, y = make_data(RNNRegressor, n=6, T=5, C=2)
    est = RNNRegressor(hidden_size=3, max_iter=2, bptt_steps=2, random_state=0)
    assert check_gradients(est.fit(X, y), X, y) < 1e-6


@ignore_convergence
@pytest.mark.parametrize("cell", CELLS)
def test_training_check_gradients_detects_wrong_backward(cell, monkeypatch):
    X, y = make_data(RNNClassifier, n=6, T=4, C=2)
    est = RNNClassifier(
        cell=cell, hidden_size=3, n_layers=2, bidirectional=True, max_iter=2,
        random_state=0,
    ).fit(X, y)  # fmt: skip
    backward = _kernels.CELLS[cell].backward

    def wrong_backward(
        x, lengths, W_x, W_h, b_h, h0, c0, hs, cs, act, dhs,
        dx, dW_x, dW_h, db, db_h, dh0, dc0, need_dx,
    ):  # fmt: skip
        backward(
            x, lengths, W_x, W_h, b_h, h0, c0, hs, cs, act, dhs,
            dx, dW_x, dW_h, db, db_h, dh0, dc0, need_dx,
        )  # fmt: skip
        for g in (dW_x, dW_h, db, db_h):
            g *= 1.1

    wrong_cell = replace(_kernels.CELLS[cell], backward=wrong_backward)
    monkeypatch.setitem(_kernels.CELLS, cell, wrong_cell)
    assert check_gradients(est, X, y) > 1e-3
    monkeypatch.undo()
    assert check_gradients(est, X, y) < 1e-6


@ignore_convergence
@pytest.mark.parametrize("cell", CELLS)
def test_training_check_gradients_of_the_generator(cell):
    # The next-step loss (every step, begin/end markers, masked outputs,
    # embedding) and the squared next-value loss, two layers, ragged lengths.
    from skrnn import RNNSequenceGenerator

    text = RNNSequenceGenerator(
        cell=cell, hidden_size=4, embedding_dim=3, n_layers=2, max_iter=3,
        random_state=0,
    ).fit(["hello there", "help", ""])  # fmt: skip
    assert check_gradients(text, ["hello there", "hex", ""]) < 1e-6
    X = [np.random.RandomState(k).normal(size=(4 + k, 2)) for k in range(3)]
    numeric = RNNSequenceGenerator(
        cell=cell, hidden_size=4, max_iter=3, random_state=0
    ).fit(X)
    assert check_gradients(numeric, X) < 1e-6


# ------------------------------------------------------- the training layer
@ignore_convergence
def test_training_layer_trains_on_arrays_alone():
    # run_epochs needs a network, data, settings and a record: no estimator.
    # Fed what RNNClassifier feeds it, it trains the same model, bit for bit.
    X, y = make_data(RNNClassifier, n=40, T=6)
    clf = RNNClassifier(
        cell="gru", hidden_size=4, batch_size=10, max_iter=30, alpha=0.0,
        clip_norm=None, learning_rate_init=0.01, random_state=0,
    ).fit(X, y)  # fmt: skip

    rng = np.random.RandomState(0)
    network = RNNNetwork("gru", 1, 4, 1, False, 2, np.float64)
    network.initialize(rng)
    data = TrainingData(X[:, :, None].copy(), np.full(40, 6), y, np.ones(40))
    settings = TrainingSettings(
        loss="softmax", weight_mask=network.weight_mask().astype(np.float64),
        batch_size=10, clip_norm=None,
    )  # fmt: skip
    record = TrainingRecord()
    record.start_run(network.theta, early_stopping=False)
    optimizer = make_optimizer(
        "adam", network.theta.shape[0], np.float64,
        {"learning_rate_init": 0.01, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-8},
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing to warn about: no estimator
        stopped = run_epochs(network, optimizer, data, settings, record, rng, 30)

    assert record.n_iter == len(record.loss_curve) == clf.n_iter_
    assert record.t == 40 * record.n_iter
    assert record.best_loss == min(record.loss_curve) < 0.5 * record.loss_curve[0]
    np.testing.assert_array_equal(network.theta, record.best_theta)
    assert stopped == (record.n_iter < 30)
    np.testing.assert_array_equal(network.theta, clf._network.theta)
    assert record.loss_curve == clf.loss_curve_


@ignore_convergence
def test_training_problem_leaves_the_estimator_unchanged():
    # check_gradients reads a fitted model through training_problem, which
    # must not touch it (the generator records the ids it was trained on).
    gen = RNNSequenceGenerator(hidden_size=3, max_iter=2, random_state=0)
    gen.fit(["abc", "abd"])
    seen = gen._seen_targets.copy()
    theta = gen._network.theta.copy()
    network, data, settings = training_problem(gen, ["xyz", "abcd"])
    assert network.dtype == np.float64 and network is not gen._network
    assert data.every_step and settings.dropout == 0 and settings.bptt_steps is None
    np.testing.assert_array_equal(gen._seen_targets, seen)
    np.testing.assert_array_equal(gen._network.theta, theta)


@ignore_convergence
def test_training_check_gradients_with_class_weights():
    X, y = make_data(RNNClassifier, n=12)
    clf = RNNClassifier(
        hidden_size=3, max_iter=2, class_weight={0: 3.0, 1: 0.5}, random_state=0
    ).fit(X, y)
    assert check_gradients(clf, X, y) < 1e-6
