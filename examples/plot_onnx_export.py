"""
Deploying with ONNX: export, load in onnxruntime, compare
=========================================================

:func:`skrnn.onnx.to_onnx` writes a fitted model as an ONNX graph (ONNX's
own LSTM, GRU and RNN operators, and the head), which onnxruntime runs with
neither skrnn nor scikit-learn nor Numba installed, and no kernels to
compile when a service starts. We fit an
:class:`~skrnn.RNNClassifier` on raw sentences, export it with its
tokenizer inside the graph, and check that onnxruntime predicts what skrnn
predicts; then we export the step model of a word-level
:class:`~skrnn.RNNSequenceGenerator` and generate sentences with a loop of
numpy around onnxruntime. See :ref:`onnx` for every input kind, Pipelines
and the encoder-decoder.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# A classifier of raw sentences
# -----------------------------
#
# :func:`~skrnn.datasets.load_sentiment` holds 2,000 short reviews whose
# label depends on word order ("great but awful" is negative). skrnn's
# default classifier reads the raw text: a fitted
# :class:`~skrnn.Tokenizer`, an embedding and an LSTM.
from time import perf_counter

from sklearn.model_selection import train_test_split

from skrnn import RNNClassifier
from skrnn.datasets import load_sentiment

X, y = load_sentiment(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
start = perf_counter()
clf = RNNClassifier(random_state=0).fit(X_train, y_train)
print(f"{clf.n_iter_} epochs in {perf_counter() - start:.1f} s")
print(f"held-out accuracy: {clf.score(X_test, y_test):.3f}")

# %%
# Export
# ------
#
# The graph reads a string tensor of documents: lowercasing, splitting into
# words and the word-to-id table of the fitted tokenizer are inside it. The
# model goes to a file, as it would to a service.
import tempfile
from pathlib import Path

from skrnn.onnx import to_onnx

model = to_onnx(clf)
folder = tempfile.TemporaryDirectory()
path = Path(folder.name) / "sentiment.onnx"
path.write_bytes(model.SerializeToString())
print(f"{path.name}: {path.stat().st_size / 1024:.0f} KiB")

# %%
# Load in onnxruntime and compare
# -------------------------------
#
# The deployment needs onnxruntime and numpy only. The classifier's graph
# returns the labels and the probabilities of the classes; its metadata
# hold the skrnn version and the estimator's parameters (as JSON).
import json

import numpy as np
import onnxruntime as ort

session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
for io in [*session.get_inputs(), *session.get_outputs()]:
    print(f"{io.name}: {io.type} {io.shape}")
meta = session.get_modelmeta().custom_metadata_map
print(f"skrnn {meta['skrnn_version']}, cell={json.loads(meta['param.cell'])!r}")

docs = np.array(X_test, dtype=object)  # a string tensor
onnx_labels, onnx_proba = session.run(None, {"X": docs})
skrnn_proba = clf.predict_proba(X_test)
difference = np.abs(onnx_proba - skrnn_proba).max()
equal = (onnx_labels == clf.predict(X_test)).sum()
print(f"largest difference of the probabilities: {difference:.2g}")
print(f"equal labels: {equal} of {len(X_test)}")

# %%
# The graph computes in float32, as skrnn does on text, so the two agree to
# float32 rounding: every point lies on the diagonal (left), and the
# differences (right) are a few units of float32's last place.
import matplotlib.pyplot as plt

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
left.plot([0, 1], [0, 1], color="lightgrey", zorder=0)
left.scatter(skrnn_proba[:, 1], onnx_proba[:, 1], s=8)
left.set_xlabel("skrnn: p(positive)")
left.set_ylabel("onnxruntime: p(positive)")
left.set_title(f"{len(X_test)} held-out sentences")
right.scatter(skrnn_proba[:, 1], onnx_proba[:, 1] - skrnn_proba[:, 1], s=8)
right.axhline(0, color="lightgrey", zorder=0)
right.ticklabel_format(axis="y", style="sci", scilimits=(0, 0))
right.set_xlabel("skrnn: p(positive)")
right.set_ylabel("onnxruntime - skrnn")
right.set_title("the differences: float32 rounding")
fig.tight_layout()
plt.show()

# %%
# Prediction time
# ---------------
#
# The best of five runs on the 500 held-out sentences, each side with its
# own threads (Numba's for skrnn, onnxruntime's pool). The figures depend
# on the machine, its load and the number of threads: measure on yours.


def best_time(predict, repeat=5):
    times = []
    for _ in range(repeat):
        start = perf_counter()
        predict()
        times.append(perf_counter() - start)
    return min(times)


skrnn_time = best_time(lambda: clf.predict_proba(X_test))
onnx_time = best_time(lambda: session.run(None, {"X": docs}))
print(f"skrnn predict_proba: {1000 * skrnn_time:.1f} ms")
print(f"onnxruntime:         {1000 * onnx_time:.1f} ms")

# %%
# Generating text outside Python
# ------------------------------
#
# A language model writes one token at a time. For an
# :class:`~skrnn.RNNSequenceGenerator`, :func:`~skrnn.onnx.to_onnx`
# exports the *step model*: it reads a token and the network's states, and
# returns the log-probabilities of the next token and the new states. The
# loop (where to start, temperature, where to stop) is the deployment's; the
# metadata give the begin and end ids, the ids never to draw and the
# vocabulary. A word model of the same sentences (20 epochs; it is still
# improving, hence a ``ConvergenceWarning``):
from skrnn import RNNSequenceGenerator, Tokenizer

start = perf_counter()
gen = RNNSequenceGenerator(
    tokenizer=Tokenizer(), hidden_size=64, max_iter=20, random_state=0
).fit(X)
print(f"{gen.n_iter_} epochs in {perf_counter() - start:.1f} s")
step_path = Path(folder.name) / "generator_step.onnx"
step_path.write_bytes(to_onnx(gen).SerializeToString())

# %%
# The deployment's loop, numpy and onnxruntime only. Each call feeds one
# token and the states the previous call returned (zeros at first); the
# next token is drawn from ``softmax(log_probabilities / temperature)`` over
# the ids the model may generate, or is the greedy ``next_token`` at
# temperature 0.
step = ort.InferenceSession(step_path, providers=["CPUExecutionProvider"])
meta = step.get_modelmeta().custom_metadata_map
vocabulary = json.loads(meta["vocabulary"])
begin, end = int(meta["begin_id"]), int(meta["end_id"])
allowed = np.ones(len(vocabulary), dtype=bool)
allowed[json.loads(meta["never_generated_ids"])] = False
state_shapes = {i.name: i.shape for i in step.get_inputs() if i.name != "token"}


def generate(n_tokens, temperature, rng):
    # (n_layers, 1, hidden_size) zeros for h_in (and c_in, for an LSTM).
    states = {
        name: np.zeros((shape[0], 1, shape[2]), dtype=np.float32)
        for name, shape in state_shapes.items()
    }
    token, words = begin, []
    for _ in range(n_tokens):
        log_p, greedy, *new_states = step.run(
            None, {"token": np.array([token]), **states}
        )
        states = dict(zip(states, new_states))
        if temperature == 0:
            token = int(greedy[0])
        else:
            logits = np.where(allowed, log_p[0] / temperature, -np.inf)
            p = np.exp(logits - logits.max())
            token = int(rng.choice(len(p), p=p / p.sum()))
        if token == end:
            break
        words.append(vocabulary[token])
    return meta["token_separator"].join(words)


greedy = generate(30, temperature=0, rng=None)
print(f"greedy (onnxruntime): {greedy}")
print(f"greedy (skrnn):       {gen.generate(30, temperature=0)}")
rng = np.random.default_rng(0)
for _ in range(3):
    print(f"temperature 0.8:      {generate(30, temperature=0.8, rng=rng)}")
folder.cleanup()

# %%
# The greedy loop writes exactly skrnn's greedy text. Sampled sentences
# follow the model's distribution, not skrnn's random numbers (skrnn draws
# with a generator of its own). The same loop in C#, Java or JavaScript
# needs onnxruntime's binding and the model file: the vocabulary and the
# markers travel in its metadata.
