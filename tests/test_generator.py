"""Tests of RNNSequenceGenerator (API.md, "RNNSequenceGenerator").

The estimator is checked against computations of its own: log-likelihoods and
next-token distributions against a plain-numpy forward pass over the fitted
parameters (``tests/reference.py``), the empirical distribution of sampled
tokens against softmax(logits / T) restricted to the top k (chi-square test),
``pick_token`` against a numpy inverse CDF, greedy generation against greedy
decoding with the numpy network, stateful truncated BPTT against the full
forward pass, and forecasts against the true continuation of sine waves.
Models are small and every fit is seeded; fits that stop at ``max_iter`` on
purpose warn, hence the ``ConvergenceWarning`` filter.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import log_softmax
from scipy.stats import chisquare
from sklearn.utils._param_validation import InvalidParameterError

from skrnn import RNNSequenceGenerator, Tokenizer
from skrnn._kernels._generate import pick_token
from skrnn._sequences import BEGIN_ID, END_ID, N_RESERVED_IDS, OOV_ID, PAD_ID
from skrnn._training import arrange_for_lanes
from skrnn.datasets import load_sentiment, load_shakespeare, make_sine_waves
from tests.reference import cell_forward

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

# A small corpus whose next-character distributions stay spread after a short
# fit (several continuations after "the ", "a " and "ca"), for the scoring and
# sampling tests.
CORPUS = [
    "the cat sat on the mat",
    "the dog ran to the cat",
    "a cat ran",
    "a dog sat",
    "the rat ate a hat",
]


# --------------------------------------------------------------------- helpers
def char_ids(gen, doc):
    """Token ids of ``doc`` for a fitted char model, computed without transform.

    The generator's default tokenizer keeps the case of the characters.
    """
    vocabulary = gen.tokenizer_.vocabulary_
    return [vocabulary.get(ch, OOV_ID) for ch in doc]


def reference_log_proba(gen, ids):
    """Next-token log-probabilities after each prefix of ``ids``, in float64.

    Plain numpy over the fitted parameters: embedding lookup, each layer
    through ``tests.reference.cell_forward`` from a zero state, the dense head,
    ids 0 and 2 masked. Row ``t`` is the distribution after ``ids[: t + 1]``.
    """
    params = {k: v.astype(np.float64) for k, v in gen._network.params.items()}
    x = params["embedding.W"][np.asarray(ids)][None]
    lengths = np.array([len(ids)])
    zeros = np.zeros((1, gen.hidden_size))
    for layer in range(gen.n_layers):
        prefix = f"layer{layer}.dir0."
        cell = {name: params[prefix + name] for name in ("W_x", "W_h", "b", "b_h")}
        x, _ = cell_forward(gen.cell, x, lengths, cell, zeros, zeros)
    logits = x[0] @ params["head.W"] + params["head.b"]
    logits[:, [PAD_ID, BEGIN_ID]] = -np.inf
    return log_softmax(logits, axis=1)


def token_names(gen):
    """The str of every id of a char or word model.

    "" for the end marker ("\\n" in ``generate(stop_at_end=False)``), "<unk>"
    for the out-of-vocabulary id.
    """
    names = {END_ID: "", OOV_ID: "<unk>"}
    names.update({i: token for token, i in gen.tokenizer_.vocabulary_.items()})
    return names


def training_targets(gen, docs):
    """Boolean mask of the ids that are a target in char documents ``docs``.

    Every character of a training document, and the end marker; the padding,
    begin and out-of-vocabulary ids never are (the char tokenizer keeps every
    character of the training text).
    """
    mask = np.zeros(gen.vocabulary_size_, dtype=bool)
    mask[[gen.tokenizer_.vocabulary_[ch] for ch in "".join(docs)]] = True
    mask[END_ID] = True
    return mask


def sampling_proba(gen, prompt):
    """The distribution generate draws from after ``prompt`` (temperature 1).

    predict_proba restricted to the training targets of ``CORPUS``, renormalised.
    """
    proba = gen.predict_proba([prompt])[0].astype(np.float64)
    proba[~training_targets(gen, CORPUS)] = 0
    return proba / proba.sum()


def first_token_counts(gen, prompt, **params):
    """Counts per id of the first token drawn after ``prompt`` (4,000 draws)."""
    texts = gen.generate(
        1, prompt=prompt, n_samples=4000, random_state=0, stop_at_end=False, **params
    )
    ids = {name: i for i, name in token_names(gen).items()}
    ids["\n"] = END_ID  # the end marker, written as the document separator
    counts = np.zeros(gen.vocabulary_size_, dtype=np.int64)
    for text in texts:
        assert text.startswith(prompt)
        counts[ids[text[len(prompt) :]]] += 1
    return counts


def assert_sampled_from(counts, expected_proba):
    """Chi-square goodness of fit; ids of probability 0 must never be drawn."""
    assert_array_equal(counts[expected_proba == 0], 0)
    expected = expected_proba * counts.sum()
    # Pool the rare categories (expected count below 5) into one.
    rare = (expected < 5) & (expected_proba > 0)
    common = expected >= 5
    observed = np.append(counts[common], counts[rare].sum())
    expected = np.append(expected[common], expected[rare].sum())
    if expected[-1] == 0:
        observed, expected = observed[:-1], expected[:-1]
    assert common.sum() >= 2  # a test with one category could not fail
    assert chisquare(observed, expected).pvalue > 1e-3


CELLS_AND_LAYERS = [("lstm", 2), ("gru", 2), ("rnn", 1)]


@pytest.fixture(scope="module")
def small_gens():
    """Char models of each cell (some stacked) fitted on ``CORPUS``."""
    params = {
        "hidden_size": 12,
        "embedding_dim": 6,
        "max_iter": 80,
        "learning_rate_init": 0.01,
        "random_state": 0,
    }
    return {
        (cell, n_layers): RNNSequenceGenerator(
            cell=cell, n_layers=n_layers, **params
        ).fit(CORPUS)
        for cell, n_layers in CELLS_AND_LAYERS
    }


@pytest.fixture(scope="module")
def hello_gen():
    return RNNSequenceGenerator(hidden_size=16, random_state=0).fit(["hello"] * 20)


@pytest.fixture(scope="module")
def corpus_gen():
    """A char LSTM fitted briefly on ``CORPUS``: spread distributions."""
    gen = RNNSequenceGenerator(
        hidden_size=16, embedding_dim=8, max_iter=30, learning_rate_init=0.01,
        random_state=0,
    )  # fmt: skip
    return gen.fit(CORPUS)


# ------------------------------------------------------------- memorisation
def test_generator_memorises_a_repeated_word(hello_gen):
    gen = hello_gen
    # 4 reserved ids + h, e, l, o.
    assert gen.vocabulary_size_ == 8
    assert sorted(gen.tokenizer_.vocabulary_) == ["e", "h", "l", "o"]
    # Greedy generation reproduces the word and stops at the end marker,
    # well before the 10 steps allowed.
    assert gen.generate(10, prompt="h", temperature=0) == "hello"
    assert gen.generate(10, prompt="h", top_k=1) == "hello"
    assert gen.generate(10, prompt="hel", temperature=0) == "hello"
    assert gen.generate(10, temperature=0) == "hello"
    # The next character, and "" where the most likely event is the end.
    assert_array_equal(gen.predict(["h", "hel", "hello"]), ["e", "l", ""])
    # Near certainty of every character and of the end: perplexity near 1.
    assert 1 <= gen.perplexity(["hello"]) < 1.1
    assert gen.perplexity(["hello"]) < gen.perplexity(["hlelo"])


def test_generator_memorises_a_sentence_as_one_document():
    text = "a cat sat on a mat; a dog dug in a bog; a fox ran far."
    gen = RNNSequenceGenerator(
        hidden_size=32, learning_rate_init=0.01, max_iter=300, random_state=0
    ).fit([text])
    # "a " is followed by c, m, d, b and f, " a" by " ", "t" and "r": the
    # model must read the context to continue each prompt.
    for prompt in ("a", "a cat sat on a", "a cat sat on a mat; a", "a cat sat on a m"):
        assert gen.generate(80, prompt=prompt, temperature=0) == text
    assert gen.generate(80, temperature=0) == text


# ------------------------------------------------------------------ scoring
@pytest.mark.parametrize("cell, n_layers", CELLS_AND_LAYERS)
def test_generator_score_samples_matches_numpy_forward(small_gens, cell, n_layers):
    gen = small_gens[cell, n_layers]
    docs = [
        "the cat",
        "The Cat",  # case kept: T and C unseen at fit, scored as the OOV id
        "the zebra!",  # z, b and ! unseen at fit: scored as the OOV id
        "",  # no token: read as one OOV token, then the end marker
        # Longer than every training document: read whole, not truncated.
        "the cat sat on the mat and the dog ran to the rat, a hat",
    ]
    ids = [char_ids(gen, doc) or [OOV_ID] for doc in docs]
    assert OOV_ID in ids[2]
    assert ids[1] == [OOV_ID, *ids[0][1:4], OOV_ID, *ids[0][5:]]
    expected = []
    for doc_ids in ids:
        log_p = reference_log_proba(gen, [BEGIN_ID, *doc_ids])
        targets = [*doc_ids, END_ID]
        expected.append(log_p[np.arange(len(targets)), targets].sum())
    scores = gen.score_samples(docs)
    assert scores.shape == (len(docs),)
    assert_allclose(scores, expected, rtol=1e-5)
    assert scores[1] < scores[0]

    # score: mean log-likelihood per predicted token (tokens + end markers).
    n_predicted = sum(len(doc_ids) + 1 for doc_ids in ids)
    assert_allclose(gen.score(docs), np.sum(expected) / n_predicted, rtol=1e-5)
    assert_allclose(gen.perplexity(docs), np.exp(-gen.score(docs)), rtol=1e-12)


@pytest.mark.parametrize("cell, n_layers", CELLS_AND_LAYERS)
def test_generator_score_samples_is_a_sum_of_single_steps(small_gens, cell, n_layers):
    # The same log-likelihood three ways: score_samples (one batched pass),
    # the network advanced one token at a time by the single-step kernel,
    # and predict_proba on every prefix of the document.
    from skrnn._kernels import CELLS

    gen = small_gens[cell, n_layers]
    doc = "the zebra sat"  # z, b unseen at fit: the OOV id
    ids = [BEGIN_ID, *char_ids(gen, doc)]
    targets = [*ids[1:], END_ID]
    p = gen._network.params
    table, H = p["embedding.W"], gen.hidden_size
    step, n_gates = CELLS[cell].step, CELLS[cell].n_gates
    h = np.zeros((n_layers, 1, H), np.float32)
    c = np.zeros((n_layers, 1, H), np.float32)
    z = np.empty((1, n_gates * H), np.float32)
    step_log_p = []
    for token, target in zip(ids, targets):
        x = table[[token]].copy()
        for layer in range(n_layers):
            prefix = f"layer{layer}.dir0."
            step(
                x, p[prefix + "W_x"], p[prefix + "W_h"], p[prefix + "b"],
                p[prefix + "b_h"], h[layer], c[layer], z,
            )  # fmt: skip
            x = h[layer].copy()
        logits = (x @ p["head.W"] + p["head.b"]).astype(np.float64)[0]
        logits[[PAD_ID, BEGIN_ID]] = -np.inf
        step_log_p.append(log_softmax(logits)[target])
    # The empty prefix is no document: it is read as one OOV token (API.md).
    by_prefixes = [
        np.log(gen.predict_proba([doc[:k]])[0, target])
        for k, target in enumerate(targets)
        if k > 0
    ]
    score = gen.score_samples([doc])[0]
    assert_allclose(score, np.sum(step_log_p), rtol=1e-5)
    assert_allclose(np.sum(step_log_p[1:]), np.sum(by_prefixes), rtol=1e-5)
    assert_array_equal(gen.predict_proba([""]), gen.predict_proba(["z"]))


def test_generator_predict_proba_and_predict_match_numpy_forward(corpus_gen):
    gen = corpus_gen
    docs = ["the c", "a ", "", "the zebra", "the cat sat on the mat and the dog r"]
    proba = gen.predict_proba(docs)
    assert proba.shape == (len(docs), gen.vocabulary_size_)
    # "" has no token: read as one OOV token (API.md).
    expected = np.exp(
        [
            reference_log_proba(gen, [BEGIN_ID, *(char_ids(gen, d) or [OOV_ID])])[-1]
            for d in docs
        ]
    )
    assert_allclose(proba, expected, rtol=1e-5, atol=1e-7)
    assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)
    # Padding and begin are never predicted: exactly 0.
    assert_array_equal(proba[:, [PAD_ID, BEGIN_ID]], 0)
    assert np.all(proba[:, [OOV_ID, END_ID]] > 0)
    # predict: the most likely next token as its character ("" for the end),
    # among the training targets (as greedy generation).
    names = token_names(gen)
    expected[:, ~training_targets(gen, CORPUS)] = 0
    expected_tokens = [names[i] for i in np.argmax(expected, axis=1)]
    assert_array_equal(gen.predict(docs), np.array(expected_tokens, dtype=object))


@pytest.mark.parametrize("cell, n_layers", CELLS_AND_LAYERS)
def test_generator_greedy_generation_matches_numpy_decoding(small_gens, cell, n_layers):
    # generate reads the prompt with the batched forward pass, then steps the
    # network one token at a time in Numba; both must agree with numpy.
    gen = small_gens[cell, n_layers]
    names = token_names(gen)
    never_target = ~training_targets(gen, CORPUS)
    for prompt in ("", "the ", "a dog"):
        ids = [BEGIN_ID, *char_ids(gen, prompt)]
        text = prompt
        for _ in range(25):
            log_p = reference_log_proba(gen, ids)[-1]
            log_p[never_target] = -np.inf
            best, second = np.sort(log_p)[::-1][:2]
            assert best - second > 1e-4  # no near tie that rounding could flip
            ids.append(int(np.argmax(log_p)))
            if ids[-1] == END_ID:
                break
            text += names[ids[-1]]
        assert gen.generate(25, prompt=prompt or None, temperature=0) == text
        assert gen.generate(25, prompt=prompt or None, top_k=1) == text


# ----------------------------------------------------------------- sampling
@pytest.mark.parametrize("temperature", [1.0, 0.5, 2.0])
def test_generator_samples_from_tempered_softmax(corpus_gen, temperature):
    prompt = "the cat "
    proba = sampling_proba(corpus_gen, prompt)
    # softmax(logits / T) with logits = log(proba): proba ** (1 / T), renormalised.
    tempered = proba ** (1 / temperature)
    expected = tempered / tempered.sum()
    assert np.sort(expected)[-2] > 0.05  # a spread distribution, not one token
    counts = first_token_counts(corpus_gen, prompt, temperature=temperature)
    assert_sampled_from(counts, expected)


def test_generator_samples_from_the_top_k(corpus_gen):
    prompt = "the cat "
    proba = sampling_proba(corpus_gen, prompt)
    top = np.argsort(proba)[::-1]
    assert proba[top[1]] > proba[top[2]] * 1.05  # the top two are well defined
    expected = np.zeros_like(proba)
    expected[top[:2]] = proba[top[:2]] / proba[top[:2]].sum()
    counts = first_token_counts(corpus_gen, prompt, top_k=2)
    # Tokens outside the top 2 never come out.
    assert counts[top[:2]].sum() == counts.sum()
    assert_sampled_from(counts, expected)
    # top_k with temperature: the two survivors, re-weighted by 1 / T.
    tempered = np.zeros_like(proba)
    tempered[top[:2]] = proba[top[:2]] ** 2
    counts = first_token_counts(corpus_gen, prompt, top_k=2, temperature=0.5)
    assert_sampled_from(counts, tempered / tempered.sum())


def reference_pick(logits, forbidden, temperature, top_k, u):
    """Inverse-CDF draw in id order from softmax(logits / T) over the top k."""
    logits = np.asarray(logits, dtype=np.float64)
    allowed = ~forbidden
    if temperature == 0 or top_k == 1:
        return int(np.flatnonzero(allowed & (logits == logits[allowed].max()))[0])
    if 0 < top_k < allowed.sum():
        allowed &= logits >= np.sort(logits[allowed])[::-1][top_k - 1]
    top = logits[allowed].max()
    weights = np.where(allowed, np.exp((logits - top) / temperature), 0)
    cdf = np.cumsum(weights) / weights.sum()
    # Keep the grid of draws away from the CDF's steps, where rounding decides.
    assert np.min(np.abs(cdf - u)) > 1e-9
    return int(np.searchsorted(cdf, u, side="right"))


def test_pick_token_matches_inverse_cdf():
    logits = np.array([2.5, -1.0, 0.3, 1.7, 3.0, -0.2, 1.7, 0.9], dtype=np.float32)
    forbidden = np.zeros(logits.shape[0], dtype=bool)
    forbidden[[0, 2]] = True  # the largest allowed logit is id 4, not forbidden 0
    grid = (np.arange(250) + 0.5) / 250
    workspace = np.empty(logits.shape[0])
    picked_ids = set()
    for temperature in (1.0, 0.5, 2.0, 0.0):
        for top_k in (0, 1, 2, 3, 6, 8):
            for u in grid:
                picked = pick_token(logits, forbidden, temperature, top_k, u, workspace)
                expected = reference_pick(logits, forbidden, temperature, top_k, u)
                assert picked == expected, (temperature, top_k, u)
                picked_ids.add(picked)
    # Every allowed id was reachable, no forbidden id ever came out.
    assert picked_ids == set(np.flatnonzero(~forbidden).tolist())
    # Greedy: the lowest id among tied maxima.
    tied = np.array([0.0, 5.0, 1.0, 5.0], dtype=np.float32)
    allow_all = np.zeros(4, dtype=bool)
    assert pick_token(tied, allow_all, 0.0, 0, 0.99, np.empty(4)) == 1
    assert pick_token(tied, allow_all, 1.0, 1, 0.99, np.empty(4)) == 1


def test_generator_same_random_state_same_text(corpus_gen):
    def draw(random_state, **params):
        return corpus_gen.generate(
            200, prompt="the ", stop_at_end=False, random_state=random_state, **params
        )

    first = draw(0)
    assert len(first) > len("the ") + 100  # a long text to compare
    assert draw(0) == first
    assert draw(np.random.RandomState(0)) == first
    assert draw(1) != first
    assert draw(0, n_samples=3) == draw(0, n_samples=3)
    assert len(set(draw(0, n_samples=3))) == 3
    # Earlier draws leave nothing behind in the model.
    assert draw(0) == first


# --------------------------------------------------------------- word model
def shuffled_words(sentence, rng):
    words = sentence.split()
    rng.shuffle(words)
    return " ".join(words)


def test_generator_word_model_prefers_real_word_order():
    sentences, _ = load_sentiment(return_X_y=True)
    order = np.random.RandomState(0).permutation(len(sentences))
    train = [sentences[i] for i in order[:1000]]
    held_out = [sentences[i] for i in order[1000:1200]]
    gen = RNNSequenceGenerator(
        tokenizer=Tokenizer(analyzer="word"), hidden_size=32, embedding_dim=16,
        max_iter=10, learning_rate_init=0.01, random_state=0,
    ).fit(train)  # fmt: skip
    rng = np.random.RandomState(1)
    shuffled = [shuffled_words(s, rng) for s in held_out]
    assert sum(a == b for a, b in zip(held_out, shuffled)) == 0
    # Same words, same number of predicted tokens: only the order differs.
    better = gen.score_samples(held_out) > gen.score_samples(shuffled)
    assert better.mean() >= 0.9

    prompt = "My breakfast"
    texts = gen.generate(12, prompt=prompt, n_samples=5, random_state=0)
    # Every word of the vocabulary is a training target: never "<unk>".
    vocabulary = set(gen.tokenizer_.vocabulary_)
    for text in texts:
        assert text.startswith(prompt + " ")
        words = text[len(prompt) + 1 :].split(" ")
        assert 1 <= len(words) <= 12
        assert set(words) <= vocabulary  # single spaces: no empty word
    assert gen.generate(12, temperature=0) == gen.generate(12, top_k=1)


# ------------------------------------------------------- truncated BPTT
def test_generator_truncated_bptt_trains_on_one_long_document():
    text = load_shakespeare().text[:4000]
    gen = RNNSequenceGenerator(
        hidden_size=32, bptt_steps=20, max_iter=10, learning_rate_init=0.01,
        random_state=0,
    ).fit([text])  # fmt: skip
    # The text (4001 steps) is cut for the 32 lanes into pieces of 10 windows
    # (its share, 126 steps, is less than the 10 windows of a piece).
    data = gen._training_data([text], None, None, reset=False)
    pieces = arrange_for_lanes(data, gen._training_settings(gen._network))
    assert_array_equal(pieces.lengths, [200] * 20 + [1])
    assert gen.loss_curve_[-1] < 0.8 * gen.loss_curve_[0]
    # Better than the best context-free guess: the unigram perplexity.
    _, counts = np.unique(list(text), return_counts=True)
    frequencies = counts / counts.sum()
    unigram_perplexity = np.exp(-np.sum(frequencies * np.log(frequencies)))
    assert gen.perplexity([text]) < 0.75 * unigram_perplexity


def test_generator_truncated_bptt_on_short_documents():
    # Truncated BPTT carries the state from window to window: a 3-step window
    # is enough to tell "hel" -> "l" from "hell" -> "o" only when the state
    # read "hel" is carried into the window "lo<end>", so the fit must learn
    # the word as full BPTT does (test_generator_memorises_a_repeated_word).
    # Each document (6 steps) is shorter than a piece for the lanes (at least
    # 10 windows): none is cut, each is read whole in its two windows.
    gen = RNNSequenceGenerator(hidden_size=16, bptt_steps=3, random_state=0)
    gen.fit(["hello"] * 20)
    data = gen._training_data(["hello"] * 20, None, None, reset=False)
    assert arrange_for_lanes(data, gen._training_settings(gen._network)) is data
    assert gen.generate(10, prompt="h", temperature=0) == "hello"

    # The training documents score as well as the training loss says.
    assert gen.loss_curve_[-1] < 0.05
    assert gen.perplexity(["hello"]) < 1.1


# ------------------------------------------------------------ token ids
def test_generator_on_token_ids():
    rng = np.random.RandomState(0)
    # Ids 4..9 counting up from a random start, padded with 0.
    X = np.zeros((40, 6), dtype=np.int64)
    for row in X:
        start = rng.randint(4, 8)
        n = rng.randint(2, 7)
        row[:n] = np.arange(start, start + n) % 6 + 4
    gen = RNNSequenceGenerator(
        input_type="tokens", hidden_size=16, learning_rate_init=0.01, max_iter=60,
        random_state=0,
    ).fit(X)  # fmt: skip
    assert gen.vocabulary_size_ == 10
    assert not hasattr(gen, "tokenizer_")
    assert hasattr(gen, "predict_proba") and hasattr(gen, "perplexity")

    prompt = np.array([5, 6])
    out = gen.generate(4, prompt=prompt, temperature=0, stop_at_end=False)
    assert isinstance(out, np.ndarray) and out.dtype == np.int64
    assert_array_equal(out[:2], prompt)
    # Greedy continues the count (the only pattern in the data).
    assert_array_equal(out[2:4], [7, 8])
    draws = gen.generate(5, prompt=[4], n_samples=20, random_state=0)
    assert len(draws) == 20
    for draw in draws:
        assert draw[0] == 4 and 1 <= len(draw) <= 6
        assert np.all((draw >= 4) & (draw < 10))  # no pad, begin or end id
    # predict_proba / predict agree; score_samples on ragged lists of ids.
    proba = gen.predict_proba(X[:5])
    assert_array_equal(gen.predict(X[:5]), np.argmax(proba, axis=1))
    assert_array_equal(proba[:, [PAD_ID, BEGIN_ID]], 0)
    scores = gen.score_samples([[5, 6, 7], [5, 7, 6]])
    assert scores[0] > scores[1]
    assert_allclose(gen.score_samples(np.array([[5, 6, 7, 0]])), scores[:1], rtol=1e-6)

    with pytest.raises(ValueError, match=r"out of range.*\[0, 10\)"):
        gen.score_samples(np.array([[4, 5, 10]]))
    with pytest.raises(ValueError, match="non-negative"):
        gen.score_samples(np.array([[4, -1]]))
    with pytest.raises(ValueError, match=r"out of range.*\[0, 10\)"):
        gen.generate(3, prompt=[4, 12])
    with pytest.raises(ValueError, match=r"out of range.*\[0, 10\)"):
        gen.generate(3, prompt=[-1, 4])
    with pytest.raises(ValueError, match="integer token ids"):
        gen.generate(3, prompt=[4.0, 5.0])
    with pytest.raises(ValueError, match="sequence of ids, got a str"):
        gen.generate(3, prompt="45")


def test_generator_token_ids_holding_the_markers():
    # Ids 2 and 3 are the begin and end markers the generator adds around
    # every sequence: token input holding them is refused (at fit, when
    # scoring and in a prompt) instead of being trained on as a begin marker
    # that is never predicted.
    X = np.array([[4, 5, 2, 6], [4, 5, 6, 7]] * 4)
    gen = RNNSequenceGenerator(
        input_type="tokens", hidden_size=8, max_iter=3, random_state=0
    )
    with pytest.raises(ValueError, match="X holds the token id 2: ids 2 and 3"):
        gen.fit(X)
    gen.fit(X[1:2])
    with pytest.raises(ValueError, match="X holds the token id 3"):
        gen.score_samples(np.array([[4, 3, 5, 6]]))
    with pytest.raises(ValueError, match="The prompt holds the token id 2"):
        gen.generate(3, prompt=[4, 2])


# ------------------------------------------------------------- bad input
def test_generator_rejects_an_empty_corpus():
    gen = RNNSequenceGenerator(hidden_size=4, max_iter=1, random_state=0)
    with pytest.raises(ValueError, match=r"0 sample\(s\)"):
        gen.fit([])


def test_generator_reads_a_corpus_without_tokens_as_oov_tokens():
    # API.md: a document with no token is one OOV token, never an error;
    # a whole corpus of them warns (nothing silently misread).
    gen = RNNSequenceGenerator(hidden_size=4, max_iter=2, random_state=0)
    with pytest.warns(UserWarning, match=r"empty vocabulary.*out-of-vocabulary"):
        gen.fit(["", ""])
    assert gen.tokenizer_.vocabulary_ == {}
    assert gen.vocabulary_size_ == N_RESERVED_IDS
    # The model predicts the OOV id, then the end marker; both documents
    # (an empty one, and one of unseen characters only) are finite scores.
    scores = gen.score_samples(["", "xyz"])
    assert np.all(np.isfinite(scores)) and scores[0] > scores[1]


def test_generator_prompt_of_unseen_tokens_is_read_as_oov(hello_gen):
    # API.md: unknown tokens are OOV tokens, never an error; a prompt made
    # of nothing else warns, and continues as the document "?" would.
    with pytest.warns(UserWarning, match="only tokens unseen at fit"):
        text = hello_gen.generate(5, prompt="XY", temperature=0)
    assert text.startswith("XY")
    assert text[2:] == hello_gen.generate(5, prompt="ZQ", temperature=0)[2:]
    proba = hello_gen.predict_proba(["XY"])
    assert_array_equal(proba, hello_gen.predict_proba(["ZQ"]))


def test_generator_generate_rejects_bad_arguments(hello_gen):
    for n_steps in (0, -3):
        with pytest.raises(InvalidParameterError, match="'n_steps' parameter"):
            hello_gen.generate(n_steps)
    with pytest.raises(InvalidParameterError, match="'temperature' parameter"):
        hello_gen.generate(5, temperature=-0.1)
    with pytest.raises(InvalidParameterError, match="'top_k' parameter"):
        hello_gen.generate(5, top_k=0)
    with pytest.raises(ValueError, match="fitted on text: the prompt must be a str"):
        hello_gen.generate(5, prompt=[4, 5])  # ids, not tokens
    # A list of str is a prompt of tokens (here characters).
    assert hello_gen.generate(3, prompt=["h", "e"], temperature=0) == (
        hello_gen.generate(3, prompt="he", temperature=0)
    )
    # A prompt with some unseen characters is read (through the OOV id).
    assert hello_gen.generate(5, prompt="xh", temperature=0).startswith("xh")


def test_generator_refuses_bidirectional():
    gen = RNNSequenceGenerator(bidirectional=True, hidden_size=4, max_iter=1)
    with pytest.raises(ValueError, match="bidirectional=False"):
        gen.fit(["hello"])
    assert not hasattr(gen, "_network")


def test_generator_numeric_model_has_no_text_methods(hello_gen):
    X = make_sine_waves(n_samples=8, n_timesteps=12, random_state=0)
    gen = RNNSequenceGenerator(hidden_size=4, max_iter=2, random_state=0).fit(X)
    assert not hasattr(gen, "predict_proba")
    assert not hasattr(gen, "perplexity")
    assert hasattr(hello_gen, "predict_proba") and hasattr(hello_gen, "perplexity")
    assert not hasattr(RNNSequenceGenerator(), "predict_proba")  # unfitted
    with pytest.raises(ValueError, match="the prompt must be a series of numbers"):
        gen.generate(5, prompt="hello")
    with pytest.raises(ValueError, match="generate needs a prompt series"):
        gen.generate(5)
    with pytest.raises(ValueError, match=r"\(n_timesteps,\) or \(n_timesteps, 1\)"):
        gen.generate(5, prompt=np.zeros((4, 2)))
    with pytest.raises(ValueError, match="fitted on numeric sequences, but X holds"):
        gen.score_samples(["hello"])


# ------------------------------------------------------------ numeric series
def test_generator_forecasts_sine_waves():
    # One sine per series (period 8 to 40 steps) with noise 0.05; the same
    # seed without noise gives the clean signal, the truth to forecast. The
    # model trains on 400 whole series; for 50 others it reads the first 50
    # steps and continues them for 50 steps, feeding back its predictions.
    # Measured ratios over model/data seeds 0-3: 0.15, 0.23, 0.37, 0.21 (the
    # spread is phase drift on short periods); the bar here is 0.5, and the
    # issue's 0.3 on make_sine_waves' defaults (two sines) is shown over five
    # seeds, with more data, by benchmarks/bench_sine_forecast.py.
    params = {"n_samples": 450, "n_timesteps": 100, "n_components": 1}
    X = make_sine_waves(**params, noise=0.05, random_state=0).astype(np.float32)
    clean = make_sine_waves(**params, noise=0.0, random_state=0)
    # The one-step loss ends near 3e-3 (noise alone gives 2.5e-3): an
    # absolute tol of 1e-4 stopped the fit long before the forecasts were
    # good; the default tol is relative to the loss, so it runs its epochs.
    gen = RNNSequenceGenerator(
        hidden_size=48, batch_size=16, learning_rate_init=0.01, max_iter=80,
        random_state=0,
    ).fit(X[:400])  # fmt: skip
    assert gen.n_iter_ == 80 and min(gen.loss_curve_) < 3e-3
    prompts, truth = X[400:, :50], clean[400:, 50:]
    forecasts = np.stack([gen.generate(50, prompt=p) for p in prompts])
    assert forecasts.shape == (50, 50, 1)
    rmse = np.sqrt(np.mean((forecasts[:, :, 0] - truth) ** 2))
    # The naive forecast repeats the last value of the prompt.
    naive_rmse = np.sqrt(np.mean((prompts[:, -1:] - truth) ** 2))
    assert rmse < 0.5 * naive_rmse

    # predict: the next value after each series, the first value generate gives
    # (prompts of another length than the fitted 100 steps: a ragged list).
    next_values = gen.predict(list(prompts))
    assert next_values.shape == (50,)
    assert_allclose(next_values, forecasts[:, 0, 0], rtol=1e-5, atol=1e-6)
    next_values = gen.predict(X[400:])
    assert next_values.shape == (50,)
    first = [gen.generate(1, prompt=x)[0, 0] for x in X[400:]]
    assert_allclose(next_values, first, rtol=1e-5, atol=1e-6)


def test_generator_multichannel_series_scores_and_continuations():
    X = make_sine_waves(n_samples=20, n_timesteps=15, n_channels=3, random_state=0)
    gen = RNNSequenceGenerator(
        hidden_size=8, n_layers=2, max_iter=5, random_state=0
    ).fit(X)
    assert gen.n_channels_in_ == 3 and gen.n_features_in_ == 15
    next_values = gen.predict(X)
    assert next_values.shape == (20, 3)
    prompt = X[0, :10]
    steps = gen.generate(6, prompt=prompt)
    assert steps.shape == (6, 3)
    # Each new value is the prediction after the prompt and the values so far.
    for k in range(6):
        read = np.concatenate([prompt, steps[:k]])
        assert_allclose(steps[k], gen.predict([read])[0], rtol=1e-10)
    assert_allclose(gen.generate(1, prompt=X[0])[0], next_values[0], rtol=1e-10)

    # score_samples: minus the squared one-step errors, summed over channels
    # and over every step after the first.
    scores = gen.score_samples(X[:4])
    expected = [
        -sum(np.sum((gen.predict([x[:t]])[0] - x[t]) ** 2) for t in range(1, 15))
        for x in X[:4]
    ]
    assert_allclose(scores, expected, rtol=1e-10)
    assert_allclose(gen.score(X[:4]), np.sum(expected) / (4 * 14), rtol=1e-10)


def test_generator_without_stop_at_end_starts_new_documents(hello_gen):
    # After the end marker a new document begins from the begin state, so
    # greedy decoding repeats the word; each end marker drawn (one of the 12
    # tokens) is written as a newline between the documents.
    text = hello_gen.generate(12, prompt="h", temperature=0, stop_at_end=False)
    assert text == "hello\nhello\nh"
    # The end marker drawn last ends the text with the separator.
    text = hello_gen.generate(5, prompt="h", temperature=0, stop_at_end=False)
    assert text == "hello\n"
    # With stop_at_end the text simply ends there.
    assert hello_gen.generate(12, prompt="h", temperature=0) == "hello"


def test_generator_word_prompt_is_read_whole_and_joined_once():
    docs = ["the cat sat on the mat", "the dog sat on the log"] * 10
    gen = RNNSequenceGenerator(
        tokenizer=Tokenizer(analyzer="word", max_length=3),
        hidden_size=16,
        random_state=0,
    ).fit(docs)
    # A prompt ending in a space gets no second space.
    assert gen.generate(2, prompt="the cat ", temperature=0).startswith("the cat ")
    assert "  " not in gen.generate(2, prompt="the cat ", temperature=0)
    # Prompts and scored documents are read whole, beyond the tokenizer's
    # max_length of 3 (which only cut the training documents).
    long_prompt = "the dog sat on the"
    greedy = gen.generate(1, prompt=long_prompt, temperature=0)
    assert greedy == (long_prompt + " " + gen.predict([long_prompt])[0]).rstrip()
    proba = gen.predict_proba([long_prompt, "the dog sat"])
    assert not np.allclose(proba[0], proba[1])
    scores = gen.score_samples(["the dog sat on the log", "the dog sat"])
    assert scores[0] != scores[1]


# ---------------------------------------------------------- default tokenizer
def test_generator_default_tokenizer_keeps_case():
    gen = RNNSequenceGenerator(
        hidden_size=32, learning_rate_init=0.01, random_state=0
    ).fit(["Hello World"] * 20)
    assert gen.tokenizer_.analyzer == "char" and gen.tokenizer_.lowercase is False
    assert {"H", "W", "o"} <= set(gen.tokenizer_.vocabulary_)
    assert "h" not in gen.tokenizer_.vocabulary_
    assert gen.generate(20, temperature=0) == "Hello World"
    assert gen.generate(20, prompt="Hello", temperature=0) == "Hello World"
    assert_array_equal(gen.predict(["Hello ", "Hello World"]), ["W", ""])
    # Lowercase letters unseen at fit are unknown to the model.
    assert gen.score(["hello world"]) < gen.score(["Hello World"])


# ------------------------------------------------------------ early stopping
def held_out_texts(docs, validation_fraction):
    """The held-out tail of char documents, as texts: independent of skrnn.

    Every document predicts its characters then its end marker; read one
    after the other, the last ``ceil(fraction * steps)`` predicted steps are
    held out, split at the end markers into documents.
    """
    END_MARK = None
    steps = [item for doc in docs for item in [*doc, END_MARK]]
    n_held_out = int(np.ceil(validation_fraction * len(steps)))
    texts, current = [], ""
    for item in steps[-n_held_out:]:
        if item is END_MARK:
            texts.append(current)
            current = ""
        else:
            current += item
    return texts


@pytest.mark.parametrize("bptt_steps", [None, 20])
def test_generator_early_stopping_holds_out_the_tail_of_one_text(bptt_steps):
    text = load_shakespeare().text[:3000]
    gen = RNNSequenceGenerator(
        hidden_size=16, early_stopping=True, max_iter=4, n_iter_no_change=10,
        learning_rate_init=0.01, bptt_steps=bptt_steps, random_state=0,
    ).fit([text])  # fmt: skip
    assert len(gen.validation_scores_) == 4
    # 3001 predicted steps (3000 characters and the end marker): the last
    # ceil(300.1) = 301 are held out, the last 300 characters and the end.
    tail = held_out_texts([text], 0.1)
    assert tail == [text[-300:]]
    # The fit ends on the weights of the best validation score: that score
    # is the tail's mean log-likelihood per predicted token, read as a
    # document of its own.
    assert gen.best_validation_score_ == max(gen.validation_scores_)
    assert_allclose(gen.best_validation_score_, gen.score(tail), rtol=1e-6)
    assert np.all(np.diff(gen.validation_scores_[:2]) > 0)  # it learns


def test_generator_early_stopping_tail_spans_the_last_documents():
    # 6 documents, too few to hold out 2 of them (0.3 * 6 < 2): the tail by
    # position, the last ceil(0.3 * 78) = 24 predicted steps, across three
    # documents (with 7 documents, two whole ones would be held out).
    docs = [f"doc {i}: " + "ab" * (5 - i) for i in range(6)]
    gen = RNNSequenceGenerator(
        hidden_size=8, early_stopping=True, validation_fraction=0.3, max_iter=2,
        random_state=0,
    ).fit(docs)  # fmt: skip
    tail = held_out_texts(docs, 0.3)
    assert tail == [docs[3][-5:], *docs[-2:]]
    assert_allclose(gen.best_validation_score_, gen.score(tail), rtol=1e-6)
    assert gen.best_validation_score_ == max(gen.validation_scores_)


def test_generator_early_stopping_holds_out_documents_when_enough(monkeypatch):
    # 20 documents, validation_fraction 0.1: two whole documents drawn at
    # random, as in the other estimators.
    docs = [f"doc {i}: " + "ab" * (i % 4) for i in range(20)]
    held = []
    score = RNNSequenceGenerator._validation_score

    def spy(self, held_out):
        held.append(held_out)
        return score(self, held_out)

    monkeypatch.setattr(RNNSequenceGenerator, "_validation_score", spy)
    gen = RNNSequenceGenerator(
        hidden_size=8, early_stopping=True, max_iter=2, random_state=0
    ).fit(docs)
    held_out = held[-1]
    assert len(held_out) == 2
    names = token_names(gen)
    texts = [
        "".join(names[i] for i in row[: n - 1])
        for row, n in zip(held_out.targets, held_out.lengths)
    ]
    assert set(texts) <= set(docs) and len(set(texts)) == 2
    assert texts != docs[-2:]  # drawn at random, not the tail
    # Whole documents: from the begin marker to the end marker.
    assert_array_equal(held_out.inputs[:, 0], BEGIN_ID)
    assert_array_equal(held_out.targets[[0, 1], held_out.lengths - 1], END_ID)
    assert_allclose(gen.best_validation_score_, gen.score(texts), rtol=1e-6)


def test_generator_early_stopping_needs_a_step_to_train_on():
    gen = RNNSequenceGenerator(
        hidden_size=4, early_stopping=True, validation_fraction=0.9, max_iter=2
    )
    with pytest.raises(
        ValueError, match=r"validation_fraction=0.9, the held-out tail would take all 2"
    ):
        gen.fit(["a"])


# ------------------------------------------------------------------ sampling
def test_generator_never_samples_an_id_that_was_never_a_target(corpus_gen):
    gen = corpus_gen
    # Unmasked, the out-of-vocabulary id would come out: the model gives it
    # some probability (it is never a target, but never trained to 0 either).
    proba = gen.predict_proba(["the cat "])[0].astype(np.float64)
    tempered = proba ** (1 / 1.5)
    tempered /= tempered.sum()
    assert 4000 * tempered[OOV_ID] > 20
    counts = first_token_counts(gen, "the cat ", temperature=1.5)
    assert counts.sum() == 4000 and counts[OOV_ID] == 0
    assert_array_equal(np.flatnonzero(counts), np.flatnonzero(counts * tempered))
    # Long texts at a high temperature: only characters of the corpus (and
    # the newline between documents), never "<unk>".
    texts = gen.generate(
        60, n_samples=100, temperature=1.5, stop_at_end=False, random_state=0
    )
    assert not any("<unk>" in text for text in texts)
    assert set("".join(texts)) <= set("".join(CORPUS)) | {"\n"}
    # predict never names an id that was never a target either.
    assert "<unk>" not in set(gen.predict(["the zebra", "zzz", "q"]))


def test_generator_samples_only_training_targets_of_token_ids():
    # Ids 4, 5, 6 and 9: 1 (out of vocabulary), 7 and 8 are never targets.
    X = np.array([[4, 5, 6], [9, 4, 5], [6, 9, 0], [5, 0, 0]] * 5)
    gen = RNNSequenceGenerator(
        input_type="tokens", hidden_size=8, max_iter=2, random_state=0
    ).fit(X)
    assert gen.vocabulary_size_ == 10
    draws = gen.generate(
        30, n_samples=100, temperature=3.0, stop_at_end=False, random_state=0
    )
    drawn = np.concatenate(draws)
    assert set(drawn.tolist()) == {4, 5, 6, 9, END_ID}
    # partial_fit adds the targets of each batch.
    gen.partial_fit(np.array([[7, 8]] * 4))
    draws = gen.generate(
        30, n_samples=100, temperature=3.0, stop_at_end=False, random_state=0
    )
    assert set(np.concatenate(draws).tolist()) == {4, 5, 6, 7, 8, 9, END_ID}


def test_generator_samples_unk_when_training_tokens_were_out_of_vocabulary():
    # min_df=2 makes the words seen once out of vocabulary: the OOV id is then
    # a real training target, and generate may draw it ("<unk>").
    rng = np.random.RandomState(0)
    common = ["the", "cat", "dog", "sat"]
    docs = [
        " ".join([*rng.choice(common, 3), f"rare{i}", *rng.choice(common, 2)])
        for i in range(40)
    ]
    gen = RNNSequenceGenerator(
        tokenizer=Tokenizer(min_df=2), hidden_size=16, max_iter=20,
        learning_rate_init=0.01, random_state=0,
    ).fit(docs)  # fmt: skip
    assert set(gen.tokenizer_.vocabulary_) == set(common)
    texts = gen.generate(20, n_samples=20, random_state=0)
    assert any("<unk>" in text.split(" ") for text in texts)


# ---------------------------------------------------------- document separator
def test_generator_separates_documents_of_word_and_token_models():
    words = RNNSequenceGenerator(
        tokenizer=Tokenizer(), hidden_size=16, learning_rate_init=0.01,
        random_state=0,
    ).fit(["the cat sat"] * 20)  # fmt: skip
    # Tokens joined with spaces, documents with a newline (no space around).
    text = words.generate(9, prompt="the", temperature=0, stop_at_end=False)
    assert text == "the cat sat\nthe cat sat\nthe cat"
    text = words.generate(4, prompt="the cat sat", temperature=0, stop_at_end=False)
    assert text == "the cat sat\nthe cat sat"
    assert words.generate(9, prompt="the", temperature=0) == "the cat sat"

    tokens = RNNSequenceGenerator(
        input_type="tokens", hidden_size=16, learning_rate_init=0.01,
        random_state=0,
    ).fit(np.array([[4, 5, 6]] * 20))  # fmt: skip
    # Token ids: the end id 3 stands between the documents.
    out = tokens.generate(8, prompt=[4], temperature=0, stop_at_end=False)
    assert_array_equal(out, [4, 5, 6, 3, 4, 5, 6, 3, 4])
    assert_array_equal(tokens.generate(8, prompt=[4], temperature=0), [4, 5, 6])


def test_generator_warns_on_a_long_text_without_bptt_steps():
    # One long text without bptt_steps: one optimizer step per epoch.
    text = "abcd" * 300
    with pytest.warns(UserWarning, match=r"Document 0 has 1201 steps and bptt_steps"):
        RNNSequenceGenerator(hidden_size=2, max_iter=1).fit([text])
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Document .* bptt_steps")
        RNNSequenceGenerator(hidden_size=2, max_iter=1, bptt_steps=50).fit([text])
