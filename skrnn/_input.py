"""How an estimator reads ``X``: the input kinds through its tokenizer.

:func:`read_input` reads every kind of :mod:`skrnn._sequences` for an
estimator (setting or checking its input attributes), the per-estimator
differences as arguments: the default tokenizer, what a document without
tokens becomes, whether documents are read whole. :func:`tokenize` turns
raw text or rows of symbols into token ids with the estimator's fitted
tokenizer.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from scipy import sparse
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.utils.validation import validate_data

from skrnn._sequences import (
    N_RESERVED_IDS,
    OOV_ID,
    forget_feature_attributes,
    ids_to_sequences,
    input_kind,
    materialize_one_pass,
    text_documents,
    validate_sequences,
    validate_token_ids,
)
from skrnn._tokenizer import Tokenizer
from skrnn._vectors import check_embedding_array, is_word_vectors

# Largest embedding table built from the ids alone (vocabulary_size=None).
MAX_INFERRED_VOCABULARY = 1_000_000

TOKENIZER_CONTRACT = (
    "a tokenizer must return a dense 2-D array of integer token ids, one row "
    "per document, padded with 0 (ids 1 to 3 are reserved: 1 out of "
    "vocabulary, 2 and 3 begin and end markers), as skrnn.Tokenizer does"
)


def check_tokenizer_output(ids, tokenizer, n_documents):
    """Validate what a tokenizer returned; return it as an int64 array."""
    name = type(tokenizer).__name__
    if sparse.issparse(ids):
        raise ValueError(
            f"The tokenizer {name} returned a sparse matrix: {TOKENIZER_CONTRACT}. "
            "A vectorizer such as CountVectorizer counts tokens and loses their "
            "order; use skrnn.Tokenizer."
        )
    try:
        ids = np.asarray(ids)
    except ValueError:  # a list of rows of different lengths
        ids = np.asarray(ids, dtype=object)
    if ids.ndim != 2:
        raise ValueError(
            f"The tokenizer {name} returned an array of {ids.ndim} dimension(s): "
            f"{TOKENIZER_CONTRACT}."
        )
    if ids.dtype.kind not in "iu":
        raise ValueError(
            f"The tokenizer {name} returned values of dtype {ids.dtype}: "
            f"{TOKENIZER_CONTRACT}."
        )
    if ids.shape[0] != n_documents:
        raise ValueError(
            f"The tokenizer {name} returned {ids.shape[0]} rows for {n_documents} "
            f"documents: {TOKENIZER_CONTRACT}."
        )
    if ids.size and ids.min() < 0:
        raise ValueError(
            f"The tokenizer {name} returned the negative id {ids.min()}: "
            f"{TOKENIZER_CONTRACT}."
        )
    return ids.astype(np.int64, copy=False)


def fitted_vocabulary_size(ids, vocabulary_size, tokenizer=None, n_rows=None):
    """``vocabulary_size_`` at the first fit.

    Parameters
    ----------
    ids : ndarray of int64
        The token ids of the first fit.
    vocabulary_size : int or None
        The estimator's parameter: an int is used as is.
    tokenizer : estimator or None, default=None
        The fitted tokenizer that gave ``ids``, None for token-id input. The
        ids its ``vocabulary_`` defines, if it has one, are all embedded.
    n_rows : int or None, default=None
        The rows of an ``embedding_init`` array: the vocabulary size.

    Returns
    -------
    vocabulary_size_ : int
    """
    if n_rows is not None:
        if vocabulary_size is not None and vocabulary_size != n_rows:
            raise ValueError(
                f"embedding_init has {n_rows} rows, one per token id, but "
                f"vocabulary_size={vocabulary_size}: set vocabulary_size=None "
                f"(or {n_rows})."
            )
        return int(n_rows)
    vocabulary = getattr(tokenizer, "vocabulary_", None)
    known = max(vocabulary.values()) + 1 if vocabulary else 0
    if vocabulary_size is not None:
        if vocabulary_size < known:
            raise ValueError(
                f"vocabulary_size={vocabulary_size} is smaller than the tokenizer's "
                f"vocabulary, which uses ids up to {known - 1}; set "
                f"vocabulary_size >= {known} or None."
            )
        return int(vocabulary_size)
    from_ids = int(ids.max(initial=0)) + 1
    if from_ids > max(known, MAX_INFERRED_VOCABULARY):
        source = "X" if tokenizer is None else "The tokenizer's output"
        raise ValueError(
            f"{source} holds the token id {from_ids - 1}: the embedding would have "
            f"{from_ids:,} rows (more than {MAX_INFERRED_VOCABULARY:,}). Token ids "
            "index the embedding table and should be consecutive: remap sparse "
            "ids to 1, 2, ... (keeping 0 for padding), for instance with a "
            "Tokenizer on the original tokens, or set vocabulary_size explicitly "
            "to build a table that large."
        )
    return max(known, from_ids, N_RESERVED_IDS)


def _check_ids_in_vocabulary(estimator, ids):
    """Refuse ids that the embedding of ``vocabulary_size_`` rows has not."""
    if ids.size and ids.max() >= estimator.vocabulary_size_:
        if getattr(estimator, "_embedding_rows", None) is not None:
            fixed = "the rows of the embedding_init array"
        elif estimator.vocabulary_size is None:
            fixed = (
                "fixed at the first fit; set the vocabulary_size parameter "
                "to allow larger ids"
            )
        else:
            fixed = "set by the vocabulary_size parameter"
        raise ValueError(
            f"Token ids out of range: they must lie in [0, "
            f"{estimator.vocabulary_size_}) (vocabulary_size_, {fixed}), got "
            f"{ids.max()}."
        )


# What X holds, as the error for X of another kind than at fit names it.
_KIND_NAMES = {
    "text": "raw text",
    "tokens": "token ids",
    "numeric": "numeric sequences",
}


def read_input(
    estimator,
    X,
    *,
    reset,
    default_tokenizer,
    whole_documents="unless_max_length",
    min_timesteps=1,
    empty_as_oov=True,
):
    """Validate ``X`` of any kind for an estimator; return ``(values, lengths)``.

    Sets the input attributes of API.md's table when ``reset``
    (``_input_kind``, ``tokenizer_``, ``vocabulary_size_``,
    ``n_channels_in_``, ``n_features_in_``, ``feature_names_in_``);
    otherwise checks that ``X`` is of the kind seen at fit.

    Parameters
    ----------
    estimator : BaseRNN
        Its ``input_type``, ``tokenizer`` and ``vocabulary_size`` parameters
        say how ``X`` is read.
    X : iterable of str, array-like or list of array-like
    reset : bool
        Whether this is the first fit.
    default_tokenizer : estimator
        The tokenizer cloned and fitted when the ``tokenizer`` parameter is
        None.
    whole_documents : {"unless_max_length", "always"}, \
            default="unless_max_length"
        When a skrnn Tokenizer reads documents whole, see :func:`tokenize`.
    min_timesteps : int, default=1
        The fewest time steps of a numeric sequence at fit.
    empty_as_oov : bool, default=True
        Whether a document without tokens is read as one out-of-vocabulary
        token (API.md's rule for what an estimator reads); False keeps it
        empty, of length 0 (a target that the end marker alone closes).

    Returns
    -------
    values : ndarray
        Numeric input: the padded float array ``(n_samples, n_timesteps,
        n_channels)``. Text and token ids: the left-aligned int64 ids
        ``(n_samples, n_timesteps)``, each below ``vocabulary_size_``.
    lengths : ndarray of shape (n_samples,), int64
    """
    X = materialize_one_pass(X)  # a generator of documents is read twice
    kind = input_kind(X, estimator.input_type, reset=reset)
    if reset:
        estimator._embedding_rows = _check_embedding_init(estimator, kind)
        estimator._input_kind = kind
        for attribute in ("tokenizer_", "vocabulary_size_", "n_channels_in_"):
            if hasattr(estimator, attribute):
                delattr(estimator, attribute)
    elif kind != estimator._input_kind:
        raise ValueError(
            f"{type(estimator).__name__} was fitted on "
            f"{_KIND_NAMES[estimator._input_kind]}, but X holds {_KIND_NAMES[kind]}."
        )
    if kind == "numeric":
        # At predict time the fitted width is the check (sklearn's message).
        return validate_sequences(
            estimator,
            X,
            reset=reset,
            ensure_min_timesteps=min_timesteps if reset else 1,
        )
    if kind == "text":
        ids = tokenize(
            estimator,
            X,
            reset=reset,
            default_tokenizer=default_tokenizer,
            whole_documents=whole_documents,
        )
        tokenizer = estimator.tokenizer_
    else:
        ids = validate_token_ids(estimator, X, reset=reset)
        tokenizer = None
    if reset:
        estimator.vocabulary_size_ = fitted_vocabulary_size(
            ids, estimator.vocabulary_size, tokenizer, estimator._embedding_rows
        )
    _check_ids_in_vocabulary(estimator, ids)
    ids, lengths = ids_to_sequences(ids)
    # A sequence without tokens (a document without any token the tokenizer
    # keeps, a row of ids that is all padding) is one out-of-vocabulary
    # token, at fit and predict alike (API.md): never an error.
    if empty_as_oov:
        empty = lengths == 0
        ids[empty, 0] = OOV_ID
        lengths[empty] = 1
    return ids, lengths


def _check_embedding_init(estimator, kind):
    """Refuse an ``embedding_init`` that input of ``kind`` cannot use.

    Returns the row count of an ``embedding_init`` array (token-id input),
    else None.
    """
    init = estimator.embedding_init
    if init is None:
        return None
    if kind == "numeric":
        raise ValueError(
            "embedding_init initialises the embedding of text or token-id "
            "input, but X holds numeric series, which are not embedded: set "
            "embedding_init=None."
        )
    if kind == "text" and not is_word_vectors(init):
        raise ValueError(
            "X is text, but embedding_init is an array of "
            f"{type(init).__name__}: an array gives one row per token id "
            '(input_type="tokens"); for text, pass a mapping token -> vector '
            "or the path of a word2vec or GloVe text file."
        )
    if kind == "tokens":
        if is_word_vectors(init):
            raise ValueError(
                "X holds token ids, but embedding_init is a mapping or a file of "
                "token -> vector: token ids need an array of shape "
                "(vocabulary_size, embedding_dim), row i the vector of id i."
            )
        return check_embedding_array(init, estimator.embedding_dim).shape[0]
    return None


def tokenize(
    estimator,
    X,
    *,
    reset,
    default_tokenizer=None,
    whole_documents="unless_max_length",
):
    """Token ids of raw text or of 2-D rows of symbols, from ``tokenizer_``.

    At fit (``reset``), ``tokenizer_`` is a fitted clone of the estimator's
    ``tokenizer`` (of ``default_tokenizer`` when it is None); a
    ``FrozenEstimator`` is used as is (cloning returns it), never refitted.

    Parameters
    ----------
    estimator : BaseRNN
    X : iterable of str or array-like of shape (n_samples, n_features)
    reset : bool
        Whether this is the first fit.
    default_tokenizer : estimator, default=None
        The tokenizer cloned and fitted when the ``tokenizer`` parameter is
        None; needed only when ``reset``.
    whole_documents : {"unless_max_length", "always"}, \
            default="unless_max_length"
        A skrnn Tokenizer fitted on raw text pads documents to the width it
        was fitted with, which cuts longer ones. Raw text it does not
        ``fit_transform`` here is read whole instead: "unless_max_length"
        when its ``max_length`` is None (the fitted width is then the
        longest fitted document, no choice of the user); "always" also when
        it is set (a language model: a likelihood or a prompt cut short
        would be silently wrong, so ``max_length`` only shortens the text
        of a fit).

    Returns
    -------
    ids : ndarray of shape (n_samples, width), int64
        Padded with 0.
    """
    docs = text_documents(X)
    if docs is None:
        # Rows of symbols: the width is checked like a numeric 2-D array's.
        docs = validate_data(estimator, X, reset=reset, dtype=None)
    elif reset:
        forget_feature_attributes(estimator)
    if reset:
        tokenizer = estimator.tokenizer
        if tokenizer is None:
            tokenizer = default_tokenizer
        estimator.tokenizer_ = clone(tokenizer)
        if isinstance(estimator.tokenizer_, FrozenEstimator):
            estimator.tokenizer_.fit(docs, None)  # checks that it is fitted
        elif hasattr(estimator.tokenizer_, "fit_transform"):
            ids = estimator.tokenizer_.fit_transform(docs)
            _take_vector_tokens(estimator, docs)
            return check_tokenizer_output(ids, estimator.tokenizer_, len(docs))
        else:
            estimator.tokenizer_.fit(docs)
            _take_vector_tokens(estimator, docs)
    reader = None
    if isinstance(docs, list):
        reader = _whole_document_reader(estimator.tokenizer_, whole_documents)
    if reader is not None:
        id_lists = reader._id_lists(docs)
        width = max([1, *map(len, id_lists)])
        ids = np.zeros((len(id_lists), width), dtype=np.int64)
        for i, row in enumerate(id_lists):
            ids[i, : len(row)] = row
        return ids
    return check_tokenizer_output(
        estimator.tokenizer_.transform(docs), estimator.tokenizer_, len(docs)
    )


def _take_vector_tokens(estimator, docs):
    """Give the fitted tokenizer the tokens of ``embedding_init``'s vectors.

    Only a skrnn Tokenizer fitted here grows (a FrozenEstimator or another
    tokenizer keeps its vocabulary); see :meth:`Tokenizer._extend_vocabulary`.
    The tokens it takes are never in the training documents, so ids already
    computed stay right. The count is recorded on the fit's
    ``WordVectors`` (``n_added``).
    """
    vectors = getattr(estimator, "_word_vectors", None)
    if vectors is None:
        return
    tokenizer = estimator.tokenizer_
    if isinstance(tokenizer, Tokenizer) and vectors.tokens is not None:
        vectors.n_added = len(tokenizer._extend_vocabulary(vectors.tokens, docs))


def _whole_document_reader(tokenizer, whole_documents):
    """The skrnn Tokenizer in ``tokenizer`` that reads raw text whole, or None.

    See ``whole_documents`` in :func:`tokenize`.
    """
    if isinstance(tokenizer, FrozenEstimator):
        tokenizer = tokenizer.estimator
    if not isinstance(tokenizer, Tokenizer):
        return None
    if whole_documents == "unless_max_length" and tokenizer.max_length is not None:
        return None
    return tokenizer if tokenizer._kind == "text" else None
