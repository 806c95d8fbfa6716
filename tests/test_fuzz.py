"""Property-based tests: malformed and edge-case input at every public entry.

Each call either returns a result of the right shape and dtype that is
finite, or raises a ``ValueError`` / ``TypeError`` whose message names the
problem. Anything else (a Numba typing error, an ``IndexError`` from deep
inside, a ``RuntimeWarning``, a non-finite result) fails.

The hypothesis profile comes from ``SKRNN_HYPOTHESIS_PROFILE`` (see
``tests/conftest.py``): "ci" by default (a few dozen examples per test),
"thorough" for the long run documented in the README.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import traceback
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning

from skrnn import RNNClassifier, RNNRegressor, RNNSequenceGenerator, Tokenizer

TINY = {"hidden_size": 2, "embedding_dim": 2, "max_iter": 1, "random_state": 0}
pytestmark = pytest.mark.filterwarnings(
    # Numerical trouble must surface as an error, never as a warning.
    "error::RuntimeWarning",
    # One epoch of a tiny model does not converge: expected, not a problem.
    "ignore::sklearn.exceptions.ConvergenceWarning",
    # R² of a single sample (sklearn's r2_score warns and returns nan).
    "ignore::sklearn.exceptions.UndefinedMetricWarning",
)
# The function-scoped fixture below is constant across examples.
FIXTURE_OK = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])

# Words that name a problem in X, y or an argument; an error must use one.
PROBLEM_WORDS = (
    "nan", "inf", "sparse", "dimension", "shape", "token id", "sample",
    "feature", "channel", "time step", "string", "str", "dtype", "missing",
    "empty", "fitted on", "utf-8", "expected", "label", "class", "integer",
    "numeric", "range", "prompt", "negative", "vocabulary", "unknown",
    "sequence", "document", "too large", "float32", "must be", "dim ",
)  # fmt: skip


def check_error(error, *keywords):
    """The message names the problem: one of ``keywords`` (or any problem)."""
    message = str(error).lower()
    words = [k.lower() for k in keywords] or PROBLEM_WORDS
    assert any(w in message for w in words), (
        f"{type(error).__name__} does not name the problem ({words}): {error}"
    )


# sklearn validation functions that warn on extreme values before they
# raise their own error or decide: sklearn's behaviour, not ours.
SKLEARN_WARNING_CHECKS = (
    "_assert_all_finite",  # sums X: inf + -inf warns, then "contains infinity"
    "type_of_target",  # casts float labels like 1e30 to int: "continuous"
)


def _in_sklearn_check(warning):
    """Whether a RuntimeWarning comes from one of SKLEARN_WARNING_CHECKS."""
    frames = traceback.extract_tb(warning.__traceback__)
    return any(f.name in SKLEARN_WARNING_CHECKS for f in frames)


def call(method, *args, keywords=(), **kwargs):
    """``method(*args)``; None after a clear ValueError/TypeError."""
    try:
        try:
            result = method(*args, **kwargs)
        except RuntimeWarning as warning:
            if not _in_sklearn_check(warning):
                raise
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                result = method(*args, **kwargs)
        event("result")
        return result
    except (ValueError, TypeError) as error:
        event(type(error).__name__)
        # A Numba typing error is a TypeError subclass: never acceptable.
        assert "numba" not in type(error).__module__, repr(error)
        check_error(error, *keywords)
        return None


def assert_finite_array(result, shape=None, kinds="f"):
    result = np.asarray(result)
    if shape is not None:
        assert result.shape == shape, (result.shape, shape)
    assert result.dtype.kind in kinds, result.dtype
    if result.dtype.kind == "f":
        assert np.all(np.isfinite(result)), result


# ---------------------------------------------------------------- strategies
EXTREME_FLOATS = st.sampled_from(
    [np.nan, np.inf, -np.inf, 1e30, -1e30, 1e300, -0.0, 5e-324, 3.4e38]
)
PLAIN_FLOATS = st.floats(-3, 3, allow_nan=False)
ANY_FLOATS = st.one_of(PLAIN_FLOATS, EXTREME_FLOATS)
FLOAT_DTYPES = st.sampled_from([np.float32, np.float64, np.int64, np.int8, bool])


@st.composite
def numeric_arrays(draw, ndim=None, extreme=True):
    """Arrays of 1 to 4 dimensions (0 samples or steps allowed), odd values."""
    ndim = draw(st.integers(1, 4)) if ndim is None else ndim
    shape = tuple(draw(st.integers(0, 4)) for _ in range(ndim))
    dtype = draw(FLOAT_DTYPES)
    elements = ANY_FLOATS if extreme else PLAIN_FLOATS
    if dtype is bool:
        elements = st.booleans()
    elif np.dtype(dtype).kind == "i":
        elements = st.integers(-100, 100)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # 1e300 in float32: inf
        return draw(hnp.arrays(dtype, shape, elements=elements))


@st.composite
def ragged_lists(draw):
    """Lists of sequences: mixed dtypes, channel counts, lengths, containers."""
    n = draw(st.integers(0, 4))
    out = []
    for _ in range(n):
        length = draw(st.integers(0, 4))
        channels = draw(st.sampled_from([None, 1, 2]))
        shape = (length,) if channels is None else (length, channels)
        a = draw(hnp.arrays(np.float64, shape, elements=ANY_FLOATS))
        dtype = draw(FLOAT_DTYPES)
        if np.dtype(dtype).kind in "bi":
            a = np.nan_to_num(a, posinf=1e9, neginf=-1e9).clip(-100, 100)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # 1e300 in float32
            a = a.astype(dtype)
        container = draw(st.sampled_from(["array", "list", "tuple"]))
        out.append(a if container == "array" else getattr(a, "tolist")())
        if container == "tuple":
            out[-1] = tuple(out[-1])
    return out


TEXT = st.text(
    alphabet=st.one_of(
        st.characters(),  # every category: combining marks, emoji, RTL, controls
        st.sampled_from(["\x00", "\u0301", "\U0001f600", "\u05d0", "\u202e", " "]),
    ),
    max_size=12,
)
# Text that UTF-8 can encode (no lone surrogates), as bytes.
ENCODABLE = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
BYTES = st.one_of(ENCODABLE.map(lambda s: s.encode("utf-8")), st.binary(max_size=6))
SCALARS = st.one_of(
    st.none(), st.integers(-(2**70), 2**70), ANY_FLOATS, st.booleans(), TEXT, BYTES
)


@st.composite
def object_arrays(draw):
    """Lists and object arrays mixing numbers, strings, bytes and None."""
    n = draw(st.integers(0, 4))
    width = draw(st.integers(1, 3))
    rows = [[draw(SCALARS) for _ in range(width)] for _ in range(n)]
    form = draw(st.sampled_from(["rows", "column", "object"]))
    if form == "column":
        return [r[0] for r in rows]
    if form == "object":
        a = np.empty((n, width), dtype=object)
        for i, r in enumerate(rows):
            a[i, :] = r
        return a
    return rows


@st.composite
def documents(draw):
    """Raw text in several containers: unicode, empty strings, bytes; and
    pre-tokenized text (lists of such tokens, empty lists)."""
    docs = draw(st.lists(st.one_of(TEXT, TEXT, BYTES), max_size=5))
    form = draw(st.sampled_from(["list", "tuple", "array", "single", "tokens"]))
    if form == "tokens":
        return [draw(st.lists(st.one_of(TEXT, BYTES), max_size=3)) for _ in docs]
    if form == "tuple":
        return tuple(docs)
    if form == "array":
        return np.array(docs, dtype=object)
    if form == "single":
        return draw(st.one_of(TEXT, BYTES))
    return docs


TOKEN_IDS = st.one_of(
    st.integers(-3, 12),
    st.integers(-(2**63), 2**63 - 1),
    st.sampled_from([2**64, -(2**64), 0.5, 3.0, np.nan, np.inf, True, False]),
)


@st.composite
def token_inputs(draw):
    """Token ids: huge, negative, float and bool ids; 2-D or ragged."""
    n = draw(st.integers(0, 4))
    rows = [draw(st.lists(TOKEN_IDS, max_size=5)) for _ in range(n)]
    form = draw(st.sampled_from(["rows", "array", "arrays"]))
    try:
        if form == "array":
            assume(len({len(r) for r in rows}) <= 1)
            return np.array(rows)
        if form == "arrays":
            return [np.array(r) for r in rows]
    except OverflowError:  # 2**64 does not fit any numpy integer
        assume(False)
    return rows


@st.composite
def sparse_matrices(draw):
    a = draw(numeric_arrays(ndim=2, extreme=False))
    return draw(st.sampled_from([sparse.csr_matrix, sparse.csc_matrix]))(a)


ANY_X = st.one_of(
    numeric_arrays(),
    numeric_arrays().map(lambda a: a.tolist()),
    ragged_lists(),
    object_arrays(),
    documents(),
    token_inputs(),
    sparse_matrices(),
    SCALARS,
)


@st.composite
def near_valid(draw, kind):
    """Input of the fitted kind and width, with values that may be odd."""
    n = draw(st.integers(0, 4))
    if kind in ("numeric", "numeric3d"):
        shape = (n, 3) if kind == "numeric" else (n, 3, 2)
        dtype = draw(st.sampled_from([np.float32, np.float64, np.int64]))
        elements = ANY_FLOATS if dtype != np.int64 else st.integers(-(2**62), 2**62)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            X = draw(hnp.arrays(dtype, shape, elements=elements))
        form = draw(st.sampled_from(["array", "list", "arrays"]))
        return X if form == "array" else X.tolist() if form == "list" else list(X)
    if kind == "text":
        raw = st.lists(TEXT, max_size=4)
        return draw(st.one_of(raw, st.lists(st.lists(TEXT, max_size=3), max_size=4)))
    ids = st.one_of(st.integers(0, 12), TOKEN_IDS)
    rows = draw(st.lists(st.lists(ids, min_size=1, max_size=4), max_size=4))
    return rows


# ---------------------------------------------------------------- fitted models
RNG = np.random.RandomState(0)
SERIES = RNG.normal(size=(6, 3)).astype(np.float32)
SERIES_3D = RNG.normal(size=(6, 3, 2))
DOCS = ["good food", "bad food", "good", "awful service", "great", "not good"]
TOKENS = np.array([[4, 5, 0], [6, 0, 0], [4, 7, 8], [5, 5, 0], [9, 4, 0], [6, 7, 0]])
LABELS = np.array([0, 1, 0, 1, 0, 1])
TARGETS = RNG.normal(size=6)
FITS = {
    "numeric": {"X": SERIES, "kw": {}},
    "numeric3d": {"X": SERIES_3D, "kw": {}},
    "text": {"X": DOCS, "kw": {}},
    "tokens": {"X": TOKENS, "kw": {"input_type": "tokens"}},
}
ESTIMATORS = {
    "classifier": (RNNClassifier, LABELS),
    "regressor": (RNNRegressor, TARGETS),
    "generator": (RNNSequenceGenerator, None),
}


class Models(dict):
    """Fitted models by (estimator, input kind); a short repr for reports."""

    def __repr__(self):
        return "<fitted models>"


@pytest.fixture(scope="module")
def fitted():
    """Every estimator fitted on every input kind, once."""
    models = Models()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for name, (Estimator, y) in ESTIMATORS.items():
            for kind, fit in FITS.items():
                model = Estimator(**TINY, **fit["kw"])
                models[name, kind] = model.fit(fit["X"], y)
    return models


PREDICT_METHODS = {
    "classifier": ["predict", "predict_proba", "predict_log_proba",
                   "decision_function", "transform", "score"],
    "regressor": ["predict", "transform", "score"],
    "generator": ["predict", "predict_proba", "transform", "score",
                  "score_samples", "perplexity"],
}  # fmt: skip


def n_samples_of(X):
    if sparse.issparse(X):
        return X.shape[0]
    return len(X)


def check_output(name, method, result, n, model):
    """A successful call's result: right length, dtype and finite."""
    if method == "score" and name == "regressor" and n < 2:
        return  # R² of one sample is undefined: sklearn's r2_score gives nan
    if method in ("score", "perplexity"):
        assert np.isfinite(result), result
        return
    if name == "classifier" and method == "predict":
        assert len(result) == n and set(result) <= set(model.classes_)
        return
    if name == "generator" and method == "predict" and model._input_kind == "text":
        assert len(result) == n and all(isinstance(t, str) for t in result)
        return
    result = np.asarray(result)
    assert result.shape[0] == n, (result.shape, n)
    kinds = "iu" if (name == "generator" and method == "predict" and
                     model._input_kind == "tokens") else "f"  # fmt: skip
    assert_finite_array(result, kinds=kinds)
    if method == "predict_proba":
        np.testing.assert_allclose(result.sum(axis=1), 1, rtol=1e-5)


