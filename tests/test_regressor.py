"""Tests of RNNRegressor: tasks with known answers, target shapes and weights.

The learning tests regress functions of the whole sequence (its sum) or of
chosen steps, so the ideal prediction is known exactly. The shape tests follow
MLPRegressor's convention: a 1-D ``y`` or a single column gives 1-D predictions.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest
from sklearn.metrics import r2_score

from skrnn import RNNRegressor

# Most fits here stop at max_iter on purpose (short, timed training runs).
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def uniform_series():
    """700 float32 series of 10 steps, uniform in [-1, 1]."""
    rng = np.random.RandomState(0)
    return rng.uniform(-1, 1, size=(700, 10)).astype(np.float32)


def _lstm(**params):
    defaults = {"hidden_size": 16, "learning_rate_init": 0.01, "max_iter": 15}
    return RNNRegressor(cell="lstm", random_state=0, **{**defaults, **params})


def test_regressor_learns_sum_task(uniform_series):
    X = uniform_series
    y = X.sum(axis=1)  # every step counts: the state must accumulate them all
    reg = _lstm().fit(X[:400], y[:400])
    assert reg.score(X[400:], y[400:]) >= 0.95


def test_regressor_learns_multi_output_task(uniform_series):
    X = uniform_series
    Y = np.column_stack([X.sum(axis=1), X[:, -1], X[:, 5:].sum(axis=1)])
    reg = _lstm().fit(X[:400], Y[:400])
    scores = r2_score(Y[400:], reg.predict(X[400:]), multioutput="raw_values")
    assert np.all(scores >= 0.9), scores


@pytest.mark.parametrize(
    "y_shape, n_outputs, pred_shape",
    [((40,), 1, (7,)), ((40, 1), 1, (7,)), ((40, 3), 3, (7, 3))],
    ids=["1d", "single_column", "three_columns"],
)
def test_regressor_prediction_shape_follows_y(y_shape, n_outputs, pred_shape):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 5)).astype(np.float32)
    y = rng.normal(size=y_shape)
    reg = RNNRegressor(hidden_size=4, max_iter=2, random_state=0).fit(X, y)
    assert reg.n_outputs_ == n_outputs
    y_pred = reg.predict(X[:7])
    assert y_pred.shape == pred_shape
    assert y_pred.dtype == np.float32  # the compute dtype follows X


@pytest.mark.parametrize(
    "first_shape, second_shape", [((30,), (30, 3)), ((30, 3), (30, 2))]
)
def test_regressor_partial_fit_with_other_number_of_targets_raises(
    first_shape, second_shape
):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 4))
    reg = RNNRegressor(hidden_size=4, random_state=0)
    reg.partial_fit(X, rng.normal(size=first_shape))
    before = reg.predict(X)
    with pytest.raises(ValueError, match="targets"):
        reg.partial_fit(X, rng.normal(size=second_shape))
    # The failed call did not train the network.
    np.testing.assert_array_equal(reg.predict(X), before)
    assert reg.n_outputs_ == (first_shape[1] if len(first_shape) == 2 else 1)


def test_regressor_sample_weight_gives_weighted_mean():
    # Targets independent of X: the best prediction is the (weighted) mean of
    # y, 0.5 without weights and 1 / (9 + 1) = 0.1 when the zeros weigh 9.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(600, 6)).astype(np.float32)
    y = np.tile([0.0, 1.0], 300)
    weight = np.where(y == 0, 9.0, 1.0)
    params = {
        "hidden_size": 8,
        "learning_rate_init": 0.01,
        "max_iter": 10,
        "random_state": 0,
    }
    plain = RNNRegressor(**params).fit(X[:400], y[:400])
    weighted = RNNRegressor(**params).fit(X[:400], y[:400], sample_weight=weight[:400])
    assert abs(plain.predict(X[400:]).mean() - 0.5) < 0.05
    assert abs(weighted.predict(X[400:]).mean() - 0.1) < 0.05
