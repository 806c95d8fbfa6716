"""In-place optimizer updates and gradient clipping on flat vectors.

``theta``, ``grad`` and the state vectors share one shape ``(P,)``.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from numba import njit

from skrnn._kernels._config import JIT_OPTIONS


@njit(**JIT_OPTIONS)
def sgd_update(theta, grad, velocity, learning_rate, momentum, nesterov):
    """SGD with momentum, as scikit-learn's ``SGDOptimizer``.

    ``v = momentum * v - lr * g``; ``theta += v`` (plain momentum) or
    ``theta += momentum * v - lr * g`` (Nesterov).
    """
    for p in range(theta.shape[0]):
        v = momentum * velocity[p] - learning_rate * grad[p]
        velocity[p] = v
        if nesterov:
            theta[p] += momentum * v - learning_rate * grad[p]
        else:
            theta[p] += v


@njit(**JIT_OPTIONS)
def rmsprop_update(theta, grad, mean_square, learning_rate, rho, epsilon):
    """RMSprop: ``s = rho s + (1 - rho) g^2``; ``theta -= lr g / (sqrt(s) + eps)``."""
    for p in range(theta.shape[0]):
        g = grad[p]
        s = rho * mean_square[p] + (1 - rho) * g * g
        mean_square[p] = s
        theta[p] -= learning_rate * g / (np.sqrt(s) + epsilon)


@njit(**JIT_OPTIONS)
def adam_update(theta, grad, m, v, learning_rate, beta_1, beta_2, epsilon, step):
    """Adam, as scikit-learn's ``AdamOptimizer`` (bias correction in the rate).

    ``lr_t = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)``;
    ``theta -= lr_t * m / (sqrt(v) + eps)``.
    """
    lr_t = learning_rate * np.sqrt(1 - beta_2**step) / (1 - beta_1**step)
    for p in range(theta.shape[0]):
        g = grad[p]
        m_p = beta_1 * m[p] + (1 - beta_1) * g
        v_p = beta_2 * v[p] + (1 - beta_2) * g * g
        m[p] = m_p
        v[p] = v_p
        theta[p] -= lr_t * m_p / (np.sqrt(v_p) + epsilon)


@njit(**JIT_OPTIONS)
def clip_global_norm(grad, max_norm):
    """Scale ``grad`` in place so that its L2 norm is at most ``max_norm``.

    Returns
    -------
    norm : float
        The norm before clipping (accumulated in float64).
    """
    total = 0.0
    for p in range(grad.shape[0]):
        g = np.float64(grad[p])  # square in float64: no overflow for float32 grads
        total += g * g
    norm = np.sqrt(total)
    if norm > max_norm:
        scale = max_norm / norm
        for p in range(grad.shape[0]):
            grad[p] *= scale
    return norm


@njit(**JIT_OPTIONS)
def add_l2_penalty(theta, mask, scale, grad):
    """Add the gradient of ``scale / 2 * sum(mask * theta^2)`` to ``grad``.

    ``mask`` is 1 on the penalised entries (weight matrices) and 0 elsewhere.
    A plain loop rather than ``np.dot``: a BLAS call between two parallel
    kernels makes OpenBLAS's and OpenMP's spinning threads fight for the
    cores (milliseconds per batch on 2 cores).

    Returns
    -------
    penalty : float
        ``scale / 2 * sum(mask * theta^2)``, accumulated in float64.
    """
    total = 0.0
    for p in range(theta.shape[0]):
        w = mask[p] * theta[p]
        grad[p] += scale * w
        total += np.float64(w) * np.float64(w)
    return 0.5 * scale * total
