"""Tokenizer: raw text (or token sequences) to padded integer id sequences."""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import re
import warnings
from collections import Counter
from numbers import Integral
from typing import ClassVar

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils._param_validation import Interval, RealNotInt, StrOptions
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from skrnn._persistence import VersionedStateMixin
from skrnn._sequences import (
    BEGIN_ID,
    END_ID,
    N_RESERVED_IDS,
    OOV_ID,
    PAD_ID,
    UNK_MARKER,
    materialize_one_pass,
    text_documents,
    tokens_are_numbers,
)


class Tokenizer(
    VersionedStateMixin,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    BaseEstimator,
):
    """Turn text documents into fixed-width sequences of integer token ids.

    Splits each document into tokens (words or characters), maps every
    token to an id of a vocabulary learned at fit, and pads or truncates
    the sequences to one width fixed at fit, so that a Pipeline can feed
    new text to a model fitted on the ids.

    Parameters
    ----------
    analyzer : {"word", "char"}, default="word"
        What a token is.

        - "word": the matches of ``token_pattern`` in the document.
        - "char": every character of the document, spaces included.

    lowercase : bool, default=True
        Whether to lowercase documents before splitting them, and the
        tokens of pre-tokenized documents.

    token_pattern : str, default=r"(?u)\\b\\w\\w+\\b"
        Regular expression of a word, used only by ``analyzer="word"``
        (CountVectorizer's default: runs of two or more alphanumeric
        characters). If it has one capturing group, the group is the token.

    max_features : int, default=None
        Keep only the ``max_features`` tokens of highest frequency in the
        fitted corpus (ties broken by token, in sorted order). None keeps
        every token.

    min_df : int or float, default=1
        Ignore tokens found in fewer documents than this: a count if an
        int, a proportion of the documents if a float in [0.0, 1.0].

    max_length : int, default=None
        Width of the output. None uses the number of tokens of the longest
        fitted document.

    padding : {"pre", "post"}, default="post"
        Where shorter sequences are padded with id 0.

        - "pre": padding before the tokens.
        - "post": padding after the tokens.

    truncating : {"pre", "post"}, default="post"
        Which end of a longer sequence is cut.

        - "pre": drop the first tokens (keep the end).
        - "post": drop the last tokens (keep the beginning).

    Attributes
    ----------
    vocabulary_ : dict
        Mapping of token to id. Ids start at 4 (0 to 3 are reserved) and
        follow descending frequency in the fitted corpus, ties broken by
        token in sorted order; for numeric input they follow the sorted
        token values.

    max_length_ : int
        Width of the output of :meth:`transform`.

    n_features_in_ : int
        Number of features seen during :term:`fit`. Set only when ``X`` is
        a 2-D array of token sequences; raw text does not define it (as in
        :class:`~sklearn.feature_extraction.text.CountVectorizer`).

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when ``X``
        is a 2-D array of token sequences with feature names that are all
        strings.

    See Also
    --------
    sklearn.feature_extraction.text.CountVectorizer : Bag-of-words counts
        with the same analyzer conventions.
    RNNClassifier : Recurrent classifier that reads the id sequences.

    Notes
    -----
    Ids 0 to 3 are reserved: 0 pads, 1 stands for a token out of the
    vocabulary (unseen at fit, or dropped by ``max_features`` or
    ``min_df``), 2 and 3 mark the beginning and end of a sequence for
    models that add them; :meth:`transform` itself never emits 2 or 3.
    A document without tokens (such as ``""``) becomes a row of padding.
    ``bytes`` documents are decoded as UTF-8 (CountVectorizer's default).

    Pre-tokenized text, a list whose documents are lists (or tuples) of
    ``str``, is read token by token: each inner string is one token, never
    split further (``analyzer`` and ``token_pattern`` do not apply; a token
    may hold spaces or punctuation), lowercased when ``lowercase`` is True.
    ``min_df``, ``max_features``, ``max_length`` and the out-of-vocabulary
    id work as for raw text, and an empty inner list is a document without
    tokens. One pre-tokenized document is passed as ``[tokens]`` (a flat list
    of str is raw documents, one per string). A tokenizer fitted on either
    kind of text transforms both; fitted on pre-tokenized text, it reads a
    raw document as its whitespace-separated tokens and
    :meth:`inverse_transform` joins tokens with spaces.

    ``X`` may also be a 2-D array whose rows are sequences of tokens
    (what scikit-learn's estimator checks send). If every element is a
    number, the vocabulary is the distinct values seen at fit, with ids in
    their sorted order, and NaN or infinity is rejected; otherwise each
    element is a token through ``str``, with ids ordered as for text.
    ``analyzer``, ``lowercase`` and ``token_pattern`` apply only to raw
    text. Such input sets ``n_features_in_``, and the output width is
    ``max_length``, or else the number of columns.

    References
    ----------
    .. [1] F. Pedregosa et al., "Scikit-learn: Machine Learning in Python",
       JMLR 12, pp. 2825-2830, 2011 (CountVectorizer's conventions).

    Examples
    --------
    >>> from skrnn import Tokenizer
    >>> docs = ["The cat sat.", "The dog sat on the cat!"]
    >>> tok = Tokenizer().fit(docs)
    >>> tok.vocabulary_
    {'the': 4, 'cat': 5, 'sat': 6, 'dog': 7, 'on': 8}
    >>> tok.transform(["the cat ate"])
    array([[4, 5, 1, 0, 0, 0]])
    >>> tok.inverse_transform([[4, 5, 1, 0, 0, 0]])
    ['the cat <unk>']
    """

    _parameter_constraints: ClassVar[dict] = {
        "analyzer": [StrOptions({"word", "char"})],
        "lowercase": ["boolean"],
        "token_pattern": [str],
        "max_features": [Interval(Integral, 1, None, closed="left"), None],
        "min_df": [
            Interval(Integral, 1, None, closed="left"),
            Interval(RealNotInt, 0, 1, closed="both"),
        ],
        "max_length": [Interval(Integral, 1, None, closed="left"), None],
        "padding": [StrOptions({"pre", "post"})],
        "truncating": [StrOptions({"pre", "post"})],
    }

    def __init__(
        self,
        *,
        analyzer="word",
        lowercase=True,
        token_pattern=r"(?u)\b\w\w+\b",
        max_features=None,
        min_df=1,
        max_length=None,
        padding="post",
        truncating="post",
    ):
        self.analyzer = analyzer
        self.lowercase = lowercase
        self.token_pattern = token_pattern
        self.max_features = max_features
        self.min_df = min_df
        self.max_length = max_length
        self.padding = padding
        self.truncating = truncating

    # ----------------------------------------------------------- analysis
    def _build_analyzer(self):
        """The function giving a document's tokens.

        Raw text is split by ``analyzer`` (on whitespace once fitted on
        pre-tokenized text); a pre-tokenized document (a list of str) keeps
        its tokens as given, only lowercased with ``lowercase`` (a
        normalisation, not a split).
        """
        # Built on demand (CountVectorizer's way): no compiled regex or
        # closure is stored on the estimator, so it clones and pickles.
        lowercase = self.lowercase
        if getattr(self, "_pretokenized", False):  # older pickles lack it
            # Fitted on tokens given as such, it reads raw text as the tokens
            # between whitespace: the inverse of how it joins them (generated
            # text, inverse_transform); its analyzer never saw its tokens.
            def split(doc):
                return (doc.lower() if lowercase else doc).split()

        else:
            split = self._build_splitter()

        def analyze(doc):
            if isinstance(doc, str):
                return split(doc)
            return [t.lower() for t in doc] if lowercase else list(doc)

        return analyze

    def _build_splitter(self):
        """The function splitting a raw text document into tokens."""
        if self.analyzer == "char":
            if self.lowercase:
                return lambda doc: list(doc.lower())
            return list
        pattern = re.compile(self.token_pattern)
        if pattern.groups > 1:
            raise ValueError(
                "More than 1 capturing group in token pattern. Only a single "
                "group should be captured."
            )
        if self.lowercase:
            return lambda doc: pattern.findall(doc.lower())
        return pattern.findall

    def _validate_sequences(self, X, reset):
        if tokens_are_numbers(X):
            numeric = True
            X = validate_data(self, X, reset=reset, dtype="numeric")
        else:
            numeric = False
            X = validate_data(self, X, reset=reset, dtype=None)
        return X, numeric

    # ----------------------------------------------------------- vocabulary
    def _min_count(self, n_documents):
        if isinstance(self.min_df, Integral):
            return self.min_df
        return self.min_df * n_documents

    def _select(self, tokens, term_counts, doc_counts, n_documents):
        """Keep tokens by ``min_df`` then ``max_features``.

        Returns the kept tokens in descending term frequency, ties broken by
        token in sorted order.
        """
        order = sorted(range(len(tokens)), key=lambda i: (-term_counts[i], tokens[i]))
        min_count = self._min_count(n_documents)
        kept = [tokens[i] for i in order if doc_counts[i] >= min_count]
        if tokens and not kept:
            # Documents without known tokens are read as OOV tokens, never
            # an error (API.md); a whole corpus of them deserves a word.
            warnings.warn(
                f"After pruning by min_df={self.min_df!r}, no tokens remain: "
                "every token is read as out of vocabulary (id 1). Try a lower "
                "min_df.",
                UserWarning,
                stacklevel=3,
            )
        if self.max_features is not None:
            kept = kept[: self.max_features]
        return kept

    def _fit_text(self, docs):
        if not docs:
            raise ValueError(
                "Found array with 0 sample(s) (shape=(0,)) while a minimum of 1 "
                f"is required by {type(self).__name__}."
            )
        # Fitted on tokens given as such: a word model whatever the analyzer
        # (inverse_transform and generated text join them with spaces).
        self._pretokenized = not any(isinstance(doc, str) for doc in docs)
        analyze = self._build_analyzer()
        tokenized = [analyze(doc) for doc in docs]
        term_counts = Counter()
        doc_counts = Counter()
        for tokens in tokenized:
            term_counts.update(tokens)
            doc_counts.update(set(tokens))
        if not term_counts:
            warnings.warn(
                "empty vocabulary; the documents contain no tokens (check "
                "analyzer and token_pattern): every document is read as one "
                "out-of-vocabulary token.",
                UserWarning,
                stacklevel=3,
            )
        tokens = sorted(term_counts)
        kept = self._select(
            tokens,
            [term_counts[t] for t in tokens],
            [doc_counts[t] for t in tokens],
            len(docs),
        )
        self.vocabulary_ = {t: i for i, t in enumerate(kept, start=N_RESERVED_IDS)}
        self._tokens = None
        self.max_length_ = (
            self.max_length
            if self.max_length is not None
            else max(1, max(map(len, tokenized)))
        )
        # Raw text defines no n_features_in_ (CountVectorizer's convention);
        # drop any left by an earlier fit on 2-D sequences.
        for attr in ("n_features_in_", "feature_names_in_"):
            if hasattr(self, attr):
                delattr(self, attr)

    def _fit_sequences(self, X):
        X, numeric = self._validate_sequences(X, reset=True)
        n_samples = X.shape[0]
        if numeric:
            values, inverse = np.unique(X, return_inverse=True)
            inverse = inverse.reshape(X.shape)
            term_counts = np.bincount(inverse.ravel(), minlength=len(values))
            # Document frequency: distinct (row, value) pairs per value.
            rows = np.repeat(np.arange(n_samples), X.shape[1])
            pairs = np.unique(rows * len(values) + inverse.ravel())
            doc_counts = np.bincount(pairs % len(values), minlength=len(values))
            kept = self._select(
                list(range(len(values))), term_counts, doc_counts, n_samples
            )
            # Numeric tokens get their ids in sorted value order.
            self._tokens = values[np.sort(np.asarray(kept, dtype=np.intp))]
            keys = self._tokens.tolist()
        else:
            strings = [[str(v) for v in row] for row in X]
            term_counts = Counter()
            doc_counts = Counter()
            for row in strings:
                term_counts.update(row)
                doc_counts.update(set(row))
            tokens = sorted(term_counts)
            keys = self._select(
                tokens,
                [term_counts[t] for t in tokens],
                [doc_counts[t] for t in tokens],
                n_samples,
            )
            self._tokens = None
        self.vocabulary_ = {t: i for i, t in enumerate(keys, start=N_RESERVED_IDS)}
        self.max_length_ = (
            self.max_length if self.max_length is not None else X.shape[1]
        )

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the vocabulary and the output width from ``X``.

        Parameters
        ----------
        X : iterable of str, list of lists of str, or array-like of shape \
                (n_samples, n_features)
            Raw text documents, pre-tokenized documents, or a 2-D array
            whose rows are sequences of tokens (see Notes of
            :class:`Tokenizer`).
        y : None
            Ignored.

        Returns
        -------
        self : Tokenizer
            The fitted tokenizer.
        """
        # Raw text is decided by the elements, not the dtype; anything else
        # is 2-D sequences (numbers in 1-D: sklearn's "Expected 2D array").
        docs = text_documents(X)
        if docs is not None:
            self._fit_text(docs)
            self._kind = "text"
        else:
            self._fit_sequences(X)
            self._kind = "sequences"
            self._pretokenized = False
        return self

    def fit_transform(self, X, y=None):
        """Learn the vocabulary and return the id sequences of ``X``.

        Equivalent to ``fit(X).transform(X)``, but reads a one-pass
        iterable (such as a generator of documents) only once.

        Parameters
        ----------
        X : iterable of str, list of lists of str, or array-like of shape \
                (n_samples, n_features)
            Raw text documents, pre-tokenized documents, or a 2-D array of
            token sequences.
        y : None
            Ignored.

        Returns
        -------
        ids : ndarray of shape (n_samples, `max_length_`), dtype=int64
            Token ids, as returned by :meth:`transform`.
        """
        # A one-pass iterable is read once here.
        X = materialize_one_pass(X)
        return self.fit(X, y).transform(X)

    # ---------------------------------------------------------- transform
    def _pad(self, sequences):
        """Pad or truncate lists of ids to an int64 array of width ``max_length_``."""
        width = self.max_length_
        out = np.zeros((len(sequences), width), dtype=np.int64)
        for i, ids in enumerate(sequences):
            if len(ids) > width:
                ids = ids[:width] if self.truncating == "post" else ids[-width:]
            if len(ids) == 0:
                continue
            if self.padding == "post":
                out[i, : len(ids)] = ids
            else:
                out[i, width - len(ids) :] = ids
        return out

    def transform(self, X):
        """Map each document to a padded sequence of token ids.

        Parameters
        ----------
        X : iterable of str, list of lists of str, or array-like of shape \
                (n_samples, n_features)
            Documents of the kind seen at fit: text (raw or pre-tokenized,
            either after a fit on either), or 2-D token sequences.

        Returns
        -------
        ids : ndarray of shape (n_samples, `max_length_`), dtype=int64
            Token ids, with 1 for tokens out of the vocabulary and 0 for
            padding, per ``padding`` and ``truncating``.
        """
        check_is_fitted(self)
        docs = text_documents(X)
        kind = "sequences" if docs is None else "text"
        if kind != self._kind:
            text = "text (raw documents or lists of str tokens)"
            fitted = text if self._kind == "text" else "2-D sequences (rows of tokens)"
            hint = ""
            if self._kind == "text":
                hint = (
                    " Pass pre-tokenized documents as lists of str, e.g. "
                    "[list(row) for row in X]."
                )
            raise ValueError(
                f"{type(self).__name__} was fitted on {fitted}; transform got "
                f"{text if kind == 'text' else 'a 2-D array'}.{hint}"
            )
        if kind == "text":
            return self._pad(self._id_lists(docs))
        if self._tokens is not None:
            X = validate_data(self, X, reset=False, dtype="numeric")
            if X.dtype == object:
                # sklearn leaves an object array holding None as is; read as
                # numbers, its None are missing values (sklearn's NaN error).
                X = check_array(X, dtype=np.float64, input_name="X")
            ids = np.full(X.shape, OOV_ID, dtype=np.int64)
            if len(self._tokens):  # else nothing was kept: every value is OOV
                pos = np.searchsorted(self._tokens, X)
                pos = np.minimum(pos, len(self._tokens) - 1)
                found = self._tokens[pos] == X
                ids[found] = pos[found] + N_RESERVED_IDS
        else:
            X = validate_data(self, X, reset=False, dtype=None)
            vocab = self.vocabulary_
            ids = np.array(
                [[vocab.get(str(v), OOV_ID) for v in row] for row in X], dtype=np.int64
            ).reshape(X.shape)
        return self._pad(list(ids))

    def _id_lists(self, docs):
        """The ids of each document's tokens, neither padded nor truncated."""
        analyze = self._build_analyzer()
        vocab = self.vocabulary_
        return [[vocab.get(t, OOV_ID) for t in analyze(d)] for d in docs]

    def inverse_transform(self, X):
        """Map id sequences back to text.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps)
            Token ids, as returned by :meth:`transform`.

        Returns
        -------
        docs : list of str
            One string per row: the tokens joined with single spaces
            ("word" analyzer, pre-tokenized text and 2-D sequences) or with
            nothing ("char" analyzer on raw text). Ids 0, 2 and 3 are
            dropped and id 1 is shown as ``"<unk>"``.
        """
        check_is_fitted(self)
        ids = check_array(X, dtype=None, ensure_min_features=0)
        if ids.dtype.kind not in "iu":
            # Bool, strings and objects (None) are no ids; floats must be whole.
            if ids.dtype.kind != "f" or not np.all(np.mod(ids, 1) == 0):
                raise ValueError(
                    "inverse_transform expects integer token ids, got dtype "
                    f"{ids.dtype}."
                )
        n_ids = N_RESERVED_IDS + len(self.vocabulary_)
        # Checked before the cast, which would overflow on ids like 1e30.
        if ids.size and (ids.min() < 0 or ids.max() >= n_ids):
            raise ValueError(
                f"Token ids out of range: they must be in [0, {n_ids - 1}], got "
                f"values in [{ids.min()}, {ids.max()}]."
            )
        ids = ids.astype(np.int64)
        names = [""] * N_RESERVED_IDS + [str(t) for t in self.vocabulary_]
        names[OOV_ID] = UNK_MARKER
        sep = self._token_separator()
        return [
            sep.join(names[i] for i in row if i not in (PAD_ID, BEGIN_ID, END_ID))
            for row in ids.tolist()
        ]

    def _token_separator(self):
        """What joins tokens into text: "" for characters of raw text, else " "."""
        pretokenized = getattr(self, "_pretokenized", False)  # older pickles
        char = self._kind == "text" and self.analyzer == "char" and not pretokenized
        return "" if char else " "

    def _extend_vocabulary(self, tokens, docs):
        """Add the ``tokens`` this tokenizer reads as themselves; return them.

        What a vocabulary takes from pretrained vectors (``embedding_init``
        of the estimators): a token joins the vocabulary, with the next free
        id, when the fitted tokenizer would produce it: a raw-text tokenizer
        when analysing the token alone gives the token itself (so "The" with
        ``lowercase=True``, "," for the default ``token_pattern`` or "ab"
        for ``analyzer="char"`` never join), one fitted on pre-tokenized
        text when lowercasing keeps it (with ``lowercase``), one fitted on
        rows of symbols always. Numeric tokens never join, nor the tokens of
        the training documents that ``min_df`` or ``max_features`` dropped
        (the tokenizer would not keep them), so the ids of ``docs`` are
        unchanged.

        Parameters
        ----------
        tokens : iterable of str
        docs : list or ndarray
            The documents (or rows of symbols) the tokenizer was fitted on.

        Returns
        -------
        added : list of str
            The tokens added, in the order given.
        """
        check_is_fitted(self)
        if self._kind != "text" and self._tokens is not None:
            return []
        if self._kind == "text" and getattr(self, "_pretokenized", False):
            analyze = self._build_analyzer()

            def reads_as_itself(t):
                return analyze([t]) == [t]

        elif self._kind == "text":
            split = self._build_splitter()

            def reads_as_itself(t):
                return split(t) == [t]

        else:

            def reads_as_itself(t):
                return True

        if self._kind == "text":
            analyze = self._build_analyzer()
            seen = {t for doc in docs for t in analyze(doc)}
        else:
            seen = {str(v) for row in docs for v in row}
        added = []
        vocabulary = self.vocabulary_
        for t in tokens:
            if (
                isinstance(t, str)
                and t not in vocabulary
                and t not in seen
                and reads_as_itself(t)
            ):
                vocabulary[t] = N_RESERVED_IDS + len(vocabulary)
                added.append(t)
        return added

    @property
    def _n_features_out(self):
        # Used by ClassNamePrefixFeaturesOutMixin: tokenizer0 ... tokenizer{w-1}.
        return self.max_length_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        # The output is int64 whatever the input dtype.
        tags.transformer_tags.preserves_dtype = []
        return tags
