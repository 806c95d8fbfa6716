"""Tests of the dense head kernels and the fused losses in ``_kernels/_dense.py``.

Each kernel is compared with the plain-numpy reference and, for gradients, with
central finite differences; output buffers are filled with NaN first so that
anything left unwritten fails the comparison.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest

from skrnn._kernels._dense import (
    dense_backward,
    dense_forward,
    log_softmax,
    softmax_cross_entropy,
    squared_error,
    squared_error_with_stop,
)
from tests import reference
from tests.gradcheck import numerical_gradient, relative_error

N, K, C = 5, 4, 3


def nan_like(a):
    return np.full(a.shape, np.nan)


def head_problem(seed=0):
    rng = np.random.default_rng(seed)
    h = rng.normal(size=(N, K))
    W = rng.normal(size=(K, C))
    b = rng.normal(size=C)
    d_out = rng.normal(size=(N, C))
    return h, W, b, d_out


def loss_problem(seed=0):
    """Logits/predictions, class targets, float targets and normalised weights."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(scale=2.0, size=(N, C))
    classes = rng.integers(0, C, size=N).astype(np.int64)
    y = rng.normal(size=(N, C))
    w = rng.uniform(0.5, 2.0, size=N)
    return logits, classes, y, w / w.sum()


def kernel_dense_forward(h, W, b):
    out = np.full((h.shape[0], W.shape[1]), np.nan)
    dense_forward(h, W, b, out)
    return out


def kernel_softmax_ce(logits, targets, weights):
    d = nan_like(logits)
    loss = softmax_cross_entropy(logits, targets, weights, d)
    return loss, d


def kernel_squared_error(p, y, weights):
    d = nan_like(p)
    loss = squared_error(p, y, weights, d)
    return loss, d


# ----------------------------------------------------------------- dense head
def test_dense_forward_matches_reference():
    h, W, b, _ = head_problem()
    out = kernel_dense_forward(h, W, b)
    np.testing.assert_allclose(out, reference.dense_forward(h, W, b), rtol=1e-12)


def test_dense_backward_matches_reference():
    h, W, b, d_out = head_problem()
    dh, dW, db = nan_like(h), nan_like(W), nan_like(b)
    dense_backward(h, d_out, W, dh, dW, db)
    ref_dh, ref_dW, ref_db = reference.dense_backward(h, d_out, W)
    np.testing.assert_allclose(dh, ref_dh, rtol=1e-12)
    np.testing.assert_allclose(dW, ref_dW, rtol=1e-12)
    np.testing.assert_allclose(db, ref_db, rtol=1e-12)


def test_dense_backward_matches_finite_differences():
    h, W, b, d_out = head_problem(1)
    dh, dW, db = nan_like(h), nan_like(W), nan_like(b)
    dense_backward(h, d_out, W, dh, dW, db)
    num = numerical_gradient(
        lambda: np.sum(d_out * kernel_dense_forward(h, W, b)), [h, W, b]
    )
    for g, g_num in zip((dh, dW, db), num):
        assert relative_error(g, g_num) <= 1e-6


# --------------------------------------------------------------------- losses
def test_softmax_cross_entropy_matches_reference():
    logits, classes, _, w = loss_problem()
    loss, d = kernel_softmax_ce(logits, classes, w)
    ref_loss, ref_d = reference.softmax_cross_entropy(logits, classes, w)
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    np.testing.assert_allclose(d, ref_d, rtol=1e-12, atol=1e-15)


def test_softmax_cross_entropy_gradient_matches_finite_differences():
    logits, classes, _, w = loss_problem(1)
    _, d = kernel_softmax_ce(logits, classes, w)
    (num,) = numerical_gradient(
        lambda: softmax_cross_entropy(logits, classes, w, nan_like(logits)), [logits]
    )
    assert relative_error(d, num) <= 1e-6


def test_squared_error_matches_reference():
    p, _, y, w = loss_problem()
    loss, d = kernel_squared_error(p, y, w)
    ref_loss, ref_d = reference.squared_error(p, y, w)
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    np.testing.assert_allclose(d, ref_d, rtol=1e-12)


def test_squared_error_gradient_matches_finite_differences():
    p, _, y, w = loss_problem(1)
    _, d = kernel_squared_error(p, y, w)
    (num,) = numerical_gradient(lambda: squared_error(p, y, w, nan_like(p)), [p])
    assert relative_error(d, num) <= 1e-6


