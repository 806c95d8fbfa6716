"""ONNX step models (skrnn.onnx): a loop around onnxruntime generates, decodes
and scores as skrnn does.

The loops run in a subprocess that imports onnxruntime and numpy only, as a
deployment would (reading the vocabulary and the markers from the models'
metadata); the models go through files, the arrays through .npy.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import json
import subprocess
import sys

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from skrnn import RNNSeq2Seq, RNNSequenceGenerator, Tokenizer
from skrnn import __version__ as skrnn_version
from skrnn._network import log_probabilities
from skrnn._seq2seq import _as_decoder_input
from skrnn.onnx import to_onnx
from tests.test_onnx import ATOL, RTOL

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

# The deployment: one job per JSON file of a directory.
DEPLOYMENT = """
import json, pathlib, sys
import numpy as np
import onnxruntime as ort

root = pathlib.Path(sys.argv[1])


def session(name):
    s = ort.InferenceSession(str(root / name), providers=["CPUExecutionProvider"])
    return s, s.get_modelmeta().custom_metadata_map


def run(s, feeds):
    wanted = {i.name for i in s.get_inputs()}
    names = [o.name for o in s.get_outputs()]
    feeds = {k: v for k, v in feeds.items() if k in wanted}
    return dict(zip(names, s.run(None, feeds)))


def zero_states(s, n):
    shapes = {i.name: i.shape for i in s.get_inputs()}
    return {
        k: np.zeros((shapes[k][0], n, shapes[k][2]), np.float32)
        for k in ("h_in", "c_in") if k in shapes
    }


def advance(out, states):
    return {k: out[k.replace("_in", "_out")] for k in states}


def step_loop(s, states, step_inputs, context):
    # Teacher forcing: step t reads step_inputs[:, t]; every output kept.
    kept = {}
    for t in range(step_inputs.shape[1]):
        name = "token" if step_inputs.dtype == np.int64 else "value"
        out = run(s, {name: step_inputs[:, t], **states, **context})
        states = advance(out, states)
        for k, v in out.items():
            kept.setdefault(k, []).append(v)
    return {k: np.stack(v, axis=1) for k, v in kept.items()}


def pick(log_p, allowed, u):
    # skrnn's inverse-CDF draw at temperature 1, in id order.
    best = int(np.flatnonzero(allowed)[np.argmax(log_p[allowed])])
    p = np.where(allowed, np.exp(log_p.astype(np.float64) - log_p[best]), 0.0)
    cumulative = np.cumsum(p)
    hits = np.flatnonzero((p > 0) & (cumulative > u * cumulative[-1]))
    return int(hits[0]) if hits.size else int(np.flatnonzero(p > 0)[-1])


def generate(job):
    s, meta = session(job["model"])
    end = int(meta["end_id"])
    allowed = np.ones(s.get_outputs()[0].shape[1], bool)
    allowed[json.loads(meta["never_generated_ids"])] = False
    uniforms = np.load(root / job["uniforms"]) if job["uniforms"] else None
    results = []
    for k in range(job["n_samples"]):
        states = zero_states(s, 1)
        for token in [int(meta["begin_id"])] + job["prompt"]:
            out = run(s, {"token": np.array([token]), **states})
            states = advance(out, states)
        ids = []
        for step in range(job["n_steps"]):
            if uniforms is None:
                token = int(out["next_token"][0])
            else:
                token = pick(out["log_probabilities"][0], allowed, uniforms[k, step])
            if token == end:
                break
            ids.append(token)
            out = run(s, {"token": np.array([token]), **states})
            states = advance(out, states)
        if "vocabulary" in meta:
            names = json.loads(meta["vocabulary"])
            results.append(meta["token_separator"].join(names[i] for i in ids))
        else:
            results.append(ids)
    return results


def continue_series(job):
    s, _ = session(job["model"])
    prompt = np.load(root / job["prompt"])
    states = zero_states(s, 1)
    for value in prompt:
        out = run(s, {"value": value[None], **states})
        states = advance(out, states)
    values = []
    for _ in range(job["n_steps"]):
        values.append(out["next_value"][0])
        out = run(s, {"value": out["next_value"], **states})
        states = advance(out, states)
    np.save(root / f"{job['name']}.values.npy", np.array(values))


