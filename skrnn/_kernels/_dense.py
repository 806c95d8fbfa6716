"""Dense output head and its losses.

Symbols: ``N`` rows (samples, or sample-steps for a next-step head), ``K``
input width, ``C`` outputs. Row weights ``w`` are the sample weights already
divided by their sum, so every loss below is ``sum_i w_i * l_i``.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from numba import njit

from skrnn._kernels._config import JIT_OPTIONS
from skrnn._kernels._linalg import (
    add_rows_matmul,
    column_sums_accumulate,
    outer_accumulate,
    pack_panels,
    project_rows,
    transpose,
)


@njit(**JIT_OPTIONS)
def dense_forward(h, W, b, out):
    """Compute ``out = b + h @ W``.

    Parameters
    ----------
    h : ndarray of shape (N, K)
    W : ndarray of shape (K, C)
    b : ndarray of shape (C,)
    out : ndarray of shape (N, C)
    """
    # Panels: W serves every row (all steps of every sample for a next-step head).
    project_rows(h, h.shape[0], W, b, out, pack_panels(W))


@njit(**JIT_OPTIONS)
def dense_backward(h, d_out, W, dh, dW, db):
    """Gradients of ``out = b + h @ W`` given ``d_out``.

    Parameters
    ----------
    h : ndarray of shape (N, K)
    d_out : ndarray of shape (N, C)
    W : ndarray of shape (K, C)
    dh : ndarray of shape (N, K)
        Out: ``d_out @ W.T``.
    dW : ndarray of shape (K, C)
        Out: ``h.T @ d_out``.
    db : ndarray of shape (C,)
        Out: ``d_out.sum(axis=0)``.
    """
    C = W.shape[1]
    dW[:] = 0
    db[:] = 0
    dh[:] = 0
    outer_accumulate(h, d_out, C, dW, 0)
    column_sums_accumulate(d_out, C, db, 0)
    N = h.shape[0]
    W_T = transpose(W)
    add_rows_matmul(d_out, W_T, dh, np.arange(N), N, pack_panels(W_T))


@njit(**JIT_OPTIONS)
def shifted_log_sum_exp(row):
    """Log-sum-exp of ``row``, shifted by its largest entry.

    Parameters
    ----------
    row : ndarray of shape (C,)

    Returns
    -------
    top : float
        ``max(row)``.
    log_total : float
        ``log(sum(exp(row - top)))``, so that
        ``log softmax(row) = (row - top) - log_total``.
    """
    # Shift by the top entry first: exact for huge entries of one sign.
    top = row[0]
    for k in range(1, row.shape[0]):
        top = max(top, row[k])
    total = 0.0
    for k in range(row.shape[0]):
        total += np.exp(row[k] - top)
    return top, np.log(total)


@njit(**JIT_OPTIONS)
def softmax_cross_entropy(logits, targets, weights, d_logits):
    """Weighted softmax cross-entropy and its gradient, fused.

    Parameters
    ----------
    logits : ndarray of shape (N, C)
    targets : ndarray of shape (N,), int64
        Class index of each row, in ``[0, C)``.
    weights : ndarray of shape (N,)
        Row weights (normalised by the caller); rows of weight 0 add nothing.
    d_logits : ndarray of shape (N, C)
        Out: ``w_i * (softmax(logits_i) - onehot(targets_i))``.

    Returns
    -------
    loss : float
        ``sum_i w_i * -log softmax(logits_i)[targets_i]``, accumulated in float64.
    """
    N, C = logits.shape
    loss = 0.0
    for i in range(N):
        row = logits[i]
        top, log_total = shifted_log_sum_exp(row)
        w = weights[i]
        for k in range(C):
            d_logits[i, k] = w * np.exp((row[k] - top) - log_total)
        d_logits[i, targets[i]] -= w
        loss += w * (log_total - (row[targets[i]] - top))
    return loss


@njit(**JIT_OPTIONS)
def squared_error(predictions, targets, weights, d_predictions):
    """Weighted half mean squared error and its gradient, fused.

    The loss of row ``i`` is ``sum_k (p_ik - y_ik)^2 / (2 C)``, as in
    scikit-learn's ``MLPRegressor``.

    Parameters
    ----------
    predictions, targets : ndarray of shape (N, C)
    weights : ndarray of shape (N,)
        Row weights (normalised by the caller).
    d_predictions : ndarray of shape (N, C)
        Out: gradient of the loss w.r.t. ``predictions``.

    Returns
    -------
    loss : float
    """
    N, C = predictions.shape
    loss = 0.0
    for i in range(N):
        w = weights[i]
        row_loss = 0.0
        for k in range(C):
            diff = predictions[i, k] - targets[i, k]
            row_loss += diff * diff
            d_predictions[i, k] = w * diff / C
        loss += w * row_loss / (2 * C)
    return loss


@njit(**JIT_OPTIONS)
def squared_error_with_stop(predictions, targets, weights, d_predictions):
    """Squared error of values plus the logistic loss of a stop logit, fused.

    The last column is a logit of "the sequence ends after this step",
    whose target is 0 or 1; the others are values. The loss of row ``i``
    is ``sum_k<C (p_ik - y_ik)^2 / (2 C) + log(1 + exp(z)) - z s`` with
    ``C`` the number of values, ``z`` the logit and ``s`` its target.

    Parameters
    ----------
    predictions, targets : ndarray of shape (N, C + 1)
    weights : ndarray of shape (N,)
        Row weights (normalised by the caller).
    d_predictions : ndarray of shape (N, C + 1)
        Out: gradient of the loss w.r.t. ``predictions``.

    Returns
    -------
    loss : float
    """
    N, C1 = predictions.shape
    C = C1 - 1
    loss = 0.0
    for i in range(N):
        w = weights[i]
        row_loss = 0.0
        for k in range(C):
            diff = predictions[i, k] - targets[i, k]
            row_loss += diff * diff
            d_predictions[i, k] = w * diff / C
        row_loss /= 2 * C
        z = float(predictions[i, C])
        s = float(targets[i, C])
        # log(1 + exp(z)) - z s, without overflow for large |z|.
        row_loss += max(z, 0.0) - z * s + np.log1p(np.exp(-abs(z)))
        p = 1.0 / (1.0 + np.exp(-z)) if z >= 0 else np.exp(z) / (1.0 + np.exp(z))
        d_predictions[i, C] = w * (p - s)
        loss += w * row_loss
    return loss


@njit(**JIT_OPTIONS)
def log_softmax(logits, out):
    """Row-wise stable log-softmax.

    Parameters
    ----------
    logits : ndarray of shape (N, C)
    out : ndarray of shape (N, C)
    """
    N, C = logits.shape
    for i in range(N):
        row = logits[i]
        top, log_total = shifted_log_sum_exp(row)
        for k in range(C):
            out[i, k] = (row[k] - top) - log_total
