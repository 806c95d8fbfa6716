"""Tests of the scalar activations in ``_kernels/_activations.py``.

``tanh`` and ``sigmoid`` are numba overloads: they only take their kernel form
inside jitted code, so they are exercised through a small test kernel compiled
with the library's fastmath and error-model flags. float32 uses a rational
approximation (bounded here at 3e-7 absolute error); float64 uses libm.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest
from numba import njit

from skrnn._kernels._activations import sigmoid, tanh
from skrnn._kernels._config import ERROR_MODEL, FASTMATH
from tests.reference import sigmoid as reference_sigmoid


@njit(fastmath=set(FASTMATH), error_model=ERROR_MODEL)
def _apply(x, out_tanh, out_sigmoid):
    for k in range(x.shape[0]):
        out_tanh[k] = tanh(x[k])
    for k in range(x.shape[0]):
        out_sigmoid[k] = sigmoid(x[k])


def activations(x):
    """``(tanh(x), sigmoid(x))`` computed elementwise by the kernel overloads."""
    out_tanh = np.full_like(x, np.nan)
    out_sigmoid = np.full_like(x, np.nan)
    _apply(x, out_tanh, out_sigmoid)
    return out_tanh, out_sigmoid


def grid(dtype):
    """A fine grid over [-12, 12] plus zero, the clamp points and extremes."""
    special = [0.0, 1e-30, 1e-7, 0.5, 8.99, 9.0, 9.01, 20.0, 50.0, 700.0, 710.0, 1e4]
    special = np.array(special)
    x = np.concatenate([np.linspace(-12.0, 12.0, 24001), special, -special])
    return x.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activations_keep_input_dtype_and_are_finite(dtype):
    x = grid(dtype)
    t, s = activations(x)
    assert t.dtype == dtype and s.dtype == dtype
    assert np.all(np.isfinite(t)) and np.all(np.isfinite(s))


def test_tanh_float32_matches_numpy():
    x = grid(np.float32)
    t, _ = activations(x)
    err = np.abs(t.astype(np.float64) - np.tanh(x.astype(np.float64)))
    assert err.max() <= 3e-7


def test_sigmoid_float32_matches_logistic():
    x = grid(np.float32)
    _, s = activations(x)
    err = np.abs(s.astype(np.float64) - reference_sigmoid(x.astype(np.float64)))
    assert err.max() <= 3e-7


def test_tanh_float32_is_odd_and_bounded():
    x = grid(np.float32)
    t, _ = activations(x)
    t_neg, _ = activations(-x)
    assert np.array_equal(t_neg, -t)
    assert np.all(np.abs(t) <= 1)
    assert np.all(t[x == 0] == 0)
    assert np.all(np.diff(t[:24001]) >= 0)  # monotone on the sorted part


def test_sigmoid_float32_is_symmetric_and_bounded():
    x = grid(np.float32)
    _, s = activations(x)
    _, s_neg = activations(-x)
    # sigmoid(-x) = 1 - sigmoid(x), to one float32 ulp of 1.
    assert np.abs(s.astype(np.float64) + s_neg - 1).max() <= 2**-23
    assert np.all((s >= 0) & (s <= 1))
    assert np.all(s[x == 0] == 0.5)
    assert np.all(np.diff(s[:24001]) >= 0)


def test_activations_float64_match_numpy():
    x = grid(np.float64)
    t, s = activations(x)
    assert np.abs(t - np.tanh(x)).max() <= 1e-15
    assert np.abs(s - reference_sigmoid(x)).max() <= 1e-15
    # Saturated sigmoid: no overflow of exp, exact limits far out.
    assert s[x == -700.0][0] == pytest.approx(np.exp(-700.0), rel=1e-15)
    assert s[x == 1e4][0] == 1.0 and s[x == -1e4][0] == 0.0
