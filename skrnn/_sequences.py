"""Input adapters: recognise and validate sequence input.

The only module that knows which input kinds exist. Numeric kinds are turned
into a fresh, writable, C-contiguous padded array ``values`` of shape
``(n_samples, n_timesteps, n_channels)`` in the compute dtype, plus int64
``lengths``; token ids into a left-aligned int64 array ``(n_samples,
n_timesteps)`` whose ids are checked against the vocabulary, plus ``lengths``;
all before anything reaches a kernel.

Kinds (see API.md, "What X may be"):

* raw text: a 1-D collection whose elements are all ``str`` (or ``bytes``,
  decoded as UTF-8);
* pre-tokenized text: a 1-D collection whose elements are all lists or
  tuples of ``str``, each string one token (read through a tokenizer, like
  raw text, but never split);
* symbol rows: a 2-D array none of whose elements are numbers, each row a
  sequence of tokens (read through a tokenizer, like raw text); a table mixing
  numbers with strings or missing values is refused (see :func:`has_symbols`);
* 2-D numeric ``(n_samples, n_timesteps)``: univariate series;
* 3-D numeric ``(n_samples, n_timesteps, n_channels)``: multivariate series;
* a list or tuple of arrays ``(T_i,)`` / ``(T_i, n_channels)``, or of lists of
  numbers of unequal lengths: variable-length (ragged) series;
* token ids (only when asked for with ``input_type="tokens"``): a 2-D integer
  array padded with id 0, or a ragged list of integer sequences.

The reserved token ids, shared by the Tokenizer and the estimators, are
defined here too. How an estimator reads each kind (through its tokenizer)
is :mod:`skrnn._input`, one layer up: it needs the Tokenizer, which needs
this module.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import sys
import warnings
from numbers import Integral, Number

import numpy as np
from scipy import sparse
from sklearn.utils.validation import check_array, validate_data

# Reserved token ids; a tokenizer's vocabulary starts after them. Padding,
# a token out of the vocabulary, and the markers the sequence generator
# adds at the beginning and end of every document.
PAD_ID = 0
OOV_ID = 1
BEGIN_ID = 2
END_ID = 3
N_RESERVED_IDS = 4
# How text shows the out-of-vocabulary id.
UNK_MARKER = "<unk>"

STRING_ERROR = "Iterable over raw text documents expected, string object received."


def materialize_one_pass(X):
    """``X`` as a list when it is a one-pass iterable (a generator of
    documents), so that it can be read more than once; else ``X`` itself.

    Anything that is not iterable (None, a number) is returned as is, for
    the reader to name the problem.
    """
    if isinstance(X, (str, bytes)) or hasattr(X, "__len__"):
        return X
    if hasattr(X, "__iter__") and not hasattr(X, "__array__"):
        return list(X)
    return X


def text_documents(X):
    """The documents of ``X`` if it is text, else None.

    Raw text is a 1-D collection (list, tuple, 1-D array, pandas Series)
    whose elements are all ``str``, or a single column of them (a one-column
    DataFrame, as ``df[["text"]]`` gives); the kind is decided by the
    elements, never by the dtype. ``bytes`` documents are text decoded as
    UTF-8 (CountVectorizer's default encoding; undecodable bytes raise
    ``UnicodeDecodeError``). A single string raises CountVectorizer's error
    and a 1-D collection mixing strings with other objects a ``TypeError``
    naming the first document that is not a string.

    Pre-tokenized text is a 1-D collection whose elements are all lists or
    tuples of ``str`` (see :func:`pretokenized_documents`); each such
    document is returned as a list of its tokens, each raw document as a
    ``str``.
    """
    if isinstance(X, (str, bytes)):
        raise ValueError(STRING_ERROR)
    if sparse.issparse(X):
        return None
    if isinstance(X, (list, tuple)):
        # The elements of a list keep their own types here: np.asarray would
        # turn ["a", 1] into two strings.
        items = list(X)
    elif hasattr(X, "__array__"):
        arr = np.asarray(X)
        if arr.ndim == 2 and arr.shape[1] == 1:
            column = list(arr[:, 0])
            if column and all(isinstance(d, (str, bytes)) for d in column):
                return [_decode(d, k) for k, d in enumerate(column)]
            return None
        if arr.ndim != 1:
            return None
        items = list(arr)
    else:
        return None
    is_str = [isinstance(d, (str, bytes)) for d in items]
    if all(is_str):  # an empty collection too: zero documents
        return [_decode(d, k) for k, d in enumerate(items)]
    pretokenized = pretokenized_documents(items)
    if pretokenized is not None:
        return pretokenized
    if any(is_str):
        text = is_str.index(True)
        other = is_str.index(False)
        missing = [k for k, d in enumerate(items) if _is_missing_document(d)]
        if missing:
            raise ValueError(
                f"Document {missing[0]} of X is missing ({items[missing[0]]!r}; "
                f"{len(missing)} missing in all), as an empty cell of a CSV file "
                "reads in pandas. Fill them, e.g. X.fillna(''), to read them as "
                "empty documents, or drop them."
            )
        if _is_token_list(items[other]):
            raise TypeError(
                "Iterable over raw text documents expected: X mixes raw documents "
                f"with lists of tokens (document {text} is a str, document {other} "
                f"a {type(items[other]).__name__} of tokens). Pass documents of one "
                "kind: every document a str (raw text), or every document a list "
                "of str (pre-tokenized text; a raw document d reads as tokens "
                "after d.split())."
            )
        raise TypeError(
            "Iterable over raw text documents expected: X mixes strings with other "
            f"objects (document {text} is a str, document {other} is of type "
            f"{type(items[other]).__name__}). Raw text documents must all be str; "
            "sequences must be arrays or lists of numbers."
        )
    return None


def _is_document(d):
    """Whether ``d`` may be a pre-tokenized document: a list, a tuple, or a
    1-D array of strings or objects (a row of tokens from pandas or numpy)."""
    if isinstance(d, np.ndarray):
        return d.ndim == 1 and d.dtype.kind in "USO"
    return isinstance(d, (list, tuple))


def _is_token_list(d):
    """Whether ``d`` is a document holding at least one string."""
    return _is_document(d) and any(isinstance(t, (str, bytes, np.str_)) for t in d)


def pretokenized_documents(items):
    """The token lists of pre-tokenized text, or None if ``items`` is not.

    Pre-tokenized text (API.md, "What X may be") is a collection of
    documents that are all lists or tuples, at least one of which holds a
    ``str`` or all of which are empty: each inner string is one token, taken
    as given (``bytes`` tokens are decoded as UTF-8), and an empty inner
    list is a document without tokens. Once a string shows the collection
    is text, an inner element that is not a string (a number, None, a
    nested list) raises a ``TypeError`` naming the document and the
    position.

    Parameters
    ----------
    items : list
        The documents.

    Returns
    -------
    documents : list of list of str, or None
    """
    if not items or not all(_is_document(d) for d in items):
        return None
    if any(len(d) for d in items) and not any(map(_is_token_list, items)):
        return None  # lists of numbers: sequences, not text
    documents = []
    for k, d in enumerate(items):
        for j, t in enumerate(d):
            if not isinstance(t, (str, bytes)):
                raise TypeError(
                    f"X reads as pre-tokenized text (lists of str tokens), but "
                    f"token {j} of document {k} is {t!r} of type "
                    f"{type(t).__name__}: every token must be a str. Numeric "
                    "sequences must hold only numbers."
                )
        documents.append([_decode(t, k) for t in d])
    return documents


def _decode(doc, k):
    """Document ``k`` as ``str``: ``bytes`` are decoded as UTF-8."""
    if not isinstance(doc, bytes):
        return str(doc)
    try:
        return doc.decode("utf-8")
    except UnicodeDecodeError as error:
        # Keep the exception CountVectorizer raises; name the document.
        raise UnicodeDecodeError(
            error.encoding, error.object, error.start, error.end,
            f"{error.reason}; document {k} of X is not UTF-8: decode the "
            "documents with their own encoding first (e.g. "
            "d.decode('latin-1'))",
        ) from None  # fmt: skip


def _is_missing(value):
    """Whether a cell that is not a number is a missing value."""
    if value is None:
        return True
    pd = sys.modules.get("pandas")  # pd.NA can only come from a loaded pandas
    return pd is not None and (value is pd.NA or value is pd.NaT)


def _is_missing_document(value):
    """Whether a document is a missing value (None, NaN, pd.NA)."""
    if isinstance(value, float):
        return value != value  # NaN
    return _is_missing(value)


def _cell_name(X, i, j):
    """``X[i, j]``, with the column's name when ``X`` is a DataFrame."""
    columns = getattr(X, "columns", None)
    if columns is not None and not isinstance(columns[j], Integral):
        return f"X[{i}, {j}] (column {columns[j]!r})"
    return f"X[{i}, {j}]"


