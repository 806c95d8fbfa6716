"""Plain-numpy reference implementations for the kernel tests.

Everything here is written as the obvious loop over samples and time steps with
numpy operations, for clarity rather than speed (stumpy's ``naive.py`` idea). It
imports neither numba nor anything from skrnn, so a kernel and its reference
share no code.

Shapes follow the kernels: ``B`` samples, ``T`` padded steps, ``F`` input
features, ``H`` hidden units, ``G`` gates per unit (1 for the tanh RNN, 4 for
the LSTM, 3 for the GRU). Cell parameters are passed as a dict with keys
``W_x`` (F, G*H), ``W_h`` (H, G*H), ``b`` (G*H,) and, for the GRU only, ``b_h``
(H,).
"""

# Authors: The skrnn developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

N_GATES = {"rnn": 1, "lstm": 4, "gru": 3}


def sigmoid(x):
    """Logistic function, stable for large ``|x|``."""
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    e = np.exp(x[~pos])
    out[~pos] = e / (1.0 + e)
    return out


# --------------------------------------------------------------------------
# One step of each cell, for one sample (vectors of shape (F,) and (H,)).
# --------------------------------------------------------------------------


def _rnn_step(x_t, h_prev, params):
    """``h_t = tanh(b + x_t W_x + h_{t-1} W_h)``."""
    h = np.tanh(params["b"] + x_t @ params["W_x"] + h_prev @ params["W_h"])
    return {"h": h}


def _lstm_step(x_t, h_prev, c_prev, params):
    """LSTM step, gate order (i, f, g, o), one bias ``b``."""
    H = h_prev.shape[0]
    z = params["b"] + x_t @ params["W_x"] + h_prev @ params["W_h"]
    i = sigmoid(z[:H])
    f = sigmoid(z[H : 2 * H])
    g = np.tanh(z[2 * H : 3 * H])
    o = sigmoid(z[3 * H :])
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    return {"h": h, "c": c, "i": i, "f": f, "g": g, "o": o}


def _gru_step(x_t, h_prev, params):
    """GRU step in PyTorch's form, gate order (r, z, n)."""
    H = h_prev.shape[0]
    a = params["b"] + x_t @ params["W_x"]
    u = h_prev @ params["W_h"]
    r = sigmoid(a[:H] + u[:H])
    z = sigmoid(a[H : 2 * H] + u[H : 2 * H])
    m = u[2 * H :] + params["b_h"]
    n = np.tanh(a[2 * H :] + r * m)
    h = (1 - z) * n + z * h_prev
    return {"h": h, "r": r, "z": z, "n": n, "m": m}


def _run_sample(cell, x_i, L, params, h0_i, c0_i):
    """Forward over the first ``L`` steps of one sample; list of step caches."""
    steps = []
    h = h0_i
    c = c0_i
    for t in range(L):
        if cell == "rnn":
            s = _rnn_step(x_i[t], h, params)
        elif cell == "lstm":
            s = _lstm_step(x_i[t], h, c, params)
            c = s["c"]
        else:
            s = _gru_step(x_i[t], h, params)
        h = s["h"]
        steps.append(s)
    return steps


def cell_forward(cell, x, lengths, params, h0, c0=None):
    """Run a cell over a padded batch.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    x : ndarray of shape (B, T, F)
    lengths : ndarray of shape (B,)
    params : dict of ndarray
    h0 : ndarray of shape (B, H)
    c0 : ndarray of shape (B, H) or None
        Initial cell state (LSTM only).

    Returns
    -------
    hs : ndarray of shape (B, T, H)
        Hidden states, zero past each sample's length.
    cs : ndarray of shape (B, T, H) or None
        LSTM: the cell states ``c_t``. GRU: ``m_t = h_{t-1} W_h[:, 2H:] + b_h``.
        RNN: None. Zero past each sample's length.
    """
    B, T, _ = x.shape
    H = h0.shape[1]
    hs = np.zeros((B, T, H))
    cs = None if cell == "rnn" else np.zeros((B, T, H))
    for i in range(B):
        L = int(lengths[i])
        c0_i = c0[i] if cell == "lstm" else None
        steps = _run_sample(cell, x[i], L, params, h0[i], c0_i)
        for t, s in enumerate(steps):
            hs[i, t] = s["h"]
            if cell == "lstm":
                cs[i, t] = s["c"]
            elif cell == "gru":
                cs[i, t] = s["m"]
    return hs, cs


