"""transform and get_feature_names_out: the trained states as features.

``transform(X)`` returns what the head reads, the last layer's state after
each sequence's last real step (both directions concatenated). It is checked
against a plain-numpy forward of the fitted weights (``tests/reference.py``),
against the estimators' own predictions (the head applied to it), and as the
input of other scikit-learn models.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skrnn import RNNClassifier, RNNRegressor, RNNSequenceGenerator
from skrnn._sequences import BEGIN_ID, PAD_ID
from tests.reference import cell_forward, embedding_forward, log_softmax

CELLS = ("rnn", "lstm", "gru")
DOCS = ["a good movie", "not a good movie", "a bad movie", "not a bad movie"]
LABELS = [1, 0, 0, 1]


def _fit(est, X, y=None):
    # A few epochs: trained weights, not a converged model.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.fit(X, y)


def _reverse_each(x, lengths):
    """Each sample's real steps in reverse order (padding stays at the end)."""
    out = x.copy()
    for i, L in enumerate(lengths):
        out[i, :L] = x[i, :L][::-1]
    return out


def _pad(series):
    """A list of (T_i, F) arrays as a zero-padded (B, T, F) array and lengths."""
    lengths = np.array([len(s) for s in series])
    x = np.zeros((len(series), lengths.max(), series[0].shape[1]))
    for i, s in enumerate(series):
        x[i, : len(s)] = s
    return x, lengths


def reference_features(est, x, lengths):
    """The last layer's state after each sequence, in plain numpy (float64).

    ``x`` is a padded float array (B, T, F) or padded token ids (B, T). Every
    layer and direction runs ``tests.reference.cell_forward`` from a zero
    state; the reverse direction reads each sequence's real steps backwards,
    so its part is its output at time 0.
    """
    params = {k: v.astype(np.float64) for k, v in est._network.params.items()}
    if x.dtype.kind in "iu":
        x = embedding_forward(x, lengths, params["embedding.W"])
    B, H = len(lengths), est.hidden_size
    zeros = np.zeros((B, H))
    layer_input = np.asarray(x, dtype=np.float64)
    for layer in range(est.n_layers):
        outputs, finals = [], []
        for direction in range(2 if est.bidirectional else 1):
            prefix = f"layer{layer}.dir{direction}."
            cell = {k: params[prefix + k] for k in ("W_x", "W_h", "b", "b_h")}
            run_input = (
                layer_input if direction == 0 else _reverse_each(layer_input, lengths)
            )
            hs, _ = cell_forward(est.cell, run_input, lengths, cell, zeros, zeros)
            finals.append(hs[np.arange(B), lengths - 1])
            outputs.append(hs if direction == 0 else _reverse_each(hs, lengths))
        layer_input = np.concatenate(outputs, axis=2)
    return np.concatenate(finals, axis=1)


def _ragged(n=12, channels=2, seed=0, dtype=np.float64):
    rng = np.random.RandomState(seed)
    return [
        rng.normal(size=(rng.randint(1, 9), channels)).astype(dtype) for _ in range(n)
    ]


