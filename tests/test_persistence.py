"""Saving and loading fitted models: pickle, joblib and skops.io.

A model saved with pickle or joblib predicts identically in a fresh Python
process; ``skops.io`` loads it trusting exactly skrnn's own classes
(``TRUSTED``, the list written in the persistence guide); a model loaded
by another skrnn version warns; a truncated or modified file fails to load
with an error naming the problem, before any kernel could read its arrays.
The same-process pickle round trip of every cell is in
``test_integration.py``.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import pickle
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import joblib
import numpy as np
import pytest
import skops.io as skops_io
from sklearn.exceptions import InconsistentVersionWarning as SklearnVersionWarning
from sklearn.pipeline import make_pipeline

from skrnn import RNNClassifier, RNNRegressor, RNNSequenceGenerator, Tokenizer
from skrnn._network import RNNNetwork
from skrnn._persistence import InconsistentVersionWarning
from skrnn.datasets import load_sentiment

# Most fits here stop at max_iter on purpose (short training runs).
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

# Every type that ``skops.io.get_untrusted_types`` may list for a saved skrnn
# model: the estimators and the plain objects of their fitted state. The
# persistence guide documents this list; a new type in a model's state fails
# test_skops_untrusted_types_are_exactly_skrnns_own.
TRUSTED = [
    "skrnn._classifier.RNNClassifier",
    "skrnn._generator.RNNSequenceGenerator",
    "skrnn._network.RNNNetwork",
    "skrnn._optimizers.AdamOptimizer",
    "skrnn._optimizers.RMSpropOptimizer",
    "skrnn._optimizers.SGDOptimizer",
    "skrnn._regressor.RNNRegressor",
    "skrnn._tokenizer.Tokenizer",
    "skrnn._training.TrainingRecord",
]

SMALL = {"hidden_size": 4, "max_iter": 2, "random_state": 0}


@pytest.fixture(scope="module")
def data():
    X_text, y_text = load_sentiment(return_X_y=True)
    rng = np.random.RandomState(0)
    series = rng.normal(size=(30, 6)).astype(np.float32)
    return {
        "text": list(X_text[:60]),
        "labels": y_text[:60],
        "series": series,
        "target": series.sum(axis=1),
    }


@pytest.fixture(scope="module")
def models(data):
    """One small fitted model of each kind, with the data it predicts on."""
    text, series = data["text"], data["series"]
    return {
        "classifier_text": (
            RNNClassifier(**SMALL).fit(text, data["labels"]),
            text,
        ),
        "regressor_series": (
            RNNRegressor(optimizer="sgd", **SMALL).fit(series, data["target"]),
            series,
        ),
        "generator_text": (RNNSequenceGenerator(**SMALL).fit(text), text),
        "generator_series": (
            RNNSequenceGenerator(optimizer="rmsprop", **SMALL).fit(series),
            series,
        ),
        "tokenizer": (Tokenizer().fit(text), text),
        "pipeline": (
            make_pipeline(Tokenizer(), RNNClassifier(input_type="tokens", **SMALL)).fit(
                text, data["labels"]
            ),
            text,
        ),
    }


# The predictions compared after a round trip (the same code runs in the
# fresh process, see _FRESH_PROCESS).
def outputs(model, X):
    if isinstance(model, Tokenizer):
        return {"transform": model.transform(X)}
    out = {"predict": model.predict(X)}
    if hasattr(model, "predict_proba"):
        out["predict_proba"] = model.predict_proba(X)
    if isinstance(model, RNNSequenceGenerator):
        out["score_samples"] = model.score_samples(X)
        prompt = X[0] if isinstance(X, list) else X[0, :3]
        out["generate"] = model.generate(
            12, prompt=prompt, temperature=0.8, random_state=0
        )
    return out


def assert_same_outputs(got, expected):
    assert got.keys() == expected.keys()
    for name, value in expected.items():
        if isinstance(value, str):
            assert got[name] == value, name
        else:
            np.testing.assert_array_equal(got[name], value, err_msg=name)


# ----------------------------------------------------------- fresh process

_FRESH_PROCESS = textwrap.dedent(
    """
    import pickle, sys, warnings

    import joblib

    sys.path.insert(0, sys.argv[2])
    import test_persistence

    warnings.simplefilter("error")  # no version warning: same skrnn
    with open(sys.argv[1] + "/inputs.pkl", "rb") as f:
        inputs = pickle.load(f)
    results = {}
    for name, X in inputs.items():
        with open(f"{sys.argv[1]}/{name}.pkl", "rb") as f:
            from_pickle = pickle.load(f)
        from_joblib = joblib.load(f"{sys.argv[1]}/{name}.joblib")
        results[name] = (
            test_persistence.outputs(from_pickle, X),
            test_persistence.outputs(from_joblib, X),
        )
    with open(sys.argv[1] + "/results.pkl", "wb") as f:
        pickle.dump(results, f)
    """
)


def test_pickle_and_joblib_load_in_a_fresh_process(models, tmp_path):
    inputs = {}
    for name, (model, X) in models.items():
        with open(tmp_path / f"{name}.pkl", "wb") as f:
            pickle.dump(model, f)
        joblib.dump(model, tmp_path / f"{name}.joblib")
        inputs[name] = X
    with open(tmp_path / "inputs.pkl", "wb") as f:
        pickle.dump(inputs, f)

    tests_dir = str(Path(__file__).parent)
    subprocess.run(
        [sys.executable, "-c", _FRESH_PROCESS, str(tmp_path), tests_dir],
        check=True,
        timeout=300,
    )
    with open(tmp_path / "results.pkl", "rb") as f:
        results = pickle.load(f)
    assert results.keys() == models.keys()
    for name, (model, X) in models.items():
        expected = outputs(model, X)
        from_pickle, from_joblib = results[name]
        assert_same_outputs(from_pickle, expected)
        assert_same_outputs(from_joblib, expected)


# ------------------------------------------------------------------ skops


def expected_untrusted(model):
    """The skrnn types in ``model``'s saved state."""
    if isinstance(model, Tokenizer):
        return ["skrnn._tokenizer.Tokenizer"]
    estimator = model[-1] if hasattr(model, "steps") else model
    names = {
        f"{type(estimator).__module__}.{type(estimator).__name__}",
        "skrnn._network.RNNNetwork",
        f"skrnn._optimizers.{type(estimator._optimizer).__name__}",
        "skrnn._training.TrainingRecord",
    }
    if hasattr(model, "steps") or hasattr(estimator, "tokenizer_"):
        names.add("skrnn._tokenizer.Tokenizer")
    return sorted(names)


