"""GRU cell: forward over a padded batch, backward (BPTT), single step.

Equations (PyTorch's form, gate order r, z, n; the candidate's recurrent
term keeps its own bias ``b_h`` inside the reset gate)::

    a_t = b + x_t W_x                                    (B, 3H)
    u_t = h_{t-1} W_h                                    (B, 3H)
    r = sigmoid(a[:, :H] + u[:, :H])
    z = sigmoid(a[:, H:2H] + u[:, H:2H])
    m = u[:, 2H:] + b_h                                  (kept in ``cs``)
    n = tanh(a[:, 2H:] + r * m)
    h_t = (1 - z) * n + z * h_{t-1}

Symbols: ``B`` samples, ``T`` padded time steps, ``F`` input features, ``H``
hidden units, ``G = 3H`` gate columns. Sample ``i`` has ``lengths[i]`` real
steps; steps past it carry no state, produce zeros and receive no gradient.
The signature is shared with the other cells: ``cs`` holds ``m`` per step,
``c0``, ``dc0`` and the step's ``c`` are unused.
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
def _gates_forward(a, ta, u, r, b_h, m, tm, h):
    """Gate maths of one step, in place.

    a : (., 3H) at row ``ta``, the input projection in, activations (r, z, n)
        out.
    u : (., 3H) at row ``r``, the recurrent projection h_{t-1} W_h.
    m : (., H) at row ``tm``, out: u_n + b_h.
    h : (., H) at row ``r``, h_{t-1} in, h_t out.

    The arrays are indexed in two dimensions on purpose: through row views
    (``a[ta]``) LLVM left these loops scalar.
    """
    H = h.shape[1]
    for j in range(2 * H):
        a[ta, j] = sigmoid(a[ta, j] + u[r, j])
    for j in range(H):
        m_j = u[r, 2 * H + j] + b_h[j]
        n_g = tanh(a[ta, 2 * H + j] + a[ta, j] * m_j)
        z_g = a[ta, H + j]
        m[tm, j] = m_j
        a[ta, 2 * H + j] = n_g
        h[r, j] = (1 - z_g) * n_g + z_g * h[r, j]


@njit(**JIT_OPTIONS)
def _gates_backward(act, cs, hs, h0, dhs, i, t, dh, da, dm, r):
    """Gradients of step ``t`` of sample ``i``.

    act : (B, T, 3H) activations (r, z, n) in; at [i, t], the gradients
        w.r.t. the input-side pre-activations a_t out (also into ``da[r]``).
    cs : (B, T, H) m = u_n + b_h in; at [i, t], the gradient w.r.t. m out
        (also into ``dm[r]``).
    hs, h0 : outputs and initial states (for h_{t-1}); dhs : (B, T, H)
        gradient of the loss w.r.t. the outputs.
    dh : (R, H) at row ``r``, the gradient w.r.t. h_t from step t + 1 in;
        the part of dh_{t-1} through ``z * h_{t-1}`` out.
    """
    H = cs.shape[2]
    for j in range(H):
        r_g = act[i, t, j]
        z_g = act[i, t, H + j]
        n_g = act[i, t, 2 * H + j]
        h_prev = hs[i, t - 1, j] if t > 0 else h0[i, j]
        dh_j = dh[r, j] + dhs[i, t, j]
        dn = dh_j * (1 - z_g)
        d_an = dn * (1 - n_g * n_g)
        da_r = d_an * cs[i, t, j] * r_g * (1 - r_g)
        da_z = dh_j * (h_prev - n_g) * z_g * (1 - z_g)
        dm_j = d_an * r_g
        da[r, j] = da_r
        da[r, H + j] = da_z
        da[r, 2 * H + j] = d_an
        dm[r, j] = dm_j
        dh[r, j] = dh_j * z_g
        # Keep the step's gradients where its activations were.
        act[i, t, j] = da_r
        act[i, t, H + j] = da_z
        act[i, t, 2 * H + j] = d_an
        cs[i, t, j] = dm_j


@njit(**JIT_OPTIONS)
def _forward_chunk(lo, hi, x, lengths, W_x, W_h, b, b_h, h0, hs, cs, act, P_x, P_h):
    H = W_h.shape[0]
    G = W_h.shape[1]
    n = hi - lo
    h = np.empty((n, H), dtype=x.dtype)
    u = np.empty((n, G), dtype=x.dtype)
    active = np.empty(n, dtype=np.int64)
    max_len = 0
    for r in range(n):
        i = lo + r
        max_len = max(max_len, lengths[i])
        project_rows(x[i], lengths[i], W_x, b, act[i], P_x)  # a = b + x W_x
        for j in range(H):
            h[r, j] = h0[i, j]
    for t in range(max_len):
        n_active = 0
        for r in range(n):
            if t < lengths[lo + r]:
                active[n_active] = r
                n_active += 1
                for j in range(G):
                    u[r, j] = 0
        add_rows_matmul(h, W_h, u, active, n_active, P_h)  # u = h_{t-1} W_h
        for a in range(n_active):
            r = active[a]
            i = lo + r
            _gates_forward(act[i], t, u, r, b_h, cs[i], t, h)
            for j in range(H):
                hs[i, t, j] = h[r, j]
    for r in range(n):
        i = lo + r
        hs[i, lengths[i] :] = 0
        cs[i, lengths[i] :] = 0
        act[i, lengths[i] :] = 0


@njit(parallel=True, **JIT_OPTIONS)
def gru_forward(x, lengths, W_x, W_h, b, b_h, h0, c0, hs, cs, act):
    """Run a GRU layer over a padded batch.

    Parameters
    ----------
    x : ndarray of shape (B, T, F)
    lengths : ndarray of shape (B,), int64
        Real steps per sample, in ``[1, T]``.
    W_x : ndarray of shape (F, 3H)
    W_h : ndarray of shape (H, 3H)
    b : ndarray of shape (3H,)
    b_h : ndarray of shape (H,)
        Bias of the recurrent candidate term (inside the reset gate).
    h0 : ndarray of shape (B, H)
        Initial hidden state.
    c0 : ndarray
        Unused.
    hs : ndarray of shape (B, T, H)
        Out: ``h_t``; zero past each sample's length.
    cs : ndarray of shape (B, T, H)
        Out: ``m_t = h_{t-1} W_h[:, 2H:] + b_h``, kept for the backward pass.
    act : ndarray of shape (B, T, 3H)
        Out: gate activations (r, z, n), kept for the backward pass.
    """
    B = x.shape[0]
    n_chunks = (B + CHUNK_SIZE - 1) // CHUNK_SIZE
    P_x = pack_panels(W_x)
    P_h = pack_panels(W_h)
    if n_chunks == 1:  # one block: no parallel region (see _config.CHUNK_SIZE)
        _forward_chunk(
            B - B, B, x, lengths, W_x, W_h, b, b_h, h0, hs, cs, act, P_x, P_h
        )
    else:
        for chunk in prange(n_chunks):
            lo = chunk * CHUNK_SIZE
            hi = min(lo + CHUNK_SIZE, B)
            _forward_chunk(
                lo, hi, x, lengths, W_x, W_h, b, b_h, h0, hs, cs, act, P_x, P_h
            )


@njit(**JIT_OPTIONS)
def _backward_chunk(
    lo, hi, x, lengths, W_xT, W_hT_rz, W_hT_n, h0, hs, cs, act, dhs,
    dx, dW_x, dW_h, db, db_h, dh0, need_dx, P_xT, P_rz, P_n,
):  # fmt: skip
    H = W_hT_n.shape[1]
    n = hi - lo
    # This chunk's gradient buffers arrive uninitialised: zero them here, in
    # serial code (np.zeros in the parallel driver would be a region of its own).
    dW_x[:] = 0
    dW_h[:] = 0
    db[:] = 0
    db_h[:] = 0
    dh = np.zeros((n, H), dtype=x.dtype)
    da = np.zeros((n, 3 * H), dtype=x.dtype)
    dm = np.zeros((n, H), dtype=x.dtype)
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
                _gates_backward(act, cs, hs, h0, dhs, i, t, dh, da, dm, r)
        # dh_{t-1} = dh_direct + [da_r, da_z] W_h[:, :2H]^T + dm W_h[:, 2H:]^T
        add_rows_matmul(da, W_hT_rz, dh, active, n_active, P_rz)
        add_rows_matmul(dm, W_hT_n, dh, active, n_active, P_n)
    outer_accumulate_steps(x, lo, hi, lengths, act, 3 * H, dW_x, 0, h0, False)
    # Recurrent weights see (da_r, da_z, dm) as their output gradient.
    outer_accumulate_steps(hs, lo, hi, lengths, act, 2 * H, dW_h, 0, h0, True)
    outer_accumulate_steps(hs, lo, hi, lengths, cs, H, dW_h, 2 * H, h0, True)
    for r in range(n):
        i = lo + r
        L = lengths[i]
        copy_row(dh[r], dh0[i])
        da_i = act[i, :L]
        dm_i = cs[i, :L]
        column_sums_accumulate(da_i, 3 * H, db, 0)
        column_sums_accumulate(dm_i, H, db_h, 0)
        if need_dx:
            dx[i] = 0
            add_rows_matmul(da_i, W_xT, dx[i], all_rows, L, P_xT)  # dx_t = da_t W_x^T


@njit(parallel=True, **JIT_OPTIONS)
def gru_backward(
    x, lengths, W_x, W_h, b_h, h0, c0, hs, cs, act, dhs,
    dx, dW_x, dW_h, db, db_h, dh0, dc0, need_dx,
):  # fmt: skip
    """Backpropagate through a GRU layer (BPTT over each sample's steps).

    Parameters
    ----------
    x, lengths, W_x, W_h, b_h, h0, c0 : as in :func:`gru_forward`.
    hs, cs, act : ndarray
        What :func:`gru_forward` wrote; ``act`` and ``cs`` are overwritten
        with gradients.
    dhs : ndarray of shape (B, T, H)
        Gradient of the loss w.r.t. each output ``h_t`` (zero past lengths).
    dx : ndarray of shape (B, T, F)
        Out: gradient w.r.t. ``x`` (written only when ``need_dx``).
    dW_x, dW_h, db, db_h : ndarray shaped like ``W_x``, ``W_h``, ``b``, ``b_h``
        Out: weight gradients summed over the batch.
    dh0 : ndarray of shape (B, H)
        Out: gradient w.r.t. the initial state.
    dc0 : ndarray
        Unused.
    need_dx : bool
    """
    B = x.shape[0]
    H = W_h.shape[0]
    n_chunks = (B + CHUNK_SIZE - 1) // CHUNK_SIZE
    W_xT = transpose(W_x)
    W_hT = transpose(W_h)
    W_hT_rz = W_hT[: 2 * H]
    W_hT_n = W_hT[2 * H :]
    P_xT = pack_panels(W_xT)
    P_rz = pack_panels(W_hT_rz)
    P_n = pack_panels(W_hT_n)
    gW_x = np.empty((n_chunks, W_x.shape[0], W_x.shape[1]), dtype=x.dtype)
    gW_h = np.empty((n_chunks, W_h.shape[0], W_h.shape[1]), dtype=x.dtype)
    gb = np.empty((n_chunks, W_h.shape[1]), dtype=x.dtype)
    gb_h = np.empty((n_chunks, H), dtype=x.dtype)
    if n_chunks == 1:  # one block: no parallel region (see _config.CHUNK_SIZE)
        _backward_chunk(
            B - B, B, x, lengths, W_xT, W_hT_rz, W_hT_n, h0, hs, cs, act, dhs,
            dx, gW_x[0], gW_h[0], gb[0], gb_h[0], dh0, need_dx, P_xT, P_rz, P_n,
        )  # fmt: skip
    else:
        for chunk in prange(n_chunks):
            lo = chunk * CHUNK_SIZE
            hi = min(lo + CHUNK_SIZE, B)
            _backward_chunk(
                lo, hi, x, lengths, W_xT, W_hT_rz, W_hT_n, h0, hs, cs, act, dhs,
                dx, gW_x[chunk], gW_h[chunk], gb[chunk], gb_h[chunk], dh0, need_dx,
                P_xT, P_rz, P_n,
            )  # fmt: skip
    sum_chunk_buffers(gW_x, dW_x)
    sum_chunk_buffers(gW_h, dW_h)
    sum_chunk_buffers(gb, db)
    sum_chunk_buffers(gb_h, db_h)


@njit(**JIT_OPTIONS)
def gru_step(x, W_x, W_h, b, b_h, h, c, z):
    """Advance a GRU by one step, in place (inference and generation).

    Performs exactly the arithmetic of one column of :func:`gru_forward`.

    Parameters
    ----------
    x : ndarray of shape (B, F)
    W_x, W_h, b, b_h : as in :func:`gru_forward`.
    h : ndarray of shape (B, H)
        State before the step in, after the step out.
    c : ndarray
        Unused.
    z : ndarray of shape (B, 3H)
        Workspace.
    """
    B = x.shape[0]
    H = h.shape[1]
    u = np.zeros((B, 3 * H), dtype=x.dtype)
    m = np.empty((1, H), dtype=x.dtype)
    project_rows(x, B, W_x, b, z)
    add_rows_matmul(h, W_h, u, np.arange(B), B)
    for i in range(B):
        _gates_forward(z, i, u, i, b_h, m, 0, h)


CELL = CellKernels(
    name="gru", code=2, n_gates=3,
    forward=gru_forward, backward=gru_backward, step=gru_step,
    recurrent_bias=True, stores_cs=True, carries_c=False, unit_bias_gates=(),
)  # fmt: skip