def predict_call(model, name, method, X):
    if method == "score":
        n = n_samples_of(X) if hasattr(X, "__len__") or sparse.issparse(X) else 0
        y = None if name == "generator" else ESTIMATORS[name][1][:1].repeat(n)
        return call(model.score, X, y)
    return call(getattr(model, method), X)


@pytest.mark.parametrize("name", list(ESTIMATORS))
@pytest.mark.parametrize("kind", list(FITS))
@FIXTURE_OK
@given(data=st.data())
def test_predict_methods_on_any_input(fitted, name, kind, data):
    """Every predict-time method on arbitrary X: a result or a clear error."""
    model = fitted[name, kind]
    X = data.draw(st.one_of(ANY_X, near_valid(kind), near_valid(kind)), label="X")
    methods = [m for m in PREDICT_METHODS[name] if hasattr(model, m)]
    method = data.draw(st.sampled_from(methods))
    result = predict_call(model, name, method, X)
    if result is not None:
        check_output(name, method, result, n_samples_of(X), model)


def _containers(X):
    """The same valid numeric input as other containers."""
    yield X.tolist()
    yield list(X)  # a list of (T, C) or (T,) arrays: the ragged path
    yield tuple(X)


@pytest.mark.parametrize("name", list(ESTIMATORS))
@pytest.mark.parametrize("kind", ["numeric", "numeric3d"])
@FIXTURE_OK
@given(data=st.data())
def test_valid_numeric_input_any_container(fitted, name, kind, data):
    """Valid series with extreme but finite values: every container agrees."""
    model = fitted[name, kind]
    shape = FITS[kind]["X"].shape
    n = data.draw(st.integers(1, 4))
    dtype = data.draw(st.sampled_from([np.float32, np.float64]))
    values = st.one_of(PLAIN_FLOATS, st.sampled_from([1e4, -1e4, 1e-30, 0.0]))
    X = data.draw(hnp.arrays(dtype, (n, *shape[1:]), elements=values))
    expected = model.predict(X)
    for other in _containers(X):
        np.testing.assert_allclose(model.predict(other), expected, rtol=1e-5)