def test_skops_untrusted_types_are_exactly_skrnns_own(models):
    seen = set()
    for name, (model, _) in models.items():
        untrusted = skops_io.get_untrusted_types(data=skops_io.dumps(model))
        assert untrusted == expected_untrusted(model), name
        seen.update(untrusted)
    # The fixtures cover every type of the documented list.
    assert sorted(seen) == TRUSTED


def test_skops_round_trip_with_the_trusted_list(models, tmp_path):
    for name, (model, X) in models.items():
        path = tmp_path / f"{name}.skops"
        skops_io.dump(model, path)
        loaded = skops_io.load(path, trusted=TRUSTED)
        assert type(loaded) is type(model)
        assert_same_outputs(outputs(loaded, X), outputs(model, X))


def test_skops_round_trip_keeps_training(models, data):
    # The optimizer's moments and the record come back: training goes on
    # exactly as in the original.
    model, X = models["regressor_series"]
    loaded = skops_io.loads(skops_io.dumps(model), trusted=TRUSTED)
    original = pickle.loads(pickle.dumps(model))
    original.partial_fit(X, data["target"])
    loaded.partial_fit(X, data["target"])
    np.testing.assert_array_equal(loaded.predict(X), original.predict(X))
    assert loaded.n_iter_ == original.n_iter_ == 3


# -------------------------------------------------------------- versions


