"""Small dense products shared by the cell and head kernels.

Every product is written in "axpy" form (``out[r, :] += a[r, k] * w[k, :]``,
vectorised along the output columns) and sums over ``k`` in index order, four
terms at a time. No reassociation is allowed (see ``_config.FASTMATH``), so an
output row depends only on its own input row: a sample gets bit-identical
results whatever other samples share its batch.

Shapes: ``R`` rows, ``K`` inner dimension, ``N`` output columns.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from numba import njit

from skrnn._kernels._config import JIT_OPTIONS

# Rows of the gradient matrix per tile in ``outer_accumulate``.
ROW_TILE = 8

# Arrays are indexed in two dimensions inside the hot loops on purpose: taking
# row views there (``o = out[i]``) kept LLVM from vectorising (5.8 against
# 40-60 GFLOP/s for a (16, 128) x (128, 512) product in float32).


@njit(**JIT_OPTIONS)
def add_rows_matmul(src, w, out, rows, n_rows):
    """Accumulate ``out[i] += src[i, :K] @ w`` for ``i`` in ``rows[:n_rows]``.

    Rows are taken two at a time so that each weight element loaded serves
    both; the sum for one output element still runs over ``k`` in order, so
    a row's result does not depend on which row it was paired with.

    Parameters
    ----------
    src : ndarray of shape (R, K) or wider
    w : ndarray of shape (K, N)
    out : ndarray of shape (R, N)
    rows : ndarray of shape (R,), int64
        Row indices to update; only the first ``n_rows`` are read.
    n_rows : int
    """
    K = w.shape[0]
    N = w.shape[1]
    k = 0
    while k + 4 <= K:
        a = 0
        while a + 2 <= n_rows:
            i = rows[a]
            i2 = rows[a + 1]
            v0 = src[i, k]
            v1 = src[i, k + 1]
            v2 = src[i, k + 2]
            v3 = src[i, k + 3]
            u0 = src[i2, k]
            u1 = src[i2, k + 1]
            u2 = src[i2, k + 2]
            u3 = src[i2, k + 3]
            for j in range(N):
                w0 = w[k, j]
                w1 = w[k + 1, j]
                w2 = w[k + 2, j]
                w3 = w[k + 3, j]
                out[i, j] = out[i, j] + v0 * w0 + v1 * w1 + v2 * w2 + v3 * w3
                out[i2, j] = out[i2, j] + u0 * w0 + u1 * w1 + u2 * w2 + u3 * w3
            a += 2
        if a < n_rows:
            i = rows[a]
            v0 = src[i, k]
            v1 = src[i, k + 1]
            v2 = src[i, k + 2]
            v3 = src[i, k + 3]
            for j in range(N):
                out[i, j] = (
                    out[i, j]
                    + v0 * w[k, j]
                    + v1 * w[k + 1, j]
                    + v2 * w[k + 2, j]
                    + v3 * w[k + 3, j]
                )
        k += 4
    while k < K:
        for a in range(n_rows):
            i = rows[a]
            vk = src[i, k]
            for j in range(N):
                out[i, j] = out[i, j] + vk * w[k, j]
        k += 1


@njit(**JIT_OPTIONS)
def project_rows(a, n_rows, w, bias, out):
    """Compute ``out[r] = bias + a[r] @ w`` for ``r < n_rows``.

    The arithmetic per row is that of :func:`add_rows_matmul` after setting
    the row to ``bias``.

    Parameters
    ----------
    a : ndarray of shape (R, K)
    n_rows : int
    w : ndarray of shape (K, N)
    bias : ndarray of shape (N,)
    out : ndarray of shape (R, N)
        Rows ``n_rows`` and beyond are left untouched.
    """
    N = w.shape[1]
    for r in range(n_rows):
        for j in range(N):
            out[r, j] = bias[j]
    add_rows_matmul(a, w, out, np.arange(n_rows), n_rows)


@njit(**JIT_OPTIONS)
def outer_accumulate(a, d, n_cols, out, col0):
    """Accumulate ``out[:, col0:col0 + n_cols] += a.T @ d[:, :n_cols]``.

    Rows of ``a`` and ``d`` are summed in order, four at a time. ``out`` is
    walked in tiles of ``ROW_TILE`` rows so that a tile stays in L1 while all
    rows of ``d`` stream past it.

    Parameters
    ----------
    a : ndarray of shape (R, K)
    d : ndarray of shape (R, N) with N >= n_cols
    n_cols : int
    out : ndarray of shape (K, M) with M >= col0 + n_cols
    col0 : int
    """
    R = a.shape[0]
    K = a.shape[1]
    # Unsigned column indices: a signed ``col0 + j`` gets a negative-index
    # check per element that keeps LLVM from vectorising the loop (10 against
    # 44 GFLOP/s for an LSTM's dW_h at H=256, float32).
    c0 = np.uint64(col0)
    n = np.uint64(n_cols)
    for k0 in range(0, K, ROW_TILE):
        k1 = min(k0 + ROW_TILE, K)
        r = 0
        while r + 4 <= R:
            # Two rows of ``out`` per pass: each row of ``d`` loaded serves
            # both (1.2-1.4x in isolation; each element still sums r in order).
            k = k0
            while k + 2 <= k1:
                a0 = a[r, k]
                a1 = a[r + 1, k]
                a2 = a[r + 2, k]
                a3 = a[r + 3, k]
                b0 = a[r, k + 1]
                b1 = a[r + 1, k + 1]
                b2 = a[r + 2, k + 1]
                b3 = a[r + 3, k + 1]
                for j in range(n):
                    d0 = d[r, j]
                    d1 = d[r + 1, j]
                    d2 = d[r + 2, j]
                    d3 = d[r + 3, j]
                    out[k, c0 + j] = (
                        out[k, c0 + j] + a0 * d0 + a1 * d1 + a2 * d2 + a3 * d3
                    )
                    out[k + 1, c0 + j] = (
                        out[k + 1, c0 + j] + b0 * d0 + b1 * d1 + b2 * d2 + b3 * d3
                    )
                k += 2
            if k < k1:
                a0 = a[r, k]
                a1 = a[r + 1, k]
                a2 = a[r + 2, k]
                a3 = a[r + 3, k]
                for j in range(n):
                    out[k, c0 + j] = (
                        out[k, c0 + j]
                        + a0 * d[r, j]
                        + a1 * d[r + 1, j]
                        + a2 * d[r + 2, j]
                        + a3 * d[r + 3, j]
                    )
            r += 4
        while r < R:
            for k in range(k0, k1):
                ak = a[r, k]
                for j in range(n):
                    out[k, c0 + j] = out[k, c0 + j] + ak * d[r, j]
            r += 1


@njit(**JIT_OPTIONS)
def column_sums_accumulate(d, n_cols, out, col0):
    """Accumulate ``out[col0:col0 + n_cols] += d[:, :n_cols].sum(axis=0)``.

    Parameters
    ----------
    d : ndarray of shape (R, N) with N >= n_cols
    n_cols : int
    out : ndarray of shape (M,) with M >= col0 + n_cols
    col0 : int
    """
    c0 = np.uint64(col0)  # unsigned: see outer_accumulate
    for r in range(d.shape[0]):
        for j in range(np.uint64(n_cols)):
            out[c0 + j] += d[r, j]


@njit(**JIT_OPTIONS)
def copy_row(src, dst):
    """Set ``dst[:] = src`` for 1-D arrays of the same length.

    A loop instead of numba's array-to-array ``setitem``: that one brings a
    shape-mismatch error message whose string formatting alone takes about
    4 s to compile in every cold process.
    """
    for j in range(dst.shape[0]):
        dst[j] = src[j]


@njit(**JIT_OPTIONS)
def transpose(w):
    """Return a C-contiguous copy of ``w.T``.

    Parameters
    ----------
    w : ndarray of shape (K, N)

    Returns
    -------
    wt : ndarray of shape (N, K)
    """
    wt = w.T.copy()
    return wt


@njit(**JIT_OPTIONS)
def sum_chunk_buffers(buffers, out):
    """Set ``out`` to the sum of ``buffers`` over the first axis, in order.

    Merging per-chunk gradients in a fixed order makes the total independent
    of which thread computed which chunk.

    Parameters
    ----------
    buffers : ndarray of shape (n_chunks, ...)
    out : ndarray of shape (...)
    """
    flat_out = out.reshape(-1)
    flat_buf = buffers.reshape((buffers.shape[0], -1))
    n = flat_out.shape[0]
    for j in range(n):
        flat_out[j] = 0
    for c in range(flat_buf.shape[0]):
        row = flat_buf[c]
        for j in range(n):
            flat_out[j] += row[j]
