"""Stochastic optimizers on the flat parameter vector.

Plain classes holding their state arrays; the updates themselves run in
``_kernels/_optim.py``. Same names and maths as scikit-learn's
``neural_network._stochastic_optimizers``.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

from abc import ABC, abstractmethod

import numpy as np

from skrnn._kernels._optim import adam_update, rmsprop_update, sgd_update


def _copy_state(state):
    """A copy of a dict of numbers and arrays."""
    return {
        name: value.copy() if isinstance(value, np.ndarray) else value
        for name, value in state.items()
    }


class BaseOptimizer(ABC):
    """What the training loop uses of an optimizer.

    Parameters
    ----------
    learning_rate_init : float
        The first value of ``learning_rate``.

    Attributes
    ----------
    learning_rate : float
        The step size of the next update. The training loop sets it back to
        ``learning_rate_init`` at the start of every ``fit`` and divides it
        when the loss reaches a plateau.
    """

    # The estimator parameters passed to ``__init__`` after
    # ``learning_rate_init``, in order (read by ``make_optimizer``).
    hyperparameters = ()

    def __init__(self, learning_rate_init):
        self.learning_rate = learning_rate_init

    def get_state(self):
        """A copy of the optimizer's state (learning rate, moments, steps)."""
        return _copy_state(vars(self))

    def set_state(self, state):
        """Go back to a state returned by :meth:`get_state`."""
        vars(self).update(_copy_state(state))

    def forget(self, mask):
        """Zero the per-parameter state (moments, velocity) where ``mask``.

        A parameter whose gradient is then always 0 stays bit-identical
        under every update: no momentum or moment estimate carries it.
        """
        for value in vars(self).values():
            if isinstance(value, np.ndarray) and value.shape == mask.shape:
                value[mask] = 0

    def state_problem(self, n_params, dtype):
        """What makes this (loaded) optimizer unusable for ``n_params``
        parameters of ``dtype``, or None: its update kernels read every
        state array at every parameter's index."""
        for name, value in vars(self).items():
            if isinstance(value, np.ndarray) and (
                value.shape != (n_params,) or value.dtype != dtype
            ):
                return (
                    f"its {name} has shape {value.shape} and dtype {value.dtype}, "
                    f"for {n_params} parameters of dtype {np.dtype(dtype)}"
                )
        return None

    @abstractmethod
    def update(self, theta, grad):
        """Apply one step to ``theta`` in place.

        Parameters
        ----------
        theta : ndarray of shape (n_params,)
            The flat parameter vector, updated in place.
        grad : ndarray of shape (n_params,)
            The gradient of the loss at ``theta``.
        """


class SGDOptimizer(BaseOptimizer):
    """SGD with (Nesterov) momentum."""

    hyperparameters = ("momentum", "nesterovs_momentum")

    def __init__(self, n_params, dtype, learning_rate_init, momentum, nesterov):
        super().__init__(learning_rate_init)
        self.momentum = momentum
        self.nesterov = nesterov
        self.velocity = np.zeros(n_params, dtype=dtype)

    def update(self, theta, grad):
        sgd_update(
            theta, grad, self.velocity, self.learning_rate, self.momentum, self.nesterov
        )


class RMSpropOptimizer(BaseOptimizer):
    """RMSprop with decay ``rho``."""

    hyperparameters = ("rho", "epsilon")

    def __init__(self, n_params, dtype, learning_rate_init, rho, epsilon):
        super().__init__(learning_rate_init)
        self.rho = rho
        self.epsilon = epsilon
        self.mean_square = np.zeros(n_params, dtype=dtype)

    def update(self, theta, grad):
        rmsprop_update(
            theta, grad, self.mean_square, self.learning_rate, self.rho, self.epsilon
        )


class AdamOptimizer(BaseOptimizer):
    """Adam (Kingma & Ba, 2014) with scikit-learn's bias correction."""

    hyperparameters = ("beta_1", "beta_2", "epsilon")

    def __init__(self, n_params, dtype, learning_rate_init, beta_1, beta_2, epsilon):
        super().__init__(learning_rate_init)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.t = 0
        self.m = np.zeros(n_params, dtype=dtype)
        self.v = np.zeros(n_params, dtype=dtype)

    def update(self, theta, grad):
        self.t += 1
        adam_update(
            theta, grad, self.m, self.v, self.learning_rate, self.beta_1,
            self.beta_2, self.epsilon, self.t,
        )  # fmt: skip


# The optimizers by the name the ``optimizer`` parameter gives them.
OPTIMIZERS = {
    "sgd": SGDOptimizer,
    "rmsprop": RMSpropOptimizer,
    "adam": AdamOptimizer,
}


def make_optimizer(name, n_params, dtype, settings):
    """Build the optimizer ``name`` for a parameter vector.

    Parameters
    ----------
    name : {"sgd", "rmsprop", "adam"}
        A key of ``OPTIMIZERS``.
    n_params : int
        Length of the flat parameter vector.
    dtype : numpy dtype
        Dtype of the parameter vector and of the optimizer's state.
    settings : dict
        The estimator's parameters: ``learning_rate_init`` and the
        ``hyperparameters`` of the optimizer's class.

    Returns
    -------
    optimizer : BaseOptimizer

    Raises
    ------
    ValueError
        If ``name`` is not a key of ``OPTIMIZERS``.
    """
    if name not in OPTIMIZERS:
        raise ValueError(
            f"Unknown optimizer {name!r}; expected one of {sorted(OPTIMIZERS)}."
        )
    optimizer_class = OPTIMIZERS[name]
    return optimizer_class(
        n_params,
        dtype,
        settings["learning_rate_init"],
        *(settings[parameter] for parameter in optimizer_class.hyperparameters),
    )
