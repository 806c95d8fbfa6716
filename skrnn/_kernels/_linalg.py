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

from numba import njit

from skrnn._kernels._config import JIT_OPTIONS

# Output columns per tile in ``add_rows_matmul``: a (rows, 256) tile of the
# chunk's accumulators stays in L1 while the weight rows stream past it.
COLUMN_TILE = 256
# Rows of the gradient matrix per tile in ``outer_accumulate``.
ROW_TILE = 8


@njit(**JIT_OPTIONS)
def add_vector_matmul(v, w, out):
    """Accumulate ``out += v @ w`` for one row.

    Parameters
    ----------
    v : ndarray of shape (K,) or longer
        Only the first ``K = w.shape[0]`` entries are read.
    w : ndarray of shape (K, N)
    out : ndarray of shape (N,)
        Updated in place.
    """
    K = w.shape[0]
    N = w.shape[1]
    k = 0
    while k + 4 <= K:
        v0 = v[k]
        v1 = v[k + 1]
        v2 = v[k + 2]
        v3 = v[k + 3]
        w0 = w[k]
        w1 = w[k + 1]
        w2 = w[k + 2]
        w3 = w[k + 3]
        for j in range(N):
            out[j] = out[j] + v0 * w0[j] + v1 * w1[j] + v2 * w2[j] + v3 * w3[j]
        k += 4
    while k < K:
        vk = v[k]
        wk = w[k]
        for j in range(N):
            out[j] = out[j] + vk * wk[j]
        k += 1


@njit(**JIT_OPTIONS)
def project_rows(a, n_rows, w, bias, out):
    """Compute ``out[r] = bias + a[r] @ w`` for ``r < n_rows``.

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
        row = out[r]
        for j in range(N):
            row[j] = bias[j]
        add_vector_matmul(a[r], w, row)


@njit(**JIT_OPTIONS)
def add_rows_matmul(src, w, out, rows, n_rows):
    """Accumulate ``out[i] += src[i, :K] @ w`` for ``i`` in ``rows[:n_rows]``.

    The loop over rows sits inside the loop over ``k`` so that each group of
    weight rows is read once per call and reused by every row, while the sum
    for one output element still runs over ``k`` in order.

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
    for j0 in range(0, N, COLUMN_TILE):
        j1 = min(j0 + COLUMN_TILE, N)
        k = 0
        while k + 4 <= K:
            w0 = w[k]
            w1 = w[k + 1]
            w2 = w[k + 2]
            w3 = w[k + 3]
            for a in range(n_rows):
                i = rows[a]
                o = out[i]
                s = src[i]
                v0 = s[k]
                v1 = s[k + 1]
                v2 = s[k + 2]
                v3 = s[k + 3]
                for j in range(j0, j1):
                    o[j] = o[j] + v0 * w0[j] + v1 * w1[j] + v2 * w2[j] + v3 * w3[j]
            k += 4
        while k < K:
            wk = w[k]
            for a in range(n_rows):
                i = rows[a]
                o = out[i]
                vk = src[i, k]
                for j in range(j0, j1):
                    o[j] = o[j] + vk * wk[j]
            k += 1


@njit(**JIT_OPTIONS)
def outer_accumulate(a, d, n_cols, out, col0):
    """Accumulate ``out[:, col0:col0 + n_cols] += a.T @ d[:, :n_cols]``.

    Rows of ``a`` and ``d`` are summed in order. ``out`` is walked in tiles
    of ``ROW_TILE`` rows so that the tile stays in L1 while all rows stream.

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
    for k0 in range(0, K, ROW_TILE):
        k1 = min(k0 + ROW_TILE, K)
        r = 0
        while r + 4 <= R:
            d0 = d[r]
            d1 = d[r + 1]
            d2 = d[r + 2]
            d3 = d[r + 3]
            for k in range(k0, k1):
                a0 = a[r, k]
                a1 = a[r + 1, k]
                a2 = a[r + 2, k]
                a3 = a[r + 3, k]
                o = out[k]
                for j in range(n_cols):
                    o[col0 + j] = (
                        o[col0 + j] + a0 * d0[j] + a1 * d1[j] + a2 * d2[j] + a3 * d3[j]
                    )
            r += 4
        while r < R:
            dr = d[r]
            for k in range(k0, k1):
                ak = a[r, k]
                o = out[k]
                for j in range(n_cols):
                    o[col0 + j] = o[col0 + j] + ak * dr[j]
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
    for r in range(d.shape[0]):
        dr = d[r]
        for j in range(n_cols):
            out[col0 + j] += dr[j]


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
