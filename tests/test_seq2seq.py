"""RNNSeq2Seq: learning, numerics against numpy, decoding, the input kinds.

scikit-learn's check suite runs on it in tests/test_common.py (numeric 1-D
targets are one-step sequences); the tests below cover what the suite
cannot: sequence targets of other lengths, decoding and beam search.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import itertools
import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning

from skrnn import RNNSeq2Seq
from skrnn._encoder_decoder import EncoderDecoderNetwork
from skrnn._kernels._attention import attention_forward
from skrnn._training import TrainingData, TrainingSettings
from skrnn.utils import check_gradients
from skrnn.utils._gradcheck import relative_gradient_error
from tests.reference import attention, embedding_forward, encoder_decoder_outputs

CELLS = ["rnn", "lstm", "gru"]
SCORES = [None, "dot", "additive"]


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def reversal_task(n, seed=0, low=3, high=9, alphabet="abcdef"):
    """Strings of ``low`` to ``high - 1`` letters and their reversals."""
    rng = np.random.RandomState(seed)
    X = ["".join(rng.choice(list(alphabet), rng.randint(low, high))) for _ in range(n)]
    return X, [x[::-1] for x in X]


def random_pairs(rng, B=4, S=5, T=4, V=9, V_y=7):
    """Ragged token-id sources and decoder inputs/targets (a ``TrainingData``)."""
    lengths = np.array([3, 1, S, 2])[:B]
    x = rng.randint(1, V, size=(B, S))
    x[np.arange(S)[None] >= lengths[:, None]] = 0
    y_lengths = np.array([2, T, 1, 3])[:B]
    y_in = rng.randint(2, V_y, size=(B, T))
    targets = rng.randint(3, V_y, size=(B, T))
    y_in[np.arange(T)[None] >= y_lengths[:, None]] = 0
    return x, lengths, y_in, y_lengths, targets


# ------------------------------------------------------------- numerics
@pytest.mark.parametrize("score", ["dot", "additive"])
def test_attention_forward_matches_numpy(score):
    rng = np.random.RandomState(0)
    B, T, S, D = 3, 4, 5, 6
    q = rng.normal(size=(B, T, D))
    m = rng.normal(size=(B, S, D))
    src, tgt = np.array([5, 1, 3]), np.array([4, 2, 1])
    W_q, W_k, b_k, v = (rng.normal(size=s) for s in [(D, D), (D, D), (D,), (D,)])
    A = D if score == "additive" else 0
    u = q @ W_q if A else np.zeros((B, T, 0))
    k = m @ W_k + b_k if A else np.zeros((B, S, 0))
    vv = v if A else np.zeros(0)
    a = np.full((B, T, S), np.nan)
    ctx = np.full((B, T, D), np.nan)
    attention_forward(1 if A else 0, q, u, m, k, vv, src, tgt, a, ctx)
    for i in range(B):
        for t in range(T):
            if t >= tgt[i]:
                assert not a[i, t].any() and not ctx[i, t].any()
                continue
            want_a, want_ctx = attention(score, q[i, t], m[i], src[i], W_q, W_k, b_k, v)
            assert_allclose(a[i, t], want_a, rtol=1e-12, atol=1e-15)
            assert_allclose(ctx[i, t], want_ctx, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("cell, score, n_layers, bidirectional", [
    (cell, score, n_layers, bi)
    for cell, score in itertools.product(CELLS, SCORES)
    for n_layers, bi in [(1, False), (2, True)]
])  # fmt: skip
def test_network_outputs_match_numpy(cell, score, n_layers, bidirectional):
    rng = np.random.RandomState(1)
    net = EncoderDecoderNetwork(
        cell, 3, 4, n_layers, bidirectional, score, 5, 7, np.float64,
        vocabulary_size=9, target_vocabulary_size=7,
    )  # fmt: skip
    net.initialize(np.random.RandomState(0))
    x, lengths, y_in, y_lengths, _ = random_pairs(rng)
    got = net.step_outputs(x, lengths, y_in, y_lengths)
    params = net.params
    want = encoder_decoder_outputs(
        cell, params,
        embedding_forward(x, lengths, params["embedding.W"]), lengths,
        embedding_forward(y_in, y_lengths, params["decoder.embedding.W"]),
        y_lengths, n_layers, bidirectional, score,
    )  # fmt: skip
    assert_allclose(got, want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("cell, score, n_layers, bidirectional", [
    (cell, score, n_layers, bi)
    for cell, score in itertools.product(CELLS, SCORES)
    for n_layers, bi in [(1, False), (1, True), (2, False), (2, True)]
])  # fmt: skip
def test_network_gradients_match_finite_differences(
    cell, score, n_layers, bidirectional
):
    # Ragged sources and targets, step weights, the L2 term.
    rng = np.random.RandomState(2)
    net = EncoderDecoderNetwork(
        cell, 3, 3, n_layers, bidirectional, score, 4, 7, np.float64,
        vocabulary_size=9, target_vocabulary_size=7,
    )  # fmt: skip
    net.initialize(np.random.RandomState(1))
    x, lengths, y_in, y_lengths, targets = random_pairs(rng)
    weights = rng.rand(*targets.shape) * (np.arange(4)[None] < y_lengths[:, None])
    data = TrainingData(
        x, lengths, targets, weights, decoder_inputs=y_in, target_lengths=y_lengths
    )
    settings = TrainingSettings(
        loss="softmax", weight_mask=net.weight_mask().astype(float), alpha=0.01
    )
    assert relative_gradient_error(net, data, settings) < 1e-7


@pytest.mark.parametrize("cell, score", list(itertools.product(CELLS, SCORES)))
def test_network_gradients_numeric(cell, score):
    rng = np.random.RandomState(3)
    net = EncoderDecoderNetwork(cell, 2, 3, 2, True, score, 3, 2, np.float64)
    net.initialize(np.random.RandomState(1))
    lengths, y_lengths = np.array([4, 2, 3]), np.array([3, 3, 3])
    data = TrainingData(
        rng.normal(size=(3, 4, 2)), lengths, rng.normal(size=(3, 3, 2)), None,
        decoder_inputs=rng.normal(size=(3, 3, 3)), target_lengths=y_lengths,
    )  # fmt: skip
    settings = TrainingSettings(
        loss="squared", weight_mask=net.weight_mask().astype(float)
    )
    assert relative_gradient_error(net, data, settings) < 1e-7


@pytest.mark.parametrize("score", SCORES)
def test_check_gradients_on_fitted_estimators(score):
    X, y = reversal_task(12)
    model = RNNSeq2Seq(hidden_size=4, attention=score, max_iter=2, random_state=0)
    assert check_gradients(model.fit(X, y), X, y) < 1e-6
    rng = np.random.RandomState(0)
    X_num, y_num = rng.normal(size=(10, 5, 2)), rng.normal(size=(10, 3))
    model = RNNSeq2Seq(
        hidden_size=3, attention=score, bidirectional=True, max_iter=2, random_state=0
    ).fit(X_num, y_num)
    assert check_gradients(model, X_num, y_num) < 1e-6


# ------------------------------------------------------------- learning
@pytest.fixture(scope="module")
def reversal():
    X, y = reversal_task(2000, seed=0)
    X_test, y_test = reversal_task(200, seed=1)
    return X, y, X_test, y_test


@pytest.mark.parametrize("score", ["dot", "additive"])
def test_learns_to_reverse_strings_with_attention(reversal, score):
    X, y, X_test, y_test = reversal
    model = RNNSeq2Seq(hidden_size=64, attention=score, max_iter=15, random_state=0)
    predicted = model.fit(X, y).predict(X_test)
    exact = np.mean([p == t for p, t in zip(predicted, y_test)])
    assert exact >= 0.98
    # The score is the mean log-likelihood per target token (end included).
    scores = model.score_samples(X_test, y_test)
    n_tokens = np.array([len(t) + 1 for t in y_test])
    assert_allclose(model.score(X_test, y_test), scores.sum() / n_tokens.sum())
    assert model.score(X_test, y_test) > -0.05
    # Writing the t-th letter of a reversal, attention looks at the t-th
    # letter from the end.
    weights = model.attention_weights(X_test, y_test)
    hits = steps = 0
    for source, w in zip(X_test, weights):
        n = len(source)
        assert w.shape == (n + 1, n)
        assert_allclose(w.sum(axis=1), 1, rtol=1e-5)
        hits += np.sum(np.argmax(w[:n], axis=1) == np.arange(n)[::-1])
        steps += n
    assert hits / steps > 0.9


def test_greedy_output_is_the_argmax_of_the_teacher_forced_pass(reversal):
    # The decoding loop (Numba, step by step) and the training pass compute
    # the same numbers: fed its own output, the model's most likely token
    # at each step is that output, and its likelihood is score_samples'.
    X, y, X_test, _ = reversal
    model = RNNSeq2Seq(hidden_size=16, max_iter=2, random_state=0).fit(X[:300], y[:300])
    predicted = model.predict(X_test[:50])
    assert len({len(p) for p in predicted}) > 1  # not a trivial output
    inputs, lengths = model._network_input(X_test[:50])
    pairs = model._read_targets(predicted, 50, reset=False)
    out = model._network.step_outputs(inputs, lengths, pairs[0], pairs[2])
    out[:, ~model._forbidden()] += 0  # forbidden ids are never written
    out[:, model._forbidden()] = -np.inf
    want = np.concatenate([t[:n] for t, n in zip(pairs[1], pairs[2])])
    assert_array_equal(np.argmax(out, axis=1), want)
    assert_allclose(
        model.score_samples(X_test[:50]),
        model.score_samples(X_test[:50], predicted),
    )


@pytest.mark.parametrize("cell, score", list(itertools.product(CELLS, SCORES)))
def test_beam_width_one_is_greedy(reversal, cell, score):
    X, y, X_test, _ = reversal
    model = RNNSeq2Seq(
        cell=cell, attention=score, hidden_size=8, max_iter=1, random_state=0
    ).fit(X[:200], y[:200])
    greedy = model.predict(X_test)
    beam = model.set_params(decoding="beam", beam_width=1).predict(X_test)
    assert beam == greedy


def test_beam_search_finds_likelier_outputs(reversal):
    # An under-trained model, where greedy choices go wrong: beam search's
    # outputs are likelier per token on average, never less likely than
    # what it can also reach (greedy is one of its hypotheses until it ends).
    X, y, X_test, _ = reversal
    model = RNNSeq2Seq(hidden_size=16, max_iter=2, random_state=0).fit(X[:400], y[:400])

    def per_token(outputs):
        scores = model.score_samples(X_test, outputs)
        return scores / np.array([len(o) + 1 for o in outputs])

    greedy = per_token(model.predict(X_test))
    beam = per_token(model.set_params(decoding="beam", beam_width=5).predict(X_test))
    assert beam.mean() > greedy.mean()
    assert np.mean(beam >= greedy - 1e-6) > 0.9


def test_same_random_state_same_model_and_outputs(reversal):
    X, y, X_test, _ = reversal
    params = {"hidden_size": 8, "max_iter": 2, "random_state": 3, "dropout": 0.2}
    a = RNNSeq2Seq(**params, n_layers=2).fit(X[:300], y[:300])
    b = RNNSeq2Seq(**params, n_layers=2).fit(X[:300], y[:300])
    assert_array_equal(a._network.theta, b._network.theta)
    assert a.predict(X_test) == b.predict(X_test)
    a.set_params(decoding="beam")
    assert a.predict(X_test) == b.set_params(decoding="beam").predict(X_test)


def test_numeric_forecast_of_a_fixed_horizon():
    # Sines of random frequency and phase: the next 5 values of each.
    rng = np.random.RandomState(0)
    n, T, horizon = 400, 20, 5
    freq = rng.uniform(0.2, 0.6, size=(n, 1))
    phase = rng.uniform(0, 2 * np.pi, size=(n, 1))
    t = np.arange(T + horizon)[None]
    series = np.sin(freq * t + phase).astype(np.float32)
    X, y = series[:, :T], series[:, T:]
    model = RNNSeq2Seq(hidden_size=32, max_iter=60, random_state=0).fit(
        X[:300], y[:300]
    )
    predicted = model.predict(X[300:])
    assert predicted.shape == (100, horizon) and predicted.dtype == np.float32
    assert np.mean((predicted - y[300:]) ** 2) < 0.1 * np.var(y[300:])
    # score_samples: minus the summed squared error of teacher-forced steps.
    assert model.score_samples(X[300:], y[300:]).shape == (100,)
    assert model.score(X[300:], y[300:]) < 0


def test_numeric_targets_of_different_lengths_learn_where_to_stop():
    # Each source says how many steps to write: a series of n ones then n
    # zeros asks for n values counting down from n to 1 (a stop output
    # decides the length).
    rng = np.random.RandomState(0)
    counts = rng.randint(1, 6, size=300)
    X = [np.r_[np.ones(n), np.zeros(n)] for n in counts]
    y = [np.arange(n, 0, -1) / 5.0 for n in counts]
    model = RNNSeq2Seq(
        hidden_size=32, attention="dot", max_iter=120, random_state=0
    ).fit(X[:250], y[:250])
    predicted = model.predict(X[250:])
    assert isinstance(predicted, list) and all(p.ndim == 1 for p in predicted)
    lengths_right = np.mean([len(p) == n for p, n in zip(predicted, counts[250:])])
    assert lengths_right > 0.95
    close = [
        np.abs(p - t).max() < 0.1
        for p, t in zip(predicted, y[250:])
        if len(p) == len(t)
    ]
    assert np.mean(close) > 0.9
    # Scores: minus the squared error of the values (the stop unit aside).
    assert np.all(model.score_samples(X[250:], y[250:]) <= 0)
    assert model.score_samples(X[250:]).shape == (50,)


def test_check_gradients_with_a_stop_output():
    rng = np.random.RandomState(0)
    X = [rng.normal(size=(n, 2)) for n in (3, 5, 2, 4)]
    y = [rng.normal(size=(n, 2)) for n in (2, 1, 3, 2)]
    model = RNNSeq2Seq(hidden_size=3, max_iter=2, random_state=0).fit(X, y)
    assert model._network.n_outputs == 3  # two values and the stop logit
    assert check_gradients(model, X, y) < 1e-6


# ----------------------------------------------------------- input kinds
def test_input_and_target_kinds():
    X, y = reversal_task(60)
    # Pre-tokenized targets come back as token lists.
    model = RNNSeq2Seq(hidden_size=8, max_iter=2, random_state=0)
    out = model.fit(X, [list(t) for t in y]).predict(X[:3])
    assert all(isinstance(o, list) and all(isinstance(t, str) for t in o) for o in out)
    assert model.target_vocabulary_size_ == 4 + 6
    # Token ids in, token ids out.
    ids = np.array([[ord(c) - 96 + 3 for c in x] + [0] * (8 - len(x)) for x in X])
    model = RNNSeq2Seq(
        hidden_size=8, max_iter=2, random_state=0, input_type="tokens",
        target_type="tokens",
    ).fit(ids, ids[:, ::-1].copy())  # fmt: skip
    out = model.predict(ids[:3])
    assert all(o.dtype == np.int64 and o.ndim == 1 for o in out)
    assert not hasattr(model, "target_tokenizer_")
    # Numeric sources, text targets; 3-D numeric targets.
    rng = np.random.RandomState(0)
    series = rng.normal(size=(60, 6))
    words = ["up" if s[-1] > s[0] else "down" for s in series]
    model = RNNSeq2Seq(hidden_size=8, max_iter=2, random_state=0).fit(series, words)
    assert all(isinstance(o, str) for o in model.predict(series[:4]))
    y3 = rng.normal(size=(60, 2, 3))
    model = RNNSeq2Seq(hidden_size=8, max_iter=2, random_state=0).fit(series, y3)
    assert model.predict(series[:4]).shape == (4, 2, 3)
    # A 1-D numeric y: one step per sample.
    model = RNNSeq2Seq(hidden_size=8, max_iter=2, random_state=0)
    assert model.fit(series, series[:, 0]).predict(series[:4]).shape == (4,)


def test_max_output_length_bounds_the_outputs():
    X, y = reversal_task(40)
    model = RNNSeq2Seq(hidden_size=8, max_iter=30, random_state=0, max_output_length=2)
    for decoding in ("greedy", "beam"):
        out = model.set_params(decoding=decoding).fit(X, y).predict(X)
        assert max(map(len, out)) <= 2
    # An output cut at the bound has no end marker: scoring the model's own
    # outputs counts its tokens only; one that ended counts its end marker.
    cut = np.array([len(o) == 2 for o in out])
    assert cut.any()
    steps = np.array([len(o) if c else len(o) + 1 for o, c in zip(out, cut)])
    assert [w.shape[0] for w in model.attention_weights(X)] == steps.tolist()
    inputs, lengths = model._network_input(X)
    pairs = model._read_targets(out, len(X), reset=False)  # end markers on all
    rows = model._network.step_outputs(inputs, lengths, pairs[0], pairs[2])
    rows[:, model._output_mask()] = -np.inf
    log_p = rows - np.logaddexp.reduce(rows, axis=1, keepdims=True)
    tokens = np.concatenate([t[:n] for t, n in zip(pairs[1], pairs[2])])
    log_p = np.split(log_p[np.arange(len(tokens)), tokens], np.cumsum(pairs[2])[:-1])
    want = [p[:n].sum() for p, n in zip(log_p, steps)]
    assert_allclose(model.score_samples(X), want, rtol=1e-5)


def test_errors():
    X, y = reversal_task(10)
    model = RNNSeq2Seq(hidden_size=4, max_iter=1)
    with pytest.raises(ValueError, match="requires y to be passed"):
        model.fit(X, None)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        model.fit(X, y[:-1])
    with pytest.raises(ValueError, match="bptt_steps"):
        RNNSeq2Seq(bptt_steps=5).fit(X, y)
    fitted = RNNSeq2Seq(hidden_size=4, max_iter=1).fit(X, y)
    with pytest.raises(ValueError, match="raw text, but X holds numeric"):
        fitted.predict(np.ones((2, 3)))


def test_partial_fit_early_stopping_pickle(reversal):
    X, y, X_test, _ = reversal
    model = RNNSeq2Seq(hidden_size=8, random_state=0)
    for _ in range(3):
        model.partial_fit(X[:200], y[:200])
    assert model.n_iter_ == 3 and len(model.loss_curve_) == 3
    assert model.loss_curve_[-1] < model.loss_curve_[0]
    stopped = RNNSeq2Seq(
        hidden_size=8, max_iter=4, early_stopping=True, random_state=0
    ).fit(X[:200], y[:200])
    assert len(stopped.validation_scores_) == stopped.n_iter_
    assert all(s < 0 for s in stopped.validation_scores_)
    restored = pickle.loads(pickle.dumps(model))
    assert restored.predict(X_test) == model.predict(X_test)
    assert_array_equal(restored.transform(X_test), model.transform(X_test))
    assert model.transform(X_test).shape == (len(X_test), 8)
