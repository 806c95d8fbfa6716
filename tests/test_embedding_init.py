"""``embedding_init`` and ``freeze_embedding`` (API.md, "embedding_init").

Pretrained vectors start the embedding table (covered rows exactly the
vectors, the others the random start), grow the vocabulary, and a frozen
table stays bit-identical during training with every optimizer.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import pickle

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator

import skrnn._base
from skrnn import RNNClassifier, RNNRegressor, RNNSequenceGenerator, Tokenizer
from skrnn.utils import check_gradients

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

DOCS = [
    "the food was good",
    "the food was not good",
    "the service was bad",
    "the service was not bad",
    "good food",
    "bad service not good at all",
]
LABELS = np.array([1, 0, 0, 1, 1, 0])
DIM = 4
RNG = np.random.RandomState(42)
VECTORS = {
    "good": RNG.normal(size=DIM),
    "bad": RNG.normal(size=DIM),
    "food": RNG.normal(size=DIM),
    # Not in the training text: joins the vocabulary with its vector.
    "superb": RNG.normal(size=DIM),
    # Never produced by the default tokenizer (lowercase, token_pattern).
    "Awful": RNG.normal(size=DIM),
    ",": RNG.normal(size=DIM),
}


def small(Estimator=RNNClassifier, **params):
    defaults = {
        "hidden_size": 5,
        "embedding_dim": DIM,
        "max_iter": 3,
        "random_state": 0,
    }
    return Estimator(**{**defaults, **params})


@pytest.fixture
def untrained(monkeypatch):
    """Fits that build and initialise the network but train no epoch."""
    monkeypatch.setattr(skrnn._base, "run_epochs", lambda *args, **kwargs: True)


def table(model):
    return model._network.params["embedding.W"]


class KeyedVectorsLike:
    """What skrnn uses of gensim's KeyedVectors (no gensim needed)."""

    def __init__(self, vectors):
        self.index_to_key = list(vectors)
        self._vectors = np.array([vectors[k] for k in self.index_to_key])
        self._index = {k: i for i, k in enumerate(self.index_to_key)}

    def __contains__(self, key):
        return key in self._index

    def __getitem__(self, key):
        return self._vectors[self._index[key]]


class LookupOnly:
    """A mapping that cannot list its tokens."""

    def __init__(self, vectors):
        self._vectors = vectors

    def __contains__(self, key):
        return key in self._vectors

    def __getitem__(self, key):
        return self._vectors[key]


def write_glove(path, vectors):
    with open(path, "w", encoding="utf-8") as f:
        for token, v in vectors.items():
            f.write(token + " " + " ".join(repr(float(x)) for x in v) + "\n")


def write_word2vec(path, vectors):
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"{len(vectors)} {DIM}\n")
        for token, v in vectors.items():
            f.write(token + " " + " ".join(repr(float(x)) for x in v) + " \n")


def check_table(model, reference):
    """Covered rows are the vectors in float32; the others the random start
    of ``reference``, a fit without embedding_init."""
    vocabulary = model.tokenizer_.vocabulary_
    W = table(model)
    start = table(reference)
    assert W.dtype == np.float32
    for token, i in vocabulary.items():
        if token in VECTORS:
            assert_array_equal(W[i], VECTORS[token].astype(np.float32))
        elif i < start.shape[0]:
            assert_array_equal(W[i], start[i])
    assert_array_equal(W[:4], start[:4])


@pytest.mark.parametrize(
    "source", ["dict", "keyed", "glove", "word2vec", "glove_pathlike"]
)
def test_vectors_start_the_table_and_grow_the_vocabulary(untrained, tmp_path, source):
    if source == "dict":
        init = VECTORS
    elif source == "keyed":
        init = KeyedVectorsLike(VECTORS)
    elif source == "word2vec":
        init = str(tmp_path / "vectors.w2v.txt")
        write_word2vec(init, VECTORS)
    else:
        init = tmp_path / "glove.txt"
        write_glove(init, VECTORS)
        if source == "glove":
            init = str(init)
    model = small(embedding_init=init).fit(DOCS, LABELS)
    reference = small().fit(DOCS, LABELS)
    vocabulary = model.tokenizer_.vocabulary_
    text_vocabulary = reference.tokenizer_.vocabulary_
    # The training text's ids first, then the vectors' tokens the tokenizer
    # would produce: "superb", not "Awful" (lowercase) nor "," (pattern).
    assert {t: vocabulary[t] for t in text_vocabulary} == text_vocabulary
    assert set(vocabulary) - set(text_vocabulary) == {"superb"}
    assert vocabulary["superb"] == 4 + len(text_vocabulary)
    assert model.vocabulary_size_ == reference.vocabulary_size_ + 1
    check_table(model, reference)
    assert model.embedding_coverage_ == pytest.approx(3 / len(text_vocabulary))
    # A word unseen in training is read through its vector, not as OOV.
    ids, _ = model._validate_input(["superb food"], reset=False)
    assert ids[0, 0] == vocabulary["superb"]
    # Only the table is kept: no reference to the vectors in the state.
    state = pickle.dumps(
        {k: v for k, v in vars(model).items() if k != "embedding_init"}
    )
    assert b"KeyedVectorsLike" not in state and b"glove" not in state
    assert not hasattr(model, "_word_vectors")


