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

from skrnn._kernels._attention import attend, attention_output
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
def _layers_step(theta, layers, cell, x, h, c, z):
    """Run every layer on ``x`` (N, F); return the top layer's new state."""
    inp = x
    for layer in range(h.shape[0]):
        _layer_step(theta, layers, layer, cell, inp, h[layer], c[layer], z)
        inp = h[layer].copy()
    return inp


@njit(**JIT_OPTIONS)
def _head_params(theta, head, D, V):
    """The head's ``W`` (D, V) and ``b`` (V,) in ``theta``."""
    W = theta[head[0] : head[0] + D * V].reshape((D, V))
    b = theta[head[1] : head[1] + V]
    return W, b


@njit(**JIT_OPTIONS)
def _network_step(theta, layers, cell, head, x, h, c, z, out):
    """Run every layer on ``x`` (N, F) then the head into ``out`` (N, V)."""
    top = _layers_step(theta, layers, cell, x, h, c, z)
    W, b = _head_params(theta, head, h.shape[2], out.shape[1])
    project_rows(top, top.shape[0], W, b, out)


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


# ------------------------------------------------------------ decoding
# An encoder-decoder's decoder, one step per token, attending over the
# encoder's states (skrnn._kernels._attention): ``code`` is -1 without
# attention, else the score's code; ``W_c`` (2D, D), ``b_c`` (D,), ``W_q``
# (D, A) and ``v`` (A,) are the attention's parameters (empty where it has
# none, A = 0 unless the score is additive); ``memory`` (N, S, D) and
# ``keys`` (N, S, A) the encoder's top states and their projection; row ``r``
# of a step attends over ``memory[owner[r]]``.


@njit(**JIT_OPTIONS)
def _decoder_step(
    theta, layers, cell, head, code, W_c, b_c, W_q, v, memory, keys, src_lengths,
    owner, x, h, c, z, u, a, ctx, att, out,
):  # fmt: skip
    """Run the decoder's layers on ``x`` (R, F), attend, then the head into
    ``out`` (R, V): the arithmetic of the teacher-forced pass, row by row."""
    R = x.shape[0]
    inp = _layers_step(theta, layers, cell, x, h, c, z)
    W, b = _head_params(theta, head, h.shape[2], out.shape[1])
    if code < 0:
        project_rows(inp, R, W, b, out)
        return
    A = v.shape[0]
    if A > 0:
        project_rows(inp, R, W_q, np.zeros(A, dtype=theta.dtype), u)
    for r in range(R):
        i = owner[r]
        attend(code, inp[r], u[r], memory[i], keys[i], v, src_lengths[i], a[r], ctx[r])
    attention_output(ctx, inp, W_c, b_c, att)
    project_rows(att, R, W, b, out)


@njit(**JIT_OPTIONS)
def _step_workspace(N, layers, h, v, memory, V, dtype):
    """Workspaces of :func:`_decoder_step` for ``N`` rows."""
    D = h.shape[2]
    z = np.empty((N, layers[0, 5]), dtype=dtype)
    u = np.empty((N, v.shape[0]), dtype=dtype)
    a = np.empty((N, memory.shape[1]), dtype=dtype)
    ctx = np.empty((N, D), dtype=dtype)
    att = np.empty((N, D), dtype=dtype)
    out = np.empty((N, V), dtype=dtype)
    return z, u, a, ctx, att, out


@njit(**JIT_OPTIONS)
def _best_allowed(logits, forbidden):
    """The largest logit's id among the allowed ones (lowest id on ties)."""
    best = -1
    for t in range(logits.shape[0]):
        if not forbidden[t] and (best < 0 or logits[t] > logits[best]):
            best = t
    return best


