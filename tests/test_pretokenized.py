"""Pre-tokenized text: lists of str tokens as X (API.md, "What X may be").

Each inner string is one token, never split; vocabulary, ``min_df``,
``max_features`` and OOV as for raw text; ``n_features_in_`` not set.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.pipeline import make_pipeline

from skrnn import RNNClassifier, RNNRegressor, RNNSequenceGenerator, Tokenizer
from skrnn._network import RNNNetwork

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

RAW = [
    "the food was good",
    "the food was not good",
    "the service was bad",
    "the service was not bad",
    "good food",
    "bad service not good at all",
]
TOKENS = [doc.split() for doc in RAW]
LABELS = np.array([1, 0, 0, 1, 1, 0])
TARGETS = np.array([0.5, -1.0, 1.5, 0.0, 2.0, -0.5])


def small(Estimator, **params):
    defaults = {"hidden_size": 6, "embedding_dim": 4, "max_iter": 3, "random_state": 0}
    return Estimator(**{**defaults, **params})


ESTIMATORS = [
    (RNNClassifier, LABELS),
    (RNNRegressor, TARGETS),
    (RNNSequenceGenerator, None),
]


def outputs(model, X):
    """What a fitted model says about X (its continuous outputs)."""
    if isinstance(model, RNNClassifier):
        return model.predict_proba(X)
    if isinstance(model, RNNRegressor):
        return model.predict(X)
    return model.score_samples(X)


@pytest.mark.parametrize("Estimator, y", ESTIMATORS)
def test_pretokenized_equals_raw_and_token_ids(Estimator, y):
    # The tokens of RAW given as lists: the same vocabulary, ids and model
    # as the raw text read by a word tokenizer, and as the ids of a
    # Tokenizer fitted on the lists, given with input_type="tokens".
    word = {"tokenizer": Tokenizer()}  # the generator's default is characters
    pre = small(Estimator, **word).fit(TOKENS, y)
    raw = small(Estimator, **word).fit(RAW, y)
    assert pre.tokenizer_.vocabulary_ == raw.tokenizer_.vocabulary_
    assert not hasattr(pre, "n_features_in_")
    assert_array_equal(pre._network.theta, raw._network.theta)
    assert_array_equal(outputs(pre, TOKENS), outputs(raw, RAW))
    # Fitted on either kind of text, a model reads both.
    assert_array_equal(outputs(pre, RAW), outputs(raw, TOKENS))

    tokenizer = Tokenizer().fit(TOKENS)
    assert tokenizer.vocabulary_ == pre.tokenizer_.vocabulary_
    ids = small(Estimator, input_type="tokens").fit(tokenizer.transform(TOKENS), y)
    assert ids.vocabulary_size_ == pre.vocabulary_size_
    assert_array_equal(pre._network.theta, ids._network.theta)
    assert_allclose(
        outputs(pre, TOKENS), outputs(ids, tokenizer.transform(TOKENS)), rtol=1e-6
    )


def test_pipeline_of_tokenizer_reads_pretokenized_text():
    pipe = make_pipeline(Tokenizer(), small(RNNClassifier, input_type="tokens"))
    pipe.fit(TOKENS, LABELS)
    clf = small(RNNClassifier).fit(TOKENS, LABELS)
    assert_allclose(pipe.predict_proba(TOKENS), clf.predict_proba(TOKENS), rtol=1e-6)


@pytest.mark.parametrize(
    "container",
    [
        list,
        tuple,
        lambda d: pd.Series(d, dtype=object),
        lambda d: [tuple(t) for t in d],
    ],
)
def test_pretokenized_containers(container):
    clf = small(RNNClassifier).fit(container(TOKENS), LABELS)
    reference = small(RNNClassifier).fit(TOKENS, LABELS)
    assert_array_equal(
        clf.predict_proba(container(TOKENS)), reference.predict_proba(TOKENS)
    )


def test_tokens_are_never_split():
    docs = [["New York", "is", "big"], ["a,b", "c.d", "!"], ["new york"]]
    tok = Tokenizer().fit(docs)
    # Spaces and punctuation stay inside a token; "!" and "is" are kept
    # although the default token_pattern would drop them in raw text.
    assert set(tok.vocabulary_) == {"new york", "is", "big", "a,b", "c.d", "!"}
    assert tok.vocabulary_["new york"] == 4  # two documents
    clf = small(RNNClassifier).fit(docs, [0, 1, 0])
    assert clf.tokenizer_.vocabulary_ == tok.vocabulary_
    # analyzer and token_pattern do not apply: a char tokenizer keeps words.
    char = Tokenizer(analyzer="char", token_pattern="x").fit(docs)
    assert set(char.vocabulary_) == set(tok.vocabulary_)
    assert char.inverse_transform(char.transform([["is", "big"]])) == ["is big"]


def test_lowercase_on_and_off():
    docs = [["The", "Cat"], ["the", "cat", "SAT"]]
    lower = Tokenizer().fit(docs)
    assert set(lower.vocabulary_) == {"the", "cat", "sat"}
    assert_array_equal(lower.transform([["THE"]]), lower.transform([["the"]]))
    kept = Tokenizer(lowercase=False).fit(docs)
    assert set(kept.vocabulary_) == {"The", "Cat", "the", "cat", "SAT"}
    assert kept.transform([["THE", "The"]])[0, :2].tolist() == [
        1,
        kept.vocabulary_["The"],
    ]


def test_min_df_max_features_and_oov():
    docs = [["a", "b", "c"], ["a", "b"], ["a", "d"]]
    assert set(Tokenizer(min_df=2).fit(docs).vocabulary_) == {"a", "b"}
    assert set(Tokenizer(max_features=1).fit(docs).vocabulary_) == {"a"}
    clf = small(RNNClassifier, tokenizer=Tokenizer(min_df=2)).fit(docs, [0, 1, 0])
    # Unseen and pruned tokens are OOV at predict, like an empty document.
    ids, lengths = clf._validate_input([["zzz", "c"], [], ["a"]], reset=False)
    assert_array_equal(ids[0], [1, 1])
    assert_array_equal(lengths, [2, 1, 1])
    assert ids[1, 0] == 1
    assert clf.predict_proba([[]]).shape == (1, 2)


def test_empty_documents_are_one_oov_token():
    clf = small(RNNClassifier).fit([["good"], [], ["bad"]], [1, 0, 0])
    assert_array_equal(clf.predict_proba([[]]), clf.predict_proba([["unseen"]]))


def test_generator_on_pretokenized_text_is_a_word_model():
    docs = [["the", "cat", "sat"], ["the", "dog", "sat"]] * 3
    gen = small(RNNSequenceGenerator, max_iter=20).fit(docs)  # default: char
    text = gen.generate(6, random_state=0)
    assert set(text.split(" ")) <= {"the", "cat", "dog", "sat", "<unk>"}
    assert gen.predict([["the", "cat"]]).dtype == object
    assert np.isfinite(gen.perplexity(docs))


def test_one_pretokenized_document_is_a_list_in_a_list():
    clf = small(RNNClassifier).fit(TOKENS, LABELS)
    one = clf.predict_proba([["good", "food"]])
    assert one.shape == (1, 2)
    # A flat list of str is raw documents, one per string (the old rule).
    assert clf.predict_proba(["good", "food"]).shape == (2, 2)
    assert_array_equal(clf.predict_proba(["good food"]), one)


def forbid_kernels(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("a kernel ran on invalid input")

    monkeypatch.setattr(RNNNetwork, "forward", forbidden)


@pytest.mark.parametrize(
    "X, match",
    [
        ([["a", 1]], "token 1 of document 0 is 1 of type int"),
        ([["a"], ["b", None]], "token 1 of document 1 is None"),
        ([["a"], [["b"]]], "token 0 of document 1 is \\['b'\\] of type list"),
        ([[1, 2], ["a"]], "token 0 of document 0 is 1"),
        (["a b", ["c", "d"]], "mixes raw documents with lists of tokens"),
        ([["c", "d"], "a b"], "document 1 is a str, document 0 a list"),
    ],
)
def test_bad_pretokenized_input_names_the_sample(monkeypatch, X, match):
    fitted = small(RNNClassifier).fit(TOKENS, LABELS)
    forbid_kernels(monkeypatch)
    with pytest.raises(TypeError, match=match):
        small(RNNClassifier).fit(X, [0] * len(X))
    with pytest.raises(TypeError, match=match):
        fitted.predict(X)
    with pytest.raises(TypeError, match=match):
        Tokenizer().fit(X)


def test_equal_length_lists_are_text_not_a_table():
    # A rectangular list of token lists is pre-tokenized text (lowercased,
    # no n_features_in_), while a 2-D array of str stays rows of symbols.
    docs = [["A", "b"], ["c", "D"]]
    tok = Tokenizer().fit(docs)
    assert set(tok.vocabulary_) == {"a", "b", "c", "d"}
    assert not hasattr(tok, "n_features_in_")
    table = Tokenizer().fit(np.array(docs))
    assert set(table.vocabulary_) == {"A", "b", "c", "D"}
    assert table.n_features_in_ == 2


def test_fitted_on_token_lists_reads_raw_text_between_whitespace():
    # A tokenizer fitted on token lists never used its analyzer: raw text
    # is read as its whitespace-separated tokens, the inverse of the join
    # of inverse_transform and generated text (the generator's default
    # analyzer is "char", which would read every word as unknown letters).
    docs = [["the", "cat", "sat"], ["the", "dog", "ran"]] * 10
    tok = Tokenizer(analyzer="char", lowercase=False).fit(docs)
    assert_array_equal(tok.transform(["the  cat\tsat"]), tok.transform(docs[:1]))
    assert tok.inverse_transform(tok.transform(["the cat sat"])) == ["the cat sat"]
    gen = RNNSequenceGenerator(hidden_size=8, max_iter=5, random_state=0).fit(docs)
    assert_allclose(
        gen.score_samples(["the cat sat"]), gen.score_samples([["the", "cat", "sat"]])
    )
    # A prompt as a str or as a list of tokens: the same continuation.
    as_text = gen.generate(4, prompt="the cat", random_state=0)
    assert as_text == gen.generate(4, prompt=["the", "cat"], random_state=0)
    assert as_text.startswith("the cat ")
    # Refitted on raw text, the analyzer splits again.
    assert Tokenizer(analyzer="char").fit(["ab"]).transform(["ab"]).tolist() == [[4, 5]]


def test_documents_as_1d_string_arrays_are_pretokenized():
    # Rows of tokens from numpy or pandas (1-D arrays of str or object):
    # the same documents as lists; arrays of numbers stay numeric series.
    clf = small(RNNClassifier).fit(TOKENS, LABELS)
    arrays = [np.array(doc, dtype=object) for doc in TOKENS]
    assert_array_equal(clf.predict_proba(arrays), clf.predict_proba(TOKENS))
    unicode = [np.array(doc) for doc in TOKENS if doc]
    lists = [doc for doc in TOKENS if doc]
    assert_array_equal(clf.predict_proba(unicode), clf.predict_proba(lists))
    reg = small(RNNRegressor).fit([np.arange(3.0), np.arange(5.0)], [1.0, 2.0])
    assert reg.n_channels_in_ == 1
