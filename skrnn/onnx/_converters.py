"""skl2onnx shape calculators and converters of skrnn's many-to-one estimators.

A fitted network becomes ONNX's own recurrent operators (RNN, LSTM, GRU with
``sequence_lens``), one per layer, each running both directions when the
network is bidirectional, then a Gemm head (+ Softmax, ArgMax and a label
lookup for the classifier). The recurrent operators run time-major
(``layout=0``: onnxruntime's CPU kernels do not run ``layout=1``).

Weights are rearranged from skrnn's layout (``W_x`` (F, G), ``W_h`` (H, G),
``b`` (G,), ``b_h``, gate blocks in PyTorch's order) into ONNX's: ``W``
(num_directions, G, F), ``R`` (num_directions, G, H), ``B`` (num_directions,
2G) = input biases then recurrent biases, gate blocks in ONNX's order:

* LSTM: skrnn i, f, g, o -> ONNX i, o, f, c; no recurrent bias.
* GRU: skrnn r, z, n -> ONNX z, r, h, with ``linear_before_reset=1`` (the
  candidate reads ``r * (h W_n + b_h)``, skrnn's form), ``b_h`` in the h
  block of the recurrent bias.
* RNN (tanh): one block, nothing to reorder.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from onnx import TensorProto
from skl2onnx import update_registered_converter
from skl2onnx.common.data_types import (
    FloatTensorType,
    Int64TensorType,
    StringTensorType,
)

from skrnn import RNNClassifier, RNNRegressor

# ONNX operator and gate-block order (in skrnn's block indices) per cell.
_OPERATORS = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}
_BLOCKS = {"rnn": [0], "lstm": [0, 3, 1, 2], "gru": [1, 0, 2]}
_KIND_NAMES = {"text": "text", "tokens": "token ids"}
# The operators' versions: RNN, LSTM and GRU last changed in opset 14
# (``layout``), Gemm in 13, Softmax and ArgMax in 13.
MIN_OPSET = 14


def check_exportable(estimator):
    """Raise unless ``estimator`` is a fitted model this module can export.

    Numeric input only so far: token ids, text, the tagger, the generator and
    the encoder-decoder are refused with the reason.
    """
    if not isinstance(estimator, (RNNClassifier, RNNRegressor)):
        raise NotImplementedError(
            f"ONNX export of {type(estimator).__name__} is not implemented yet: "
            "only RNNClassifier and RNNRegressor on numeric input can be exported."
        )
    if not hasattr(estimator, "_network"):
        raise ValueError(
            f"This {type(estimator).__name__} instance is not fitted yet; fit it "
            "before exporting it to ONNX."
        )
    kind = estimator._input_kind
    if kind != "numeric":
        raise NotImplementedError(
            f"ONNX export of a {type(estimator).__name__} fitted on "
            f"{_KIND_NAMES.get(kind, kind)} "
            "is not implemented yet: only numeric series (padded X and lengths) "
            "can be exported."
        )
    if isinstance(estimator, RNNClassifier):
        label_type(estimator.classes_)


def label_type(classes):
    """The skl2onnx tensor type of the ``label`` output for ``classes``."""
    if classes.dtype.kind in "iub":
        return Int64TensorType
    if classes.dtype.kind in "UO" and all(isinstance(c, str) for c in classes):
        return StringTensorType
    raise NotImplementedError(
        f"ONNX export of class labels of dtype {classes.dtype} is not "
        "implemented: the labels must be integers or strings."
    )


def onnx_weights(network, layer):
    """One layer's ``W``, ``R`` and ``B`` in ONNX's layout, float32."""
    cell = network.cell
    H = network.hidden_size
    Ws, Rs, Bs = [], [], []
    for direction in range(network.n_directions):
        p = {
            name: network.params[f"layer{layer}.dir{direction}.{name}"]
            for name in ("W_x", "W_h", "b", "b_h")
        }
        blocks = [slice(k * H, (k + 1) * H) for k in _BLOCKS[cell]]
        W = np.concatenate([p["W_x"][:, s] for s in blocks], axis=1).T
        R = np.concatenate([p["W_h"][:, s] for s in blocks], axis=1).T
        Wb = np.concatenate([p["b"][s] for s in blocks])
        Rb = np.zeros_like(Wb)
        if cell == "gru":
            Rb[2 * H :] = p["b_h"]  # ONNX's h block: the candidate's
        Ws.append(W)
        Rs.append(R)
        Bs.append(np.concatenate([Wb, Rb]))
    return tuple(np.stack(a).astype(np.float32) for a in (Ws, Rs, Bs))


def calculate_shapes(operator):
    """skl2onnx shape calculator: ``label`` and ``probabilities``, or ``variable``."""
    estimator = operator.raw_operator
    check_exportable(estimator)
    n_inputs = len(operator.inputs)
    if n_inputs not in (1, 2):
        raise ValueError(
            f"A skrnn model reads X, or X and lengths, in ONNX; got {n_inputs} inputs."
        )
    N = operator.inputs[0].get_first_dimension()
    n_outputs = estimator._network.n_outputs
    if isinstance(estimator, RNNClassifier):
        operator.outputs[0].type = label_type(estimator.classes_)([N])
        operator.outputs[1].type = FloatTensorType([N, n_outputs])
    else:
        operator.outputs[0].type = FloatTensorType([N, n_outputs])


def _add(container, scope, op_type, inputs, n_outputs=1, **attributes):
    """Add one node; return its output names (one name when ``n_outputs`` is 1)."""
    outputs = [
        scope.get_unique_variable_name(op_type.lower()) for _ in range(n_outputs)
    ]
    container.add_node(
        op_type,
        inputs,
        outputs,
        name=scope.get_unique_operator_name(op_type),
        op_version=attributes.pop("op_version", None),
        **attributes,
    )
    return outputs[0] if n_outputs == 1 else outputs


def _constant(container, scope, name, array, onnx_type):
    unique = scope.get_unique_variable_name(name)
    array = np.asarray(array)
    values = array.ravel().tolist()
    if onnx_type == TensorProto.STRING:
        values = [v.encode("utf-8") for v in values]
    container.add_initializer(unique, onnx_type, list(array.shape), values)
    return unique


def _head_features(scope, operator, container):
    """The network's features: each sequence's last state, every direction.

    Returns the name of a float32 tensor (N, H * num_directions).
    """
    estimator = operator.raw_operator
    network = estimator._network
    H = network.hidden_size
    D = network.n_directions
    X = operator.inputs[0].full_name
    if not isinstance(operator.inputs[0].type, FloatTensorType):
        X = _add(container, scope, "Cast", [X], to=TensorProto.FLOAT)
    C = network.n_inputs
    # (N, T) or (N, T, C) -> (N, T, C): a univariate model reads (N, T).
    shape = _constant(container, scope, "shape_ntc", [0, -1, C], TensorProto.INT64)
    x = _add(container, scope, "Reshape", [X, shape])
    x = _add(container, scope, "Transpose", [x], perm=[1, 0, 2])  # (T, N, C)
    if len(operator.inputs) == 2:
        lengths = operator.inputs[1].full_name
        lengths = _add(container, scope, "Cast", [lengths], to=TensorProto.INT32)
    else:
        # Fixed length: every sequence has all T steps.
        x_shape = _add(container, scope, "Shape", [x])
        t_index = _constant(container, scope, "t_index", [0], TensorProto.INT64)
        n_index = _constant(container, scope, "n_index", [1], TensorProto.INT64)
        T = _add(container, scope, "Gather", [x_shape, t_index], axis=0)
        N = _add(container, scope, "Gather", [x_shape, n_index], axis=0)
        lengths = _add(container, scope, "Expand", [T, N])
        lengths = _add(container, scope, "Cast", [lengths], to=TensorProto.INT32)
    op_type = _OPERATORS[network.cell]
    extra = {"linear_before_reset": 1} if network.cell == "gru" else {}
    direction = "bidirectional" if D == 2 else "forward"
    for layer in range(network.n_layers):
        W, R, B = onnx_weights(network, layer)
        names = [
            _constant(container, scope, f"{name}{layer}", array, TensorProto.FLOAT)
            for name, array in (("W", W), ("R", R), ("B", B))
        ]
        n_out = 3 if op_type == "LSTM" else 2
        outputs = _add(
            container,
            scope,
            op_type,
            [x, *names, lengths],
            n_outputs=n_out,
            hidden_size=H,
            direction=direction,
            **extra,
        )
        Y, Y_h = outputs[0], outputs[1]
        if layer + 1 < network.n_layers:
            # (T, D, N, H) -> (T, N, D, H) -> (T, N, D * H): the directions
            # side by side, as skrnn's next layer reads them.
            y = _add(container, scope, "Transpose", [Y], perm=[0, 2, 1, 3])
            shape = _constant(
                container, scope, "shape_tnf", [0, 0, D * H], TensorProto.INT64
            )
            x = _add(container, scope, "Reshape", [y, shape])
    # Y_h (D, N, H): the forward state after each sequence's last real step
    # and the backward state after time 0 -> (N, D * H).
    y_h = _add(container, scope, "Transpose", [Y_h], perm=[1, 0, 2])
    shape = _constant(container, scope, "shape_nf", [0, D * H], TensorProto.INT64)
    return _add(container, scope, "Reshape", [y_h, shape])


def _head(scope, operator, container):
    """Gemm of the features with the head's weights: raw outputs (N, n_outputs)."""
    network = operator.raw_operator._network
    features = _head_features(scope, operator, container)
    W = _constant(
        container,
        scope,
        "head_W",
        network.params["head.W"].astype(np.float32),
        TensorProto.FLOAT,
    )
    b = _constant(
        container,
        scope,
        "head_b",
        network.params["head.b"].astype(np.float32),
        TensorProto.FLOAT,
    )
    return _add(container, scope, "Gemm", [features, W, b])


