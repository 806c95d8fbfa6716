"""Tests of the dense products in ``_kernels/_linalg.py`` against plain numpy.

Sizes are chosen around the kernels' unrolling: inner dimensions and row
counts that are and are not multiples of 4 (the unrolled sums), of 2 (rows
taken in pairs) and of ``ROW_TILE`` (the tiles of ``outer_accumulate``), and
``n_rows`` smaller than the arrays. Whatever a kernel must leave alone is
checked to be left alone, bit for bit. float64 and float32; numpy computes
the expected values in float64 from the same inputs.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from skrnn._kernels import _linalg, _tile

DTYPES = (np.float64, np.float32)
RTOL = {np.float64: 1e-12, np.float32: 1e-5}


def random(rng, shape, dtype):
    return rng.normal(size=shape).astype(dtype)


def assert_close(actual, expected, dtype):
    assert actual.dtype == dtype
    assert_allclose(actual, expected, rtol=RTOL[dtype], atol=RTOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("K", [1, 3, 4, 7, 8])
@pytest.mark.parametrize("n_rows", [0, 1, 4, 5])
def test_add_rows_matmul_updates_only_the_listed_rows(dtype, K, n_rows):
    rng = np.random.default_rng(K * 10 + n_rows)
    R, N = 6, 5
    src = random(rng, (R, K + 2), dtype)  # wider than K: the extra columns unread
    w = random(rng, (K, N), dtype)
    out = random(rng, (R, N), dtype)
    # Rows in no particular order; the entries past n_rows must not be read.
    rows = rng.permutation(R).astype(np.int64)
    before = out.copy()
    _linalg.add_rows_matmul(src, w, out, rows, n_rows)
    updated = rows[:n_rows]
    untouched = np.setdiff1d(np.arange(R), updated)
    expected = before.astype(np.float64)
    expected[updated] += src[updated, :K].astype(np.float64) @ w
    assert_close(out[updated], expected[updated], dtype)
    assert_array_equal(out[untouched], before[untouched])


@pytest.mark.parametrize("dtype", DTYPES)
def test_add_rows_matmul_row_does_not_depend_on_its_pair(dtype):
    # Rows go two at a time; a row's result is the same alone, first or second
    # of a pair, or the leftover of an odd count: equal to the bit.
    rng = np.random.default_rng(0)
    R, K, N = 5, 7, 6
    src = random(rng, (R, K), dtype)
    w = random(rng, (K, N), dtype)
    start = random(rng, (R, N), dtype)
    together = start.copy()
    _linalg.add_rows_matmul(src, w, together, np.arange(R), R)
    for i in range(R):
        alone = start.copy()
        _linalg.add_rows_matmul(src, w, alone, np.array([i]), 1)
        assert_array_equal(alone[i], together[i])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("K", [1, 5, 8])
@pytest.mark.parametrize("n_rows", [0, 3, 4])
def test_project_rows_sets_the_first_rows(dtype, K, n_rows):
    rng = np.random.default_rng(K * 10 + n_rows)
    R, N = 4, 3
    a = random(rng, (R, K), dtype)
    w = random(rng, (K, N), dtype)
    bias = random(rng, N, dtype)
    out = np.full((R, N), np.nan, dtype=dtype)  # overwritten, never read
    _linalg.project_rows(a, n_rows, w, bias, out)
    expected = bias.astype(np.float64) + a[:n_rows].astype(np.float64) @ w
    assert_close(out[:n_rows], expected, dtype)
    assert np.isnan(out[n_rows:]).all()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("K", [1, _linalg.ROW_TILE, 2 * _linalg.ROW_TILE + 3])
@pytest.mark.parametrize("R", [0, 1, 4, 7])
def test_outer_accumulate_adds_into_a_column_block(dtype, K, R):
    rng = np.random.default_rng(K * 10 + R)
    N, n_cols, col0, M = 6, 4, 2, 7  # d wider than n_cols, out wider than the block
    a = random(rng, (R, K), dtype)
    d = random(rng, (R, N), dtype)
    out = random(rng, (K, M), dtype)
    before = out.copy()
    _linalg.outer_accumulate(a, d, n_cols, out, col0)
    block = slice(col0, col0 + n_cols)
    expected = before[:, block] + a.T.astype(np.float64) @ d[:, :n_cols]
    assert_close(out[:, block], expected, dtype)
    outside = np.ones(M, dtype=bool)
    outside[block] = False
    assert_array_equal(out[:, outside], before[:, outside])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("R", [0, 1, 5])
def test_column_sums_accumulate_adds_into_a_slice(dtype, R):
    rng = np.random.default_rng(R)
    N, n_cols, col0, M = 5, 3, 1, 6
    d = random(rng, (R, N), dtype)
    out = random(rng, M, dtype)
    before = out.copy()
    _linalg.column_sums_accumulate(d, n_cols, out, col0)
    block = slice(col0, col0 + n_cols)
    expected = before[block] + d[:, :n_cols].astype(np.float64).sum(axis=0)
    assert_close(out[block], expected, dtype)
    assert_array_equal(out[:col0], before[:col0])
    assert_array_equal(out[col0 + n_cols :], before[col0 + n_cols :])


@pytest.mark.parametrize("dtype", DTYPES)
def test_transpose_is_a_contiguous_copy(dtype):
    w = random(np.random.default_rng(0), (3, 5), dtype)
    wt = _linalg.transpose(w)
    assert wt.dtype == dtype and wt.flags.c_contiguous
    assert_array_equal(wt, w.T)
    wt[0, 0] += 1
    assert w[0, 0] != wt[0, 0]  # a copy, not a view


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(3,), (2, 3), (4, 2, 3)])
@pytest.mark.parametrize("n_chunks", [1, 3])
def test_sum_chunk_buffers_sums_in_chunk_order(dtype, shape, n_chunks):
    buffers = random(np.random.default_rng(n_chunks), (n_chunks, *shape), dtype)
    out = np.full(shape, np.nan, dtype=dtype)  # overwritten, never read
    _linalg.sum_chunk_buffers(buffers, out)
    # The same sum in the same order (0 + chunk 0 + chunk 1 + ...): to the bit.
    expected = np.zeros(shape, dtype=dtype)
    for buffer in buffers:
        expected += buffer
    assert_array_equal(out, expected)


# Products on packed panels (``_tile.fma_tile``). Sizes around the tile: no
# whole tile, part of one past whole tiles, several tiles (the last rows go
# two or four panels at a time); row counts that exercise the blocks of
# TILE_ROWS rows, the pair and the single last row.
PANEL_COLUMNS = [(0, 3), (1, 0), (1, 5), (2, 0), (3, 1), (5, 2)]


def tile_width(dtype):
    return _tile.TILE_BYTES // np.dtype(dtype).itemsize


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(3, 5), (37, 70), (64, 32)])
def test_pack_panels_copies_whole_tiles_of_columns(dtype, shape):
    w = random(np.random.default_rng(0), shape, dtype)
    width = tile_width(dtype)
    panels = _linalg.pack_panels(w)
    n_panels = shape[1] // width
    assert panels.shape == (n_panels, shape[0], width)
    for p in range(n_panels):
        assert_array_equal(panels[p], w[:, p * width : (p + 1) * width])
    # A transposed view packs like its copy.
    assert_array_equal(_linalg.pack_panels(w.T), _linalg.pack_panels(w.T.copy()))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("tiles, rest", PANEL_COLUMNS)
@pytest.mark.parametrize("n_rows", [0, 1, 2, 3, 4, 5, 6, 7, 9])
def test_add_rows_matmul_on_panels_equals_the_loops(dtype, tiles, rest, n_rows):
    # The tile computes the loops' chain of fused multiply-adds: equal to the
    # bit, whichever rows share a tile; and both equal the product.
    rng = np.random.default_rng(100 * tiles + 10 * rest + n_rows)
    R, K = 10, 13
    N = tiles * tile_width(dtype) + rest
    src = random(rng, (R, K + 2), dtype)
    w = random(rng, (K, N), dtype)
    start = random(rng, (R, N), dtype)
    rows = rng.permutation(R).astype(np.int64)
    on_panels = start.copy()
    _linalg.add_rows_matmul(src, w, on_panels, rows, n_rows, _linalg.pack_panels(w))
    in_loops = start.copy()
    _linalg.add_rows_matmul(src, w, in_loops, rows, n_rows)
    assert_array_equal(on_panels, in_loops)
    updated = rows[:n_rows]
    expected = start[updated] + src[updated, :K].astype(np.float64) @ w
    assert_close(on_panels[updated], expected, dtype)
    untouched = np.setdiff1d(np.arange(R), updated)
    assert_array_equal(on_panels[untouched], start[untouched])
    # One row at a time gives the same bits as all rows at once.
    for i in updated:
        alone = start.copy()
        _linalg.add_rows_matmul(src, w, alone, np.array([i]), 1, _linalg.pack_panels(w))
        assert_array_equal(alone[i], on_panels[i])


@pytest.mark.parametrize("dtype", DTYPES)
def test_add_rows_matmul_on_panels_reads_strided_views(dtype):
    # src with a step between its columns; out a block of a wider matrix
    # (rows further apart than its width): the columns around it untouched.
    rng = np.random.default_rng(1)
    R, K = 7, 9
    N = 3 * tile_width(dtype) + 2
    src = random(rng, (R, 2 * K), dtype)[:, ::2]
    w = random(rng, (K, N), dtype)
    wide = random(rng, (R, N + 5), dtype)
    before = wide.copy()
    rows = np.arange(R)
    _linalg.add_rows_matmul(src, w, wide[:, 2 : N + 2], rows, R, _linalg.pack_panels(w))
    expected = before[:, 2 : N + 2].copy()
    _linalg.add_rows_matmul(np.ascontiguousarray(src), w, expected, rows, R)
    assert_array_equal(wide[:, 2 : N + 2], expected)
    assert_array_equal(wide[:, :2], before[:, :2])
    assert_array_equal(wide[:, N + 2 :], before[:, N + 2 :])


@pytest.mark.parametrize("dtype", DTYPES)
def test_add_rows_matmul_refuses_panels_or_rows_that_do_not_fit(dtype):
    # fma_tile reads memory unchecked: its callers check instead.
    rng = np.random.default_rng(2)
    K, N = 5, 2 * tile_width(dtype)
    src = random(rng, (4, K), dtype)
    w = random(rng, (K, N), dtype)
    out = np.zeros((4, N), dtype)
    other = _linalg.pack_panels(random(rng, (K + 1, N), dtype))
    with pytest.raises(ValueError, match="do not fit"):
        _linalg.add_rows_matmul(src, w, out, np.arange(4), 4, other)
    panels = _linalg.pack_panels(w)
    with pytest.raises(IndexError, match="out of range"):
        rows = np.array([0, 4])
        _linalg.add_rows_matmul(src, w, out, rows, 2, panels)
    for n_rows in (-1, 5):  # before the rows, or past them
        with pytest.raises(ValueError, match="n_rows"):
            _linalg.add_rows_matmul(src, w, out, np.arange(4), n_rows, panels)
    narrow = np.ascontiguousarray(panels[:, :, : tile_width(dtype) // 2])
    with pytest.raises(ValueError, match="do not fit"):
        _linalg.add_rows_matmul(src, w, out, np.arange(4), 4, narrow)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("tiles, rest", PANEL_COLUMNS)
@pytest.mark.parametrize("K", [1, 2, 3, 5, 9])
def test_outer_accumulate_on_panels_equals_the_loops(dtype, tiles, rest, K):
    rng = np.random.default_rng(100 * tiles + 10 * rest + K)
    R, col0 = 11, 3
    n_cols = tiles * tile_width(dtype) + rest
    a = random(rng, (R, K), dtype)
    d = random(rng, (R, n_cols + 2), dtype)  # wider than n_cols: the rest unread
    start = random(rng, (K, col0 + n_cols + 4), dtype)
    on_panels = start.copy()
    _linalg.outer_accumulate(a, d, n_cols, on_panels, col0)
    in_loops = start.copy()
    _linalg._outer_accumulate_loops(a, d, n_cols, in_loops, col0)
    assert_array_equal(on_panels, in_loops)
    block = slice(col0, col0 + n_cols)
    expected = start[:, block] + a.T.astype(np.float64) @ d[:, :n_cols]
    assert_close(on_panels[:, block], expected, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("previous", [False, True])
def test_outer_accumulate_steps_sums_sample_after_sample(dtype, previous):
    # More steps than one block, ragged lengths, samples outside lo:hi left
    # out: the bits of one outer_accumulate per sample, in order.
    rng = np.random.default_rng(int(previous))
    B, T, K, lo, hi = 9, 40, 6, 1, 8
    n_cols, col0 = 2 * tile_width(dtype) + 3, 2
    lengths = rng.integers(1, T + 1, size=B).astype(np.int64)
    lengths[2:5] = T
    assert lengths[lo:hi].sum() > _linalg.STEP_BLOCK
    a = random(rng, (B, T, K), dtype)
    a0 = random(rng, (B, K), dtype)
    d = random(rng, (B, T, n_cols + 1), dtype)
    start = random(rng, (K, col0 + n_cols + 1), dtype)
    out = start.copy()
    _linalg.outer_accumulate_steps(
        a, lo, hi, lengths, d, n_cols, out, col0, a0, previous
    )
    expected = start.copy()
    for i in range(lo, hi):
        L = lengths[i]
        rows = np.concatenate([a0[i : i + 1], a[i, : L - 1]]) if previous else a[i, :L]
        _linalg._outer_accumulate_loops(rows, d[i, :L], n_cols, expected, col0)
    assert_array_equal(out, expected)


@pytest.mark.parametrize("dtype", DTYPES)
def test_transpose_of_more_than_one_block(dtype):
    w = random(np.random.default_rng(3), (37, 70), dtype)
    assert_array_equal(_linalg.transpose(w), w.T)


@pytest.mark.parametrize("dtype", DTYPES)
def test_products_without_rows_change_nothing(dtype):
    # A batch of no samples (predict on empty X) reaches the products with
    # arrays of no rows, whose other dimensions may not match: nothing to do.
    rng = np.random.default_rng(4)
    K, N = 5, 2 * tile_width(dtype)
    w = random(rng, (K, N), dtype)
    out = np.zeros((0, N), dtype)
    _linalg.add_rows_matmul(
        np.zeros((0, 0), dtype), w, out, np.arange(0), 0, _linalg.pack_panels(w)
    )
    grad = random(rng, (K, N), dtype)
    before = grad.copy()
    _linalg.outer_accumulate(
        np.zeros((0, 0), dtype), np.zeros((0, N), dtype), N, grad, 0
    )
    assert_array_equal(grad, before)
