"""Export fitted skrnn estimators to ONNX (the optional extra ``onnx``).

Importing this module registers skrnn's converters with skl2onnx, so that
``skl2onnx.to_onnx`` converts skrnn estimators and Pipelines holding them;
:func:`to_onnx` picks the input types itself. RNNClassifier, RNNRegressor
and RNNSequenceTagger are exported, fitted on numeric series, token ids or
raw text (the Tokenizer expressed with onnxruntime's string operators where
they reproduce it exactly), and so is a fitted Tokenizer inside a Pipeline;
RNNSequenceGenerator and RNNSeq2Seq export their step models (called once
per token by a loop of the deployment's own). Settings that cannot be
expressed exactly raise ``NotImplementedError`` saying so.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import json
from numbers import Integral

import numpy as np
from skl2onnx import to_onnx as _skl2onnx_to_onnx
from skl2onnx.common.data_types import FloatTensorType, StringTensorType
from sklearn.base import BaseEstimator
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from skrnn import RNNClassifier, RNNSeq2Seq, RNNSequenceGenerator, Tokenizer
from skrnn._version import __version__
from skrnn.onnx._converters import (
    MIN_OPSET,
    TEXT_MIN_OPSET,
    check_exportable,
    input_types,
    register,
    text_tokenizer,
)
from skrnn.onnx._step_models import step_models

__all__ = ["to_onnx"]

register()


def to_onnx(estimator, *, target_opset=None):
    """Export a fitted estimator to an ONNX model.

    The graph's inputs depend on what the estimator was fitted on:

    - numeric series: ``X``, padded float32 series of shape ``(N, T, C)``
      (``(N, T)`` for a model of one channel), and ``lengths``, int64
      ``(N,)``, each sequence's number of real steps (the steps past it are
      ignored);
    - token ids (``input_type="tokens"``): ``X``, int64 ``(N, T)``, padded
      with id 0 anywhere in a row, as skrnn reads it; a row of padding only
      is one out-of-vocabulary token, and an id outside ``[0,
      vocabulary_size_)`` makes onnxruntime fail, as skrnn raises;
    - raw text: ``X``, a string tensor ``(N,)`` of documents, tokenized in
      the graph as the fitted :class:`~skrnn.Tokenizer` does (lowercasing,
      words or characters, unknown tokens as the out-of-vocabulary id,
      ``max_length`` and ``truncating``), with onnxruntime's operators
      (com.microsoft's Tokenizer, ai.onnx.ml's LabelEncoder); a document
      without known tokens is read as out-of-vocabulary tokens.

    It runs ONNX's RNN, LSTM or GRU operators and returns what the estimator
    predicts: ``label`` and ``probabilities`` for RNNClassifier,
    ``variable`` ``(N, n_outputs)`` for RNNRegressor; for
    RNNSequenceTagger, ``label`` ``(N, T)``, ``probabilities`` ``(N, T,
    n_classes)`` and ``n_steps`` ``(N,)``, each sequence's number of steps
    (of tokens, for text): past it, the probabilities are 0 and the label is
    ``classes_[0]``. The model's ``metadata_props`` hold the skrnn version
    and the estimator's parameters (a graph made by ``skl2onnx.to_onnx``
    itself has no such metadata).

    A fitted :class:`~sklearn.pipeline.Pipeline` holding skrnn estimators
    (a scaler before an RNNRegressor, a Tokenizer before a token model)
    exports through skl2onnx as one graph reading ``X``: documents (a
    string tensor ``(N,)``) when the Pipeline starts with a Tokenizer, the
    first step's inputs when it starts with a skrnn model, else float32
    rows of ``n_features_in_`` values, each a series of that many steps. A
    skrnn model must be the Pipeline's last step (before it, a model
    transforms, which is not exported).

    RNNSequenceGenerator and RNNSeq2Seq export step models, which a
    deployment calls once per token in a loop of its own (their graphs and
    loops are described in the Notes).

    Parameters
    ----------
    estimator : RNNClassifier, RNNRegressor, RNNSequenceTagger, \
            RNNSequenceGenerator, RNNSeq2Seq or Pipeline
        Fitted on numeric series, token ids or raw text (RNNSeq2Seq: on
        numeric or token-id sources).
    target_opset : int, default=None
        The ONNX opset of the graph; None takes skl2onnx's latest tested
        opset (17 for the step models). At least 14, and 20 for raw text.

    Returns
    -------
    model : onnx.ModelProto or dict
        RNNSeq2Seq: ``{"encoder": ModelProto, "decoder_step": ModelProto}``.

    Raises
    ------
    NotImplementedError
        For what cannot be exported: RNNSeq2Seq fitted on text sources, and
        text whose tokenizer the graph cannot express exactly (a
        tokenizer other than skrnn.Tokenizer, rows of symbols, a
        ``token_pattern`` other than ``\\b\\w\\w+\\b`` or
        ``\\b\\w+\\b``, ``lowercase=True`` with a Greek sigma in the
        vocabulary); the message says what to export instead.

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
    token of each id, ``""`` for the reserved ids, ``"<unk>"`` for id 1),
    ``token_separator`` (what joins tokens into text) and ``tokenizer``
    (the tokenizer's settings: how to cut a prompt into tokens).

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
    if target_opset is not None and (
        not isinstance(target_opset, Integral) or isinstance(target_opset, bool)
    ):
        raise TypeError(f"target_opset must be an int or None, got {target_opset!r}.")
    if isinstance(estimator, (RNNSequenceGenerator, RNNSeq2Seq)):
        if target_opset is not None and target_opset < MIN_OPSET:
            raise ValueError(
                f"target_opset={target_opset}: this model's graphs need opset "
                f"{MIN_OPSET} or later."
            )
        models = step_models(estimator, target_opset)
        for model in models.values() if isinstance(models, dict) else [models]:
            _add_metadata(model, estimator)
        return models
    if isinstance(estimator, Pipeline):
        initial_types, least = _pipeline_input_types(estimator)
        steps = [step for _, step in estimator.steps]
    else:
        check_exportable(estimator)
        initial_types = input_types(estimator)
        least = TEXT_MIN_OPSET if estimator._input_kind == "text" else MIN_OPSET
        steps = [estimator]
    if target_opset is not None and target_opset < least:
        raise ValueError(
            f"target_opset={target_opset}: this model's graph needs opset {least} "
            "or later."
        )
    options = {
        id(step): {"zipmap": False} for step in steps if isinstance(step, RNNClassifier)
    }
    model = _skl2onnx_to_onnx(
        estimator,
        initial_types=initial_types,
        target_opset=target_opset,
        options=options or None,
    )
    _add_metadata(model, estimator)
    return model


def _pipeline_input_types(pipeline):
    """The input types of a fitted Pipeline holding a skrnn estimator, and
    the least opset of its graph.

    A Pipeline reads one input, ``X``: raw text (a string tensor ``(N,)``)
    when its first step is skrnn's Tokenizer or a skrnn model fitted on
    text, the first step's own inputs when it is a skrnn model, and
    otherwise float32 rows of ``n_features_in_`` values (each row a series
    of that many steps, as the scikit-learn steps read it).
    """
    check_is_fitted(pipeline)
    skrnn_steps = [
        step
        for _, step in pipeline.steps
        if type(step).__module__.split(".")[0] == "skrnn"
    ]
    if not skrnn_steps:
        raise ValueError(
            "This Pipeline holds no skrnn estimator; export it with skl2onnx.to_onnx."
        )
    for name, step in pipeline.steps[:-1]:
        if step in skrnn_steps and not isinstance(step, Tokenizer):
            # Before the last step a model transforms (its final states);
            # the converters export predictions only.
            raise NotImplementedError(
                f"ONNX export of a Pipeline whose step {name!r} "
                f"({type(step).__name__}) transforms for the next step is not "
                "implemented: a skrnn model can be exported as the last step only."
            )
    for step in skrnn_steps:
        if not isinstance(step, Tokenizer):
            check_exportable(step)
    first = pipeline.steps[0][1]
    if isinstance(first, Tokenizer):
        text_tokenizer(first, "Tokenizer")
        return [("X", StringTensorType([None]))], TEXT_MIN_OPSET
    if first is skrnn_steps[0]:
        least = TEXT_MIN_OPSET if first._input_kind == "text" else MIN_OPSET
        return input_types(first), least
    return [("X", FloatTensorType([None, pipeline.n_features_in_]))], MIN_OPSET


def _add_metadata(model, estimator):
    """Write skrnn's version and the estimator's parameters into ``model``.

    A Pipeline's are those of its steps, named ``step__parameter`` as
    ``get_params`` names them (the steps themselves are left out).
    """
    props = {"skrnn_version": __version__, "estimator": type(estimator).__name__}
    deep = isinstance(estimator, Pipeline)
    for name, value in estimator.get_params(deep=deep).items():
        if deep and (name == "steps" or isinstance(value, BaseEstimator)):
            continue
        props[f"param.{name}"] = json.dumps(value, default=_json_value)
    classes = getattr(estimator, "classes_", None)
    if classes is not None:
        props["classes"] = json.dumps(classes.tolist())
    for key, value in props.items():
        entry = model.metadata_props.add()
        entry.key = key
        entry.value = value


def _json_value(value):
    """What JSON cannot write itself: numpy scalars and arrays as numbers
    and lists, a RandomState by its type (its repr holds an address), any
    other object (an estimator, a tokenizer) by its repr."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.random.RandomState):
        return "RandomState instance"
    return repr(value)
