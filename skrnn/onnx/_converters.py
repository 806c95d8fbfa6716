"""skl2onnx shape calculators, parsers and converters of skrnn's estimators.

A fitted network becomes ONNX's own recurrent operators (RNN, LSTM, GRU with
``sequence_lens``), one per layer, each running both directions when the
network is bidirectional, then the head: a Gemm on each sequence's last
state (+ Softmax, ArgMax and a label lookup for the classifier), or a MatMul
at every step for the tagger. The recurrent operators run time-major
(``layout=0``: onnxruntime's CPU kernels do not run ``layout=1``).

What the first layer reads depends on what the model was fitted on (one
path, :func:`_network_input`, for every estimator):

* numeric series: ``X`` padded float32 and ``lengths``;
* token ids: ``X`` int64 ``(N, T)``, padded with id 0 anywhere (as
  :func:`skrnn._sequences.ids_to_sequences` reads it: the tokens are moved
  first, in order, and counted); a row without tokens is one
  out-of-vocabulary token; the embedding is a Gather of the fitted table,
  which fails on an id outside ``[0, vocabulary_size_)`` as skrnn does;
* raw text: a string tensor, tokenized in the graph (:func:`_text_ids`)
  where onnxruntime's string operators express the fitted
  :class:`~skrnn.Tokenizer` exactly, then read as token ids.

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

import functools
import re

import numpy as np
from onnx import TensorProto, helper
from skl2onnx import update_registered_converter
from skl2onnx.common.data_types import (
    FloatTensorType,
    Int64TensorType,
    StringTensorType,
)
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator

from skrnn import (
    RNNClassifier,
    RNNRegressor,
    RNNSeq2Seq,
    RNNSequenceGenerator,
    RNNSequenceTagger,
    Tokenizer,
)
from skrnn._sequences import OOV_ID, PAD_ID

# ONNX operator and gate-block order (in skrnn's block indices) per cell.
_OPERATORS = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}
_BLOCKS = {"rnn": [0], "lstm": [0, 3, 1, 2], "gru": [1, 0, 2]}
_EXPORTABLE = (RNNClassifier, RNNRegressor, RNNSequenceTagger)
# The operators' versions: RNN, LSTM and GRU last changed in opset 14
# (``layout``), Gemm in 13, Softmax and ArgMax in 13.
MIN_OPSET = 14
# Raw text also needs StringConcat (opset 20) and Equal on strings (19).
TEXT_MIN_OPSET = 20
# The token patterns expressed exactly, and the fewest word characters of
# a token under each: runs of word characters (a pattern between ``\b`` and
# ``\b`` matches whole runs only).
_WORD_PATTERNS = {
    r"(?u)\b\w\w+\b": 2,
    r"\b\w\w+\b": 2,
    r"(?u)\b\w+\b": 1,
    r"\b\w+\b": 1,
}
_INT64_MAX = np.iinfo(np.int64).max
# The small sigmas, medial and final: see text_tokenizer.
_SIGMAS = frozenset("\u03c3\u03c2")


# ----------------------------------------------------------------- checks
def check_exportable(estimator):
    """Raise unless ``estimator`` is a fitted model this module can export.

    RNNClassifier, RNNRegressor and RNNSequenceTagger fitted on numeric
    series, token ids, or raw text whose tokenizer :func:`text_tokenizer`
    accepts; class labels must be integers or strings.
    """
    if not isinstance(estimator, _EXPORTABLE):
        if isinstance(estimator, type):
            raise TypeError(
                f"Export a fitted instance, not the class {estimator.__name__}."
            )
        hint = (
            " Export its best_estimator_."
            if hasattr(estimator, "best_estimator_")
            else ""
        )
        raise NotImplementedError(
            f"ONNX export of {type(estimator).__name__} is not implemented by "
            "skrnn.onnx: RNNClassifier, RNNRegressor and RNNSequenceTagger "
            "export a predict graph (also as the last step of a Pipeline), "
            "RNNSequenceGenerator and RNNSeq2Seq their step models." + hint
        )
    check_fitted(estimator)
    if estimator._input_kind == "text":
        text_tokenizer(estimator.tokenizer_, type(estimator).__name__)
    if isinstance(estimator, (RNNClassifier, RNNSequenceTagger)):
        label_type(estimator.classes_)


def check_fitted(estimator):
    """Raise scikit-learn's ``NotFittedError`` unless ``estimator`` is fitted."""
    if not hasattr(estimator, "_network"):
        raise NotFittedError(
            f"This {type(estimator).__name__} instance is not fitted yet; fit it "
            "before exporting it to ONNX."
        )


