"""RNNRegressor: many-to-one recurrent network with a linear head."""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from sklearn.base import RegressorMixin, _fit_context
from sklearn.metrics import r2_score
from sklearn.utils.validation import _check_y, check_consistent_length

from skrnn._base import BaseManyToOneRNN
from skrnn._docstrings import fill_doc


@fill_doc
class RNNRegressor(RegressorMixin, BaseManyToOneRNN):
    """Recurrent neural network regressor (many-to-one).

    Reads each sequence with a stack of recurrent layers (tanh RNN, LSTM or
    GRU) and predicts one or several real targets from the state after its
    last real step with a linear layer, trained on the squared error by
    backpropagation through time.

    Parameters
    ----------
    %(parameters)s

    Attributes
    ----------
    n_outputs_ : int
        Number of targets.
    %(attributes)s

    See Also
    --------
    RNNClassifier : The same network with a softmax head for classification.
    sklearn.neural_network.MLPRegressor : Feed-forward network regressor.

    Notes
    -----
    %(notes)s

    References
    ----------
    %(references)s

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import RNNRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(60, 5))
    >>> y = X.sum(axis=1)
    >>> reg = RNNRegressor(hidden_size=8, max_iter=30, random_state=0).fit(X, y)
    >>> reg.predict(X[:3]).shape
    (3,)
    """

    _loss = "squared"

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

    def _encode_targets(self, y, n_samples, first_pass):
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None."
            )
        y = _check_y(y, multi_output=True, y_numeric=True, estimator=self)
        check_consistent_length(np.empty(n_samples), y)
        if y.ndim == 1:
            y = y.reshape(-1, 1)
        if first_pass:
            self.n_outputs_ = y.shape[1]
        elif y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {y.shape[1]} targets, but {type(self).__name__} was fitted "
                f"with {self.n_outputs_}."
            )
        return np.ascontiguousarray(y)

    def _n_outputs(self):
        return self.n_outputs_

    def _score_encoded(self, raw, targets, sample_weight):
        return float(r2_score(targets, raw, sample_weight=sample_weight))

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the network to sequences ``X`` and targets ``y``.

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
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Real targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples in the loss; None gives every sample
            weight 1.

        Returns
        -------
        self : RNNRegressor
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y):
        """Train for one epoch over ``X`` and ``y``.

        Parameters
        ----------
        X : iterable of str, array-like or list of array-like
            Training sequences, as in :meth:`fit`. The first call fixes the
            vocabulary: words first seen later are read as the
            out-of-vocabulary id 1, token ids at or above
            ``vocabulary_size_`` are an error (see ``vocabulary_size``).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Real targets.

        Returns
        -------
        self : RNNRegressor
            The estimator, trained one more epoch.
        """
        return self._fit(X, y, incremental=True)

    def predict(self, X):
        """Predict the targets of each sequence.

        Parameters
        ----------
        X : iterable of str, array-like or list of array-like
            Sequences of the kind seen at fit (see :meth:`fit`).

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            One value per sequence when fitted on a 1-D ``y`` or a single
            column.
        """
        raw = self._raw_predict(X)
        if raw.shape[1] == 1:
            return raw.ravel()
        return raw

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