@pytest.mark.parametrize("name", list(ESTIMATORS))
@FIXTURE_OK
@given(
    docs=st.lists(
        st.one_of(TEXT, ENCODABLE.map(lambda s: s.encode("utf-8"))),
        min_size=1,
        max_size=5,
    )
)
def test_valid_text_any_container(fitted, name, docs):
    """Any unicode (and UTF-8 bytes) is read; list, tuple and array agree."""
    model = fitted[name, "text"]
    as_str = [d.decode("utf-8") if isinstance(d, bytes) else d for d in docs]
    method = model.predict_proba if hasattr(model, "predict_proba") else model.predict
    reference = method(as_str)
    assert len(reference) == len(docs)
    assert_finite_array(reference, kinds="f" if method != model.predict else "fiuU")
    containers = [docs, tuple(docs), np.array(as_str, dtype=object)]
    if not any(d.endswith("\x00") for d in as_str):
        # A numpy str array drops trailing NULs (numpy's fixed-width strings).
        containers.append(np.array(as_str))
    for other in containers:
        np.testing.assert_array_equal(method(other), reference)


def _one_defect(kind, draw, model):
    """Valid input of ``kind`` with one defect; return it and the word naming it."""
    n = draw(st.integers(1, 3))
    if kind in ("numeric", "numeric3d"):
        X = np.asarray(FITS[kind]["X"][:n], dtype=np.float64).copy()
        defect = draw(
            st.sampled_from(
                [
                    "nan",
                    "inf",
                    # A float64 model holds any finite float64.
                    "float32 range" if model._network.dtype == np.float32 else "nan",
                    "sparse",
                    "4-D",
                    "0 samples",
                    "timesteps",
                    "channels",
                    "ragged channels",
                    "empty sequence",
                ]
            )
        )
        index = tuple(draw(st.integers(0, d - 1)) for d in X.shape)
        form = draw(st.sampled_from(["array", "arrays"]))
        if defect == "nan":
            X[index] = np.nan
        elif defect == "inf":
            X[index] = draw(st.sampled_from([np.inf, -np.inf]))
        elif defect == "float32 range":
            X[index] = draw(st.sampled_from([1e39, -1e300]))
            return (X if form == "array" else list(X)), "too large for float32"
        elif defect == "sparse":
            return sparse.csr_matrix(X.reshape(n, -1)), "sparse"
        elif defect == "4-D":
            return X.reshape(*X.shape, 1)[..., None], "dim"
        elif defect == "0 samples":
            return X[:0], "0 sample"
        elif defect == "timesteps":
            return X[:, :2], "features"
        elif defect == "channels":
            return np.repeat(X.reshape(n, 3, -1), 2, axis=2), "channels"
        elif defect == "ragged channels":
            seqs = [a.reshape(3, -1) for a in X] + [np.zeros((2, 5))]
            return seqs, "channels"
        else:
            return [
                *list(X.reshape(n, 3, -1)),
                np.zeros((0, X.reshape(n, 3, -1).shape[2])),
            ], "empty"
        return (X if form == "array" else list(X)), defect
    if kind == "tokens":
        X = FITS[kind]["X"][:n].copy()
        defect = draw(
            st.sampled_from(
                ["too large", "negative", "float", "bool", "sparse", "3-D", "string"]
            )
        )
        index = (draw(st.integers(0, n - 1)), draw(st.integers(0, 2)))
        if defect == "too large":
            X[index] = draw(st.sampled_from([model.vocabulary_size_, 2**62]))
            return X, "range"
        if defect == "negative":
            X[index] = draw(st.sampled_from([-1, -(2**62)]))
            return X, "negative"
        if defect == "float":
            X = X.astype(float)
            X[index] = 4.5
            return X, "integer"
        if defect == "bool":
            return X > 0, "integer"
        if defect == "sparse":
            return sparse.csr_matrix(X), "sparse"
        if defect == "3-D":
            return X[:, :, None], "dim"
        return ["good food"] * n, ("token ids", "2d array")
    # text
    defect = draw(st.sampled_from(["single string", "None", "number", "bytes"]))
    n = max(n, 2)  # a document that is a str beside the defect: still text
    docs = list(DOCS[:n])
    if defect == "single string":
        return "good food", "string object received"
    if defect == "None":
        docs[draw(st.integers(0, n - 1))] = None
        return docs, "missing"
    if defect == "number":
        docs[draw(st.integers(0, n - 1))] = draw(st.sampled_from([1, 2.5]))
        return docs, "str"
    docs[draw(st.integers(0, n - 1))] = b"\xff\xfe"
    return docs, "utf-8"


