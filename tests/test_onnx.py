"""ONNX export (skrnn.onnx): onnxruntime predicts what skrnn predicts.

onnxruntime runs in a subprocess that imports onnxruntime and numpy only, as
a deployment would: the model goes through a file, the arrays through .npy.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import json
import subprocess
import sys

import numpy as np
import pytest
import skl2onnx
from numpy.testing import assert_allclose, assert_array_equal
from skl2onnx.common.data_types import (
    FloatTensorType,
    Int64TensorType,
    StringTensorType,
)
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skrnn import (
    RNNClassifier,
    RNNRegressor,
    RNNSeq2Seq,
    RNNSequenceGenerator,
    RNNSequenceTagger,
    Tokenizer,
)
from skrnn import __version__ as skrnn_version
from skrnn.datasets import load_sentiment, load_shakespeare
from skrnn.onnx import to_onnx

# The packages of the extra "onnx" are in the extra "tests" too: no skip.

RTOL, ATOL = 1e-5, 1e-6

# Runs every model of a directory on its inputs; strings come back as str.
# String inputs travel as JSON (.npy would need pickle, or cut trailing NULs).
RUNNER = """
import json, pathlib, sys
import numpy as np
import onnxruntime as ort

def load(path):
    if path.with_suffix(".json").exists():
        return np.array(json.loads(path.with_suffix(".json").read_text()), dtype=object)
    return np.load(path)

root = pathlib.Path(sys.argv[1])
for model in sorted(root.glob("*.onnx")):
    session = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    feeds = {
        i.name: load(root / f"{model.stem}.in.{i.name}.npy")
        for i in session.get_inputs()
    }
    names = [o.name for o in session.get_outputs()]
    try:
        outputs = session.run(None, feeds)
    except Exception as error:  # the test says whether it expected it
        (root / f"{model.stem}.error.txt").write_text(str(error))
        continue
    for name, out in zip(names, outputs):
        out = np.asarray(out)
        if out.dtype == object:
            out = out.astype(str)
        np.save(root / f"{model.stem}.out.{name}.npy", out)
"""


def run_onnxruntime(tmp_path, runs, failing=()):
    """Run ``{key: (model, inputs)}`` in onnxruntime; return ``{key: outputs}``.

    The runs named in ``failing`` must fail: their outputs are ``{"error":
    message}``; any other run failing fails the test.
    """
    for key, (model, inputs) in runs.items():
        (tmp_path / f"{key}.onnx").write_bytes(model.SerializeToString())
        for name, array in inputs.items():
            if array.dtype == object:
                path = tmp_path / f"{key}.in.{name}.json"
                path.write_text(json.dumps(array.tolist()))
            else:
                np.save(tmp_path / f"{key}.in.{name}.npy", array)
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    errors = {
        key: (tmp_path / f"{key}.error.txt").read_text()
        for key in runs
        if (tmp_path / f"{key}.error.txt").exists()
    }
    assert set(errors) == set(failing), errors
    return {
        key: errors[key]
        if key in errors
        else {
            path.name.split(".out.")[1][: -len(".npy")]: np.load(path)
            for path in tmp_path.glob(f"{key}.out.*.npy")
        }
        for key in runs
    }


def ragged_batch(seed, n=14, max_len=8, n_channels=3):
    """Sequences of unequal lengths, and the same padded with garbage."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, max_len + 1, size=n)
    lengths[0] = max_len
    sequences = [rng.normal(size=(t, n_channels)).astype(np.float32) for t in lengths]
    # What lies past each length must not matter, not even NaN.
    padded = np.full((n, max_len, n_channels), np.nan, dtype=np.float32)
    for i, s in enumerate(sequences):
        padded[i, : len(s)] = s
    return sequences, padded, lengths.astype(np.int64)


