"""Central finite differences for the gradient tests.

``numerical_gradient`` perturbs every element of the given arrays in place, one
at a time, evaluates a scalar function at ``+eps`` and ``-eps`` and restores the
element; ``relative_error`` is the measure the kernel tests bound.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np


def numerical_gradient(func, arrays, eps=1e-6):
    """Central-difference gradient of ``func()`` w.r.t. each array.

    Parameters
    ----------
    func : callable
        Takes no argument and returns a float. It must read the arrays in
        ``arrays`` (they are modified in place while it runs).
    arrays : list of ndarray
        Writable float64 arrays; each element is perturbed in turn and then
        restored exactly.
    eps : float, default=1e-6
        Perturbation size.

    Returns
    -------
    grads : list of ndarray
        ``grads[k][idx] = (func(a + eps) - func(a - eps)) / (2 eps)`` with the
        perturbation applied to ``arrays[k][idx]``.
    """
    grads = []
    for a in arrays:
        g = np.zeros(a.shape, dtype=np.float64)
        for idx in np.ndindex(a.shape):
            old = a[idx]
            a[idx] = old + eps
            f_plus = func()
            a[idx] = old - eps
            f_minus = func()
            a[idx] = old
            g[idx] = (f_plus - f_minus) / (2 * eps)
        grads.append(g)
    return grads


def relative_error(g, g_num):
    """``max |g - g_num| / max |g_num|``: the error the kernel tests bound."""
    g = np.asarray(g, dtype=np.float64)
    g_num = np.asarray(g_num, dtype=np.float64)
    scale = np.abs(g_num).max()
    if scale == 0:
        raise ValueError("the numerical gradient is identically zero")
    return np.abs(g - g_num).max() / scale
