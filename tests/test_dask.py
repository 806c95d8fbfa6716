"""skrnn on a dask.distributed cluster: searches, batch prediction, streaming.

One LocalCluster of 2 worker processes (1 thread each) serves the module.
The models are fitted in this process first, which also writes the kernels
to Numba's cache, so the workers load them instead of compiling. Results
computed on the cluster must equal the in-memory ones exactly: prediction
is batch-invariant, and the streaming loop calls ``partial_fit`` on the same
chunks as the in-memory loop.

dask-ml (2025.1.0) is not used: its ``ParallelPostFit`` maps a 2-D dask array
or a dask DataFrame, but computes a dask Series (a text column) in the client
and cannot infer the output of a 1-D array of documents; ``map_partitions``
covers every input kind (see the parallel guide).
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import itertools
import sys

import cloudpickle
import dask
import dask.array as da
import dask.bag as db
import dask.dataframe as dd
import dask.distributed as distributed
import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GridSearchCV

from skrnn import RNNClassifier, RNNRegressor, RNNSequenceGenerator, Tokenizer
from skrnn.datasets import load_sentiment, make_sequence_classification
from tests import numba_cache
from tests.numba_cache import kernel_cache_stats

# Most fits here stop at max_iter on purpose (short training runs).
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

SMALL = {"hidden_size": 4, "max_iter": 2, "random_state": 0}


@pytest.fixture(scope="module")
def client():
    # The helpers below travel to the workers by value: pytest imports this
    # module (and tests.numba_cache) under names the workers cannot import.
    shared = (sys.modules[__name__], numba_cache)
    for module in shared:
        cloudpickle.register_pickle_by_value(module)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client
    for module in shared:
        cloudpickle.unregister_pickle_by_value(module)


@pytest.fixture(scope="module")
def data():
    text, labels = load_sentiment(return_X_y=True)
    rng = np.random.RandomState(0)
    series = rng.normal(size=(90, 6)).astype(np.float32)
    return {
        "text": pd.Series(text[:120], name="text"),
        "labels": labels[:120],
        "series": series,
        "target": series.sum(axis=1),
    }


@pytest.fixture(scope="module")
def models(data):
    text, series = list(data["text"]), data["series"]
    return {
        "classifier": RNNClassifier(**SMALL).fit(text, data["labels"]),
        "regressor": RNNRegressor(**SMALL).fit(series, data["target"]),
        "text_generator": RNNSequenceGenerator(**SMALL).fit(text),
        "series_generator": RNNSequenceGenerator(**SMALL).fit(series),
    }


# Functions run on the workers, one partition at a time.
def predict_part(part, model, method):
    """``model.method`` on a pandas partition, keeping its index."""
    out = getattr(model, method)(part)
    if out.ndim == 1:
        return pd.Series(out, index=part.index, name=method)
    return pd.DataFrame(out, index=part.index, columns=list(model.classes_))


def predict_documents(documents, model, method):
    """``model.method`` on a partition of a bag: a list of one array."""
    return [getattr(model, method)(list(documents))]


def predict_and_count_threads(model, X):
    import numba

    model.predict(X)
    return numba.get_num_threads()


# ------------------------------------------------------------ prediction


def test_dataframe_text_column_predict_and_proba(client, models, data):
    clf, text = models["classifier"], data["text"]
    expected_labels = clf.predict(list(text))
    expected_proba = clf.predict_proba(list(text))
    column = dd.from_pandas(text, npartitions=4)
    labels = column.map_partitions(
        predict_part, clf, "predict", meta=("predict", "int64")
    )
    proba = column.map_partitions(
        predict_part, clf, "predict_proba", meta=dict.fromkeys(clf.classes_, "f4")
    )
    labels, proba = dask.compute(labels, proba)
    np.testing.assert_array_equal(labels.to_numpy(), expected_labels)
    np.testing.assert_array_equal(labels.index, text.index)
    np.testing.assert_array_equal(proba.to_numpy(), expected_proba)


def test_bag_of_documents_generator_score_samples(client, models, data):
    gen, text = models["text_generator"], list(data["text"])
    expected = gen.score_samples(text)
    bag = db.from_sequence(text, npartitions=3)
    scores = bag.map_partitions(predict_documents, gen, "score_samples").compute()
    np.testing.assert_array_equal(np.concatenate(scores), expected)
    # A dask DataFrame column the same way.
    column = dd.from_pandas(data["text"], npartitions=5)
    scores = column.map_partitions(
        predict_part, gen, "score_samples", meta=("score_samples", "f8")
    ).compute()
    np.testing.assert_array_equal(scores.to_numpy(), expected)


def test_dask_array_of_series(client, models, data):
    reg, gen, series = models["regressor"], models["series_generator"], data["series"]
    expected = reg.predict(series), gen.score_samples(series)
    X = da.from_array(series, chunks=(25, -1))  # blocks of whole series
    y_pred = X.map_blocks(reg.predict, drop_axis=1, dtype=np.float32)
    scores = X.map_blocks(gen.score_samples, drop_axis=1, dtype=np.float64)
    y_pred, scores = dask.compute(y_pred, scores)
    np.testing.assert_array_equal(y_pred, expected[0])
    np.testing.assert_array_equal(scores, expected[1])


def test_workers_load_kernels_from_the_cache_with_one_thread(client, models, data):
    # The kernels were compiled (or loaded) here by the fixtures: every worker
    # loads them from Numba's cache, once, and never compiles.
    reg, series = models["regressor"], data["series"]
    reg.predict(series)  # the prediction kernels too, when run alone
    tasks = [
        client.submit(predict_and_count_threads, reg, series, pure=False, workers=[w])
        for w in client.scheduler_info()["workers"]
        for _ in range(2)
    ]
    # dask's worker processes set OMP_NUM_THREADS=1, which caps the kernels'
    # Numba threads (skrnn._kernels._threads): no oversubscription.
    assert client.gather(tasks) == [1] * len(tasks)
    stats = client.run(kernel_cache_stats)
    assert len(stats) == 2
    assert all(s["misses"] == 0 and s["hits"] > 0 for s in stats.values()), stats
    # Later tasks run the loaded kernels: no new load, no compilation.
    client.gather([client.submit(reg.predict, series, pure=False) for _ in range(4)])
    assert client.run(kernel_cache_stats) == stats


# ------------------------------------------------------------- searches


def _search(n_jobs):
    X, y = make_sequence_classification(
        n_samples=160, n_timesteps=6, position="start", random_state=4
    )
    estimator = RNNClassifier(learning_rate_init=0.01, max_iter=4, random_state=0)
    search = GridSearchCV(estimator, {"hidden_size": [4, 8]}, cv=2, n_jobs=n_jobs)
    return search.fit(X.astype(np.float32), y)


def test_grid_search_dask_backend_matches_sequential(client):
    expected = _search(n_jobs=1)
    with (
        joblib.parallel_backend("dask"),
        distributed.get_task_stream(client) as stream,
    ):
        search = _search(n_jobs=2)
    # The fits really ran as dask tasks (2 candidates x 2 folds).
    assert len(stream.data) >= 4
    assert search.best_params_ == expected.best_params_
    assert search.best_score_ == expected.best_score_
    np.testing.assert_array_equal(
        search.cv_results_["mean_test_score"], expected.cv_results_["mean_test_score"]
    )


# ------------------------------------------------------------ streaming


def test_partial_fit_over_partitions_equals_in_memory_chunks(client, data):
    # A vocabulary fixed up front (words first seen in a later partition are
    # out of vocabulary), then one partial_fit per partition, in order.
    frame = pd.DataFrame({"text": data["text"], "label": data["labels"]})
    tokenizer = FrozenEstimator(Tokenizer(min_df=2).fit(frame["text"]))
    streamed = RNNClassifier(tokenizer=tokenizer, **SMALL)
    in_memory = clone(streamed)

    ddf = dd.from_pandas(frame, npartitions=4)
    sizes = []
    for part in ddf.to_delayed():  # one partition in memory at a time
        part = part.compute()
        streamed.partial_fit(part["text"], part["label"], classes=[0, 1])
        sizes.append(len(part))
    assert len(sizes) == 4 and sum(sizes) == len(frame)

    bounds = np.cumsum([0, *sizes])
    for lo, hi in itertools.pairwise(bounds):
        chunk = frame.iloc[lo:hi]
        in_memory.partial_fit(list(chunk["text"]), chunk["label"], classes=[0, 1])

    assert streamed.n_iter_ == in_memory.n_iter_ == 4
    np.testing.assert_array_equal(streamed._network.theta, in_memory._network.theta)
    text = list(frame["text"])
    np.testing.assert_array_equal(
        streamed.predict_proba(text), in_memory.predict_proba(text)
    )
