"""Scalar activations used inside the cell kernels.

``tanh`` and ``sigmoid`` pick their implementation by the argument's type at
compile time: float32 uses a vectorisable rational approximation (``np.tanh``
inside njit is a scalar libm call here, about 7x slower than this), float64
uses the exact libm functions, which the float64 gradient tests rely on.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import math

import numpy as np
from numba import types
from numba.extending import overload

from skrnn._kernels._config import ERROR_MODEL, FASTMATH

_OVERLOAD_OPTIONS = {"fastmath": set(FASTMATH), "error_model": ERROR_MODEL}


def tanh(x):
    """Hyperbolic tangent (pure-Python version, used when JIT is disabled)."""
    return np.tanh(x)


def sigmoid(x):
    """Logistic function (pure-Python version, used when JIT is disabled)."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


@overload(tanh, jit_options=_OVERLOAD_OPTIONS, inline="always")
def _tanh_overload(x):
    if isinstance(x, types.Float) and x.bitwidth == 32:

        def tanh_float32(x):
            # Pade(7, 6) of Lambert's continued fraction at x/2, then
            # tanh(2y) = 2t / (1 + t^2); max abs error 2e-7 over the reals.
            f = np.float32
            x = min(max(x, f(-9.0)), f(9.0))
            y = x * f(0.5)
            y2 = y * y
            t = (
                y
                * (f(135135.0) + y2 * (f(17325.0) + y2 * (f(378.0) + y2)))
                / (f(135135.0) + y2 * (f(62370.0) + y2 * (f(3150.0) + y2 * f(28.0))))
            )
            return f(2.0) * t / (f(1.0) + t * t)

        return tanh_float32

    def tanh_exact(x):
        return np.tanh(x)

    return tanh_exact


@overload(sigmoid, jit_options=_OVERLOAD_OPTIONS, inline="always")
def _sigmoid_overload(x):
    if isinstance(x, types.Float) and x.bitwidth == 32:

        def sigmoid_float32(x):
            # sigmoid(x) = (1 + tanh(x / 2)) / 2, vectorisable like tanh.
            f = np.float32
            return f(0.5) + f(0.5) * tanh(x * f(0.5))

        return sigmoid_float32

    def sigmoid_exact(x):
        # Branch on the sign so that exp never overflows.
        if x >= 0:
            return 1.0 / (1.0 + np.exp(-x))
        e = np.exp(x)
        return e / (1.0 + e)

    return sigmoid_exact