def _cell_kind(value):
    """``"number"``, ``"numeric"`` (a string that holds a number, such as
    "2.0"), ``"symbol"`` (another string), ``"missing"`` or ``"other"``."""
    if isinstance(value, Number):
        return "number"
    if isinstance(value, (str, bytes)):
        try:
            float(value)
        except ValueError:
            return "symbol"
        return "numeric"
    return "missing" if _is_missing(value) else "other"


def has_symbols(X):
    """Whether a 2-D array-like is rows of symbols (``input_type="auto"``).

    A 2-D array whose cells are all numbers is numeric, and so is one whose
    cells are all strings that hold numbers (``check_array`` converts them).
    A table of strings (or other objects) without numbers, at most half of
    them strings that hold numbers, is rows of symbols. A table that holds
    numbers (or mostly strings that hold numbers) and strings that are not
    numbers or missing values (a CSV cell "?", which also makes pandas read the other
    cells of its column as strings "2.0"; a ``None``; a text column beside
    numeric columns) is neither: it raises a ``ValueError`` in
    scikit-learn's wording that names the first such cell and
    ``input_type``. Numbers mixed with other objects (such as dicts) are
    read as symbols with a ``UserWarning`` naming a cell.
    """
    if sparse.issparse(X) or _is_ragged(X):
        return False
    try:
        arr = np.asarray(X)
    except (ValueError, TypeError):
        return False  # let check_array give its own error
    if arr.ndim != 2 or arr.dtype.kind in "biufc" or arr.size == 0:
        return False  # an empty table: check_array names the problem
    kinds = np.array([_cell_kind(v) for v in arr.flat], dtype=object)
    kinds = kinds.reshape(arr.shape)
    numeric = (kinds == "number") | (kinds == "numeric")
    if not (kinds == "number").any() and numeric.mean() <= 0.5:
        return True  # words, a few of which may look like numbers
    # Beside numbers, or as most cells, strings that hold numbers are numbers.
    unreadable = np.argwhere((kinds == "symbol") | (kinds == "missing"))
    others = np.argwhere(kinds == "other")
    if not unreadable.size and not others.size:
        return False
    i, j = unreadable[0] if unreadable.size else others[0]
    value = arr[i, j]
    if isinstance(value, np.generic):  # np.str_ from a string array
        value = value.item()
    cell = _cell_name(X, i, j)
    if unreadable.size:
        if isinstance(value, (str, bytes)):
            start = f"could not convert string to float: {value!r}"
        else:
            start = "Input X contains NaN"
        raise ValueError(
            f"{start}: {cell} is {value!r}, in a table that also holds numbers. "
            "A table that mixes numbers with strings or missing values is not "
            "read: replace or drop the cells that are not numbers to read "
            'numeric series (input_type="numeric"), or pass input_type="text" '
            "to read each row as a sequence of symbols (every cell one token). "
            "To read a column of text documents, pass that column alone (a 1-D "
            "collection of str)."
        )
    warnings.warn(
        f"X mixes numbers with objects that are not numbers ({cell} is a "
        f"{type(value).__name__}): it is read as rows of symbols, every cell "
        f'one token. Pass input_type="numeric" to read numbers, or '
        'input_type="text" to silence this warning.',
        UserWarning,
    )
    return True


