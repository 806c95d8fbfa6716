"""Tests of the Tokenizer."""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import pickle

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.pipeline import make_pipeline

from skrnn import Tokenizer

DOCS = ["The cat sat.", "The dog sat on the cat!", "A dog, a cat: the end"]


def test_tokenizer_word_vocabulary_order_and_reserved_ids():
    tok = Tokenizer().fit(DOCS)
    # "the" x4, "cat" x3, then "dog" x2 and "sat" x2 (tie: sorted), then the
    # singletons in sorted order; "a" is one character, not a word.
    assert tok.vocabulary_ == {
        "the": 4,
        "cat": 5,
        "dog": 6,
        "sat": 7,
        "end": 8,
        "on": 9,
    }
    assert min(tok.vocabulary_.values()) == 4  # 0..3 are reserved
    assert tok.max_length_ == 6
    X = tok.transform(DOCS)
    assert X.dtype == np.int64
    assert X.shape == (3, 6)
    assert_array_equal(X[0], [4, 5, 7, 0, 0, 0])
    # transform never emits the begin and end markers
    assert not np.isin(X, [2, 3]).any()


def test_tokenizer_word_tokens_match_count_vectorizer():
    tok = Tokenizer().fit(DOCS)
    cv = CountVectorizer().fit(DOCS)
    assert set(tok.vocabulary_) == set(cv.vocabulary_)


def test_tokenizer_char_vocabulary():
    tok = Tokenizer(analyzer="char").fit(["abca", "Ab"])
    # a x3 (lowercased), b x2, c x1
    assert tok.vocabulary_ == {"a": 4, "b": 5, "c": 6}
    assert tok.max_length_ == 4
    assert_array_equal(tok.transform(["cab", "z"]), [[6, 4, 5, 0], [1, 0, 0, 0]])


def test_tokenizer_char_keeps_spaces_and_case():
    tok = Tokenizer(analyzer="char", lowercase=False).fit(["Aa a"])
    assert tok.vocabulary_ == {"a": 4, " ": 5, "A": 6}


def test_tokenizer_lowercase_false_and_token_pattern():
    tok = Tokenizer(lowercase=False, token_pattern=r"\S+").fit(["The the a"])
    assert tok.vocabulary_ == {"The": 4, "a": 5, "the": 6}


def test_tokenizer_token_pattern_group():
    tok = Tokenizer(token_pattern=r"#(\w+)").fit(["#ab cd #ef"])
    assert set(tok.vocabulary_) == {"ab", "ef"}
    with pytest.raises(ValueError, match="More than 1 capturing group"):
        Tokenizer(token_pattern=r"(a)(b)").fit(["ab"])


def test_tokenizer_out_of_vocabulary():
    tok = Tokenizer().fit(["hello world"])
    assert_array_equal(tok.transform(["hello there world"]), [[4, 1]])
    assert_array_equal(
        Tokenizer(max_length=3).fit(["hello world"]).transform(["hi hello zz"]),
        [[1, 4, 1]],
    )


@pytest.mark.parametrize(
    "max_features, expected",
    [(1, {"the": 4}), (3, {"the": 4, "cat": 5, "dog": 6}), (None, None)],
)
def test_tokenizer_max_features(max_features, expected):
    tok = Tokenizer(max_features=max_features).fit(DOCS)
    if expected is None:
        assert len(tok.vocabulary_) == 6
    else:
        # "dog" and "sat" tie at 2: the sorted token wins.
        assert tok.vocabulary_ == expected
        # dropped tokens are out of vocabulary, not removed
        assert tok.transform(["sat"])[0, 0] == 1


@pytest.mark.parametrize(
    "min_df, expected",
    [
        (1, {"the", "cat", "dog", "sat", "end", "on"}),
        (2, {"the", "cat", "dog", "sat"}),
        (3, {"the", "cat"}),
        (0.5, {"the", "cat", "dog", "sat"}),
        (1.0, {"the", "cat"}),
    ],
)
def test_tokenizer_min_df(min_df, expected):
    tok = Tokenizer(min_df=min_df).fit(DOCS)
    assert set(tok.vocabulary_) == expected
    assert sorted(tok.vocabulary_.values()) == list(range(4, 4 + len(expected)))


@pytest.mark.parametrize(
    "padding, truncating, expected",
    [
        ("post", "post", [[4, 5, 6], [4, 0, 0]]),
        ("pre", "post", [[4, 5, 6], [0, 0, 4]]),
        ("post", "pre", [[6, 7, 8], [4, 0, 0]]),
        ("pre", "pre", [[6, 7, 8], [0, 0, 4]]),
    ],
)
def test_tokenizer_padding_and_truncating(padding, truncating, expected):
    tok = Tokenizer(max_length=3, padding=padding, truncating=truncating)
    tok.fit(["aa bb cc dd ee"])  # every token once: ids in sorted order
    assert tok.vocabulary_ == {"aa": 4, "bb": 5, "cc": 6, "dd": 7, "ee": 8}
    assert_array_equal(tok.transform(["aa bb cc dd ee", "aa"]), expected)


