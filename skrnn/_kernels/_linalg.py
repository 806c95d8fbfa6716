"""Dense products shared by the cell and head kernels.

Every output element is its starting value followed by fused multiply-adds
over ``k`` in index order. No reassociation is allowed (see
``_config.FASTMATH``), so an output row depends only on its own input row: a
sample gets bit-identical results whatever other samples share its batch.
Two ways compute that same chain: the register-blocked tile of
``_tile.fma_tile`` over packed panels of the weights (``pack_panels``), for
the columns in whole tiles of a matrix used many times; and loops in "axpy"
form (``out[r, :] += a[r, k] * w[k, :]``, vectorised along the output
columns, four terms at a time) for the other columns and one-off products.

Shapes: ``R`` rows, ``K`` inner dimension, ``N`` output columns.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from numba import njit

from skrnn._kernels._config import JIT_OPTIONS
from skrnn._kernels._tile import TILE_BYTES, TILE_ROWS, fma_tile

# Rows of the gradient matrix per tile in ``outer_accumulate``'s loops.
ROW_TILE = 8

# Sample-steps per block of ``outer_accumulate_steps``: the block's rows of
# ``d`` (128 x 4H values) stay in the L2 cache while the gradient streams
# past them once.
STEP_BLOCK = 128

# Arrays are indexed in two dimensions inside the hot loops on purpose: taking
# row views there (``o = out[i]``) kept LLVM from vectorising (5.8 against
# 40-60 GFLOP/s for a (16, 128) x (128, 512) product in float32).


@njit(**JIT_OPTIONS)
def pack_panels(w):
    """Copy the columns of ``w`` that fill whole tiles into panels.

    Panel ``p`` holds columns ``p * TW`` to ``(p + 1) * TW`` of every row,
    ``TW`` being the tile width of ``_tile.fma_tile`` for this dtype; the
    columns past the last whole tile are not packed (the products read them
    from ``w``). ``w`` may be any 2-D view (a transpose, say).

    Parameters
    ----------
    w : ndarray of shape (K, N)

    Returns
    -------
    panels : ndarray of shape (N // TW, K, TW)
    """
    K, N = w.shape
    width = TILE_BYTES // w.itemsize
    panels = np.empty((N // width, K, width), dtype=w.dtype)
    for p in range(panels.shape[0]):
        for k in range(K):
            for j in range(width):
                panels[p, k, j] = w[k, p * width + j]
    return panels


@njit(**JIT_OPTIONS)
def add_rows_matmul(src, w, out, rows, n_rows, panels=None):
    """Accumulate ``out[i] += src[i, :K] @ w`` for ``i`` in ``rows[:n_rows]``.

    With ``panels`` (``pack_panels(w)``, for a ``w`` used more than once),
    the columns in whole tiles go through the register-blocked tile of
    ``_tile.fma_tile``, ``TILE_ROWS`` rows at a time; the other columns, or
    every column without panels, through loops. Either way each output
    element is ``out`` followed by the products over ``k`` in order, fused
    multiply-adds: a row's result does not depend on which rows share its
    call, or on whether panels were given.

    Parameters
    ----------
    src : ndarray of shape (R, K) or wider
    w : ndarray of shape (K, N)
    out : ndarray of shape (R, N)
        Contiguous along its rows.
    rows : ndarray of shape (R,), int64
        Row indices to update, distinct; only the first ``n_rows`` are read.
    n_rows : int
    panels : ndarray of shape (N // TW, K, TW), default=None
        ``TW`` the tile's width for this dtype; ``src`` must not overlap
        ``out`` (a tile reads its rows of ``out`` once, then writes them).
    """
    col0 = 0
    if panels is not None and n_rows != 0:  # no rows: nothing to check or do
        col0 = _add_rows_matmul_tiles(src, w, panels, out, rows, n_rows)
    _add_rows_matmul_loops(src, w, out, rows, n_rows, col0)


@njit(**JIT_OPTIONS)
def _add_rows_matmul_tiles(src, w, panels, out, rows, n_rows):
    """The columns of :func:`add_rows_matmul` in whole tiles; return their end."""
    K, N = w.shape
    if panels.shape[1] != K or out.shape[1] != N or src.shape[1] < K:
        raise ValueError("add_rows_matmul: panels, src or out do not fit w")
    if n_rows < 0 or n_rows > rows.shape[0]:
        raise ValueError("add_rows_matmul: n_rows out of range")
    for a in range(n_rows):
        if rows[a] < 0 or rows[a] >= out.shape[0] or rows[a] >= src.shape[0]:
            raise IndexError("add_rows_matmul: row index out of range")
    _check_tile_operands(out, 0, N, src, panels)
    src_stride = src.strides[0] // src.itemsize
    src_step = src.strides[1] // src.itemsize
    _sweep_tiles(out, 0, src, src_stride, src_step, rows, n_rows, panels)
    return panels.shape[0] * panels.shape[2]


@njit(**JIT_OPTIONS)
def _check_tile_operands(out, col0, n_cols, src, panels):
    """Refuse what ``fma_tile``, which reads memory unchecked, cannot take.

    The panels must be whole tiles of ``out``'s dtype covering at most
    ``n_cols`` columns from ``col0``, within ``out``'s rows; ``out``
    contiguous along its rows and both strides of ``out`` and ``src`` whole
    elements. (Rows are checked by the callers, who know how they index.)
    """
    width = TILE_BYTES // out.itemsize
    if (
        panels.shape[2] != width
        or panels.shape[0] != n_cols // width
        or not panels.flags.c_contiguous
        or col0 < 0
        or out.shape[1] < col0 + n_cols
        or out.strides[1] != out.itemsize
        or out.strides[0] % out.itemsize != 0
        or src.strides[0] % src.itemsize != 0
        or src.strides[1] % src.itemsize != 0
    ):
        raise ValueError("product tile: panels, src or out do not fit")


@njit(**JIT_OPTIONS)
def _sweep_tiles(out, col0, src, src_stride, src_step, rows, n_rows, panels):
    """Run ``fma_tile`` over every panel and the listed rows, unchecked.

    Row ``a`` of a tile is ``out``'s row ``rows[a]`` from column ``col0``;
    its inner values start at element ``rows[a] * src_stride`` of ``src``,
    ``src_step`` apart. ``TILE_ROWS`` rows and one panel per tile, then a
    pair of rows with two panels, then single rows with four (enough
    independent sums each time, see ``fma_tile``); a panel left over goes
    one row and one panel at a time. Few kinds of tile: each is a function
    of its own in every kernel that uses it (compile time).
    """
    n_panels, n_inner, width = panels.shape
    block = n_inner * width  # elements per panel
    o = out.strides[0] // out.itemsize
    s = src_stride
    full = n_rows - n_rows % TILE_ROWS
    for p in range(n_panels):
        j0 = col0 + p * width
        for a in range(0, full, TILE_ROWS):
            i0, i1, i2, i3 = rows[a], rows[a + 1], rows[a + 2], rows[a + 3]
            fma_tile(
                out, (i0 * o + j0, i1 * o + j0, i2 * o + j0, i3 * o + j0),
                src, (i0 * s, i1 * s, i2 * s, i3 * s), src_step,
                panels, (p * block,), n_inner,
            )  # fmt: skip
    a = full
    if a + 2 <= n_rows:
        i0, i1 = rows[a], rows[a + 1]
        for p in range(0, n_panels - 1, 2):
            j0 = col0 + p * width
            fma_tile(
                out, (i0 * o + j0, i1 * o + j0), src, (i0 * s, i1 * s), src_step,
                panels, (p * block, (p + 1) * block), n_inner,
            )  # fmt: skip
        if n_panels % 2 == 1:  # the last panel, one row at a time
            p = n_panels - 1
            j0 = col0 + p * width
            for i in (i0, i1):
                fma_tile(
                    out, (i * o + j0,), src, (i * s,), src_step,
                    panels, (p * block,), n_inner,
                )  # fmt: skip
        a += 2
    while a < n_rows:
        i = rows[a]
        a += 1
        p = 0
        while p + 4 <= n_panels:
            j0 = col0 + p * width
            starts = (p * block, (p + 1) * block, (p + 2) * block, (p + 3) * block)
            fma_tile(
                out, (i * o + j0,), src, (i * s,), src_step, panels, starts, n_inner
            )
            p += 4
        while p < n_panels:
            j0 = col0 + p * width
            # Not ``starts``: a variable keeps one tuple length in Numba.
            starts1 = (p * block,)
            fma_tile(
                out, (i * o + j0,), src, (i * s,), src_step, panels, starts1, n_inner
            )
            p += 1


@njit(**JIT_OPTIONS)
def _add_rows_matmul_loops(src, w, out, rows, n_rows, col0):
    """The columns from ``col0`` on of :func:`add_rows_matmul`, as loops.

    Rows are taken two at a time so that each weight element loaded serves
    both; the sum for one output element still runs over ``k`` in order.
    """
    K = w.shape[0]
    # Unsigned column indices: see _outer_accumulate_loops.
    c0 = np.uint64(col0)
    n = np.uint64(w.shape[1]) - c0
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
            for jj in range(n):
                j = c0 + jj
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
            for jj in range(n):
                j = c0 + jj
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
            for jj in range(n):
                j = c0 + jj
                out[i, j] = out[i, j] + vk * w[k, j]
        k += 1


@njit(**JIT_OPTIONS)
def project_rows(a, n_rows, w, bias, out, panels=None):
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
    panels : ndarray, default=None
        ``pack_panels(w)``, as in :func:`add_rows_matmul`.
    """
    N = w.shape[1]
    for r in range(n_rows):
        for j in range(N):
            out[r, j] = bias[j]
    add_rows_matmul(a, w, out, np.arange(n_rows), n_rows, panels)


@njit(**JIT_OPTIONS)
def outer_accumulate(a, d, n_cols, out, col0):
    """Accumulate ``out[:, col0:col0 + n_cols] += a.T @ d[:, :n_cols]``.

    Each element sums the rows of ``a`` and ``d`` in order (fused
    multiply-adds). The columns in whole tiles go through ``_tile.fma_tile``
    on panels of ``d[:, :n_cols]`` packed here (a copy of ``d``, small
    against the product), the others through loops.

    Parameters
    ----------
    a : ndarray of shape (R, K)
    d : ndarray of shape (R, N) with N >= n_cols
    n_cols : int
    out : ndarray of shape (K, M) with M >= col0 + n_cols
        Contiguous along its rows.
    col0 : int
    """
    R, K = a.shape
    if R == 0:  # nothing to add (a batch without rows has no width to check)
        return
    if d.shape[0] != R or d.shape[1] < n_cols or out.shape[0] != K:
        raise ValueError("outer_accumulate: d or out do not fit a")
    panels = pack_panels(d[:, :n_cols])
    _check_tile_operands(out, col0, n_cols, a, panels)
    # The tile's rows are out's rows k; its inner values a[:, k], one row of
    # a apart.
    src_stride = a.strides[1] // a.itemsize
    src_step = a.strides[0] // a.itemsize
    _sweep_tiles(out, col0, a, src_stride, src_step, np.arange(K), K, panels)
    n_panels, _, width = panels.shape
    done = n_panels * width
    if done < n_cols:
        _outer_accumulate_loops(a, d[:, done:], n_cols - done, out, col0 + done)


@njit(**JIT_OPTIONS)
def _outer_accumulate_loops(a, d, n_cols, out, col0):
    """:func:`outer_accumulate` without tiles.

    Rows of ``a`` and ``d`` are summed in order, four at a time. ``out`` is
    walked in tiles of ``ROW_TILE`` rows so that a tile stays in L1 while all
    rows of ``d`` stream past it.
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
def outer_accumulate_steps(a, lo, hi, lengths, d, n_cols, out, col0, a0, previous):
    """Accumulate ``a_t.T @ d_t`` over the real steps of samples ``lo:hi``.

    That is ``out[:, col0:col0 + n_cols] += sum_i sum_t outer(a_t[i],
    d[i, t, :n_cols])`` for ``t < lengths[i]``, sample after sample and
    steps in order: a weight gradient over a chunk of a padded batch. The
    steps are gathered in blocks of ``STEP_BLOCK`` and each block is one
    :func:`outer_accumulate`, so ``out`` is read and written once per block
    instead of once per sample; each element still sums the steps in order.

    Parameters
    ----------
    a : ndarray of shape (B, T, K)
    lo, hi : int
    lengths : ndarray of shape (B,), int64
    d : ndarray of shape (B, T, N) with N >= n_cols
    n_cols : int
    out : ndarray of shape (K, M) with M >= col0 + n_cols
    col0 : int
    a0 : ndarray of shape (B, K)
        Read only with ``previous``.
    previous : bool
        Whether ``a_t[i]`` is the previous state, ``a0[i]`` at step 0 and
        ``a[i, t - 1]`` after (a recurrent weight's gradient), instead of
        ``a[i, t]`` (an input weight's). A flag rather than an optional
        ``a0``: one compiled function serves both.
    """
    if lo < 0 or hi > a.shape[0] or hi > d.shape[0] or d.shape[2] < n_cols:
        raise ValueError("outer_accumulate_steps: samples or columns out of range")
    for i in range(lo, hi):
        if lengths[i] > a.shape[1] or lengths[i] > d.shape[1]:
            raise ValueError("outer_accumulate_steps: a length exceeds the steps")
    K = a.shape[2]
    block_a = np.empty((STEP_BLOCK, K), dtype=a.dtype)
    block_d = np.empty((STEP_BLOCK, n_cols), dtype=d.dtype)
    m = 0
    for i in range(lo, hi):
        for t in range(lengths[i]):
            if not previous:
                copy_row(a[i, t], block_a[m])
            elif t == 0:
                copy_row(a0[i], block_a[m])
            else:
                copy_row(a[i, t - 1], block_a[m])
            for j in range(n_cols):
                block_d[m, j] = d[i, t, j]
            m += 1
            if m == STEP_BLOCK:
                outer_accumulate(block_a, block_d, n_cols, out, col0)
                m = 0
    if m > 0:
        outer_accumulate(block_a[:m], block_d[:m], n_cols, out, col0)


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
    c0 = np.uint64(col0)  # unsigned: see _outer_accumulate_loops
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
    K, N = w.shape
    wt = np.empty((N, K), dtype=w.dtype)
    # Blocks of 32 x 32: both blocks stay in L1 (4x faster than w.T.copy()
    # for a (256, 1024) float32 matrix, which strides through all of wt).
    for j0 in range(0, N, 32):
        j1 = min(j0 + 32, N)
        for k0 in range(0, K, 32):
            for k in range(k0, min(k0 + 32, K)):
                for j in range(j0, j1):
                    wt[j, k] = w[k, j]
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
