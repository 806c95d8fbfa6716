"""Text and token-id input of RNNClassifier / RNNRegressor (API.md, "What X may be").

Raw text goes through a fitted clone of the ``tokenizer`` parameter, token ids
through a trained embedding; padding (id 0) never changes a prediction. Bad
text input fails before any kernel runs: the ``forbid_kernels`` helper makes
:meth:`RNNNetwork.forward`, the only way into the kernels, fail the test.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from skrnn import (
    RNNClassifier,
    RNNRegressor,
    RNNSeq2Seq,
    RNNSequenceGenerator,
    Tokenizer,
)
from skrnn._network import RNNNetwork
from skrnn.datasets import load_sentiment
from skrnn.utils import check_gradients

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

DOCS = [
    "the food was good",
    "the food was not good",
    "the service was bad",
    "the service was not bad",
    "good food",
    "bad service, not good at all",
]
LABELS = np.array([1, 0, 0, 1, 1, 0])


def small(Estimator=RNNClassifier, **params):
    """A quick estimator: a few epochs are enough for these tests."""
    defaults = {"hidden_size": 8, "embedding_dim": 4, "max_iter": 3, "random_state": 0}
    return Estimator(**{**defaults, **params})


def forbid_kernels(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("a kernel ran on invalid input")

    monkeypatch.setattr(RNNNetwork, "forward", forbidden)


# ------------------------------------------------------------ fitted state
def test_text_fit_sets_tokenizer_and_vocabulary():
    tokenizer = Tokenizer(min_df=1)
    clf = small(tokenizer=tokenizer).fit(DOCS, LABELS)
    # The parameter is cloned, never fitted itself.
    assert not hasattr(tokenizer, "vocabulary_")
    assert clf.tokenizer_ is not tokenizer
    assert clf.tokenizer_.vocabulary_["food"] >= 4
    assert clf.vocabulary_size_ == 4 + len(clf.tokenizer_.vocabulary_)
    # Raw text defines neither n_features_in_ nor n_channels_in_.
    assert not hasattr(clf, "n_features_in_")
    assert not hasattr(clf, "n_channels_in_")
    # The network embeds the ids and computes in float32.
    net = clf._network
    assert net.params["embedding.W"].shape == (clf.vocabulary_size_, 4)
    assert net.dtype == np.float32
    assert clf.predict_proba(DOCS).dtype == np.float32
    assert set(clf.predict(DOCS)) <= {0, 1}


def test_text_default_tokenizer_is_words():
    clf = small().fit(DOCS, LABELS)
    assert clf.tokenizer is None
    assert clf.tokenizer_.get_params() == Tokenizer().get_params()
    char = small(tokenizer=Tokenizer(analyzer="char")).fit(DOCS, LABELS)
    assert "f" in char.tokenizer_.vocabulary_


def test_text_refit_on_numeric_forgets_text_attributes():
    clf = small().fit(DOCS, LABELS)
    X = np.random.RandomState(0).normal(size=(6, 5))
    clf.fit(X, LABELS)
    assert not hasattr(clf, "tokenizer_") and not hasattr(clf, "vocabulary_size_")
    assert clf.n_features_in_ == 5 and clf.n_channels_in_ == 1
    clf.fit(DOCS, LABELS)
    assert not hasattr(clf, "n_features_in_")


@pytest.mark.parametrize(
    "container",
    [list, tuple, np.array, pd.Series, lambda d: pd.DataFrame({"text": d})],
    ids=["list", "tuple", "array", "series", "one-column-frame"],
)
def test_text_containers_give_the_same_model(container):
    expected = small().fit(DOCS, LABELS).predict_proba(DOCS)
    got = small().fit(container(DOCS), LABELS).predict_proba(container(DOCS))
    assert_array_equal(got, expected)


# ------------------------------------------------ tokens and padding
def test_pipeline_of_tokenizer_and_tokens_equals_raw_text_model():
    raw = small(max_iter=5).fit(DOCS, LABELS)
    pipe = make_pipeline(Tokenizer(), small(input_type="tokens", max_iter=5))
    pipe.fit(DOCS, LABELS)
    model = pipe[-1]
    assert model.vocabulary_size_ == raw.vocabulary_size_
    assert model.n_features_in_ == raw.tokenizer_.max_length_
    assert_array_equal(pipe.predict_proba(DOCS), raw.predict_proba(DOCS))
    new = ["the food was not bad", "service"]
    assert_array_equal(pipe.predict_proba(new), raw.predict_proba(new))


def test_tokens_padding_never_changes_a_prediction():
    rng = np.random.RandomState(0)
    ids = rng.randint(1, 12, size=(20, 6))
    lengths = rng.randint(1, 7, size=20)
    post = np.where(np.arange(6) < lengths[:, None], ids, 0)
    clf = small(input_type="tokens").fit(post, np.arange(20) % 2)
    expected = clf.predict_proba(post)
    # Pre-padding, extra padding columns and a ragged list are the same input.
    pre = np.array([np.roll(row, 6 - n) for row, n in zip(post, lengths)])
    wide = np.hstack([post, np.zeros((20, 9), dtype=int)])
    ragged = [row[:n] for row, n in zip(post, lengths)]
    for X in (pre, wide, ragged, post.astype(float)):
        assert_array_equal(clf.predict_proba(X), expected)
    # A sequence's prediction does not depend on its batch companions.
    for i in (0, 7):
        assert_array_equal(clf.predict_proba(post[i : i + 1]), expected[i : i + 1])


def test_tokens_vocabulary_size_is_largest_id_plus_one():
    X = np.array([[5, 9, 0], [1, 2, 3]])
    assert small(input_type="tokens").fit(X, [0, 1]).vocabulary_size_ == 10
    assert small(input_type="tokens").fit([[1, 2], [2]], [0, 1]).vocabulary_size_ == 4


def test_text_rows_of_symbols_go_through_the_tokenizer():
    # A 2-D array whose elements are not all numbers: rows of tokens.
    rng = np.random.RandomState(0)
    X = rng.choice(["A", "C", "G", "T"], size=(30, 7))
    y = (X[:, 0] == "A").astype(int)
    clf = small().fit(X, y)
    assert clf.n_features_in_ == 7
    assert clf.vocabulary_size_ == 8
    with pytest.raises(ValueError, match="X has 6 features"):
        clf.predict(X[:, :6])
    # What sklearn's check_dtype_object sends with the string tag: objects
    # among floats are tokens, not an error, but never silently.
    obj = rng.uniform(size=(10, 4)).astype(object)
    obj[0, 0] = {"foo": "bar"}
    with pytest.warns(UserWarning, match=r"X\[0, 0\] is a dict\): it is read as rows"):
        small().fit(obj, np.arange(10) % 2).predict(obj)


# ---------------------------------------------------------- learning
@pytest.fixture(scope="module")
def sentiment_split():
    X, y = load_sentiment(return_X_y=True)
    return train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)


def test_word_order_decides_and_only_the_rnn_sees_it(sentiment_split):
    X_train, X_test, y_train, y_test = sentiment_split
    bag = make_pipeline(CountVectorizer(), LogisticRegression(max_iter=1000))
    bag_score = bag.fit(X_train, y_train).score(X_test, y_test)
    rnn_score = (
        RNNClassifier(random_state=0).fit(X_train, y_train).score(X_test, y_test)
    )
    assert bag_score <= 0.70
    assert rnn_score >= 0.95


def test_regressor_learns_a_count_from_text():
    rng = np.random.RandomState(0)
    words = np.array(["red", "green", "blue", "very", "quite"])
    docs, y = [], []
    for _ in range(300):
        doc = rng.choice(words, size=rng.randint(2, 9))
        docs.append(" ".join(doc))
        y.append(float((doc == "red").sum()))
    reg = RNNRegressor(hidden_size=16, embedding_dim=8, random_state=0)
    reg.fit(docs[:240], y[:240])
    assert reg.score(docs[240:], y[240:]) >= 0.95


def test_partial_fit_and_warm_start_keep_the_vocabulary():
    clf = small()
    clf.partial_fit(DOCS[:3], LABELS[:3], classes=[0, 1])
    vocabulary = dict(clf.tokenizer_.vocabulary_)
    clf.partial_fit(["some new food words", *DOCS[3:]], [1, *LABELS[3:]])
    assert clf.tokenizer_.vocabulary_ == vocabulary
    # Documents without known tokens train as out-of-vocabulary tokens.
    clf.partial_fit(["the food", "", "zebra quartz"], [1, 0, 0])
    assert clf.tokenizer_.vocabulary_ == vocabulary
    tokens = small(input_type="tokens", warm_start=True).fit([[4, 5], [6]], [0, 1])
    with pytest.raises(
        ValueError, match=r"must lie in \[0, 7\) .*set the vocabulary_size parameter"
    ):
        tokens.fit([[4, 5], [7]], [0, 1])


def test_text_model_pickles_clones_and_checks_its_gradients():
    clf = small(cell="gru", bidirectional=True).fit(DOCS, LABELS)
    restored = pickle.loads(pickle.dumps(clf))
    assert_array_equal(restored.predict_proba(DOCS), clf.predict_proba(DOCS))
    assert "tokenizer_" not in clone(clf).__dict__
    assert check_gradients(clf, DOCS, LABELS) < 1e-6


# ------------------------------------------- defined behaviour at predict
def test_empty_and_unknown_documents_at_predict_are_oov_tokens():
    clf = small().fit(DOCS, LABELS)
    proba = clf.predict_proba(["", "?!", "zebra", "zebra quartz", "food"])
    # No token, or one unknown word: both are one out-of-vocabulary token.
    assert_array_equal(proba[0], proba[2])
    assert_array_equal(proba[1], proba[2])
    # Two unknown words are two OOV tokens, not the same as one.
    assert not np.array_equal(proba[3], proba[2])
    tokens = make_pipeline(Tokenizer(), small(input_type="tokens")).fit(DOCS, LABELS)
    net_input = np.array([[1, 1, 0]])
    assert_array_equal(
        tokens[-1].predict_proba(net_input), clf.predict_proba(["zebra quartz"])
    )
    empty_row = tokens[-1].predict_proba(np.zeros((1, 3), dtype=int))
    assert_array_equal(empty_row, clf.predict_proba([""]))


# ------------------------------------------------------------- bad input
BAD_FIT = [
    (["the food", 3.0], TypeError, "document 1 is of type float"),
    (["the food", None], ValueError, r"Document 1 of X is missing \(None"),
    (pd.Series(["the food", np.nan]), ValueError, r"Document 1 of X is missing \(nan"),
    ("the food was good", ValueError, "string object received"),
]


@pytest.mark.parametrize("X, error, match", BAD_FIT)
def test_bad_text_at_fit(X, error, match, monkeypatch):
    forbid_kernels(monkeypatch)
    with pytest.raises(error, match=match):
        small().fit(X, [0, 1][: len(X)] if not isinstance(X, str) else [0])


def test_documents_without_known_tokens_train_and_learn():
    # A real corpus under min_df=2: some documents keep no known word ("k.",
    # "ok lar...") and some no token at all. They are read as their OOV
    # tokens (one for a document without tokens) and carry their label.
    rng = np.random.RandomState(0)
    common = ["good", "fine", "bad", "poor", "the", "was"]
    docs, y = [], []
    for k in range(240):
        if k % 3 == 2:  # unique words (OOV under min_df=2), or no token at all
            doc = rng.choice([f"zz{k}a zz{k}b", f"qq{k}", "", "!!", "\U0001f600"])
            label = 2
        else:
            label = k % 3
            word = rng.choice(common[:2] if label == 1 else common[2:4])
            doc = " ".join([*rng.choice(common[4:], size=2), word])
        docs.append(doc)
        y.append(label)
    clf = RNNClassifier(tokenizer=Tokenizer(min_df=2), hidden_size=16, random_state=0)
    clf.fit(docs, y)
    assert set(clf.tokenizer_.vocabulary_) == set(common)
    assert clf.score(docs, y) >= 0.95
    # New documents without a known word are recognised as such.
    assert_array_equal(clf.predict(["xyzzy plugh", "", "the was good"]), [2, 2, 1])


def test_empty_document_at_fit_is_one_oov_token():
    # With a fixed vocabulary, a corpus holding "" trains the same model as
    # one holding a single unknown word instead; a row of token ids that is
    # all padding trains like the row [1].
    tokenizer = FrozenEstimator(Tokenizer().fit(DOCS))
    empty = small(tokenizer=tokenizer).fit([*DOCS, ""], [*LABELS, 0])
    unknown = small(tokenizer=tokenizer).fit([*DOCS, "zebra"], [*LABELS, 0])
    assert_array_equal(empty._network.theta, unknown._network.theta)
    ids = np.array([[4, 5, 6], [7, 0, 0], [0, 0, 0]])
    padding = small(input_type="tokens").fit(ids, [0, 1, 1])
    oov = small(input_type="tokens").fit(np.vstack([ids[:2], [[1, 0, 0]]]), [0, 1, 1])
    assert_array_equal(padding._network.theta, oov._network.theta)


@pytest.mark.parametrize(
    "X, match",
    [
        (np.array([[4, -1]]), "must be non-negative"),
        (np.array([[4, 99]]), r"must lie in \[0, 12\)"),
        (np.array([[4.5, 2.0]]), "non-integer values"),
        (np.array([[True, False]]), "must be integers"),
        (np.array([["a", "b"]]), "must be integers"),
        ([[4, 5, 6], [-2]], "must be non-negative"),
    ],
    ids=["negative", "too-large", "fractional", "bool", "strings", "ragged-negative"],
)
def test_bad_token_ids_at_predict(X, match, monkeypatch):
    clf = small(input_type="tokens").fit(np.array([[4, 11, 0], [5, 6, 7]]), [0, 1])
    forbid_kernels(monkeypatch)
    with pytest.raises(ValueError, match=match):
        clf.predict(X)


def test_input_kind_must_match_the_fit(monkeypatch):
    clf = small().fit(DOCS, LABELS)
    numeric = small().fit(np.zeros((4, 3)), [0, 1, 0, 1])
    forbid_kernels(monkeypatch)
    with pytest.raises(ValueError, match="fitted on raw text, but X holds numeric"):
        clf.predict(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="fitted on numeric sequences, but X holds"):
        numeric.predict(["the food"])


def test_input_type_numeric_refuses_text(monkeypatch):
    forbid_kernels(monkeypatch)
    with pytest.raises(ValueError, match="could not convert string to float"):
        small(input_type="numeric").fit(DOCS, LABELS)


# ------------------------------------------- streaming, fixed vocabulary
def test_frozen_tokenizer_streams_new_words_as_oov():
    tokenizer = Tokenizer().fit(DOCS[:2])
    vocabulary = dict(tokenizer.vocabulary_)
    frozen = FrozenEstimator(tokenizer)
    clf = small(tokenizer=frozen)
    batches = [
        (DOCS[:2], LABELS[:2]),
        (DOCS[2:4], LABELS[2:4]),  # "service", "bad": words first seen here
        (["a brand new review of the food", *DOCS[4:]], [1, *LABELS[4:]]),
    ]
    for k, (docs, labels) in enumerate(batches):
        clf.partial_fit(docs, labels, classes=[0, 1] if k == 0 else None)
        # Used as is, never refitted.
        assert clf.tokenizer_ is frozen and frozen.estimator is tokenizer
        assert tokenizer.vocabulary_ == vocabulary
        assert clf.vocabulary_size_ == 4 + len(vocabulary)
    assert clf.n_iter_ == 3
    # Words unknown to the frozen tokenizer are the OOV id, at predict too;
    # documents are read whole, beyond the tokenizer's max_length_.
    assert_array_equal(
        clf.predict_proba(["the service was bad"]),
        clf.predict_proba(["the zebra was zebra"]),
    )
    long_doc = " ".join(["food"] * (tokenizer.max_length_ + 3))
    short_doc = " ".join(["food"] * tokenizer.max_length_)
    assert not np.array_equal(
        clf.predict_proba([long_doc]), clf.predict_proba([short_doc])
    )
    # clone keeps the frozen tokenizer as is; fit does not refit it either.
    refit = clone(clf).fit(DOCS, LABELS)
    assert refit.tokenizer_ is frozen and tokenizer.vocabulary_ == vocabulary
    with pytest.raises(NotFittedError):
        small(tokenizer=FrozenEstimator(Tokenizer())).fit(DOCS, LABELS)


def test_frozen_tokenizer_in_the_generator():
    tokenizer = Tokenizer(analyzer="char").fit(["hello"])
    gen = RNNSequenceGenerator(
        tokenizer=FrozenEstimator(tokenizer), hidden_size=8, max_iter=3,
        random_state=0,
    )  # fmt: skip
    gen.partial_fit(["hello", "help"])
    gen.partial_fit(["world", ""])  # "w", "r", "d": out of the vocabulary
    assert gen.vocabulary_size_ == 4 + len("helo")
    assert_array_equal(gen.score_samples(["wd"]), gen.score_samples(["rr"]))


def test_tokens_vocabulary_size_fixes_the_table_before_the_first_batch():
    clf = small(input_type="tokens", vocabulary_size=50)
    clf.partial_fit([[4, 5], [6, 0]], [0, 1], classes=[0, 1])
    assert clf.vocabulary_size_ == 50
    assert clf._network.params["embedding.W"].shape == (50, 4)
    clf.partial_fit([[30, 49], [12]], [0, 1])  # ids first seen in later batches
    clf.partial_fit(np.array([[4, 44, 0]]), [1])
    assert clf.vocabulary_size_ == 50 and clf.n_iter_ == 3
    with pytest.raises(
        ValueError,
        match=r"must lie in \[0, 50\) \(vocabulary_size_, set by the vocabulary_size",
    ):
        clf.partial_fit([[4, 50]], [0])
    with pytest.raises(ValueError, match=r"must lie in \[0, 50\)"):
        clf.predict([[4, 50]])
    # Without it, the first batch fixes the size, and later ids are refused.
    clf = small(input_type="tokens").partial_fit([[4, 5]], [0], classes=[0, 1])
    assert clf.vocabulary_size_ == 6
    with pytest.raises(ValueError, match="set the vocabulary_size parameter"):
        clf.partial_fit([[30]], [1])
    # With text, it must hold the tokenizer's vocabulary.
    text = small(vocabulary_size=40).fit(DOCS, LABELS)
    assert text.vocabulary_size_ == 40
    with pytest.raises(ValueError, match="vocabulary_size=5 is smaller than"):
        small(vocabulary_size=5).fit(DOCS, LABELS)


def test_sparse_token_ids_are_refused_unless_vocabulary_size_is_set(monkeypatch):
    X = np.array([[4, 1_000_000], [5, 6]])
    with monkeypatch.context() as m:
        forbid_kernels(m)
        with pytest.raises(
            ValueError,
            match=r"X holds the token id 1000000: the embedding would have "
            r"1,000,001 rows \(more than 1,000,000\).*remap.*set vocabulary_size",
        ):
            small(input_type="tokens").fit(X, [0, 1])
    clf = small(input_type="tokens", embedding_dim=1, vocabulary_size=1_000_001)
    clf.fit(X, [0, 1])
    assert clf._network.params["embedding.W"].shape == (1_000_001, 1)
    # Just under the limit, the size is inferred as before.
    X[0, 1] = 999_999
    inferred = small(input_type="tokens", embedding_dim=1).fit(X, [0, 1])
    assert inferred.vocabulary_size_ == 1_000_000


# --------------------------------------------------- tokenizer contract
class _FloatTokenizer(Tokenizer):
    def transform(self, X):
        return super().transform(X).astype(float)


class _FlatTokenizer(Tokenizer):
    def transform(self, X):
        return super().transform(X).ravel()

    def fit_transform(self, X, y=None):
        return self.fit(X).transform(X)


@pytest.mark.parametrize(
    "tokenizer, match",
    [
        (CountVectorizer(), "The tokenizer CountVectorizer returned a sparse matrix"),
        (_FloatTokenizer(), "returned values of dtype float64"),
        (_FlatTokenizer(), "returned an array of 1 dimension"),
    ],
    ids=["sparse", "float", "1-D"],
)
def test_tokenizer_output_must_be_dense_2d_integer_ids(tokenizer, match, monkeypatch):
    forbid_kernels(monkeypatch)
    with pytest.raises(
        ValueError,
        match=match + r".*a tokenizer must return a dense 2-D array of integer "
        r"token ids, one row per document, padded with 0 \(ids 1 to 3 are reserved",
    ):
        small(tokenizer=tokenizer).fit(DOCS, LABELS)


# -------------------------------------------------- integer arrays, bytes
INTEGER_WARNING = (
    r"X is a 2-D array of integers: it is read as numeric series, one value per "
    r"time step. If these are token ids \(such as a Tokenizer's output\), pass "
    r'input_type="tokens" to embed them; pass input_type="numeric" to silence'
)


def test_tokenizer_pipeline_needs_input_type_tokens(sentiment_split):
    X_train, X_test, y_train, y_test = sentiment_split
    with pytest.warns(UserWarning, match=INTEGER_WARNING):
        make_pipeline(Tokenizer(), small(max_iter=1)).fit(X_train, y_train)
    pipe = make_pipeline(
        Tokenizer(), RNNClassifier(input_type="tokens", random_state=0)
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="X is a 2-D array of integers")
        pipe.fit(X_train, y_train)
    assert pipe.score(X_test, y_test) >= 0.9


@pytest.mark.parametrize(
    "X",
    [np.arange(24).reshape(6, 4), pd.DataFrame(np.arange(24).reshape(6, 4))],
    ids=["array", "frame"],
)
def test_integer_tables_warn_unless_input_type_is_set(X):
    y = np.arange(6) % 2
    with pytest.warns(UserWarning, match=INTEGER_WARNING):
        clf = small().fit(X, y)
    assert clf._input_kind == "numeric"
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="X is a 2-D array of integers")
        clf.predict(X)  # the fit warned; predict reads what the fit read
        small(input_type="numeric").fit(X, y)
        small().fit(np.asarray(X, dtype=float), y)
        small().fit(np.asarray(X) > 10, y)  # booleans are not token ids


def test_bytes_documents_are_utf8_text():
    docs = [d.replace("good", "g\u00f6\u00f6d") for d in DOCS]
    as_bytes = [d.encode("utf-8") for d in docs]
    expected = small().fit(docs, LABELS).predict_proba(docs)
    for X in (as_bytes, np.array(as_bytes)):
        clf = small().fit(X, LABELS)
        assert "g\u00f6\u00f6d" in clf.tokenizer_.vocabulary_
        assert_array_equal(clf.predict_proba(X), expected)
    assert_array_equal(
        Tokenizer().fit_transform(as_bytes), Tokenizer().fit_transform(docs)
    )
    with pytest.raises(UnicodeDecodeError, match="document 1 of X is not UTF-8"):
        small().fit([b"the food", b"\xff\xfe bad"], [0, 1])
    with pytest.raises(ValueError, match="string object received"):
        small().fit(b"the food was good", [0])


@pytest.mark.parametrize("missing", [np.nan, None])
def test_missing_documents_name_the_fix(missing):
    # pandas reads an empty CSV cell as NaN: the error says how to read it.
    X = pd.Series(["good food", missing, "bad food", missing])
    with pytest.raises(
        ValueError,
        match=r"Document 1 of X is missing \((nan|None); 2 missing in all\).*"
        r"X\.fillna\(''\), to read them as empty documents, or drop them",
    ):
        RNNClassifier(max_iter=1).fit(X, [1, 0, 0, 1])
    clf = RNNClassifier(hidden_size=2, max_iter=1).fit(X.fillna(""), [1, 0, 0, 1])
    assert clf.predict(["", "good food"]).shape == (2,)


def test_generators_of_documents_are_read_like_lists():
    # "iterable of str", as CountVectorizer reads it: a one-pass generator
    # gives what the list gives, at fit and at predict, X and y alike.
    docs = ["good movie", "bad movie", "great film", "awful film"] * 5
    labels = [1, 0, 1, 0] * 5
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # short fits reach max_iter
        params = {"hidden_size": 4, "max_iter": 3, "random_state": 0}
        from_list = RNNClassifier(**params).fit(docs, labels)
        from_gen = RNNClassifier(**params).fit((d for d in docs), labels)
        assert np.array_equal(from_list._network.theta, from_gen._network.theta)
        assert np.array_equal(
            from_gen.predict_proba(d for d in docs), from_list.predict_proba(docs)
        )
        pairs = RNNSeq2Seq(**params).fit((d for d in docs), (d[::-1] for d in docs))
        assert pairs.predict(d for d in docs[:3]) == pairs.predict(docs[:3])
