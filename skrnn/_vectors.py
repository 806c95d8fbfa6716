"""Pretrained word vectors: what ``embedding_init`` holds, read once at fit.

``embedding_init`` (API.md, "embedding_init") is None, an array of one row
per token id (token-id input), or for text a mapping token -> vector (a
dict, or any object with ``__contains__`` and ``__getitem__``, such as
gensim's ``KeyedVectors``) or the path of a word2vec or GloVe text file.
This module reads the mappings and files into :class:`WordVectors`, a
lookup that lives only during the fit that builds the embedding table:
the fitted model keeps the table, never the vectors.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import os

import numpy as np
from sklearn.utils.validation import check_array

from skrnn._sequences import N_RESERVED_IDS


def is_word_vectors(embedding_init):
    """Whether ``embedding_init`` is a mapping or a file (text input)."""
    if isinstance(embedding_init, (str, os.PathLike)):
        return True
    if embedding_init is None or isinstance(embedding_init, (np.ndarray, list, tuple)):
        return False
    return hasattr(embedding_init, "__contains__") and hasattr(
        embedding_init, "__getitem__"
    )


def _length_error(length, embedding_dim, where):
    return ValueError(
        f"embedding_init holds vectors of length {length} ({where}), but "
        f"embedding_dim={embedding_dim}: set embedding_dim={length} to use "
        "these vectors."
    )


class WordVectors:
    """A lookup token -> vector over a mapping or the vectors of a file.

    Parameters
    ----------
    get : callable
        ``get(token)``: the vector of ``token`` as a 1-D float array, or
        None when it has none.
    tokens : list of str or None
        Every token with a vector, in the source's order; None when the
        source cannot list them (a mapping with only ``__contains__`` and
        ``__getitem__``): the vocabulary then cannot take its tokens.
    """

    def __init__(self, get, tokens):
        self.get = get
        self.tokens = tokens

    def table_rows(self, vocabulary, embedding_dim, dtype):
        """The rows a vocabulary finds vectors for, and those vectors.

        Parameters
        ----------
        vocabulary : dict
            Token -> id.
        embedding_dim : int
            The length every vector must have.
        dtype : numpy dtype
            The compute dtype of the table.

        Returns
        -------
        ids : ndarray of int64
            The ids whose token has a vector, in increasing order.
        vectors : ndarray of shape (len(ids), embedding_dim)
        """
        ids, vectors = [], []
        for token, i in sorted(vocabulary.items(), key=lambda item: item[1]):
            vector = self.get(token)
            if vector is None:
                continue
            if vector.shape != (embedding_dim,):
                raise _length_error(
                    vector.shape[0] if vector.ndim == 1 else vector.shape,
                    embedding_dim,
                    f"the vector of {token!r}",
                )
            ids.append(i)
            vectors.append(vector)
        vectors = np.array(vectors, dtype=dtype).reshape(len(ids), embedding_dim)
        if not np.isfinite(vectors).all():
            raise ValueError("embedding_init holds NaN or infinite values.")
        return np.array(ids, dtype=np.int64), vectors


def read_word_vectors(embedding_init, embedding_dim):
    """Read a mapping or a vector file into :class:`WordVectors`.

    Parameters
    ----------
    embedding_init : str, os.PathLike or mapping
        A path to a word2vec text file (first line ``"n_words dim"``) or a
        GloVe text file (no header), each line a token then its ``dim``
        numbers separated by spaces (a token may hold spaces: the last
        ``dim`` fields are the vector); or a mapping token -> vector.
    embedding_dim : int
        The vector length the estimator's embedding has.

    Returns
    -------
    vectors : WordVectors
    """
    if isinstance(embedding_init, (str, os.PathLike)):
        return _read_file(embedding_init, embedding_dim)
    mapping = embedding_init
    tokens = None
    if hasattr(mapping, "index_to_key"):  # gensim's KeyedVectors
        tokens = list(mapping.index_to_key)
    elif hasattr(mapping, "keys"):
        tokens = list(mapping.keys())

    def get(token):
        if token not in mapping:
            return None
        return np.asarray(mapping[token], dtype=np.float64)

    return WordVectors(get, tokens)


def _read_file(path, embedding_dim):
    """The vectors of a word2vec or GloVe text file."""
    table = {}
    dim = None
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            fields = line.rstrip().split(" ")
            if fields == [""]:
                continue  # a blank line
            if number == 1 and len(fields) == 2:
                try:
                    int(fields[0])
                    dim = int(fields[1])
                except ValueError:
                    pass
                else:  # word2vec's header "n_words dim"
                    if dim != embedding_dim:
                        raise _length_error(dim, embedding_dim, f"header of {path}")
                    continue
            if dim is None:
                dim = len(fields) - 1  # GloVe: the first line gives the length
                if dim != embedding_dim:
                    raise _length_error(dim, embedding_dim, f"line 1 of {path}")
            if len(fields) < dim + 1:
                raise ValueError(
                    f"Line {number} of the vector file {path} has {len(fields)} "
                    f"fields, fewer than a token and {dim} numbers."
                )
            token = " ".join(fields[:-dim])
            try:
                vector = np.array(fields[-dim:], dtype=np.float64)
            except ValueError:
                raise ValueError(
                    f"Line {number} of the vector file {path} does not end with "
                    f"{dim} numbers."
                ) from None
            table.setdefault(token, vector)  # the first vector of a token wins
    return WordVectors(table.get, list(table))


def check_embedding_array(embedding_init, embedding_dim):
    """An ``embedding_init`` array as float64, checked against ``embedding_dim``.

    One row per token id: its row count is ``vocabulary_size_``.
    """
    table = check_array(
        embedding_init, dtype=[np.float64, np.float32], input_name="embedding_init"
    )
    if table.shape[1] != embedding_dim:
        raise _length_error(table.shape[1], embedding_dim, "its columns")
    if table.shape[0] < N_RESERVED_IDS:
        raise ValueError(
            f"embedding_init has {table.shape[0]} rows: an embedding table has a "
            f"row for every token id, at least {N_RESERVED_IDS} (the reserved ids)."
        )
    return table