def tokens_are_numbers(X):
    """Whether 2-D rows of tokens hold only numbers: the Tokenizer's rule.

    Numbers are a numeric dtype, a sparse matrix, or an object array whose
    cells are all numbers; a Tokenizer then orders its vocabulary by value.
    Any other cell makes every cell a token through ``str``. The estimators'
    rule, :func:`has_symbols`, differs on purpose: it converts strings that
    hold numbers and refuses tables mixing numbers with words, since it
    reads numbers as values; a Tokenizer reads each cell as a name, so "2.0"
    stays a token of its own and a mixed row is a row of tokens.
    """
    if sparse.issparse(X):
        return True
    arr = np.asarray(X)
    if arr.dtype.kind in "biufc":
        return True
    if arr.dtype.kind != "O":
        return False
    return all(isinstance(v, Number) for v in arr.flat)


def _is_integer_table(X):
    """Whether ``X`` is a 2-D array or DataFrame of integers (not bool)."""
    if getattr(X, "ndim", None) != 2 or sparse.issparse(X):
        return False
    dtypes = getattr(X, "dtypes", None)  # a DataFrame: one dtype per column
    if dtypes is not None and not isinstance(dtypes, np.dtype):
        kinds = [getattr(d, "kind", None) for d in dtypes]
        return bool(kinds) and all(k in ("i", "u") for k in kinds)
    dtype = getattr(X, "dtype", None)
    return getattr(dtype, "kind", None) in ("i", "u")


