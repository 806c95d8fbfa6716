"""Tests of skrnn.datasets: the synthetic sequence generators.

``make_sequence_classification`` hides one motif per class in Gaussian noise.
With ``noise=0`` the output is the motifs alone, which makes their placement
and values directly checkable.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from skrnn.datasets import make_sequence_classification


@pytest.mark.parametrize(
    "n_channels, x_shape", [(1, (50, 12)), (3, (50, 12, 3))], ids=["1ch", "3ch"]
)
def test_make_sequence_classification_shapes(n_channels, x_shape):
    X, y = make_sequence_classification(
        n_samples=50, n_timesteps=12, n_channels=n_channels, n_classes=3,
        random_state=0,
    )  # fmt: skip
    assert X.shape == x_shape
    assert X.dtype == np.float64
    assert y.shape == (50,)
    np.testing.assert_array_equal(np.unique(y), [0, 1, 2])


@pytest.mark.parametrize("n_channels", [1, 2])
def test_make_sequence_classification_ragged_lengths_in_range(n_channels):
    X, y = make_sequence_classification(
        n_samples=200, n_timesteps=15, n_channels=n_channels, min_length=5,
        random_state=0,
    )  # fmt: skip
    assert isinstance(X, list)
    assert len(X) == len(y) == 200
    lengths = np.array([len(s) for s in X])
    assert lengths.min() >= 5
    assert lengths.max() <= 15
    # Uniform over [5, 15]: with 200 draws every length appears.
    np.testing.assert_array_equal(np.unique(lengths), np.arange(5, 16))
    expected_tail = () if n_channels == 1 else (n_channels,)
    assert all(s.shape == (len(s), *expected_tail) for s in X)


@pytest.mark.parametrize("min_length", [None, 4], ids=["array", "ragged"])
def test_make_sequence_classification_same_seed_same_data(min_length):
    params = {
        "n_samples": 30,
        "n_timesteps": 10,
        "n_channels": 2,
        "min_length": min_length,
    }
    X1, y1 = make_sequence_classification(**params, random_state=7)
    X2, y2 = make_sequence_classification(**params, random_state=7)
    X3, _ = make_sequence_classification(**params, random_state=8)
    np.testing.assert_array_equal(y1, y2)
    assert all(np.array_equal(a, b) for a, b in zip(X1, X2, strict=True))
    assert not np.array_equal(X1[0], X3[0])


def test_make_sequence_classification_start_puts_motif_first():
    # Without noise each sequence is its class's motif on the first steps and
    # zeros afterwards.
    X, y = make_sequence_classification(
        n_samples=60, n_timesteps=10, n_classes=3, motif_length=4,
        position="start", noise=0.0, random_state=0,
    )  # fmt: skip
    assert np.all(np.abs(X[:, :4]) == 2.0)
    assert np.all(X[:, 4:] == 0.0)
    for c in range(3):
        motifs = X[y == c, :4]
        assert np.all(motifs == motifs[0])  # one motif per class


def test_make_sequence_classification_start_class_means_differ_on_first_steps():
    X, y = make_sequence_classification(
        n_samples=2000, n_timesteps=20, position="start", random_state=4
    )
    mean_0, mean_1 = X[y == 0].mean(axis=0), X[y == 1].mean(axis=0)
    # Motifs of +-2: where they differ, the class means are 4 apart.
    assert np.max(np.abs(mean_0[:3] - mean_1[:3])) > 3.5
    # Past the motif only noise: both class means are near 0.
    assert np.max(np.abs(mean_0[3:])) < 0.15
    assert np.max(np.abs(mean_1[3:])) < 0.15


def test_make_sequence_classification_random_position_varies():
    X, _ = make_sequence_classification(
        n_samples=100, n_timesteps=10, motif_length=3, position="random",
        noise=0.0, random_state=0,
    )  # fmt: skip
    nonzero = X != 0
    assert np.all(nonzero.sum(axis=1) == 3)
    starts = np.argmax(nonzero, axis=1)
    # The motif is contiguous wherever it starts, and starts at every place.
    for row, start in zip(nonzero, starts, strict=True):
        assert np.all(row[start : start + 3])
    np.testing.assert_array_equal(np.unique(starts), np.arange(8))


@pytest.mark.parametrize("random_state", range(4))
def test_make_sequence_classification_classes_have_distinct_motifs(random_state):
    # If two classes shared a motif, the label could not be read from X.
    X, y = make_sequence_classification(
        n_samples=40, n_timesteps=5, position="start", noise=0.0,
        random_state=random_state,
    )  # fmt: skip
    assert not np.array_equal(X[y == 0][0, :3], X[y == 1][0, :3])


@pytest.mark.parametrize(
    "params, match",
    [
        ({"n_timesteps": 4, "motif_length": 5}, "motif_length=5"),
        ({"n_timesteps": 10, "min_length": 3, "motif_length": 4}, "motif_length=4"),
        ({"n_timesteps": 10, "min_length": 11}, "min_length=11"),
    ],
    ids=["motif_longer_than_series", "motif_longer_than_min_length", "min_length"],
)
def test_make_sequence_classification_rejects_impossible_lengths(params, match):
    with pytest.raises(ValueError, match=match):
        make_sequence_classification(n_samples=5, random_state=0, **params)


def test_make_sequence_classification_rejects_unknown_position():
    with pytest.raises(InvalidParameterError, match="position"):
        make_sequence_classification(position="end")


# load_sentiment: the bundled order-sensitive sentiment sentences.


def test_load_sentiment_bunch():
    from skrnn.datasets import load_sentiment

    bunch = load_sentiment()
    assert isinstance(bunch.data, list)
    assert all(isinstance(s, str) and s for s in bunch.data)
    assert len(bunch.data) >= 1000
    assert len(set(bunch.data)) == len(bunch.data)
    assert isinstance(bunch.target, np.ndarray)
    assert bunch.target.shape == (len(bunch.data),)
    assert set(np.unique(bunch.target)) == {0, 1}
    assert bunch.target_names == ["negative", "positive"]
    assert isinstance(bunch.DESCR, str) and "sentiment" in bunch.DESCR.lower()
    lengths = [len(s.split()) for s in bunch.data]
    assert 5 <= min(lengths) and max(lengths) <= 20


def test_load_sentiment_balanced():
    from skrnn.datasets import load_sentiment

    _, y = load_sentiment(return_X_y=True)
    assert 0.45 <= y.mean() <= 0.55


def test_load_sentiment_return_X_y_matches_bunch():
    from skrnn.datasets import load_sentiment

    bunch = load_sentiment()
    X, y = load_sentiment(return_X_y=True)
    assert X == bunch.data
    np.testing.assert_array_equal(y, bunch.target)


def test_load_sentiment_deterministic():
    from skrnn.datasets import load_sentiment

    X1, y1 = load_sentiment(return_X_y=True)
    X2, y2 = load_sentiment(return_X_y=True)
    assert X1 == X2
    np.testing.assert_array_equal(y1, y2)


def test_load_sentiment_no_network(monkeypatch):
    import socket

    from skrnn.datasets import load_sentiment

    def _no_network(*args, **kwargs):
        raise AssertionError("load_sentiment must not use the network")

    monkeypatch.setattr(socket, "socket", _no_network)
    monkeypatch.setattr(socket, "create_connection", _no_network)
    X, y = load_sentiment(return_X_y=True)
    assert len(X) == len(y) >= 1000


def test_load_sentiment_mirrored_pairs_share_bag_of_words():
    # Each sentence has a mirror with the same words and the opposite label.
    from collections import defaultdict

    from skrnn.datasets import load_sentiment

    X, y = load_sentiment(return_X_y=True)
    labels = defaultdict(set)
    for sentence, label in zip(X, y):
        labels[tuple(sorted(sentence.replace(",", " ").split()))].add(int(label))
    assert all(found == {0, 1} for found in labels.values())


def test_load_sentiment_bag_of_words_baseline_fails():
    # Word order decides the label: a bag of words stays at or below 0.70.
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline

    from skrnn.datasets import load_sentiment

    X, y = load_sentiment(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    model = make_pipeline(CountVectorizer(), LogisticRegression(max_iter=1000))
    model.fit(X_train, y_train)
    assert model.score(X_test, y_test) <= 0.70
