"""Scorers over every step of sequence targets (for RNNSequenceTagger)."""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from sklearn.utils._param_validation import StrOptions, validate_params

from skrnn._tagger import _label_sequences, _padded_width


class _StepScorer:
    """``scorer(estimator, X, y)``: a metric of the concatenated steps."""

    def __init__(self, score_func, sign, response_method, kwargs):
        self._score_func = score_func
        self._sign = sign
        self._response_method = response_method
        self._kwargs = kwargs

    def __call__(self, estimator, X, y, sample_weight=None):
        outputs = getattr(estimator, self._response_method)(X)
        lengths = np.array([len(o) for o in outputs], dtype=np.int64)
        # Checked as the tagger's fit and score check y (one home).
        truth = np.concatenate(_label_sequences(y, lengths, _padded_width(X)))
        kwargs = dict(self._kwargs)
        if sample_weight is not None:
            # A sequence's weight goes to each of its steps.
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