def encode(job):
    enc, _ = session(job["encoder"])
    feeds = {"X": np.load(root / job["X"])}
    if job.get("lengths"):
        feeds["lengths"] = np.load(root / job["lengths"])
    e = run(enc, feeds)
    states = {"h_in": e["h0"]}
    if "c0" in e:
        states["c_in"] = e["c0"]
    context = {"memory": e["memory"], "source_lengths": e["source_lengths"]}
    return e, states, context


def decode(job):
    dec, meta = session(job["decoder"])
    e, states, context = encode(job)
    n = e["source_lengths"].shape[0]
    if meta["target_kind"] == "numeric":
        n_steps = int(meta["n_output_steps"])
        C = dec.get_outputs()[0].shape[1]
        value = np.zeros((n, C + 1), np.float32)
        value[:, C] = 1  # the begin flag
        values = np.zeros((n, n_steps, C), np.float32)
        n_values = np.full(n, n_steps)
        running = np.ones(n, bool)
        for step in range(n_steps):
            out = run(dec, {"value": value, **states, **context})
            states = advance(out, states)
            values[running, step] = out["next_value"][running]
            if json.loads(meta["stops"]):
                ended = running & (out["stop_probability"] > 0.5)
                n_values[ended] = step + 1
                running &= ~ended
            if not running.any():
                break
            value = np.concatenate([out["next_value"], np.zeros((n, 1))], 1)
            value = value.astype(np.float32)
        np.save(root / f"{job['name']}.values.npy", values)
        np.save(root / f"{job['name']}.n_values.npy", n_values)
        return
    end = int(meta["end_id"])
    token = np.full(n, int(meta["begin_id"]))
    outputs = [[] for _ in range(n)]
    running = np.ones(n, bool)
    for _ in range(int(meta["max_output_length"])):
        out = run(dec, {"token": token, **states, **context})
        states = advance(out, states)
        token = out["next_token"]
        for i in np.flatnonzero(running):
            if token[i] == end:
                running[i] = False
            else:
                outputs[i].append(int(token[i]))
        if not running.any():
            break
    if "target_vocabulary" in meta:
        names = json.loads(meta["target_vocabulary"])
        sep = meta["target_token_separator"]
        outputs = [sep.join(names[i] for i in ids) for ids in outputs]
    return outputs


results = {}
for path in sorted(root.glob("*.job.json")):
    job = json.loads(path.read_text())
    name = job["name"]
    if job["kind"] == "steps":
        s, _ = session(job["model"])
        inputs = np.load(root / job["inputs"])
        kept = step_loop(s, zero_states(s, inputs.shape[0]), inputs, {})
    elif job["kind"] == "decoder_steps":
        dec, _ = session(job["decoder"])
        e, states, context = encode(job)
        kept = step_loop(dec, states, np.load(root / job["inputs"]), context)
        kept.update({f"encoder.{k}": v for k, v in e.items()})
    elif job["kind"] == "generate":
        results[name] = generate(job)
        continue
    elif job["kind"] == "continue":
        continue_series(job)
        continue
    else:
        results[name] = decode(job)
        continue
    for k, v in kept.items():
        np.save(root / f"{name}.{k}.npy", v)