@pytest.mark.parametrize("name", list(ESTIMATORS))
@pytest.mark.parametrize("kind", list(FITS))
@FIXTURE_OK
@given(data=st.data())
def test_defect_is_named(fitted, name, kind, data):
    """Valid input with one defect: every method refuses it, naming the defect."""
    model = fitted[name, kind]
    X, word = _one_defect(kind, data.draw, model)
    method = data.draw(
        st.sampled_from([m for m in PREDICT_METHODS[name] if hasattr(model, m)])
    )
    with pytest.raises((ValueError, TypeError)) as error:
        if method == "score":
            y = None if name == "generator" else ESTIMATORS[name][1][: len(X)]
            model.score(X, y)
        else:
            getattr(model, method)(X)
    check_error(error.value, *np.atleast_1d(word))


# ---------------------------------------------------------------- fit
LABEL_VALUES = st.one_of(
    st.integers(-2, 2), st.integers(-(2**70), 2**70), ANY_FLOATS, st.booleans(),
    st.sampled_from(["a", "b", "", "\x00", "\U0001f600"]), st.none(),
)  # fmt: skip


@pytest.mark.parametrize("name", list(ESTIMATORS))
# Twice the profile: fit meets the most input paths.
@settings(max_examples=settings().max_examples * 2)
@given(
    X=st.one_of(ANY_X, *[near_valid(kind) for kind in FITS]),
    labels=st.one_of(
        st.lists(st.integers(0, 1), max_size=6),
        st.lists(PLAIN_FLOATS, max_size=6),
        st.lists(st.one_of(st.integers(0, 1), LABEL_VALUES), max_size=6),
    ),
    data=st.data(),
)
def test_fit_on_any_input(name, X, labels, data):
    """fit / partial_fit on arbitrary X and labels: a model or a clear error."""
    Estimator, _ = ESTIMATORS[name]
    input_type = data.draw(
        st.sampled_from(["auto", "auto", "auto", "tokens", "numeric", "text"])
    )
    model = Estimator(**TINY, input_type=input_type)
    y = None
    if name != "generator":
        n = n_samples_of(X) if isinstance(X, (list, tuple, np.ndarray)) else 1
        y = labels[:n] + [0] * max(0, n - len(labels)) if n else labels
    method = data.draw(st.sampled_from(["fit", "partial_fit"]))
    kwargs = {}
    if method == "partial_fit" and name == "classifier":
        kwargs["classes"] = np.unique(np.asarray(y, dtype=object).astype(str))
        y = np.asarray(y, dtype=object).astype(str)
    result = call(getattr(model, method), X, y, **kwargs)
    if result is None:
        return
    assert result is model
    assert np.all(np.isfinite(model._network.theta))
    # A fitted model predicts on its own training input, or names why not
    # (a squared error beyond float64 for values like 1e300).
    if name == "generator":
        out = call(model.score_samples, X)
        if out is not None:
            assert_finite_array(out, shape=(n_samples_of(X),))
    else:
        out = call(model.predict, X)
        assert out is None or len(out) == n_samples_of(X)