# ----------------------------------------------------------- the reference
@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("n_layers, bidirectional", [(1, False), (2, True)])
def test_transform_numeric_matches_reference(cell, n_layers, bidirectional):
    X = _ragged()
    y = np.array([s.sum() for s in X])
    reg = RNNRegressor(
        cell=cell, hidden_size=3, n_layers=n_layers, bidirectional=bidirectional,
        max_iter=3, random_state=0,
    )  # fmt: skip
    _fit(reg, X, y)
    features = reg.transform(X)
    assert features.shape == (len(X), 3 * (2 if bidirectional else 1))
    assert features.dtype == np.float64
    # float64 kernels use libm's tanh and exp: the reference's arithmetic up
    # to the order of the sums (as tests/test_network.py's forward test).
    assert_allclose(features, reference_features(reg, *_pad(X)), rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_transform_tokens_and_text_match_reference(bidirectional):
    settings = {
        "cell": "gru", "hidden_size": 4, "n_layers": 2, "bidirectional": bidirectional,
        "max_iter": 3, "random_state": 0,
    }  # fmt: skip
    text = _fit(RNNClassifier(**settings), DOCS * 5, LABELS * 5)
    ids = text.tokenizer_.transform(DOCS)
    lengths = (ids != PAD_ID).sum(axis=1)
    expected = reference_features(text, ids, lengths)
    features = text.transform(DOCS)
    assert features.dtype == np.float32
    # float32 kernels (rational tanh and sigmoid) against float64 numpy.
    assert_allclose(features, expected, rtol=1e-5, atol=1e-6)

    # The same ids given as tokens, padded to different widths per row.
    tokens = _fit(
        RNNClassifier(input_type="tokens", **settings), ids.tolist() * 5, LABELS * 5
    )
    rows = [row[row != PAD_ID] for row in ids]
    features = tokens.transform(rows)
    assert features.dtype == np.float32
    assert_allclose(
        features, reference_features(tokens, ids, lengths), rtol=1e-5, atol=1e-6
    )


def test_transform_generator_reads_begin_marker():
    # A document embedding: the state after [begin, t_1, ..., t_n], from
    # which the model predicts what follows the document.
    docs = ["hello there", "help", "hey"]
    gen = _fit(RNNSequenceGenerator(hidden_size=5, max_iter=5, random_state=0), docs)
    ids = gen.tokenizer_.transform(docs)
    lengths = (ids != PAD_ID).sum(axis=1) + 1
    inputs = np.concatenate([np.full((3, 1), BEGIN_ID), ids], axis=1)
    features = gen.transform(docs)
    assert features.shape == (3, 5) and features.dtype == np.float32
    assert_allclose(
        features, reference_features(gen, inputs, lengths), rtol=1e-5, atol=1e-6
    )
    # predict_proba is the softmax of the head on these features, with the
    # padding and begin ids masked.
    params = gen._network.params
    logits = features.astype(np.float64) @ params["head.W"] + params["head.b"]
    logits[:, [PAD_ID, BEGIN_ID]] = -np.inf
    assert_allclose(
        gen.predict_proba(docs), np.exp(log_softmax(logits)), rtol=1e-5, atol=1e-7
    )


def test_transform_generator_numeric_reads_every_step():
    # On series, the state after the last real step: the model predicts the
    # next value from it.
    X = _ragged(n=6, seed=3)
    X = [np.vstack([s, s]) for s in X]  # at least 2 steps each
    gen = _fit(RNNSequenceGenerator(hidden_size=4, max_iter=3, random_state=0), X)
    features = gen.transform(X)
    assert_allclose(features, reference_features(gen, *_pad(X)), rtol=1e-12, atol=1e-13)
    params = gen._network.params
    assert_allclose(
        gen.predict(X), features @ params["head.W"] + params["head.b"], rtol=1e-12
    )


# ------------------------------------------------------ what the head reads
@pytest.mark.parametrize("bidirectional", [False, True])
def test_transform_is_what_the_classifier_head_reads(bidirectional):
    X = _ragged(n=20, seed=1)
    y = np.array([int(s[:, 0].sum() > 0) + int(len(s) > 4) for s in X])
    clf = RNNClassifier(
        hidden_size=6, bidirectional=bidirectional, max_iter=5, random_state=0
    )
    _fit(clf, X, y)
    params = clf._network.params
    logits = clf.transform(X) @ params["head.W"] + params["head.b"]
    assert_allclose(clf.predict_proba(X), np.exp(log_softmax(logits)), rtol=1e-12)
    assert_array_equal(clf.predict(X), clf.classes_[np.argmax(logits, axis=1)])


def test_transform_regressor_predict_is_head_of_transform():
    X = _ragged(n=10, seed=2)
    y = np.array([[s.sum(), s.max()] for s in X])
    reg = _fit(RNNRegressor(hidden_size=4, max_iter=3, random_state=0), X, y)
    params = reg._network.params
    expected = reg.transform(X) @ params["head.W"] + params["head.b"]
    assert_allclose(reg.predict(X), expected, rtol=1e-12)


# ------------------------------------------------------------ batch, dtype
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_transform_sample_alone_equals_in_batch(bidirectional, dtype):
    # 40 sequences of many lengths: several parallel blocks of 16.
    X = _ragged(n=40, seed=4, dtype=dtype)
    y = np.arange(40) % 2
    clf = RNNClassifier(
        cell="lstm", hidden_size=5, n_layers=2, bidirectional=bidirectional,
        max_iter=2, random_state=0,
    )  # fmt: skip
    _fit(clf, X, y)
    features = clf.transform(X)
    assert features.dtype == dtype
    for i in (0, 7, 16, 39):
        assert_array_equal(clf.transform([X[i]])[0], features[i])
    # And among other sequences, in another order.
    order = np.random.RandomState(0).permutation(40)
    assert_array_equal(clf.transform([X[i] for i in order]), features[order])


def test_transform_dtype_follows_x():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20, 6))
    y = (X[:, 0] > 0).astype(int)
    for dtype in (np.float32, np.float64):
        clf = _fit(RNNClassifier(hidden_size=3, max_iter=2), X.astype(dtype), y)
        assert clf.transform(X.astype(dtype)).dtype == dtype
    ids = rng.randint(4, 9, size=(20, 5))
    clf = _fit(RNNClassifier(hidden_size=3, max_iter=2, input_type="tokens"), ids, y)
    assert clf.transform(ids).dtype == np.float32