def cell_backward(cell, x, lengths, params, h0, c0, dhs):
    """Backpropagation through time over a padded batch.

    Parameters
    ----------
    cell, x, lengths, params, h0, c0 : as in :func:`cell_forward`.
    dhs : ndarray of shape (B, T, H)
        Gradient of the loss w.r.t. each ``h_t``; entries past a sample's
        length are ignored.

    Returns
    -------
    grads : dict of ndarray
        ``W_x``, ``W_h``, ``b`` (summed over the batch), ``x``, ``h0`` and,
        for the LSTM, ``c0``; for the GRU, ``b_h``.
    """
    B = x.shape[0]
    H = h0.shape[1]
    W_x = params["W_x"]
    W_h = params["W_h"]
    grads = {
        "W_x": np.zeros_like(W_x, dtype=np.float64),
        "W_h": np.zeros_like(W_h, dtype=np.float64),
        "b": np.zeros(W_h.shape[1]),
        "x": np.zeros(x.shape),
        "h0": np.zeros((B, H)),
    }
    if cell == "lstm":
        grads["c0"] = np.zeros((B, H))
    if cell == "gru":
        grads["b_h"] = np.zeros(H)
    for i in range(B):
        L = int(lengths[i])
        c0_i = c0[i] if cell == "lstm" else None
        steps = _run_sample(cell, x[i], L, params, h0[i], c0_i)
        dh_next = np.zeros(H)
        dc_next = np.zeros(H)
        for t in range(L - 1, -1, -1):
            s = steps[t]
            h_prev = steps[t - 1]["h"] if t > 0 else h0[i]
            dh = dhs[i, t] + dh_next
            if cell == "rnn":
                dz = dh * (1 - s["h"] ** 2)
                d_in = dz  # gradient of the input-side pre-activation
                d_rec = dz  # gradient of h_{t-1} W_h
            elif cell == "lstm":
                c_prev = steps[t - 1]["c"] if t > 0 else c0_i
                tc = np.tanh(s["c"])
                dc = dc_next + dh * s["o"] * (1 - tc**2)
                di = dc * s["g"] * s["i"] * (1 - s["i"])
                df = dc * c_prev * s["f"] * (1 - s["f"])
                dg = dc * s["i"] * (1 - s["g"] ** 2)
                do = dh * tc * s["o"] * (1 - s["o"])
                dz = np.concatenate([di, df, dg, do])
                d_in = dz
                d_rec = dz
                dc_next = dc * s["f"]
            else:
                r, z, n, m = s["r"], s["z"], s["n"], s["m"]
                dn = dh * (1 - z)
                d_an = dn * (1 - n**2)
                dr = d_an * m * r * (1 - r)
                dzg = dh * (h_prev - n) * z * (1 - z)
                dm = d_an * r
                d_in = np.concatenate([dr, dzg, d_an])
                d_rec = np.concatenate([dr, dzg, dm])
                grads["b_h"] += dm
            grads["W_x"] += np.outer(x[i, t], d_in)
            grads["b"] += d_in
            grads["W_h"] += np.outer(h_prev, d_rec)
            grads["x"][i, t] = W_x @ d_in
            dh_next = W_h @ d_rec
            if cell == "gru":
                dh_next = dh_next + dh * s["z"]
        grads["h0"][i] = dh_next
        if cell == "lstm":
            grads["c0"][i] = dc_next
    return grads


