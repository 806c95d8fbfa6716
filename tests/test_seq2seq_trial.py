"""RNNSeq2Seq: regressions found by a new user's trial (issue 15), fixed."""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.exceptions import ConvergenceWarning

from skrnn import RNNSeq2Seq, Tokenizer

SOURCES = ["abc", "bcd", "cde", "def", "efg", "fgh"] * 5
TARGETS = [s.upper()[::-1] for s in SOURCES]


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def small(**params):
    return RNNSeq2Seq(
        **{"hidden_size": 8, "embedding_dim": 8, "max_iter": 2, "random_state": 0}
        | params
    )


def test_empty_text_target_is_the_end_marker_alone():
    X, y = ["ab", "cd", "x", "y"] * 10, ["BA", "DC", "X", ""] * 10
    model = small().fit(X, y)
    # The decoder writes one step for an empty target: the end marker.
    assert model.attention_weights(["y"], [""])[0].shape == (1, 1)
    # Scoring the model's own outputs does not depend on how they are passed.
    outputs = model.predict(["x", "y", "ab"])
    assert_allclose(
        model.score_samples(["x", "y", "ab"]),
        model.score_samples(["x", "y", "ab"], outputs),
    )


def test_list_of_equal_number_lists_is_a_2d_target():
    y = [[1.0, 2.0], [3.0, 4.0]] * 15
    model = small().fit(SOURCES, y)
    assert model.predict(SOURCES[:3]).shape == (3, 2)


def test_nan_in_numeric_target_error_names_y():
    y = np.ones(len(SOURCES))
    y[0] = np.nan
    with pytest.raises(ValueError) as error:
        small().fit(SOURCES, y)
    assert "_TargetReader" not in str(error.value)
    assert "Input y contains NaN" in str(error.value)


def test_integer_2d_target_warning_names_target_type():
    ids = Tokenizer(analyzer="char", lowercase=False).fit_transform(TARGETS)
    with pytest.warns(UserWarning, match="target_type"):
        small().fit(SOURCES, ids)


def test_token_targets_with_the_begin_id_are_refused():
    rng = np.random.RandomState(0)
    X = rng.randint(4, 9, size=(20, 4))
    y = np.tile([5, 2, 6], (20, 1))
    with pytest.raises(ValueError):
        small(input_type="tokens", target_type="tokens").fit(X, y)


class _LetterIds(TransformerMixin, BaseEstimator):
    """A user's own character tokenizer: ids 4.. of "A".."Z", 0-padded."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        out = np.zeros((len(X), max(map(len, X))), dtype=np.int64)
        for i, text in enumerate(X):
            out[i, : len(text)] = [ord(c) - ord("A") + 4 for c in text]
        return out


def test_target_tokenizer_without_vocabulary_is_refused_at_fit():
    # predict writes tokens through the target tokenizer's vocabulary_: a
    # tokenizer without one is refused before training, not read as "<unk>".
    with pytest.raises(ValueError, match="vocabulary_"):
        small(target_tokenizer=_LetterIds()).fit(SOURCES, TARGETS)


def test_docstring_gives_the_learning_rate_default():
    default = RNNSeq2Seq().learning_rate_init
    assert f"learning_rate_init : float, default={default}\n" in RNNSeq2Seq.__doc__
