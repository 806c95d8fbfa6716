"""Embedding layer: a lookup table from token ids to dense vectors.

Symbols: ``B`` sequences, ``T`` padded steps, ``V`` vocabulary size, ``E``
embedding width. Steps at or beyond a sequence's length are padding: the
forward pass writes zeros there and the backward pass ignores them, so a
padded step never reads or writes the table, whatever id it holds.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

from numba import njit

from skrnn._kernels._config import JIT_OPTIONS


@njit(**JIT_OPTIONS)
def embedding_forward(ids, lengths, table, out):
    """Gather ``out[b, t] = table[ids[b, t]]`` for ``t < lengths[b]``.

    Parameters
    ----------
    ids : ndarray of shape (B, T), int64
        Token ids; those of real steps must lie in ``[0, V)`` (checked by the
        caller: the kernel does not check bounds).
    lengths : ndarray of shape (B,), int64
    table : ndarray of shape (V, E)
    out : ndarray of shape (B, T, E)
        Out; zeros at padded steps.
    """
    B, T = ids.shape
    E = table.shape[1]
    for b in range(B):
        n = lengths[b]
        for t in range(T):
            if t < n:
                row = ids[b, t]
                for e in range(E):
                    out[b, t, e] = table[row, e]
            else:
                for e in range(E):
                    out[b, t, e] = 0


@njit(**JIT_OPTIONS)
def embedding_backward(ids, lengths, d_out, d_table):
    """Scatter-add the gradient: ``d_table[ids[b, t]] += d_out[b, t]``.

    Overwrites ``d_table``. Contributions are added in sample order, then
    step order, so the sum (and its rounding) is fixed by the batch alone.

    Parameters
    ----------
    ids : ndarray of shape (B, T), int64
    lengths : ndarray of shape (B,), int64
    d_out : ndarray of shape (B, T, E)
        Gradient w.r.t. the forward output; padded steps are ignored.
    d_table : ndarray of shape (V, E)
        Out.
    """
    B = ids.shape[0]
    E = d_table.shape[1]
    d_table[:] = 0
    for b in range(B):
        for t in range(lengths[b]):
            row = ids[b, t]
            for e in range(E):
                d_table[row, e] += d_out[b, t, e]