# --------------------------------------------------------------------------
# Dense head and losses.
# --------------------------------------------------------------------------


def dense_forward(h, W, b):
    """``out = b + h @ W``."""
    return b + h @ W


def dense_backward(h, d_out, W):
    """Gradients of ``out = b + h @ W``: returns ``(dh, dW, db)``."""
    return d_out @ W.T, h.T @ d_out, d_out.sum(axis=0)


def log_softmax(logits):
    """Row-wise log-softmax (max-shifted)."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax_cross_entropy(logits, targets, weights):
    """Weighted softmax cross-entropy: returns ``(loss, d_logits)``.

    ``loss = sum_i w_i * -log softmax(logits_i)[y_i]`` and
    ``d_logits_i = w_i * (softmax(logits_i) - onehot(y_i))``.
    """
    logp = log_softmax(logits)
    rows = np.arange(logits.shape[0])
    loss = -np.sum(weights * logp[rows, targets])
    onehot = np.zeros_like(logits)
    onehot[rows, targets] = 1.0
    grad = weights[:, None] * (np.exp(logp) - onehot)
    return loss, grad


def squared_error(predictions, targets, weights):
    """Weighted half mean squared error: returns ``(loss, d_predictions)``.

    Row loss ``sum_k (p_k - y_k)^2 / (2 C)``; gradient ``w (p - y) / C``.
    """
    C = predictions.shape[1]
    diff = predictions - targets
    loss = np.sum(weights * (diff**2).sum(axis=1) / (2 * C))
    return loss, weights[:, None] * diff / C


# --------------------------------------------------------------------------
# Optimizers (each returns new arrays; nothing is modified in place).
# --------------------------------------------------------------------------


def sgd_update(theta, grad, velocity, learning_rate, momentum, nesterov):
    """scikit-learn's ``SGDOptimizer`` step: returns ``(theta, velocity)``.

    ``v = momentum v - lr g``; the update is ``v`` (plain momentum) or
    ``momentum v - lr g`` with the new ``v`` (Nesterov).
    """
    velocity = momentum * velocity - learning_rate * grad
    if nesterov:
        update = momentum * velocity - learning_rate * grad
    else:
        update = velocity
    return theta + update, velocity


def rmsprop_update(theta, grad, mean_square, learning_rate, rho, epsilon):
    """RMSprop step: returns ``(theta, mean_square)``."""
    mean_square = rho * mean_square + (1 - rho) * grad**2
    return theta - learning_rate * grad / (np.sqrt(mean_square) + epsilon), mean_square


def adam_update(theta, grad, m, v, learning_rate, beta_1, beta_2, epsilon, step):
    """scikit-learn's ``AdamOptimizer`` step ``step`` (1-based): ``(theta, m, v)``.

    The bias correction is folded into the learning rate:
    ``lr_t = lr sqrt(1 - beta_2^t) / (1 - beta_1^t)``.
    """
    m = beta_1 * m + (1 - beta_1) * grad
    v = beta_2 * v + (1 - beta_2) * grad**2
    lr_t = learning_rate * np.sqrt(1 - beta_2**step) / (1 - beta_1**step)
    return theta - lr_t * m / (np.sqrt(v) + epsilon), m, v


def clip_global_norm(grad, max_norm):
    """Scale ``grad`` to L2 norm ``max_norm`` if larger: ``(clipped, norm)``."""
    norm = np.sqrt(np.sum(grad.astype(np.float64) ** 2))
    if norm > max_norm:
        return grad * (max_norm / norm), norm
    return grad.copy(), norm


def embedding_forward(ids, lengths, table):
    """``table[ids]`` at real steps, zeros at padded steps; shape (B, T, E)."""
    B, T = ids.shape
    out = np.zeros((B, T, table.shape[1]))
    for b in range(B):
        out[b, : lengths[b]] = table[ids[b, : lengths[b]]]
    return out


def embedding_backward(ids, lengths, d_out, vocabulary_size):
    """Gradient w.r.t. the table: real steps' ``d_out`` summed per id."""
    d_table = np.zeros((vocabulary_size, d_out.shape[2]))
    for b in range(ids.shape[0]):
        np.add.at(d_table, ids[b, : lengths[b]], d_out[b, : lengths[b]])
    return d_table