def test_tokenizer_width_fixed_at_fit():
    tok = Tokenizer().fit(["aa bb", "cc"])
    assert tok.max_length_ == 2
    out = tok.transform(["aa bb cc aa bb", "", "zz"])
    assert out.shape == (3, 2)
    assert_array_equal(out, [[4, 5], [0, 0], [1, 0]])
    assert_array_equal(tok.get_feature_names_out(), ["tokenizer0", "tokenizer1"])


def test_tokenizer_empty_documents_are_padding():
    tok = Tokenizer().fit(["", "aa", "!"])
    assert_array_equal(tok.transform(["", "?"]), [[0], [0]])
    assert tok.inverse_transform([[0]]) == [""]
    assert tok.transform([]).shape == (0, 1)


def test_tokenizer_no_tokens_at_all_warns_and_reads_oov():
    # API.md: documents without known tokens are never an error.
    with pytest.warns(UserWarning, match="empty vocabulary"):
        tok = Tokenizer().fit(["a", "!"])
    assert tok.vocabulary_ == {}
    assert tok.max_length_ == 1
    assert_array_equal(tok.transform(["", "bb cc"]), [[0], [1]])


def test_tokenizer_nothing_left_after_pruning_warns_and_reads_oov():
    with pytest.warns(UserWarning, match="no tokens remain"):
        tok = Tokenizer(min_df=2).fit(["aa bb", "cc dd"])
    assert tok.vocabulary_ == {}
    assert_array_equal(tok.transform(["aa bb"]), [[1, 1]])
    # 2-D sequences of numbers and of symbols alike.
    with pytest.warns(UserWarning, match="no tokens remain"):
        tok = Tokenizer(min_df=2).fit(np.array([[1, 2], [3, 4]]))
    assert_array_equal(tok.transform(np.array([[1, 5]])), [[1, 1]])
    with pytest.warns(UserWarning, match="no tokens remain"):
        tok = Tokenizer(min_df=2).fit(np.array([["a", "b"], ["c", "d"]], dtype=object))
    assert_array_equal(tok.transform(np.array([["a", "e"]], dtype=object)), [[1, 1]])


@pytest.mark.parametrize(
    "analyzer, docs, expected",
    [
        ("word", ["The cat, the DOG.", "a dog"], ["the cat the dog", "dog"]),
        ("char", ["Ab c", "ba"], ["ab c", "ba"]),
    ],
)
def test_tokenizer_inverse_round_trip(analyzer, docs, expected):
    tok = Tokenizer(analyzer=analyzer).fit(docs)
    assert tok.inverse_transform(tok.transform(docs)) == expected


@pytest.mark.parametrize("padding", ["pre", "post"])
def test_tokenizer_inverse_drops_reserved_and_marks_unknown(padding):
    tok = Tokenizer(padding=padding).fit(["aa bb cc"])
    ids = tok.transform(["aa zz cc"])
    assert tok.inverse_transform(ids) == ["aa <unk> cc"]
    assert tok.inverse_transform([[2, 4, 3, 0, 0]]) == ["aa"]
    char = Tokenizer(analyzer="char").fit(["ab"])
    assert char.inverse_transform(char.transform(["axb"])) == ["a<unk>"]


def test_tokenizer_inverse_rejects_bad_ids():
    tok = Tokenizer().fit(["aa bb"])
    with pytest.raises(ValueError, match="out of range"):
        tok.inverse_transform([[0, 6]])
    with pytest.raises(ValueError, match="out of range"):
        tok.inverse_transform([[-1]])
    with pytest.raises(ValueError, match="integer"):
        tok.inverse_transform([[0.5]])


def test_tokenizer_pickle_round_trip():
    tok = Tokenizer(analyzer="char", max_length=5, padding="pre").fit(DOCS)
    restored = pickle.loads(pickle.dumps(tok))
    assert restored.vocabulary_ == tok.vocabulary_
    assert_array_equal(restored.transform(DOCS), tok.transform(DOCS))
    assert restored.inverse_transform(restored.transform(DOCS)) == (
        tok.inverse_transform(tok.transform(DOCS))
    )


@pytest.mark.parametrize("method", ["fit", "fit_transform"])
def test_tokenizer_bare_string_raises(method):
    with pytest.raises(ValueError, match="string object received"):
        getattr(Tokenizer(), method)("the cat sat")
    tok = Tokenizer().fit(DOCS)
    with pytest.raises(ValueError, match="string object received"):
        tok.transform("the cat sat")


