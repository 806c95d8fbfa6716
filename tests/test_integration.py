"""Tests of skrnn inside scikit-learn's machinery.

clone, pickle, Pipeline, GridSearchCV with joblib's default (loky) backend,
cross_val_score and pandas input. Forked workers (multiprocessing, joblib's
"multiprocessing" backend) are tested in tests/kernels/test_threads.py. Saving and
loading models is tested in test_persistence.py, dask's backend, prediction
and streaming on a cluster in test_dask.py.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.compose import make_column_transformer
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from skrnn import RNNClassifier, RNNRegressor, RNNSequenceGenerator, Tokenizer
from skrnn.datasets import load_sentiment, make_sequence_classification

# Most fits here stop at max_iter on purpose (short training runs).
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

ESTIMATORS = [RNNClassifier, RNNRegressor]
CELLS = ["rnn", "lstm", "gru"]


@pytest.fixture(scope="module")
def easy_task():
    """Binary motif task over 6 steps, float32; a small LSTM learns it fast."""
    X, y = make_sequence_classification(
        n_samples=240, n_timesteps=6, position="start", random_state=4
    )
    return X.astype(np.float32), y


def _grid_search(n_jobs=2):
    estimator = RNNClassifier(learning_rate_init=0.01, max_iter=8, random_state=0)
    return GridSearchCV(estimator, {"hidden_size": [4, 8]}, cv=2, n_jobs=n_jobs)


@pytest.fixture(scope="module")
def loky_search(easy_task):
    """GridSearchCV fitted with joblib's default backend (loky) and 2 jobs."""
    return _grid_search().fit(*easy_task)


@pytest.fixture(scope="module")
def sequential_search(easy_task):
    """The same search in this process (n_jobs=1)."""
    return _grid_search(n_jobs=1).fit(*easy_task)


def _targets(Estimator, y):
    return y if Estimator is RNNClassifier else y + 0.5 * (np.arange(len(y)) % 3)


# ------------------------------------------------------------ clone/pickle


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_clone_gives_unfitted_copy_with_same_params(Estimator, easy_task):
    X, y = easy_task
    params = {
        "cell": "gru",
        "hidden_size": 5,
        "n_layers": 2,
        "max_iter": 2,
        "random_state": 3,
    }
    fitted = Estimator(**params).fit(X, _targets(Estimator, y))
    copy = clone(fitted)
    assert copy is not fitted
    assert copy.get_params() == fitted.get_params()
    assert copy.get_params()["hidden_size"] == 5
    with pytest.raises(NotFittedError):
        check_is_fitted(copy)
    with pytest.raises(NotFittedError):
        copy.predict(X)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_pickle_round_trip_gives_identical_predictions(Estimator, cell, easy_task):
    X, y = easy_task
    y = _targets(Estimator, y)
    model = Estimator(cell=cell, hidden_size=6, max_iter=3, random_state=0)
    model.fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    assert np.array_equal(restored.predict(X), model.predict(X))
    if Estimator is RNNClassifier:
        assert np.array_equal(restored.predict_proba(X), model.predict_proba(X))
    # The restored model trains on exactly as the original does: its parameter
    # views and optimizer state came through the pickle.
    model.partial_fit(X, y)
    restored.partial_fit(X, y)
    assert np.array_equal(restored.predict(X), model.predict(X))
    assert restored.n_iter_ == model.n_iter_ == 4


# -------------------------------------------------- pipeline and searches


def test_pipeline_with_scaler_fits_and_predicts(easy_task):
    X, y = easy_task
    pipe = make_pipeline(
        StandardScaler(),
        RNNClassifier(
            hidden_size=8, learning_rate_init=0.01, max_iter=10, random_state=0
        ),
    )
    pipe.fit(X[:160], y[:160])
    assert pipe[-1].n_features_in_ == 6
    y_pred = pipe.predict(X[160:])
    assert y_pred.shape == (80,)
    assert np.mean(y_pred == y[160:]) >= 0.95
    np.testing.assert_allclose(pipe.predict_proba(X[160:]).sum(axis=1), 1, rtol=1e-6)


def test_grid_search_loky_two_jobs_sets_best_params(loky_search, sequential_search):
    search = loky_search
    assert search.best_params_["hidden_size"] in (4, 8)
    assert search.best_estimator_.hidden_size == search.best_params_["hidden_size"]
    scores = search.cv_results_["mean_test_score"]
    assert scores.shape == (2,)
    assert search.best_score_ == scores.max()
    assert search.best_score_ >= 0.9  # the candidates really learn the task
    # Two worker processes find exactly what one process finds.
    assert search.best_params_ == sequential_search.best_params_
    np.testing.assert_array_equal(
        scores, sequential_search.cv_results_["mean_test_score"]
    )


def test_cross_val_score_scores_each_fold(easy_task):
    X, y = easy_task
    clf = RNNClassifier(
        hidden_size=8, learning_rate_init=0.01, max_iter=10, random_state=0
    )
    scores = cross_val_score(clf, X, y, cv=3)
    assert scores.shape == (3,)
    assert np.all(scores >= 0.9)


# ---------------------------------------------------------------- pandas