def input_kind(X, input_type, *, reset=False):
    """``"text"``, ``"tokens"`` or ``"numeric"``: how an estimator reads ``X``.

    ``"text"`` covers raw documents, pre-tokenized documents and 2-D rows
    of symbols: everything that goes through a tokenizer. With
    ``input_type="auto"`` text is recognised by its elements (see
    :func:`text_documents` and :func:`has_symbols`), and at fit (``reset``)
    a 2-D array of integers, read as numeric series, warns that token ids
    need ``input_type="tokens"``.
    """
    if input_type in ("tokens", "numeric"):
        if isinstance(X, (str, bytes)):
            raise ValueError(STRING_ERROR)
        return input_type
    if input_type == "text" or text_documents(X) is not None or has_symbols(X):
        return "text"
    if reset and _is_integer_table(X):
        warnings.warn(
            "X is a 2-D array of integers: it is read as numeric series, one "
            "value per time step. If these are token ids (such as a Tokenizer's "
            'output), pass input_type="tokens" to embed them; pass '
            'input_type="numeric" to silence this warning.',
            UserWarning,
        )
    return "numeric"


def ids_to_sequences(ids):
    """Left-align padded id rows; return ``(ids, lengths)``.

    Every non-zero id is a token, in order; id 0 is padding wherever it
    stands, so "pre" and "post" padding give the same sequences.
    """
    if ids.shape[1] == 0:  # only empty sequences: one column of padding
        ids = np.zeros((ids.shape[0], 1), dtype=np.int64)
    is_token = ids != PAD_ID
    lengths = is_token.sum(axis=1).astype(np.int64)
    # A stable sort of "is padding" moves the tokens first, keeping their order.
    order = np.argsort(~is_token, axis=1, kind="stable")
    aligned = np.take_along_axis(ids, order, axis=1)
    width = max(int(lengths.max(initial=0)), 1)
    return np.ascontiguousarray(aligned[:, :width], dtype=np.int64), lengths


def _integer_ids(a, name):
    """Check that ``a`` holds integer ids; return them as int64."""
    if a.dtype.kind == "b" or a.dtype.kind not in "iuf":
        raise ValueError(
            f"Token ids must be integers, but {name} has dtype {a.dtype}; with "
            'input_type="tokens", X holds integer token ids.'
        )
    if a.dtype.kind == "f":
        if not np.all(np.isfinite(a)) or not np.all(np.mod(a, 1) == 0):
            raise ValueError(
                f"Token ids must be integers, but {name} holds non-integer values; "
                'with input_type="tokens", X holds integer token ids.'
            )
    # Ids int64 cannot hold (2**63 as a float or a uint64) would wrap or
    # overflow in the cast; no embedding table is that large anyway.
    if a.size and a.dtype.kind in "fu" and np.abs(a).max() >= 2**63:
        raise ValueError(
            f"Token ids out of range: {name} holds {np.abs(a).max():.4g}, "
            "beyond int64 (ids index the embedding table)."
        )
    return a.astype(np.int64)


def validate_token_ids(estimator, X, *, reset):
    """Validate ``input_type="tokens"`` input.

    Sets ``n_features_in_`` (the padded width of a 2-D array; not checked at
    predict time, since the pad id gives each length) when ``reset``.

    Returns
    -------
    ids : ndarray of shape (n_samples, n_timesteps), int64
        Padded with 0. Negative ids raise a ``ValueError``; the upper bound
        is checked by the caller, which knows the vocabulary size.
    """
    if _is_ragged(X):
        rows = []
        for k, s in enumerate(X):
            row = check_array(
                s, dtype=None, ensure_2d=False, ensure_min_samples=0,
                input_name=f"sequence {k} of X",
            )  # fmt: skip
            if row.ndim != 1:
                raise ValueError(
                    f"Sequence {k} of X has {row.ndim} dimensions; a sequence of "
                    "token ids must be 1-D."
                )
            rows.append(_integer_ids(row, f"sequence {k} of X"))
        ids = np.zeros((len(rows), max(len(r) for r in rows)), dtype=np.int64)
        for k, row in enumerate(rows):
            ids[k, : len(row)] = row
        if reset:
            forget_feature_attributes(estimator)
    else:
        # A non-empty 2-D integer ndarray is what check_array would return
        # unchanged: skip its generic checks (~60 us, most of a short predict).
        plain = (
            type(X) is np.ndarray
            and X.dtype.kind in "iu"
            and X.ndim == 2
            and min(X.shape) > 0
        )
        ids = _integer_ids(X if plain else check_array(X, dtype=None), "X")
        if reset:
            estimator.n_features_in_ = ids.shape[1]
            if hasattr(estimator, "feature_names_in_"):
                del estimator.feature_names_in_
    if ids.size and ids.min() < 0:
        raise ValueError(
            f"Token ids must be non-negative, got {ids.min()}; id 0 is padding."
        )
    return ids


