"""Peak memory does not grow with the length of the sequences.

Prediction keeps no training caches, and truncated BPTT keeps the caches of
its window only: beyond a few copies of the input itself (validation,
padding), the memory numpy allocates is the same for sequences of 5,000 and
of 50,000 steps. ``tracemalloc`` sees every numpy buffer. One series of
10,000 steps trains with ``bptt_steps=100`` below an absolute bound that
full backpropagation through time exceeds.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import tracemalloc
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from skrnn import RNNClassifier, RNNRegressor, RNNSequenceGenerator

LENGTHS = (5_000, 50_000)
# Copies of the input a call may make (validation, padding, the compute
# dtype): the growth of the peak beyond them is what this file forbids.
INPUT_COPIES = 4


def peak_memory(call):
    """Bytes numpy and Python allocated at the peak of ``call()``."""
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def series(T, n=4, seed=0):
    rng = np.random.RandomState(seed)
    return [rng.normal(size=T) for _ in range(n)]


def assert_flat_in_length(call_for_length):
    """The peak grows by at most INPUT_COPIES copies of the extra input."""
    peaks = [peak_memory(lambda T=T: call_for_length(T)) for T in LENGTHS]
    extra_input = 4 * (LENGTHS[1] - LENGTHS[0]) * 8  # four float64 series
    growth = peaks[1] - peaks[0]
    # Caches of every step would grow by about 48 times the input here
    # (two LSTM layers of 16 units: states, cell states and four gates).
    assert growth <= INPUT_COPIES * extra_input, (peaks, extra_input)


def fitted(Estimator, **params):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(8, 10))
    y = rng.randint(0, 2, size=8) if Estimator is RNNClassifier else X[:, 0]
    est = Estimator(cell="lstm", hidden_size=16, n_layers=2, max_iter=1, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, None if Estimator is RNNSequenceGenerator else y)


@pytest.mark.parametrize("Estimator", [RNNClassifier, RNNRegressor])
def test_memory_prediction_keeps_no_caches(Estimator):
    est = fitted(Estimator, random_state=0)
    est.predict(series(20))  # compiled before measuring
    assert_flat_in_length(lambda T: est.predict(series(T)))


def test_memory_scoring_keeps_no_caches():
    gen = fitted(RNNSequenceGenerator, random_state=0)
    gen.score_samples(series(20))
    assert_flat_in_length(lambda T: gen.score_samples(series(T)))


@pytest.mark.parametrize("Estimator", [RNNRegressor, RNNSequenceGenerator])
def test_memory_truncated_bptt_keeps_the_window_only(Estimator):
    # One epoch over four long series, 20-step windows.
    est = fitted(Estimator, random_state=0, bptt_steps=20, batch_size=4)
    y = np.zeros(4) if Estimator is RNNRegressor else None

    def partial_fit(T):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            est.partial_fit(series(T), y)

    partial_fit(40)
    assert_flat_in_length(partial_fit)


# What a fit or a prediction allocates whatever the length (0.4 MB measured).
OVERHEAD = 1_000_000


@pytest.mark.parametrize("Estimator", [RNNRegressor, RNNSequenceGenerator])
def test_memory_one_10000_step_series_trains_in_bounded_memory(Estimator):
    # One series of 10,000 steps, bptt_steps=100: the peak stays below a few
    # copies of the input plus the caches of one window of each of the 4
    # lanes (or sequences), LSTM states, cell states and gates in float64.
    # Full BPTT keeps the caches of all 10,000 steps and goes beyond it.
    x = series(10_000, n=1)[0]
    X = x[None, :]
    y = np.array([0.5]) if Estimator is RNNRegressor else None
    params = {"cell": "lstm", "hidden_size": 16, "batch_size": 4, "max_iter": 3}
    window = 4 * 100 * (6 * 16) * 8
    bound = INPUT_COPIES * X.nbytes + window + OVERHEAD

    def fit(bptt_steps):
        est = Estimator(bptt_steps=bptt_steps, random_state=0, **params)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            # The generator's advice to set bptt_steps, for bptt_steps=None.
            warnings.filterwarnings("ignore", "Document 0 has", UserWarning)
            return est.fit(X, y)

    est = fit(100)  # compiled before measuring
    assert peak_memory(lambda: fit(100)) <= bound
    assert peak_memory(lambda: fit(None)) > bound
    # Prediction streams the 10,000 steps (no recursion per step: Python's
    # limit is 1,000), in the same bound.
    assert peak_memory(lambda: est.predict(X)) <= bound
    assert np.all(np.isfinite(est.predict(X)))
    if Estimator is RNNSequenceGenerator:
        est.generate(5, prompt=x[:20])
        assert peak_memory(lambda: est.generate(5, prompt=x)) <= bound
        assert np.all(np.isfinite(est.generate(5, prompt=x)))
