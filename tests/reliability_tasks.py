"""The models tests/test_reliability.py fits, in its process and in others.

One task per estimator and input kind, with dropout, shuffling, early
stopping or truncated BPTT, so that every random draw matters. Run as
``python -m tests.reliability_tasks OUT.json`` from the repository root, it
writes the digest of each task fitted one after the other and fitted in
concurrent Python threads, with the number of Numba threads.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import hashlib
import json
import sys
import threading
import warnings

import numpy as np

from skrnn import RNNClassifier, RNNRegressor, RNNSeq2Seq, RNNSequenceGenerator
from skrnn.datasets import load_sentiment


def digest(*arrays):
    """SHA-256 of the bytes of ``arrays``."""
    h = hashlib.sha256()
    for a in arrays:
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


def make_tasks():
    """name -> (unfitted estimator, X, y, X_test)."""
    rng = np.random.RandomState(0)
    series = rng.normal(size=(60, 12, 2)).astype(np.float32)
    text, labels = load_sentiment(return_X_y=True)
    text, labels = text[:120], labels[:120]
    common = {"dropout": 0.2, "batch_size": 20, "max_iter": 4, "random_state": 0}
    return {
        "classifier-text-lstm": (
            RNNClassifier(cell="lstm", hidden_size=8, early_stopping=True, **common),
            text, labels, text,
        ),
        "regressor-series-gru": (
            RNNRegressor(cell="gru", hidden_size=8, n_layers=2, **common),
            series, series[:, -1, 0] - series[:, 0, 1], series,
        ),
        "generator-text-rnn": (
            RNNSequenceGenerator(cell="rnn", hidden_size=16, bptt_steps=5, **common),
            list(text[:40]), None, list(text[:5]),
        ),
        "seq2seq-text-gru": (
            RNNSeq2Seq(cell="gru", hidden_size=8, bidirectional=True, **common),
            [t[:12] for t in text[:60]], [t[:12][::-1] for t in text[:60]],
            [t[:12] for t in text[60:70]],
        ),
    }  # fmt: skip


def fit_digest(task):
    """Fit the task's estimator; digest its weights and its outputs."""
    estimator, X, y, X_test = task
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # short fits reach max_iter
        estimator.fit(X, y)
    if isinstance(estimator, RNNSequenceGenerator):
        out = estimator.score_samples(X_test)
    else:
        out = np.asarray(estimator.predict(X_test))
    return digest(estimator._network.theta, out)


def fit_concurrently(tasks):
    """Fit the tasks, a list of ``(name, task)``, each in its own thread,
    all started together; return their digests in order."""
    results = [None] * len(tasks)
    barrier = threading.Barrier(len(tasks))

    def fit(i):
        barrier.wait()  # so that the fits overlap
        results[i] = fit_digest(tasks[i][1])

    threads = [threading.Thread(target=fit, args=(i,)) for i in range(len(tasks))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


if __name__ == "__main__":
    import numba

    out = {"n_threads": numba.get_num_threads()}
    out["sequential"] = {name: fit_digest(t) for name, t in make_tasks().items()}
    tasks = list(make_tasks().items())
    out["concurrent"] = dict(zip([name for name, _ in tasks], fit_concurrently(tasks)))
    with open(sys.argv[1], "w") as f:
        json.dump(out, f)