def cast_to_compute_dtype(values, dtype, name="X"):
    """``values`` in the compute ``dtype``, refusing numbers it cannot hold.

    A model fitted on float32 input computes in float32; a float64 value
    beyond float32's range (1e39, say) would become inf in the cast and
    silently saturate every state it reaches.
    """
    dtype = np.dtype(dtype)
    if (
        values.dtype.kind == "f"
        and dtype.kind == "f"
        and dtype.itemsize < values.dtype.itemsize
        and values.size
    ):
        largest = np.abs(values).max()
        if largest > np.finfo(dtype).max:
            raise ValueError(
                f"{name} holds a value of magnitude {largest:.3g}, too large "
                f"for {dtype}, the dtype this model computes in (its largest value is "
                f"{np.finfo(dtype).max:.3g}): rescale it, or fit on float64 "
                "input to compute in float64."
            )
    return values.astype(dtype, copy=False)


def forget_feature_attributes(estimator):
    """Drop ``n_features_in_`` and ``feature_names_in_``: input without a width.

    A fit on raw text or on a list of sequences of any length sets neither
    (CountVectorizer's convention), also after a fit on an array.
    """
    for attribute in ("n_features_in_", "feature_names_in_"):
        if hasattr(estimator, attribute):
            delattr(estimator, attribute)


def _is_ragged(X):
    """Whether ``X`` is a list/tuple (or 1-D object array) of sequences."""
    if isinstance(X, np.ndarray):
        return (
            X.ndim == 1
            and X.dtype == object
            and len(X) > 0
            and all(isinstance(s, (np.ndarray, list, tuple)) for s in X)
        )
    if not isinstance(X, (list, tuple)) or len(X) == 0:
        return False
    if any(isinstance(s, np.ndarray) for s in X):
        return True
    # Lists of numbers: ragged only when the lengths differ (a rectangular
    # list of lists is a 2-D array, as check_array reads it).
    if all(isinstance(s, (list, tuple)) for s in X):
        return len({len(s) for s in X}) > 1
    return False


def _ragged_to_padded(X):
    """Validate a ragged list and pad it into one array."""
    sequences = []
    for k, s in enumerate(X):
        if isinstance(s, str):
            raise ValueError(
                f"Sequence {k} is a string; a list of sequences must hold arrays or "
                "lists of numbers."
            )
        # allow_nd so that a sequence of the wrong rank reaches the message
        # below, which names the shapes a sequence may have.
        a = check_array(
            s,
            dtype=[np.float64, np.float32],
            ensure_2d=False,
            allow_nd=True,
            ensure_min_samples=0,
            input_name=f"sequence {k} of X",
        )
        if a.ndim == 1:
            a = a[:, None]
        if a.ndim != 2:
            raise ValueError(
                f"Sequence {k} has {a.ndim} dimensions; each sequence must have shape "
                "(n_timesteps,) or (n_timesteps, n_channels)."
            )
        if a.shape[0] == 0:
            raise ValueError(
                f"Sequence {k} is empty: every sequence needs at least one time step."
            )
        sequences.append(a)
    channels = {a.shape[1] for a in sequences}
    if len(channels) > 1:
        raise ValueError(
            "The sequences of X have different numbers of channels "
            f"{sorted(channels)}; every sequence must have the same number of channels."
        )
    dtype = np.float32 if all(a.dtype == np.float32 for a in sequences) else np.float64
    lengths = np.array([a.shape[0] for a in sequences], dtype=np.int64)
    n_channels = sequences[0].shape[1]
    values = np.zeros((len(sequences), lengths.max(), n_channels), dtype=dtype)
    for k, a in enumerate(sequences):
        values[k, : a.shape[0]] = a
    return values, lengths


