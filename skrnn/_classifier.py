"""RNNClassifier: many-to-one recurrent network with a softmax head."""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

from typing import ClassVar

import numpy as np
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_y, check_consistent_length

from skrnn._base import BaseManyToOneRNN, ClassLabelsMixin
from skrnn._docstrings import fill_doc
from skrnn._network import log_probabilities


@fill_doc
class RNNClassifier(ClassifierMixin, ClassLabelsMixin, BaseManyToOneRNN):
    """Recurrent neural network classifier (many-to-one).

    Reads each sequence with a stack of recurrent layers (tanh RNN, LSTM or
    GRU) and classifies it from the state after its last real step with a
    softmax layer, trained by backpropagation through time.

    Parameters
    ----------
    %(parameters)s

    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, as in scikit-learn's linear models: a dict
        ``{label: weight}`` (labels not in it weigh 1), "balanced" for
        ``n_samples / (n_classes * np.bincount(y))`` computed on the ``y`` of
        each ``fit``, or None for equal weights. They multiply
        ``sample_weight`` in the loss and in the validation score of early
        stopping. ``partial_fit`` takes a dict, not "balanced" (it sees one
        batch at a time).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels seen at fit.
    %(attributes)s

    See Also
    --------
    RNNRegressor : The same network with a linear head for regression.
    sklearn.neural_network.MLPClassifier : Feed-forward network classifier.

    Notes
    -----
    %(notes)s

    References
    ----------
    %(references)s

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import RNNClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(60, 12)).astype(np.float32)
    >>> y = (X[:, 0] > 0).astype(int)
    >>> clf = RNNClassifier(hidden_size=8, max_iter=30, random_state=0).fit(X, y)
    >>> clf.predict(X[:3]).shape
    (3,)
    >>> np.allclose(clf.predict_proba(X[:2]).sum(axis=1), 1)
    True

    Raw text is tokenized into words and embedded; word order counts:

    >>> docs = ["a good movie", "not a good movie", "a bad movie", "not a bad movie"]
    >>> clf = RNNClassifier(hidden_size=16, random_state=0)
    >>> clf = clf.fit(docs * 50, [1, 0, 0, 1] * 50)
    >>> clf.predict(["not a good movie", "a good movie"])
    array([0, 1])
    """

    _loss = "softmax"
    _stratify = True

    _parameter_constraints: ClassVar[dict] = {
        **BaseManyToOneRNN._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        *,
        cell="lstm",
        hidden_size=64,
        n_layers=1,
        bidirectional=False,
        embedding_dim=32,
        embedding_init=None,
        freeze_embedding=False,
        dropout=0.0,
        tokenizer=None,
        input_type="auto",
        vocabulary_size=None,
        optimizer="adam",
        learning_rate_init=0.002,
        momentum=0.9,
        nesterovs_momentum=True,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        rho=0.9,
        batch_size="auto",
        max_iter=200,
        tol=1e-4,
        n_iter_no_change=10,
        early_stopping=False,
        validation_fraction=0.1,
        bptt_steps=None,
        clip_norm=5.0,
        alpha=1e-4,
        warm_start=False,
        shuffle=True,
        random_state=None,
        verbose=0,
        class_weight=None,
    ):
        super().__init__(
            cell=cell,
            hidden_size=hidden_size,
            n_layers=n_layers,
            bidirectional=bidirectional,
            embedding_dim=embedding_dim,
            embedding_init=embedding_init,
            freeze_embedding=freeze_embedding,
            dropout=dropout,
            tokenizer=tokenizer,
            input_type=input_type,
            vocabulary_size=vocabulary_size,
            optimizer=optimizer,
            learning_rate_init=learning_rate_init,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            rho=rho,
            batch_size=batch_size,
            max_iter=max_iter,
            tol=tol,
            n_iter_no_change=n_iter_no_change,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            bptt_steps=bptt_steps,
            clip_norm=clip_norm,
            alpha=alpha,
            warm_start=warm_start,
            shuffle=shuffle,
            random_state=random_state,
            verbose=verbose,
        )
        self.class_weight = class_weight

    # ------------------------------------------------------------ targets
    def _encode_targets(self, y, n_samples, first_pass):
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None."
            )
        y = _check_y(y, multi_output=False, y_numeric=False, estimator=self)
        check_consistent_length(np.empty(n_samples), y)
        check_classification_targets(y)
        return self._encode_labels(y, first_pass)

    def _training_data(self, X, y, sample_weight, reset):
        data = super()._training_data(X, y, sample_weight, reset)
        if self.class_weight is not None:
            weights = compute_class_weight(
                self.class_weight,
                classes=self.classes_,
                y=self.classes_[data.targets],
            )
            data.sample_weight = data.sample_weight * weights[data.targets]
        return data

    def _n_outputs(self):
        return len(self.classes_)

    def _score_encoded(self, raw, targets, sample_weight):
        hits = (np.argmax(raw, axis=1) == targets).astype(np.float64)
        return float(np.average(hits, weights=sample_weight))

    # ---------------------------------------------------------------- fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the network to sequences ``X`` and labels ``y``.

        Parameters
        ----------
        X : iterable of str, array-like of shape (n_samples, n_timesteps) \
                or (n_samples, n_timesteps, n_channels), or list of array-like
            Training sequences: raw text documents (tokenized by
            ``tokenizer``), token ids (``input_type="tokens"``: a 2-D int
            array padded with 0), univariate series as rows of a 2-D
            array, multivariate series as a 3-D array (channels last), or
            a list of arrays of shape ``(T_i,)`` or ``(T_i, n_channels)``
            whose lengths may differ.
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples in the loss; None gives every sample
            weight 1.

        Returns
        -------
        self : RNNClassifier
            The fitted estimator.
        """
        self._forget_partial_fit_classes()
        return self._fit(X, y, sample_weight, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None):
        """Train for one epoch over ``X`` and ``y``.

        Parameters
        ----------
        X : iterable of str, array-like or list of array-like
            Training sequences, as in :meth:`fit`. The first call fixes the
            vocabulary: words first seen later are read as the
            out-of-vocabulary id 1, token ids at or above
            ``vocabulary_size_`` are an error (see ``vocabulary_size``).
        y : array-like of shape (n_samples,)
            Class labels.
        classes : array-like of shape (n_classes,), default=None
            Every label that may appear in any call. Required on the first
            call, ignored afterwards.

        Returns
        -------
        self : RNNClassifier
            The estimator, trained one more epoch.
        """
        self._set_partial_fit_classes(classes)
        return self._fit(X, y, incremental=True)

    # ------------------------------------------------------------ predict
    def decision_function(self, X):
        """Compute the logits of each class (log-odds of ``classes_[1]`` if binary).

        Parameters
        ----------
        X : iterable of str, array-like or list of array-like
            Sequences of the kind seen at fit (see :meth:`fit`).

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            For two classes, ``logit(classes_[1]) - logit(classes_[0])``;
            otherwise the logits of every class.
        """
        raw = self._raw_predict(X)
        if raw.shape[1] == 2:
            return raw[:, 1] - raw[:, 0]
        return raw

    def predict_log_proba(self, X):
        """Log of the class probabilities.

        Parameters
        ----------
        X : iterable of str, array-like or list of array-like
            Sequences of the kind seen at fit (see :meth:`fit`).

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        return log_probabilities(self._raw_predict(X))

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : iterable of str, array-like or list of array-like
            Sequences of the kind seen at fit (see :meth:`fit`).

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``; rows sum to 1.
        """
        return np.exp(self.predict_log_proba(X))

    def predict(self, X):
        """Most likely class of each sequence.

        Parameters
        ----------
        X : iterable of str, array-like or list of array-like
            Sequences of the kind seen at fit (see :meth:`fit`).

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels, taken from ``classes_``.
        """
        raw = self._raw_predict(X)
        return self.classes_[np.argmax(raw, axis=1)]