def test_uncovered_rows_equal_the_random_start(untrained):
    # Vectors only for training tokens: the same vocabulary, every other
    # row and every other weight exactly those of a fit without them.
    vectors = {"good": VECTORS["good"], "food": VECTORS["food"]}
    model = small(embedding_init=vectors).fit(DOCS, LABELS)
    plain = small().fit(DOCS, LABELS)
    assert model.tokenizer_.vocabulary_ == plain.tokenizer_.vocabulary_
    vocabulary = model.tokenizer_.vocabulary_
    covered = [vocabulary["good"], vocabulary["food"]]
    others = np.setdiff1d(np.arange(model.vocabulary_size_), covered)
    assert_array_equal(table(model)[others], table(plain)[others])
    assert_array_equal(table(model)[covered[0]], vectors["good"].astype(np.float32))
    n_table = table(model).size
    assert_array_equal(model._network.theta[n_table:], plain._network.theta[n_table:])


def test_vocabulary_growth_respects_the_tokenizer():
    vectors = {"rare": np.ones(DIM), "unseen": np.ones(DIM), "food": np.ones(DIM)}
    # "rare" is in the training text but min_df drops it: it stays out.
    docs = [*DOCS, "rare words"]
    model = small(tokenizer=Tokenizer(min_df=2), embedding_init=vectors)
    model.fit(docs, [*LABELS, 0])
    assert "rare" not in model.tokenizer_.vocabulary_
    assert "unseen" in model.tokenizer_.vocabulary_
    # A frozen tokenizer and a lookup-only mapping keep the vocabulary.
    frozen = FrozenEstimator(Tokenizer().fit(DOCS))
    model = small(tokenizer=frozen, embedding_init=vectors).fit(DOCS, LABELS)
    assert model.tokenizer_.vocabulary_ == frozen.vocabulary_
    assert model.embedding_coverage_ == pytest.approx(1 / len(frozen.vocabulary_))
    model = small(embedding_init=LookupOnly(vectors), freeze_embedding=True)
    model.fit(DOCS, LABELS)
    assert "unseen" not in model.tokenizer_.vocabulary_
    assert_array_equal(table(model)[model.tokenizer_.vocabulary_["food"]], np.ones(DIM))


def test_pretokenized_text_takes_tokens_with_spaces():
    docs = [["new york", "is", "big"], ["paris", "is", "old"]]
    vectors = {"los angeles": np.ones(DIM), "Paris": np.zeros(DIM)}
    model = small(embedding_init=vectors).fit(docs, [0, 1])
    assert "los angeles" in model.tokenizer_.vocabulary_
    assert "Paris" not in model.tokenizer_.vocabulary_  # lowercase=True
    model = small(embedding_init=vectors, tokenizer=Tokenizer(lowercase=False))
    model.fit(docs, [0, 1])
    assert "Paris" in model.tokenizer_.vocabulary_


