"""Vanilla (Elman) tanh cell: forward over a padded batch, backward, one step.

Equations::

    h_t = tanh(b + x_t W_x + h_{t-1} W_h)            (B, H)

Symbols: ``B`` samples, ``T`` padded time steps, ``F`` input features, ``H``
hidden units (one gate block, ``G = H``). Sample ``i`` has ``lengths[i]`` real
steps; steps past it carry no state, produce zeros and receive no gradient.
The signature is shared with the other cells: ``b_h``, ``c0``, ``cs`` and
``dc0`` are unused here (pass empty arrays).
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from numba import njit, prange

from skrnn._kernels._activations import tanh
from skrnn._kernels._cell import CellKernels
from skrnn._kernels._config import CHUNK_SIZE, JIT_OPTIONS
from skrnn._kernels._linalg import (
    add_rows_matmul,
    column_sums_accumulate,
    copy_row,
    outer_accumulate_steps,
    pack_panels,
    project_rows,
    sum_chunk_buffers,
    transpose,
)


@njit(**JIT_OPTIONS)
def _forward_chunk(lo, hi, x, lengths, W_x, W_h, b, h0, hs, act, P_x, P_h):
    H = W_h.shape[0]
    n = hi - lo
    h = np.empty((n, H), dtype=x.dtype)
    z = np.empty((n, H), dtype=x.dtype)
    active = np.empty(n, dtype=np.int64)
    max_len = 0
    for r in range(n):
        i = lo + r
        max_len = max(max_len, lengths[i])
        project_rows(x[i], lengths[i], W_x, b, act[i], P_x)  # b + x W_x, all steps
        copy_row(h0[i], h[r])
    for t in range(max_len):
        n_active = 0
        for r in range(n):
            if t < lengths[lo + r]:
                active[n_active] = r
                n_active += 1
                copy_row(act[lo + r, t], z[r])
        add_rows_matmul(h, W_h, z, active, n_active, P_h)  # z += h_{t-1} W_h
        for a in range(n_active):
            r = active[a]
            for j in range(H):
                h[r, j] = tanh(z[r, j])
            copy_row(h[r], hs[lo + r, t])
    for r in range(n):
        i = lo + r
        hs[i, lengths[i] :] = 0
        act[i, lengths[i] :] = 0


@njit(parallel=True, **JIT_OPTIONS)
def vanilla_forward(x, lengths, W_x, W_h, b, b_h, h0, c0, hs, cs, act):
    """Run a tanh RNN layer over a padded batch.

    Parameters
    ----------
    x : ndarray of shape (B, T, F)
    lengths : ndarray of shape (B,), int64
        Real steps per sample, in ``[1, T]``.
    W_x : ndarray of shape (F, H)
    W_h : ndarray of shape (H, H)
    b : ndarray of shape (H,)
    b_h : ndarray of shape (0,)
        Unused.
    h0 : ndarray of shape (B, H)
        Initial hidden state.
    c0, cs : ndarray
        Unused.
    hs : ndarray of shape (B, T, H)
        Out: ``h_t``; zero past each sample's length.
    act : ndarray of shape (B, T, H)
        Out: workspace kept for the backward pass.
    """
    B = x.shape[0]
    n_chunks = (B + CHUNK_SIZE - 1) // CHUNK_SIZE
    P_x = pack_panels(W_x)
    P_h = pack_panels(W_h)
    if n_chunks == 1:  # one block: no parallel region (see _config.CHUNK_SIZE)
        _forward_chunk(B - B, B, x, lengths, W_x, W_h, b, h0, hs, act, P_x, P_h)
    else:
        for chunk in prange(n_chunks):
            lo = chunk * CHUNK_SIZE
            hi = min(lo + CHUNK_SIZE, B)
            _forward_chunk(lo, hi, x, lengths, W_x, W_h, b, h0, hs, act, P_x, P_h)


@njit(**JIT_OPTIONS)
def _backward_chunk(
    lo, hi, x, lengths, W_xT, W_hT, h0, hs, act, dhs,
    dx, dW_x, dW_h, db, dh0, need_dx, P_xT, P_hT,
):  # fmt: skip
    H = W_hT.shape[1]
    # This chunk's gradient buffers arrive uninitialised: zero them here, in
    # serial code (np.zeros in the parallel driver would be a region of its own).
    dW_x[:] = 0
    dW_h[:] = 0
    db[:] = 0
    n = hi - lo
    dh = np.zeros((n, H), dtype=x.dtype)
    dz = np.zeros((n, H), dtype=x.dtype)
    active = np.empty(n, dtype=np.int64)
    all_rows = np.arange(x.shape[1])
    max_len = 0
    for r in range(n):
        max_len = max(max_len, lengths[lo + r])
    for t in range(max_len - 1, -1, -1):
        n_active = 0
        for r in range(n):
            i = lo + r
            if t < lengths[i]:
                active[n_active] = r
                n_active += 1
                for j in range(H):
                    # dz_t = (dh_t from above + dh_t from step t + 1) * tanh'
                    h_tj = hs[i, t, j]
                    dz_j = (dhs[i, t, j] + dh[r, j]) * (1 - h_tj * h_tj)
                    dz[r, j] = dz_j
                    act[i, t, j] = dz_j
                    dh[r, j] = 0
        add_rows_matmul(dz, W_hT, dh, active, n_active, P_hT)  # dh_{t-1} = dz_t W_h^T
    outer_accumulate_steps(x, lo, hi, lengths, act, H, dW_x, 0, h0, False)
    outer_accumulate_steps(hs, lo, hi, lengths, act, H, dW_h, 0, h0, True)
    for r in range(n):
        i = lo + r
        L = lengths[i]
        copy_row(dh[r], dh0[i])
        dz_i = act[i, :L]
        column_sums_accumulate(dz_i, H, db, 0)
        if need_dx:
            dx[i] = 0
            add_rows_matmul(dz_i, W_xT, dx[i], all_rows, L, P_xT)  # dx_t = dz_t W_x^T


@njit(parallel=True, **JIT_OPTIONS)
def vanilla_backward(
    x, lengths, W_x, W_h, b_h, h0, c0, hs, cs, act, dhs,
    dx, dW_x, dW_h, db, db_h, dh0, dc0, need_dx,
):  # fmt: skip
    """Backpropagate through a tanh RNN layer (BPTT over each sample's steps).

    Parameters
    ----------
    x, lengths, W_x, W_h, b_h, h0, c0 : as in :func:`vanilla_forward`.
    hs, cs, act : ndarray
        What :func:`vanilla_forward` wrote; ``act`` is overwritten with the
        gradients of the pre-activations.
    dhs : ndarray of shape (B, T, H)
        Gradient of the loss w.r.t. each output ``h_t`` (zero past lengths).
    dx : ndarray of shape (B, T, F)
        Out: gradient w.r.t. ``x`` (written only when ``need_dx``).
    dW_x, dW_h, db : ndarray shaped like ``W_x``, ``W_h``, ``b``
        Out: weight gradients summed over the batch.
    db_h, dc0 : ndarray
        Unused.
    dh0 : ndarray of shape (B, H)
        Out: gradient w.r.t. the initial state.
    need_dx : bool
    """
    B = x.shape[0]
    n_chunks = (B + CHUNK_SIZE - 1) // CHUNK_SIZE
    W_xT = transpose(W_x)
    W_hT = transpose(W_h)
    P_xT = pack_panels(W_xT)
    P_hT = pack_panels(W_hT)
    gW_x = np.empty((n_chunks, W_x.shape[0], W_x.shape[1]), dtype=x.dtype)
    gW_h = np.empty((n_chunks, W_h.shape[0], W_h.shape[1]), dtype=x.dtype)
    gb = np.empty((n_chunks, W_h.shape[1]), dtype=x.dtype)
    if n_chunks == 1:  # one block: no parallel region (see _config.CHUNK_SIZE)
        _backward_chunk(
            B - B, B, x, lengths, W_xT, W_hT, h0, hs, act, dhs,
            dx, gW_x[0], gW_h[0], gb[0], dh0, need_dx, P_xT, P_hT,
        )  # fmt: skip
    else:
        for chunk in prange(n_chunks):
            lo = chunk * CHUNK_SIZE
            hi = min(lo + CHUNK_SIZE, B)
            _backward_chunk(
                lo, hi, x, lengths, W_xT, W_hT, h0, hs, act, dhs,
                dx, gW_x[chunk], gW_h[chunk], gb[chunk], dh0, need_dx, P_xT, P_hT,
            )  # fmt: skip
    sum_chunk_buffers(gW_x, dW_x)
    sum_chunk_buffers(gW_h, dW_h)
    sum_chunk_buffers(gb, db)


@njit(**JIT_OPTIONS)
def vanilla_step(x, W_x, W_h, b, b_h, h, c, z):
    """Advance a tanh RNN by one step, in place (inference and generation).

    Performs exactly the arithmetic of one column of :func:`vanilla_forward`.

    Parameters
    ----------
    x : ndarray of shape (B, F)
    W_x, W_h, b, b_h : as in :func:`vanilla_forward`.
    h : ndarray of shape (B, H)
        State before the step in, after the step out.
    c : ndarray
        Unused.
    z : ndarray of shape (B, H)
        Workspace.
    """
    B = x.shape[0]
    H = h.shape[1]
    project_rows(x, B, W_x, b, z)
    add_rows_matmul(h, W_h, z, np.arange(B), B)
    for i in range(B):
        for j in range(H):
            h[i, j] = tanh(z[i, j])


CELL = CellKernels(
    name="rnn", code=0, n_gates=1,
    forward=vanilla_forward, backward=vanilla_backward, step=vanilla_step,
    recurrent_bias=False, stores_cs=False, carries_c=False, unit_bias_gates=(),
)  # fmt: skip