SMALL = {"hidden_size": 5, "max_iter": 3, "random_state": 0}


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("n_layers", [1, 2])
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_onnx_numeric_models_predict_as_skrnn(tmp_path, cell, n_layers, bidirectional):
    sequences, padded, lengths = ragged_batch(seed=n_layers)
    rng = np.random.default_rng(1)
    labels = np.array(["cat", "dog", "emu"])[rng.integers(0, 3, len(sequences))]
    targets = rng.normal(size=(len(sequences), 2))
    params = {"cell": cell, "n_layers": n_layers, "bidirectional": bidirectional}
    clf = RNNClassifier(**params, **SMALL).fit(sequences, labels)
    reg = RNNRegressor(**params, **SMALL).fit(sequences, targets)
    inputs = {"X": padded, "lengths": lengths}
    out = run_onnxruntime(
        tmp_path, {"clf": (to_onnx(clf), inputs), "reg": (to_onnx(reg), inputs)}
    )
    assert_array_equal(out["clf"]["label"], clf.predict(sequences))
    assert_allclose(
        out["clf"]["probabilities"], clf.predict_proba(sequences), rtol=RTOL, atol=ATOL
    )
    assert_allclose(
        out["reg"]["variable"], reg.predict(sequences), rtol=RTOL, atol=ATOL
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_onnx_binary_integer_labels_and_univariate_input(tmp_path):
    # A model of one channel reads X of shape (N, T); labels are int64.
    sequences, padded, lengths = ragged_batch(seed=3, n_channels=1)
    sequences = [s[:, 0] for s in sequences]
    y = np.arange(len(sequences)) % 2 * 5 - 2  # labels -2 and 3
    clf = RNNClassifier(cell="lstm", bidirectional=True, **SMALL).fit(sequences, y)
    reg = RNNRegressor(cell="gru", **SMALL).fit(sequences, y.astype(float))
    inputs = {"X": padded[:, :, 0], "lengths": lengths}
    out = run_onnxruntime(
        tmp_path, {"clf": (to_onnx(clf), inputs), "reg": (to_onnx(reg), inputs)}
    )
    assert out["clf"]["label"].dtype == np.int64
    assert_array_equal(out["clf"]["label"], clf.predict(sequences))
    assert_allclose(
        out["clf"]["probabilities"], clf.predict_proba(sequences), rtol=RTOL, atol=ATOL
    )
    # skl2onnx's regressors return (N, 1) for one target.
    assert out["reg"]["variable"].shape == (len(sequences), 1)
    assert_allclose(
        out["reg"]["variable"][:, 0], reg.predict(sequences), rtol=RTOL, atol=ATOL
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_onnx_skl2onnx_pipeline_with_a_scaler_fixed_length(tmp_path):
    # skl2onnx converts a Pipeline with one input X: every sequence has all
    # of its T steps.
    rng = np.random.default_rng(4)
    X = rng.normal(3.0, 2.0, size=(16, 6)).astype(np.float32)
    y = X[:, -2:].sum(axis=1)
    pipe = make_pipeline(
        StandardScaler(), RNNRegressor(cell="gru", n_layers=2, **SMALL)
    ).fit(X, y)
    model = skl2onnx.to_onnx(pipe, initial_types=[("X", FloatTensorType([None, 6]))])
    out = run_onnxruntime(tmp_path, {"pipe": (model, {"X": X})})
    assert_allclose(
        out["pipe"]["variable"][:, 0], pipe.predict(X), rtol=RTOL, atol=ATOL
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_onnx_to_onnx_exports_pipelines_with_their_metadata(tmp_path):
    # skrnn.onnx.to_onnx picks a Pipeline's input itself: rows of
    # n_features_in_ values after a scaler, documents after a Tokenizer.
    rng = np.random.default_rng(4)
    X = rng.normal(3.0, 2.0, size=(16, 6)).astype(np.float32)
    y = np.array(["up", "down"])[(X[:, -2:].sum(axis=1) > 6).astype(int)]
    scaled = make_pipeline(StandardScaler(), RNNClassifier(cell="lstm", **SMALL))
    scaled.fit(X, y)
    docs = ["the cat sat", "a dog ran far", "the dog sat", "a cat ran", "far far"]
    labels = [0, 1, 0, 1, 1]
    text = make_pipeline(
        Tokenizer(), RNNClassifier(input_type="tokens", embedding_dim=4, **SMALL)
    ).fit(docs, labels)
    new_docs = np.array([*docs, "an unseen cat", ""], dtype=object)
    out = run_onnxruntime(
        tmp_path,
        {
            "scaled": (to_onnx(scaled), {"X": X}),
            "text": (to_onnx(text), {"X": new_docs}),
        },
    )
    assert_array_equal(out["scaled"]["label"], scaled.predict(X))
    assert_allclose(
        out["scaled"]["probabilities"], scaled.predict_proba(X), rtol=RTOL, atol=ATOL
    )
    assert_array_equal(out["text"]["label"], text.predict(list(new_docs)))
    assert_allclose(
        out["text"]["probabilities"],
        text.predict_proba(list(new_docs)),
        rtol=RTOL,
        atol=ATOL,
    )
    props = {p.key: p.value for p in to_onnx(scaled).metadata_props}
    assert props["skrnn_version"] == skrnn_version
    assert props["estimator"] == "Pipeline"
    assert json.loads(props["param.rnnclassifier__cell"]) == "lstm"
    assert json.loads(props["param.standardscaler__with_mean"]) is True
    assert "param.steps" not in props and "param.rnnclassifier" not in props
    with pytest.raises(ValueError, match="holds no skrnn estimator"):
        to_onnx(make_pipeline(StandardScaler()).fit(X))
    with pytest.raises(ValueError, match="not fitted"):
        to_onnx(make_pipeline(StandardScaler(), RNNRegressor()))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_onnx_skl2onnx_classifier_with_lengths(tmp_path):
    sequences, padded, lengths = ragged_batch(seed=5)
    y = np.arange(len(sequences)) % 3
    clf = RNNClassifier(cell="rnn", **SMALL).fit(sequences, y)
    model = skl2onnx.to_onnx(
        clf,
        initial_types=[
            ("X", FloatTensorType([None, None, 3])),
            ("lengths", Int64TensorType([None])),
        ],
        options={"zipmap": False},
    )
    out = run_onnxruntime(tmp_path, {"clf": (model, {"X": padded, "lengths": lengths})})
    assert_array_equal(out["clf"]["label"], clf.predict(sequences))
    assert_allclose(
        out["clf"]["probabilities"], clf.predict_proba(sequences), rtol=RTOL, atol=ATOL
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_onnx_skl2onnx_classifier_zipmap(tmp_path):
    # skl2onnx's default for classifiers, ZipMap (one dict per sample), and
    # its "columns" form (one output per class) both convert.
    sequences, padded, lengths = ragged_batch(seed=5)
    y = np.array(["no", "yes"])[np.arange(len(sequences)) % 2]
    clf = RNNClassifier(cell="gru", **SMALL).fit(sequences, y)
    types = [
        ("X", FloatTensorType([None, None, 3])),
        ("lengths", Int64TensorType([None])),
    ]
    zipmap = skl2onnx.to_onnx(clf, initial_types=types)
    assert [o.name for o in zipmap.graph.output] == [
        "output_label", "output_probability",
    ]  # fmt: skip
    assert zipmap.graph.output[1].type.HasField("sequence_type")
    columns = skl2onnx.to_onnx(clf, initial_types=types, options={"zipmap": "columns"})
    out = run_onnxruntime(
        tmp_path, {"clf": (columns, {"X": padded, "lengths": lengths})}
    )["clf"]
    assert_array_equal(out["output_label"], clf.predict(sequences))
    proba = clf.predict_proba(sequences)
    for k, name in enumerate(clf.classes_):
        assert_allclose(out[f"s{name}"], proba[:, k], rtol=RTOL, atol=ATOL)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_onnx_metadata_holds_version_and_parameters():
    sequences, _, _ = ragged_batch(seed=6)
    reg = RNNRegressor(cell="lstm", alpha=0.01, **SMALL).fit(
        sequences, np.arange(len(sequences), dtype=float)
    )
    props = {p.key: p.value for p in to_onnx(reg).metadata_props}
    assert props["skrnn_version"] == skrnn_version
    assert props["estimator"] == "RNNRegressor"
    assert json.loads(props["param.cell"]) == "lstm"
    assert json.loads(props["param.alpha"]) == 0.01
    assert json.loads(props["param.hidden_size"]) == 5
    # Numbers a grid search gives (numpy scalars) stay numbers; a
    # RandomState is named without its address.
    reg.set_params(
        hidden_size=np.int64(5),
        alpha=np.float32(0.5),
        random_state=np.random.RandomState(0),
    )
    props = {p.key: p.value for p in to_onnx(reg).metadata_props}
    assert json.loads(props["param.hidden_size"]) == 5
    assert json.loads(props["param.alpha"]) == 0.5
    assert json.loads(props["param.random_state"]) == "RandomState instance"
    clf = RNNClassifier(**SMALL).fit(sequences, np.array(["b", "a"] * 7))
    props = {p.key: p.value for p in to_onnx(clf).metadata_props}
    assert json.loads(props["classes"]) == ["a", "b"]


def ragged_ids(seed, n=14, width=9, n_ids=12):
    """Token ids padded with 0 anywhere in a row (after, before, between
    the tokens), one row of padding only."""
    rng = np.random.default_rng(seed)
    ids = rng.integers(4, n_ids, size=(n, width))
    for row in ids[1:]:
        row[rng.choice(width, size=rng.integers(0, width), replace=False)] = 0
    ids[1, :4] = 0  # "pre" padding
    ids[2] = 0  # no token: one out-of-vocabulary token
    return ids


def step_labels(ids):
    """Per-token labels of ``ids`` (the parity of each id), as skrnn reads
    them: one label for a row without tokens."""
    names = np.array(["even", "odd"])
    return [names[row[row != 0] % 2] if (row != 0).any() else ["odd"] for row in ids]


def assert_steps_equal(onnx_out, tagger, X):
    """The tagger's graph outputs equal skrnn's lists on every real step."""
    labels, probabilities = tagger.predict(X), tagger.predict_proba(X)
    lengths = onnx_out["n_steps"]
    assert_array_equal(lengths, [len(p) for p in probabilities])
    for i, (label, proba) in enumerate(zip(labels, probabilities)):
        n = len(label)
        assert_array_equal(onnx_out["label"][i, :n], label)
        assert_allclose(onnx_out["probabilities"][i, :n], proba, rtol=RTOL, atol=ATOL)
        # Past each length: probabilities 0, label classes_[0] (documented).
        assert_array_equal(onnx_out["probabilities"][i, n:], 0.0)
        assert (onnx_out["label"][i, n:] == tagger.classes_[0]).all()


CONFIGS = [
    {"cell": cell, "n_layers": n_layers, "bidirectional": bidirectional}
    for cell in ("rnn", "lstm", "gru")
    for n_layers in (1, 2)
    for bidirectional in (False, True)
]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_onnx_token_models_predict_as_skrnn(tmp_path):
    # Every cell x 1/2 layers x uni/bidirectional, classifier and regressor,
    # in one onnxruntime run.
    ids = ragged_ids(seed=0)
    rng = np.random.default_rng(1)
    labels = np.array(["cat", "dog", "emu"])[rng.integers(0, 3, len(ids))]
    targets = rng.normal(size=(len(ids), 2))
    small = {**SMALL, "embedding_dim": 4, "input_type": "tokens"}
    runs, models = {}, {}
    for k, params in enumerate(CONFIGS):
        clf = RNNClassifier(**params, **small).fit(ids, labels)
        reg = RNNRegressor(**params, **small).fit(ids, targets)
        models[k] = clf, reg
        runs[f"clf{k}"] = (to_onnx(clf), {"X": ids})
        runs[f"reg{k}"] = (to_onnx(reg), {"X": ids})
    out = run_onnxruntime(tmp_path, runs)
    for k, (clf, reg) in models.items():
        assert_array_equal(out[f"clf{k}"]["label"], clf.predict(ids))
        assert_allclose(
            out[f"clf{k}"]["probabilities"],
            clf.predict_proba(ids),
            rtol=RTOL,
            atol=ATOL,
        )
        assert_allclose(
            out[f"reg{k}"]["variable"], reg.predict(ids), rtol=RTOL, atol=ATOL
        )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_onnx_tagger_predicts_every_step_as_skrnn(tmp_path):
    # Every cell, unidirectional (1 layer) and bidirectional (2 layers), on
    # numeric series (padding holds garbage) and on token ids.
    sequences, padded, lengths = ragged_batch(seed=8)
    rng = np.random.default_rng(2)
    y_numeric = [rng.integers(0, 3, len(s)) * 2 - 1 for s in sequences]  # -1, 1, 3
    ids = ragged_ids(seed=9)
    y_ids = step_labels(ids)
    runs, models = {}, {}
    for cell in ("rnn", "lstm", "gru"):
        for n_layers, bidirectional in ((1, False), (2, True)):
            params = {
                "cell": cell,
                "n_layers": n_layers,
                "bidirectional": bidirectional,
            }
            numeric = RNNSequenceTagger(**params, **SMALL).fit(sequences, y_numeric)
            tokens = RNNSequenceTagger(
                **params, **SMALL, embedding_dim=4, input_type="tokens"
            ).fit(ids, y_ids)
            key = f"{cell}{n_layers}"
            models[key] = numeric, tokens
            runs[f"num{key}"] = (to_onnx(numeric), {"X": padded, "lengths": lengths})
            runs[f"tok{key}"] = (to_onnx(tokens), {"X": ids})
    out = run_onnxruntime(tmp_path, runs)
    for key, (numeric, tokens) in models.items():
        assert out[f"num{key}"]["label"].dtype == np.int64
        assert out[f"num{key}"]["probabilities"].shape == (*padded.shape[:2], 3)
        assert_steps_equal(out[f"num{key}"], numeric, sequences)
        assert_steps_equal(out[f"tok{key}"], tokens, ids)


def corpus():
    """Real text, non-ASCII and punctuation-heavy strings, empty ones."""
    X, y = load_sentiment(return_X_y=True)
    lines = [line for line in load_shakespeare().text.splitlines() if line][:80]
    odd = [
        "",
        "   ",
        "!!! ... ??? -- ;;",
        "İstanbul İTEM Straße STRASSE ẞ café CAFÉ naïve étude e\u0301tude",
        "ǅungla ǄUNGLA Ωmega Kelvin \u212a ﬁne ½ ⅷ Ⅷ ١٢٣ x_y __ a1",
        "日本語のテキスト。😀 emoji\u200bjoined",
        "tab\there\nnew\u00a0nbsp\u2003em\u2028line\x1csep\x85end",
        "The food was GREAT, but... the service?! Awful.",
    ]
    return list(X[:150]) + lines + odd, np.r_[
        y[:150], np.zeros(len(lines) + len(odd), int)
    ]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_onnx_text_models_predict_as_skrnn(tmp_path):
    # The Tokenizer is in the graph: words and characters, lowercase or
    # not, max_length with either truncation, min_df (documents without
    # known tokens), a Pipeline of a Tokenizer and a token model, the
    # Tokenizer alone, a tagger fitted on pre-tokenized text.
    docs, y = corpus()
    fit_docs, fit_y = docs[::2], y[::2]  # the other half has unseen words
    tokenizers = [
        Tokenizer(),
        Tokenizer(analyzer="char"),
        Tokenizer(lowercase=False, min_df=2),
        Tokenizer(token_pattern=r"\b\w+\b", max_length=6, truncating="pre"),
        Tokenizer(analyzer="char", max_length=12, padding="pre"),
    ]
    cells = [
        {"cell": "lstm"},
        {"cell": "gru", "bidirectional": True},
        {"cell": "rnn", "n_layers": 2},
        {"cell": "lstm", "n_layers": 2, "bidirectional": True},
        {"cell": "gru"},
    ]
    small = {**SMALL, "embedding_dim": 4, "max_iter": 1}
    strings = np.array(docs, dtype=object)
    runs, models = {}, {}
    for k, (tokenizer, params) in enumerate(zip(tokenizers, cells)):
        clf = RNNClassifier(tokenizer=tokenizer, **params, **small).fit(fit_docs, fit_y)
        pipe = make_pipeline(
            clone(tokenizer), RNNClassifier(input_type="tokens", **params, **small)
        ).fit(fit_docs, fit_y)
        models[k] = clf, pipe
        runs[f"clf{k}"] = (to_onnx(clf), {"X": strings})
        # skl2onnx's usual text input: one column of strings.
        runs[f"pipe{k}"] = (
            skl2onnx.to_onnx(
                pipe,
                initial_types=[("X", StringTensorType([None, 1]))],
                options={id(pipe[-1]): {"zipmap": False}},
            ),
            {"X": strings[:, None]},
        )
        runs[f"tok{k}"] = (
            skl2onnx.to_onnx(pipe[0], initial_types=[("X", StringTensorType([None]))]),
            {"X": strings},
        )
    tag_X = [["the", "can", "is", "red"], ["we", "can", "go", "home"]] * 3
    tag_y = [["DET", "NOUN", "VERB", "ADJ"], ["PRON", "AUX", "VERB", "NOUN"]] * 3
    tagger = RNNSequenceTagger(bidirectional=True, **small).fit(tag_X, tag_y)
    tag_docs = ["We can go home", "the  can\tis red!", "", "new words here"]
    runs["tagger"] = (to_onnx(tagger), {"X": np.array(tag_docs, dtype=object)})
    out = run_onnxruntime(tmp_path, runs)
    for k, (clf, pipe) in models.items():
        assert_array_equal(out[f"tok{k}"]["variable"], pipe[0].transform(docs))
        assert_array_equal(out[f"clf{k}"]["label"], clf.predict(docs))
        assert_allclose(
            out[f"clf{k}"]["probabilities"],
            clf.predict_proba(docs),
            rtol=RTOL,
            atol=ATOL,
        )
        assert_array_equal(out[f"pipe{k}"]["label"], pipe.predict(docs))
        assert_allclose(
            out[f"pipe{k}"]["probabilities"],
            pipe.predict_proba(docs),
            rtol=RTOL,
            atol=ATOL,
        )
    assert_steps_equal(out["tagger"], tagger, tag_docs)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_onnx_tokenizer_reads_unicode_as_python(tmp_path):
    # Random strings of characters where Python and other engines differ:
    # lowercase that lengthens (İ), the Kelvin and Ohm signs, title case,
    # combining marks, digits and numerals of other scripts, Unicode
    # whitespace, a zero-width space, NUL; the vocabulary fitted on half.
    rng = np.random.default_rng(0)
    alphabet = [
        *"aAbBzZ09_ -.,'!?\t\n",
        *"İKßẞ\u0301\u0307\u0661½ⅷⅧ日本😀\x1c\x85\u2028\u00a0\u3000ǅǆΩΩﬁ",
        *"\x00\u200béÉ\u13a0\uab70𐐀𐐨",
    ]
    docs = ["".join(rng.choice(alphabet, size=n)) for n in rng.integers(0, 25, 400)]
    fit_docs = docs[:200]
    settings = [
        {},
        {"analyzer": "char"},
        {"lowercase": False},
        {"token_pattern": r"(?u)\b\w+\b", "max_length": 4, "padding": "pre"},
        {"analyzer": "char", "lowercase": False, "truncating": "pre"},
    ]
    runs, tokenizers = {}, {}
    for k, params in enumerate(settings):
        tokenizer = Tokenizer(**params).fit(fit_docs)
        tokenizers[k] = tokenizer
        model = skl2onnx.to_onnx(
            tokenizer, initial_types=[("X", StringTensorType([None]))]
        )
        runs[f"tok{k}"] = (model, {"X": np.array(docs, dtype=object)})
    pretokenized = Tokenizer().fit([d.split() for d in fit_docs])
    tokenizers["pre"] = pretokenized
    runs["tokpre"] = (
        skl2onnx.to_onnx(pretokenized, initial_types=[("X", StringTensorType([None]))]),
        {"X": np.array(docs, dtype=object)},
    )
    out = run_onnxruntime(tmp_path, runs)
    for k, tokenizer in tokenizers.items():
        assert len(tokenizer.vocabulary_) > 10
        assert_array_equal(out[f"tok{k}"]["variable"], tokenizer.transform(docs))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_onnx_text_graphs_pass_shape_inference(tmp_path):
    # Deployment tools run onnx's shape inference; without the declared
    # type of the string Tokenizer's output it crashed the process (onnx
    # 1.23), hence a subprocess.
    texts = ["up to it", "to it up", "it up to", "up up to"]
    small = {"hidden_size": 3, "max_iter": 1, "random_state": 0}
    for k, analyzer in enumerate(("word", "char")):
        clf = RNNClassifier(tokenizer=Tokenizer(analyzer=analyzer), **small)
        path = tmp_path / f"text{k}.onnx"
        path.write_bytes(to_onnx(clf.fit(texts, [0, 1, 0, 1])).SerializeToString())
    check = (
        "import sys, onnx\n"
        "for path in sys.argv[1:]:\n"
        "    model = onnx.load(path)\n"
        "    onnx.checker.check_model(model, full_check=True)\n"
        "    onnx.shape_inference.infer_shapes(model, strict_mode=True)\n"
    )
    paths = [str(tmp_path / f"text{k}.onnx") for k in range(2)]
    done = subprocess.run(
        [sys.executable, "-c", check, *paths], capture_output=True, text=True
    )
    assert done.returncode == 0, (done.returncode, done.stderr)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_onnx_graphs_fail_on_token_ids_skrnn_refuses(tmp_path):
    # A negative id or one beyond the vocabulary: skrnn raises, and so does
    # onnxruntime (ONNX's Gather would read a negative index from the end).
    ids = ragged_ids(seed=3)
    small = {**SMALL, "embedding_dim": 4, "input_type": "tokens"}
    clf = RNNClassifier(**small).fit(ids, np.arange(len(ids)) % 2)
    gen = RNNSequenceGenerator(**small).fit(ids)
    s2s = RNNSeq2Seq(**small, target_type="tokens").fit(ids, ids[:, ::-1])
    runs = {}
    for bad in (-1, clf.vocabulary_size_):
        wrong = ids.copy()
        wrong[3, 0] = bad
        with pytest.raises(ValueError):
            clf.predict(wrong)
        runs[f"clf{bad}"] = (to_onnx(clf), {"X": wrong})
        runs[f"enc{bad}"] = (to_onnx(s2s)["encoder"], {"X": wrong})
        state = np.zeros((1, 2, SMALL["hidden_size"]), dtype=np.float32)
        token = np.array([4, bad], dtype=np.int64)
        feeds = {"token": token, "h_in": state, "c_in": state}  # an LSTM
        runs[f"gen{bad}"] = (to_onnx(gen), feeds)
    out = run_onnxruntime(tmp_path, runs, failing=list(runs))
    assert all("indices" in message.lower() for message in out.values()), out


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_onnx_refuses_what_is_not_exportable():
    with pytest.raises(NotFittedError, match="not fitted"):
        to_onnx(RNNClassifier())
    for estimator in (RNNSequenceGenerator(), RNNSeq2Seq()):
        with pytest.raises(NotFittedError, match="not fitted"):
            to_onnx(estimator)
    with pytest.raises(TypeError, match="not the class RNNClassifier"):
        to_onnx(RNNClassifier)
    X2 = np.random.default_rng(0).normal(size=(12, 3))
    with pytest.raises(NotImplementedError, match="RNNSeq2Seq their step models"):
        to_onnx(LogisticRegression().fit(X2, np.arange(12) % 2))
    search = GridSearchCV(RNNRegressor(**SMALL), {"alpha": [0.0, 0.1]}, cv=2)
    with pytest.raises(NotImplementedError, match="Export its best_estimator_"):
        to_onnx(search.fit(X2, X2[:, 0]))
    for opset in ("17", 17.0, True):
        with pytest.raises(TypeError, match="target_opset must be an int"):
            to_onnx(search.best_estimator_, target_opset=opset)
    ids = ragged_ids(seed=3)
    generator = RNNSequenceGenerator(**SMALL, input_type="tokens").fit(ids)
    with pytest.raises(NotImplementedError, match=r"skrnn.onnx.to_onnx exports"):
        skl2onnx.to_onnx(generator, initial_types=[("X", Int64TensorType([None, 9]))])
    sequences, _, _ = ragged_batch(seed=7)
    for labels, match in (
        (np.arange(14) % 2 == 0, "labels of dtype bool"),
        (np.uint64(2**63) + np.arange(14, dtype=np.uint64) % 2, "labels up to"),
    ):
        with pytest.raises(NotImplementedError, match=match):
            to_onnx(RNNClassifier(**SMALL).fit(sequences, labels))
    X = np.random.default_rng(0).normal(size=(16, 6))
    middle = make_pipeline(RNNRegressor(**SMALL), StandardScaler()).fit(X, X[:, 0])
    with pytest.raises(NotImplementedError, match="step 'rnnregressor'"):
        to_onnx(middle)
    sequences, _, _ = ragged_batch(seed=7)
    y = np.array([0.0, 2.0] * 7)  # float class labels
    clf = RNNClassifier(**SMALL).fit(sequences, y)
    with pytest.raises(NotImplementedError, match="labels of dtype float64"):
        to_onnx(clf)
    texts = ["up to it", "to it up", "it up to", "up up to"]
    y = [0, 1, 0, 1]
    small = {"hidden_size": 3, "max_iter": 1, "random_state": 0}
    # Settings the graph cannot express exactly: named, with the way out.
    clf = RNNClassifier(tokenizer=Tokenizer(token_pattern=r"[a-z]+"), **small)
    with pytest.raises(NotImplementedError, match="token_pattern='\\[a-z\\]\\+'"):
        to_onnx(clf.fit(texts, y))
    greek = ["ΟΔΟΣ up", "οδος to", "it up", "to it"]
    clf = RNNClassifier(**small).fit(greek, y)
    with pytest.raises(NotImplementedError, match=r"lowercase=True .* sigma"):
        to_onnx(clf)
    to_onnx(RNNClassifier(tokenizer=Tokenizer(lowercase=False), **small).fit(greek, y))
    symbols = np.array([["a", "b"], ["b", "c"], ["c", "a"], ["a", "a"]])
    clf = RNNClassifier(**small).fit(symbols, y)
    with pytest.raises(NotImplementedError, match=r"rows of symbols.*token ids"):
        to_onnx(clf)
    clf = RNNClassifier(**small).fit(texts, y)
    with pytest.raises(ValueError, match=r"target_opset=14.*opset 20"):
        to_onnx(clf, target_opset=14)