@njit(parallel=True, **JIT_OPTIONS)
def decode_greedy(
    theta, layers, cell, embedding, head, code, W_c, b_c, W_q, v, memory, keys,
    src_lengths, h, c, forbidden, begin_id, end_id, out,
):  # fmt: skip
    """Greedy decoding: the most likely token at each step, until the end id.

    Parameters
    ----------
    theta, layers, cell, embedding, head
        The decoder, as in :func:`sample_tokens`.
    code, W_c, b_c, W_q, v, memory, keys
        The attention (see the comment above :func:`_decoder_step`).
    src_lengths : ndarray of shape (N,), int64
    h, c : ndarray of shape (L, N, D)
        The decoder's initial states (the encoder's final ones).
    forbidden : ndarray of shape (V,), bool
        Ids never output (padding, begin marker, ids never a target).
    begin_id, end_id : int
    out : ndarray of shape (N, n_steps), int64
        Out: the tokens, -1 after the end (the end id is not written).

    Returns
    -------
    n_tokens : ndarray of shape (N,), int64
    """
    N = out.shape[0]
    n_tokens = np.empty(N, dtype=np.int64)
    for chunk in prange((N + CHUNK_SIZE - 1) // CHUNK_SIZE):
        lo = chunk * CHUNK_SIZE
        hi = min(lo + CHUNK_SIZE, N)
        out_part = np.empty((hi - lo, out.shape[1]), dtype=np.int64)
        counts = _greedy_chunk(
            theta, layers, cell, embedding, head, code, W_c, b_c, W_q, v,
            memory[lo:hi], keys[lo:hi], src_lengths[lo:hi],
            np.ascontiguousarray(h[:, lo:hi]), np.ascontiguousarray(c[:, lo:hi]),
            forbidden, begin_id, end_id, out_part,
        )  # fmt: skip
        for i in range(hi - lo):
            n_tokens[lo + i] = counts[i]
            for s in range(out.shape[1]):
                out[lo + i, s] = out_part[i, s]
    return n_tokens


@njit(**JIT_OPTIONS)
def _greedy_chunk(
    theta, layers, cell, embedding, head, code, W_c, b_c, W_q, v, memory, keys,
    src_lengths, h, c, forbidden, begin_id, end_id, out,
):  # fmt: skip
    """:func:`decode_greedy` for one block of sources, serially."""
    N, n_steps = out.shape
    start, V_in, E = embedding[0], embedding[1], embedding[2]
    table = theta[start : start + V_in * E].reshape((V_in, E))
    V = forbidden.shape[0]
    z, u, a, ctx, att, logits = _step_workspace(N, layers, h, v, memory, V, theta.dtype)
    x = np.empty((N, E), dtype=theta.dtype)
    for i in range(N):
        copy_row(table[begin_id], x[i])
    owner = np.arange(N)
    done = np.zeros(N, dtype=np.bool_)
    n_tokens = np.zeros(N, dtype=np.int64)
    out[:] = -1
    for s in range(n_steps):
        _decoder_step(
            theta, layers, cell, head, code, W_c, b_c, W_q, v, memory, keys,
            src_lengths, owner, x, h, c, z, u, a, ctx, att, logits,
        )  # fmt: skip
        running = False
        for i in range(N):
            if done[i]:
                continue
            token = _best_allowed(logits[i], forbidden)
            if token == end_id:
                done[i] = True
                continue
            running = True
            out[i, s] = token
            n_tokens[i] += 1
            copy_row(table[token], x[i])
        if not running:
            break
    return n_tokens


@njit(parallel=True, **JIT_OPTIONS)
def decode_beam(
    theta, layers, cell, embedding, head, code, W_c, b_c, W_q, v, memory, keys,
    src_lengths, h, c, forbidden, begin_id, end_id, beam_width, out,
):  # fmt: skip
    """Beam search: ``beam_width`` hypotheses per source (one per thread task).

    Arguments as in :func:`decode_greedy`. At each step every live
    hypothesis is extended by every allowed token; the ``2 * beam_width``
    best extensions by log-likelihood are read in order (ties: the earlier
    hypothesis, then the lower id): an extension by the end id among the
    first ``beam_width`` finishes a hypothesis, the others fill the
    ``beam_width`` live ones. The search stops once ``beam_width``
    hypotheses have finished (or after ``n_steps`` steps, the live ones
    then finishing as they are); the output is the finished hypothesis of
    highest log-likelihood per token (the end marker counted), earliest
    first on ties. With ``beam_width=1`` this is greedy decoding.
    """
    N = out.shape[0]
    n_tokens = np.empty(N, dtype=np.int64)
    for i in prange(N):
        n_tokens[i] = _beam_one(
            theta, layers, cell, embedding, head, code, W_c, b_c, W_q, v,
            memory[i : i + 1], keys[i : i + 1], src_lengths[i : i + 1],
            np.ascontiguousarray(h[:, i : i + 1]),
            np.ascontiguousarray(c[:, i : i + 1]), forbidden, begin_id, end_id,
            beam_width, out[i],
        )  # fmt: skip
    return n_tokens


@njit(**JIT_OPTIONS)
def _beam_one(
    theta, layers, cell, embedding, head, code, W_c, b_c, W_q, v, memory, keys,
    src_lengths, h0, c0, forbidden, begin_id, end_id, K, out,
):  # fmt: skip
    """:func:`decode_beam` for one source; returns its output's length."""
    n_steps = out.shape[0]
    L, _, D = h0.shape
    start, V_in, E = embedding[0], embedding[1], embedding[2]
    table = theta[start : start + V_in * E].reshape((V_in, E))
    V = forbidden.shape[0]
    z, u, a, ctx, att, logits = _step_workspace(
        K, layers, h0, v, memory, V, theta.dtype
    )
    h = np.empty((L, K, D), dtype=theta.dtype)
    c = np.empty((L, K, D), dtype=theta.dtype)
    h_next = np.empty((L, K, D), dtype=theta.dtype)
    c_next = np.empty((L, K, D), dtype=theta.dtype)
    x = np.empty((K, E), dtype=theta.dtype)
    for k in range(K):
        for layer in range(L):
            copy_row(h0[layer, 0], h[layer, k])
            copy_row(c0[layer, 0], c[layer, k])
        copy_row(table[begin_id], x[k])
    owner = np.zeros(K, dtype=np.int64)
    score = np.full(K, -np.inf)
    score[0] = 0.0  # one hypothesis at the start: the begin marker
    history = np.full((K, n_steps), -1, dtype=np.int64)
    history_next = np.full((K, n_steps), -1, dtype=np.int64)
    n_cand = 2 * K
    cand_score = np.empty(n_cand)
    cand_beam = np.empty(n_cand, dtype=np.int64)
    cand_token = np.empty(n_cand, dtype=np.int64)
    live_score = np.empty(K)
    live_beam = np.empty(K, dtype=np.int64)
    live_token = np.empty(K, dtype=np.int64)
    best = -np.inf
    best_length = 0
    out[:] = -1
    n_finished = 0
    for s in range(n_steps):
        _decoder_step(
            theta, layers, cell, head, code, W_c, b_c, W_q, v, memory, keys,
            src_lengths, owner, x, h, c, z, u, a, ctx, att, logits,
        )  # fmt: skip
        n = 0  # candidates kept, best first
        for k in range(K):
            if score[k] == -np.inf:
                continue
            top, log_total = _allowed_log_sum_exp(logits[k], forbidden)
            for t in range(V):
                if forbidden[t]:
                    continue
                value = score[k] + ((float(logits[k, t]) - top) - log_total)
                if n == n_cand and value <= cand_score[n - 1]:
                    continue
                pos = n if n < n_cand else n_cand - 1
                while pos > 0 and cand_score[pos - 1] < value:
                    if pos < n_cand:
                        cand_score[pos] = cand_score[pos - 1]
                        cand_beam[pos] = cand_beam[pos - 1]
                        cand_token[pos] = cand_token[pos - 1]
                    pos -= 1
                cand_score[pos] = value
                cand_beam[pos] = k
                cand_token[pos] = t
                n = min(n + 1, n_cand)
        n_live = 0
        for r in range(n):
            if cand_token[r] == end_id:
                if r < K:
                    n_finished += 1
                    normalised = cand_score[r] / (s + 1)
                    if normalised > best:
                        best = normalised
                        best_length = s
                        for j in range(s):
                            out[j] = history[cand_beam[r], j]
                        for j in range(s, n_steps):
                            out[j] = -1
            elif n_live < K:
                live_score[n_live] = cand_score[r]
                live_beam[n_live] = cand_beam[r]
                live_token[n_live] = cand_token[r]
                n_live += 1
        if n_finished >= K or n_live == 0:
            break
        if s == n_steps - 1:  # out of steps: the live hypotheses end here
            for j in range(n_live):
                normalised = live_score[j] / (s + 1)
                if normalised > best:
                    best = normalised
                    best_length = s + 1
                    for q in range(s):
                        out[q] = history[live_beam[j], q]
                    out[s] = live_token[j]
            break
        for j in range(n_live):
            k = live_beam[j]
            for layer in range(L):
                copy_row(h[layer, k], h_next[layer, j])
                copy_row(c[layer, k], c_next[layer, j])
            for q in range(s):
                history_next[j, q] = history[k, q]
            history_next[j, s] = live_token[j]
            copy_row(table[live_token[j]], x[j])
        for j in range(K):
            score[j] = live_score[j] if j < n_live else -np.inf
            if j < n_live:
                for layer in range(L):
                    copy_row(h_next[layer, j], h[layer, j])
                    copy_row(c_next[layer, j], c[layer, j])
                for q in range(s + 1):
                    history[j, q] = history_next[j, q]
    return best_length


@njit(**JIT_OPTIONS)
def _allowed_log_sum_exp(logits, forbidden):
    """``(top, log(sum(exp(logits - top))))`` over the allowed ids."""
    top = -np.inf
    for t in range(logits.shape[0]):
        if not forbidden[t]:
            top = max(top, float(logits[t]))
    total = 0.0
    for t in range(logits.shape[0]):
        if not forbidden[t]:
            total += np.exp(float(logits[t]) - top)
    return top, np.log(total)


@njit(parallel=True, **JIT_OPTIONS)
def decode_series(
    theta, layers, cell, head, code, W_c, b_c, W_q, v, memory, keys, src_lengths,
    h, c, stop, out,
):  # fmt: skip
    """Decode up to ``out.shape[1]`` values per source, each fed back as the
    next input (the first input: zeros with the begin flag, the last
    channel, 1).

    Arguments as in :func:`decode_greedy`; ``out`` (N, n_steps, C). With
    ``stop``, the head's last output is a stop logit: a sequence ends after
    the first step where it is positive (probability above 1/2); else every
    sequence has ``n_steps`` steps.

    Returns
    -------
    n_values : ndarray of shape (N,), int64
        Steps written per source (``out`` is 0 past them).
    """
    N = out.shape[0]
    n_values = np.empty(N, dtype=np.int64)
    for chunk in prange((N + CHUNK_SIZE - 1) // CHUNK_SIZE):
        lo = chunk * CHUNK_SIZE
        hi = min(lo + CHUNK_SIZE, N)
        _series_chunk(
            theta, layers, cell, head, code, W_c, b_c, W_q, v, memory[lo:hi],
            keys[lo:hi], src_lengths[lo:hi], np.ascontiguousarray(h[:, lo:hi]),
            np.ascontiguousarray(c[:, lo:hi]), stop, out[lo:hi], n_values[lo:hi],
        )  # fmt: skip
    return n_values


@njit(**JIT_OPTIONS)
def _series_chunk(
    theta, layers, cell, head, code, W_c, b_c, W_q, v, memory, keys, src_lengths,
    h, c, stop, out, n_values,
):  # fmt: skip
    """:func:`decode_series` for one block of sources, serially."""
    N, n_steps, C = out.shape
    V = C + 1 if stop else C
    z, u, a, ctx, att, prediction = _step_workspace(
        N, layers, h, v, memory, V, theta.dtype
    )
    x = np.zeros((N, C + 1), dtype=theta.dtype)
    for i in range(N):
        x[i, C] = 1
        n_values[i] = n_steps
    out[:] = 0
    owner = np.arange(N)
    done = np.zeros(N, dtype=np.bool_)
    for s in range(n_steps):
        _decoder_step(
            theta, layers, cell, head, code, W_c, b_c, W_q, v, memory, keys,
            src_lengths, owner, x, h, c, z, u, a, ctx, att, prediction,
        )  # fmt: skip
        running = False
        for i in range(N):
            if done[i]:
                continue
            for j in range(C):
                out[i, s, j] = prediction[i, j]
                x[i, j] = prediction[i, j]
            x[i, C] = 0
            if stop and prediction[i, C] > 0:
                done[i] = True
                n_values[i] = s + 1
            else:
                running = True
        if not running:
            break
