"""Finite-difference check of a fitted estimator's gradients."""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from sklearn.utils import check_random_state

from skrnn._base import training_problem
from skrnn._training import batch_loss_and_grad


def check_gradients(estimator, X, y=None, *, epsilon=1e-6, max_params=None,
                    random_state=0):  # fmt: skip
    """Compare a fitted estimator's analytic gradients with finite differences.

    The fitted network is copied in float64, its training loss on ``(X, y)``
    (with the estimator's L2 penalty and class weights, without dropout) is
    differentiated by the kernels with full backpropagation through time,
    and each parameter's derivative is estimated by central differences
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
    network, data, settings = training_problem(estimator, X, y, dtype=np.float64)
    return relative_gradient_error(
        network, data, settings, epsilon=epsilon, max_params=max_params,
        random_state=random_state,
    )  # fmt: skip


def relative_gradient_error(network, data, settings, *, epsilon=1e-6,
                            max_params=None, random_state=0):  # fmt: skip
    """Compare the gradient of a training loss with central differences.

    Parameters
    ----------
    network : RNNNetwork
        Its ``theta`` is perturbed in place and restored.
    data : TrainingData
        One batch (no carried state).
    settings : TrainingSettings
        The loss, its L2 term and the truncation (see
        :func:`skrnn._training.batch_loss_and_grad`).
    epsilon, max_params, random_state
        See :func:`check_gradients`.

    Returns
    -------
    error : float
        ``max |g_analytic - g_numeric| / max |g_numeric|``.
    """

    def loss_and_grad(grad):
        return batch_loss_and_grad(network, data, grad, settings)[0]

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