def convert_classifier(scope, operator, container):
    """skl2onnx converter of RNNClassifier: ``label`` and ``probabilities``."""
    estimator = operator.raw_operator
    raw = _head(scope, operator, container)
    container.add_node(
        "Softmax",
        [raw],
        [operator.outputs[1].full_name],
        name=scope.get_unique_operator_name("Softmax"),
        axis=1,
    )
    index = _add(container, scope, "ArgMax", [raw], axis=1, keepdims=0)
    classes = estimator.classes_
    if label_type(classes) is StringTensorType:
        table = _constant(
            container, scope, "classes", classes.astype(str), TensorProto.STRING
        )
    else:
        table = _constant(
            container, scope, "classes", classes.astype(np.int64), TensorProto.INT64
        )
    container.add_node(
        "Gather",
        [table, index],
        [operator.outputs[0].full_name],
        name=scope.get_unique_operator_name("Gather"),
        axis=0,
    )


def convert_regressor(scope, operator, container):
    """skl2onnx converter of RNNRegressor: ``variable`` (N, n_outputs)."""
    raw = _head(scope, operator, container)
    container.add_node(
        "Identity",
        [raw],
        [operator.outputs[0].full_name],
        name=scope.get_unique_operator_name("Identity"),
    )


def register():
    """Register skrnn's converters with skl2onnx (idempotent)."""
    update_registered_converter(
        RNNClassifier,
        "SkrnnRNNClassifier",
        calculate_shapes,
        convert_classifier,
        options={"zipmap": [True, False, "columns"]},
    )
    update_registered_converter(
        RNNRegressor, "SkrnnRNNRegressor", calculate_shapes, convert_regressor
    )
