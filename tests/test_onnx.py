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
from skl2onnx.common.data_types import FloatTensorType, Int64TensorType
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skrnn import RNNClassifier, RNNRegressor, RNNSequenceTagger
from skrnn import __version__ as skrnn_version
from skrnn.onnx import to_onnx

# The packages of the extra "onnx" are in the extra "tests" too: no skip.

RTOL, ATOL = 1e-5, 1e-6

# Runs every model of a directory on its inputs; strings come back as str.
RUNNER = """
import pathlib, sys
import numpy as np
import onnxruntime as ort

root = pathlib.Path(sys.argv[1])
for model in sorted(root.glob("*.onnx")):
    session = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    feeds = {
        i.name: np.load(root / f"{model.stem}.in.{i.name}.npy")
        for i in session.get_inputs()
    }
    names = [o.name for o in session.get_outputs()]
    for name, out in zip(names, session.run(None, feeds)):
        out = np.asarray(out)
        if out.dtype == object:
            out = out.astype(str)
        np.save(root / f"{model.stem}.out.{name}.npy", out)
"""


def run_onnxruntime(tmp_path, runs):
    """Run ``{key: (model, inputs)}`` in onnxruntime; return ``{key: outputs}``."""
    for key, (model, inputs) in runs.items():
        (tmp_path / f"{key}.onnx").write_bytes(model.SerializeToString())
        for name, array in inputs.items():
            np.save(tmp_path / f"{key}.in.{name}.npy", array)
    subprocess.run(
        [sys.executable, "-c", RUNNER, str(tmp_path)],
        check=True,
        capture_output=True,
    )
    return {
        key: {
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
    # What lies past each length must not matter.
    padded = np.full((n, max_len, n_channels), 50.0, dtype=np.float32)
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


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_onnx_refuses_what_is_not_exportable_yet():
    with pytest.raises(ValueError, match="not fitted"):
        to_onnx(RNNClassifier())
    texts = ["up to it", "to it up", "it up to", "up up to"]
    clf = RNNClassifier(hidden_size=3, max_iter=1, random_state=0)
    with pytest.raises(NotImplementedError, match="fitted on text is not"):
        to_onnx(clf.fit(texts, [0, 1, 0, 1]))
    ids = np.array([[4, 5, 6], [5, 6, 0], [6, 4, 4], [4, 0, 0]])
    clf = RNNClassifier(hidden_size=3, max_iter=1, random_state=0, input_type="tokens")
    with pytest.raises(NotImplementedError, match="fitted on token ids is not"):
        to_onnx(clf.fit(ids, [0, 1, 0, 1]))
    # The generator and the encoder-decoder: tests/test_onnx_step_models.py.
    with pytest.raises(NotImplementedError, match="RNNSequenceTagger"):
        to_onnx(RNNSequenceTagger())
    sequences, _, _ = ragged_batch(seed=7)
    y = np.array([0.0, 2.0] * 7)  # float class labels
    clf = RNNClassifier(**SMALL).fit(sequences, y)
    with pytest.raises(NotImplementedError, match="labels of dtype float64"):
        to_onnx(clf)
