"""Export fitted skrnn estimators to ONNX (the optional extra ``onnx``).

Importing this module registers skrnn's converters with skl2onnx, so that
``skl2onnx.to_onnx`` converts skrnn estimators and Pipelines holding them;
:func:`to_onnx` picks the input types itself. So far RNNClassifier and
RNNRegressor fitted on numeric series are exported, and the step models of
RNNSequenceGenerator and RNNSeq2Seq; other estimators and input kinds raise
``NotImplementedError`` saying so.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import json

from skl2onnx import to_onnx as _skl2onnx_to_onnx
from skl2onnx.common.data_types import FloatTensorType, Int64TensorType

from skrnn import RNNClassifier, RNNSeq2Seq, RNNSequenceGenerator
from skrnn._version import __version__
from skrnn.onnx._converters import MIN_OPSET, check_exportable, register
from skrnn.onnx._step_models import step_models

__all__ = ["to_onnx"]

register()


def _input_types(estimator):
    """``X`` float32 (N, T, C), or (N, T) for one channel, and ``lengths``."""
    C = estimator.n_channels_in_
    shape = [None, None] if C == 1 else [None, None, C]
    return [("X", FloatTensorType(shape)), ("lengths", Int64TensorType([None]))]


def to_onnx(estimator, *, target_opset=None):
    """Export a fitted estimator to an ONNX model.

    The graph reads ``X``, padded float32 series of shape ``(N, T, C)``
    (``(N, T)`` for a model of one channel), and ``lengths``, int64 ``(N,)``,
    each sequence's number of real steps (the steps past it are ignored). It
    runs ONNX's RNN, LSTM or GRU operators and returns what the estimator
    predicts: ``label`` and ``probabilities`` for RNNClassifier,
    ``variable`` ``(N, n_outputs)`` for RNNRegressor. The model's
    ``metadata_props`` hold the skrnn version and the estimator's parameters.

    RNNSequenceGenerator and RNNSeq2Seq export step models, which a
    deployment calls once per token in a loop of its own (their graphs and
    loops are described in the Notes).

    Parameters
    ----------
    estimator : RNNClassifier, RNNRegressor, RNNSequenceGenerator or RNNSeq2Seq
        Fitted; a classifier or regressor on numeric series, an
        encoder-decoder on numeric or token-id sources.
    target_opset : int, default=None
        The ONNX opset of the graph; None takes skl2onnx's latest tested
        opset (17 for the step models). At least 14.

    Returns
    -------
    model : onnx.ModelProto or dict
        For RNNSeq2Seq, a dict ``{"encoder": ModelProto, "decoder_step":
        ModelProto}``.

    Raises
    ------
    NotImplementedError
        For the estimators and input kinds not exportable yet (text, token
        ids, RNNSequenceTagger; RNNSeq2Seq on text sources).

    Notes
    -----
    **RNNSequenceGenerator**: one call advances the network by one step.
    Inputs: ``token`` int64 ``(N,)`` (text and token ids) or ``value``
    float32 ``(N, n_channels)`` (numeric series), and the states ``h_in``
    (and ``c_in`` for an LSTM) float32 ``(n_layers, N, hidden_size)``,
    zeros at the start of a document. Outputs: ``log_probabilities`` ``(N,
    vocabulary_size_)``, the distribution of the next token (what
    ``predict_proba`` gives after the same tokens: padding and begin ids
    at ``log(0)``, here ``-1e30``), ``next_token`` int64 ``(N,)``, the
    greedy choice among the ids ``generate`` may output, or ``next_value``
    ``(N, n_channels)``; then ``h_out`` (and ``c_out``), the next call's
    states. A document starts with the begin id 2 as ``token``; ``generate``
    draws each token from ``log_probabilities`` and stops at the end id 3.
    Temperature and top-k are not in the graph: sample from
    ``softmax(log_probabilities / temperature)`` over the ids not in the
    metadata's ``never_generated_ids`` (temperature 0: ``next_token``). A
    numeric model reads its prompt value by value, then each
    ``next_value`` fed back. The metadata hold ``begin_id``, ``end_id``,
    ``never_generated_ids`` and, for text, ``vocabulary`` (a JSON list: the
    token of each id, ``""`` for the reserved ids, ``"<unk>"`` for id 1) and
    ``token_separator`` (what joins tokens into text).

    **RNNSeq2Seq**: ``"encoder"`` reads ``X`` (numeric: float32 ``(N, S,
    C)``, or ``(N, S)`` for one channel, and ``lengths`` int64 ``(N,)``;
    token ids: int64 ``(N, S)``, 0 pads) and returns ``memory`` ``(N, S,
    D)`` (the encoder's top states, ``D = hidden_size * n_directions``),
    ``source_lengths`` ``(N,)`` and ``h0`` (and ``c0``) ``(n_layers, N,
    D)``, the decoder's first states. ``"decoder_step"`` reads ``token``
    (int64 ``(N,)``: the begin id 2 first, then the previous output) or
    ``value`` (float32 ``(N, C + 1)``: zeros with the last channel 1 first,
    then the previous output with 0), ``h_in`` (and ``c_in``) and, with
    attention, ``memory`` and ``source_lengths``; it returns
    ``log_probabilities`` and ``next_token`` (greedy decoding: stop at the
    end id 3, or after the metadata's ``max_output_length`` tokens) or
    ``next_value`` ``(N, C)`` and, for series of different lengths,
    ``stop_probability`` ``(N,)`` (stop after the first step above 1/2, or
    after ``n_output_steps``), then ``attention`` ``(N, S)`` with
    attention, and ``h_out`` (and ``c_out``). Text targets: the metadata
    hold ``target_vocabulary`` and ``target_token_separator``. Beam search
    is left to the deployment's loop.
    """
    if target_opset is not None and target_opset < MIN_OPSET:
        raise ValueError(
            f"target_opset={target_opset}: skrnn's graphs need opset {MIN_OPSET} "
            "or later."
        )
    if isinstance(estimator, (RNNSequenceGenerator, RNNSeq2Seq)):
        models = step_models(estimator, target_opset)
        for model in models.values() if isinstance(models, dict) else [models]:
            _add_metadata(model, estimator)
        return models
    check_exportable(estimator)
    options = {id(estimator): {"zipmap": False}}
    if not isinstance(estimator, RNNClassifier):
        options = None
    model = _skl2onnx_to_onnx(
        estimator,
        initial_types=_input_types(estimator),
        target_opset=target_opset,
        options=options,
    )
    _add_metadata(model, estimator)
    return model


def _add_metadata(model, estimator):
    """Write skrnn's version and ``estimator.get_params()`` into ``model``."""
    props = {"skrnn_version": __version__, "estimator": type(estimator).__name__}
    for name, value in estimator.get_params(deep=False).items():
        props[f"param.{name}"] = json.dumps(value, default=repr)
    for key, value in props.items():
        entry = model.metadata_props.add()
        entry.key = key
        entry.value = value