# ---------------------------------------------------------------- generate
GENERATE_ARGUMENTS = {
    "n_steps": (st.integers(1, 6), st.one_of(
        st.integers(-2, 0), st.sampled_from([0.5, np.nan, True, "3", 2**70]))),
    "temperature": (st.floats(0.01, 5), st.sampled_from(
        [0.0, -1.0, 1e-30, 1e-300, 1e30, 1e300, np.nan, np.inf, "1"])),
    "top_k": (st.one_of(st.none(), st.integers(1, 30)), st.sampled_from(
        [0, -1, 2**70, 1.5, True, "2"])),
    "n_samples": (st.integers(1, 3), st.sampled_from([0, -1, 0.5, None, "2"])),
}  # fmt: skip


@pytest.mark.parametrize("kind", list(FITS))
@FIXTURE_OK
@given(data=st.data())
def test_generate_any_arguments(fitted, kind, data):
    """generate with odd prompts and arguments: a result or a clear error."""
    model = fitted["generator", kind]
    # Valid arguments but (at most) one, so that each odd value is reached.
    broken = data.draw(st.sampled_from([None, "prompt", *GENERATE_ARGUMENTS]))
    args = {
        name: data.draw(bad if name == broken else good, label=name)
        for name, (good, bad) in GENERATE_ARGUMENTS.items()
    }
    valid_prompt = {
        "numeric": near_valid("numeric").map(lambda X: X[0] if len(X) else None),
        "numeric3d": near_valid("numeric3d").map(lambda X: X[0] if len(X) else None),
        "text": st.one_of(st.none(), TEXT),
        "tokens": st.one_of(st.none(), st.lists(st.integers(4, 9), max_size=3)),
    }[kind]
    odd_prompt = st.one_of(ANY_X, TEXT, near_valid("tokens"))
    prompt = data.draw(
        odd_prompt if broken == "prompt" else valid_prompt, label="prompt"
    )
    n_steps, n_samples = args["n_steps"], args["n_samples"]
    out = call(
        model.generate, n_steps, prompt=prompt, temperature=args["temperature"],
        top_k=args["top_k"], n_samples=n_samples, random_state=0,
    )  # fmt: skip
    if out is None:
        return
    if kind in ("numeric", "numeric3d"):
        assert_finite_array(out, shape=(n_steps, model.n_channels_in_))
    elif kind == "text":
        outs = [out] if n_samples == 1 else out
        assert all(isinstance(o, str) for o in outs)
        assert len(outs) == n_samples
        # API.md: the returned text begins with the prompt.
        assert all(o.startswith(prompt or "") for o in outs), (outs, prompt)
    else:
        outs = [out] if n_samples == 1 else out
        assert len(outs) == n_samples
        for o in outs:
            assert_finite_array(o, kinds="iu")
            assert np.all((o >= 0) & (o < model.vocabulary_size_))