@pytest.mark.parametrize(
    "bad, error, match",
    [
        (["aa", 1], TypeError, r"document 1 is of type int"),
        ([b"aa", 2.5], TypeError, r"document 1 is of type float"),
        (["aa", None], ValueError, r"Document 1 of X is missing \(None.*fillna"),
    ],
)
def test_tokenizer_non_string_documents_raise(bad, error, match):
    with pytest.raises(error, match=match):
        Tokenizer().fit(bad)
    with pytest.raises(error, match=match):
        Tokenizer().fit(["aa bb"]).transform(bad)


def test_tokenizer_bytes_documents_are_utf8_text():
    # CountVectorizer's default: bytes are decoded as UTF-8 (strictly).
    tok = Tokenizer().fit([b"aa bb", "bb \xe7\xe7"])
    assert tok.vocabulary_ == {"bb": 4, "aa": 5, "\xe7\xe7": 6}
    assert_array_equal(tok.transform(["\xe7\xe7 aa".encode()]), [[6, 5]])
    with pytest.raises(UnicodeDecodeError):
        tok.transform([b"\xe7\xe7"])


def test_tokenizer_empty_input_raises():
    with pytest.raises(ValueError, match="0 sample"):
        Tokenizer().fit([])


def test_tokenizer_not_fitted():
    with pytest.raises(NotFittedError):
        Tokenizer().transform(["aa"])
    with pytest.raises(NotFittedError):
        Tokenizer().get_feature_names_out()


def test_tokenizer_accepts_iterables_of_text():
    import pandas as pd

    expected = Tokenizer().fit_transform(DOCS)
    for docs in (tuple(DOCS), np.array(DOCS), pd.Series(DOCS), iter(DOCS)):
        assert_array_equal(Tokenizer().fit_transform(docs), expected)


def test_tokenizer_numeric_sequences():
    X = np.array([[3.0, 1.0, 3.0], [2.0, 3.0, 7.0]])
    tok = Tokenizer().fit(X)
    # distinct values, ids from 4 in sorted order
    assert tok.vocabulary_ == {1.0: 4, 2.0: 5, 3.0: 6, 7.0: 7}
    assert tok.n_features_in_ == 3
    assert tok.max_length_ == 3
    out = tok.transform(np.array([[1.0, 5.0, 7.0]]))
    assert out.dtype == np.int64
    assert_array_equal(out, [[4, 1, 7]])
    assert tok.inverse_transform(out) == ["1.0 <unk> 7.0"]
    with pytest.raises(ValueError, match="3 features"):
        tok.transform(np.ones((1, 2)))
    with pytest.raises(ValueError, match="NaN"):
        tok.transform(np.array([[1.0, np.nan, 2.0]]))
    with pytest.raises(ValueError, match="NaN"):
        Tokenizer().fit(np.array([[1.0, np.nan]]))


def test_tokenizer_numeric_sequences_max_length():
    X = np.array([[1, 2, 3], [3, 2, 1]])
    out = Tokenizer(max_length=2, truncating="pre").fit_transform(X)
    assert_array_equal(out, [[5, 6], [5, 4]])
    out = Tokenizer(max_length=4, padding="pre").fit_transform(X)
    assert_array_equal(out, [[0, 4, 5, 6], [0, 6, 5, 4]])


def test_tokenizer_pretokenized_string_sequences():
    X = np.array([["b", "a", "b"], ["c", "b", "a"]])
    tok = Tokenizer().fit(X)
    assert tok.vocabulary_ == {"b": 4, "a": 5, "c": 6}
    assert_array_equal(tok.transform(np.array([["a", "z", "c"]])), [[5, 1, 6]])


def test_tokenizer_text_fit_after_numeric_fit_drops_n_features_in():
    tok = Tokenizer().fit(np.ones((2, 3)))
    assert tok.n_features_in_ == 3
    tok.fit(DOCS)
    assert not hasattr(tok, "n_features_in_")
    match = r"fitted on text \(raw .* lists of str tokens\); transform got a 2-D"
    with pytest.raises(ValueError, match=match):
        tok.transform(np.ones((2, 3)))
    with pytest.raises(ValueError, match="fitted on 2-D sequences"):
        Tokenizer().fit(np.ones((2, 3))).transform(DOCS)


def test_tokenizer_in_pipeline_predicts_new_text():
    from sklearn.linear_model import LogisticRegression

    pipe = make_pipeline(Tokenizer(max_length=4), LogisticRegression())
    pipe.fit(["good movie", "bad movie", "good fun", "bad plot"], [1, 0, 1, 0])
    assert pipe.predict(["a good good good new long plot"]).shape == (1,)


def test_tokenizer_clone_and_refit_deterministic():
    tok = Tokenizer(max_features=3).fit(DOCS)
    other = clone(tok).fit(list(reversed(DOCS)))
    assert other.vocabulary_ == tok.vocabulary_