def stop_problem(seed=0):
    """Values and a stop logit per row (some large), targets with 0/1 stops."""
    rng = np.random.default_rng(seed)
    p = rng.normal(size=(N, C + 1))
    p[:, C] *= [1, 40, -40, 3, -0.5]
    y = rng.normal(size=(N, C + 1))
    y[:, C] = [1, 0, 1, 0, 1]
    w = rng.uniform(0.5, 2.0, size=N)
    return p, y, w / w.sum()


def test_squared_error_with_stop_matches_numpy():
    p, y, w = stop_problem()
    d = nan_like(p)
    loss = squared_error_with_stop(p, y, w, d)
    # The squared error of the values plus the logistic loss of the stop.
    sq_loss, sq_d = reference.squared_error(p[:, :C], y[:, :C], w)
    z, s = p[:, C], y[:, C]
    log_1p_exp = np.logaddexp(0, z)  # log(1 + exp(z)), exact for large |z|
    assert loss == pytest.approx(sq_loss + np.sum(w * (log_1p_exp - z * s)), rel=1e-12)
    np.testing.assert_allclose(d[:, :C], sq_d, rtol=1e-12)
    np.testing.assert_allclose(d[:, C], w * (1 / (1 + np.exp(-z)) - s), rtol=1e-12)


def test_squared_error_with_stop_gradient_matches_finite_differences():
    p, y, w = stop_problem(1)
    p[:, C] /= 10  # finite differences need moderate logits
    d = nan_like(p)
    squared_error_with_stop(p, y, w, d)
    (num,) = numerical_gradient(
        lambda: squared_error_with_stop(p, y, w, nan_like(p)), [p]
    )
    assert relative_error(d, num) <= 1e-6


@pytest.mark.parametrize("loss_name", ["softmax_cross_entropy", "squared_error"])
def test_losses_zero_weight_rows_add_nothing(loss_name):
    logits, classes, y, w = loss_problem(2)
    w[[1, 3]] = 0.0
    keep = w > 0
    if loss_name == "softmax_cross_entropy":
        loss, d = kernel_softmax_ce(logits, classes, w)
        loss_kept, d_kept = kernel_softmax_ce(
            logits[keep], classes[keep], np.ascontiguousarray(w[keep])
        )
    else:
        loss, d = kernel_squared_error(logits, y, w)
        loss_kept, d_kept = kernel_squared_error(
            logits[keep], y[keep], np.ascontiguousarray(w[keep])
        )
    assert np.all(d[~keep] == 0)
    assert np.array_equal(d[keep], d_kept)
    assert loss == loss_kept
    assert loss > 0


def test_softmax_cross_entropy_extreme_logits_stay_finite():
    logits = np.array(
        [
            [1e4, -1e4, 0.0],  # target 1: loss 2e4
            [1e4, -1e4, 0.0],  # target 0: loss ~0
            [-1e4, -1e4, -1e4],  # uniform: loss log 3
            [1e4, 1e4, -1e4],  # target 2: loss 2e4 + log 2
        ]
    )
    classes = np.array([1, 0, 2, 2], dtype=np.int64)
    w = np.full(4, 0.25)
    loss, d = kernel_softmax_ce(logits, classes, w)
    expected_rows = np.array([2e4, 0.0, np.log(3.0), 2e4 + np.log(2.0)])
    assert np.isfinite(loss)
    assert loss == pytest.approx(np.sum(w * expected_rows), rel=1e-15)
    assert np.all(np.isfinite(d))
    ref_loss, ref_d = reference.softmax_cross_entropy(logits, classes, w)
    assert loss == pytest.approx(ref_loss, rel=1e-15)
    np.testing.assert_allclose(d, ref_d, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(d[0], [0.25, -0.25, 0.0], atol=1e-15)


def test_log_softmax_matches_reference_and_normalises():
    logits, _, _, _ = loss_problem()
    out = nan_like(logits)
    log_softmax(logits, out)
    np.testing.assert_allclose(out, reference.log_softmax(logits), rtol=1e-12)
    np.testing.assert_allclose(np.exp(out).sum(axis=1), 1.0, rtol=1e-14)


def test_log_softmax_extreme_logits_stay_finite():
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4, 1e4]])
    out = nan_like(logits)
    log_softmax(logits, out)
    assert np.all(np.isfinite(out))
    # log_norm = max + log(sum): the result is exact to a few ulps of the
    # largest logit, whose own spacing is 1.8e-12 at 1e4.
    atol = 4 * np.spacing(1e4)
    np.testing.assert_allclose(out, reference.log_softmax(logits), rtol=0, atol=atol)
    np.testing.assert_allclose(out[0], [0.0, -2e4, -1e4], rtol=0, atol=atol)
    np.testing.assert_allclose(out[1:], -np.log(3.0), rtol=0, atol=atol)
