"""Tests of the numeric input kinds (API.md, "What X may be") and their errors.

Every kind goes through the estimators' public methods: 2-D arrays (and what
``check_array`` makes one: rectangular lists of lists, 2-D object arrays of
floats, DataFrames), 3-D arrays with channels, and ragged lists of arrays or of
lists of numbers. Bad input must fail with a clear ``ValueError`` (sklearn's
wording where sklearn has one) before any kernel runs: the ``no_kernels``
fixture makes :meth:`RNNNetwork.forward`, the only way into the kernels, fail
the test if it is reached.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import io

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from skrnn import RNNClassifier, RNNRegressor
from skrnn._network import RNNNetwork

# The fits here are two epochs long on purpose.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

ESTIMATORS = (RNNClassifier, RNNRegressor)


def make_estimator(Estimator=RNNRegressor, **params):
    return Estimator(hidden_size=3, max_iter=2, random_state=0, **params)


def targets(Estimator, n):
    if Estimator is RNNClassifier:
        return np.arange(n) % 2
    return np.linspace(-1.0, 1.0, n)


def predictions(estimator, X):
    if isinstance(estimator, RNNClassifier):
        return estimator.predict_proba(X)
    return estimator.predict(X)


def forbid_kernels(monkeypatch):
    """Make any forward pass (hence any kernel call) fail the test."""

    def forbidden(*args, **kwargs):
        raise AssertionError("a kernel ran on invalid input")

    monkeypatch.setattr(RNNNetwork, "forward", forbidden)


@pytest.fixture
def no_kernels(monkeypatch):
    forbid_kernels(monkeypatch)


@pytest.fixture
def X2d():
    return np.random.RandomState(0).normal(size=(10, 6))


@pytest.fixture
def X3d():
    return np.random.RandomState(1).normal(size=(10, 6, 2))


def ragged(n_channels=None, lengths=(3, 6, 8, 1, 5, 2), seed=2, dtype=np.float64):
    """Sequences of the given lengths, ``(T_i,)`` or ``(T_i, n_channels)``."""
    rng = np.random.RandomState(seed)
    shape = () if n_channels is None else (n_channels,)
    return [rng.normal(size=(L, *shape)).astype(dtype) for L in lengths]


# ------------------------------------------------------------------ 2-D input
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_sequences_2d_sets_features_and_one_channel(Estimator, X2d):
    est = make_estimator(Estimator).fit(X2d, targets(Estimator, 10))
    assert est.n_features_in_ == 6
    assert est.n_channels_in_ == 1
    assert est._network.n_inputs == 1
    assert predictions(est, X2d).shape[0] == 10


def test_sequences_2d_wrong_n_timesteps_gives_sklearn_error(X2d, monkeypatch):
    est = make_estimator().fit(X2d, targets(RNNRegressor, 10))
    forbid_kernels(monkeypatch)
    with pytest.raises(
        ValueError,
        match="X has 4 features, but RNNRegressor is expecting 6 features as input",
    ):
        est.predict(X2d[:, :4])


def test_sequences_rectangular_list_of_lists_is_2d(X2d):
    y = targets(RNNRegressor, 10)
    as_lists = make_estimator().fit(X2d.tolist(), y)
    as_array = make_estimator().fit(X2d, y)
    assert as_lists.n_features_in_ == 6
    assert as_lists.n_channels_in_ == 1
    np.testing.assert_array_equal(as_lists._network.theta, as_array._network.theta)
    np.testing.assert_array_equal(as_lists.predict(X2d.tolist()), as_array.predict(X2d))


def test_sequences_2d_object_array_of_floats_is_numeric(X2d):
    y = targets(RNNRegressor, 10)
    as_object = make_estimator().fit(X2d.astype(object), y)
    as_float = make_estimator().fit(X2d, y)
    assert as_object.n_features_in_ == 6
    assert as_object._network.dtype == np.float64
    np.testing.assert_array_equal(as_object._network.theta, as_float._network.theta)
    np.testing.assert_array_equal(
        as_object.predict(X2d.astype(object)), as_float.predict(X2d)
    )


def test_sequences_dataframe_sets_feature_names(X2d):
    df = pd.DataFrame(X2d, columns=[f"t{k}" for k in range(6)])
    est = make_estimator().fit(df, targets(RNNRegressor, 10))
    assert est.n_features_in_ == 6
    np.testing.assert_array_equal(est.feature_names_in_, df.columns)
    as_array = make_estimator().fit(X2d, targets(RNNRegressor, 10))
    np.testing.assert_array_equal(est.predict(df), as_array.predict(X2d))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sequences_plain_arrays_predict_as_through_validate_data(X2d, X3d, dtype):
    # predict reads a plain float ndarray without validate_data's generic
    # checks: the same predictions as the same values in a form that goes
    # through it (nested lists), and validate_data's warning when the model
    # was fitted on feature names.
    for X in (X2d.astype(dtype), X3d.astype(dtype)):
        for Estimator in ESTIMATORS:
            est = make_estimator(Estimator).fit(X, targets(Estimator, 10))
            np.testing.assert_array_equal(
                predictions(est, X), predictions(est, X.tolist())
            )
    df = pd.DataFrame(X2d, columns=[f"t{k}" for k in range(6)])
    est = make_estimator().fit(df, targets(RNNRegressor, 10))
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        est.predict(X2d)


def test_sequences_plain_token_arrays_predict_as_through_check_array():
    ids = np.random.RandomState(3).randint(0, 9, size=(10, 5))
    for dtype in (np.int64, np.int32, np.uint8):
        X = ids.astype(dtype)
        est = make_estimator(RNNClassifier, input_type="tokens").fit(
            X, np.arange(10) % 2
        )
        np.testing.assert_array_equal(
            est.predict_proba(X), est.predict_proba(X.tolist())
        )
    with pytest.raises(ValueError, match="non-negative"):
        est.predict_proba(-X.astype(np.int64))


# ------------------------------------------------------------------ 3-D input
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_sequences_3d_keeps_channels(Estimator, X3d):
    est = make_estimator(Estimator).fit(X3d, targets(Estimator, 10))
    assert est.n_features_in_ == 6
    assert est.n_channels_in_ == 2
    assert est._network.n_inputs == 2
    assert predictions(est, X3d).shape[0] == 10


@pytest.mark.parametrize("n_channels", [1, 3])
def test_sequences_3d_channel_mismatch_names_channels(X3d, n_channels, monkeypatch):
    est = make_estimator().fit(X3d, targets(RNNRegressor, 10))
    forbid_kernels(monkeypatch)
    X_bad = np.random.RandomState(3).normal(size=(4, 6, n_channels))
    match = (
        f"X has {n_channels} channels, but RNNRegressor is expecting 2 channels as "
        "input"
    )
    with pytest.raises(ValueError, match=match):
        est.predict(X_bad)
    with pytest.raises(ValueError, match=match):
        est.predict(list(X_bad))


def test_sequences_3d_wrong_n_timesteps_gives_sklearn_error(X3d, monkeypatch):
    est = make_estimator().fit(X3d, targets(RNNRegressor, 10))
    forbid_kernels(monkeypatch)
    with pytest.raises(
        ValueError,
        match="X has 4 features, but RNNRegressor is expecting 6 features as input",
    ):
        est.predict(X3d[:, :4])


def test_sequences_2d_predict_on_3d_fit_names_channels(X3d, monkeypatch):
    est = make_estimator().fit(X3d, targets(RNNRegressor, 10))
    forbid_kernels(monkeypatch)
    with pytest.raises(ValueError, match=r"X has 1 channels, but .* expecting 2"):
        est.predict(X3d[:, :, 0])


# --------------------------------------------------------------- ragged input
@pytest.mark.parametrize("n_channels", [None, 2])
def test_sequences_ragged_arrays_have_no_n_features_in(n_channels):
    X = ragged(n_channels)
    est = make_estimator().fit(X, targets(RNNRegressor, len(X)))
    assert not hasattr(est, "n_features_in_")
    assert est.n_channels_in_ == (n_channels or 1)
    assert est.predict(X).shape == (len(X),)


def test_sequences_ragged_lists_of_numbers():
    X = [[0.5, 1.0, -1.0], [2.0, 0.0], [1.0], [0.1, 0.2, 0.3, 0.4]]
    est = make_estimator().fit(X, targets(RNNRegressor, 4))
    assert not hasattr(est, "n_features_in_")
    assert est.n_channels_in_ == 1
    as_arrays = make_estimator().fit([np.array(s) for s in X], targets(RNNRegressor, 4))
    np.testing.assert_array_equal(est.predict(X), as_arrays.predict(X))


def test_sequences_ragged_tuple_is_accepted():
    X = ragged(2)
    est = make_estimator().fit(tuple(X), targets(RNNRegressor, len(X)))
    np.testing.assert_array_equal(est.predict(tuple(X)), est.predict(X))


def test_sequences_refit_on_ragged_forgets_n_features_in(X2d):
    est = make_estimator().fit(X2d, targets(RNNRegressor, 10))
    assert est.n_features_in_ == 6
    X = ragged()
    est.fit(X, targets(RNNRegressor, len(X)))
    assert not hasattr(est, "n_features_in_")


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("n_channels", [None, 2])
def test_sequences_array_fit_predicts_ragged_as_each_alone(
    Estimator, n_channels, X2d, X3d
):
    # Lengths 3, 6, 8 and 1 around the fitted n_timesteps (6).
    X_fit = X2d if n_channels is None else X3d
    est = make_estimator(Estimator, n_layers=2, bidirectional=True)
    est.fit(X_fit, targets(Estimator, 10))
    X = ragged(n_channels, lengths=(3, 6, 8, 1, 5, 6) * 4)
    batch = predictions(est, X)
    assert batch.shape[0] == len(X)
    for i, s in enumerate(X):
        np.testing.assert_array_equal(predictions(est, [s])[0], batch[i])
        if len(s) == 6:
            # The fitted length: the sample as a 2-D / 3-D array of its own.
            np.testing.assert_array_equal(predictions(est, s[None])[0], batch[i])


@pytest.mark.parametrize("n_channels", [None, 2])
def test_sequences_ragged_fit_predicts_arrays_of_any_length(n_channels):
    X = ragged(n_channels, lengths=(3, 6, 8, 1, 5, 2) * 3)
    est = make_estimator(RNNClassifier, bidirectional=True)
    est.fit(X, targets(RNNClassifier, len(X)))
    batch = est.predict_proba(X)
    for i, s in enumerate(X):
        # Each sequence as its own 2-D (1, T_i) or 3-D (1, T_i, C) array.
        np.testing.assert_array_equal(est.predict_proba(s[None])[0], batch[i])


def test_sequences_ragged_padding_does_not_leak():
    X = ragged(lengths=(2, 7))
    est = make_estimator().fit(X, targets(RNNRegressor, 2))
    short = est.predict([X[0]])[0]
    longer_companion = [X[0], np.full(40, 1e3)]
    assert est.predict(longer_companion)[0] == short


# ------------------------------------------------------------------- dtypes
@pytest.mark.parametrize(
    "make_X",
    [
        lambda: np.random.RandomState(0).normal(size=(8, 5)),
        lambda: np.random.RandomState(0).normal(size=(8, 5, 2)),
        lambda: ragged(lengths=(2, 5, 3, 4, 1, 5, 2, 3)),
    ],
    ids=["2d", "3d", "ragged"],
)
def test_sequences_float32_computes_in_float32(make_X):
    X = make_X()
    X32 = (
        [s.astype(np.float32) for s in X]
        if isinstance(X, list)
        else X.astype(np.float32)
    )
    est = make_estimator().fit(X32, targets(RNNRegressor, 8))
    assert est._network.dtype == np.float32
    assert est._network.theta.dtype == np.float32
    pred = est.predict(X32)
    assert pred.dtype == np.float32
    # float64 input to a float32 model is computed in float32 too.
    np.testing.assert_array_equal(est.predict(X), pred)


@pytest.mark.parametrize(
    "X",
    [
        np.random.RandomState(0).normal(size=(8, 5)),
        np.random.RandomState(0).randint(-3, 4, size=(8, 5)),
        np.random.RandomState(0).randint(-3, 4, size=(8, 5, 2)).astype(np.int32),
        [np.arange(L) for L in (2, 5, 3, 4, 1, 5, 2, 3)],
        [np.ones(2, np.float32), np.ones(3, np.float64)] * 4,
    ],
    ids=["float64", "int64", "int32-3d", "ragged-int", "ragged-mixed"],
)
@pytest.mark.filterwarnings("ignore:X is a 2-D array of integers")
def test_sequences_float64_and_int_compute_in_float64(X):
    est = make_estimator().fit(X, targets(RNNRegressor, 8))
    assert est._network.dtype == np.float64
    assert est.predict(X).dtype == np.float64


@pytest.mark.filterwarnings("ignore:X is a 2-D array of integers")
def test_sequences_int_equals_float_of_same_values():
    X = np.random.RandomState(0).randint(-3, 4, size=(8, 5))
    y = targets(RNNRegressor, 8)
    a = make_estimator().fit(X, y)
    b = make_estimator().fit(X.astype(np.float64), y)
    np.testing.assert_array_equal(a.predict(X), b.predict(X.astype(np.float64)))


# ------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "X, match",
    [
        (np.array([[0.0, np.nan, 1.0]] * 4), "Input X contains NaN"),
        (np.full((4, 3, 2), np.inf), "Input X contains infinity"),
        ([np.zeros(3), np.array([1.0, np.nan])] * 2, "sequence 1 of X contains NaN"),
        (
            [np.zeros(3), np.array([1.0, -np.inf])] * 2,
            "Input sequence 1 of X contains infinity",
        ),
        ([np.zeros(3), np.zeros(0), np.zeros(2), np.zeros(1)], "Sequence 1 is empty"),
        ([[1.0, 2.0], [], [1.0], [3.0]], "Sequence 1 is empty"),
        (
            [np.zeros((3, 1)), np.zeros((4, 2)), np.zeros((2, 2)), np.zeros((2, 2))],
            r"different numbers of channels \[1, 2\]",
        ),
        (np.zeros(4), "Expected 2D array, got 1D array instead"),
        ([1.0, 2.0, 3.0, 4.0], "Expected 2D array, got 1D array instead"),
        ("abcd", "string object received"),
        ([np.zeros(3), "abc", np.zeros(3), np.zeros(3)], "mixes strings"),
        (np.zeros((0, 5)), r"Found array with 0 sample\(s\)"),
        (np.zeros((0, 5, 2)), r"Found array with 0 sample\(s\)"),
        (np.zeros((4, 0)), r"Found array with 0 feature\(s\)"),
        (np.zeros((4, 3, 0)), r"Found array with 0 channel\(s\)"),
        (np.zeros((4, 3, 2, 2)), "got 4 dimensions"),
        (
            [np.zeros(3), np.zeros((3, 2, 2)), np.zeros(3), np.zeros(3)],
            r"Sequence 1 has 3 dimensions; each sequence must have shape",
        ),
    ],
    ids=[
        "nan", "inf", "ragged-nan", "ragged-inf", "ragged-empty", "lists-empty",
        "mixed-channels", "1d-array", "1d-list", "string", "ragged-string",
        "0-samples-2d", "0-samples-3d", "0-timesteps", "0-channels", "4d",
        "ragged-3d-sequence",
    ],
)  # fmt: skip
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_sequences_fit_rejects_bad_input(Estimator, X, match, no_kernels):
    est = make_estimator(Estimator)
    with pytest.raises((TypeError, ValueError), match=match):
        est.fit(X, targets(Estimator, 4))
    assert not hasattr(est, "_network")


@pytest.mark.parametrize(
    "X, match",
    [
        (np.array([[0.0, np.nan, 1.0, 0.0, 0.0, 0.0]]), "Input X contains NaN"),
        (np.full((2, 6), -np.inf), "Input X contains infinity"),
        ([np.zeros(3), np.zeros(0)], "Sequence 1 is empty"),
        ([np.zeros((3, 1)), np.zeros((4, 2))], "different numbers of channels"),
        (np.zeros(6), "Expected 2D array, got 1D array instead"),
        ("abcdef", "string object received"),
        (np.zeros((0, 6)), r"Found array with 0 sample\(s\)"),
        (np.zeros((2, 6, 1, 1)), "got 4 dimensions"),
    ],
    ids=["nan", "inf", "empty", "channels", "1d", "string", "0-samples", "4d"],
)
def test_sequences_predict_rejects_bad_input(X2d, X, match, monkeypatch):
    est = make_estimator().fit(X2d, targets(RNNRegressor, 10))
    forbid_kernels(monkeypatch)
    with pytest.raises(ValueError, match=match):
        est.predict(X)


@pytest.mark.parametrize(
    "Estimator, method",
    [
        (RNNClassifier, "predict"),
        (RNNClassifier, "predict_proba"),
        (RNNClassifier, "decision_function"),
        (RNNRegressor, "predict"),
        (RNNRegressor, "score"),
    ],
)
def test_sequences_predict_before_fit_raises_not_fitted(Estimator, method, X2d):
    args = (X2d, targets(Estimator, 10)) if method == "score" else (X2d,)
    with pytest.raises(NotFittedError, match="not fitted yet"):
        getattr(make_estimator(Estimator), method)(*args)


# ------------------------------------------------------ no silent misreads
def _table_with(cell):
    X = np.random.RandomState(0).normal(size=(6, 4)).astype(object)
    X[2, 1] = cell
    return X


def _csv_with_question_mark():
    # pandas reads the column holding "?" as strings: "0.4", "?", ...
    rows = [",".join(f"{v:.3f}" for v in row) for row in _table_with(0.5)]
    rows[2] = rows[2].split(",")[0] + ",?," + ",".join(rows[2].split(",")[2:])
    return pd.read_csv(io.StringIO("a,b,c,d\n" + "\n".join(rows)))


HINT = (
    r"in a table that also holds numbers\. A table that mixes numbers with "
    r"strings or missing values is not read: .*input_type=\"numeric\".*"
    r"pass input_type=\"text\" to read each row as a sequence of symbols"
)


@pytest.mark.parametrize(
    "X, match",
    [
        (_table_with("?"), r"could not convert string to float: '\?': X\[2, 1\] is"),
        (
            pd.DataFrame(_table_with("?"), columns=list("abcd")),
            r"could not convert string to float: '\?': X\[2, 1\] \(column 'b'\)",
        ),
        (_table_with(None), r"Input X contains NaN: X\[2, 1\] is None"),
        (
            pd.DataFrame({"a": pd.array([1, None, 3, 4, 5, 6], dtype="Int64"),
                          "b": np.arange(6.0)}),
            r"Input X contains NaN: X\[1, 0\] \(column 'a'\) is <NA>",
        ),
        (
            pd.DataFrame({"text": ["a b", "c", "d e", "f", "g", "h"],
                          "n": np.arange(6)}),
            r"could not convert string to float: 'a b': X\[0, 0\] \(column 'text'\)",
        ),
        (_csv_with_question_mark(), r"float: '\?': X\[2, 1\] \(column 'b'\) is"),
        (_table_with("?").astype(str), r"float: '\?': X\[2, 1\] is"),
    ],
    ids=[
        "question-mark", "frame-question-mark", "none", "frame-NA", "text-column",
        "csv", "str-array",
    ],
)  # fmt: skip
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_sequences_mixed_tables_are_refused(Estimator, X, match, monkeypatch):
    forbid_kernels(monkeypatch)
    with pytest.raises(ValueError, match=match + ".*" + HINT):
        make_estimator(Estimator).fit(X, targets(Estimator, 6))


def test_sequences_numbers_written_as_strings_are_numbers(X2d):
    # A table of numbers stored as strings (every cell of a CSV column) is
    # numeric, as check_array reads it.
    y = targets(RNNRegressor, 10)
    as_floats = make_estimator().fit(X2d, y)
    as_strings = make_estimator().fit(X2d.astype(str).astype(object), y)
    assert not hasattr(as_strings, "tokenizer_")
    np.testing.assert_allclose(
        as_strings.predict(X2d), as_floats.predict(X2d), rtol=1e-12
    )


def test_sequences_mixed_tables_at_predict_and_with_input_type(X2d, monkeypatch):
    X = _table_with("?")
    est = make_estimator().fit(X2d[:, :4], targets(RNNRegressor, 10))
    with monkeypatch.context() as m:
        forbid_kernels(m)
        with pytest.raises(ValueError, match=r"could not convert .*X\[2, 1\]"):
            est.predict(X)
        # input_type="numeric" gives check_array's own error.
        with pytest.raises(ValueError, match=r"^could not convert string to float"):
            make_estimator(input_type="numeric").fit(X, targets(RNNRegressor, 6))
    # input_type="text" reads the rows as symbols, as asked, without a word.
    symbols = make_estimator(input_type="text").fit(X, targets(RNNRegressor, 6))
    assert symbols.vocabulary_size_ == 4 + 24
    # Other objects among numbers are symbols, with a warning naming a cell.
    X[2, 1] = {"foo": "bar"}
    with pytest.warns(UserWarning, match=r"X\[2, 1\] is a dict\): it is read as"):
        make_estimator().fit(X, targets(RNNRegressor, 6))


@pytest.mark.parametrize("shape", [(3, 4), (3, 4, 2)], ids=["2d", "3d"])
def test_sequences_wrong_length_points_to_lists_of_arrays(shape, monkeypatch):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(10, 6, *shape[2:]))
    est = make_estimator().fit(X, targets(RNNRegressor, 10))
    with monkeypatch.context() as m:
        forbid_kernels(m)
        with pytest.raises(
            ValueError,
            match=r"^X has 4 features, but RNNRegressor is expecting 6 features as "
            r"input\. A 2-D or 3-D array must have the number of time steps seen at "
            r"fit; a list of arrays .* predicts on sequences of any length\.",
        ):
            est.predict(rng.normal(size=shape))
    assert est.predict(list(rng.normal(size=shape))).shape == (3,)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_sequences_negative_sample_weight_is_refused(Estimator, X2d, no_kernels):
    weights = np.ones(10)
    weights[3] = -0.5
    with pytest.raises(ValueError, match="Negative values in data passed to"):
        make_estimator(Estimator).fit(
            X2d, targets(Estimator, 10), sample_weight=weights
        )


def test_sequences_words_that_look_like_numbers_stay_symbols():
    # Rows of words holding a "3" or a "nan" are rows of symbols, not a
    # numeric table with bad cells.
    X = np.array([["the", "3", "cats"], ["nan", "bread", "inf"], ["a", "b", "c"]])
    est = make_estimator().fit(X, targets(RNNRegressor, 3))
    assert {"3", "nan", "inf", "cats"} <= set(est.tokenizer_.vocabulary_)
