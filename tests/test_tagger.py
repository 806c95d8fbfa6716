"""RNNSequenceTagger: learning, numerics against numpy, and the sklearn contract.

scikit-learn's check suite sends one label per sample, which a tagger cannot
take (API.md), so the tagger is not in tests/test_common.py; the tests
below cover what the suite would, with per-step targets, and call every
check that needs no targets one by one.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.utils import estimator_checks

from skrnn import RNNSequenceTagger
from skrnn.utils import check_gradients
from tests.reference import cell_forward, dense_forward, log_softmax

CELLS = ["rnn", "lstm", "gru"]


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def sign_task(n, T, seed=0, dtype=np.float32):
    """Series and, at each step, whether it has the sign of the step before
    (a label that needs one step of memory; step 0 is labelled 0)."""
    X = np.random.default_rng(seed).standard_normal((n, T)).astype(dtype)
    y = np.zeros((n, T), dtype=np.int64)
    y[:, 1:] = X[:, 1:] * X[:, :-1] > 0
    return X, y


def ragged_task(lengths, seed=0):
    """Ragged series of 2 channels labelled "up"/"down": whether channel 0
    rose since the step before ("down" at the first step)."""
    rng = np.random.default_rng(seed)
    X, y = [], []
    for n in lengths:
        x = rng.standard_normal((n, 2))
        X.append(x)
        y.append(np.where(np.r_[False, np.diff(x[:, 0]) > 0], "up", "down"))
    return X, y


def small_tagger(**params):
    return RNNSequenceTagger(
        **{"hidden_size": 8, "max_iter": 5, "random_state": 0, **params}
    )


# ----------------------------------------------------------------- learning
def test_tagger_learns_a_task_that_needs_memory():
    X, y = sign_task(300, 20)
    tagger = RNNSequenceTagger(hidden_size=32, max_iter=100, random_state=0)
    tagger.fit(X[:200], y[:200])
    assert tagger.score(X[200:], y[200:]) >= 0.95
    assert_array_equal(tagger.classes_, [0, 1])


def test_tagger_bidirectional_reads_the_steps_after():
    # The label of a step is the sign of the next one: only a network that
    # reads backwards can know it (a unidirectional one is at chance).
    rng = np.random.default_rng(1)
    X = rng.standard_normal((300, 15)).astype(np.float32)
    y = np.zeros((300, 15), dtype=np.int64)
    y[:, :-1] = X[:, 1:] > 0
    params = {"hidden_size": 16, "max_iter": 60, "random_state": 0}
    bi = RNNSequenceTagger(bidirectional=True, **params).fit(X[:200], y[:200])
    uni = RNNSequenceTagger(**params).fit(X[:200], y[:200])
    assert bi.score(X[200:], y[200:]) >= 0.95
    assert uni.score(X[200:], y[200:]) < 0.75


def test_tagger_words_tags_that_need_context():
    # "can" is a noun after "the", a verb after "we": a word tagger must
    # read the word before (pre-tokenized sentences of equal length).
    X = [["the", "can", "is", "red"], ["we", "can", "go", "home"]] * 30
    y = [["DET", "NOUN", "VERB", "ADJ"], ["PRON", "AUX", "VERB", "NOUN"]] * 30
    tagger = RNNSequenceTagger(hidden_size=16, random_state=0).fit(X, y)
    predicted = tagger.predict(
        [["we", "can", "go", "home"], ["the", "can", "is", "red"]]
    )
    assert predicted[0].tolist() == ["PRON", "AUX", "VERB", "NOUN"]
    assert predicted[1].tolist() == ["DET", "NOUN", "VERB", "ADJ"]


def test_tagger_truncated_bptt_learns_in_lanes():
    X, y = sign_task(8, 400, seed=2)
    tagger = RNNSequenceTagger(
        hidden_size=16, bptt_steps=20, batch_size=8, max_iter=60, random_state=0
    ).fit(X[:6], y[:6])
    assert tagger.score(X[6:], y[6:]) >= 0.95
    with pytest.raises(ValueError, match="bidirectional"):
        RNNSequenceTagger(bptt_steps=5, bidirectional=True).fit(X, y)


# ---------------------------------------------------- numerics against numpy
def reference_step_log_proba(tagger, x):
    """log p(label | x) at every step of one sample (T, F), in numpy."""
    p = {k: v.astype(np.float64) for k, v in tagger._network.params.items()}
    H = tagger.hidden_size
    layer_input = x[None].astype(np.float64)
    lengths = np.array([x.shape[0]])
    for layer in range(tagger.n_layers):
        outputs = []
        for direction in range(2 if tagger.bidirectional else 1):
            prefix = f"layer{layer}.dir{direction}."
            params = {k[len(prefix) :]: v for k, v in p.items() if k.startswith(prefix)}
            run = layer_input if direction == 0 else layer_input[:, ::-1]
            hs, _ = cell_forward(
                tagger.cell, run, lengths, params, np.zeros((1, H)), np.zeros((1, H))
            )
            outputs.append(hs if direction == 0 else hs[:, ::-1])
        layer_input = np.concatenate(outputs, axis=2)
    logits = dense_forward(layer_input[0], p["head.W"], p["head.b"])
    return log_softmax(logits)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("bidirectional, n_layers", [(False, 1), (True, 2)])
def test_tagger_predict_proba_matches_numpy(cell, bidirectional, n_layers):
    X, y = ragged_task([7, 3, 12, 1, 5])
    tagger = small_tagger(
        cell=cell, bidirectional=bidirectional, n_layers=n_layers
    ).fit(X, y)
    proba = tagger.predict_proba(X)
    log_proba = tagger.predict_log_proba(X)
    predicted = tagger.predict(X)
    assert [p.shape for p in proba] == [(len(x), 2) for x in X]
    for x, p, log_p, labels in zip(X, proba, log_proba, predicted):
        expected = reference_step_log_proba(tagger, x)
        assert_allclose(log_p, expected, rtol=1e-10, atol=1e-12)
        assert_allclose(p, np.exp(expected), rtol=1e-10, atol=1e-12)
        assert_array_equal(labels, tagger.classes_[np.argmax(expected, axis=1)])


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("bidirectional, n_layers", [(False, 2), (True, 1), (True, 2)])
def test_tagger_gradients_match_finite_differences(cell, bidirectional, n_layers):
    X, y = ragged_task([5, 2, 4])
    tagger = small_tagger(
        cell=cell, bidirectional=bidirectional, n_layers=n_layers, hidden_size=3,
        class_weight={"up": 3.0}, max_iter=2,
    ).fit(X, y)  # fmt: skip
    assert check_gradients(tagger, X, y) < 1e-6


def test_tagger_gradients_with_token_input():
    X = np.array([[4, 5, 6, 0], [6, 4, 0, 0], [5, 5, 5, 4]])
    y = [[0, 1, 1], [1, 0], [0, 0, 1, 1]]
    tagger = small_tagger(input_type="tokens", hidden_size=3, embedding_dim=2)
    tagger.fit(X, y)
    assert check_gradients(tagger, X, y) < 1e-6


# --------------------------------------------------------------- weights
def test_tagger_sample_weight_two_is_the_sequence_repeated():
    X, y = ragged_task([6, 4, 9, 3, 7, 5, 8], seed=3)
    weights = np.array([1, 2, 1, 2, 1, 1, 2], dtype=np.float64)
    repeated = np.repeat(np.arange(7), weights.astype(int))
    params = {"shuffle": False, "max_iter": 20}
    weighted = small_tagger(**params).fit(X, y, sample_weight=weights)
    expanded = small_tagger(**params).fit(
        [X[i] for i in repeated], [y[i] for i in repeated]
    )
    for a, b in zip(weighted.predict_proba(X), expanded.predict_proba(X)):
        assert_allclose(a, b, rtol=1e-7)


def test_tagger_zero_weight_sequences_do_not_count():
    X, y = ragged_task([6, 4, 9, 3], seed=4)
    noise = [np.random.default_rng(9).standard_normal((5, 2)) for _ in range(3)]
    flipped = [
        np.where(np.r_[False, np.diff(x[:, 0]) > 0], "down", "up") for x in noise
    ]
    params = {"shuffle": False, "max_iter": 10, "batch_size": 7}
    with_zeros = small_tagger(**params).fit(
        X + noise, y + flipped, sample_weight=[1, 1, 1, 1, 0, 0, 0]
    )
    without = small_tagger(**params).fit(X, y)
    for a, b in zip(with_zeros.predict_proba(X), without.predict_proba(X)):
        assert_allclose(a, b, rtol=1e-6)


def test_tagger_class_weight_balanced_counts_steps():
    X, y = sign_task(40, 10, seed=5)
    y[:, :] = 0
    y[:, 3] = 1  # class 1 on one step in ten
    tagger = small_tagger(class_weight="balanced", max_iter=1).fit(X, y)
    data = tagger._training_data(X, y, None, reset=False)
    n_steps = y.size
    assert_allclose(data.sample_weight[0, 3], n_steps / (2 * 40))
    assert_allclose(data.sample_weight[0, 0], n_steps / (2 * (n_steps - 40)))
    with pytest.raises(ValueError, match="'balanced' is not supported for partial"):
        small_tagger(class_weight="balanced").partial_fit(X, y, classes=[0, 1])


# ------------------------------------------------------------- y handling
def test_tagger_labels_of_any_type_and_2d_y():
    X, y = sign_task(30, 6, seed=6)
    names = np.array(["same", "flip"])[1 - y]
    a = small_tagger().fit(X, y)
    b = small_tagger().fit(X, names)  # a 2-D array of str
    c = small_tagger().fit(X, [list(row) for row in names])  # list of lists
    assert_array_equal(b.classes_, ["flip", "same"])
    for pa, pb, pc in zip(a.predict_proba(X), b.predict_proba(X), c.predict_proba(X)):
        # "flip" (0) and "same" (1) sort as 0 and 1: the same encoded model.
        assert_array_equal(pa, pb)
        assert_array_equal(pb, pc)


def test_tagger_token_ids_padded_with_a_2d_y():
    X = np.array([[4, 5, 6, 0], [6, 4, 0, 0]])
    y = np.array([[0, 1, 1, 7], [1, 0, 7, 7]])  # past each length: ignored
    tagger = small_tagger(input_type="tokens").fit(X, y)
    assert_array_equal(tagger.classes_, [0, 1])
    assert [p.shape[0] for p in tagger.predict(X)] == [3, 2]


def test_tagger_rejects_bad_targets():
    X, y = ragged_task([4, 3])
    tagger = small_tagger()
    with pytest.raises(
        ValueError, match=r"Sample 1 has 3 step\(s\) but y\[1\] holds 2"
    ):
        tagger.fit(X, [y[0], y[1][:2]])
    with pytest.raises(ValueError, match="y holds 1 label sequences, but X holds 2"):
        tagger.fit(X, [y[0]])
    with pytest.raises(ValueError, match=r"y\[0\] must be a sequence of labels"):
        tagger.fit(X, ["up", "down"])
    with pytest.raises(ValueError, match="requires y to be passed"):
        tagger.fit(X, None)
    Xa, ya = sign_task(5, 4)
    with pytest.raises(ValueError, match="2-D array of 3 columns, but X has 4"):
        tagger.fit(Xa, ya[:, :3])
    with pytest.raises(ValueError, match="Unknown label type"):
        tagger.fit(Xa, ya + 0.5)
    # Strings mixed with numbers or None, within or across sequences:
    # numpy would silently read ["A", 1] as strings.
    with pytest.raises(ValueError, match=r"Mix of label input types .* y\[0\]"):
        tagger.fit(X, [["up", None, "up", "up"], ["up"] * 3])
    with pytest.raises(ValueError, match=r"Mix of label input types .* y\[1\]"):
        tagger.fit(X, [["up"] * 4, ["up", 1, "up"]])
    with pytest.raises(ValueError, match=r"Mix of label input types .* across"):
        tagger.fit(X, [["up"] * 4, [1, 0, 1]])
    with pytest.raises(ValueError, match="classes must be passed"):
        small_tagger().partial_fit(Xa, ya)
    fitted = small_tagger().partial_fit(Xa, ya, classes=[0, 1])
    with pytest.raises(ValueError, match=r"labels \[2\] not seen"):
        fitted.partial_fit(Xa, ya * 2)


def test_tagger_partial_fit_continues_training():
    X, y = sign_task(64, 12, seed=7)
    tagger = RNNSequenceTagger(hidden_size=16, learning_rate_init=0.01, random_state=0)
    tagger.partial_fit(X, y, classes=[0, 1])
    first = tagger.loss_curve_[-1]
    for _ in range(30):
        tagger.partial_fit(X, y)
    assert tagger.n_iter_ == 31
    assert tagger.loss_curve_[-1] < 0.5 * first


def test_tagger_early_stopping_scores_held_out_steps():
    X, y = sign_task(100, 10, seed=8)
    tagger = small_tagger(early_stopping=True, max_iter=15).fit(X, y)
    assert len(tagger.validation_scores_) == tagger.n_iter_
    assert 0 <= tagger.best_validation_score_ <= 1
    assert tagger.best_validation_score_ == max(tagger.validation_scores_)


# ------------------------------------------- the sklearn contract, by hand
@pytest.mark.parametrize(
    "check",
    [
        "check_estimator_cloneable",
        "check_estimator_repr",
        "check_estimator_tags_renamed",
        "check_valid_tag_types",
        "check_mixin_order",
        "check_no_attributes_set_in_init",
        "check_parameters_default_constructible",
        "check_get_params_invariance",
        "check_set_params",
        "check_do_not_raise_errors_in_init_or_set_params",
        "check_param_validation",
        "check_estimators_unfitted",
        "check_estimators_empty_data_messages",
        "check_complex_data",
        "check_estimator_sparse_array",
        "check_estimator_sparse_matrix",
        "check_estimator_sparse_tag",
        "check_fit1d",
        "check_requires_y_none",
    ],
)
def test_tagger_sklearn_checks_that_need_no_targets(check):
    getattr(estimator_checks, check)("RNNSequenceTagger", small_tagger())


def test_tagger_clone_params_and_pickle():
    X, y = ragged_task([5, 8, 3])
    tagger = small_tagger(cell="gru", bidirectional=True).fit(X, y)
    twin = clone(tagger)
    assert twin.get_params() == tagger.get_params()
    assert not hasattr(twin, "classes_")
    assert tagger.set_params(hidden_size=4) is tagger and tagger.hidden_size == 4
    tagger.set_params(hidden_size=8)
    loaded = pickle.loads(pickle.dumps(tagger))
    for a, b in zip(tagger.predict_proba(X), loaded.predict_proba(X)):
        assert_array_equal(a, b)
    with pytest.raises(NotFittedError):
        twin.predict(X)


def test_tagger_fit_is_idempotent_and_deterministic():
    X, y = ragged_task([5, 8, 3, 6])
    tagger = small_tagger(dropout=0.2, n_layers=2)
    first = [p.copy() for p in tagger.fit(X, y).predict_proba(X)]
    second = tagger.fit(X, y).predict_proba(X)
    other = small_tagger(dropout=0.2, n_layers=2).fit(X, y).predict_proba(X)
    for a, b, c in zip(first, second, other):
        assert_array_equal(a, b)
        assert_array_equal(a, c)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_tagger_predictions_do_not_depend_on_companions(bidirectional):
    # Subset and sample-order invariance, bit for bit.
    X, y = ragged_task([5, 8, 3, 6, 1, 9])
    tagger = small_tagger(bidirectional=bidirectional).fit(X, y)
    together = tagger.predict_proba(X)
    order = [4, 2, 0, 5, 1, 3]
    permuted = tagger.predict_proba([X[i] for i in order])
    for k, i in enumerate(order):
        assert_array_equal(permuted[k], together[i])
        assert_array_equal(tagger.predict_proba([X[i]])[0], together[i])


def test_tagger_dataframe_features_and_width():
    pd = pytest.importorskip("pandas")
    X, y = sign_task(20, 5)
    frame = pd.DataFrame(X, columns=[f"t{k}" for k in range(5)])
    tagger = small_tagger().fit(frame, pd.DataFrame(y))  # y as a frame too
    assert tagger.n_features_in_ == 5
    assert_array_equal(tagger.predict(frame)[0], small_tagger().fit(X, y).predict(X)[0])
    assert_array_equal(tagger.feature_names_in_, frame.columns)
    with pytest.raises(ValueError, match="features"):
        tagger.predict(X[:, :4])
    # Other lengths go through a list of arrays.
    assert tagger.predict([X[0, :3]])[0].shape == (3,)


def test_tagger_refuses_nan_and_inf():
    X, y = sign_task(10, 4)
    for bad in (np.nan, np.inf):
        Xb = X.copy()
        Xb[2, 1] = bad
        with pytest.raises(ValueError, match=r"NaN|infinity"):
            small_tagger().fit(Xb, y)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tagger_dtype_follows_x_and_memmaps_work(dtype, tmp_path):
    X, y = sign_task(12, 5, dtype=dtype)
    path = tmp_path / "x.npy"
    np.save(path, X)
    X_mm = np.load(path, mmap_mode="r")  # read-only
    tagger = small_tagger().fit(X_mm, y)
    assert tagger.predict_proba(X_mm)[0].dtype == dtype
    assert_array_equal(tagger.predict(X_mm)[3], tagger.predict(X)[3])


def test_tagger_grid_search_with_default_and_custom_scoring():
    X, y = sign_task(60, 8, seed=9)

    def macro_recall(estimator, X, y):
        predicted = np.concatenate(estimator.predict(X))
        truth = np.concatenate(list(y))
        return np.mean([np.mean(predicted[truth == c] == c) for c in (0, 1)])

    for scoring in (None, macro_recall):
        search = GridSearchCV(
            small_tagger(max_iter=60, learning_rate_init=0.01),
            {"hidden_size": [1, 16]}, cv=3,
            scoring=scoring,
        ).fit(X, y)  # fmt: skip
        assert search.best_params_ == {"hidden_size": 16}
        assert search.score(X, y) > 0.9


def test_tagger_predicts_in_batches_bounded_by_steps(monkeypatch):
    from skrnn import _tagger

    X, y = ragged_task([30, 5, 12, 40, 2, 7])
    tagger = small_tagger(bidirectional=True).fit(X, y)
    whole = tagger.predict_proba(X)
    monkeypatch.setattr(_tagger, "_PREDICT_CELLS", 35)  # 1 to 3 rows a batch
    for a, b in zip(whole, tagger.predict_proba(X)):
        assert_array_equal(a, b)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_tagger_transform_gives_the_states_the_head_reads(bidirectional):
    X, y = ragged_task([5, 8, 3])
    tagger = small_tagger(bidirectional=bidirectional).fit(X, y)
    states = tagger.transform(X)
    D = tagger.hidden_size * (2 if bidirectional else 1)
    assert [s.shape for s in states] == [(5, D), (8, D), (3, D)]
    assert len(tagger.get_feature_names_out()) == D
    for s, log_p in zip(states, tagger.predict_log_proba(X)):
        p = tagger._network.params
        logits = s.astype(np.float64) @ p["head.W"] + p["head.b"]
        assert_allclose(log_softmax(logits), log_p, rtol=1e-10, atol=1e-12)
    # A list of per-step arrays, which no DataFrame output can hold.
    assert not hasattr(tagger, "set_output")


def test_predict_batches_cover_every_row_once_longest_first():
    from skrnn._base import predict_batches

    lengths = np.array([3, 9, 1, 9, 4, 7, 2])
    values = np.arange(7)[:, None] * 100 + np.arange(9)[None, :]
    seen = []
    for rows, batch, batch_lengths in predict_batches(values, lengths, max_cells=20):
        index = np.arange(7)[rows]
        assert batch.shape == (len(index), batch_lengths.max())
        assert batch.size <= 20 or len(index) == 1
        assert_array_equal(batch, values[index, : batch.shape[1]])
        seen += index.tolist()
    # Longest first, ties in their order: padding stays small.
    assert seen == [1, 3, 5, 4, 0, 6, 2]
    # Equal lengths: consecutive slices (views of the input), in order.
    [(rows, batch, _)] = predict_batches(values, np.full(7, 9))
    assert rows == slice(0, 7) and np.shares_memory(batch, values)


def test_tagger_ragged_pre_tokenized_sentences():
    # Sentences of different lengths, as lists of tokens; case folded by
    # the default Tokenizer; a word unseen at fit is the OOV token.
    X = [["The", "dog", "runs"], ["a", "dog"], ["the", "cat", "sat", "down"]] * 20
    y = [["D", "N", "V"], ["D", "N"], ["D", "N", "V", "P"]] * 20
    tagger = RNNSequenceTagger(hidden_size=16, random_state=0).fit(X, y)
    assert "the" in tagger.tokenizer_.vocabulary_
    assert "The" not in tagger.tokenizer_.vocabulary_
    predicted = tagger.predict([["THE", "cat", "runs"], ["a", "zebra"], []])
    assert [p.tolist() for p in predicted[:2]] == [["D", "N", "V"], ["D", "N"]]
    assert predicted[2].shape == (1,)  # no token: one OOV token, one label
    with pytest.raises(ValueError, match=r"Sample 0 has 3 step\(s\)"):
        tagger.fit([["a", "b", "c"]], [["D", "N"]])


def test_tagger_embedding_init_and_freeze():
    X = np.array([[4, 5, 6, 0], [6, 4, 5, 5]])
    y = [[0, 1, 1], [1, 0, 0, 1]]
    table = np.random.default_rng(0).standard_normal((7, 3)).astype(np.float32)
    tagger = small_tagger(
        input_type="tokens", embedding_dim=3, embedding_init=table,
        freeze_embedding=True, max_iter=3,
    ).fit(X, y)  # fmt: skip
    assert tagger.vocabulary_size_ == 7
    assert_array_equal(tagger._network.params["embedding.W"][4:], table[4:])


def test_make_step_scorer_scores_concatenated_steps():
    from sklearn.metrics import accuracy_score, f1_score, log_loss
    from sklearn.model_selection import cross_val_score

    from skrnn.utils import make_step_scorer

    X, y = ragged_task([5, 8, 3, 6, 4, 7], seed=11)
    tagger = small_tagger(max_iter=10).fit(X, y)
    truth = np.concatenate(y)
    predicted = np.concatenate(tagger.predict(X))
    macro = make_step_scorer(f1_score, average="macro")
    assert macro(tagger, X, y) == f1_score(truth, predicted, average="macro")
    accuracy = make_step_scorer(accuracy_score)
    assert accuracy(tagger, X, y) == pytest.approx(tagger.score(X, y))
    # Negated losses on probabilities; a sequence's weight on each step.
    nll = make_step_scorer(
        log_loss, greater_is_better=False, response_method="predict_proba"
    )
    proba = np.concatenate(tagger.predict_proba(X))
    assert nll(tagger, X, y) == -log_loss(truth, proba, labels=tagger.classes_)
    w = np.arange(1.0, 7.0)
    weighted = accuracy(tagger, X, y, sample_weight=w)
    steps = np.repeat(w, [len(s) for s in y])
    assert weighted == accuracy_score(truth, predicted, sample_weight=steps)
    # In cross-validation, and a 2-D y of padded token ids.
    scores = cross_val_score(small_tagger(max_iter=5), X, y, cv=2, scoring=macro)
    assert np.all(np.isfinite(scores))
    ids = np.array([[4, 5, 6, 0], [6, 4, 0, 0]])
    y_ids = np.array([[0, 1, 1, 7], [1, 0, 7, 7]])
    token_tagger = small_tagger(input_type="tokens").fit(ids, y_ids)
    assert accuracy(token_tagger, ids, y_ids) == token_tagger.score(ids, y_ids)
    match = r"Sample 1 has 8 step\(s\) but y\[1\] holds 2"
    with pytest.raises(ValueError, match=match):
        accuracy(tagger, X, [y[0], y[1][:2], *y[2:]])
    assert repr(macro) == (
        "make_step_scorer(f1_score, response_method='predict', average='macro')"
    )
