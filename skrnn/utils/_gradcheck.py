"""Finite-difference check of a fitted estimator's gradients."""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from skrnn._training import SequenceData, TrainingData, batch_loss_and_grad


def check_gradients(estimator, X, y=None, *, epsilon=1e-6, max_params=None,
                    random_state=0):  # fmt: skip
    """Compare a fitted estimator's analytic gradients with finite differences.

    The fitted network is copied in float64, its training loss on ``(X, y)``
    (with the estimator's L2 penalty, without dropout) is differentiated by
    the kernels with full backpropagation through time, and each parameter's
    derivative is estimated by central differences
    ``(L(p + e) - L(p - e)) / (2 e)``. ``bptt_steps`` is not applied: a
    truncated gradient is by design not the derivative of the loss.

    Parameters
    ----------
    estimator : RNNClassifier, RNNRegressor or RNNSequenceGenerator
        A fitted estimator; it is not modified.
    X : array-like, list of array-like or iterable of str
        Sequences or text, in any form the estimator's ``fit`` accepts.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
        Targets (None for RNNSequenceGenerator, whose targets are the next
        steps of ``X``).
    epsilon : float, default=1e-6
        Finite-difference step.
    max_params : int or None, default=None
        Check only this many parameters, drawn at random (None checks all).
    random_state : int, RandomState instance or None, default=0
        Draws the parameters checked when ``max_params`` is set.

    Returns
    -------
    error : float
        ``max |g_analytic - g_numeric| / max |g_numeric|`` over the checked
        parameters: about 1e-9 or below for a correct implementation.

    Examples
    --------
    >>> import numpy as np
    >>> from skrnn import RNNRegressor
    >>> from skrnn.utils import check_gradients
    >>> X = np.random.RandomState(0).normal(size=(8, 4))
    >>> y = X.sum(axis=1)
    >>> reg = RNNRegressor(hidden_size=3, max_iter=2, random_state=0).fit(X, y)
    >>> check_gradients(reg, X, y) < 1e-6
    True
    """
    check_is_fitted(estimator)
    network = estimator._network.astype(np.float64)
    numeric = network.vocabulary_size is None
    if hasattr(estimator, "_next_step_data"):
        # A next-step model: every sequence whole, one batch, no carried state.
        inputs, targets, lengths = estimator._next_step_data(X, reset=False)
        if numeric:
            inputs, targets = inputs.astype(np.float64), targets.astype(np.float64)
        data = SequenceData(
            inputs, targets, lengths, estimator._loss, estimator._output_mask()
        )
        data.lanes = None
        data.weight = float(lengths.sum())

        def loss_and_grad(grad):
            return data.loss_and_grad(estimator, network, data, grad, None)

    else:
        values, lengths = estimator._validate_input(X, reset=False)
        if numeric:
            values = values.astype(np.float64)  # token ids stay int64
        targets = estimator._encode_targets(y, values.shape[0], first_pass=False)
        if estimator._loss == "squared":
            targets = targets.astype(np.float64)
        data = TrainingData(values, lengths, targets, np.ones(values.shape[0]))

        def loss_and_grad(grad):
            # No dropout masks, full BPTT.
            return batch_loss_and_grad(
                estimator, network, data, grad, estimator._loss, None, None
            )

    analytic = np.zeros_like(network.theta)
    loss_and_grad(analytic)

    index = np.arange(network.theta.shape[0])
    if max_params is not None and max_params < index.shape[0]:
        rng = check_random_state(random_state)
        index = np.sort(rng.choice(index, size=max_params, replace=False))
    numeric = np.empty(index.shape[0])
    scratch = np.zeros_like(analytic)
    for k, p in enumerate(index):
        saved = network.theta[p]
        network.theta[p] = saved + epsilon
        plus = loss_and_grad(scratch)
        network.theta[p] = saved - epsilon
        minus = loss_and_grad(scratch)
        network.theta[p] = saved
        numeric[k] = (plus - minus) / (2 * epsilon)
    scale = max(np.abs(numeric).max(), np.finfo(np.float64).tiny)
    return float(np.abs(analytic[index] - numeric).max() / scale)