def test_array_for_token_ids():
    ids = np.array([[4, 5, 6, 0], [7, 5, 0, 0], [4, 8, 9, 5]])
    init = RNG.normal(size=(12, DIM))
    model = small(RNNRegressor, input_type="tokens", embedding_init=init)
    model.set_params(freeze_embedding=True).fit(ids, [0.0, 1.0, 2.0])
    # The row count is the vocabulary size; every row is the array's.
    assert model.vocabulary_size_ == 12
    assert_array_equal(table(model), init.astype(np.float32))
    model.predict([[11, 10]])
    with pytest.raises(ValueError, match="the rows of the embedding_init array"):
        model.predict([[12]])
    with pytest.raises(
        ValueError, match=r"embedding_init has 12 rows.*vocabulary_size=20"
    ):
        clone(model).set_params(vocabulary_size=20).fit(ids, [0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match="Token ids out of range"):
        clone(model).set_params(embedding_init=init[:8]).fit(ids, [0.0, 1.0, 2.0])


@pytest.mark.parametrize(
    "X, params, match",
    [
        (DOCS, {"embedding_init": {"good": np.ones(3)}}, "length 3.*embedding_dim=4"),
        (DOCS, {"embedding_init": np.ones((20, DIM))}, "X is text, but embedding_init"),
        ([[4, 5]], {"embedding_init": VECTORS, "input_type": "tokens"}, "token ids"),
        ([[4, 5]], {"embedding_init": np.ones((9, 3)), "input_type": "tokens"},
         "length 3.*embedding_dim=4"),
        (np.ones((6, 3)), {"embedding_init": VECTORS}, "numeric series"),
    ],
)  # fmt: skip
def test_errors(X, params, match):
    with pytest.raises(ValueError, match=match):
        small(**params).fit(X, LABELS[: len(X)])


def test_file_errors(tmp_path):
    path = tmp_path / "bad.txt"
    write_word2vec(path, {"good": np.ones(DIM)})
    with pytest.raises(ValueError, match=r"length 4 .*header.*embedding_dim=3"):
        small(embedding_init=path, embedding_dim=3).fit(DOCS, LABELS)
    write_glove(path, {"good": np.ones(DIM)})
    with pytest.raises(ValueError, match=r"length 4 .*line 1.*embedding_dim=8"):
        small(embedding_init=path, embedding_dim=8).fit(DOCS, LABELS)
    path.write_text("good 1 2 3 4\nbad 1 2 x 4\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"Line 2 .* does not end with 4 numbers"):
        small(embedding_init=path).fit(DOCS, LABELS)


@pytest.mark.parametrize(
    "optimizer, params",
    [("adam", {}), ("sgd", {"momentum": 0.9}), ("rmsprop", {})],
)
def test_frozen_table_stays_bit_identical(optimizer, params):
    common = {"optimizer": optimizer, "alpha": 0.1, "max_iter": 5, **params}
    model = small(embedding_init=VECTORS, freeze_embedding=True, **common)
    start = small(embedding_init=VECTORS, freeze_embedding=True, max_iter=1)
    start.set_params(learning_rate_init=1e-30).fit(DOCS, LABELS)
    model.fit(DOCS, LABELS)
    assert_array_equal(table(model), table(start))
    n_table = table(model).size
    # The rest trained.
    assert not np.array_equal(
        model._network.theta[n_table:], start._network.theta[n_table:]
    )
    # Trained after the freeze: warm start and partial_fit keep it fixed,
    # although the optimizer has moments for the table from before.
    free = small(embedding_init=VECTORS, **common).fit(DOCS, LABELS)
    trained = table(free).copy()
    free.set_params(freeze_embedding=True, warm_start=True).fit(DOCS, LABELS)
    assert_array_equal(table(free), trained)
    free.partial_fit(DOCS, LABELS)
    assert_array_equal(table(free), trained)
    # Unfrozen again, it trains.
    free.set_params(freeze_embedding=False).partial_fit(DOCS, LABELS)
    assert not np.array_equal(table(free), trained)


def test_freeze_applies_to_token_ids_and_the_generator():
    gen = small(RNNSequenceGenerator, freeze_embedding=True).fit(["abcabc", "cab"])
    start = small(RNNSequenceGenerator, max_iter=1, learning_rate_init=1e-30)
    assert_array_equal(table(gen), table(start.fit(["abcabc", "cab"])))


def test_warm_start_ignores_a_changed_embedding_init():
    model = small(embedding_init=VECTORS, warm_start=True).fit(DOCS, LABELS)
    vocabulary = dict(model.tokenizer_.vocabulary_)
    before = table(model).copy()
    model.set_params(embedding_init={"good": np.zeros(DIM)}, max_iter=1)
    model.fit(DOCS, LABELS)
    # The fitted table goes on training; the vocabulary is unchanged.
    assert model.tokenizer_.vocabulary_ == vocabulary
    assert table(model).shape == before.shape
    assert not np.array_equal(table(model)[vocabulary["good"]], np.zeros(DIM))


def test_gradients_with_a_frozen_table():
    model = small(embedding_init=VECTORS, freeze_embedding=True, alpha=0.01)
    model.fit(DOCS, LABELS)
    assert check_gradients(model, DOCS[:3], LABELS[:3]) < 1e-6


def test_pickle_keeps_only_the_table(tmp_path):
    path = tmp_path / "glove.txt"
    write_glove(path, VECTORS)
    model = small(embedding_init=str(path)).fit(DOCS, LABELS)
    path.unlink()  # the file is not needed any more
    loaded = pickle.loads(pickle.dumps(model))
    assert_array_equal(loaded.predict_proba(DOCS), model.predict_proba(DOCS))
    assert b"superb" in pickle.dumps(model.tokenizer_)  # the vocabulary's word
    assert pickle.dumps(model).count(repr(float(VECTORS["good"][0])).encode()) == 0
