"""ONNX step models of RNNSequenceGenerator and RNNSeq2Seq, built with onnx.helper.

A next-step model has states in and out, so it is no skl2onnx converter (those
map ``X`` to predictions): each graph is written here node by node. One call
of a step model advances the network by one token (or value), exactly as
skrnn's own generation and decoding loops (``skrnn._kernels._generate``) do:

* the recurrent layers are ONNX's RNN, LSTM and GRU operators on a sequence
  of one step, started from the states fed in (weights from
  :func:`~skrnn.onnx._converters.onnx_weights`);
* the head is a Gemm; for tokens, the ids skrnn never predicts (padding and
  the begin marker) get the logit ``MASKED_LOGIT`` and a LogSoftmax gives
  ``log_probabilities``, what ``predict_proba`` exponentiates; ``next_token``
  is the greedy choice of ``generate(temperature=0)`` and of greedy
  decoding: the largest logit among the ids skrnn may output (the lowest id
  on ties, as ONNX's ArgMax);
* the encoder-decoder's attention (Luong et al.'s global attention with a
  dot or an additive score, :mod:`skrnn._kernels._attention`) is written
  with MatMul, Softmax and a mask of each source's real steps.

Every graph computes in float32.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import json

import numpy as np
from onnx import TensorProto, checker, helper, numpy_helper

from skrnn import RNNSeq2Seq, RNNSequenceGenerator
from skrnn._network import MASKED_LOGIT
from skrnn._sequences import BEGIN_ID, END_ID, OOV_ID, PAD_ID, UNK_MARKER
from skrnn.onnx._converters import (
    check_fitted,
    negative_out_of_range,
    onnx_weights,
    recurrent_operator,
    token_sequences,
)

# The opset of the step models when none is asked for: every operator they
# use is at its latest version there (LSTM/GRU/RNN 14, Softmax 13, ...).
DEFAULT_OPSET = 17

__all__ = ["generator_step_model", "seq2seq_models", "step_models"]


class _Graph:
    """Nodes and initializers of one graph, with unique names.

    It also answers the few calls of skl2onnx's scope and container that
    :mod:`skrnn.onnx._converters`'s graph helpers make, so that the step
    models reuse them (``token_sequences(g, g, ...)``).
    """

    def __init__(self):
        self.nodes = []
        self.initializers = []
        self._count = 0

    def _name(self, stem):
        self._count += 1
        return f"{stem}_{self._count}"

    def const(self, stem, array, dtype=None):
        """An initializer holding ``array``; returns its name."""
        array = np.asarray(array, dtype=dtype)
        name = self._name(stem)
        self.initializers.append(numpy_helper.from_array(array, name))
        return name

    def op(self, op_type, inputs, n_outputs=1, output=None, **attributes):
        """Add one node; return its output name(s). ``output`` names the
        (single) output, as a graph output."""
        if output is not None:
            outputs = [output]
        else:
            outputs = [self._name(op_type.lower()) for _ in range(n_outputs)]
        self.nodes.append(
            helper.make_node(
                op_type, inputs, outputs, name=self._name(op_type), **attributes
            )
        )
        return outputs[0] if n_outputs == 1 else outputs

    # skl2onnx's Scope and ModelComponentContainer, the part the helpers use.
    get_unique_variable_name = get_unique_operator_name = _name

    def add_initializer(self, name, onnx_type, shape, values):
        self.initializers.append(helper.make_tensor(name, onnx_type, shape, values))

    def add_node(self, op_type, inputs, outputs, name, op_version=None, **attributes):
        domain = attributes.pop("op_domain", "")
        self.nodes.append(
            helper.make_node(
                op_type, inputs, outputs, name=name, domain=domain, **attributes
            )
        )

    def model(self, name, inputs, outputs, opset):
        """The checked ModelProto of the graph."""
        graph = helper.make_graph(
            self.nodes, name, inputs, outputs, initializer=self.initializers
        )
        opsets = [helper.make_opsetid("", opset)]
        model = helper.make_model(graph, opset_imports=opsets, producer_name="skrnn")
        # The oldest IR version of the opset (onnx writes its newest, which
        # runtimes older than the onnx package may refuse).
        model.ir_version = helper.find_min_ir_version_for(opsets)
        checker.check_model(model)
        return model


def _float(array):
    return np.ascontiguousarray(array, dtype=np.float32)


def _tensor(name, elem_type, shape):
    return helper.make_tensor_value_info(name, elem_type, shape)


def _opset(target_opset):
    return DEFAULT_OPSET if target_opset is None else target_opset


def _layers_step(g, network, x, h_in, c_in):
    """One step of a unidirectional network's layers on ``x`` (N, F).

    Returns ``(top, h_out, c_out)``: the top layer's new state (N, H) and
    every layer's, (L, N, H) (``c_out`` None unless LSTM).
    """
    op_type, extra = recurrent_operator(network.cell)
    lstm = op_type == "LSTM"
    H = network.hidden_size
    axis0 = g.const("axis0", [0], np.int64)
    seq = g.op("Unsqueeze", [x, axis0])  # (1, N, F): a sequence of one step
    hs, cs = [], []
    for layer in range(network.n_layers):
        W, R, B = onnx_weights(network, layer)
        weights = [g.const(f"{n}{layer}", a) for n, a in (("W", W), ("R", R), ("B", B))]
        index = g.const(f"layer{layer}", [layer], np.int64)
        inputs = [seq, *weights, "", g.op("Gather", [h_in, index], axis=0)]
        if lstm:
            inputs.append(g.op("Gather", [c_in, index], axis=0))
        outputs = g.op(
            op_type, inputs, n_outputs=3 if lstm else 2, hidden_size=H,
            direction="forward", **extra,
        )  # fmt: skip
        seq = outputs[1]  # Y_h (1, N, H): the next layer's one-step sequence
        hs.append(seq)
        if lstm:
            cs.append(outputs[2])
    top = g.op("Squeeze", [seq, axis0])
    h_out = g.op("Concat", hs, output="h_out", axis=0)
    c_out = g.op("Concat", cs, output="c_out", axis=0) if lstm else None
    return top, h_out, c_out


def _state_io(network, width=None):
    """Graph inputs and outputs of the states: ``h`` and, for LSTM, ``c``."""
    L, H = network.n_layers, width or network.hidden_size
    names = ["h"] + (["c"] if network.cell == "lstm" else [])
    inputs = [_tensor(f"{n}_in", TensorProto.FLOAT, [L, "N", H]) for n in names]
    outputs = [_tensor(f"{n}_out", TensorProto.FLOAT, [L, "N", H]) for n in names]
    return inputs, outputs


def _token_outputs(g, logits, masked, forbidden):
    """``log_probabilities`` (N, V) and the greedy ``next_token`` (N,)."""
    pinned = g.op(
        "Where",
        [g.const("masked", masked), g.const("masked_logit", MASKED_LOGIT, np.float32),
         logits],
    )  # fmt: skip
    g.op("LogSoftmax", [pinned], output="log_probabilities", axis=1)
    allowed = g.op(
        "Where",
        [g.const("forbidden", forbidden), g.const("minus_inf", -np.inf, np.float32),
         logits],
    )  # fmt: skip
    g.op("ArgMax", [allowed], output="next_token", axis=1, keepdims=0)
    V = forbidden.shape[0]
    return [
        _tensor("log_probabilities", TensorProto.FLOAT, ["N", V]),
        _tensor("next_token", TensorProto.INT64, ["N"]),
    ]


def _head(g, network, features):
    """Raw head outputs ``features @ W + b``."""
    W = g.const("head_W", _float(network.params["head.W"]))
    b = g.const("head_b", _float(network.params["head.b"]))
    return g.op("Gemm", [features, W, b])


def _set_metadata(model, props):
    for key, value in props.items():
        entry = model.metadata_props.add()
        entry.key = key
        entry.value = value if isinstance(value, str) else json.dumps(value)


def _never_output(seen):
    """The ids a model never outputs: padding, begin, ids never a target."""
    forbidden = ~np.asarray(seen, dtype=bool)
    forbidden[[PAD_ID, BEGIN_ID]] = True
    return forbidden


def _vocabulary(tokenizer, size):
    """The string of every id (``""`` for the markers, ``"<unk>"`` for OOV)."""
    names = [""] * size
    names[OOV_ID] = UNK_MARKER
    for token, i in getattr(tokenizer, "vocabulary_", {}).items():
        names[i] = str(token)
    return names


# ---------------------------------------------------------------- generator
def generator_step_model(estimator, target_opset=None):
    """The next-step model of a fitted RNNSequenceGenerator.

    Text and token ids: inputs ``token`` int64 (N,), ``h_in`` (and ``c_in``
    for LSTM) float32 (n_layers, N, hidden_size); outputs
    ``log_probabilities`` (N, vocabulary_size_), ``next_token`` (N,) int64,
    ``h_out`` (and ``c_out``). Numeric series: input ``value`` float32 (N,
    n_channels), output ``next_value`` (N, n_channels). See
    :func:`skrnn.onnx.to_onnx`.
    """
    check_fitted(estimator)
    network = estimator._network
    if network.n_directions != 1:  # refused at fit; a loaded model is checked
        raise ValueError("A next-step model must be unidirectional.")
    g = _Graph()
    state_inputs, state_outputs = _state_io(network)
    h_in = "h_in"
    c_in = "c_in" if network.cell == "lstm" else None
    numeric = estimator._input_kind == "numeric"
    if numeric:
        C = estimator.n_channels_in_
        inputs = [_tensor("value", TensorProto.FLOAT, ["N", C])]
        x = "value"
    else:
        inputs = [_tensor("token", TensorProto.INT64, ["N"])]
        table = g.const("embedding", _float(network.params["embedding.W"]))
        token = negative_out_of_range(g, g, "token", network.vocabulary_size)
        x = g.op("Gather", [table, token], axis=0)
    top, _, _ = _layers_step(g, network, x, h_in, c_in)
    logits = _head(g, network, top)
    props = {"input_kind": estimator._input_kind}
    if numeric:
        g.op("Identity", [logits], output="next_value")
        outputs = [_tensor("next_value", TensorProto.FLOAT, ["N", C])]
    else:
        masked = estimator._output_mask()
        forbidden = _never_output(estimator._seen_targets)
        outputs = _token_outputs(g, logits, masked, forbidden)
        props.update(
            begin_id=BEGIN_ID,
            end_id=END_ID,
            never_generated_ids=np.flatnonzero(forbidden).tolist(),
        )
        if estimator._input_kind == "text":
            props["vocabulary"] = estimator._token_names()
            props["token_separator"] = estimator._token_separator()
            # How a deployment splits a prompt into the vocabulary's tokens.
            props["tokenizer"] = {
                name: value
                for name, value in estimator.tokenizer_.get_params().items()
                if isinstance(value, (str, int, float, bool, type(None)))
            }
    model = g.model(
        "skrnn_generator_step",
        inputs + state_inputs,
        outputs + state_outputs,
        _opset(target_opset),
    )
    _set_metadata(model, props)
    return model


# ------------------------------------------------------------------ seq2seq
def _check_seq2seq(estimator):
    check_fitted(estimator)
    if estimator._input_kind == "text":
        raise NotImplementedError(
            "ONNX export of a RNNSeq2Seq fitted on text sources is not "
            "implemented yet: only numeric sources (padded X and lengths) and "
            "token ids can be exported. Fit it on token ids instead "
            "(input_type='tokens', X = Tokenizer().fit_transform(texts)), and "
            "run that Tokenizer before the encoder."
        )


def _source(g, estimator, network):
    """The encoder's input, time-major (S, N, F), and the lengths (int64).

    Token ids: each row's non-zero ids in order (0 pads wherever it stands,
    as skrnn reads ids), a row of padding only read as one out-of-vocabulary
    token.
    """
    if estimator._input_kind == "numeric":
        C = estimator.n_channels_in_
        shape = ["N", "S"] if C == 1 else ["N", "S", C]
        inputs = [
            _tensor("X", TensorProto.FLOAT, shape),
            _tensor("lengths", TensorProto.INT64, ["N"]),
        ]
        x = g.op("Reshape", ["X", g.const("shape_nsc", [0, -1, C], np.int64)])
        x = g.op("Transpose", [x], perm=[1, 0, 2])
        return inputs, x, g.op("Identity", ["lengths"])
    inputs = [_tensor("X", TensorProto.INT64, ["N", "S"])]
    ids, lengths = token_sequences(
        g, g, "X", aligned=False, n_ids=network.vocabulary_size
    )
    table = g.const("embedding", _float(network.params["embedding.W"]))
    x = g.op("Transpose", [g.op("Gather", [table, ids], axis=0)], perm=[1, 0, 2])
    return inputs, x, lengths


def _encoder_model(estimator, opset):
    network = estimator._network.encoder
    g = _Graph()
    inputs, x, lengths = _source(g, estimator, network)
    g.op("Identity", [lengths], output="source_lengths")
    seq_lens = g.op("Cast", [lengths], to=TensorProto.INT32)
    op_type, extra = recurrent_operator(network.cell)
    lstm = op_type == "LSTM"
    H, dirs = network.hidden_size, network.n_directions
    D = H * dirs
    shape_nd = g.const("shape_nd", [0, D], np.int64)
    axis0 = g.const("axis0", [0], np.int64)

    def summary(state):
        # (dirs, N, H) -> (N, dirs, H) -> (1, N, D): both directions side
        # by side, as the decoder's layer starts from them.
        state = g.op("Transpose", [state], perm=[1, 0, 2])
        return g.op("Unsqueeze", [g.op("Reshape", [state, shape_nd]), axis0])

    hs, cs = [], []
    for layer in range(network.n_layers):
        W, R, B = onnx_weights(network, layer)
        weights = [g.const(f"{n}{layer}", a) for n, a in (("W", W), ("R", R), ("B", B))]
        outputs = g.op(
            op_type, [x, *weights, seq_lens], n_outputs=3 if lstm else 2,
            hidden_size=H, direction="bidirectional" if dirs == 2 else "forward",
            **extra,
        )  # fmt: skip
        hs.append(summary(outputs[1]))
        if lstm:
            cs.append(summary(outputs[2]))
        # (S, dirs, N, H) -> (S, N, dirs, H) -> (S, N, D): the next layer's input.
        y = g.op("Transpose", [outputs[0]], perm=[0, 2, 1, 3])
        x = g.op("Reshape", [y, g.const("shape_snd", [0, 0, D], np.int64)])
    g.op("Transpose", [x], output="memory", perm=[1, 0, 2])
    g.op("Concat", hs, output="h0", axis=0)
    L = network.n_layers
    outputs = [
        _tensor("memory", TensorProto.FLOAT, ["N", "S", D]),
        _tensor("source_lengths", TensorProto.INT64, ["N"]),
        _tensor("h0", TensorProto.FLOAT, [L, "N", D]),
    ]
    if lstm:
        g.op("Concat", cs, output="c0", axis=0)
        outputs.append(_tensor("c0", TensorProto.FLOAT, [L, "N", D]))
    return g.model("skrnn_seq2seq_encoder", inputs, outputs, opset)


def _attend(g, seq2seq, query):
    """Attention output (N, D) of ``query`` over ``memory``; writes the
    ``attention`` output (N, S)."""
    p = seq2seq.params
    axis1 = g.const("axis1", [1], np.int64)
    if seq2seq.attention == "dot":
        keys = g.op("Transpose", ["memory"], perm=[0, 2, 1])  # (N, D, S)
        scores = g.op("MatMul", [g.op("Unsqueeze", [query, axis1]), keys])
        scores = g.op("Squeeze", [scores, axis1])
    else:
        u = g.op("MatMul", [query, g.const("W_q", _float(p["attention.W_q"]))])
        keys = g.op(
            "Add",
            [g.op("MatMul", ["memory", g.const("W_k", _float(p["attention.W_k"]))]),
             g.const("b_k", _float(p["attention.b_k"]))],
        )  # fmt: skip
        hidden = g.op("Tanh", [g.op("Add", [g.op("Unsqueeze", [u, axis1]), keys])])
        scores = g.op("MatMul", [hidden, g.const("v", _float(p["attention.v"]))])
    # Only each source's real steps: s < source_lengths.
    S = g.op("Gather", [g.op("Shape", ["memory"]), g.const("one", 1, np.int64)], axis=0)
    positions = g.op(
        "Range", [g.const("zero", 0, np.int64), S, g.const("step", 1, np.int64)]
    )
    real = g.op(
        "Less",
        [g.op("Unsqueeze", [positions, g.const("axis0", [0], np.int64)]),
         g.op("Unsqueeze", ["source_lengths", axis1])],
    )  # fmt: skip
    scores = g.op("Where", [real, scores, g.const("minus_inf", -np.inf, np.float32)])
    weights = g.op("Softmax", [scores], output="attention", axis=1)
    context = g.op("MatMul", [g.op("Unsqueeze", [weights, axis1]), "memory"])
    context = g.op("Squeeze", [context, axis1])
    both = g.op("Concat", [context, query], axis=1)
    W_c = g.const("W_c", _float(p["attention.W_c"]))
    b_c = g.const("b_c", _float(p["attention.b_c"]))
    return g.op("Tanh", [g.op("Gemm", [both, W_c, b_c])])


def _decoder_model(estimator, opset):
    seq2seq = estimator._network
    decoder = seq2seq.decoder
    D = seq2seq.state_size
    g = _Graph()
    numeric = estimator._target_kind == "numeric"
    if numeric:
        F = decoder.n_inputs  # the values and the begin flag
        inputs = [_tensor("value", TensorProto.FLOAT, ["N", F])]
        x = "value"
    else:
        inputs = [_tensor("token", TensorProto.INT64, ["N"])]
        table = g.const("embedding", _float(decoder.params["embedding.W"]))
        x = g.op("Gather", [table, "token"], axis=0)
    state_inputs, state_outputs = _state_io(decoder, D)
    inputs += state_inputs
    c_in = "c_in" if decoder.cell == "lstm" else None
    top, _, _ = _layers_step(g, decoder, x, "h_in", c_in)
    outputs = []
    if seq2seq.attention is not None:
        inputs += [
            _tensor("memory", TensorProto.FLOAT, ["N", "S", D]),
            _tensor("source_lengths", TensorProto.INT64, ["N"]),
        ]
        top = _attend(g, seq2seq, top)
        outputs.append(_tensor("attention", TensorProto.FLOAT, ["N", "S"]))
    logits = _head(g, decoder, top)
    if numeric:
        C = decoder.n_outputs - (1 if estimator._stops else 0)
        axis1 = g.const("axis1", [1], np.int64)
        g.op(
            "Slice",
            [logits, g.const("start", [0], np.int64), g.const("stop", [C], np.int64),
             axis1],
            output="next_value",
        )  # fmt: skip
        outputs.insert(0, _tensor("next_value", TensorProto.FLOAT, ["N", C]))
        if estimator._stops:
            stop = g.op(
                "Slice",
                [logits, g.const("start", [C], np.int64),
                 g.const("stop", [C + 1], np.int64), axis1],
            )  # fmt: skip
            g.op("Sigmoid", [g.op("Squeeze", [stop, axis1])], output="stop_probability")
            outputs.insert(1, _tensor("stop_probability", TensorProto.FLOAT, ["N"]))
    else:
        masked = estimator._output_mask()
        forbidden = estimator._forbidden()
        outputs = _token_outputs(g, logits, masked, forbidden) + outputs
    return g.model("skrnn_seq2seq_decoder_step", inputs, outputs + state_outputs, opset)


def seq2seq_models(estimator, target_opset=None):
    """The encoder and the decoder step model of a fitted RNNSeq2Seq.

    Returns ``{"encoder": ModelProto, "decoder_step": ModelProto}``; see
    :func:`skrnn.onnx.to_onnx`.
    """
    _check_seq2seq(estimator)
    opset = _opset(target_opset)
    models = {
        "encoder": _encoder_model(estimator, opset),
        "decoder_step": _decoder_model(estimator, opset),
    }
    props = {
        "source_kind": estimator._input_kind,
        "target_kind": estimator._target_kind,
        "attention": json.dumps(estimator.attention),
    }
    if estimator._target_kind == "numeric":
        stops = bool(estimator._stops)
        props["n_output_steps"] = (
            estimator._max_steps() if stops else estimator._longest_target
        )
        props["stops"] = stops
    else:
        props.update(
            begin_id=BEGIN_ID,
            end_id=END_ID,
            max_output_length=estimator._max_steps(),
            never_output_ids=np.flatnonzero(estimator._forbidden()).tolist(),
        )
        reader = estimator._target_reader
        if estimator._target_kind == "text":
            props["target_vocabulary"] = _vocabulary(
                reader.tokenizer_, reader.vocabulary_size_
            )
            char = getattr(reader.tokenizer_, "analyzer", "word") == "char"
            props["target_token_separator"] = "" if char else " "
    for model in models.values():
        _set_metadata(model, props)
    return models


def step_models(estimator, target_opset=None):
    """The step model(s) of a generator or an encoder-decoder."""
    if isinstance(estimator, RNNSequenceGenerator):
        return generator_step_model(estimator, target_opset)
    if isinstance(estimator, RNNSeq2Seq):
        return seq2seq_models(estimator, target_opset)
    raise TypeError(f"{type(estimator).__name__} has no step model.")
