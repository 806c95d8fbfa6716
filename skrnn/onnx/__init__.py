"""Export fitted skrnn estimators to ONNX (the optional extra ``onnx``).

Importing this module registers skrnn's converters with skl2onnx, so that
``skl2onnx.to_onnx`` converts skrnn estimators and Pipelines holding them;
:func:`to_onnx` picks the input types itself. So far RNNClassifier and
RNNRegressor fitted on numeric series are exported; other estimators and
input kinds raise ``NotImplementedError`` saying so.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import json

from skl2onnx import to_onnx as _skl2onnx_to_onnx
from skl2onnx.common.data_types import FloatTensorType, Int64TensorType

from skrnn import RNNClassifier
from skrnn._version import __version__
from skrnn.onnx._converters import MIN_OPSET, check_exportable, register

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

    Parameters
    ----------
    estimator : RNNClassifier or RNNRegressor
        Fitted on numeric series.
    target_opset : int, default=None
        The ONNX opset of the graph; None takes skl2onnx's latest tested
        opset. At least 14.

    Returns
    -------
    model : onnx.ModelProto

    Raises
    ------
    NotImplementedError
        For the estimators and input kinds not exportable yet (text, token
        ids, RNNSequenceTagger, RNNSequenceGenerator, RNNSeq2Seq).
    """
    check_exportable(estimator)
    if target_opset is not None and target_opset < MIN_OPSET:
        raise ValueError(
            f"target_opset={target_opset}: skrnn's graphs need opset {MIN_OPSET} "
            "or later."
        )
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