# ---------------------------------------------------------------- Tokenizer
TOKENIZER_PARAMS = st.fixed_dictionaries(
    {
        "analyzer": st.sampled_from(["word", "char"]),
        "lowercase": st.booleans(),
        "max_length": st.one_of(st.none(), st.integers(1, 4)),
        "min_df": st.sampled_from([1, 2, 0.5]),
        "max_features": st.one_of(st.none(), st.integers(1, 3)),
        "padding": st.sampled_from(["pre", "post"]),
        "truncating": st.sampled_from(["pre", "post"]),
    }
)


@settings(max_examples=settings().max_examples * 10)
@given(
    params=TOKENIZER_PARAMS,
    X=st.one_of(ANY_X, near_valid("text"), near_valid("tokens")),
    X_new=st.one_of(ANY_X, near_valid("text"), near_valid("tokens")),
)
def test_tokenizer_any_input(params, X, X_new):
    """fit, transform, fit_transform and inverse_transform on arbitrary X."""
    tok = Tokenizer(**params)
    ids = call(tok.fit_transform, X)
    if ids is None:
        return
    n = n_samples_of(X)
    assert_finite_array(ids, shape=(n, tok.max_length_), kinds="i")
    assert ids.dtype == np.int64
    assert np.all((ids >= 0) & (ids < 4 + len(tok.vocabulary_)))
    np.testing.assert_array_equal(tok.transform(X), ids)
    texts = tok.inverse_transform(ids)
    assert len(texts) == n and all(isinstance(t, str) for t in texts)
    new = call(tok.transform, X_new)
    if new is not None:
        shape = (n_samples_of(X_new), tok.max_length_)
        assert_finite_array(new, shape=shape, kinds="i")
        assert np.all((new >= 0) & (new < 4 + len(tok.vocabulary_)))
    back = call(tok.inverse_transform, X_new)
    if back is not None:
        assert all(isinstance(t, str) for t in back)