(root / "results.json").write_text(json.dumps(results))
"""


class Deployment:
    """Jobs for the deployment script, run together in one subprocess."""

    def __init__(self, path):
        self.path = path
        self.n_files = 0

    def _save(self, obj):
        self.n_files += 1
        if hasattr(obj, "SerializeToString"):
            name = f"m{self.n_files}.onnx"
            (self.path / name).write_bytes(obj.SerializeToString())
        else:
            name = f"a{self.n_files}.npy"
            np.save(self.path / name, obj)
        return name

    def add(self, name, kind, **job):
        for key, value in job.items():
            if hasattr(value, "SerializeToString") or isinstance(value, np.ndarray):
                job[key] = self._save(value)
        job.update(name=name, kind=kind)
        (self.path / f"{name}.job.json").write_text(json.dumps(job))

    def add_seq2seq(self, name, kind, models, X, lengths=None, **job):
        self.add(
            name, kind, encoder=models["encoder"], decoder=models["decoder_step"],
            X=X, lengths=lengths, **job,
        )  # fmt: skip

    def run(self):
        """Run every job; return the JSON results and a loader of arrays."""
        subprocess.run(
            [sys.executable, "-c", DEPLOYMENT, str(self.path)],
            check=True,
            capture_output=True,
        )
        results = json.loads((self.path / "results.json").read_text())
        return results, lambda name, key: np.load(self.path / f"{name}.{key}.npy")


def padded(rows, width=None, fill=0):
    """Id rows as an int64 array padded with ``fill``."""
    width = width or max(map(len, rows))
    out = np.full((len(rows), width), fill, dtype=np.int64)
    for i, row in enumerate(rows):
        out[i, : len(row)] = row
    return out


def padded_series(series, fill=50.0):
    """Float32 series padded with garbage, and their lengths."""
    width = max(map(len, series))
    out = np.full((len(series), width, series[0].shape[1]), fill, np.float32)
    for i, s in enumerate(series):
        out[i, : len(s)] = s
    return out, np.array([len(s) for s in series], dtype=np.int64)


def valid_rows(per_step, lengths):
    """The rows of real steps of a (N, T, ...) array, sample by sample."""
    return per_step[np.arange(per_step.shape[1])[None, :] < lengths[:, None]]


# ----------------------------------------------------------------- generator
TEXTS = [
    "the cat sat on the mat",
    "a cat and a hat",
    "the hat sat",
    "on the mat a cat sat",
    "hats and mats",
]
SMALL_GEN = {"hidden_size": 6, "embedding_dim": 4, "max_iter": 4, "random_state": 0}


def _generator_reference(gen, X):
    """skrnn's teacher-forced log-probabilities (rows), inputs and lengths."""
    inputs, targets, lengths = gen._next_step_data(X, reset=False)
    out, _ = gen._network.step_outputs(inputs, lengths)
    if gen._input_kind == "numeric":
        return out, inputs, targets, lengths
    return log_probabilities(gen._mask_outputs(out)), inputs, targets, lengths


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_onnx_generator_steps_equal_skrnn(tmp_path, cell):
    # Character text, word text, token ids, numeric series; 1 and 2 layers.
    rng = np.random.default_rng(0)
    token_rows = [list(rng.integers(4, 12, size=rng.integers(3, 9))) for _ in range(8)]
    series = [rng.normal(size=(rng.integers(3, 9), 2)).astype(np.float32)]
    series += [rng.normal(size=(n, 2)).astype(np.float32) for n in (8, 5, 2, 7)]
    cases = {
        "char": (TEXTS, {}),
        "word": (TEXTS, {"tokenizer": Tokenizer(analyzer="word")}),
        "tokens": (padded(token_rows, 9), {"input_type": "tokens"}),
        "numeric": (series, {}),
    }
    deployment = Deployment(tmp_path)
    fitted = {}
    for n_layers in (1, 2):
        for kind, (X, params) in cases.items():
            key = f"{kind}{n_layers}"
            gen = RNNSequenceGenerator(
                cell=cell, n_layers=n_layers, **params, **SMALL_GEN
            ).fit(X)
            model = to_onnx(gen)
            ref, inputs, targets, lengths = _generator_reference(gen, X)
            fitted[key] = (gen, X, ref, targets, lengths)
            deployment.add(key, "steps", model=model, inputs=inputs)
            if kind == "numeric":
                deployment.add(
                    key + "_continue", "continue", model=model, prompt=series[1],
                    n_steps=12,
                )  # fmt: skip
                continue
            prompt = [] if kind != "tokens" else [int(t) for t in token_rows[0][:2]]
            deployment.add(
                key + "_greedy", "generate", model=model, prompt=prompt,
                n_steps=20, n_samples=1, uniforms=None,
            )  # fmt: skip
            uniforms = np.random.RandomState(7).random_sample((3, 20))
            deployment.add(
                key + "_sampled", "generate", model=model, prompt=prompt,
                n_steps=20, n_samples=3, uniforms=uniforms,
            )  # fmt: skip
    results, load = deployment.run()
    for key, (gen, X, ref, targets, lengths) in fitted.items():
        if key.startswith("numeric"):
            per_step = load(key, "next_value")
            assert_allclose(valid_rows(per_step, lengths), ref, rtol=RTOL, atol=ATOL)
            assert_allclose(
                load(key + "_continue", "values"),
                gen.generate(12, prompt=series[1]),
                rtol=RTOL,
                atol=ATOL,
            )
            continue
        per_step = load(key, "log_probabilities")
        assert per_step.shape[1] == targets.shape[1]
        assert_allclose(valid_rows(per_step, lengths), ref, rtol=RTOL, atol=ATOL)
        # Public views of the same numbers: the distribution after each
        # whole sequence, and the log-likelihood of each sequence.
        last = per_step[np.arange(len(lengths)), lengths - 1]
        assert_allclose(np.exp(last), gen.predict_proba(X), rtol=RTOL, atol=ATOL)
        picked = np.take_along_axis(per_step, targets[:, :, None], axis=2)[:, :, 0]
        scores = np.where(
            np.arange(targets.shape[1]) < lengths[:, None], picked, 0
        ).sum(axis=1)
        assert_allclose(scores, gen.score_samples(X), rtol=RTOL, atol=1e-5)
        prompt = np.array(X[0][:2]) if key.startswith("tokens") else None
        greedy = gen.generate(20, prompt=prompt, temperature=0)
        sampled = gen.generate(20, prompt=prompt, n_samples=3, random_state=7)
        if key.startswith("tokens"):
            # skrnn returns the prompt's ids then the new ones.
            greedy, sampled = greedy[2:], [s[2:] for s in sampled]
            greedy, sampled = greedy.tolist(), [s.tolist() for s in sampled]
        assert results[key + "_greedy"] == [greedy]
        assert results[key + "_sampled"] == sampled
        assert len(set(map(str, sampled))) > 1  # the draws differ