def text_tokenizer(tokenizer, owner):
    """The skrnn Tokenizer in ``tokenizer`` if the graph can express it exactly.

    Raises ``NotImplementedError`` naming the setting that cannot be
    exported, and what to do instead.
    """
    if isinstance(tokenizer, FrozenEstimator):
        tokenizer = tokenizer.estimator
    instead = (
        "Export a model fitted on token ids instead (input_type='tokens', "
        "fed by the Tokenizer's transform outside the graph)."
    )
    if not isinstance(tokenizer, Tokenizer):
        raise NotImplementedError(
            f"ONNX export of {owner} fitted on text through the tokenizer "
            f"{type(tokenizer).__name__} is not implemented: only skrnn.Tokenizer "
            f"is expressed in ONNX. {instead}"
        )
    if tokenizer._kind != "text":
        raise NotImplementedError(
            f"ONNX export of {owner} fitted on 2-D rows of symbols is not "
            f"implemented: only raw text is tokenized in the graph. {instead}"
        )
    pretokenized = getattr(tokenizer, "_pretokenized", False)
    if (
        not pretokenized
        and tokenizer.analyzer == "word"
        and tokenizer.token_pattern not in _WORD_PATTERNS
    ):
        raise NotImplementedError(
            f"ONNX export of {owner}: the Tokenizer's "
            f"token_pattern={tokenizer.token_pattern!r} cannot be exported "
            "exactly (onnxruntime's regular expressions are RE2's, which read "
            "\\w, \\b and other constructs differently from Python's re); the "
            f"patterns exported are {sorted(_WORD_PATTERNS)}. {instead}"
        )
    if tokenizer.lowercase and any(
        _SIGMAS.intersection(token) for token in tokenizer.vocabulary_
    ):
        # str.lower() turns a capital sigma into a final or a medial sigma
        # depending on the letters around it; the graph lowercases each
        # character alone. Without either sigma in the vocabulary both
        # spellings are out of vocabulary alike.
        raise NotImplementedError(
            f"ONNX export of {owner}: lowercase=True with a vocabulary holding "
            "the Greek letter sigma (U+03C3 or U+03C2) cannot be exported exactly: "
            "str.lower() chooses the final or medial sigma from the letters "
            "around a capital sigma, which the graph does not see. Fit the "
            f"Tokenizer with lowercase=False, or: {instead}"
        )
    return tokenizer


def label_type(classes):
    """The skl2onnx tensor type of the ``label`` output for ``classes``.

    Integer labels become int64 (refused when int64 cannot hold them), strings
    stay strings; booleans and other types are refused (the graph would
    return something else than skrnn's ``predict``).
    """
    if classes.dtype.kind in "iu":
        if classes.size and classes.max() > _INT64_MAX:
            raise NotImplementedError(
                f"ONNX export of class labels up to {classes.max()} is not "
                "implemented: the graph's integer labels are int64."
            )
        return Int64TensorType
    if classes.dtype.kind in "UO" and all(isinstance(c, str) for c in classes):
        return StringTensorType
    raise NotImplementedError(
        f"ONNX export of class labels of dtype {classes.dtype} is not "
        "implemented: the labels must be integers or strings (fit on "
        "y.astype(int) or y.astype(str))."
    )


def input_types(estimator):
    """The skl2onnx input types of a fitted estimator's graph.

    Numeric series: ``X`` float32 (N, T, C), or (N, T) for one channel, and
    ``lengths`` int64 (N,). Token ids: ``X`` int64 (N, T). Raw text: ``X``
    string (N,).
    """
    kind = estimator._input_kind
    if kind == "tokens":
        return [("X", Int64TensorType([None, None]))]
    if kind == "text":
        return [("X", StringTensorType([None]))]
    C = estimator.n_channels_in_
    shape = [None, None] if C == 1 else [None, None, C]
    return [("X", FloatTensorType(shape)), ("lengths", Int64TensorType([None]))]


# ------------------------------------------------------- shapes and parsing
def calculate_shapes(operator):
    """skl2onnx shape calculator: ``label`` and ``probabilities``, or ``variable``."""
    estimator = operator.raw_operator
    check_exportable(estimator)
    n_inputs = len(operator.inputs)
    expected = (1, 2) if estimator._input_kind == "numeric" else (1,)
    if n_inputs not in expected:
        reads = "X, or X and lengths," if expected == (1, 2) else "X alone"
        raise ValueError(
            f"This skrnn model reads {reads} in ONNX; got {n_inputs} inputs."
        )
    N = operator.inputs[0].get_first_dimension()
    n_outputs = estimator._network.n_outputs
    if isinstance(estimator, RNNSequenceTagger):
        operator.outputs[0].type = label_type(estimator.classes_)([N, None])
        operator.outputs[1].type = FloatTensorType([N, None, n_outputs])
        operator.outputs[2].type = Int64TensorType([N])
    elif isinstance(estimator, RNNClassifier):
        operator.outputs[0].type = label_type(estimator.classes_)([N])
        operator.outputs[1].type = FloatTensorType([N, n_outputs])
    else:
        operator.outputs[0].type = FloatTensorType([N, n_outputs])


