"""Generation loops: one step of the network per token, sampling inside Numba.

The network's parameters arrive as the flat vector ``theta`` plus a table of
offsets, so that one compiled loop serves any number of layers. Symbols:
``N`` sequences generated together, ``L`` layers, ``H`` hidden units, ``G``
gate columns per layer (``n_gates * H``), ``V`` head outputs, ``E`` input
width of the first layer.

``layers`` is an int64 table of shape (L, 7), built by the network: for
each layer the offsets in ``theta`` of ``W_x`` (F, G), ``W_h`` (H, G), ``b``
(G,) and ``b_h``, then the layer's input width F, its gate columns G and the
size of ``b_h`` (0 for a cell without a recurrent bias). ``cell`` is the
``code`` of the cell's description (``skrnn._kernels.CELLS``): 0 (tanh),
1 (LSTM) or 2 (GRU); the loops only use it to pick the step kernel.
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from numba import njit, prange

from skrnn._kernels._config import CHUNK_SIZE, JIT_OPTIONS
from skrnn._kernels._gru import gru_step
from skrnn._kernels._linalg import copy_row, project_rows
from skrnn._kernels._lstm import lstm_step
from skrnn._kernels._vanilla import vanilla_step


@njit(**JIT_OPTIONS)
def _layer_step(theta, layers, layer, cell, x, h, c, z):
    """Advance layer ``layer`` by one step on input ``x`` (N, F), in place."""
    H = h.shape[1]
    o = layers[layer]
    F, G, n_b_h = o[4], o[5], o[6]
    W_x = theta[o[0] : o[0] + F * G].reshape((F, G))
    W_h = theta[o[1] : o[1] + H * G].reshape((H, G))
    b = theta[o[2] : o[2] + G]
    b_h = theta[o[3] : o[3] + n_b_h]
    if cell == 0:
        vanilla_step(x, W_x, W_h, b, b_h, h, c, z)
    elif cell == 1:
        lstm_step(x, W_x, W_h, b, b_h, h, c, z)
    else:
        gru_step(x, W_x, W_h, b, b_h, h, c, z)


@njit(**JIT_OPTIONS)
def _network_step(theta, layers, cell, head, x, h, c, z, out):
    """Run every layer on ``x`` (N, F) then the head into ``out`` (N, V)."""
    L = h.shape[0]
    inp = x
    for layer in range(L):
        _layer_step(theta, layers, layer, cell, inp, h[layer], c[layer], z)
        inp = h[layer].copy()
    D = h.shape[2]
    V = out.shape[1]
    W = theta[head[0] : head[0] + D * V].reshape((D, V))
    b = theta[head[1] : head[1] + V]
    project_rows(inp, inp.shape[0], W, b, out)


@njit(**JIT_OPTIONS)
def pick_token(logits, forbidden, temperature, top_k, u, p):
    """Draw a token id from ``softmax(logits / temperature)`` over the top ``top_k``.

    ``forbidden`` ids never come out; ``temperature == 0`` or ``top_k == 1``
    is greedy (argmax, lowest id on ties). ``u`` is a uniform draw in [0, 1)
    and ``p`` a float64 workspace of length V. Inverse-CDF sampling in
    float64, in id order.
    """
    V = logits.shape[0]
    best = -1
    for v in range(V):
        if not forbidden[v] and (best < 0 or logits[v] > logits[best]):
            best = v
    if temperature == 0.0 or top_k == 1:
        return best
    # Threshold of the top_k: the k-th largest allowed logit.
    threshold = -np.inf
    if 0 < top_k < V:
        allowed = np.empty(V)
        n = 0
        for v in range(V):
            if not forbidden[v]:
                allowed[n] = logits[v]
                n += 1
        if top_k < n:
            threshold = np.sort(allowed[:n])[n - top_k]
    top = float(logits[best])
    total = 0.0
    for v in range(V):
        if forbidden[v] or logits[v] < threshold:
            p[v] = 0.0
        else:
            p[v] = np.exp((float(logits[v]) - top) / temperature)
            total += p[v]
    target = u * total
    cumulative = 0.0
    last = best
    for v in range(V):
        if p[v] > 0.0:
            cumulative += p[v]
            last = v
            if cumulative > target:
                return v
    return last


@njit(parallel=True, **JIT_OPTIONS)
def sample_tokens(
    theta, layers, cell, embedding, head, h, c, logits, uniforms, forbidden,
    temperature, top_k, begin_id, end_id, stop_at_end, out,
):  # fmt: skip
    """Sample ``out.shape[1]`` tokens for each of N sequences.

    The sequences are independent: blocks of ``CHUNK_SIZE`` of them run on
    the thread pool, each through :func:`_sample_chunk`, and every draw is
    what a serial loop over all N would draw, whatever the thread count.

    Parameters
    ----------
    theta : ndarray of shape (n_params,)
    layers : ndarray of shape (L, 7), int64
        Where each layer's parameters are and their sizes (see the module
        docstring).
    cell : int
        The cell's ``code``.
    embedding : ndarray of shape (3,), int64
        Offset of the embedding table in ``theta``, its rows V_in and its
        width E.
    head : ndarray of shape (2,), int64
        Offsets of the head's ``W`` (H, V) and ``b`` (V,).
    h, c : ndarray of shape (L, N, H)
        States after the prompt; advanced in place.
    logits : ndarray of shape (N, V)
        Head outputs after the prompt.
    uniforms : ndarray of shape (N, n_steps), float64
        One uniform draw in [0, 1) per token, from the caller's RandomState.
    forbidden : ndarray of shape (V,), bool
    temperature : float
    top_k : int
        0 for no top-k filter.
    begin_id, end_id : int
    stop_at_end : bool
        Whether a sequence stops after drawing ``end_id``; if not, a new
        document starts: the state is reset to zero and ``begin_id`` read.
    out : ndarray of shape (N, n_steps), int64
        Out: the drawn ids; -1 after a sequence stopped.

    Returns
    -------
    n_generated : ndarray of shape (N,), int64
        Tokens drawn per sequence (the end id included).
    """
    N, n_steps = out.shape
    n_generated = np.empty(N, dtype=np.int64)
    for chunk in prange((N + CHUNK_SIZE - 1) // CHUNK_SIZE):
        lo = chunk * CHUNK_SIZE
        hi = min(lo + CHUNK_SIZE, N)
        h_part = np.ascontiguousarray(h[:, lo:hi])
        c_part = np.ascontiguousarray(c[:, lo:hi])
        out_part = np.empty((hi - lo, n_steps), dtype=np.int64)
        counts = _sample_chunk(
            theta, layers, cell, embedding, head, h_part, c_part,
            np.ascontiguousarray(logits[lo:hi]),
            np.ascontiguousarray(uniforms[lo:hi]), forbidden, temperature, top_k,
            begin_id, end_id, stop_at_end, out_part,
        )  # fmt: skip
        for i in range(hi - lo):
            n_generated[lo + i] = counts[i]
            for s in range(n_steps):
                out[lo + i, s] = out_part[i, s]
            for k in range(h.shape[0]):
                copy_row(h_part[k, i], h[k, lo + i])
                copy_row(c_part[k, i], c[k, lo + i])
    return n_generated


@njit(**JIT_OPTIONS)
def _sample_chunk(
    theta, layers, cell, embedding, head, h, c, logits, uniforms, forbidden,
    temperature, top_k, begin_id, end_id, stop_at_end, out,
):  # fmt: skip
    """:func:`sample_tokens` for one block of sequences, serially."""
    N, n_steps = out.shape
    V = logits.shape[1]
    start, V_in, E = embedding[0], embedding[1], embedding[2]
    table = theta[start : start + V_in * E].reshape((V_in, E))
    z = np.empty((N, layers[0, 5]), dtype=theta.dtype)
    x = np.empty((N, E), dtype=theta.dtype)
    p = np.empty(V)
    done = np.zeros(N, dtype=np.bool_)
    n_generated = np.zeros(N, dtype=np.int64)
    out[:] = -1
    for s in range(n_steps):
        for i in range(N):
            if done[i]:
                continue
            token = pick_token(
                logits[i], forbidden, temperature, top_k, uniforms[i, s], p
            )
            out[i, s] = token
            n_generated[i] += 1
            if token == end_id:
                if stop_at_end:
                    done[i] = True
                else:
                    token = begin_id
                    h[:, i, :] = 0
                    c[:, i, :] = 0
            for e in range(E):
                x[i, e] = table[token, e]
        if s + 1 < n_steps:
            _network_step(theta, layers, cell, head, x, h, c, z, logits)
    return n_generated


@njit(**JIT_OPTIONS)
def continue_series(theta, layers, cell, head, h, c, first, out):
    """Feed each predicted value back as the next input, ``out.shape[1]`` times.

    Parameters
    ----------
    theta, layers, cell, head : as in :func:`sample_tokens`.
    h, c : ndarray of shape (L, N, H)
        States after the prompt; advanced in place.
    first : ndarray of shape (N, C)
        The prediction after the prompt (the first new value).
    out : ndarray of shape (N, n_steps, C)
        Out: the new values.
    """
    N, n_steps, C = out.shape
    z = np.empty((N, layers[0, 5]), dtype=theta.dtype)
    x = first.copy()
    prediction = np.empty((N, C), dtype=theta.dtype)
    for s in range(n_steps):
        for i in range(N):
            for j in range(C):
                out[i, s, j] = x[i, j]
        if s + 1 < n_steps:
            _network_step(theta, layers, cell, head, x, h, c, z, prediction)
            for i in range(N):
                copy_row(prediction[i], x[i])