# --------------------------------------------------------------------------
# Attention and the encoder-decoder (skrnn._kernels._attention,
# skrnn._encoder_decoder).
# --------------------------------------------------------------------------


def attention(score, q, m, n, W_q=None, W_k=None, b_k=None, v=None):
    """Attention of one query ``q`` (D,) over the first ``n`` rows of ``m``.

    Returns ``(a, ctx)``: the weights (S,), zero past ``n``, and the
    context (D,).
    """
    if score == "dot":
        e = m[:n] @ q
    else:
        e = np.tanh(q @ W_q + m[:n] @ W_k + b_k) @ v
    a = np.zeros(m.shape[0])
    p = np.exp(e - e.max())
    a[:n] = p / p.sum()
    return a, a @ m


def _layer_params(params, prefix):
    return {
        name: params[prefix + name]
        for name in ("W_x", "W_h", "b", "b_h")
        if prefix + name in params
    }


def encoder_decoder_outputs(cell, params, x, lengths, y_in, y_lengths, n_layers,
                            bidirectional, score):  # fmt: skip
    """Head outputs at every real target step of an encoder-decoder, as rows.

    ``x`` (B, S, F) embedded (or numeric) sources, ``y_in`` (B, T, F_y)
    embedded decoder inputs; ``params`` named as the network's views (the
    encoder's unprefixed, the decoder's ``decoder.``, ``attention.``).
    """
    B = x.shape[0]
    n_dir = 2 if bidirectional else 1
    H = params["layer0.dir0.W_h"].shape[0]
    layer_input = x
    finals_h, finals_c = [], []
    for layer in range(n_layers):
        outputs, fh, fc = [], [], []
        for d in range(n_dir):
            p = _layer_params(params, f"layer{layer}.dir{d}.")
            inp = layer_input.copy()
            if d == 1:
                for i in range(B):
                    inp[i, : lengths[i]] = inp[i, : lengths[i]][::-1]
            hs, cs = cell_forward(
                cell, inp, lengths, p, np.zeros((B, H)), np.zeros((B, H))
            )
            last = np.asarray(lengths) - 1
            fh.append(hs[np.arange(B), last])
            fc.append(cs[np.arange(B), last] if cell == "lstm" else np.zeros((B, H)))
            if d == 1:
                for i in range(B):
                    hs[i, : lengths[i]] = hs[i, : lengths[i]][::-1]
            outputs.append(hs)
        layer_input = np.concatenate(outputs, axis=2)
        finals_h.append(np.concatenate(fh, axis=1))
        finals_c.append(np.concatenate(fc, axis=1))
    memory = layer_input
    dec_input = y_in
    for layer in range(n_layers):
        p = _layer_params(params, f"decoder.layer{layer}.dir0.")
        dec_input, _ = cell_forward(
            cell, dec_input, y_lengths, p, finals_h[layer], finals_c[layer]
        )
    rows = []
    for i in range(B):
        for t in range(y_lengths[i]):
            q = dec_input[i, t]
            top = q
            if score is not None:
                _, ctx = attention(
                    score, q, memory[i], lengths[i], params.get("attention.W_q"),
                    params.get("attention.W_k"), params.get("attention.b_k"),
                    params.get("attention.v"),
                )  # fmt: skip
                top = np.tanh(
                    params["attention.b_c"]
                    + np.concatenate([ctx, q]) @ params["attention.W_c"]
                )
            rows.append(
                dense_forward(top, params["decoder.head.W"], params["decoder.head.b"])
            )
    return np.array(rows)