def test_onnx_generator_metadata_and_inputs():
    gen = RNNSequenceGenerator(cell="lstm", n_layers=2, **SMALL_GEN).fit(TEXTS)
    model = to_onnx(gen)
    props = {p.key: p.value for p in model.metadata_props}
    assert props["skrnn_version"] == skrnn_version
    assert props["estimator"] == "RNNSequenceGenerator"
    assert json.loads(props["param.n_layers"]) == 2
    vocabulary = json.loads(props["vocabulary"])
    assert len(vocabulary) == gen.vocabulary_size_
    for token, i in gen.tokenizer_.vocabulary_.items():
        assert vocabulary[i] == token
    assert props["token_separator"] == ""
    tokenizer = json.loads(props["tokenizer"])
    assert tokenizer["analyzer"] == gen.tokenizer_.analyzer == "char"
    assert tokenizer["lowercase"] == gen.tokenizer_.lowercase
    assert (props["begin_id"], props["end_id"]) == ("2", "3")
    never = json.loads(props["never_generated_ids"])
    assert never == np.flatnonzero(~gen._seen_targets).tolist()
    inputs = {i.name: i for i in model.graph.input}
    assert list(inputs) == ["token", "h_in", "c_in"]
    assert [o.name for o in model.graph.output] == [
        "log_probabilities", "next_token", "h_out", "c_out",
    ]  # fmt: skip
    dims = [
        d.dim_value or d.dim_param for d in inputs["h_in"].type.tensor_type.shape.dim
    ]
    assert dims == [2, "N", 6]
    # No c for the other cells.
    gru = RNNSequenceGenerator(cell="gru", **SMALL_GEN).fit(TEXTS)
    assert [i.name for i in to_onnx(gru).graph.input] == ["token", "h_in"]


# ------------------------------------------------------------------- seq2seq
SMALL_S2S = {"hidden_size": 6, "embedding_dim": 4, "max_iter": 30, "random_state": 0}


