"""Tests of the in-place optimizer updates and clipping in ``_kernels/_optim.py``.

Each update runs for several steps on a flat vector with a different gradient
every step and must stay equal to the closed-form reference arrays (and, for
SGD and Adam, to scikit-learn's own ``SGDOptimizer`` / ``AdamOptimizer``).
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest
from sklearn.neural_network._stochastic_optimizers import AdamOptimizer, SGDOptimizer

from skrnn._kernels._optim import (
    adam_update,
    clip_global_norm,
    rmsprop_update,
    sgd_update,
)
from tests import reference

P = 11
N_STEPS = 6


def gradients(seed=0):
    """A different gradient for each step, on a common scale of about 1."""
    rng = np.random.default_rng(seed)
    return rng.normal(size=(N_STEPS, P))


def initial_theta(seed=0):
    return np.random.default_rng(seed + 100).normal(size=P)


@pytest.mark.parametrize("momentum", [0.0, 0.9])
@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_update_matches_reference(momentum, nesterov):
    theta = initial_theta()
    velocity = np.zeros(P)
    ref_theta, ref_velocity = theta.copy(), velocity.copy()
    for g in gradients():
        sgd_update(theta, g, velocity, 0.1, momentum, nesterov)
        ref_theta, ref_velocity = reference.sgd_update(
            ref_theta, g, ref_velocity, 0.1, momentum, nesterov
        )
        np.testing.assert_allclose(theta, ref_theta, rtol=1e-12)
        np.testing.assert_allclose(velocity, ref_velocity, rtol=1e-12)
    assert not np.allclose(theta, initial_theta())


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_update_matches_sklearn_sgd_optimizer(nesterov):
    theta = initial_theta()
    velocity = np.zeros(P)
    sk_theta = theta.copy()
    sk = SGDOptimizer(
        [sk_theta], learning_rate_init=0.05, momentum=0.8, nesterov=nesterov
    )
    for g in gradients(1):
        sgd_update(theta, g, velocity, 0.05, 0.8, nesterov)
        sk.update_params([sk_theta], [g])
    np.testing.assert_allclose(theta, sk_theta, rtol=1e-12)
    np.testing.assert_allclose(velocity, sk.velocities[0], rtol=1e-12)


def test_rmsprop_update_matches_reference():
    theta = initial_theta()
    mean_square = np.zeros(P)
    ref_theta, ref_ms = theta.copy(), mean_square.copy()
    for g in gradients(2):
        rmsprop_update(theta, g, mean_square, 0.01, 0.9, 1e-8)
        ref_theta, ref_ms = reference.rmsprop_update(
            ref_theta, g, ref_ms, 0.01, 0.9, 1e-8
        )
        np.testing.assert_allclose(theta, ref_theta, rtol=1e-12)
        np.testing.assert_allclose(mean_square, ref_ms, rtol=1e-12)
    # The first step moves every coordinate by about lr / sqrt(1 - rho).
    assert not np.allclose(theta, initial_theta())


def test_adam_update_matches_reference():
    theta = initial_theta()
    m, v = np.zeros(P), np.zeros(P)
    ref_theta, ref_m, ref_v = theta.copy(), m.copy(), v.copy()
    for step, g in enumerate(gradients(3), start=1):
        adam_update(theta, g, m, v, 0.01, 0.9, 0.999, 1e-8, step)
        ref_theta, ref_m, ref_v = reference.adam_update(
            ref_theta, g, ref_m, ref_v, 0.01, 0.9, 0.999, 1e-8, step
        )
        np.testing.assert_allclose(theta, ref_theta, rtol=1e-12)
        np.testing.assert_allclose(m, ref_m, rtol=1e-12)
        np.testing.assert_allclose(v, ref_v, rtol=1e-12)


def test_adam_update_first_step_moves_each_coordinate_by_learning_rate():
    # With bias correction and eps = 0, step 1 is theta -= lr * sign(g).
    theta = initial_theta()
    g = gradients(4)[0]
    adam_update(theta, g, np.zeros(P), np.zeros(P), 0.01, 0.9, 0.999, 0.0, 1)
    np.testing.assert_allclose(initial_theta() - theta, 0.01 * np.sign(g), rtol=1e-12)


def test_adam_update_matches_sklearn_adam_optimizer():
    theta = initial_theta()
    m, v = np.zeros(P), np.zeros(P)
    sk_theta = theta.copy()
    sk = AdamOptimizer(
        [sk_theta], learning_rate_init=0.01, beta_1=0.8, beta_2=0.99, epsilon=1e-7
    )
    for step, g in enumerate(gradients(5), start=1):
        adam_update(theta, g, m, v, 0.01, 0.8, 0.99, 1e-7, step)
        sk.update_params([sk_theta], [g])
    np.testing.assert_allclose(theta, sk_theta, rtol=1e-12)
    np.testing.assert_allclose(m, sk.ms[0], rtol=1e-12)
    np.testing.assert_allclose(v, sk.vs[0], rtol=1e-12)


# ------------------------------------------------------------------ clipping
def test_clip_global_norm_scales_to_max_norm():
    grad = np.array([3.0, 0.0, -4.0])
    norm = clip_global_norm(grad, 2.0)
    assert norm == 5.0
    np.testing.assert_allclose(grad, [1.2, 0.0, -1.6], rtol=1e-15)

    g = gradients(6).ravel()
    ref_g, ref_norm = reference.clip_global_norm(g, 0.5)
    norm = clip_global_norm(g, 0.5)
    assert norm == pytest.approx(ref_norm, rel=1e-14)
    assert norm > 0.5
    np.testing.assert_allclose(g, ref_g, rtol=1e-14)
    assert np.linalg.norm(g) == pytest.approx(0.5, rel=1e-14)


def test_clip_global_norm_below_max_norm_is_noop():
    g = gradients(7).ravel()
    before = g.copy()
    norm = clip_global_norm(g, 1e3)
    assert np.array_equal(g, before)
    assert norm == pytest.approx(np.linalg.norm(before), rel=1e-14)


def test_clip_global_norm_float32_accumulates_in_float64():
    # Squares of 1e20 overflow float32 (max 3.4e38): the norm must not be inf.
    g = np.full(4, 1e20, dtype=np.float32)
    norm = clip_global_norm(g, 1.0)
    assert norm == pytest.approx(2.0 * float(np.float32(1e20)), rel=1e-12)
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, 0.5, rtol=1e-6)