def test_loading_with_another_skrnn_version_warns(models, monkeypatch):
    model, X = models["classifier_text"]
    saved = pickle.dumps(model)
    skops_saved = skops_io.dumps(model)
    tokenizer_saved = pickle.dumps(models["tokenizer"][0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pickle.loads(saved)  # same version: silent

    monkeypatch.setattr("skrnn._persistence.__version__", "99.0.0")
    message = "RNNClassifier saved with skrnn 0.1.0.dev0 when using skrnn 99.0.0"
    with pytest.warns(InconsistentVersionWarning) as record:
        loaded = pickle.loads(saved)
    # The classifier and its fitted tokenizer_ each warn, as scikit-learn's
    # nested estimators do.
    names = sorted(w.message.estimator_name for w in record)
    assert names == ["RNNClassifier", "Tokenizer"]
    assert all(issubclass(w.category, SklearnVersionWarning) for w in record)
    warning = next(w.message for w in record if message in str(w.message))
    assert warning.original_skrnn_version == "0.1.0.dev0"
    assert warning.current_skrnn_version == "99.0.0"
    # The model still loads (a warning, not an error), and the version
    # never becomes an attribute.
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert not hasattr(loaded, "_skrnn_version")
    with pytest.warns(InconsistentVersionWarning, match="Tokenizer"):
        pickle.loads(tokenizer_saved)
    with pytest.warns(InconsistentVersionWarning) as record:
        skops_io.loads(skops_saved, trusted=TRUSTED)
    assert any(message in str(w.message) for w in record)


def test_state_without_a_version_warns_unknown(models):
    model, _ = models["tokenizer"]
    state = model.__getstate__()
    assert state["_skrnn_version"] == "0.1.0.dev0"
    del state["_skrnn_version"]
    restored = Tokenizer.__new__(Tokenizer)
    with pytest.warns(InconsistentVersionWarning, match="skrnn unknown"):
        restored.__setstate__(state)
    assert restored.vocabulary_ == model.vocabulary_


def test_network_state_saved_before_dtype_by_name_still_loads(models, monkeypatch):
    # Before skops support, the network's state held a numpy.dtype object.
    model, X = models["regressor_series"]
    assert model._network.__getstate__()["dtype"] == "float32"

    def old_getstate(self):
        state = self.__dict__.copy()
        for name in ("params", "_spans"):
            del state[name]
        return state

    with monkeypatch.context() as patch:
        patch.setattr(RNNNetwork, "__getstate__", old_getstate)
        saved = pickle.dumps(model)
        assert isinstance(old_getstate(model._network)["dtype"], np.dtype)
    loaded = pickle.loads(saved)
    assert loaded._network.dtype == np.float32
    assert isinstance(loaded._network.dtype, np.dtype)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


# ------------------------------------------------------------ damaged files
def test_truncated_file_fails_to_load_with_an_error(models, tmp_path):
    model, _ = models["classifier_text"]
    path = tmp_path / "model.joblib"
    joblib.dump(model, path)
    whole = path.read_bytes()
    for keep in (len(whole) // 2, len(whole) - 10):
        path.write_bytes(whole[:keep])
        with pytest.raises((EOFError, pickle.UnpicklingError, ValueError)):
            joblib.load(path)


def _tampered(model, change):
    """The bytes of ``model``'s pickle after ``change(state)`` on a copy of
    its network's state (as a modified file would hold it)."""
    network = model._network
    original = RNNNetwork.__getstate__

    def tampered_getstate(self):
        state = original(self)
        if self is network:
            change(state)
        return state

    RNNNetwork.__getstate__ = tampered_getstate
    try:
        return pickle.dumps(model)
    finally:
        RNNNetwork.__getstate__ = original


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda s: s.update(theta=s["theta"][:-3]), "theta holds"),
        (lambda s: s.update(theta=np.append(s["theta"], s["theta"][:1])), "holds"),
        (lambda s: s.update(theta=s["theta"].astype(np.float64)), "dtype"),
        (lambda s: s["theta"].__setitem__(0, np.nan), "NaN or inf"),
        (lambda s: s.update(hidden_size=s["hidden_size"] + 1), "layout"),
        (lambda s: s.update(n_layers=0), "positive integers"),
        (lambda s: s.update(cell="elman"), "unknown cell"),
        (lambda s: s.update(dtype="int8"), "dtype int8"),
    ],
)
def test_tampered_network_fails_to_load_naming_the_problem(models, change, message):
    model, _ = models["classifier_text"]
    saved = _tampered(model, lambda s: (s.update(theta=s["theta"].copy()), change(s)))
    with pytest.raises(ValueError, match="inconsistent") as error:
        pickle.loads(saved)
    assert message in str(error.value)


def test_tampered_optimizer_state_fails_to_load(models):
    model, _ = models["regressor_series"]
    clone = pickle.loads(pickle.dumps(model))
    optimizer = clone._optimizer
    name = next(k for k, v in vars(optimizer).items() if isinstance(v, np.ndarray))
    setattr(optimizer, name, getattr(optimizer, name)[:-1])
    with pytest.raises(ValueError, match="optimizer state is inconsistent"):
        pickle.loads(pickle.dumps(clone))
