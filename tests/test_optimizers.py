"""Tests of the optimizer classes and ``make_optimizer`` in ``_optimizers.py``.

``tests/kernels/test_optim.py`` tests one step of each update kernel. Here each
optimizer keeps its own state over several steps of a constant gradient ``g``,
for which scikit-learn's ``neural_network._stochastic_optimizers`` maths has a
closed form in the step number ``t``.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest

from skrnn import RNNClassifier
from skrnn._optimizers import (
    OPTIMIZERS,
    AdamOptimizer,
    BaseOptimizer,
    RMSpropOptimizer,
    SGDOptimizer,
    make_optimizer,
)

# Any numpy floating-point error fails a test (see tests/conftest.py).
pytestmark = pytest.mark.usefixtures("floating_point_errors_raise")

N_STEPS = 5
# The step numbers t = 1 .. N_STEPS as a column, one row per step.
T = np.arange(1, N_STEPS + 1)[:, None]
DTYPES = (np.float32, np.float64)
# A float32 optimizer rounds its state and theta to float32 at every step.
RTOL = {np.float32: 1e-6, np.float64: 1e-12}


def constant_gradient(dtype):
    """A gradient of mixed signs and magnitudes, no entry 0."""
    return np.array([0.5, -2.0, 3e-3, -0.7, 40.0, -1e-2, 1.3], dtype=dtype)


def run(optimizer, grad):
    """``theta`` after each of ``N_STEPS`` updates from 0: shape (N_STEPS, P)."""
    theta = np.zeros_like(grad)
    path = []
    for _ in range(N_STEPS):
        optimizer.update(theta, grad)
        path.append(theta.copy())
    return np.array(path)


def assert_close(actual, desired, dtype):
    assert actual.dtype == dtype
    np.testing.assert_allclose(actual, desired, rtol=RTOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("momentum", [0.0, 0.9])
@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_optimizer_matches_closed_form(dtype, momentum, nesterov):
    lr = 0.1
    g = constant_gradient(dtype)
    optimizer = SGDOptimizer(g.size, dtype, lr, momentum, nesterov)
    path = run(optimizer, g)
    g = g.astype(np.float64)
    # v_t = momentum v_(t-1) - lr g = -lr g (1 + momentum + ... + momentum^(t-1)).
    velocity = -lr * g * (1 - momentum**T) / (1 - momentum)
    # Nesterov steps by momentum v_t - lr g, plain momentum by v_t.
    step = momentum * velocity - lr * g if nesterov else velocity
    assert_close(path, np.cumsum(step, axis=0), dtype)
    assert_close(optimizer.velocity, velocity[-1], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_rmsprop_optimizer_matches_closed_form(dtype):
    # epsilon large enough to matter: it is added to sqrt(s_t), outside the root.
    lr, rho, epsilon = 0.01, 0.9, 1e-3
    g = constant_gradient(dtype)
    optimizer = RMSpropOptimizer(g.size, dtype, lr, rho, epsilon)
    path = run(optimizer, g)
    g = g.astype(np.float64)
    # s_t = rho s_(t-1) + (1 - rho) g^2 = (1 - rho^t) g^2.
    mean_square = (1 - rho**T) * g**2
    step = -lr * g / (np.sqrt(mean_square) + epsilon)
    assert_close(path, np.cumsum(step, axis=0), dtype)
    assert_close(optimizer.mean_square, mean_square[-1], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_adam_optimizer_matches_closed_form_with_sklearn_bias_correction(dtype):
    # epsilon large enough to tell scikit-learn's bias correction (folded into
    # the rate, epsilon added to sqrt(v_t)) from the paper's (epsilon added to
    # the corrected sqrt(v_t / (1 - beta_2^t))).
    lr, beta_1, beta_2, epsilon = 0.01, 0.9, 0.999, 1e-3
    g = constant_gradient(dtype)
    optimizer = AdamOptimizer(g.size, dtype, lr, beta_1, beta_2, epsilon)
    path = run(optimizer, g)
    g = g.astype(np.float64)
    # m_t = (1 - beta_1^t) g and v_t = (1 - beta_2^t) g^2 for a constant g.
    m = (1 - beta_1**T) * g
    v = (1 - beta_2**T) * g**2
    lr_t = lr * np.sqrt(1 - beta_2**T) / (1 - beta_1**T)
    step = -lr_t * m / (np.sqrt(v) + epsilon)
    assert_close(path, np.cumsum(step, axis=0), dtype)
    assert_close(optimizer.m, m[-1], dtype)
    assert_close(optimizer.v, v[-1], dtype)
    assert optimizer.t == N_STEPS


# Estimator parameters, with values that are nobody's default.
SETTINGS = {
    "learning_rate_init": 0.02,
    "momentum": 0.8,
    "nesterovs_momentum": False,
    "rho": 0.95,
    "beta_1": 0.85,
    "beta_2": 0.99,
    "epsilon": 1e-7,
    "hidden_size": 3,  # not an optimizer's: ignored
}


@pytest.mark.parametrize(
    "name, optimizer_class, hyperparameters",
    [
        ("sgd", SGDOptimizer, {"momentum": 0.8, "nesterov": False}),
        ("rmsprop", RMSpropOptimizer, {"rho": 0.95, "epsilon": 1e-7}),
        ("adam", AdamOptimizer, {"beta_1": 0.85, "beta_2": 0.99, "epsilon": 1e-7}),
    ],
)
def test_make_optimizer_builds_the_named_class(name, optimizer_class, hyperparameters):
    optimizer = make_optimizer(name, 7, np.float32, SETTINGS)
    assert type(optimizer) is optimizer_class
    assert isinstance(optimizer, BaseOptimizer)
    assert optimizer.learning_rate == SETTINGS["learning_rate_init"]
    for attribute, value in hyperparameters.items():
        assert getattr(optimizer, attribute) == value
    state = [a for a in vars(optimizer).values() if isinstance(a, np.ndarray)]
    assert state
    for array in state:
        assert array.shape == (7,) and array.dtype == np.float32 and not array.any()


def test_make_optimizer_knows_every_name_the_estimators_accept():
    (options,) = RNNClassifier._parameter_constraints["optimizer"]
    assert options.options == set(OPTIMIZERS)
    params = RNNClassifier().get_params()
    for name in OPTIMIZERS:
        assert isinstance(make_optimizer(name, 3, np.float64, params), OPTIMIZERS[name])


def test_make_optimizer_rejects_an_unknown_name():
    expected = r"optimizer 'lbfgs'; expected one of \['adam', 'rmsprop', 'sgd'\]"
    with pytest.raises(ValueError, match=expected):
        make_optimizer("lbfgs", 7, np.float64, SETTINGS)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_halving_learning_rate_halves_the_next_step(name, dtype):
    # What the training loop's plateau rule relies on. Two twins share a
    # history; halving one's rate halves its next step, exactly. SGD without
    # momentum: its step is -learning_rate * g whatever the velocity.
    settings = {**SETTINGS, "momentum": 0.0}
    g = constant_gradient(dtype)
    twins = [make_optimizer(name, g.size, dtype, settings) for _ in range(2)]
    for optimizer in twins:
        run(optimizer, g)
    twins[1].learning_rate /= 2
    full_step, half_step = np.zeros_like(g), np.zeros_like(g)
    twins[0].update(full_step, g)
    twins[1].update(half_step, g)
    assert np.all(full_step != 0)
    np.testing.assert_array_equal(half_step, full_step / 2)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_set_state_goes_back_to_get_state(name):
    # What the training loop relies on to undo an epoch that did not
    # complete: the steps after set_state are those after get_state.
    g = constant_gradient(np.float64)
    optimizer = make_optimizer(name, g.size, np.float64, SETTINGS)
    run(optimizer, g)
    state = optimizer.get_state()
    expected = run(optimizer, g)
    optimizer.learning_rate /= 2  # as a plateau would
    run(optimizer, g)
    optimizer.set_state(state)
    np.testing.assert_array_equal(run(optimizer, g), expected)
    # A copy: later steps do not change the state saved.
    optimizer.set_state(state)
    np.testing.assert_array_equal(run(optimizer, g), expected)
