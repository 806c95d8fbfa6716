"""Stochastic optimizers on the flat parameter vector.

Plain classes holding their state arrays; the updates themselves run in
``_kernels/_optim.py``. Same names and maths as scikit-learn's
``neural_network._stochastic_optimizers``.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from skrnn._kernels._optim import adam_update, rmsprop_update, sgd_update


class SGDOptimizer:
    """SGD with (Nesterov) momentum."""

    def __init__(self, n_params, dtype, learning_rate_init, momentum, nesterov):
        self.learning_rate = learning_rate_init
        self.momentum = momentum
        self.nesterov = nesterov
        self.velocity = np.zeros(n_params, dtype=dtype)

    def update(self, theta, grad):
        """Apply one step to ``theta`` in place."""
        sgd_update(
            theta, grad, self.velocity, self.learning_rate, self.momentum, self.nesterov
        )


class RMSpropOptimizer:
    """RMSprop with decay ``rho``."""

    def __init__(self, n_params, dtype, learning_rate_init, rho, epsilon):
        self.learning_rate = learning_rate_init
        self.rho = rho
        self.epsilon = epsilon
        self.mean_square = np.zeros(n_params, dtype=dtype)

    def update(self, theta, grad):
        """Apply one step to ``theta`` in place."""
        rmsprop_update(
            theta, grad, self.mean_square, self.learning_rate, self.rho, self.epsilon
        )


class AdamOptimizer:
    """Adam (Kingma & Ba, 2014) with scikit-learn's bias correction."""

    def __init__(self, n_params, dtype, learning_rate_init, beta_1, beta_2, epsilon):
        self.learning_rate = learning_rate_init
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.t = 0
        self.m = np.zeros(n_params, dtype=dtype)
        self.v = np.zeros(n_params, dtype=dtype)

    def update(self, theta, grad):
        """Apply one step to ``theta`` in place."""
        self.t += 1
        adam_update(
            theta, grad, self.m, self.v, self.learning_rate, self.beta_1,
            self.beta_2, self.epsilon, self.t,
        )  # fmt: skip


def make_optimizer(name, n_params, dtype, settings):
    """Build the optimizer ``name`` ("sgd", "rmsprop", "adam") from ``settings``."""
    lr = settings["learning_rate_init"]
    if name == "sgd":
        return SGDOptimizer(
            n_params, dtype, lr, settings["momentum"], settings["nesterovs_momentum"]
        )
    if name == "rmsprop":
        return RMSpropOptimizer(
            n_params, dtype, lr, settings["rho"], settings["epsilon"]
        )
    return AdamOptimizer(
        n_params, dtype, lr, settings["beta_1"], settings["beta_2"], settings["epsilon"]
    )
