"""Tests of the embedding gather / scatter-add kernels in ``_kernels/_embedding.py``.

Outputs are compared with the plain-numpy reference, the table gradient with
central finite differences of a scalar loss; buffers start as NaN so that
anything left unwritten fails.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from skrnn._kernels._embedding import embedding_backward, embedding_forward
from tests import reference
from tests.gradcheck import numerical_gradient, relative_error

B, T, V, E = 5, 7, 9, 4


def problem(seed=0):
    """Ids with repeats (so the scatter must add) and ragged lengths.

    Padded steps hold arbitrary ids, out-of-range ones included: the kernels
    must never read or write the table there.
    """
    rng = np.random.default_rng(seed)
    lengths = np.array([7, 1, 4, 7, 2], dtype=np.int64)
    ids = rng.integers(0, 3, size=(B, T)).astype(np.int64)  # many repeats
    ids[3] = rng.integers(0, V, size=T)
    pad = np.arange(T)[None, :] >= lengths[:, None]
    ids[pad] = 10**6  # would crash or read garbage if touched
    table = rng.normal(size=(V, E))
    d_out = rng.normal(size=(B, T, E))
    return ids, lengths, table, d_out


def kernel_forward(ids, lengths, table):
    out = np.full((*ids.shape, table.shape[1]), np.nan)
    embedding_forward(ids, lengths, table, out)
    return out


def kernel_backward(ids, lengths, d_out, V):
    d_table = np.full((V, d_out.shape[2]), np.nan)
    embedding_backward(ids, lengths, d_out, d_table)
    return d_table


def test_forward_matches_reference_and_zeroes_padding():
    ids, lengths, table, _ = problem()
    out = kernel_forward(ids, lengths, table)
    np.testing.assert_array_equal(out, reference.embedding_forward(ids, lengths, table))
    pad = np.arange(T)[None, :] >= lengths[:, None]
    assert np.all(out[pad] == 0)


def test_backward_matches_reference():
    ids, lengths, _, d_out = problem()
    d_table = kernel_backward(ids, lengths, d_out, V)
    expected = reference.embedding_backward(ids, lengths, d_out, V)
    np.testing.assert_allclose(d_table, expected, rtol=1e-13, atol=1e-13)
    # Rows of ids never used at a real step get exactly zero.
    used = np.zeros(V, dtype=bool)
    for b in range(B):
        used[ids[b, : lengths[b]]] = True
    assert np.all(d_table[~used] == 0)


def test_backward_overwrites_previous_contents():
    ids, lengths, _, d_out = problem()
    d_table = np.full((V, E), 123.0)
    embedding_backward(ids, lengths, d_out, d_table)
    np.testing.assert_array_equal(d_table, kernel_backward(ids, lengths, d_out, V))


def test_backward_matches_finite_differences():
    ids, lengths, table, d_out = problem(seed=1)

    def loss():
        # A linear loss makes d_out its exact gradient w.r.t. the output.
        return float(np.sum(kernel_forward(ids, lengths, table) * d_out))

    (numeric,) = numerical_gradient(loss, [table])
    analytic = kernel_backward(ids, lengths, d_out, V)
    assert relative_error(analytic, numeric) < 1e-8


def test_float32_gather_is_exact():
    ids, lengths, table, _ = problem(seed=2)
    table32 = table.astype(np.float32)
    out = np.empty((B, T, E), dtype=np.float32)
    embedding_forward(ids, lengths, table32, out)
    np.testing.assert_array_equal(
        out, reference.embedding_forward(ids, lengths, table32).astype(np.float32)
    )