def validate_sequences(estimator, X, *, reset, ensure_min_timesteps=1):
    """Validate numeric sequence input and pad it.

    Sets (``reset=True``) or checks ``n_features_in_`` (2-D and 3-D arrays,
    through ``validate_data``) and ``n_channels_in_`` (every kind).

    Parameters
    ----------
    estimator : BaseEstimator
    X : array-like or list of array-like
    reset : bool
    ensure_min_timesteps : int, default=1

    Returns
    -------
    values : ndarray of shape (n_samples, n_timesteps, n_channels)
        Fresh, C-contiguous, float32 or float64.
    lengths : ndarray of shape (n_samples,), int64
    """
    if isinstance(X, (str, bytes)):
        raise ValueError(
            "Expected a collection of sequences, got a single string instead."
        )
    if _is_ragged(X):
        if reset:
            forget_feature_attributes(estimator)
        values, lengths = _ragged_to_padded(X)
        if lengths.min() < ensure_min_timesteps:
            raise ValueError(
                f"Found a sequence of {lengths.min()} time step(s) while a minimum of "
                f"{ensure_min_timesteps} is required."
            )
    else:
        values = None if reset else _checked_plain_array(estimator, X)
        if values is None:
            values = _validate_array(estimator, X, reset, ensure_min_timesteps)
        if values.ndim == 2:
            values = values[:, :, None]
        elif values.ndim == 3 and values.shape[1] < ensure_min_timesteps:
            # sklearn checks the width of 2-D arrays only; time steps are
            # the features of a 3-D array too (sklearn's message).
            raise ValueError(
                f"Found array with {values.shape[1]} feature(s) (shape="
                f"{values.shape}) while a minimum of {ensure_min_timesteps} is "
                "required."
            )
        elif values.ndim != 3:
            raise ValueError(
                f"Expected a 2-D (n_samples, n_timesteps) or 3-D (n_samples, "
                f"n_timesteps, n_channels) array, got {values.ndim} dimensions."
            )
        if values.shape[2] == 0:
            raise ValueError(
                "Found array with 0 channel(s) while a minimum of 1 is required."
            )
        lengths = np.full(values.shape[0], values.shape[1], dtype=np.int64)
    n_channels = values.shape[2]
    if reset:
        estimator.n_channels_in_ = n_channels
    elif n_channels != estimator.n_channels_in_:
        raise ValueError(
            f"X has {n_channels} channels, but {type(estimator).__name__} is "
            f"expecting {estimator.n_channels_in_} channels as input."
        )
    # A fresh, writable, C-contiguous buffer: kernels compile once per dtype.
    return np.array(values, order="C", copy=True), lengths


def _validate_array(estimator, X, reset, ensure_min_timesteps):
    """``validate_data`` on a 2-D or 3-D array, its width message extended."""
    try:
        values = validate_data(
            estimator,
            X,
            reset=reset,
            dtype=[np.float64, np.float32],
            allow_nd=True,
            ensure_min_features=ensure_min_timesteps,
        )
    except ValueError as error:
        message = str(error)
        if (
            reset
            or not message.startswith("X has ")
            or "features, but" not in (message)
        ):
            raise
        # sklearn's message first (checks match it), then the way out.
        raise ValueError(
            f"{message} A 2-D or 3-D array must have the number of time "
            "steps seen at fit; a list of arrays of shape (n_timesteps,) or "
            "(n_timesteps, n_channels) predicts on sequences of any length."
        ) from None
    return values


def _checked_plain_array(estimator, X):
    """``X`` itself when it is a plain float ndarray that ``validate_data``
    would return unchanged at predict time; None otherwise.

    scikit-learn's generic checks (dataframe detection, feature names) cost
    about 60 us a call, most of a one-sequence prediction. Any input that is
    not the plain case (another type or dtype, a width or a value
    ``validate_data`` would refuse, an estimator fitted on feature names)
    goes through ``validate_data``, which raises or warns as usual.
    """
    if (
        type(X) is not np.ndarray
        or X.dtype not in (np.float32, np.float64)
        or X.ndim not in (2, 3)
        or X.shape[0] == 0
        or X.shape[1] != getattr(estimator, "n_features_in_", None)
        or getattr(estimator, "feature_names_in_", None) is not None
        or not np.isfinite(X).all()
    ):
        return None
    return X
