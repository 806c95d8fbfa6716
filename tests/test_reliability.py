"""Determinism and concurrency: the same ``random_state``, the same model.

Bit for bit (SHA-256 of the fitted weights and of the outputs, see
``tests/reliability_tasks.py``): across repeated fits, across
``NUMBA_NUM_THREADS`` 1 and 2 (in subprocesses: the thread count is read at
import), inside ``GridSearchCV(n_jobs=2)`` (fits in loky worker
processes), and for estimators fitted at the same time in Python threads
(the kernels release the GIL), which must share no mutable state. Each
model is small: a fit takes a fraction of a second.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, cross_validate

from skrnn import RNNClassifier, RNNSequenceGenerator
from skrnn.datasets import load_sentiment
from tests.reliability_tasks import digest, fit_concurrently, fit_digest, make_tasks

# Short fits reach max_iter on purpose.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def sequential():
    """The digest of each task fitted alone, in this process."""
    return {name: fit_digest(task) for name, task in make_tasks().items()}


def test_reliability_repeated_fits_are_bit_identical(sequential):
    # A new estimator, and a refit of the same one.
    for name, task in make_tasks().items():
        assert fit_digest(task) == sequential[name], name
        assert fit_digest(task) == sequential[name], name
    # The digest tells another seed.
    estimator, X, y, X_test = make_tasks()["regressor-series-gru"]
    estimator.set_params(random_state=1)
    assert fit_digest((estimator, X, y, X_test)) != sequential["regressor-series-gru"]


def test_reliability_threads_fit_the_models_of_sequential_fits(sequential):
    # Every task twice (two estimators of the same task too), each fit in
    # its own thread, all at once: each model is the one fitted alone.
    tasks = [item for _ in range(2) for item in make_tasks().items()]
    assert fit_concurrently(tasks) == [sequential[name] for name, _ in tasks]


def test_reliability_threads_generate_what_one_thread_generates():
    # Sampling draws from the random_state of each call only.
    text = list(load_sentiment().data[:40])
    gen = RNNSequenceGenerator(hidden_size=16, max_iter=3, random_state=0).fit(text)
    expected = [gen.generate(300, random_state=seed) for seed in range(4)]
    assert len(set(expected)) == 4
    results = [None] * 4
    barrier = threading.Barrier(4)

    def generate(seed):
        barrier.wait()
        results[seed] = gen.generate(300, random_state=seed)

    threads = [threading.Thread(target=generate, args=(s,)) for s in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == expected


def test_reliability_bit_identical_across_numba_thread_counts(tmp_path, sequential):
    # With 1 and with 2 Numba threads, one fit after the other and in
    # concurrent Python threads: the models of this process.
    for n_threads in (1, 2):
        path = tmp_path / f"threads{n_threads}.json"
        env = {**os.environ, "NUMBA_NUM_THREADS": str(n_threads)}
        env["SCIPY_ARRAY_API"] = "1"
        done = subprocess.run(
            [sys.executable, "-m", "tests.reliability_tasks", str(path)], cwd=ROOT,
            env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        result = json.loads(path.read_text())
        assert result["n_threads"] == n_threads
        assert result["sequential"] == sequential, n_threads
        assert result["concurrent"] == sequential, n_threads


def theta_digest(estimator):
    return digest(estimator._network.theta)


def test_reliability_grid_search_two_jobs_equals_one_job():
    # The candidates are fitted in two loky worker processes: the same
    # scores, the same best model, and the same fold models, bit for bit.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 8)).astype(np.float32)
    y = (X[:, 0] + X[:, -1] > 0).astype(int)
    clf = RNNClassifier(dropout=0.2, max_iter=4, random_state=0)
    grid = {"cell": ["lstm", "gru"], "hidden_size": [4, 8]}
    searches = [
        GridSearchCV(clf, grid, cv=2, n_jobs=n_jobs).fit(X, y) for n_jobs in (1, 2)
    ]
    for key in ("split0_test_score", "split1_test_score", "mean_test_score"):
        np.testing.assert_array_equal(
            searches[0].cv_results_[key], searches[1].cv_results_[key]
        )
    assert searches[0].best_params_ == searches[1].best_params_
    best = [theta_digest(search.best_estimator_) for search in searches]
    assert best[0] == best[1]
    # The fold models themselves, fitted in the workers and sent back.
    folds = [
        cross_validate(clf, X, y, cv=2, n_jobs=n_jobs, return_estimator=True)
        for n_jobs in (1, 2)
    ]
    digests = [[theta_digest(e) for e in f["estimator"]] for f in folds]
    assert digests[0] == digests[1]
    assert digests[0][0] != digests[0][1]
