"""LSTM cell: forward over a padded batch, backward (BPTT), single step.

Equations (PyTorch's gate order i, f, g, o; one bias per gate)::

    z_t = b + x_t W_x + h_{t-1} W_h                   (B, 4H)
    i, f, o = sigmoid(z[:, :H]), sigmoid(z[:, H:2H]), sigmoid(z[:, 3H:])
    g = tanh(z[:, 2H:3H])
    c_t = f * c_{t-1} + i * g
    h_t = o * tanh(c_t)

Symbols: ``B`` samples, ``T`` padded time steps, ``F`` input features, ``H``
hidden units, ``G = 4H`` gate columns. Sample ``i`` has ``lengths[i]`` real
steps; steps past it carry no state, produce zeros and receive no gradient.
All kernels share the signature of the other cells (``b_h`` and the ``c``
arrays are the cell-specific slots; ``b_h`` is unused here).
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from numba import njit, prange

from skrnn._kernels._activations import sigmoid, tanh
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
def _gates_forward(z, c, h, r):
    """Activate the gates of row ``r`` of ``z`` in place; update its ``c``, ``h``.

    z : (R, 4H) pre-activations in, activations (i, f, g, o) out.
    c : (R, H) previous cell states in, new cell states out.
    h : (R, H) new hidden states out.

    The arrays are indexed in two dimensions on purpose: through row views
    (``z[r]``) LLVM left these loops scalar (5.6x slower).
    """
    H = c.shape[1]
    for j in range(H):
        i_g = sigmoid(z[r, j])
        f_g = sigmoid(z[r, H + j])
        g_g = tanh(z[r, 2 * H + j])
        o_g = sigmoid(z[r, 3 * H + j])
        c_t = f_g * c[r, j] + i_g * g_g
        z[r, j] = i_g
        z[r, H + j] = f_g
        z[r, 2 * H + j] = g_g
        z[r, 3 * H + j] = o_g
        c[r, j] = c_t
        h[r, j] = o_g * tanh(c_t)


@njit(**JIT_OPTIONS)
def _gates_backward(act, cs, c0, dhs, i, t, dh, dc, r):
    """Gradients of the pre-activations of step ``t`` of sample ``i``.

    act : (B, T, 4H) activations (i, f, g, o) in; at [i, t], the gradients
        w.r.t. the pre-activations out.
    cs : (B, T, H) cell states; c0 : (B, H) initial cell states.
    dhs : (B, T, H) gradient of the loss w.r.t. the outputs.
    dh : (R, H) at row ``r``, the gradient w.r.t. h_t from step t + 1 in;
        zeroed (the caller accumulates dh_{t-1} there).
    dc : (R, H) at row ``r``, gradient w.r.t. c_t in; w.r.t. c_{t-1} out.

    Indexed in two and three dimensions, as ``_gates_forward``.
    """
    H = cs.shape[2]
    for j in range(H):
        i_g = act[i, t, j]
        f_g = act[i, t, H + j]
        g_g = act[i, t, 2 * H + j]
        o_g = act[i, t, 3 * H + j]
        c_prev = cs[i, t - 1, j] if t > 0 else c0[i, j]
        dh_total = dh[r, j] + dhs[i, t, j]
        tc = tanh(cs[i, t, j])
        dc_t = dc[r, j] + dh_total * o_g * (1 - tc * tc)
        act[i, t, j] = dc_t * g_g * i_g * (1 - i_g)
        act[i, t, H + j] = dc_t * c_prev * f_g * (1 - f_g)
        act[i, t, 2 * H + j] = dc_t * i_g * (1 - g_g * g_g)
        act[i, t, 3 * H + j] = dh_total * tc * o_g * (1 - o_g)
        dc[r, j] = dc_t * f_g
        dh[r, j] = 0


@njit(**JIT_OPTIONS)
def _forward_chunk(lo, hi, x, lengths, W_x, W_h, b, h0, c0, hs, cs, act, P_x, P_h):
    H = W_h.shape[0]
    G = W_h.shape[1]
    n = hi - lo
    h = np.empty((n, H), dtype=x.dtype)
    c = np.empty((n, H), dtype=x.dtype)
    z = np.empty((n, G), dtype=x.dtype)
    active = np.empty(n, dtype=np.int64)
    max_len = 0
    for r in range(n):
        i = lo + r
        max_len = max(max_len, lengths[i])
        # Input projection of every real step at once: z_in = b + x W_x.
        project_rows(x[i], lengths[i], W_x, b, act[i], P_x)
        for j in range(H):
            h[r, j] = h0[i, j]
            c[r, j] = c0[i, j]
    for t in range(max_len):
        n_active = 0
        for r in range(n):
            i = lo + r
            if t < lengths[i]:
                active[n_active] = r
                n_active += 1
                for j in range(G):
                    z[r, j] = act[i, t, j]
        add_rows_matmul(h, W_h, z, active, n_active, P_h)  # z += h_{t-1} W_h
        for a in range(n_active):
            r = active[a]
            i = lo + r
            _gates_forward(z, c, h, r)
            for j in range(G):
                act[i, t, j] = z[r, j]
            for j in range(H):
                hs[i, t, j] = h[r, j]
                cs[i, t, j] = c[r, j]
    for r in range(n):
        i = lo + r
        hs[i, lengths[i] :] = 0
        cs[i, lengths[i] :] = 0
        act[i, lengths[i] :] = 0


@njit(parallel=True, **JIT_OPTIONS)
def lstm_forward(x, lengths, W_x, W_h, b, b_h, h0, c0, hs, cs, act):
    """Run an LSTM layer over a padded batch.

    Parameters
    ----------
    x : ndarray of shape (B, T, F)
    lengths : ndarray of shape (B,), int64
        Real steps per sample, in ``[1, T]``.
    W_x : ndarray of shape (F, 4H)
    W_h : ndarray of shape (H, 4H)
    b : ndarray of shape (4H,)
    b_h : ndarray of shape (0,)
        Unused (the GRU's slot).
    h0, c0 : ndarray of shape (B, H)
        Initial hidden and cell states.
    hs, cs : ndarray of shape (B, T, H)
        Out: ``h_t`` and ``c_t``; zero past each sample's length.
    act : ndarray of shape (B, T, 4H)
        Out: gate activations (i, f, g, o), kept for the backward pass.
    """
    B = x.shape[0]
    n_chunks = (B + CHUNK_SIZE - 1) // CHUNK_SIZE
    P_x = pack_panels(W_x)
    P_h = pack_panels(W_h)
    if n_chunks == 1:  # one block: no parallel region (see _config.CHUNK_SIZE)
        _forward_chunk(B - B, B, x, lengths, W_x, W_h, b, h0, c0, hs, cs, act, P_x, P_h)
    else:
        for chunk in prange(n_chunks):
            lo = chunk * CHUNK_SIZE
            hi = min(lo + CHUNK_SIZE, B)
            _forward_chunk(
                lo, hi, x, lengths, W_x, W_h, b, h0, c0, hs, cs, act, P_x, P_h
            )


@njit(**JIT_OPTIONS)
def _backward_chunk(
    lo, hi, x, lengths, W_xT, W_hT, h0, c0, hs, cs, act, dhs,
    dx, dW_x, dW_h, db, dh0, dc0, need_dx, P_xT, P_hT,
):  # fmt: skip
    H = W_hT.shape[1]
    # This chunk's gradient buffers arrive uninitialised: zero them here, in
    # serial code (np.zeros in the parallel driver would be a region of its own).
    dW_x[:] = 0
    dW_h[:] = 0
    db[:] = 0
    G = W_hT.shape[0]
    n = hi - lo
    dh = np.zeros((n, H), dtype=x.dtype)
    dc = np.empty((n, H), dtype=x.dtype)
    dz = np.zeros((n, G), dtype=x.dtype)
    active = np.empty(n, dtype=np.int64)
    all_rows = np.arange(x.shape[1])
    max_len = 0
    for r in range(n):
        max_len = max(max_len, lengths[lo + r])
        # The gradient w.r.t. the last cell state arrives in dc0 (zero
        # unless that state feeds something else: an encoder's final state).
        copy_row(dc0[lo + r], dc[r])
    for t in range(max_len - 1, -1, -1):
        n_active = 0
        for r in range(n):
            i = lo + r
            if t < lengths[i]:
                active[n_active] = r
                n_active += 1
                # The activations of step t are no longer needed: dz_t
                # replaces them there, for the weight gradients below.
                _gates_backward(act, cs, c0, dhs, i, t, dh, dc, r)
                for j in range(G):
                    dz[r, j] = act[i, t, j]
        add_rows_matmul(dz, W_hT, dh, active, n_active, P_hT)  # dh_{t-1} = dz_t W_h^T
    outer_accumulate_steps(x, lo, hi, lengths, act, G, dW_x, 0, h0, False)
    outer_accumulate_steps(hs, lo, hi, lengths, act, G, dW_h, 0, h0, True)
    for r in range(n):
        i = lo + r
        L = lengths[i]
        copy_row(dh[r], dh0[i])
        copy_row(dc[r], dc0[i])
        dz_i = act[i, :L]
        column_sums_accumulate(dz_i, G, db, 0)
        if need_dx:
            dx[i] = 0
            add_rows_matmul(dz_i, W_xT, dx[i], all_rows, L, P_xT)  # dx_t = dz_t W_x^T


@njit(parallel=True, **JIT_OPTIONS)
def lstm_backward(
    x, lengths, W_x, W_h, b_h, h0, c0, hs, cs, act, dhs,
    dx, dW_x, dW_h, db, db_h, dh0, dc0, need_dx,
):  # fmt: skip
    """Backpropagate through an LSTM layer (BPTT over each sample's steps).

    Parameters
    ----------
    x, lengths, W_x, W_h, b_h, h0, c0 : as in :func:`lstm_forward`.
    hs, cs, act : ndarray
        What :func:`lstm_forward` wrote. ``act`` is overwritten with the
        gradients of the gate pre-activations.
    dhs : ndarray of shape (B, T, H)
        Gradient of the loss w.r.t. each output ``h_t`` (zero past lengths).
    dx : ndarray of shape (B, T, F)
        Out: gradient w.r.t. ``x`` (written only when ``need_dx``).
    dW_x, dW_h, db : ndarray shaped like ``W_x``, ``W_h``, ``b``
        Out: weight gradients summed over the batch.
    db_h : ndarray of shape (0,)
        Unused (the GRU's slot).
    dh0 : ndarray of shape (B, H)
        Out: gradient w.r.t. the initial hidden state.
    dc0 : ndarray of shape (B, H)
        In: gradient w.r.t. the cell state after each sample's last real
        step (zeros when nothing but the outputs reads it). Out: gradient
        w.r.t. the initial cell state.
    need_dx : bool
    """
    B = x.shape[0]
    n_chunks = (B + CHUNK_SIZE - 1) // CHUNK_SIZE
    W_xT = transpose(W_x)
    W_hT = transpose(W_h)
    P_xT = pack_panels(W_xT)
    P_hT = pack_panels(W_hT)
    # One gradient buffer per chunk, merged in chunk order below, so the sum
    # does not depend on the number of threads.
    gW_x = np.empty((n_chunks, W_x.shape[0], W_x.shape[1]), dtype=x.dtype)
    gW_h = np.empty((n_chunks, W_h.shape[0], W_h.shape[1]), dtype=x.dtype)
    gb = np.empty((n_chunks, W_h.shape[1]), dtype=x.dtype)
    if n_chunks == 1:  # one block: no parallel region (see _config.CHUNK_SIZE)
        _backward_chunk(
            B - B, B, x, lengths, W_xT, W_hT, h0, c0, hs, cs, act, dhs,
            dx, gW_x[0], gW_h[0], gb[0], dh0, dc0, need_dx, P_xT, P_hT,
        )  # fmt: skip
    else:
        for chunk in prange(n_chunks):
            lo = chunk * CHUNK_SIZE
            hi = min(lo + CHUNK_SIZE, B)
            _backward_chunk(
                lo, hi, x, lengths, W_xT, W_hT, h0, c0, hs, cs, act, dhs,
                dx, gW_x[chunk], gW_h[chunk], gb[chunk], dh0, dc0, need_dx,
                P_xT, P_hT,
            )  # fmt: skip
    sum_chunk_buffers(gW_x, dW_x)
    sum_chunk_buffers(gW_h, dW_h)
    sum_chunk_buffers(gb, db)


@njit(**JIT_OPTIONS)
def lstm_step(x, W_x, W_h, b, b_h, h, c, z):
    """Advance an LSTM by one step, in place (inference and generation).

    Performs exactly the arithmetic of one column of :func:`lstm_forward`.

    Parameters
    ----------
    x : ndarray of shape (B, F)
    W_x, W_h, b, b_h : as in :func:`lstm_forward`.
    h, c : ndarray of shape (B, H)
        States before the step in, after the step out.
    z : ndarray of shape (B, 4H)
        Workspace.
    """
    B = x.shape[0]
    project_rows(x, B, W_x, b, z)
    rows = np.arange(B)
    add_rows_matmul(h, W_h, z, rows, B)
    for i in range(B):
        _gates_forward(z, c, h, i)


CELL = CellKernels(
    name="lstm", code=1, n_gates=4,
    forward=lstm_forward, backward=lstm_backward, step=lstm_step,
    recurrent_bias=False, stores_cs=True, carries_c=True, unit_bias_gates=(1,),
)  # fmt: skip
