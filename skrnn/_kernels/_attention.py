"""Attention over an encoder's states: scores, weights, context, output.

Global attention after the decoder's recurrence (Luong et al., 2015): at
decoder step ``t`` of sample ``i``, the query ``q_t`` (the decoder's top
state) scores each real source step ``s < n_i`` of the memory ``m`` (the
encoder's top states)::

    dot       e_ts = q_t . m_s
    additive  e_ts = v . tanh(u_t + k_s),  u = q W_q,  k = m W_k + b_k
    a_t = softmax(e_t) over s < n_i            (0 past the source's length)
    ctx_t = sum_s a_ts m_s
    out_t = tanh(b_c + ctx_t W_c[:D] + q_t W_c[D:])   (what the head reads)

The additive score is Bahdanau et al.'s (2015) function. ``u`` and ``k``
are computed by the caller (dense products); these kernels take them as
arrays. Symbols: ``B`` samples, ``T`` decoder steps, ``S`` source steps,
``D`` state width, ``A`` attention width. ``code`` is 0 for dot, 1 for
additive; with dot, ``u``, ``k`` and ``v`` have ``A = 0`` and are never
read.

:func:`attend` and :func:`attention_output` serve training and decoding
alike, so a decoded step computes what the teacher-forced pass computes.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from numba import njit, prange

from skrnn._kernels._activations import tanh
from skrnn._kernels._config import CHUNK_SIZE, JIT_OPTIONS
from skrnn._kernels._linalg import add_rows_matmul, project_rows, sum_chunk_buffers

DOT = 0
ADDITIVE = 1


@njit(**JIT_OPTIONS)
def attend(code, q, u, m, k, v, n, a, ctx):
    """Attention weights ``a`` (S,) and context ``ctx`` (D,) of one query.

    q : (D,) query; u : (A,) its projection (additive only).
    m : (S, D) memory; k : (S, A) its projection (additive only).
    v : (A,) scoring vector (additive only).
    n : real source steps (at least 1).
    """
    D = m.shape[1]
    S = m.shape[0]
    top = -np.inf
    for s in range(n):
        e = 0.0
        if code == DOT:
            for d in range(D):
                e += q[d] * m[s, d]
        else:
            for j in range(v.shape[0]):
                e += v[j] * tanh(u[j] + k[s, j])
        a[s] = e
        top = max(top, a[s])
    total = 0.0
    for s in range(n):
        p = np.exp(a[s] - top)
        a[s] = p
        total += p
    for s in range(n):
        a[s] = a[s] / total
    for s in range(n, S):
        a[s] = 0
    for d in range(D):
        ctx[d] = 0
    for s in range(n):
        w = a[s]
        for d in range(D):
            ctx[d] += w * m[s, d]


@njit(**JIT_OPTIONS)
def attention_output(ctx, q, W_c, b_c, out):
    """``out = tanh(b_c + ctx W_c[:D] + q W_c[D:])`` row by row.

    ctx, q : (R, D); W_c : (2D, D); b_c : (D,); out : (R, D).
    """
    R, D = q.shape
    project_rows(ctx, R, W_c[:D], b_c, out)
    add_rows_matmul(q, W_c[D:], out, np.arange(R), R)
    for r in range(R):
        for j in range(D):
            out[r, j] = tanh(out[r, j])


@njit(parallel=True, **JIT_OPTIONS)
def attention_forward(code, q, u, m, k, v, src_lengths, tgt_lengths, a, ctx):
    """Weights and context of every real decoder step.

    Parameters
    ----------
    code : int
        0 dot, 1 additive.
    q : ndarray of shape (B, T, D)
        Queries (decoder top states).
    u : ndarray of shape (B, T, A); A = 0 for dot
    m : ndarray of shape (B, S, D)
        Memory (encoder top states).
    k : ndarray of shape (B, S, A)
    v : ndarray of shape (A,)
    src_lengths, tgt_lengths : ndarray of shape (B,), int64
    a : ndarray of shape (B, T, S)
        Out: attention weights; zero past either length.
    ctx : ndarray of shape (B, T, D)
        Out: contexts; zero past the target's length.
    """
    B, T = q.shape[0], q.shape[1]
    for i in prange(B):
        n = src_lengths[i]
        for t in range(T):
            if t < tgt_lengths[i]:
                attend(code, q[i, t], u[i, t], m[i], k[i], v, n, a[i, t], ctx[i, t])
            else:
                a[i, t] = 0
                ctx[i, t] = 0


@njit(**JIT_OPTIONS)
def _backward_sample(code, i, q, u, m, k, v, n, n_t, a, d_ctx, dq, du, dm, dk, dv):
    """:func:`attention_backward` for sample ``i``; ``dv`` accumulates."""
    D = m.shape[2]
    A = v.shape[0]
    S = m.shape[1]
    da = np.empty(S, dtype=np.float64)
    for t in range(n_t):
        # Through the context: d a_ts = d_ctx_t . m_s, d m_s += a_ts d_ctx_t.
        dot_sum = 0.0
        for s in range(n):
            g = 0.0
            w = a[i, t, s]
            for d in range(D):
                g += d_ctx[i, t, d] * m[i, s, d]
                dm[i, s, d] += w * d_ctx[i, t, d]
            da[s] = g
            dot_sum += w * g
        # Through the softmax: d e_ts = a_ts (d a_ts - sum_s' a_ts' d a_ts').
        for s in range(n):
            de = a[i, t, s] * (da[s] - dot_sum)
            if code == DOT:
                for d in range(D):
                    dq[i, t, d] += de * m[i, s, d]
                    dm[i, s, d] += de * q[i, t, d]
            else:
                for j in range(A):
                    th = tanh(u[i, t, j] + k[i, s, j])
                    g = de * v[j] * (1 - th * th)
                    du[i, t, j] += g
                    dk[i, s, j] += g
                    dv[j] += de * th


@njit(parallel=True, **JIT_OPTIONS)
def attention_backward(
    code, q, u, m, k, v, src_lengths, tgt_lengths, a, d_ctx, dq, du, dm, dk, dv
):
    """Gradients of the contexts' loss w.r.t. the queries, memory and ``v``.

    Parameters
    ----------
    code, q, u, m, k, v, src_lengths, tgt_lengths, a
        As in :func:`attention_forward` (``a`` what it wrote).
    d_ctx : ndarray of shape (B, T, D)
        Gradient of the loss w.r.t. each context (zero past the lengths).
    dq, du, dm, dk : ndarray shaped like ``q``, ``u``, ``m``, ``k``
        Out: gradients (zeroed here).
    dv : ndarray of shape (A,)
        Out: gradient w.r.t. ``v``, summed over the batch in blocks of
        ``CHUNK_SIZE`` samples merged in block order (thread-count
        independent).
    """
    B = q.shape[0]
    A = v.shape[0]
    n_chunks = (B + CHUNK_SIZE - 1) // CHUNK_SIZE
    gv = np.zeros((n_chunks, A), dtype=v.dtype)
    for chunk in prange(n_chunks):
        lo = chunk * CHUNK_SIZE
        hi = min(lo + CHUNK_SIZE, B)
        acc = np.zeros(A, dtype=np.float64)
        for i in range(lo, hi):
            dq[i] = 0
            dm[i] = 0
            du[i] = 0
            dk[i] = 0
            _backward_sample(
                code, i, q, u, m, k, v, src_lengths[i], tgt_lengths[i], a, d_ctx,
                dq, du, dm, dk, acc,
            )  # fmt: skip
        for j in range(A):
            gv[chunk, j] = acc[j]
    sum_chunk_buffers(gv, dv)