@pytest.mark.parametrize(
    "Estimator", [RNNClassifier, RNNRegressor, RNNSequenceGenerator]
)
def test_dataframe_input_sets_feature_names(Estimator, easy_task):
    X, y = easy_task
    y = None if Estimator is RNNSequenceGenerator else _targets(Estimator, y)
    columns = [f"t{i}" for i in range(X.shape[1])]
    df = pd.DataFrame(X, columns=columns)
    params = {"hidden_size": 6, "max_iter": 3, "random_state": 0}
    model = Estimator(**params).fit(df, y)
    np.testing.assert_array_equal(model.feature_names_in_, columns)
    assert model.n_features_in_ == 6
    # The DataFrame is read as the same 2-D series as its values.
    from_array = Estimator(**params).fit(X, y)
    assert not hasattr(from_array, "feature_names_in_")
    assert np.array_equal(model.predict(df), from_array.predict(X))
    renamed = df.rename(columns={"t0": "other"})
    with pytest.raises(ValueError, match="feature names"):
        model.predict(renamed)


# Text in pandas: a Series, or a one-column DataFrame (what ColumnTransformer
# passes for a list of one column); the other input kinds are tested in
# test_text.py. Like scikit-learn's text vectorizers, text and token ids
# record no feature_names_in_: only numeric series have columns (time steps).


@pytest.fixture(scope="module")
def reviews():
    X, y = load_sentiment(return_X_y=True)
    frame = pd.DataFrame({"text": X[:80], "n_words": [len(d.split()) for d in X[:80]]})
    # A shuffled index, as after train_test_split on a DataFrame: documents
    # are read by position, never by label.
    frame.index = np.random.RandomState(0).permutation(1000)[:80]
    return frame, y[:80]


TEXT_PARAMS = {"hidden_size": 4, "max_iter": 3, "random_state": 0}


def test_text_series_with_any_index_reads_documents_in_order(reviews):
    frame, y = reviews
    from_list = RNNClassifier(**TEXT_PARAMS).fit(list(frame["text"]), y)
    from_series = RNNClassifier(**TEXT_PARAMS).fit(frame["text"], y)
    assert not hasattr(from_series, "feature_names_in_")
    np.testing.assert_array_equal(
        from_series.predict_proba(frame["text"]),
        from_list.predict_proba(list(frame["text"])),
    )


def test_column_transformer_selects_the_text_column(reviews):
    frame, y = reviews
    text = list(frame["text"])
    raw = RNNClassifier(**TEXT_PARAMS).fit(text, y)
    # The column itself ("text": a Series) into a Tokenizer, then token ids.
    ids_pipe = make_pipeline(
        make_column_transformer((Tokenizer(), "text")),
        RNNClassifier(input_type="tokens", **TEXT_PARAMS),
    ).fit(frame, y)
    # A one-column selection (["text"]) passed through as raw text.
    text_pipe = make_pipeline(
        make_column_transformer(("passthrough", ["text"])),
        RNNClassifier(**TEXT_PARAMS),
    ).fit(frame, y)
    assert text_pipe[-1].tokenizer_.vocabulary_ == raw.tokenizer_.vocabulary_
    expected = raw.predict_proba(text)
    np.testing.assert_array_equal(ids_pipe.predict_proba(frame), expected)
    np.testing.assert_array_equal(text_pipe.predict_proba(frame), expected)


def test_tokenizer_set_output_pandas(reviews):
    # The Tokenizer's ids come out as a DataFrame whose columns are its
    # get_feature_names_out (positions), as any scikit-learn transformer's;
    # a token model reads that DataFrame as it reads the array.
    frame, y = reviews
    tokenizer = Tokenizer().set_output(transform="pandas").fit(frame["text"])
    ids = tokenizer.transform(frame["text"])
    assert isinstance(ids, pd.DataFrame)
    np.testing.assert_array_equal(ids.columns, tokenizer.get_feature_names_out())
    np.testing.assert_array_equal(ids.index, frame.index)
    assert (ids.dtypes == np.int64).all()
    default = Tokenizer().fit(frame["text"])
    np.testing.assert_array_equal(ids.to_numpy(), default.transform(frame["text"]))

    def pipeline():
        return make_pipeline(
            Tokenizer(), RNNClassifier(input_type="tokens", **TEXT_PARAMS)
        )

    pandas_pipe = pipeline().set_output(transform="pandas").fit(frame["text"], y)
    assert not hasattr(pandas_pipe[-1], "feature_names_in_")
    np.testing.assert_array_equal(
        pandas_pipe.predict_proba(frame["text"]),
        pipeline().fit(frame["text"], y).predict_proba(frame["text"]),
    )


def test_grid_search_over_a_text_pipeline_with_two_jobs():
    # Raw text through a Pipeline, the tokenizer's settings searched with the
    # network's, in two loky workers.
    X, y = load_sentiment(return_X_y=True)
    X, y = X[:400], y[:400]
    pipe = make_pipeline(
        Tokenizer(),
        RNNClassifier(input_type="tokens", hidden_size=8, max_iter=3, random_state=0),
    )
    grid = {"tokenizer__max_features": [20, None], "rnnclassifier__cell": ["gru"]}
    search = GridSearchCV(pipe, grid, cv=2, n_jobs=2).fit(X, y)
    assert search.cv_results_["mean_test_score"].shape == (2,)
    best = search.best_estimator_
    assert best[-1].vocabulary_size_ == 4 + len(best[0].vocabulary_)
    assert best.predict(["the food was good but the plot was dull"]).shape == (1,)
