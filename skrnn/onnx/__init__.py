"""Export fitted skrnn estimators to ONNX (the optional extra ``onnx``).

Importing this module registers skrnn's converters with skl2onnx, so that
``skl2onnx.to_onnx`` converts skrnn estimators and Pipelines holding them;
:func:`to_onnx` picks the input types itself. RNNClassifier, RNNRegressor
and RNNSequenceTagger are exported, fitted on numeric series, token ids or
raw text (the Tokenizer expressed with onnxruntime's string operators where
they reproduce it exactly), and so is a fitted Tokenizer inside a Pipeline;
other estimators and settings raise ``NotImplementedError`` saying so.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import json

from skl2onnx import to_onnx as _skl2onnx_to_onnx

from skrnn import RNNClassifier
from skrnn._version import __version__
from skrnn.onnx._converters import (
    MIN_OPSET,
    TEXT_MIN_OPSET,
    check_exportable,
    input_types,
    register,
)

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
    and the estimator's parameters.

    Parameters
    ----------
    estimator : RNNClassifier, RNNRegressor or RNNSequenceTagger
        Fitted on numeric series, token ids or raw text.
    target_opset : int, default=None
        The ONNX opset of the graph; None takes skl2onnx's latest tested
        opset. At least 14, and 20 for raw text.

    Returns
    -------
    model : onnx.ModelProto

    Raises
    ------
    NotImplementedError
        For what cannot be exported: RNNSequenceGenerator and RNNSeq2Seq
        here, and text whose tokenizer the graph cannot express exactly (a
        tokenizer other than skrnn.Tokenizer, rows of symbols, a
        ``token_pattern`` other than ``\\b\\w\\w+\\b`` or
        ``\\b\\w+\\b``, ``lowercase=True`` with a Greek sigma in the
        vocabulary); the message says what to export instead.
    """
    check_exportable(estimator)
    least = TEXT_MIN_OPSET if estimator._input_kind == "text" else MIN_OPSET
    if target_opset is not None and target_opset < least:
        raise ValueError(
            f"target_opset={target_opset}: this model's graph needs opset {least} "
            "or later."
        )
    options = None
    if isinstance(estimator, RNNClassifier):
        options = {id(estimator): {"zipmap": False}}
    model = _skl2onnx_to_onnx(
        estimator,
        initial_types=input_types(estimator),
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