def _token_pairs(seed, n):
    """Token sources (padding anywhere: 0 pads wherever it stands) and their
    reversed targets, as padded arrays."""
    rng = np.random.default_rng(seed)
    sources = [list(rng.integers(4, 10, size=rng.integers(1, 6))) for _ in range(n)]
    targets = [s[::-1] for s in sources]
    X = padded(sources, 7)
    X[1] = np.roll(X[1], 2)  # padding first
    X[2, 0] = 0  # and an empty source (read as one out-of-vocabulary token)
    X[2, 1:] = 0
    return X, padded(targets, 7)


def _seq2seq_reference(model, X, y):
    """skrnn's teacher-forced per-step outputs (rows), the decoder's inputs,
    the targets and their lengths."""
    inputs, lengths = model._network_input(X)
    decoder_inputs, targets, target_lengths = model._read_targets(
        y, lengths.shape[0], reset=False
    )
    y_in = _as_decoder_input(decoder_inputs, model._network.dtype)
    out = model._network.step_outputs(inputs, lengths, y_in, target_lengths)
    if model._target_kind != "numeric":
        out[:, model._output_mask()] = -1e30
        out = log_probabilities(out)
    return out, y_in, targets, target_lengths


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_onnx_seq2seq_token_models_decode_as_skrnn(tmp_path, cell):
    X, y = _token_pairs(seed=0, n=40)
    X_new, y_new = _token_pairs(seed=1, n=12)  # held out
    deployment = Deployment(tmp_path)
    fitted = {}
    for attention in (None, "dot", "additive"):
        for n_layers, bidirectional in ((1, False), (2, True)):
            key = f"{attention}_{n_layers}_{bidirectional}"
            model = RNNSeq2Seq(
                cell=cell, attention=attention, n_layers=n_layers,
                bidirectional=bidirectional, input_type="tokens",
                target_type="tokens", **SMALL_S2S,
            ).fit(X, y)  # fmt: skip
            models = to_onnx(model)
            ref, y_in, targets, target_lengths = _seq2seq_reference(model, X_new, y_new)
            fitted[key] = (model, ref, targets, target_lengths)
            deployment.add_seq2seq(key, "decoder_steps", models, X_new, inputs=y_in)
            deployment.add_seq2seq(key + "_greedy", "decode", models, X_new)
    results, load = deployment.run()
    for key, (model, ref, targets, target_lengths) in fitted.items():
        per_step = load(key, "log_probabilities")
        assert_allclose(valid_rows(per_step, target_lengths), ref, rtol=RTOL, atol=ATOL)
        picked = np.take_along_axis(per_step, targets[:, :, None], axis=2)[:, :, 0]
        steps = np.arange(targets.shape[1]) < target_lengths[:, None]
        assert_allclose(
            np.where(steps, picked, 0).sum(axis=1),
            model.score_samples(X_new, y_new),
            rtol=RTOL,
            atol=1e-5,
        )
        if model.attention is not None:
            weights = load(key, "attention")
            lengths = load(key, "encoder.source_lengths")
            for i, expected in enumerate(model.attention_weights(X_new, y_new)):
                T, S = expected.shape
                assert S == lengths[i]
                assert_allclose(weights[i, :T, :S], expected, rtol=RTOL, atol=ATOL)
                assert_array_equal(weights[i, :T, S:], 0)
        predicted = [ids.tolist() for ids in model.predict(X_new)]
        assert results[key + "_greedy"] == predicted
        assert len({tuple(ids) for ids in predicted}) > 2  # not one answer