def parse_tagger(scope, model, inputs, custom_parsers=None):
    """skl2onnx parser of RNNSequenceTagger.

    Declares its three outputs: ``label``, ``probabilities``, ``n_steps``.
    """
    operator = scope.declare_local_operator("SkrnnRNNSequenceTagger", model)
    operator.inputs = inputs
    label = label_type(model.classes_)() if hasattr(model, "classes_") else None
    for name, kind in (
        ("label", label or StringTensorType()),
        ("probabilities", FloatTensorType()),
        ("n_steps", Int64TensorType()),
    ):
        operator.outputs.append(scope.declare_local_variable(name, kind))
    return operator.outputs


def calculate_tokenizer_shape(operator):
    """skl2onnx shape calculator of Tokenizer: int64 (N, ``max_length_``)."""
    tokenizer = operator.raw_operator
    if not hasattr(tokenizer, "vocabulary_"):
        raise ValueError(
            "This Tokenizer instance is not fitted yet; fit it before exporting "
            "it to ONNX."
        )
    text_tokenizer(tokenizer, "Tokenizer")
    N = operator.inputs[0].get_first_dimension()
    operator.outputs[0].type = Int64TensorType([N, tokenizer.max_length_])


# ------------------------------------------------------------ graph helpers
def _add(container, scope, op_type, inputs, n_outputs=1, output=None, **attributes):
    """Add one node; return its output names (one name when ``n_outputs`` is 1).

    ``output`` names the (single) output: a graph output of the operator.
    """
    if output is not None:
        outputs = [output]
    else:
        outputs = [
            scope.get_unique_variable_name(op_type.lower()) for _ in range(n_outputs)
        ]
    container.add_node(
        op_type,
        inputs,
        outputs,
        name=scope.get_unique_operator_name(op_type),
        op_version=attributes.pop("op_version", None),
        op_domain=attributes.pop("op_domain", ""),
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


def _ints(container, scope, name, values):
    """An int64 1-D constant."""
    return _constant(
        container, scope, name, np.asarray(values, np.int64), TensorProto.INT64
    )


def _float(container, scope, name, array):
    """A float32 constant (the network's weights)."""
    array = np.asarray(array, dtype=np.float32)
    return _constant(container, scope, name, array, TensorProto.FLOAT)


def _dim(container, scope, tensor, axis):
    """Dimension ``axis`` of ``tensor``, as an int64 tensor of shape (1,)."""
    shape = _add(container, scope, "Shape", [tensor])
    return _add(
        container,
        scope,
        "Slice",
        [
            shape,
            _ints(container, scope, "start", [axis]),
            _ints(container, scope, "end", [axis + 1]),
        ],
    )


def _positions(scope, container, size):
    """``0, 1, ..., size - 1`` (int64) for a size of shape (1,), as
    :func:`_dim` gives it."""
    return _add(
        container,
        scope,
        "Range",
        [
            _constant(container, scope, "zero", np.int64(0), TensorProto.INT64),
            _add(container, scope, "Squeeze", [size]),
            _constant(container, scope, "one", np.int64(1), TensorProto.INT64),
        ],
    )


def _slice_columns(container, scope, tensor, start, end, step=1):
    """``tensor[:, start:end:step]``."""
    return _add(
        container,
        scope,
        "Slice",
        [
            tensor,
            _ints(container, scope, "start", [start]),
            _ints(container, scope, "end", [end]),
            _ints(container, scope, "axes", [1]),
            _ints(container, scope, "steps", [step]),
        ],
    )


# -------------------------------------------------------- the network input
def _network_input(scope, operator, container):
    """The first layer's input: time-major ``x`` (T, N, F) float32 and the
    int64 ``lengths`` (N,), for the input kind the model was fitted on."""
    estimator = operator.raw_operator
    network = estimator._network
    X = operator.inputs[0].full_name
    kind = estimator._input_kind
    if kind == "numeric":
        return _numeric_input(scope, operator, container, X, network.n_inputs)
    if kind == "text":
        tokenizer = text_tokenizer(estimator.tokenizer_, type(estimator).__name__)
        ids = _text_ids(scope, container, X, tokenizer)
        if tokenizer.max_length is not None:
            # What Tokenizer.transform keeps; its padding is read away.
            ids = _pad_or_truncate(
                scope, container, ids, tokenizer.max_length_, tokenizer.truncating
            )
        ids, lengths = token_sequences(scope, container, ids, aligned=True)
    else:
        if not isinstance(operator.inputs[0].type, Int64TensorType):
            X = _add(container, scope, "Cast", [X], to=TensorProto.INT64)
        ids, lengths = token_sequences(
            scope, container, X, aligned=False, n_ids=network.vocabulary_size
        )
    table = _float(container, scope, "embedding", network.params["embedding.W"])
    x = _add(container, scope, "Gather", [table, ids], axis=0)  # (N, T, E)
    x = _add(container, scope, "Transpose", [x], perm=[1, 0, 2])
    return x, lengths


def _numeric_input(scope, operator, container, X, C):
    """Padded series (N, T) or (N, T, C), and ``lengths`` or all T steps."""
    if not isinstance(operator.inputs[0].type, FloatTensorType):
        X = _add(container, scope, "Cast", [X], to=TensorProto.FLOAT)
    # (N, T) or (N, T, C) -> (N, T, C): a univariate model reads (N, T).
    x = _add(
        container, scope, "Reshape", [X, _ints(container, scope, "ntc", [0, -1, C])]
    )
    x = _add(container, scope, "Transpose", [x], perm=[1, 0, 2])  # (T, N, C)
    if len(operator.inputs) == 2:
        lengths = operator.inputs[1].full_name
        if not isinstance(operator.inputs[1].type, Int64TensorType):
            lengths = _add(container, scope, "Cast", [lengths], to=TensorProto.INT64)
        return x, lengths
    # Fixed length: every sequence has all T steps.
    T = _dim(container, scope, x, 0)
    N = _dim(container, scope, x, 1)
    return x, _add(container, scope, "Expand", [T, N])


def _token_counts(scope, container, ids, keepdims):
    """Whether each id is a token (int64 0/1, id 0 being padding) and the
    number of tokens per row."""
    is_token = _add(
        container,
        scope,
        "Not",
        [
            _add(
                container,
                scope,
                "Equal",
                [ids, _ints(container, scope, "pad_id", [PAD_ID])],
            )
        ],
    )
    counts = _add(container, scope, "Cast", [is_token], to=TensorProto.INT64)
    n = _add(
        container,
        scope,
        "ReduceSum",
        [counts, _ints(container, scope, "axis", [1])],
        keepdims=keepdims,
    )
    return counts, n


def negative_out_of_range(scope, container, ids, n_ids):
    """``ids`` with every negative id replaced by ``n_ids``.

    ONNX's Gather reads a negative index from the end of the table; skrnn
    refuses negative ids. Made out of range, they make the embedding's
    Gather fail, as an id from ``n_ids`` up does.
    """
    negative = _add(
        container, scope, "Less", [ids, _ints(container, scope, "zero", [0])]
    )
    return _add(
        container,
        scope,
        "Where",
        [negative, _ints(container, scope, "n_ids", [n_ids]), ids],
    )


def token_sequences(scope, container, ids, aligned, n_ids=None):
    """Padded ids (N, W) as left-aligned sequences and their int64 lengths.

    What :func:`skrnn._sequences.ids_to_sequences` and :func:`read_input` do:
    every non-zero id is a token, in order, id 0 padding wherever it
    stands; a row without tokens is one out-of-vocabulary token. ``aligned``
    says the tokens already come first (ids made in the graph). With
    ``n_ids``, a negative id is made out of range, so that the embedding's
    Gather fails on it as on an id from ``n_ids`` up (skrnn raises on both).
    """
    if n_ids is not None:
        ids = negative_out_of_range(scope, container, ids, n_ids)
    # At least one column (X of width 0: one column of padding, as skrnn).
    W = _dim(container, scope, ids, 1)
    one = _ints(container, scope, "one", [1])
    missing = _add(
        container, scope, "Sub", [one, _add(container, scope, "Min", [W, one])]
    )
    pads = _add(
        container,
        scope,
        "Concat",
        [_ints(container, scope, "pads", [0, 0, 0]), missing],
        axis=0,
    )
    ids = _add(container, scope, "Pad", [ids, pads])
    counts, lengths = _token_counts(scope, container, ids, keepdims=0)
    if not aligned:
        # A stable sort of "is padding": the keys are all distinct
        # (position + W for padding), so TopK's order is the stable one.
        W = _dim(container, scope, ids, 1)
        steps = _positions(scope, container, W)
        is_pad = _add(container, scope, "Sub", [one, counts])
        keys = _add(
            container,
            scope,
            "Add",
            [_add(container, scope, "Mul", [is_pad, W]), steps],
        )
        _, order = _add(
            container, scope, "TopK", [keys, W], n_outputs=2, axis=1, largest=0
        )
        ids = _add(container, scope, "GatherElements", [ids, order], axis=1)
    # A row without tokens is one out-of-vocabulary token: its first id
    # becomes OOV_ID, which no other row's first id (a token) is below.
    first = _add(
        container,
        scope,
        "Max",
        [
            _slice_columns(container, scope, ids, 0, 1),
            _ints(container, scope, "oov", [OOV_ID]),
        ],
    )
    rest = _slice_columns(container, scope, ids, 1, _INT64_MAX)
    ids = _add(container, scope, "Concat", [first, rest], axis=1)
    lengths = _add(container, scope, "Max", [lengths, one])
    return ids, lengths


def _pad_or_truncate(scope, container, ids, width, truncating, padding="post"):
    """Left-aligned ids (N, L) cut and padded to ``width`` as Tokenizer._pad."""
    _, n = _token_counts(scope, container, ids, keepdims=1)  # (N, 1)
    m = _ints(container, scope, "width", [width])
    kept = _add(container, scope, "Min", [n, m])
    zero = _ints(container, scope, "zero", [0])
    # The first kept token: "pre" drops the first n - m tokens.
    start = zero
    if truncating == "pre":
        start = _add(
            container, scope, "Max", [_add(container, scope, "Sub", [n, m]), zero]
        )
    # The first output column holding a token: "pre" pads before them.
    first = zero
    if padding == "pre":
        first = _add(container, scope, "Sub", [m, kept])
    j = _ints(container, scope, "columns", np.arange(width)[None, :])  # (1, m)
    source = _add(
        container, scope, "Add", [j, _add(container, scope, "Sub", [start, first])]
    )
    # Gather from ids with at least one column; clip to it (masked below).
    L = _dim(container, scope, ids, 1)
    pads = _add(
        container,
        scope,
        "Concat",
        [
            _ints(container, scope, "pads", [0, 0, 0]),
            _add(
                container, scope, "Max", [_add(container, scope, "Sub", [m, L]), zero]
            ),
        ],
        axis=0,
    )
    ids = _add(container, scope, "Pad", [ids, pads])
    last = _add(
        container,
        scope,
        "Sub",
        [_add(container, scope, "Max", [L, m]), _ints(container, scope, "one", [1])],
    )
    source = _add(
        container,
        scope,
        "Clip",
        [
            source,
            _constant(container, scope, "low", np.int64(0), TensorProto.INT64),
            _add(container, scope, "Squeeze", [last]),
        ],
    )
    shape = _add(
        container, scope, "Concat", [_dim(container, scope, ids, 0), m], axis=0
    )
    source = _add(container, scope, "Expand", [source, shape])
    taken = _add(container, scope, "GatherElements", [ids, source], axis=1)
    valid = _add(
        container,
        scope,
        "And",
        [
            _add(container, scope, "GreaterOrEqual", [j, first]),
            _add(
                container,
                scope,
                "Less",
                [j, _add(container, scope, "Add", [first, kept])],
            ),
        ],
    )
    return _add(
        container,
        scope,
        "Where",
        [valid, taken, _ints(container, scope, "pad_id", [PAD_ID])],
    )


# -------------------------------------------------------------------- text
@functools.cache
def _code_points(predicate_name):
    """The code points (surrogates excluded) Python's rule ``predicate_name``
    accepts: ``"word"``, a character ``re``'s ``\\w`` matches in a str
    pattern; ``"space"``, one ``str.split()`` splits on."""
    if predicate_name == "word":
        word = re.compile(r"\w")

        def accepts(c):
            return word.match(c) is not None

    else:

        def accepts(c):
            return c.isspace()

    return [i for i in range(0x110000) if not 0xD800 <= i < 0xE000 and accepts(chr(i))]


def _re2_class(code_points, negate=False):
    """An RE2 character class of exactly ``code_points`` (or all others).

    The class lists Python's own code points as ranges, so the graph's
    regular expression reads characters as this Python's ``re`` and
    ``str`` do, whatever Unicode version RE2 was built with.
    """
    ranges = []
    for i in code_points:
        if ranges and ranges[-1][1] == i - 1:
            ranges[-1][1] = i
        else:
            ranges.append([i, i])
    parts = [
        f"\\x{{{a:X}}}" if a == b else f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in ranges
    ]
    return "[" + ("^" if negate else "") + "".join(parts) + "]"


@functools.cache
def _lowercase_table():
    """Every character that ``str.lower()`` changes, and what it becomes.

    Per character, except that a capital sigma is always the medial sigma
    (see :func:`text_tokenizer`, which refuses vocabularies where the
    difference shows).
    """
    keys, values = [], []
    for i in range(0x110000):
        if 0xD800 <= i < 0xE000:
            continue
        c = chr(i)
        lowered = c.lower()
        if lowered != c:
            keys.append(c)
            values.append(lowered)
    return keys, values


def _token_regex(tokenizer):
    """The RE2 expression of one token of raw text, or None for characters."""
    if getattr(tokenizer, "_pretokenized", False):
        return _re2_class(_code_points("space"), negate=True) + "+"
    if tokenizer.analyzer == "char":
        return None
    fewest = _WORD_PATTERNS[tokenizer.token_pattern]
    return _re2_class(_code_points("word")) + ("{2,}" if fewest == 2 else "+")


def _string_tokenizer(scope, container, docs, pad, **how):
    """onnxruntime's com.microsoft Tokenizer: documents (N,) -> tokens (N, L),
    padded with ``pad``; ``how`` is ``separators`` or ``tokenexp``.

    Its output type is declared (``value_info``): onnx's shape inference
    cannot infer it, and the ai.onnx.ml LabelEncoder reading it then
    crashes the process (onnx 1.23).
    """
    tokens = _add(
        container,
        scope,
        "Tokenizer",
        [docs],
        op_domain="com.microsoft",
        op_version=1,
        mark=0,
        mincharnum=1,
        pad_value=pad,
        **how,
    )
    container.value_info.append(
        helper.make_tensor_value_info(tokens, TensorProto.STRING, None)
    )
    return tokens


def _split_characters(scope, container, docs, pad):
    """Documents (N,) -> their characters (N, L), padded with ``pad``."""
    return _string_tokenizer(scope, container, docs, pad, separators=[""])


def _lowercase(scope, container, docs):
    """``str.lower()`` of each document (N,), character by character.

    onnxruntime's StringNormalizer lowercases through the C library's
    locale, which differs from Python (and may be missing); the graph maps
    each character through Python's own table instead, then joins the
    characters back, pairwise (StringConcat), in a loop.
    """
    chars = _split_characters(scope, container, docs, pad="")
    keys, values = _lowercase_table()
    mapped = _add(
        container,
        scope,
        "LabelEncoder",
        [chars],
        op_domain="ai.onnx.ml",
        op_version=2,
        keys_strings=keys,
        values_strings=values,
        default_string="",
    )
    unchanged = _add(
        container,
        scope,
        "Equal",
        [
            mapped,
            _constant(container, scope, "empty", np.array([""]), TensorProto.STRING),
        ],
    )
    chars = _add(container, scope, "Where", [unchanged, chars, mapped])
    empty_column = _constant(
        container, scope, "empty_column", np.array([[""]]), TensorProto.STRING
    )
    N = _dim(container, scope, chars, 0)
    column = _add(
        container,
        scope,
        "Expand",
        [
            empty_column,
            _add(
                container,
                scope,
                "Concat",
                [N, _ints(container, scope, "one", [1])],
                axis=0,
            ),
        ],
    )
    # At least one column (documents all empty), then halve until one.
    chars = _add(container, scope, "Concat", [chars, column], axis=1)
    joined = _add(
        container,
        scope,
        "Loop",
        [
            # No bound but the condition (skl2onnx cannot sort an empty name).
            _constant(
                container, scope, "trips", np.int64(_INT64_MAX), TensorProto.INT64
            ),
            _constant(container, scope, "true", np.array(True), TensorProto.BOOL),
            chars,
        ],
        body=_halving_body(column),
    )
    return _add(
        container, scope, "Reshape", [joined, _ints(container, scope, "flat", [-1])]
    )


def _halving_body(column):
    """Loop body: ``x`` (N, W) -> ``x[:, 0::2] + [x, ""][:, 1::2]`` (N, ceil(W/2))
    and whether more than one column is left. ``column`` (N, 1) of "" is
    read from the enclosing graph."""

    def ints(name, values):
        return helper.make_node(
            "Constant",
            [],
            [name],
            value=helper.make_tensor(name, TensorProto.INT64, [len(values)], values),
        )

    nodes = [
        ints("b_zero", [0]),
        ints("b_one", [1]),
        ints("b_two", [2]),
        ints("b_max", [_INT64_MAX]),
        helper.make_node(
            "Slice", ["b_x", "b_zero", "b_max", "b_one", "b_two"], ["b_left"]
        ),
        helper.make_node("Concat", ["b_x", column], ["b_padded"], axis=1),
        helper.make_node(
            "Slice", ["b_padded", "b_one", "b_max", "b_one", "b_two"], ["b_right"]
        ),
        helper.make_node("StringConcat", ["b_left", "b_right"], ["b_out"]),
        helper.make_node("Shape", ["b_out"], ["b_shape"], start=1, end=2),
        helper.make_node("Greater", ["b_shape", "b_one"], ["b_more"]),
        helper.make_node("Squeeze", ["b_more", "b_zero"], ["b_cond"]),
    ]
    return helper.make_graph(
        nodes,
        "halve",
        [
            helper.make_tensor_value_info("b_i", TensorProto.INT64, []),
            helper.make_tensor_value_info("b_cond_in", TensorProto.BOOL, []),
            helper.make_tensor_value_info("b_x", TensorProto.STRING, None),
        ],
        [
            helper.make_tensor_value_info("b_cond", TensorProto.BOOL, []),
            helper.make_tensor_value_info("b_out", TensorProto.STRING, None),
        ],
    )


def _text_ids(scope, container, X, tokenizer):
    """Raw text (N,) or (N, 1) -> left-aligned token ids (N, L), padded with 0.

    ``tokenizer._id_lists``: each document lowercased (``lowercase``),
    split into tokens (characters, the runs of word characters the token
    pattern matches, or whitespace-separated tokens for a tokenizer fitted
    on pre-tokenized text), each token mapped to its id, OOV_ID if unknown.
    """
    if container.target_opset < TEXT_MIN_OPSET:
        raise ValueError(
            f"target_opset={container.target_opset}: the tokenizer of raw text "
            f"needs opset {TEXT_MIN_OPSET} or later (StringConcat)."
        )
    docs = _add(container, scope, "Reshape", [X, _ints(container, scope, "flat", [-1])])
    if tokenizer.lowercase:
        docs = _lowercase(scope, container, docs)
    vocabulary = tokenizer.vocabulary_
    # Tokens never hold whitespace and are one character when characters:
    # two spaces are never a token.
    pad = "  "
    while pad in vocabulary:
        pad += " "
    regex = _token_regex(tokenizer)
    if regex is None:
        tokens = _split_characters(scope, container, docs, pad)
    else:
        tokens = _string_tokenizer(scope, container, docs, pad, tokenexp=regex)
    return _add(
        container,
        scope,
        "LabelEncoder",
        [tokens],
        op_domain="ai.onnx.ml",
        op_version=2,
        keys_strings=[pad, *vocabulary],
        values_int64s=[PAD_ID, *vocabulary.values()],
        default_int64=OOV_ID,
    )


# ------------------------------------------------------------ the network
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


def recurrent_operator(cell):
    """ONNX's operator of a skrnn cell and its attributes.

    The GRU's candidate reads ``r * (h W_n + b_h)`` (PyTorch's form, and
    skrnn's): ONNX's ``linear_before_reset=1``.
    """
    extra = {"linear_before_reset": 1} if cell == "gru" else {}
    return _OPERATORS[cell], extra


def _recurrent_layers(scope, container, network, x, lengths):
    """Run every layer on ``x`` (T, N, F).

    Returns ``(Y, Y_h)`` of the top layer, in ONNX's shapes: ``Y`` (T, D,
    N, H), zero past each length; ``Y_h`` (D, N, H), the forward state after
    each sequence's last real step and the backward state after time 0.
    """
    H = network.hidden_size
    D = network.n_directions
    lengths = _add(container, scope, "Cast", [lengths], to=TensorProto.INT32)
    op_type, extra = recurrent_operator(network.cell)
    direction = "bidirectional" if D == 2 else "forward"
    Y = None
    for layer in range(network.n_layers):
        if layer:
            x = _directions_side_by_side(scope, container, Y, D * H)
        W, R, B = onnx_weights(network, layer)
        names = [
            _float(container, scope, f"{name}{layer}", array)
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
    return Y, Y_h


def _directions_side_by_side(scope, container, Y, width):
    """(T, D, N, H) -> (T, N, D * H): the directions side by side at each
    step, as skrnn's next layer and head read them."""
    y = _add(container, scope, "Transpose", [Y], perm=[0, 2, 1, 3])
    return _add(
        container, scope, "Reshape", [y, _ints(container, scope, "tnf", [0, 0, width])]
    )


def _head(scope, operator, container):
    """Gemm of each sequence's last state with the head: (N, n_outputs)."""
    network = operator.raw_operator._network
    x, lengths = _network_input(scope, operator, container)
    _, Y_h = _recurrent_layers(scope, container, network, x, lengths)
    # Y_h (D, N, H) -> (N, D * H).
    features = _add(container, scope, "Transpose", [Y_h], perm=[1, 0, 2])
    width = network.n_directions * network.hidden_size
    features = _add(
        container,
        scope,
        "Reshape",
        [features, _ints(container, scope, "nf", [0, width])],
    )
    W = _float(container, scope, "head_W", network.params["head.W"])
    b = _float(container, scope, "head_b", network.params["head.b"])
    return _add(container, scope, "Gemm", [features, W, b])


def _label_table(scope, container, classes):
    if label_type(classes) is StringTensorType:
        return _constant(
            container, scope, "classes", classes.astype(str), TensorProto.STRING
        )
    return _constant(
        container, scope, "classes", classes.astype(np.int64), TensorProto.INT64
    )


def convert_classifier(scope, operator, container):
    """skl2onnx converter of RNNClassifier: ``label`` and ``probabilities``."""
    estimator = operator.raw_operator
    raw = _head(scope, operator, container)
    _add(
        container,
        scope,
        "Softmax",
        [raw],
        output=operator.outputs[1].full_name,
        axis=1,
    )
    index = _add(container, scope, "ArgMax", [raw], axis=1, keepdims=0)
    _add(
        container,
        scope,
        "Gather",
        [_label_table(scope, container, estimator.classes_), index],
        output=operator.outputs[0].full_name,
        axis=0,
    )


def convert_regressor(scope, operator, container):
    """skl2onnx converter of RNNRegressor: ``variable`` (N, n_outputs)."""
    raw = _head(scope, operator, container)
    _add(
        container,
        scope,
        "Identity",
        [raw],
        output=operator.outputs[0].full_name,
    )


def convert_tagger(scope, operator, container):
    """skl2onnx converter of RNNSequenceTagger.

    Outputs ``label`` (N, T), ``probabilities`` (N, T, n_classes) and
    ``n_steps`` (N,), each sequence's number of real steps (for text, of
    tokens). Past each length, ``probabilities`` are 0 and ``label`` is
    ``classes_[0]``. For token ids and text, step t is the sequence's t-th
    token (padding anywhere in a row of ids is read away first).
    """
    estimator = operator.raw_operator
    network = estimator._network
    x, lengths = _network_input(scope, operator, container)
    Y, _ = _recurrent_layers(scope, container, network, x, lengths)
    width = network.n_directions * network.hidden_size
    features = _directions_side_by_side(scope, container, Y, width)
    features = _add(container, scope, "Transpose", [features], perm=[1, 0, 2])
    W = _float(container, scope, "head_W", network.params["head.W"])
    b = _float(container, scope, "head_b", network.params["head.b"])
    raw = _add(
        container, scope, "Add", [_add(container, scope, "MatMul", [features, W]), b]
    )  # (N, T, C)
    # The real steps: t < lengths[i].
    T = _dim(container, scope, raw, 1)
    steps = _positions(scope, container, T)
    column = _add(
        container, scope, "Unsqueeze", [lengths, _ints(container, scope, "axis", [1])]
    )
    real = _add(container, scope, "Less", [steps, column])  # (N, T)
    real_int = _add(container, scope, "Cast", [real], to=TensorProto.INT64)
    real_float = _add(container, scope, "Cast", [real], to=TensorProto.FLOAT)
    proba = _add(container, scope, "Softmax", [raw], axis=-1)
    _add(
        container,
        scope,
        "Mul",
        [
            proba,
            _add(
                container,
                scope,
                "Unsqueeze",
                [real_float, _ints(container, scope, "axis", [2])],
            ),
        ],
        output=operator.outputs[1].full_name,
    )
    index = _add(container, scope, "ArgMax", [raw], axis=-1, keepdims=0)
    index = _add(container, scope, "Mul", [index, real_int])
    _add(
        container,
        scope,
        "Gather",
        [_label_table(scope, container, estimator.classes_), index],
        output=operator.outputs[0].full_name,
        axis=0,
    )
    _add(
        container,
        scope,
        "Identity",
        [lengths],
        output=operator.outputs[2].full_name,
    )


def convert_tokenizer(scope, operator, container):
    """skl2onnx converter of Tokenizer: ``transform``'s ids (N, ``max_length_``)."""
    tokenizer = text_tokenizer(operator.raw_operator, "Tokenizer")
    ids = _text_ids(scope, container, operator.inputs[0].full_name, tokenizer)
    ids = _pad_or_truncate(
        scope,
        container,
        ids,
        tokenizer.max_length_,
        tokenizer.truncating,
        tokenizer.padding,
    )
    _add(
        container,
        scope,
        "Identity",
        [ids],
        output=operator.outputs[0].full_name,
    )


def register():
    """Register skrnn's converters with skl2onnx (idempotent)."""
    update_registered_converter(
        RNNClassifier,
        "SkrnnRNNClassifier",
        calculate_shapes,
        convert_classifier,
        # skl2onnx's ZipMap reads "nocl" (class names kept: False only).
        options={"zipmap": [True, False, "columns"], "nocl": [False]},
    )
    update_registered_converter(
        RNNRegressor, "SkrnnRNNRegressor", calculate_shapes, convert_regressor
    )
    update_registered_converter(
        RNNSequenceTagger,
        "SkrnnRNNSequenceTagger",
        calculate_shapes,
        convert_tagger,
        parser=parse_tagger,
    )
    update_registered_converter(
        Tokenizer, "SkrnnTokenizer", calculate_tokenizer_shape, convert_tokenizer
    )
    for model in (RNNSequenceGenerator, RNNSeq2Seq):
        update_registered_converter(
            model,
            f"Skrnn{model.__name__}",
            refuse_step_model,
            lambda scope, operator, container: refuse_step_model(operator),
        )


def refuse_step_model(operator):
    """skl2onnx shape calculator (and converter) of the models that export
    step models: they have no single predict graph; say where they are."""
    name = type(operator.raw_operator).__name__
    raise NotImplementedError(
        f"skl2onnx.to_onnx cannot export {name}: it has no single predict "
        f"graph. skrnn.onnx.to_onnx exports its step model(s), which a loop of "
        "the deployment's own calls once per token."
    )
