"""Scorers over every step of sequence targets (for RNNSequenceTagger)."""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from sklearn.utils._param_validation import StrOptions, validate_params


class _StepScorer:
    """``scorer(estimator, X, y)``: a metric of the concatenated steps."""

    def __init__(self, score_func, sign, response_method, kwargs):
        self._score_func = score_func
        self._sign = sign
        self._response_method = response_method
        self._kwargs = kwargs

    def __call__(self, estimator, X, y, sample_weight=None):
        outputs = getattr(estimator, self._response_method)(X)
        truth = np.concatenate(_step_labels(y, [len(o) for o in outputs]))
        kwargs = dict(self._kwargs)
        if sample_weight is not None:
            # A sequence's weight goes to each of its steps.
            lengths = [len(o) for o in outputs]
            kwargs["sample_weight"] = np.repeat(np.asarray(sample_weight), lengths)
        if self._response_method == "predict_proba":
            kwargs.setdefault("labels", estimator.classes_)
        score = self._score_func(truth, np.concatenate(outputs), **kwargs)
        return self._sign * score

    def __repr__(self):
        name = getattr(self._score_func, "__name__", repr(self._score_func))
        sign = "" if self._sign > 0 else ", greater_is_better=False"
        extra = "".join(f", {k}={v!r}" for k, v in self._kwargs.items())
        return (
            f"make_step_scorer({name}{sign}, "
            f"response_method={self._response_method!r}{extra})"
        )


def _step_labels(y, lengths):
    """The label sequences of ``y``, one per output sequence of ``lengths``.

    A 2-D ``y`` (an array or a DataFrame) labels padded input: each row's
    first ``lengths[i]`` labels count. A list of sequences must match the
    outputs' lengths.
    """
    if not isinstance(y, (list, tuple)) and hasattr(y, "__array__"):
        y = np.asarray(y)
        if y.ndim == 2 and y.dtype != object:
            return [row[:n] for row, n in zip(y, lengths)]
    if len(y) != len(lengths):
        raise ValueError(
            f"y holds {len(y)} label sequences for {len(lengths)} predicted ones."
        )
    rows = [np.asarray(labels) for labels in y]
    for i, (row, n) in enumerate(zip(rows, lengths)):
        if row.shape[0] != n:
            raise ValueError(
                f"y[{i}] holds {row.shape[0]} label(s) for {n} predicted step(s)."
            )
    return rows


@validate_params(
    {
        "score_func": [callable],
        "greater_is_better": ["boolean"],
        "response_method": [StrOptions({"predict", "predict_proba"})],
    },
    prefer_skip_nested_validation=True,
)
def make_step_scorer(
    score_func, *, greater_is_better=True, response_method="predict", **kwargs
):
    """Make a scorer of a per-step metric, for sequence targets.

    scikit-learn's scorers (``scoring="f1_macro"``, :func:`~sklearn.metrics.
    make_scorer`) compare one label per sample and cannot read the label
    sequences of :class:`~skrnn.RNNSequenceTagger`. This scorer concatenates
    the steps of every sequence, the true labels and the estimator's
    outputs alike, and applies ``score_func`` to them, so that any metric of
    :mod:`sklearn.metrics` scores a tagger in ``GridSearchCV``,
    ``cross_val_score`` or a ``ScoringMonitor``.

    Parameters
    ----------
    score_func : callable
        ``score_func(y_true, y_pred, **kwargs)``, such as
        :func:`~sklearn.metrics.f1_score` or, with
        ``response_method="predict_proba"``,
        :func:`~sklearn.metrics.log_loss`.
    greater_is_better : bool, default=True
        Whether a higher ``score_func`` is better; if not, the scorer
        returns its negative (as :func:`~sklearn.metrics.make_scorer`).
    response_method : {"predict", "predict_proba"}, default="predict"
        The estimator's method giving one output per step. With
        "predict_proba", ``labels=estimator.classes_`` is passed unless
        given.
    **kwargs
        More arguments of ``score_func`` (``average="macro"``).

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y, sample_weight=None)``; a sequence's weight
        applies to each of its steps.

    Examples
    --------
    >>> from sklearn.metrics import f1_score
    >>> from skrnn import RNNSequenceTagger
    >>> from skrnn.utils import make_step_scorer
    >>> X = [["the", "cat", "sat"], ["a", "dog"]] * 10
    >>> y = [["D", "N", "V"], ["D", "N"]] * 10
    >>> tagger = RNNSequenceTagger(hidden_size=8, random_state=0).fit(X, y)
    >>> macro_f1 = make_step_scorer(f1_score, average="macro")
    >>> float(macro_f1(tagger, X, y))
    1.0
    """
    sign = 1 if greater_is_better else -1
    return _StepScorer(score_func, sign, response_method, kwargs)
