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

from skrnn._kernels import _linalg

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