def test_onnx_seq2seq_text_targets_and_numeric_models(tmp_path):
    deployment = Deployment(tmp_path)
    # Token sources, character targets: the deployment writes text with the
    # target vocabulary of the metadata.
    X, _ = _token_pairs(seed=2, n=30)
    letters = np.array(list("?abcdefghij"))
    y_text = ["".join(letters[row[row > 0] - 3]) for row in X]
    text_model = RNNSeq2Seq(
        cell="gru", attention="dot", input_type="tokens",
        **{**SMALL_S2S, "hidden_size": 8, "max_iter": 40},
    ).fit(X, y_text)  # fmt: skip
    deployment.add_seq2seq("text", "decode", to_onnx(text_model), X)
    # Numeric sources of ragged lengths (garbage past them), targets of a
    # fixed horizon and series of their own lengths (a stop output).
    rng = np.random.default_rng(3)
    series = [
        rng.normal(size=(n, 2)).astype(np.float32) for n in rng.integers(2, 7, 24)
    ]
    Xs, lengths = padded_series(series)
    horizon = np.stack([s[:2].sum(axis=1) for s in series])
    ragged = [s[::-1, :1] for s in series]
    numeric = {}
    for key, y, attention in (
        ("horizon", horizon, "additive"),
        ("stops", ragged, "dot"),
        ("plain", ragged, None),
    ):
        model = RNNSeq2Seq(
            cell="lstm", attention=attention, n_layers=2, bidirectional=True,
            **SMALL_S2S,
        ).fit(series, y)  # fmt: skip
        models = to_onnx(model)
        ref, y_in, _, target_lengths = _seq2seq_reference(model, series, y)
        numeric[key] = (model, y, ref, target_lengths)
        deployment.add_seq2seq(key, "decoder_steps", models, Xs, lengths, inputs=y_in)
        deployment.add_seq2seq(key + "_decode", "decode", models, Xs, lengths)
    results, load = deployment.run()
    assert results["text"] == text_model.predict(X)
    assert len(set(results["text"])) > 3
    for key, (model, y, ref, target_lengths) in numeric.items():
        per_step = load(key, "next_value")
        assert_allclose(
            valid_rows(per_step, target_lengths),
            ref[:, : per_step.shape[2]],
            rtol=RTOL,
            atol=ATOL,
        )
        if key == "stops":  # the last output is the stop logit
            assert_allclose(
                valid_rows(load(key, "stop_probability"), target_lengths),
                1 / (1 + np.exp(-ref[:, -1])),
                rtol=RTOL,
                atol=ATOL,
            )
        values = load(key + "_decode", "values")
        n_values = load(key + "_decode", "n_values")
        predicted = model.predict(series)
        if key == "horizon":
            assert_allclose(values[:, :, 0], predicted, rtol=RTOL, atol=ATOL)
            continue
        assert_array_equal(n_values, [len(p) for p in predicted])
        for row, n, p in zip(values, n_values, predicted):
            assert_allclose(row[:n, 0], p, rtol=RTOL, atol=ATOL)
    assert "stop_probability" not in [
        o.name for o in to_onnx(numeric["horizon"][0])["decoder_step"].graph.output
    ]


def test_onnx_seq2seq_metadata_and_refusals():
    X, y = _token_pairs(seed=4, n=10)
    model = RNNSeq2Seq(input_type="tokens", target_type="tokens", **SMALL_S2S)
    models = to_onnx(model.fit(X, y))
    assert sorted(models) == ["decoder_step", "encoder"]
    for proto in models.values():
        props = {p.key: p.value for p in proto.metadata_props}
        assert props["skrnn_version"] == skrnn_version
        assert props["estimator"] == "RNNSeq2Seq"
        assert json.loads(props["param.attention"]) == "additive"
        assert int(props["max_output_length"]) == model._max_steps()
    with pytest.raises(ValueError, match="not fitted"):
        to_onnx(RNNSeq2Seq())
    with pytest.raises(ValueError, match="not fitted"):
        to_onnx(RNNSequenceGenerator())
    text = RNNSeq2Seq(max_iter=1, hidden_size=3).fit(
        ["ab", "ba", "abb"], ["b", "a", "b"]
    )
    with pytest.raises(NotImplementedError, match="RNNSeq2Seq fitted on text"):
        to_onnx(text)
    for proto in to_onnx(model, target_opset=14).values():
        assert [o.version for o in proto.opset_import] == [14]
    with pytest.raises(ValueError, match="opset 14"):
        to_onnx(model, target_opset=13)