# ------------------------------------------------------- sklearn's API
@pytest.mark.parametrize(
    "est, X, y",
    [
        (RNNClassifier(hidden_size=4, bidirectional=True), DOCS * 5, LABELS * 5),
        (RNNRegressor(hidden_size=4), np.arange(40.0).reshape(8, 5), np.arange(8.0)),
        (RNNSequenceGenerator(hidden_size=4), DOCS, None),
    ],
    ids=lambda v: type(v).__name__ if hasattr(v, "fit") else "",
)
def test_transform_fit_transform_and_feature_names(est, X, y):
    est.set_params(max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = est.fit_transform(X, y)
        assert_array_equal(fitted, est.fit(X, y).transform(X))
    name = type(est).__name__.lower()
    width = 8 if est.bidirectional else 4
    names = est.get_feature_names_out()
    assert names.tolist() == [f"{name}{i}" for i in range(width)]
    assert fitted.shape == (len(X), width)

    est.set_output(transform="pandas")
    frame = est.transform(X)
    assert isinstance(frame, pd.DataFrame)
    assert frame.columns.tolist() == names.tolist()
    assert_array_equal(frame.to_numpy(), fitted)


def test_transform_features_feed_another_model():
    # The RNN's trained states as the input of a linear model. "not" flips
    # the label (an XOR of two words, which no linear model of word counts
    # fits); the trained states make it linearly separable.
    pipe = make_pipeline(
        RNNClassifier(hidden_size=16, random_state=0), LogisticRegression()
    )
    pipe.fit(DOCS * 50, LABELS * 50)
    assert_array_equal(pipe.predict(DOCS), LABELS)
    rnn = pipe[0]
    assert_array_equal(pipe[-1].coef_.shape, (1, len(rnn.get_feature_names_out())))


def test_transform_pipeline_into_gradient_boosting_in_grid_search():
    # make_pipeline(RNNClassifier, HistGradientBoostingClassifier) searched
    # over the RNN's size: cloned, refitted per fold, scored on held-out
    # folds through the RNN's transform.
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import GridSearchCV

    from skrnn.datasets import make_sequence_classification

    X, y = make_sequence_classification(
        n_samples=120, n_timesteps=12, noise=0.5, random_state=0
    )
    pipe = make_pipeline(
        RNNClassifier(max_iter=30, random_state=0),
        HistGradientBoostingClassifier(max_iter=20, random_state=0),
    )
    search = GridSearchCV(pipe, {"rnnclassifier__hidden_size": [1, 16]}, cv=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X.astype(np.float32), y)
    assert search.best_params_ == {"rnnclassifier__hidden_size": 16}
    assert search.best_score_ > 0.9
    assert search.cv_results_["mean_test_score"][0] < search.best_score_
